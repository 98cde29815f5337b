//! `event2/event_compat.h`: the pre-2.0 API, which works on an implicit current base made by
//! `event_init`.

use super::event::{
    event_assign, event_base, event_base_get_method, event_base_loop,
    event_base_loopbreak, event_base_loopexit, event_base_new, event_base_once,
    event_base_priority_init,
};
use super::event_defs::event_callback_fn;
use super::event_struct::event;
use super::util_defs::evutil_socket_t;
use crate::reactor::base::CURRENT_BASE;
use crate::util::log;
use libc::{c_char, c_int, c_short, c_void, timeval};
use std::sync::atomic::Ordering;

fn current() -> *mut event_base {
    CURRENT_BASE.load(Ordering::Acquire).cast()
}

/// Creates a base and makes it the current one for the functions below.
#[no_mangle]
pub extern "C" fn event_init() -> *mut event_base {
    let base = event_base_new();
    if base.is_null() {
        log::fatal(1, "event_init: Unable to construct event_base");
    }
    CURRENT_BASE.store(base.cast(), Ordering::Release);
    base
}

/// Runs the current base's loop.
#[no_mangle]
pub unsafe extern "C" fn event_dispatch() -> c_int {
    // SAFETY: the current base is null or live.
    unsafe { event_base_loop(current(), 0) }
}

/// Runs the current base's loop with `EVLOOP_*` flags.
#[no_mangle]
pub unsafe extern "C" fn event_loop(flags: c_int) -> c_int {
    // SAFETY: the current base is null or live.
    unsafe { event_base_loop(current(), flags) }
}

/// Exits the current base's loop after `tv`.
#[no_mangle]
pub unsafe extern "C" fn event_loopexit(tv: *const timeval) -> c_int {
    // SAFETY: the current base is null or live.
    unsafe { event_base_loopexit(current(), tv) }
}

/// Breaks the current base's loop.
#[no_mangle]
pub unsafe extern "C" fn event_loopbreak() -> c_int {
    // SAFETY: the current base is null or live.
    unsafe { event_base_loopbreak(current()) }
}

/// Sets up `ev` for the current base (use `event_base_set` to move it to another).
#[no_mangle]
pub unsafe extern "C" fn event_set(
    ev: *mut event,
    fd: evutil_socket_t,
    events: c_short,
    callback: event_callback_fn,
    arg: *mut c_void,
) {
    // SAFETY: `ev` is writable event memory per the API.
    unsafe { event_assign(ev, current(), fd, events, callback, arg) };
}

/// `event_base_once` on the current base.
#[no_mangle]
pub unsafe extern "C" fn event_once(
    fd: evutil_socket_t,
    events: c_short,
    callback: event_callback_fn,
    arg: *mut c_void,
    tv: *const timeval,
) -> c_int {
    // SAFETY: the current base is null or live.
    unsafe { event_base_once(current(), fd, events, callback, arg, tv) }
}

/// The current base's backend name.
#[no_mangle]
pub unsafe extern "C" fn event_get_method() -> *const c_char {
    // SAFETY: the current base is null or live.
    unsafe { event_base_get_method(current()) }
}

/// `event_base_priority_init` on the current base.
#[no_mangle]
pub unsafe extern "C" fn event_priority_init(npriorities: c_int) -> c_int {
    // SAFETY: the current base is null or live.
    unsafe { event_base_priority_init(current(), npriorities) }
}




