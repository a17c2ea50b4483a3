fn main() {
    // The bundled themes are compiled in; rebuild when they change.
    println!("cargo:rerun-if-changed=../../themes");
}
