//! `orrery theme`: the bundled themes, and bringing a Planet Venus theme
//! over (its htmltmpl templates converted once into MiniJinja).

use std::path::PathBuf;
use std::process::ExitCode;

use orrery_render::Theme;
use orrery_venus::{import_theme, venus_manifest};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Convert a Planet Venus theme (htmltmpl `*.tmpl`) into an orrery theme.
    Import(ImportArgs),
    /// List the themes built into orrery.
    List,
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The Venus theme directory (the one holding its config.ini).
    dir: PathBuf,
    /// Where to write the orrery theme [default: DIR itself, beside the originals].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace files that already exist.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Import(args) => import(&args),
        Command::List => {
            let mut names = Theme::bundled_names();
            names.sort_unstable();
            for name in names {
                println!("{name}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.as_deref().unwrap_or(&args.dir);
    let manifest = venus_manifest(&args.dir)?;
    let imported = import_theme(&args.dir, out, manifest.as_ref(), args.force)?;
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    for file in imported.converted.iter().chain(&imported.manifest) {
        println!("wrote {}", out.join(file).display());
    }
    if !imported.copied.is_empty() {
        println!(
            "copied {} static files into {}",
            imported.copied.len(),
            out.display()
        );
    }
    // Theme names may be paths; a full one works from any directory.
    let full = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
    println!("Use it with: output_theme = {}", full.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use orrery_venus::VenusManifest;

    use super::*;

    #[test]
    fn config_ini_lists_become_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let venus = dir.path().join("fancy");
        fs::create_dir(&venus).unwrap();
        fs::write(
            venus.join("config.ini"),
            "# a theme\n[Planet]\ntemplate_files:\n  index.html.tmpl\n  atom.xml.xslt\n\n\
             bill_of_materials: planet.css\n  images/#{face}\n",
        )
        .unwrap();
        fs::write(venus.join("index.html.tmpl"), "<TMPL_VAR name>\n").unwrap();
        fs::write(venus.join("planet.css"), "body {}\n").unwrap();
        assert_eq!(
            venus_manifest(&venus).unwrap(),
            Some(VenusManifest {
                template_files: vec!["index.html.tmpl".into(), "atom.xml.xslt".into()],
                bill_of_materials: vec!["planet.css".into(), "images/#{face}".into()],
            })
        );

        let out = dir.path().join("orrery");
        let args = ImportArgs {
            dir: venus.clone(),
            out: Some(out.clone()),
            force: false,
        };
        import(&args).unwrap();
        let theme = Theme::from_dir(&out).unwrap();
        assert_eq!(theme.name(), "orrery");
        let manifest = fs::read_to_string(out.join("theme.toml")).unwrap();
        assert!(manifest.contains("\"index.html\""), "{manifest}");
        assert!(manifest.contains("\"images/#{face}\""), "{manifest}");
        // htmltmpl drops the newline after a statement.
        assert_eq!(
            fs::read_to_string(out.join("index.html.jinja")).unwrap(),
            "{{ name }}"
        );
        // Importing again over the result needs --force.
        assert!(import(&args).is_err());

        // A directory without config.ini still converts.
        fs::remove_file(venus.join("config.ini")).unwrap();
        assert_eq!(venus_manifest(&venus).unwrap(), None);
    }
}
