//! The library's log: messages go to the callback set with `event_set_log_callback`, or to stderr
//! as `[warn] text`. Fatal errors call the `event_set_fatal_callback` function, then exit.

use std::ffi::CString;
use std::io::Write;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

pub const DEBUG: i32 = 0;
pub const MSG: i32 = 1;
pub const WARN: i32 = 2;
pub const ERR: i32 = 3;

pub type LogFn = unsafe extern "C" fn(i32, *const libc::c_char);
pub type FatalFn = unsafe extern "C" fn(i32);

static LOG_FN: AtomicUsize = AtomicUsize::new(0);
static FATAL_FN: AtomicUsize = AtomicUsize::new(0);
static DEBUG_MASK: AtomicU32 = AtomicU32::new(0);

pub fn set_log_fn(f: Option<LogFn>) {
    LOG_FN.store(f.map_or(0, |f| f as usize), Ordering::Release);
}

pub fn set_fatal_fn(f: Option<FatalFn>) {
    FATAL_FN.store(f.map_or(0, |f| f as usize), Ordering::Release);
}

pub fn set_debug_mask(mask: u32) {
    DEBUG_MASK.store(mask, Ordering::Relaxed);
}

pub fn debug_enabled() -> bool {
    DEBUG_MASK.load(Ordering::Relaxed) != 0
}

pub fn log(severity: i32, msg: &str) {
    let f = LOG_FN.load(Ordering::Acquire);
    if f != 0 {
        // SAFETY: `f` was stored from a valid `LogFn` by `set_log_fn`.
        let f: LogFn = unsafe { std::mem::transmute::<usize, LogFn>(f) };
        let c = CString::new(msg.replace('\0', " ")).unwrap_or_default();
        // SAFETY: calling the user's callback with a valid NUL-terminated string.
        unsafe { f(severity, c.as_ptr()) };
        return;
    }
    let tag = match severity {
        DEBUG => "debug",
        MSG => "msg",
        WARN => "warn",
        ERR => "err",
        _ => "???",
    };
    let _ = writeln!(std::io::stderr(), "[{tag}] {msg}");
}

pub fn warnx(msg: &str) {
    log(WARN, msg);
}

/// A warning with the text of `errno` appended, as `event_warn` does.
pub fn warn(msg: &str) {
    log(WARN, &format!("{msg}: {}", strerror(errno())));
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// The C library's text for `err` (what libevent appends), not Rust's "(os error N)" form.
pub fn strerror(err: i32) -> String {
    // SAFETY: strerror returns a valid NUL-terminated string (static or thread-local storage);
    // we copy it at once.
    unsafe { std::ffi::CStr::from_ptr(libc::strerror(err)) }.to_string_lossy().into_owned()
}

pub fn debug(msg: impl FnOnce() -> String) {
    if debug_enabled() {
        log(DEBUG, &msg());
    }
}

/// An unrecoverable error: logged, then the fatal callback, then `exit(code)`.
pub fn fatal(code: i32, msg: &str) -> ! {
    log(ERR, msg);
    let f = FATAL_FN.load(Ordering::Acquire);
    if f != 0 {
        // SAFETY: `f` was stored from a valid `FatalFn` by `set_fatal_fn`.
        let f: FatalFn = unsafe { std::mem::transmute::<usize, FatalFn>(f) };
        // SAFETY: calling the user's callback.
        unsafe { f(code) };
    }
    std::process::exit(code)
}

pub fn has_fatal_fn() -> bool {
    FATAL_FN.load(Ordering::Acquire) != 0
}

/// Logs a message that is already a C string (the formatted text of the C-variadic log entry
/// points), passing its bytes through unchanged.
pub fn log_cstr(severity: i32, msg: &std::ffi::CStr) {
    let f = LOG_FN.load(Ordering::Acquire);
    if f != 0 {
        // SAFETY: `f` was stored from a valid `LogFn` by `set_log_fn`.
        let f: LogFn = unsafe { std::mem::transmute::<usize, LogFn>(f) };
        // SAFETY: calling the user's callback with a valid NUL-terminated string.
        unsafe { f(severity, msg.as_ptr()) };
        return;
    }
    let tag: &[u8] = match severity {
        DEBUG => b"debug",
        MSG => b"msg",
        WARN => b"warn",
        ERR => b"err",
        _ => b"???",
    };
    let mut line = Vec::with_capacity(msg.to_bytes().len() + 10);
    line.push(b'[');
    line.extend_from_slice(tag);
    line.extend_from_slice(b"] ");
    line.extend_from_slice(msg.to_bytes());
    line.push(b'\n');
    let _ = std::io::stderr().write_all(&line);
}

/// libevent's "abort instead of exit" code for fatal errors (its `EVENT_ERR_ABORT_`).
pub const ERR_ABORT: i32 = 0xdead_dead_u32 as i32;

/// Ends the process after an error was logged, as `event_err` does: the fatal callback (then
/// `exit(code)`) when one is set; otherwise `abort()` for [`ERR_ABORT`], `exit(code)` for the rest.
pub fn exit_after_error(code: i32) -> ! {
    let f = FATAL_FN.load(Ordering::Acquire);
    if f != 0 {
        // SAFETY: `f` was stored from a valid `FatalFn` by `set_fatal_fn`.
        let f: FatalFn = unsafe { std::mem::transmute::<usize, FatalFn>(f) };
        // SAFETY: calling the user's callback.
        unsafe { f(code) };
    } else if code == ERR_ABORT {
        std::process::abort();
    }
    std::process::exit(code)
}
