//! The library names of libevent 2.1 in `target/<profile>/`.
//!
//! `libevent.so` is the only copy of the engine (SONAME `libevent-2.1.so.7`). `libevent_core.so`,
//! `libevent_extra.so` and `libevent_pthreads.so` are ELF *filter* libraries: each carries its own
//! SONAME and a symbol table (so `-levent_core` links), and its `DT_FILTER` entry makes the dynamic
//! loader resolve every one of those symbols in `libevent-2.1.so.7`. A process that loads several
//! names therefore still has one set of globals. The static archives are all the one `libevent.a`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The libraries that are filters over libevent.so: (name in symbols.tsv, file stem).
const FILTERS: &[(&str, &str)] = &[
    ("libevent_core", "libevent_core"),
    ("libevent_extra", "libevent_extra"),
    ("libevent_pthreads", "libevent_pthreads"),
];

pub fn main() {
    println!("cargo:rerun-if-changed=abi/symbols.tsv");
    println!("cargo:rerun-if-changed=src/capi");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libevent-2.1.so.7");

    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out.
    let profile_dir = out_dir.ancestors().nth(3).unwrap().to_path_buf();

    let exported = exported_functions(&manifest.join("src/capi"));
    let table = fs::read_to_string(manifest.join("abi/symbols.tsv")).expect("abi/symbols.tsv");

    for (lib, stem) in FILTERS {
        let symbols: Vec<&str> = table
            .lines()
            .skip(1)
            .filter_map(|l| {
                let mut cols = l.split('\t');
                let (name, owner) = (cols.next()?, cols.next()?);
                (owner == *lib && exported.contains(name)).then_some(name)
            })
            .collect();
        build_filter(&out_dir, &profile_dir, stem, &symbols);
    }
    symlink(&profile_dir, "libevent.so", "libevent-2.1.so.7");
    for (_, stem) in FILTERS {
        symlink(&profile_dir, "libevent.a", &format!("{stem}.a"));
    }
}

/// Every `extern "C" fn` that `src/capi/` defines (they are all `#[no_mangle]` exports).
fn exported_functions(dir: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&p).unwrap();
                for line in text.lines() {
                    if let Some(i) = line.find("extern \"C\" fn ") {
                        let rest = &line[i + "extern \"C\" fn ".len()..];
                        let name: String =
                            rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        if !name.is_empty() && line.trim_start().starts_with("pub") {
                            names.insert(name);
                        }
                    }
                }
            }
        }
    }
    names
}

fn build_filter(out_dir: &Path, profile_dir: &Path, stem: &str, symbols: &[&str]) {
    let src = out_dir.join(format!("{stem}_filter.c"));
    let mut c = String::from("/* Generated: placeholders resolved in libevent-2.1.so.7 (DT_FILTER). */\n");
    for s in symbols {
        c.push_str(&format!("void {s}(void) {{}}\n"));
    }
    fs::write(&src, c).unwrap();
    let lib = profile_dir.join(format!("{stem}.so"));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(cc)
        .args(["-shared", "-fPIC", "-nostdlib", "-o"])
        .arg(&lib)
        .arg(format!("-Wl,-soname,{stem}-2.1.so.7"))
        .arg("-Wl,--filter=libevent-2.1.so.7")
        // The filtee is looked up like a dependency of the filter: find it beside the filter,
        // not in the system's library directories.
        .arg("-Wl,-rpath,$ORIGIN")
        .arg(&src)
        .status()
        .expect("running the C compiler for the filter libraries");
    assert!(status.success(), "linking {}", lib.display());
    symlink(profile_dir, &format!("{stem}.so"), &format!("{stem}-2.1.so.7"));
}

/// `dir/link` -> `target` (relative), replacing what was there.
fn symlink(dir: &Path, target: &str, link: &str) {
    let path = dir.join(link);
    let _ = fs::remove_file(&path);
    std::os::unix::fs::symlink(target, &path).unwrap();
}
