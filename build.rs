//! Build script: compiles the C-variadic bodies of `src/c/` (see `build/cshim.rs`), links
//! libevent.so under libevent's SONAME, makes the per-library names that programs link or were
//! linked to (one engine, see `build/libs.rs`), and generates the public headers from
//! `src/capi/` (see `build/headers.rs`).

#[path = "build/cshim.rs"]
mod cshim;
#[path = "build/headers.rs"]
mod headers;
#[path = "build/libs.rs"]
mod libs;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    cshim::main();
    libs::main();
    headers::main();
}
