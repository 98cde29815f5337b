//! Differential C tests: every program in `tests/c/` is compiled and run twice, once against the
//! reference libevent installed on the system and once against ours (`include/` plus the libraries
//! in this cargo profile's directory). Both runs must exit 0 and print exactly the same stdout; our
//! run is repeated under valgrind (unless `RSEVENT_NO_VALGRIND=1`) and must be clean there too.
//!
//! Environment:
//! - `RSEVENT_ONLY_REF=1`: only the reference side (for developing a test before the engine has it).
//! - `RSEVENT_NO_VALGRIND=1`: skip the valgrind run of ours.
//!
//! A C file may carry, anywhere in its text, these marker lines:
//! - `// LIBS: -levent_core -levent_pthreads` — link flags (default `-levent_core`); each `-levent*`
//!   resolves to the reference's library or to ours depending on the side.
//! - `// NO_VALGRIND: <reason>` — do not run it under valgrind.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const RUN_TIMEOUT: Duration = Duration::from_secs(30);
const VALGRIND_TIMEOUT: Duration = Duration::from_secs(180);

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).map(|v| !v.is_empty() && v != "0").unwrap_or(false)
}

fn only_ref() -> bool {
    env_flag("RSEVENT_ONLY_REF")
}

/// The profile directory holding our libraries: the test binary is `<profile>/deps/c_tests-<hash>`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binary lives in <profile>/deps")
        .to_path_buf()
}

/// Rebuilds the library once per test process (cargo test does not refresh the cdylib by itself).
fn build_ours() -> &'static Result<(), String> {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let profile = profile_dir();
        let mut cmd = Command::new(env!("CARGO"));
        cmd.arg("build").current_dir(manifest_dir());
        if profile.file_name().map(|n| n == "release").unwrap_or(false) {
            cmd.arg("--release");
        } else if profile.file_name().map(|n| n != "debug").unwrap_or(true) {
            cmd.arg("--profile").arg(profile.file_name().unwrap());
        }
        let out = cmd.output().map_err(|e| format!("cannot run cargo build: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo build failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        for lib in ["libevent.so", "libevent_core.so", "libevent_pthreads.so", "libevent_extra.so"] {
            if !profile.join(lib).exists() {
                return Err(format!("{} missing after build", profile.join(lib).display()));
            }
        }
        if !our_include_dir().join("event2/event.h").exists() {
            return Err("include/event2/event.h missing: our headers were not generated \
                        (the compiler would silently use the system's)"
                .into());
        }
        Ok(())
    })
}

/// Our headers: the committed `include/`; while that does not exist yet, the copy build.rs
/// generates (it leaves its location in `<profile>/rsevent-headers-dir`).
fn our_include_dir() -> PathBuf {
    let committed = manifest_dir().join("include");
    if committed.join("event2/event.h").exists() {
        return committed;
    }
    fs::read_to_string(profile_dir().join("rsevent-headers-dir"))
        .map(|s| PathBuf::from(s.trim()))
        .unwrap_or(committed)
}

fn work_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c_tests");
    fs::create_dir_all(&d).unwrap();
    d
}

struct Markers {
    libs: Vec<String>,
    no_valgrind: bool,
}

fn markers(src: &str) -> Markers {
    let mut m = Markers { libs: vec!["-levent_core".into()], no_valgrind: false };
    for line in src.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("// LIBS:") {
            m.libs = rest.split_whitespace().map(String::from).collect();
        } else if line.starts_with("// NO_VALGRIND:") {
            m.no_valgrind = true;
        }
    }
    m
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Reference,
    Ours,
}

impl Side {
    fn tag(self) -> &'static str {
        match self {
            Side::Reference => "ref",
            Side::Ours => "ours",
        }
    }
}

fn compile(name: &str, src: &Path, m: &Markers, side: Side) -> Result<PathBuf, String> {
    let out = work_dir().join(format!("{name}.{}", side.tag()));
    let _ = fs::remove_file(&out);
    let mut cmd = Command::new("gcc");
    clean_env(&mut cmd);
    cmd.args(["-Wall", "-Werror", "-g", "-O1", "-pthread", "-o"]).arg(&out);
    if side == Side::Ours {
        let profile = profile_dir();
        cmd.arg("-I").arg(our_include_dir());
        cmd.arg(src);
        cmd.arg("-L").arg(&profile);
        cmd.arg(format!("-Wl,-rpath,{}", profile.display()));
    } else {
        cmd.arg(src);
    }
    cmd.args(&m.libs);
    let o = cmd.output().map_err(|e| format!("cannot run gcc: {e}"))?;
    if !o.status.success() {
        let err = String::from_utf8_lossy(&o.stderr);
        let head: Vec<&str> = err.lines().filter(|l| l.contains("error")).take(12).collect();
        return Err(format!("[{}] compile failed:\n{}", side.tag(), head.join("\n")));
    }
    Ok(out)
}

/// cargo test puts the profile directory on LD_LIBRARY_PATH: without cleaning it, the "reference"
/// program would load our libraries. Ours finds them through its rpath instead.
fn clean_env(cmd: &mut Command) {
    for var in ["LD_LIBRARY_PATH", "LD_PRELOAD", "LIBRARY_PATH"] {
        cmd.env_remove(var);
    }
}

/// Checks which file each libevent library of `exe` resolves to (the dynamic loader's trace mode).
fn check_loaded_libs(exe: &Path, side: Side) -> Result<(), String> {
    let mut cmd = Command::new(exe);
    clean_env(&mut cmd);
    cmd.env("LD_TRACE_LOADED_OBJECTS", "1");
    let o = cmd.output().map_err(|e| format!("cannot trace {}: {e}", exe.display()))?;
    let text = String::from_utf8_lossy(&o.stdout);
    let profile = profile_dir();
    let mut seen = 0;
    for line in text.lines().filter(|l| l.trim_start().starts_with("libevent")) {
        seen += 1;
        let path = line.split("=>").nth(1).unwrap_or("").trim();
        let ok = match side {
            Side::Reference => path.starts_with("/usr/lib") || path.starts_with("/lib"),
            Side::Ours => Path::new(path.split_whitespace().next().unwrap_or(""))
                .starts_with(&profile),
        };
        if !ok {
            return Err(format!("[{}] {} loads the wrong library: {}", side.tag(), exe.display(), line.trim()));
        }
    }
    if seen == 0 {
        return Err(format!("[{}] {} loads no libevent library at all", side.tag(), exe.display()));
    }
    Ok(())
}

struct RunResult {
    status: String,
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs a command with stdout/stderr going to files, killing it after `timeout`.
fn run_bounded(mut cmd: Command, base: &Path, timeout: Duration) -> RunResult {
    let out_path = PathBuf::from(format!("{}.stdout", base.display()));
    let err_path = PathBuf::from(format!("{}.stderr", base.display()));
    let out_f = fs::File::create(&out_path).unwrap();
    let err_f = fs::File::create(&err_path).unwrap();
    clean_env(&mut cmd);
    cmd.stdin(Stdio::null()).stdout(out_f).stderr(err_f);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return RunResult {
                status: format!("spawn failed: {e}"),
                ok: false,
                stdout: String::new(),
                stderr: String::new(),
            }
        }
    };
    let start = Instant::now();
    let (status, ok) = loop {
        match child.try_wait() {
            Ok(Some(st)) => {
                use std::os::unix::process::ExitStatusExt;
                let ok = st.success();
                let s = match (st.code(), st.signal()) {
                    (Some(c), _) => format!("exit {c}"),
                    (None, Some(sig)) => format!("killed by signal {sig}"),
                    _ => format!("{st}"),
                };
                break (s, ok);
            }
            Ok(None) => {}
            Err(e) => break (format!("wait failed: {e}"), false),
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break (format!("TIMEOUT after {:?}", timeout), false);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    RunResult {
        status,
        ok,
        stdout: fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].join("\n")
}

fn describe(side: &str, r: &RunResult) -> String {
    format!(
        "[{side}] {}\n--- stdout (tail) ---\n{}\n--- stderr (tail) ---\n{}\n",
        r.status,
        tail(&r.stdout, 15),
        tail(&r.stderr, 25)
    )
}

/// The first line where two outputs differ, for a readable report.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i), lb.get(i));
        if x != y {
            return format!(
                "first difference at stdout line {}:\n  ref : {}\n  ours: {}",
                i + 1,
                x.copied().unwrap_or("<end of output>"),
                y.copied().unwrap_or("<end of output>")
            );
        }
    }
    "outputs differ only in trailing bytes".into()
}

fn run_c_test(name: &str) {
    let src = manifest_dir().join("tests/c").join(format!("{name}.c"));
    let text = fs::read_to_string(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    let m = markers(&text);
    let mut failures = Vec::new();

    let ref_exe = compile(name, &src, &m, Side::Reference).unwrap_or_else(|e| panic!("{name}: {e}"));
    check_loaded_libs(&ref_exe, Side::Reference).unwrap_or_else(|e| panic!("{name}: {e}"));
    let ref_run = run_bounded(Command::new(&ref_exe), &ref_exe, RUN_TIMEOUT);
    if !ref_run.ok {
        panic!("{name}: the test fails on the REFERENCE (the test is wrong)\n{}", describe("ref", &ref_run));
    }
    if ref_run.stdout.trim().is_empty() {
        panic!("{name}: prints nothing on the reference; tests must describe what they observe");
    }
    if only_ref() {
        return;
    }

    if let Err(e) = build_ours() {
        panic!("{name}: cannot build our library: {e}");
    }
    let ours_exe = match compile(name, &src, &m, Side::Ours) {
        Ok(p) => p,
        Err(e) => panic!("{name}: {e}"),
    };
    check_loaded_libs(&ours_exe, Side::Ours).unwrap_or_else(|e| panic!("{name}: {e}"));
    let ours_run = run_bounded(Command::new(&ours_exe), &ours_exe, RUN_TIMEOUT);
    if !ours_run.ok {
        failures.push(format!("ours failed\n{}", describe("ours", &ours_run)));
    } else if ours_run.stdout != ref_run.stdout {
        failures.push(format!(
            "stdout differs from the reference\n{}",
            first_difference(&ref_run.stdout, &ours_run.stdout)
        ));
    }

    if failures.is_empty() && !m.no_valgrind && !env_flag("RSEVENT_NO_VALGRIND") {
        let base = PathBuf::from(format!("{}.valgrind", ours_exe.display()));
        let mut cmd = Command::new("valgrind");
        cmd.args([
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "-q",
        ])
        .arg(&ours_exe);
        let vg = run_bounded(cmd, &base, VALGRIND_TIMEOUT);
        if !vg.ok {
            failures.push(format!("ours under valgrind failed\n{}", describe("valgrind", &vg)));
        } else if vg.stdout != ref_run.stdout {
            failures.push(format!(
                "stdout under valgrind differs from the reference\n{}",
                first_difference(&ref_run.stdout, &vg.stdout)
            ));
        }
    }

    if !failures.is_empty() {
        panic!("{name}: {}", failures.join("\n"));
    }
}

macro_rules! c_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_c_test(stringify!($name));
            }
        )*

        /// Every C file in tests/c/ must be listed above, and the list must not be empty.
        #[test]
        fn all_c_files_are_listed() {
            let listed: Vec<&str> = vec![$(stringify!($name)),*];
            assert!(!listed.is_empty(), "no C test is listed");
            let mut on_disk: Vec<String> = fs::read_dir(manifest_dir().join("tests/c"))
                .unwrap()
                .flatten()
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.strip_suffix(".c").map(String::from)
                })
                .collect();
            on_disk.sort();
            let missing: Vec<&String> =
                on_disk.iter().filter(|n| !listed.contains(&n.as_str())).collect();
            assert!(missing.is_empty(), "C tests not listed in c_tests.rs: {missing:?}");
            for n in &listed {
                assert!(on_disk.iter().any(|d| d == n), "listed C test {n}.c does not exist");
            }
        }
    };
}

c_tests! {
    base_config,
    base_free_pending,
    version_umbrella,
    priorities,
    loop_flags,
    loop_exit_break,
    time_cache,
    introspection,
    io_backends,
    io_select,
    event_accessors,
    add_del_active,
    base_once,
    dispatch_order,
    finalize,
    io_triggers,
    del_in_callback,
    timers,
    timer_stress,
    timeout_semantics,
    signals,
    threads_cross,
    threads_del_wait,
    lock_callbacks,
    fork_reinit,
    logging_debug,
    mem_functions,
    global_shutdown,
    legacy_api,
    buffer_basic,
    buffer_moves,
    buffer_reference,
    buffer_file,
    buffer_reserve_peek,
    buffer_search,
    buffer_readln,
    buffer_io,
    buffer_printf,
    buffer_callbacks,
    buffer_freeze,
    buffer_locking,
    buffer_args,
    util_socket,
    util_addr,
    util_getaddrinfo,
    util_strings,
    util_misc,
    util_logging,
    listener_basic,
    listener_control,
    listener_unix,
    listener_errors,
    listener_threads,
    bev_echo,
    bev_watermarks,
    bev_timeout_eof,
    bev_connect,
    bev_defer_free,
    bev_legacy,
    bev_ratelim_basic,
    bev_ratelim_transfer,
    bev_ratelim_threads,
    bev_pair,
    bev_pair_threads,
}
