//! Generates the public C headers into `$OUT_DIR/include/`.
//!
//! Every header that has Rust sources is produced by cbindgen from those `src/capi/` files: their
//! `pub` constants, `#[repr(C)]` types, type aliases and `#[no_mangle] extern "C"` functions, with
//! the `///` docs as the header docs. What C needs and Rust cannot express (function-like macros,
//! `#include`s, forward declarations, libevent's macro-defined types) is raw C kept in
//! `cbindgen/<header>.head` (before the generated items) and `cbindgen/<header>.tail` (after them).
//! Headers without Rust sources are raw C from `cbindgen/<header>.in`.
//!
//! The generator adds the banner, the include guard (named as libevent names it) and, around the
//! generated items, the `extern "C"` block for C++. Raw text may use `@VERSION@` ("2.1.12-stable")
//! and `@NUMERIC_VERSION@` (0x02010c00), both derived from the package version, and
//! `@optional-include event2/NAME.h` lines, which become an `#include` only once that header is
//! generated too (the compat `<event.h>` names headers that later issues add).
//!
//! Nothing is written outside `$OUT_DIR`: `scripts/regen-headers.sh` copies the result over the
//! committed `include/`, and `tests/headers.rs` fails while the two differ.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

struct Header {
    /// Path below `include/`.
    path: &'static str,
    /// The Rust files cbindgen reads (relative to the package root); empty for a raw header.
    sources: &'static [&'static str],
    /// Struct tags used by the sources but declared by the raw text or by another header: written
    /// `struct NAME` and never emitted by cbindgen here (so no item is emitted twice).
    tags: &'static [&'static str],
    /// Items of the sources that the raw text defines instead (libevent's macro-defined types).
    exclude: &'static [&'static str],
}

/// Every header under `include/`. A new public header (buffer.h, ...) gets an entry here plus its
/// `cbindgen/` raw files; `scripts/regen-headers.sh` then adds it to `include/`.
const HEADERS: &[Header] = &[
    Header {
        path: "event2/event.h",
        sources: &["src/capi/event_defs.rs", "src/capi/event.rs"],
        tags: &["event_base", "event", "event_config"],
        exclude: &[],
    },
    Header {
        path: "event2/event_struct.h",
        sources: &["src/capi/event_struct.rs"],
        tags: &["event_base"],
        exclude: &[],
    },
    Header {
        path: "event2/event_compat.h",
        sources: &["src/capi/event_compat.rs"],
        tags: &["event_base", "event"],
        exclude: &[],
    },
    Header {
        path: "event2/thread.h",
        sources: &["src/capi/thread_defs.rs", "src/capi/thread.rs"],
        tags: &["event_base"],
        exclude: &[],
    },
    Header {
        path: "event2/buffer.h",
        sources: &["src/capi/buffer_defs.rs", "src/capi/buffer.rs"],
        tags: &[
            "evbuffer",
            "evbuffer_ptr",
            "evbuffer_cb_entry",
            "evbuffer_file_segment",
            "event_base",
        ],
        exclude: &[],
    },
    Header {
        path: "event2/buffer_compat.h",
        sources: &["src/capi/buffer_compat.rs"],
        tags: &["evbuffer"],
        exclude: &[],
    },
    Header {
        path: "event2/bufferevent.h",
        sources: &["src/capi/bufferevent.rs"],
        tags: &["bufferevent", "evbuffer", "event_base", "evdns_base", "ev_token_bucket_cfg", "bufferevent_rate_limit_group"],
        exclude: &[],
    },
    Header {
        path: "event2/bufferevent_struct.h",
        sources: &["src/capi/bufferevent_struct.rs"],
        tags: &["bufferevent_ops", "evbuffer", "event_base", "event"],
        exclude: &[],
    },
    Header {
        path: "event2/bufferevent_compat.h",
        sources: &["src/capi/bufferevent_compat.rs"],
        tags: &["bufferevent"],
        exclude: &[],
    },
    Header {
        path: "event2/listener.h",
        sources: &["src/capi/listener.rs"],
        tags: &["evconnlistener", "event_base"],
        exclude: &[],
    },
    Header {
        path: "event2/util.h",
        sources: &["src/capi/util_defs.rs", "src/capi/util.rs"],
        tags: &["evutil_monotonic_timer", "evutil_addrinfo"],
        exclude: &[
            "evutil_socket_t",
            "ev_uint64_t",
            "ev_int64_t",
            "ev_uint32_t",
            "ev_int32_t",
            "ev_uint16_t",
            "ev_int16_t",
            "ev_uint8_t",
            "ev_int8_t",
            "ev_uintptr_t",
            "ev_intptr_t",
            "ev_ssize_t",
            "ev_off_t",
            "ev_socklen_t",
        ],
    },
    raw_header("event2/visibility.h"),
    raw_header("event2/event-config.h"),
    raw_header("event2/keyvalq_struct.h"),
    raw_header("event.h"),
    raw_header("evutil.h"),
];

/// A header made only of raw C (`cbindgen/<path>.in`).
const fn raw_header(path: &'static str) -> Header {
    Header {
        path,
        sources: &[],
        tags: &[],
        exclude: &[],
    }
}

/// Struct tags of the C library that Rust names through `libc` (`libc::timeval` is `struct timeval`).
const SYSTEM_TAGS: &[&str] = &[
    "timeval",
    "timespec",
    "timezone",
    "tm",
    "iovec",
    "sockaddr",
    "sockaddr_in",
    "sockaddr_in6",
    "sockaddr_un",
    "sockaddr_storage",
    "addrinfo",
    "in_addr",
    "in6_addr",
];

pub fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("include");
    println!("cargo:rerun-if-changed=cbindgen");
    println!("cargo:rerun-if-changed=src/capi");
    println!("cargo:rerun-if-changed=build/headers.rs");

    let version = std::env::var("CARGO_PKG_VERSION").unwrap();
    let numeric = numeric_version(&version);
    let generated: BTreeSet<&str> = HEADERS.iter().map(|h| h.path).collect();

    // A clean tree each time, so a header dropped from HEADERS disappears from OUT_DIR too.
    if out.exists() {
        fs::remove_dir_all(&out).unwrap();
    }
    for h in HEADERS {
        let raw = |ext: &str| -> String {
            let p = manifest.join("cbindgen").join(format!("{}.{ext}", h.path));
            let text =
                fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            expand(&text, &version, &numeric, &generated, &p)
        };
        let guard = guard_name(h.path);
        let banner = banner(h);
        let text = if h.sources.is_empty() {
            format!(
                "{banner}#ifndef {guard}\n#define {guard}\n\n{}\n#endif /* {guard} */\n",
                raw("in").trim_matches('\n')
            )
        } else {
            let head = format!(
                "{banner}#ifndef {guard}\n#define {guard}\n\n{}\n\n\
                 #ifdef __cplusplus\nextern \"C\" {{\n#endif",
                raw("head").trim_matches('\n')
            );
            let tail = format!(
                "#ifdef __cplusplus\n}}\n#endif\n\n{}\n\n#endif /* {guard} */\n",
                raw("tail").trim_matches('\n')
            );
            generate(&manifest, h, head, tail)
        };
        let dest = out.join(h.path);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::write(&dest, text).unwrap();
    }

    // Lets scripts/regen-headers.sh find this OUT_DIR without parsing cargo's output.
    let profile_dir = out.ancestors().nth(4).unwrap();
    fs::write(
        profile_dir.join("rsevent-headers-dir"),
        format!("{}\n", out.display()),
    )
    .unwrap();
}

/// Runs cbindgen over the header's sources and returns the header's text.
fn generate(manifest: &Path, h: &Header, head: String, tail: String) -> String {
    let mut config = cbindgen::Config {
        language: cbindgen::Language::C,
        style: cbindgen::Style::Tag,
        no_includes: true,
        usize_is_size_t: true,
        sort_by: cbindgen::SortKey::None,
        documentation: true,
        documentation_style: cbindgen::DocumentationStyle::Doxy,
        line_length: 100,
        tab_width: 4,
        ..Default::default()
    };
    config.function.prefix = Some("EVENT2_EXPORT_SYMBOL".to_string());
    config.export.exclude = h.exclude.iter().map(|s| s.to_string()).collect();
    for tag in h.tags.iter().chain(SYSTEM_TAGS) {
        config.export.exclude.push(tag.to_string());
        config
            .export
            .rename
            .insert(tag.to_string(), format!("struct {tag}"));
    }

    let mut sources = Vec::new();
    for src in h.sources {
        let p = manifest.join(src);
        // A module that does not exist yet (a later issue adds it) simply contributes nothing.
        if p.exists() {
            sources.push(p);
        }
    }
    // cbindgen only emits the types that functions use; every public type of a header's sources
    // belongs in it, used or not.
    for p in &sources {
        config.export.include.extend(public_types(p));
    }
    let mut builder = cbindgen::Builder::new().with_config(config);
    for p in sources {
        builder = builder.with_src(p);
    }
    let bindings = builder
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen failed for {}: {e}", h.path));
    let mut buf = Vec::new();
    bindings.write(&mut buf);
    let body = no_trailing_enum_comma(&order_by_value_deps(&String::from_utf8(buf).unwrap()));
    let text = format!("{head}\n\n{body}\n{tail}");
    // Trailing blanks and runs of blank lines come from cbindgen's layout, not from the sources.
    let mut out = String::new();
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// cbindgen orders types by walking their fields, pointers included, so with pointer cycles
/// (`struct event` ↔ `struct event_callback`) it can emit a struct before a type it contains by
/// value. This moves each top-level item (a blank-line separated chunk) after the definitions of
/// the structs, unions and enums it contains by value, keeping cbindgen's order otherwise.
fn order_by_value_deps(text: &str) -> String {
    // Split into chunks at blank lines outside braces.
    let mut chunks: Vec<Vec<&str>> = vec![Vec::new()];
    let mut depth = 0i32;
    for line in text.lines() {
        let t = line.trim_start();
        let is_comment = t.starts_with("/*") || t.starts_with('*');
        if !is_comment {
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        }
        if line.trim().is_empty() && depth == 0 {
            chunks.push(Vec::new());
        } else {
            chunks.last_mut().unwrap().push(line);
        }
    }
    chunks.retain(|c| !c.is_empty());

    let tag_of = |line: &str| -> Option<String> {
        for kw in ["struct ", "union ", "enum "] {
            if let Some(rest) = line.strip_prefix(kw) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if rest[name.len()..].trim_start().starts_with('{') {
                    return Some(format!("{kw}{name}"));
                }
            }
        }
        None
    };
    let defines: Vec<Option<String>> = chunks
        .iter()
        .map(|c| c.iter().find_map(|l| tag_of(l)))
        .collect();
    let deps: Vec<Vec<usize>> = chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut d = Vec::new();
            for line in c
                .iter()
                .filter(|l| l.starts_with(' ') || l.starts_with('\t'))
            {
                let t = line.trim_start();
                for kw in ["struct ", "union ", "enum "] {
                    if let Some(rest) = t.strip_prefix(kw) {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        let after = rest[name.len()..].trim_start();
                        if after.starts_with('*') || after.starts_with('{') {
                            continue; // a pointer, or a nested definition
                        }
                        let tag = format!("{kw}{name}");
                        if let Some(j) = defines.iter().position(|x| x.as_deref() == Some(&tag)) {
                            if j != i {
                                d.push(j);
                            }
                        }
                    }
                }
            }
            d
        })
        .collect();

    // Stable topological sort: repeatedly emit the first chunk whose dependencies are out.
    let mut done = vec![false; chunks.len()];
    let mut out = String::new();
    for _ in 0..chunks.len() {
        let next = (0..chunks.len())
            .find(|&i| !done[i] && deps[i].iter().all(|&j| done[j]))
            .expect("structs that contain each other by value");
        done[next] = true;
        if !out.is_empty() {
            out.push('\n');
        }
        for line in &chunks[next] {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// cbindgen ends every enumerator with a comma, which C89 (`-std=c89 -pedantic`) rejects after
/// the last one; libevent's headers are C89, so ours drop it.
fn no_trailing_enum_comma(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut in_enum = false;
    for line in text.lines() {
        if line.starts_with("enum ") && line.trim_end().ends_with('{') {
            in_enum = true;
        } else if in_enum && line.starts_with('}') {
            in_enum = false;
            if let Some(last) = lines.iter_mut().rev().find(|l| {
                let t = l.trim_start();
                !(t.starts_with("/*") || t.starts_with('*') || t.is_empty())
            }) {
                if last.ends_with(',') {
                    last.pop();
                }
            }
        }
        lines.push(line.to_string());
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The names of the `pub struct`/`union`/`enum`/`type` items declared at the top level of a file.
fn public_types(file: &Path) -> Vec<String> {
    let text = fs::read_to_string(file).unwrap();
    let mut names = Vec::new();
    for line in text.lines() {
        for kind in ["pub struct ", "pub union ", "pub enum ", "pub type "] {
            if let Some(rest) = line.strip_prefix(kind) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        }
    }
    names
}

fn banner(h: &Header) -> String {
    let mut from: Vec<String> = h.sources.iter().map(|s| s.to_string()).collect();
    if h.sources.is_empty() {
        from.push(format!("cbindgen/{}.in", h.path));
    } else {
        from.push(format!("cbindgen/{}.{{head,tail}}", h.path));
    }
    format!(
        "/*\n * <{}>: part of rsevent, libevent 2.1.12's API and ABI implemented in Rust.\n *\n \
         * Generated by build/headers.rs from\n *   {}.\n \
         * Do not edit: change those files and run scripts/regen-headers.sh.\n */\n",
        h.path,
        from.join(",\n *   ")
    )
}

/// `event2/event-config.h` → `EVENT2_EVENT_CONFIG_H_INCLUDED_`; `event.h` → `EVENT1_EVENT_H_INCLUDED_`.
fn guard_name(path: &str) -> String {
    let (prefix, name) = match path.strip_prefix("event2/") {
        Some(rest) => ("EVENT2_", rest),
        None => ("EVENT1_", path),
    };
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}{name}_INCLUDED_")
}

/// "2.1.12" → "0x02010c00" (major, minor, patch, then 00 for a stable release).
fn numeric_version(v: &str) -> String {
    let parts: Vec<u32> = v.split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(parts.len(), 3, "package version {v}");
    format!("0x{:02x}{:02x}{:02x}00", parts[0], parts[1], parts[2])
}

fn expand(
    text: &str,
    version: &str,
    numeric: &str,
    generated: &BTreeSet<&str>,
    file: &Path,
) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("@optional-include ") {
            let h = h.trim();
            if generated.contains(h) {
                out.push_str(&format!("#include <{h}>\n"));
            }
            continue;
        }
        let line = line
            .replace("@VERSION@", &format!("{version}-stable"))
            .replace("@NUMERIC_VERSION@", numeric);
        assert!(
            !line.contains("@VERSION") && !line.contains("@optional"),
            "malformed substitution in {}: {line}",
            file.display()
        );
        out.push_str(&line);
        out.push('\n');
    }
    out
}
