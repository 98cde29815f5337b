//! `event2/listener.h`: evconnlistener, a listening socket that accepts connections and hands
//! each new socket to a callback. The work is done in `crate::listener`.
#![allow(non_camel_case_types)]

use super::event::event_base;
use super::util_defs::evutil_socket_t;
use crate::listener::Listener;
use crate::reactor::base::Base;
use libc::{c_int, c_uint, c_void, sockaddr};
use std::ptr::null_mut;

/// A listening socket watched by an event base. Opaque; made by evconnlistener_new() or
/// evconnlistener_new_bind(), released by evconnlistener_free().
pub struct evconnlistener {
    _opaque: [u8; 0],
}

/// Called for every accepted connection with the listener, the new socket (now the callback's
/// to close), the peer's address and its length, and the pointer given with the callback.
pub type evconnlistener_cb = Option<
    unsafe extern "C" fn(*mut evconnlistener, evutil_socket_t, *mut sockaddr, c_int, *mut c_void),
>;

/// Called when accept() fails with an error that retrying would not fix (the error is in
/// `errno`/EVUTIL_SOCKET_ERROR()), with the listener and the connection callback's pointer.
pub type evconnlistener_errorcb = Option<unsafe extern "C" fn(*mut evconnlistener, *mut c_void)>;

/// Flag: accepted sockets are left blocking (by default they are made non-blocking).
pub const LEV_OPT_LEAVE_SOCKETS_BLOCKING: c_uint = 1u32 << 0;
/// Flag: evconnlistener_free() closes the listening socket.
pub const LEV_OPT_CLOSE_ON_FREE: c_uint = 1u32 << 1;
/// Flag: the listening socket (evconnlistener_new_bind() only) and every accepted socket get
/// close-on-exec.
pub const LEV_OPT_CLOSE_ON_EXEC: c_uint = 1u32 << 2;
/// Flag: the address may be bound again right after the listener closes (`SO_REUSEADDR`;
/// evconnlistener_new_bind() only).
pub const LEV_OPT_REUSEABLE: c_uint = 1u32 << 3;
/// Flag: the listener takes a lock, so several threads may use it (needs threading turned on,
/// see event2/thread.h).
pub const LEV_OPT_THREADSAFE: c_uint = 1u32 << 4;
/// Flag: the listener starts disabled; evconnlistener_enable() starts it.
pub const LEV_OPT_DISABLED: c_uint = 1u32 << 5;
/// Flag: the kernel completes a connection for accept() only once the client has sent data
/// (`TCP_DEFER_ACCEPT`; evconnlistener_new_bind() only). Only for protocols where the client
/// speaks first.
pub const LEV_OPT_DEFERRED_ACCEPT: c_uint = 1u32 << 6;
/// Flag: several sockets may listen on the same address and port (`SO_REUSEPORT`;
/// evconnlistener_new_bind() only).
pub const LEV_OPT_REUSEABLE_PORT: c_uint = 1u32 << 7;
/// Flag: an IPv6 listening socket accepts IPv6 connections only (`IPV6_V6ONLY`;
/// evconnlistener_new_bind() only).
pub const LEV_OPT_BIND_IPV6ONLY: c_uint = 1u32 << 8;

#[inline]
fn lp(p: *const evconnlistener) -> *mut Listener {
    p as *mut Listener
}

/// Makes a listener on `fd`, a non-blocking socket already bound to its address.
///
/// `backlog` is passed to listen(); -1 picks a default (128) and 0 means `fd` is already
/// listening. With a NULL `cb` the listener stays disabled until evconnlistener_set_cb() gives
/// it one. `flags` is a mask of `LEV_OPT_*`. Returns NULL when listen() fails.
#[no_mangle]
pub unsafe extern "C" fn evconnlistener_new(
    base: *mut event_base,
    cb: evconnlistener_cb,
    ptr: *mut c_void,
    flags: c_uint,
    backlog: c_int,
    fd: evutil_socket_t,
) -> *mut evconnlistener {
    // SAFETY: `base` is null or a live base, per the API.
    unsafe { Listener::new(base as *mut Base, cb, ptr, flags, backlog, fd).cast() }
}

/// Makes a stream socket for `sa`'s family (IPv4, IPv6 or a Unix path), applies the socket
/// `LEV_OPT_*` flags, binds it to `sa` (`socklen` bytes) and listens on it. `backlog` -1 picks
/// a default (128); 0 is refused. Returns NULL (and closes the socket) on any failure.
#[no_mangle]
pub unsafe extern "C" fn evconnlistener_new_bind(
    base: *mut event_base,
    cb: evconnlistener_cb,
    ptr: *mut c_void,
    flags: c_uint,
    backlog: c_int,
    sa: *const sockaddr,
    socklen: c_int,
) -> *mut evconnlistener {
    // SAFETY: `base` is null or live; `sa` is null or `socklen` readable bytes, per the API.
    unsafe { Listener::bind(base as *mut Base, cb, ptr, flags, backlog, sa, socklen).cast() }
}

/// Stops and frees a listener (closing its socket with `LEV_OPT_CLOSE_ON_FREE`). It may be
/// called from the listener's own callbacks.
#[no_mangle]
pub unsafe extern "C" fn evconnlistener_free(lev: *mut evconnlistener) {
    if !lev.is_null() {
        // SAFETY: a live listener the caller gives up.
        unsafe { Listener::free(lp(lev)) }
    }
}

/// Starts (again) accepting connections. Returns 0, or -1 when the socket cannot be watched.
#[no_mangle]
pub unsafe extern "C" fn evconnlistener_enable(lev: *mut evconnlistener) -> c_int {
    if lev.is_null() {
        return -1;
    }
    // SAFETY: a live listener.
    unsafe { Listener::enable(lp(lev)) }
}

/// Stops accepting connections until evconnlistener_enable(). Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evconnlistener_disable(lev: *mut evconnlistener) -> c_int {
    if lev.is_null() {
        return -1;
    }
    // SAFETY: a live listener.
    unsafe { Listener::disable(lp(lev)) }
}

/// The event base the listener belongs to.
#[no_mangle]
pub unsafe extern "C" fn evconnlistener_get_base(lev: *mut evconnlistener) -> *mut event_base {
    if lev.is_null() {
        return null_mut();
    }
    // SAFETY: a live listener.
    unsafe { Listener::base(lp(lev)).cast() }
}

/// The listening socket.
#[no_mangle]
pub unsafe extern "C" fn evconnlistener_get_fd(lev: *mut evconnlistener) -> evutil_socket_t {
    if lev.is_null() {
        return -1;
    }
    // SAFETY: a live listener.
    unsafe { Listener::fd(lp(lev)) }
}

/// Replaces the connection callback and its pointer. A listener that is enabled but had no
/// callback starts accepting; with a NULL `cb`, connections that arrive are closed at once.
#[no_mangle]
pub unsafe extern "C" fn evconnlistener_set_cb(
    lev: *mut evconnlistener,
    cb: evconnlistener_cb,
    arg: *mut c_void,
) {
    if !lev.is_null() {
        // SAFETY: a live listener.
        unsafe { Listener::set_cb(lp(lev), cb, arg) }
    }
}

/// Sets (or, with NULL, removes) the callback for accept() errors. Without one, such errors
/// are logged as warnings.
#[no_mangle]
pub unsafe extern "C" fn evconnlistener_set_error_cb(
    lev: *mut evconnlistener,
    errorcb: evconnlistener_errorcb,
) {
    if !lev.is_null() {
        // SAFETY: a live listener.
        unsafe { Listener::set_error_cb(lp(lev), errorcb) }
    }
}
