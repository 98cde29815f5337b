//! Debian's own programs, unmodified, on our library: `memcached` and `pgbouncer` (plus `psql` as
//! pgbouncer's client) are started with `LD_LIBRARY_PATH` pointing at this cargo profile's directory,
//! `/proc/PID/maps` must show that libevent comes from there and not from the system, and then each
//! daemon has to do real work:
//! - memcached: thousands of set/get (one by one, pipelined, multi-key) over concurrent
//!   connections, big replies through a small receive buffer (EV_WRITE waits), 64 connections at
//!   once, `stats`, and a clean exit on SIGTERM;
//! - pgbouncer (as `nobody`): admin-console queries through psql, parallel clients, a config reload
//!   by SIGHUP and by `RELOAD`, a client of a refusing server ended by `query_wait_timeout` (failed
//!   non-blocking connect, maintenance timer), and exit 0 on SIGINT.
//!
//! Each test prints its phases' durations (`cargo test --test clients -- --nocapture`).
//!
//! Environment:
//! - `RSEVENT_CLIENTS_SYSTEM=1`: run the same tests on the system libevent instead (no
//!   `LD_LIBRARY_PATH`, and the maps check requires the system library), to check the tests.
//!
//! The programs come from `scripts/install-deps.sh`; a missing one fails the test, it does not skip.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// How long a daemon may take to start accepting connections.
const START_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a daemon may take to exit after its shutdown signal.
const EXIT_TIMEOUT: Duration = Duration::from_secs(15);
/// Bound for one client program run (psql) and for one socket read/write.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);
/// Bound for rebuilding the library.
const BUILD_TIMEOUT: Duration = Duration::from_secs(1800);

const INSTALL_HINT: &str =
    "run scripts/install-deps.sh (as root) to install the Debian client programs";

// ---------------------------------------------------------------------------------------------
// Which libevent: ours (default) or the system's.

fn system_mode() -> bool {
    std::env::var("RSEVENT_CLIENTS_SYSTEM")
        .map(|v| !v.is_empty() && v != "0")
        .unwrap_or(false)
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The profile directory holding our libraries: this binary is `<profile>/deps/clients-<hash>`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binary lives in <profile>/deps")
        .to_path_buf()
}

/// Rebuilds our libraries once per test process (cargo test does not refresh the cdylib) in the
/// profile this test binary was built with, and returns the canonical directory holding them.
fn our_lib_dir() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let profile = profile_dir();
        let mut cmd = Command::new(env!("CARGO"));
        cmd.arg("build").current_dir(manifest_dir());
        match profile.file_name().and_then(|n| n.to_str()) {
            Some("release") => {
                cmd.arg("--release");
            }
            Some("debug") => {}
            Some(other) => {
                cmd.arg("--profile").arg(other);
            }
            None => return Err(format!("odd profile dir {}", profile.display())),
        }
        let out = run_bounded(&mut cmd, BUILD_TIMEOUT, "cargo build")?;
        if !out.status.success() {
            return Err(format!(
                "cargo build failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        for lib in [
            "libevent-2.1.so.7",
            "libevent_core-2.1.so.7",
            "libevent_extra-2.1.so.7",
            "libevent_pthreads-2.1.so.7",
        ] {
            if !profile.join(lib).exists() {
                return Err(format!(
                    "{} missing after cargo build",
                    profile.join(lib).display()
                ));
            }
        }
        profile
            .canonicalize()
            .map_err(|e| format!("{}: {e}", profile.display()))
    });
    match built {
        Ok(dir) => dir.clone(),
        Err(e) => panic!("{e}"),
    }
}

/// The library under test: `Some(dir)` for ours, `None` for the system's.
fn lib_dir() -> Option<PathBuf> {
    if system_mode() {
        None
    } else {
        Some(our_lib_dir())
    }
}

/// Makes `cmd` load the library under test.
fn use_lib(cmd: &mut Command, lib: &Option<PathBuf>) {
    match lib {
        Some(dir) => cmd.env("LD_LIBRARY_PATH", dir),
        None => cmd.env_remove("LD_LIBRARY_PATH"),
    };
}

/// The files a process maps whose name starts with `libevent`.
fn mapped_libevents(pid: u32) -> Vec<String> {
    let maps = fs::read_to_string(format!("/proc/{pid}/maps"))
        .unwrap_or_else(|e| panic!("cannot read /proc/{pid}/maps: {e}"));
    let mut paths: Vec<String> = maps
        .lines()
        .filter_map(|l| {
            // address perms offset dev inode [path]; the path may contain spaces.
            let mut rest = l;
            for _ in 0..5 {
                rest = rest.trim_start();
                rest = &rest[rest.find(char::is_whitespace)?..];
            }
            let path = rest.trim();
            let name = Path::new(path).file_name()?.to_str()?;
            name.starts_with("libevent").then(|| path.to_string())
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// `/proc/PID/maps` must show the library under test and no other libevent.
fn check_maps(prog: &str, pid: u32, lib: &Option<PathBuf>) {
    let mapped = mapped_libevents(pid);
    let is_system = |p: &String| {
        p.starts_with("/usr/lib/x86_64-linux-gnu/libevent")
            || p.starts_with("/lib/x86_64-linux-gnu/libevent")
    };
    match lib {
        Some(dir) => {
            let ours = dir.join("libevent.so");
            assert!(
                mapped.iter().any(|p| Path::new(p) == ours),
                "{prog} (pid {pid}) does not map our {}; libevent files mapped: {mapped:?} \
                 (is the profile dir readable by the user the program runs as?)",
                ours.display()
            );
            let foreign: Vec<&String> = mapped
                .iter()
                .filter(|p| is_system(p) || !Path::new(p).starts_with(dir))
                .collect();
            assert!(
                foreign.is_empty(),
                "{prog} (pid {pid}) also maps another libevent: {foreign:?}"
            );
        }
        None => {
            assert!(
                !mapped.is_empty() && mapped.iter().all(is_system),
                "{prog} (pid {pid}) should map only the system libevent, maps: {mapped:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Processes: finding programs, bounded runs, a daemon guard.

fn find_program(name: &str) -> PathBuf {
    let path = std::env::var("PATH").unwrap_or_default();
    let dirs = path.split(':').map(PathBuf::from).chain(
        [
            "/usr/local/sbin",
            "/usr/local/bin",
            "/usr/sbin",
            "/usr/bin",
            "/sbin",
            "/bin",
        ]
        .into_iter()
        .map(PathBuf::from),
    );
    for d in dirs {
        let p = d.join(name);
        if let Ok(md) = fs::metadata(&p) {
            if md.is_file() && md.permissions().mode() & 0o111 != 0 {
                return p;
            }
        }
    }
    panic!("`{name}` is not installed: {INSTALL_HINT}");
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// Runs `cmd` to completion with its output captured; kills it after `timeout`.
fn run_bounded(cmd: &mut Command, timeout: Duration, what: &str) -> Result<Output, String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let out = rx.recv_timeout(Duration::from_secs(10));
            let stderr = match out {
                Ok(Ok(o)) => String::from_utf8_lossy(&o.stderr).into_owned(),
                _ => String::new(),
            };
            Err(format!(
                "{what} did not finish within {timeout:?}; stderr:\n{stderr}"
            ))
        }
    }
}

/// A scratch directory under cargo's per-target tmp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("clients");
        fs::create_dir_all(&base).unwrap();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = base.join(format!("{tag}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A running daemon. A thread owns the `Child` and reports its exit; dropping the guard kills the
/// process if it is still running, so a failing test leaves nothing behind.
struct Daemon {
    name: &'static str,
    pid: u32,
    exited: Receiver<ExitStatus>,
    status: Option<ExitStatus>,
    stderr_file: PathBuf,
}

impl Daemon {
    /// Starts `cmd` with stdin closed and stdout/stderr going to `<dir>/<name>.stderr`.
    fn spawn(name: &'static str, cmd: &mut Command, dir: &Path) -> Daemon {
        let stderr_file = dir.join(format!("{name}.stderr"));
        let out = fs::File::create(&stderr_file).unwrap();
        let mut child: Child = cmd
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let pid = child.id();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            if let Ok(st) = child.wait() {
                let _ = tx.send(st);
            }
        });
        Daemon {
            name,
            pid,
            exited: rx,
            status: None,
            stderr_file,
        }
    }

    fn output(&self) -> String {
        fs::read_to_string(&self.stderr_file).unwrap_or_default()
    }

    /// Waits up to `timeout` for the process to exit by itself.
    fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.exited.recv_timeout(timeout).ok();
        }
        self.status
    }

    /// Waits until the daemon accepts TCP connections on 127.0.0.1:`port`. `Err` if it exits
    /// first (e.g. the port was taken meanwhile); panics if it does neither within the bound.
    fn wait_accepting(&mut self, port: u16) -> Result<(), String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
                return Ok(());
            }
            // Doubles as the pause between connection attempts.
            match self.exited.recv_timeout(Duration::from_millis(20)) {
                Ok(st) => {
                    self.status = Some(st);
                    return Err(format!(
                        "{} exited ({st}) before accepting on port {port}; output:\n{}",
                        self.name,
                        self.output()
                    ));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!("{}: lost track of the process", self.name))
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            assert!(
                Instant::now() < deadline,
                "{} did not accept on port {port} within {START_TIMEOUT:?}; output:\n{}",
                self.name,
                self.output()
            );
        }
    }

    fn signal(&self, sig: libc::c_int) {
        if self.status.is_none() {
            unsafe { libc::kill(self.pid as libc::pid_t, sig) };
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.status.is_none() && self.exited.try_recv().is_err() {
            unsafe { libc::kill(self.pid as libc::pid_t, libc::SIGKILL) };
            let _ = self.exited.recv_timeout(Duration::from_secs(10));
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a daemon on a free port; `make` builds the command for a port. Retries with another port
/// if the daemon exits before accepting (someone took the port between our probe and its bind).
fn start_on_free_port(
    name: &'static str,
    dir: &Path,
    mut make: impl FnMut(u16) -> Command,
) -> (Daemon, u16) {
    let mut last = String::new();
    for _ in 0..3 {
        let port = free_port();
        let mut d = Daemon::spawn(name, &mut make(port), dir);
        match d.wait_accepting(port) {
            Ok(()) => return (d, port),
            Err(e) => last = e,
        }
    }
    panic!("{last}");
}

/// Prints how long each phase of a test took (shown with `--nocapture` or when the test fails).
struct Phases {
    test: &'static str,
    last: Instant,
}

impl Phases {
    fn new(test: &'static str) -> Phases {
        Phases {
            test,
            last: Instant::now(),
        }
    }
    fn done(&mut self, what: &str) {
        let now = Instant::now();
        println!(
            "[{}] {what}: {:.3}s",
            self.test,
            (now - self.last).as_secs_f64()
        );
        self.last = now;
    }
}

// ---------------------------------------------------------------------------------------------
// memcached

/// A memcached text-protocol connection with bounded reads and writes.
struct Mc {
    r: BufReader<TcpStream>,
    w: TcpStream,
}

impl Mc {
    /// Connects with a small receive buffer, so that big replies fill the socket and memcached
    /// has to wait for it to become writable (EV_WRITE).
    fn connect(port: u16) -> Mc {
        let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        sock.set_recv_buffer_size(8192).unwrap();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        sock.connect_timeout(&addr.into(), CLIENT_TIMEOUT)
            .expect("connect to memcached");
        let s: TcpStream = sock.into();
        s.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        s.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        s.set_nodelay(true).unwrap();
        Mc {
            w: s.try_clone().unwrap(),
            r: BufReader::new(s),
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.w.write_all(bytes).expect("write to memcached");
    }

    fn line(&mut self) -> String {
        let mut buf = Vec::new();
        self.r
            .read_until(b'\n', &mut buf)
            .expect("read from memcached");
        assert!(
            buf.ends_with(b"\r\n"),
            "memcached closed or sent a bad line: {buf:?}"
        );
        buf.truncate(buf.len() - 2);
        String::from_utf8(buf).expect("memcached line is not UTF-8")
    }

    fn set_cmd(key: &str, flags: u32, value: &[u8]) -> Vec<u8> {
        let mut cmd = format!("set {key} {flags} 0 {}\r\n", value.len()).into_bytes();
        cmd.extend_from_slice(value);
        cmd.extend_from_slice(b"\r\n");
        cmd
    }

    fn expect_line(&mut self, want: &str, ctx: &str) {
        let got = self.line();
        assert_eq!(got, want, "memcached reply to {ctx}");
    }

    /// Reads the items of one `get` reply up to `END`.
    fn get_reply(&mut self) -> BTreeMap<String, (u32, Vec<u8>)> {
        let mut items = BTreeMap::new();
        loop {
            let line = self.line();
            if line == "END" {
                return items;
            }
            let f: Vec<&str> = line.split(' ').collect();
            assert!(
                f.len() == 4 && f[0] == "VALUE",
                "unexpected get reply line {line:?}"
            );
            let flags: u32 = f[2].parse().unwrap();
            let len: usize = f[3].parse().unwrap();
            let mut data = vec![0u8; len + 2];
            self.r.read_exact(&mut data).expect("read value");
            assert_eq!(
                &data[len..],
                b"\r\n",
                "value of {} not followed by CRLF",
                f[1]
            );
            data.truncate(len);
            assert!(
                items.insert(f[1].to_string(), (flags, data)).is_none(),
                "{} twice",
                f[1]
            );
        }
    }
}

fn mc_key(t: usize, i: usize) -> String {
    format!("rsevent:{t}:{i}")
}

fn mc_flags(t: usize, i: usize) -> u32 {
    ((t * 7919 + i * 104_729) % 65_536) as u32
}

/// A value of varied size (0 to 5000 bytes) whose bytes include CR, LF and protocol words.
fn mc_value(t: usize, i: usize) -> Vec<u8> {
    const SIZES: [usize; 12] = [0, 1, 2, 5, 100, 511, 1024, 1500, 2048, 4000, 4096, 5000];
    let len = if i.is_multiple_of(4) {
        SIZES[(i / 4 + t) % SIZES.len()]
    } else {
        (i * 37 + t * 101) % 4097
    };
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15 ^ ((t as u64) << 32 | i as u64);
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        match x % 61 {
            0 => v.extend_from_slice(b"\r\nEND\r\n"),
            1 => v.extend_from_slice(b"\r\n"),
            _ => v.push((x >> 24) as u8),
        }
    }
    v.truncate(len);
    v
}

const MC_CONNS: usize = 4;
const MC_KEYS: usize = 1000;
/// Size of each worker's big value, and how many gets of it are sent before reading any reply.
const MC_BIG: usize = 256 * 1024;
const MC_BIG_GETS: usize = 40;

/// One client thread: sets its keys (half one by one, half pipelined), then reads them back one by
/// one and in multi-key gets.
fn mc_worker(port: u16, t: usize) {
    let mut mc = Mc::connect(port);
    for i in 0..MC_KEYS / 2 {
        mc.send(&Mc::set_cmd(&mc_key(t, i), mc_flags(t, i), &mc_value(t, i)));
        mc.expect_line("STORED", &format!("set {}", mc_key(t, i)));
    }
    for batch in (MC_KEYS / 2..MC_KEYS).collect::<Vec<_>>().chunks(50) {
        let mut cmds = Vec::new();
        for &i in batch {
            cmds.extend(Mc::set_cmd(&mc_key(t, i), mc_flags(t, i), &mc_value(t, i)));
        }
        mc.send(&cmds);
        for &i in batch {
            mc.expect_line("STORED", &format!("pipelined set {}", mc_key(t, i)));
        }
    }
    for i in 0..MC_KEYS {
        let key = mc_key(t, i);
        mc.send(format!("get {key}\r\n").as_bytes());
        let items = mc.get_reply();
        assert_eq!(items.len(), 1, "get {key} returned {} items", items.len());
        let (flags, data) = &items[&key];
        assert_eq!(*flags, mc_flags(t, i), "flags of {key}");
        assert!(
            *data == mc_value(t, i),
            "value of {key} differs ({} bytes back)",
            data.len()
        );
    }
    for batch in (0..MC_KEYS).collect::<Vec<_>>().chunks(40) {
        let keys: Vec<String> = batch.iter().map(|&i| mc_key(t, i)).collect();
        mc.send(format!("get {}\r\n", keys.join(" ")).as_bytes());
        let items = mc.get_reply();
        assert_eq!(items.len(), batch.len(), "multi-get {}..", keys[0]);
        for &i in batch {
            let (flags, data) = &items[&mc_key(t, i)];
            assert_eq!(*flags, mc_flags(t, i));
            assert!(
                *data == mc_value(t, i),
                "multi-get value of {} differs",
                mc_key(t, i)
            );
        }
    }
    // Replies far bigger than the socket buffers (our receive buffer is small): memcached has
    // to wait for the socket to become writable again (EV_WRITE) many times.
    let big_key = format!("rsevent:big:{t}");
    let big: Vec<u8> = (0..MC_BIG + t).map(|k| (k * 131 + t) as u8).collect();
    mc.send(&Mc::set_cmd(&big_key, 7, &big));
    mc.expect_line("STORED", &format!("set {big_key}"));
    mc.send(format!("get {big_key}\r\n").repeat(MC_BIG_GETS).as_bytes());
    for n in 0..MC_BIG_GETS {
        let items = mc.get_reply();
        assert!(
            items.get(&big_key) == Some(&(7, big.clone())),
            "big get #{n} of {big_key}"
        );
    }
    mc.send(b"quit\r\n");
    let mut rest = Vec::new();
    let _ = mc.r.read_to_end(&mut rest);
    assert!(rest.is_empty(), "data after quit: {rest:?}");
}

fn stats(mc: &mut Mc) -> BTreeMap<String, String> {
    mc.send(b"stats\r\n");
    let mut m = BTreeMap::new();
    loop {
        let line = mc.line();
        if line == "END" {
            return m;
        }
        let mut f = line.splitn(3, ' ');
        assert_eq!(f.next(), Some("STAT"), "stats line {line:?}");
        let k = f.next().unwrap().to_string();
        m.insert(k, f.next().unwrap_or("").to_string());
    }
}

#[test]
fn memcached() {
    let memcached = find_program("memcached");
    let mut ph = Phases::new("memcached");
    let lib = lib_dir();
    ph.done("build");
    let dir = TempDir::new("memcached");
    let (mut d, port) = start_on_free_port("memcached", dir.path(), |port| {
        let mut cmd = Command::new(&memcached);
        cmd.args([
            "-l",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "0",
            "-t",
            "4",
            "-m",
            "64",
        ]);
        cmd.args(["-c", "256"]);
        if is_root() {
            cmd.args(["-u", "nobody"]);
        }
        use_lib(&mut cmd, &lib);
        cmd
    });
    check_maps("memcached", d.pid, &lib);
    ph.done("start");

    let workers: Vec<_> = (0..MC_CONNS)
        .map(|t| thread::spawn(move || mc_worker(port, t)))
        .collect();
    for (t, w) in workers.into_iter().enumerate() {
        if w.join().is_err() {
            panic!(
                "memcached client {t} failed; memcached output:\n{}",
                d.output()
            );
        }
    }

    ph.done("set/get workers");
    // Everything one connection stored is visible from another.
    let mut mc = Mc::connect(port);
    for t in 0..MC_CONNS {
        for i in (t..MC_KEYS).step_by(97) {
            mc.send(format!("get {}\r\n", mc_key(t, i)).as_bytes());
            let items = mc.get_reply();
            assert!(
                items[&mc_key(t, i)].1 == mc_value(t, i),
                "{} seen from another conn",
                mc_key(t, i)
            );
        }
    }
    // Many connections at once, each asking for the version.
    let mut many: Vec<Mc> = (0..64).map(|_| Mc::connect(port)).collect();
    for c in many.iter_mut() {
        c.send(b"version\r\n");
    }
    for c in many.iter_mut() {
        let v = c.line();
        assert!(v.starts_with("VERSION "), "version reply {v:?}");
    }
    drop(many);

    ph.done("cross-connection gets, 64 connections");
    let st = stats(&mut mc);
    let num = |k: &str| -> u64 {
        st.get(k)
            .unwrap_or_else(|| panic!("stats lacks {k}: {st:?}"))
            .parse()
            .unwrap()
    };
    assert_eq!(
        st.get("libevent").map(String::as_str),
        Some("2.1.12-stable"),
        "stats: {st:?}"
    );
    assert_eq!(
        num("curr_items"),
        (MC_CONNS * (MC_KEYS + 1)) as u64,
        "curr_items"
    );
    assert!(
        num("cmd_set") >= (MC_CONNS * MC_KEYS) as u64,
        "cmd_set {}",
        num("cmd_set")
    );
    assert!(
        num("get_hits") >= (2 * MC_CONNS * MC_KEYS) as u64,
        "get_hits {}",
        num("get_hits")
    );
    assert_eq!(num("get_misses"), 0, "get_misses");
    assert!(
        num("total_connections") >= (MC_CONNS + 1 + 64) as u64,
        "total_connections"
    );
    assert_eq!(num("threads"), 4, "threads");
    drop(mc);

    // memcached turns SIGTERM into a clean exit from its event loop.
    d.signal(libc::SIGTERM);
    let st = d.wait_exit(EXIT_TIMEOUT);
    assert!(
        st.is_some(),
        "memcached did not exit within {EXIT_TIMEOUT:?} of SIGTERM"
    );
    assert!(
        st.unwrap().success(),
        "memcached exit status {st:?}; output:\n{}",
        d.output()
    );
    ph.done("stats, exit on SIGTERM");
}

// ---------------------------------------------------------------------------------------------
// pgbouncer

const PGB_ADMIN: &str = "rsadmin";

const PGB_USER: &str = "rsclient";

/// pgbouncer's config: listens on `port`; its databases point at `server_port`, where nothing
/// accepts. A client of `dummy` waits for a server login that cannot happen until
/// `query_wait_timeout` (1 s) closes it.
fn pgb_config(dir: &Path, port: u16, server_port: u16, extra_dbs: &[&str]) -> String {
    let mut dbs = String::new();
    for db in ["dummy"].iter().chain(extra_dbs) {
        dbs.push_str(&format!(
            "{db} = host=127.0.0.1 port={server_port} dbname={db} user={PGB_USER}\n"
        ));
    }
    format!(
        "[databases]\n{dbs}\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
         auth_type = any\nadmin_users = {PGB_ADMIN}\nunix_socket_dir =\n\
         query_wait_timeout = 1\nlogfile = {log}\npidfile = {pid}\n",
        log = dir.join("pgbouncer.log").display(),
        pid = dir.join("pgbouncer.pid").display(),
    )
}

/// The uid and gid of `nobody`.
fn nobody() -> (libc::uid_t, libc::gid_t) {
    let name = CString::new("nobody").unwrap();
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    assert!(!pw.is_null(), "no user `nobody` to run pgbouncer as");
    unsafe { ((*pw).pw_uid, (*pw).pw_gid) }
}

/// Runs one command through psql as `user` on database `db`, bounded in time.
fn psql_as(psql: &Path, port: u16, user: &str, db: &str, sql: &str) -> Output {
    let mut cmd = Command::new(psql);
    cmd.args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
        .args(["-p", &port.to_string(), "-U", user, "-d", db, "-c", sql])
        .env("PGCONNECT_TIMEOUT", "5")
        .env("PGSSLMODE", "disable")
        .env_remove("PGPASSWORD")
        .env_remove("PGSERVICE")
        .env_remove("LD_LIBRARY_PATH");
    run_bounded(&mut cmd, CLIENT_TIMEOUT, &format!("psql -c '{sql}'")).unwrap()
}

/// Runs one admin-console command through psql; returns the unaligned, tuples-only rows.
fn psql(psql: &Path, port: u16, sql: &str) -> Vec<String> {
    let out = psql_as(psql, port, PGB_ADMIN, "pgbouncer", sql);
    assert!(
        out.status.success(),
        "psql -c '{sql}' failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn databases(psql_bin: &Path, port: u16) -> Vec<String> {
    let mut names: Vec<String> = psql(psql_bin, port, "SHOW DATABASES")
        .iter()
        .map(|r| r.split('|').next().unwrap_or("").to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn pgbouncer() {
    let pgbouncer = find_program("pgbouncer");
    let psql_bin = find_program("psql");
    let mut ph = Phases::new("pgbouncer");
    let setpriv = if is_root() {
        Some(find_program("setpriv"))
    } else {
        None
    };
    let lib = lib_dir();
    let dir = TempDir::new("pgbouncer");
    if is_root() {
        // pgbouncer refuses to run as root: it runs as nobody and writes its log and pid there.
        let (uid, gid) = nobody();
        let c = CString::new(dir.path().as_os_str().to_str().unwrap()).unwrap();
        assert_eq!(
            unsafe { libc::chown(c.as_ptr(), uid, gid) },
            0,
            "chown temp dir"
        );
    }
    let ini = dir.path().join("pgbouncer.ini");
    // The "server": a bound socket that does not listen, so connecting to it is refused.
    let dead_server =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    dead_server
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .expect("bind");
    let server_port = dead_server
        .local_addr()
        .unwrap()
        .as_socket()
        .unwrap()
        .port();
    ph.done("build");

    // The version banner comes from the library under test (event_get_version).
    let mut v = Command::new(&pgbouncer);
    v.arg("-V");
    use_lib(&mut v, &lib);
    let out = run_bounded(&mut v, CLIENT_TIMEOUT, "pgbouncer -V").unwrap();
    let banner = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "pgbouncer -V: {}{banner}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        banner.lines().any(|l| l == "libevent 2.1.12-stable"),
        "pgbouncer -V said:\n{banner}"
    );
    let version_line = banner.lines().next().unwrap_or("").to_string();
    assert!(
        version_line.starts_with("PgBouncer "),
        "pgbouncer -V said:\n{banner}"
    );

    let (mut d, port) = start_on_free_port("pgbouncer", dir.path(), |port| {
        fs::write(&ini, pgb_config(dir.path(), port, server_port, &[])).unwrap();
        fs::set_permissions(&ini, fs::Permissions::from_mode(0o644)).unwrap();
        // setpriv execs pgbouncer, so the child's pid is pgbouncer's.
        let mut cmd = match &setpriv {
            Some(sp) => {
                let mut c = Command::new(sp);
                c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
                    .arg(&pgbouncer);
                c
            }
            None => Command::new(&pgbouncer),
        };
        cmd.arg(&ini);
        use_lib(&mut cmd, &lib);
        cmd
    });
    check_maps("pgbouncer", d.pid, &lib);
    let exe = fs::read_link(format!("/proc/{}/exe", d.pid)).unwrap();
    assert_eq!(
        exe,
        pgbouncer.canonicalize().unwrap(),
        "pid {} is not pgbouncer",
        d.pid
    );

    ph.done("-V, start");
    let rows = psql(&psql_bin, port, "SHOW VERSION");
    assert_eq!(rows, vec![version_line.clone()], "SHOW VERSION");

    let lists: BTreeMap<String, i64> = psql(&psql_bin, port, "SHOW LISTS")
        .iter()
        .map(|r| {
            let (k, v) = r
                .split_once('|')
                .unwrap_or_else(|| panic!("SHOW LISTS row {r:?}"));
            (
                k.to_string(),
                v.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("SHOW LISTS row {r:?}")),
            )
        })
        .collect();
    for name in [
        "databases",
        "users",
        "pools",
        "free_clients",
        "used_clients",
        "login_clients",
        "free_servers",
        "used_servers",
    ] {
        assert!(
            lists.contains_key(name),
            "SHOW LISTS lacks {name}: {lists:?}"
        );
    }
    assert_eq!(lists["databases"], 2, "dummy + pgbouncer: {lists:?}");
    assert_eq!(lists["used_clients"], 1, "only this psql: {lists:?}");
    assert_eq!(lists["used_servers"], 0, "{lists:?}");

    ph.done("SHOW VERSION, SHOW LISTS");
    // Several clients at once.
    let parallel: Vec<_> = (0..4)
        .map(|_| {
            let p = psql_bin.clone();
            thread::spawn(move || psql(&p, port, "SHOW VERSION"))
        })
        .collect();
    for h in parallel {
        let rows = h
            .join()
            .unwrap_or_else(|_| panic!("parallel psql failed:\n{}", d.output()));
        assert_eq!(rows, vec![version_line.clone()]);
    }

    ph.done("4 parallel psql");
    // SIGHUP re-reads the config (a signal event): a new database shows up.
    assert_eq!(databases(&psql_bin, port), ["dummy", "pgbouncer"]);
    fs::write(
        &ini,
        pgb_config(dir.path(), port, server_port, &["added_by_hup"]),
    )
    .unwrap();
    d.signal(libc::SIGHUP);
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let dbs = databases(&psql_bin, port);
        if dbs.iter().any(|n| n == "added_by_hup") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "SIGHUP did not reload the config within {START_TIMEOUT:?}: {dbs:?}\n{}",
            d.output()
        );
        if let Some(st) = d.wait_exit(Duration::from_millis(50)) {
            panic!("pgbouncer exited ({st}) after SIGHUP:\n{}", d.output());
        }
    }
    ph.done("reload on SIGHUP");
    // The admin command RELOAD does the same synchronously.
    fs::write(
        &ini,
        pgb_config(
            dir.path(),
            port,
            server_port,
            &["added_by_hup", "added_by_reload"],
        ),
    )
    .unwrap();
    let reply = psql(&psql_bin, port, "RELOAD");
    assert_eq!(reply, ["RELOAD"], "RELOAD reply");
    let dbs = databases(&psql_bin, port);
    assert_eq!(
        dbs,
        ["added_by_hup", "added_by_reload", "dummy", "pgbouncer"]
    );

    let pidfile = dir.path().join("pgbouncer.pid");
    let pid_text = fs::read_to_string(&pidfile).expect("pgbouncer wrote no pidfile");
    assert_eq!(pid_text.trim(), d.pid.to_string(), "pidfile");

    ph.done("RELOAD");
    // A client of a pool whose server refuses connections: pgbouncer's connect attempt fails and
    // its maintenance timer ends the client's wait after query_wait_timeout.
    let t0 = Instant::now();
    let out = psql_as(&psql_bin, port, PGB_USER, "dummy", "SELECT 1");
    let waited = t0.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "SELECT through a dead server succeeded?"
    );
    assert!(
        err.contains("query_wait_timeout"),
        "psql said:\n{err}\n{}",
        d.output()
    );
    assert!(
        waited >= Duration::from_millis(900),
        "closed after only {waited:?}: {err}"
    );
    assert!(
        d.output().contains("connect failed"),
        "pgbouncer did not report its failed server connect:\n{}",
        d.output()
    );
    ph.done("query_wait_timeout on a dead server");
    // SIGINT: safe shutdown, pgbouncer leaves its loop and exits 0 by itself.
    d.signal(libc::SIGINT);
    let st = d.wait_exit(EXIT_TIMEOUT);
    assert!(
        st.is_some(),
        "pgbouncer did not exit within {EXIT_TIMEOUT:?} of SIGINT:\n{}",
        d.output()
    );
    assert!(
        st.unwrap().success(),
        "pgbouncer exit status {st:?}:\n{}",
        d.output()
    );
    assert!(!pidfile.exists(), "pgbouncer left its pidfile behind");
    ph.done("exit on SIGINT");
    let out = d.output();
    assert!(out.contains("got SIGHUP"), "no SIGHUP in the log:\n{out}");
    assert!(out.contains("got SIGINT"), "no SIGINT in the log:\n{out}");
}

// ---------------------------------------------------------------------------------------------
// tmux: bufferevents, evbuffers and the legacy event API (event_init, event_set, event_once,
// bufferevent_new), through a detached server driven by tmux clients.

/// A tmux server on a private socket; dropping it kills the server.
struct Tmux {
    bin: PathBuf,
    dir: TempDir,
    lib: Option<PathBuf>,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.env("TMUX_TMPDIR", self.dir.path())
            .env_remove("TMUX")
            .args(["-L", "rsevent", "-f", "/dev/null"])
            .args(args);
        use_lib(&mut c, &self.lib);
        c
    }

    /// Runs a tmux client command and returns its stdout; panics on failure.
    fn run(&self, args: &[&str]) -> String {
        let out = run_bounded(&mut self.cmd(args), CLIENT_TIMEOUT, &format!("tmux {args:?}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls `capture-pane` of `pane` until it shows `want` (the shell has run the command).
    fn wait_for_text(&self, pane: &str, want: &str) {
        let deadline = Instant::now() + CLIENT_TIMEOUT;
        loop {
            let screen = self.run(&["capture-pane", "-p", "-t", pane]);
            if screen.contains(want) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "pane {pane} never showed {want:?}; it shows:\n{screen}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = run_bounded(&mut self.cmd(&["kill-server"]), CLIENT_TIMEOUT, "tmux kill-server");
    }
}

#[test]
fn tmux() {
    let lib = lib_dir();
    let tmux = Tmux { bin: find_program("tmux"), dir: TempDir::new("tmux"), lib: lib.clone() };
    let mut phases = Phases::new("tmux");

    tmux.run(&["new-session", "-d", "-s", "rs", "-x", "100", "-y", "30", "sh"]);
    let pid: u32 = tmux
        .run(&["display-message", "-p", "-t", "rs", "#{pid}"])
        .trim()
        .parse()
        .expect("tmux server pid");
    check_maps("tmux", pid, &lib);
    phases.done("detached server");

    tmux.run(&["send-keys", "-t", "rs:0.0", "echo rsevent-$((6*7))", "Enter"]);
    tmux.wait_for_text("rs:0.0", "rsevent-42");
    // A burst of output larger than the server's buffers: it must arrive complete and in order.
    tmux.run(&["send-keys", "-t", "rs:0.0", "clear; seq 1 3000 | tail -n 3", "Enter"]);
    tmux.wait_for_text("rs:0.0", "2998\n2999\n3000");
    phases.done("send-keys and capture-pane");

    tmux.run(&["split-window", "-t", "rs:0"]);
    let panes = tmux.run(&["list-panes", "-t", "rs:0", "-F", "#{pane_index}"]);
    assert_eq!(panes.lines().count(), 2, "split-window did not make a second pane: {panes}");
    tmux.run(&["send-keys", "-t", "rs:0.1", "echo second-$((2+3))", "Enter"]);
    tmux.wait_for_text("rs:0.1", "second-5");
    phases.done("split-window");

    tmux.run(&["kill-server"]);
    let deadline = Instant::now() + EXIT_TIMEOUT;
    while Path::new(&format!("/proc/{pid}")).exists()
        && fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
    {
        assert!(Instant::now() < deadline, "the tmux server (pid {pid}) did not exit");
        thread::sleep(Duration::from_millis(20));
    }
    phases.done("kill-server");
}
