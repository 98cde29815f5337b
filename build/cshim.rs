//! Compiles the C-variadic bodies in `src/c/` into a static library linked into every crate
//! type (cdylib, staticlib, rlib). Their public names are Rust naked trampolines in
//! `src/capi/variadic.rs`: rustc's cdylib version script would hide the C symbols themselves.
//!
//! `buffer_printf.c` calls the public `evbuffer_add`, so it (and the `evbuffer_add_printf`
//! trampolines, behind `cfg(rsevent_evbuffer_add)`) is only built once `src/capi/` defines that
//! function: the library never links against an undefined `evbuffer_add`.

use std::fs;
use std::path::{Path, PathBuf};

pub fn main() {
    println!("cargo:rerun-if-changed=src/c");
    println!("cargo:rustc-check-cfg=cfg(rsevent_evbuffer_add)");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());

    let mut build = cc::Build::new();
    build
        .file(manifest.join("src/c/variadic.c"))
        .flag_if_supported("-std=c99")
        .flag_if_supported("-D_DEFAULT_SOURCE")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true);
    if defines_function(&manifest.join("src/capi"), "evbuffer_add") {
        build.file(manifest.join("src/c/buffer_printf.c"));
        println!("cargo:rustc-cfg=rsevent_evbuffer_add");
    }
    build.compile("rsevent_c");
}

/// Whether some file below `dir` defines `extern "C" fn NAME(`.
fn defines_function(dir: &Path, name: &str) -> bool {
    let needle = format!("extern \"C\" fn {name}(");
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs")
                && fs::read_to_string(&p).is_ok_and(|t| t.contains(&needle))
            {
                return true;
            }
        }
    }
    false
}
