//! The C-variadic entry points: `evutil_snprintf`, `evutil_vsnprintf`, the logging helpers
//! (`event_warn`, `event_err`, ...) and `evbuffer_add_printf` / `evbuffer_add_vprintf`.
//!
//! Stable Rust can neither define a function with `...` nor consume a `va_list`, so their bodies
//! are C (`src/c/`, built by `build/cshim.rs`). rustc's cdylib version script hides symbols from
//! linked C libraries, so each public name here is a naked trampoline: a single `jmp` to the C
//! body, which leaves every argument register (and `%al`, the count of vector registers a
//! variadic call uses) exactly as the caller set them, and the stack untouched. The C body then
//! returns straight to the caller.
//!
//! The trampolines are declared `fn()` here because Rust never calls them; their real C
//! prototypes are in the raw parts of the headers (`cbindgen/event2/util.h.tail`,
//! `cbindgen/event2/buffer.h.tail`). The logging helpers are exported but in no public header,
//! as in libevent.
//!
//! The two `rsevent_*` functions at the end are what the C bodies call back into.

use crate::util::log;
use libc::{c_char, c_int};
use std::ffi::CStr;

extern "C" {
    fn rsevent_c_evutil_snprintf();
    fn rsevent_c_evutil_vsnprintf();
    fn rsevent_c_event_warn();
    fn rsevent_c_event_warnx();
    fn rsevent_c_event_err();
    fn rsevent_c_event_errx();
    fn rsevent_c_event_msgx();
    fn rsevent_c_event_sock_err();
    fn rsevent_c_event_sock_warn();
    #[cfg(rsevent_evbuffer_add)]
    fn rsevent_c_evbuffer_add_printf();
    #[cfg(rsevent_evbuffer_add)]
    fn rsevent_c_evbuffer_add_vprintf();
}

/// `int evutil_snprintf(char *buf, size_t buflen, const char *format, ...)`
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn evutil_snprintf() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_evutil_snprintf)
}

/// `int evutil_vsnprintf(char *buf, size_t buflen, const char *format, va_list ap)`
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn evutil_vsnprintf() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_evutil_vsnprintf)
}

/// `void event_warn(const char *fmt, ...)`: a warning followed by ": " and `strerror(errno)`.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn event_warn() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_event_warn)
}

/// `void event_warnx(const char *fmt, ...)`: a warning.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn event_warnx() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_event_warnx)
}

/// `void event_err(int eval, const char *fmt, ...)`: an error with `strerror(errno)`, then
/// the fatal callback and `exit(eval)`.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn event_err() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_event_err)
}

/// `void event_errx(int eval, const char *fmt, ...)`: an error, then the fatal callback and
/// `exit(eval)`.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn event_errx() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_event_errx)
}

/// `void event_msgx(const char *fmt, ...)`: an informational message.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn event_msgx() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_event_msgx)
}

/// `void event_sock_err(int eval, evutil_socket_t sock, const char *fmt, ...)`: as
/// `event_err`, with the socket's error.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn event_sock_err() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_event_sock_err)
}

/// `void event_sock_warn(evutil_socket_t sock, const char *fmt, ...)`: as `event_warn`,
/// with the socket's error.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn event_sock_warn() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_event_sock_warn)
}

#[cfg(rsevent_evbuffer_add)]
/// `int evbuffer_add_printf(struct evbuffer *buf, const char *fmt, ...)`: appends the
/// formatted text; returns the number of bytes added, or -1.
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add_printf() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_evbuffer_add_printf)
}

#[cfg(rsevent_evbuffer_add)]
/// `int evbuffer_add_vprintf(struct evbuffer *buf, const char *fmt, va_list ap)`
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add_vprintf() {
    // SAFETY: a tail jump; the C body sees the caller's registers and stack and returns to it.
    core::arch::naked_asm!("jmp {}", sym rsevent_c_evbuffer_add_vprintf)
}

/// For `src/c/`: logs a formatted message (`severity` is an `EVENT_LOG_*` value).
///
/// # Safety
/// `msg` is a valid NUL-terminated string.
#[no_mangle]
unsafe extern "C" fn rsevent_log_msg(severity: c_int, msg: *const c_char) {
    // SAFETY: the C bodies always pass a terminated buffer.
    log::log_cstr(severity, unsafe { CStr::from_ptr(msg) });
}

/// For `src/c/`: ends the process after `event_err`-style messages.
#[no_mangle]
extern "C" fn rsevent_log_exit(code: c_int) -> ! {
    log::exit_after_error(code)
}
