//! The HTTP side: the published files, `/healthz` and `/metrics`.
//!
//! Files are served by tower-http's `ServeDir`, which decodes the path and
//! refuses any `..`, root or drive component (so `/../x` and `/%2e%2e/x` are
//! 404s), guesses the type from the extension, serves `index.html` for a
//! directory and answers GET and HEAD only. Before it, [`files`] resolves
//! the path with its symbolic links and answers 404 when that leads out of
//! `output_dir`: `ServeDir` itself follows links wherever they point.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{metrics, Health, Shared};

/// The published file that shows something has been published.
const INDEX: &str = "index.html";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(files)
        .with_state(shared)
        // A preview: every reload must show the latest update.
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

async fn healthz(State(shared): State<Arc<Shared>>) -> Response {
    let unavailable = |why: String| (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n"));
    let (status, body) = match shared.health() {
        Health::Ok => (StatusCode::OK, "ok\n".to_owned()),
        Health::ServingOnly if shared.output_dir.join(INDEX).is_file() => {
            (StatusCode::OK, "ok\n".to_owned())
        }
        Health::ServingOnly => unavailable(format!(
            "nothing published in {} yet",
            shared.output_dir.display()
        )),
        Health::Starting => unavailable("the first update is still running".to_owned()),
        Health::Failed(why) => unavailable(format!("the last update failed: {why}")),
    };
    (status, body).into_response()
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    match shared.metrics.encode() {
        Ok(text) => ([(CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A published file, unless its path leads out of `output_dir`.
async fn files(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let root = shared.output_dir.clone();
    let path = request.uri().path().to_owned();
    let inside = tokio::task::spawn_blocking(move || stays_inside(&root, &path))
        .await
        .unwrap_or(false);
    if !inside {
        return StatusCode::NOT_FOUND.into_response();
    }
    match ServeDir::new(&shared.output_dir)
        .append_index_html_on_directories(true)
        .oneshot(request)
        .await
    {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// Whether the file a request path names, its symbolic links followed, is in
/// `root` (itself resolved). A path that does not exist is left to
/// `ServeDir`, which answers 404 for it as for any path it refuses.
fn stays_inside(root: &Path, request_path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(request_path).decode_utf8_lossy();
    let mut path = PathBuf::from(root);
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            // `..`, a root or a drive: ServeDir refuses these itself.
            _ => return true,
        }
    }
    let Ok(root) = root.canonicalize() else {
        return true;
    };
    match path.canonicalize() {
        // A directory is answered with its index, which may be a link too.
        Ok(real) if real.is_dir() => {
            real.starts_with(&root)
                && real
                    .join(INDEX)
                    .canonicalize()
                    .map_or(true, |index| index.starts_with(&root))
        }
        Ok(real) => real.starts_with(&root),
        // A link to nowhere is not served either; a missing file is a 404.
        Err(_) => path.symlink_metadata().is_err(),
    }
}
