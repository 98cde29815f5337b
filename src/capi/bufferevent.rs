//! `event2/bufferevent.h`: bufferevents, an input and an output evbuffer tied to a transport
//! (here: sockets) with callbacks for arrived data, drained output and events.
#![allow(non_camel_case_types)]

use super::buffer::{evbuffer_add, evbuffer_add_buffer, evbuffer_remove};
use super::buffer_defs::evbuffer;
use super::bufferevent_struct::bufferevent;
use super::event::{event_base, event_base_get_npriorities, event_base_set, event_get_priority, event_priority_set};
use super::event_struct::EVLIST_INIT;
use super::util_defs::{ev_ssize_t, evutil_socket_t};
use crate::bufferevent::{self as engine, socket, CtrlData};
use libc::{c_char, c_int, c_short, c_void, size_t, sockaddr, timeval};
use std::ptr::null_mut;

/// The read or write callback of a bufferevent: the bufferevent and the callbacks' argument.
/// The read callback runs when data arrived (at least the read low watermark, 0 by default);
/// the write callback when the output drained to the write low watermark (0 by default).
pub type bufferevent_data_cb = Option<unsafe extern "C" fn(*mut bufferevent, *mut c_void)>;

/// The event callback of a bufferevent: `what` is `BEV_EVENT_READING` or `BEV_EVENT_WRITING`
/// (where it happened) with one of `BEV_EVENT_EOF`, `_ERROR`, `_TIMEOUT`, or it is
/// `BEV_EVENT_CONNECTED`. With deferred callbacks it is the union of everything since the
/// last call.
pub type bufferevent_event_cb = Option<unsafe extern "C" fn(*mut bufferevent, c_short, *mut c_void)>;

/// Event callback flag: it happened while reading.
pub const BEV_EVENT_READING: c_short = 0x01;
/// Event callback flag: it happened while writing.
pub const BEV_EVENT_WRITING: c_short = 0x02;
/// Event callback flag: end of file.
pub const BEV_EVENT_EOF: c_short = 0x10;
/// Event callback flag: an unrecoverable error (see `EVUTIL_SOCKET_ERROR()`).
pub const BEV_EVENT_ERROR: c_short = 0x20;
/// Event callback flag: a timeout set with `bufferevent_set_timeouts()` expired.
pub const BEV_EVENT_TIMEOUT: c_short = 0x40;
/// Event callback flag: a connect finished.
pub const BEV_EVENT_CONNECTED: c_short = 0x80;

/// Options given when a bufferevent is made.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum bufferevent_options {
    /// Close the socket (or free the underlying bufferevent) when the bufferevent is freed.
    BEV_OPT_CLOSE_ON_FREE = 1,
    /// Give the bufferevent a lock so that several threads may use it (threading must be set up).
    BEV_OPT_THREADSAFE = 2,
    /// Run the callbacks from the loop, never from inside a call of the program.
    BEV_OPT_DEFER_CALLBACKS = 4,
    /// Run deferred callbacks without the bufferevent's lock held (needs DEFER_CALLBACKS).
    BEV_OPT_UNLOCK_CALLBACKS = 8,
}

/// How much `bufferevent_flush()` should push.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum bufferevent_flush_mode {
    /// Ordinary operation.
    BEV_NORMAL = 0,
    /// Push out as much as possible.
    BEV_FLUSH = 1,
    /// Push out everything and report that no more data will come.
    BEV_FINISHED = 2,
}

/// Options of `bufferevent_trigger()` and `bufferevent_trigger_event()`.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum bufferevent_trigger_options {
    /// Run the callback whatever the watermarks say.
    BEV_TRIG_IGNORE_WATERMARKS = 0x10000,
    /// Run the callback from the loop (as `BEV_OPT_DEFER_CALLBACKS`).
    BEV_TRIG_DEFER_CALLBACKS = 4,
}

/// What a filter callback reports.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum bufferevent_filter_result {
    /// Data was moved.
    BEV_OK = 0,
    /// More input is needed before anything can be produced.
    BEV_NEED_MORE = 1,
    /// The filter failed.
    BEV_ERROR = 2,
}

// ---- pointer conversion ----

/// Runs `f` with the bufferevent locked; `default` for NULL.
unsafe fn with<R>(bev: *mut bufferevent, default: R, f: impl FnOnce(*mut bufferevent) -> R) -> R {
    if bev.is_null() {
        return default;
    }
    // SAFETY: a live bufferevent per the API contract.
    unsafe {
        engine::lock(bev);
        let r = f(bev);
        engine::unlock(bev);
        r
    }
}

// ---- socket bufferevents ----

/// Makes a bufferevent on the socket `fd` (-1: set one later with `bufferevent_setfd()` or
/// `bufferevent_socket_connect()`), with `BEV_OPT_*` options. Writing is enabled, reading is
/// not. Returns NULL on failure (also for `BEV_OPT_THREADSAFE` without threading set up).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_socket_new(base: *mut event_base, fd: evutil_socket_t, options: c_int) -> *mut bufferevent {
    // SAFETY: `base` is null or live per the API.
    unsafe { socket::new(base, fd, options) }
}

/// Starts a non-blocking connect to `addr` (a socket is made when the bufferevent has none).
/// The event callback gets `BEV_EVENT_CONNECTED`, or `BEV_EVENT_ERROR` when it fails. With a
/// NULL address the bufferevent's socket is taken to be connecting already. Returns 0, or -1
/// when the connect could not be started.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_socket_connect(bev: *mut bufferevent, addr: *const sockaddr, socklen: c_int) -> c_int {
    // SAFETY: a live socket bufferevent; `addr` null or `socklen` bytes.
    if bev.is_null() || !unsafe { socket::is_socket(bev) } {
        return -1;
    }
    // SAFETY: as above.
    unsafe { socket::connect(bev, addr, socklen) }
}

/// Resolves `hostname` ("www.example.com", "1.2.3.4", "::1", "[::1]") for `family` (AF_INET,
/// AF_INET6 or AF_UNSPEC) and connects to `port` as `bufferevent_socket_connect()` does. This
/// build resolves with the system resolver, which may block. A failed lookup is reported to
/// the event callback as `BEV_EVENT_ERROR` (see `bufferevent_socket_get_dns_error()`). Returns
/// 0, or -1 for bad arguments.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_socket_connect_hostname(
    bev: *mut bufferevent,
    evdns_base: *mut evdns_base,
    family: c_int,
    hostname: *const c_char,
    port: c_int,
) -> c_int {
    let _ = evdns_base;
    // SAFETY: a live socket bufferevent; `hostname` null or a C string.
    if bev.is_null() || !unsafe { socket::is_socket(bev) } {
        return -1;
    }
    // SAFETY: as above.
    unsafe { socket::connect_hostname(bev, family, hostname, port) }
}

/// The error (an `EVUTIL_EAI_*` code) of the last failed lookup of
/// `bufferevent_socket_connect_hostname()`, 0 if none.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_socket_get_dns_error(bev: *mut bufferevent) -> c_int {
    if bev.is_null() {
        return 0;
    }
    // SAFETY: live.
    unsafe { socket::dns_error(bev) }
}

/// Moves a socket bufferevent (made by `bufferevent_new()`) to `base`, before it is enabled.
/// Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_base_set(base: *mut event_base, bufev: *mut bufferevent) -> c_int {
    // SAFETY: live per the API.
    unsafe {
        with(bufev, -1, |bev| {
            if !socket::is_socket(bev) {
                return -1;
            }
            (*bev).ev_base = base;
            if event_base_set(base, &mut (*bev).ev_read) == -1 {
                return -1;
            }
            event_base_set(base, &mut (*bev).ev_write)
        })
    }
}

/// The base of the bufferevent.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_base(bev: *mut bufferevent) -> *mut event_base {
    // SAFETY: null or live.
    unsafe { bev.as_ref() }.map_or(null_mut(), |b| b.ev_base)
}

/// Sets the priority of a socket bufferevent's events and callbacks. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_priority_set(bufev: *mut bufferevent, pri: c_int) -> c_int {
    // SAFETY: live per the API.
    unsafe {
        with(bufev, -1, |bev| {
            if !socket::is_socket(bev) {
                return -1;
            }
            if event_priority_set(&mut (*bev).ev_read, pri) == -1
                || event_priority_set(&mut (*bev).ev_write, pri) == -1
            {
                return -1;
            }
            (*engine::private(bev)).deferred.evcb_pri = pri as u8;
            0
        })
    }
}

/// The priority of a socket bufferevent.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_priority(bufev: *const bufferevent) -> c_int {
    // SAFETY: null or live.
    let Some(b) = (unsafe { bufev.as_ref() }) else { return -1 };
    if b.ev_read.ev_evcallback.evcb_flags & EVLIST_INIT != 0 {
        // SAFETY: a set-up event.
        unsafe { event_get_priority(&b.ev_read) }
    } else {
        // SAFETY: null or live base.
        unsafe { event_base_get_npriorities(b.ev_base) / 2 }
    }
}

/// Frees the bufferevent once its callbacks are done: its callbacks are cleared now; the
/// memory, buffers and (with `BEV_OPT_CLOSE_ON_FREE`) the socket are released from the loop
/// (or when the base is freed). Unsent output is dropped. May be called from its callbacks.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_free(bufev: *mut bufferevent) {
    if !bufev.is_null() {
        // SAFETY: the caller gives up its reference to a live bufferevent.
        unsafe { engine::free(bufev) }
    }
}

/// Sets the read, write and event callbacks (each may be NULL) and their argument.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_setcb(
    bufev: *mut bufferevent,
    readcb: bufferevent_data_cb,
    writecb: bufferevent_data_cb,
    eventcb: bufferevent_event_cb,
    cbarg: *mut c_void,
) {
    // SAFETY: live per the API.
    unsafe {
        with(bufev, (), |bev| {
            (*bev).readcb = readcb;
            (*bev).writecb = writecb;
            (*bev).errorcb = eventcb;
            (*bev).cbarg = cbarg;
        })
    }
}

/// Stores the callbacks and their argument where the non-NULL pointers say.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_getcb(
    bufev: *mut bufferevent,
    readcb_ptr: *mut bufferevent_data_cb,
    writecb_ptr: *mut bufferevent_data_cb,
    eventcb_ptr: *mut bufferevent_event_cb,
    cbarg_ptr: *mut *mut c_void,
) {
    // SAFETY: live; the out-pointers are null or writable.
    unsafe {
        with(bufev, (), |bev| {
            if !readcb_ptr.is_null() {
                *readcb_ptr = (*bev).readcb;
            }
            if !writecb_ptr.is_null() {
                *writecb_ptr = (*bev).writecb;
            }
            if !eventcb_ptr.is_null() {
                *eventcb_ptr = (*bev).errorcb;
            }
            if !cbarg_ptr.is_null() {
                *cbarg_ptr = (*bev).cbarg;
            }
        })
    }
}

unsafe fn ctrl(bev: *mut bufferevent, op: c_int, data: &mut CtrlData) -> c_int {
    // SAFETY: live per the caller.
    unsafe {
        with(bev, -1, |bev| match engine::ops(bev).ctrl {
            Some(f) => f(bev, op, data),
            None => -1,
        })
    }
}

/// Puts the bufferevent on socket `fd` (where the kind supports it). Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_setfd(bufev: *mut bufferevent, fd: evutil_socket_t) -> c_int {
    let mut d = CtrlData { fd };
    // SAFETY: null or live.
    unsafe { ctrl(bufev, engine::CTRL_SET_FD, &mut d) }
}

/// The bufferevent's socket, or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_getfd(bufev: *mut bufferevent) -> evutil_socket_t {
    let mut d = CtrlData { fd: -1 };
    // SAFETY: null or live.
    if unsafe { ctrl(bufev, engine::CTRL_GET_FD, &mut d) } < 0 {
        return -1;
    }
    // SAFETY: the operation wrote the fd.
    unsafe { d.fd }
}

/// The bufferevent a wrapping bufferevent (a filter) works over, or NULL.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_underlying(bufev: *mut bufferevent) -> *mut bufferevent {
    let mut d = CtrlData { ptr: null_mut() };
    // SAFETY: null or live.
    if unsafe { ctrl(bufev, engine::CTRL_GET_UNDERLYING, &mut d) } < 0 {
        return null_mut();
    }
    // SAFETY: the operation wrote the pointer.
    unsafe { d.ptr.cast() }
}

/// Appends `size` bytes at `data` to the output; they are sent when the transport allows.
/// Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_write(bufev: *mut bufferevent, data: *const c_void, size: size_t) -> c_int {
    if bufev.is_null() {
        return -1;
    }
    // SAFETY: live; `data` holds `size` bytes.
    if unsafe { evbuffer_add((*bufev).output, data, size) } == -1 {
        return -1;
    }
    0
}

/// Moves all of `buf` to the end of the output. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_write_buffer(bufev: *mut bufferevent, buf: *mut evbuffer) -> c_int {
    if bufev.is_null() {
        return -1;
    }
    // SAFETY: live.
    unsafe { evbuffer_add_buffer((*bufev).output, buf) }
}

/// Removes up to `size` bytes from the front of the input into `data`; returns how many.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_read(bufev: *mut bufferevent, data: *mut c_void, size: size_t) -> size_t {
    if bufev.is_null() {
        return 0;
    }
    // SAFETY: live; `data` has room for `size` bytes.
    unsafe { evbuffer_remove((*bufev).input, data, size) as size_t }
}

/// Moves all of the input to the end of `buf`. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_read_buffer(bufev: *mut bufferevent, buf: *mut evbuffer) -> c_int {
    if bufev.is_null() {
        return -1;
    }
    // SAFETY: live.
    unsafe { evbuffer_add_buffer(buf, (*bufev).input) }
}

/// The input buffer: read and drain it (the bufferevent adds to it).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_input(bufev: *mut bufferevent) -> *mut evbuffer {
    // SAFETY: null or live.
    unsafe { bufev.as_ref() }.map_or(null_mut(), |b| b.input)
}

/// The output buffer: add to it (the bufferevent drains it).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_output(bufev: *mut bufferevent) -> *mut evbuffer {
    // SAFETY: null or live.
    unsafe { bufev.as_ref() }.map_or(null_mut(), |b| b.output)
}

/// Enables reading and/or writing (`EV_READ|EV_WRITE`). Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_enable(bufev: *mut bufferevent, event: c_short) -> c_int {
    if bufev.is_null() {
        return -1;
    }
    // SAFETY: live.
    unsafe { engine::enable(bufev, event) }
}

/// Disables reading and/or writing. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_disable(bufev: *mut bufferevent, event: c_short) -> c_int {
    if bufev.is_null() {
        return -1;
    }
    // SAFETY: live.
    unsafe { engine::disable(bufev, event) }
}

/// The enabled directions (`EV_READ|EV_WRITE` bits).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_enabled(bufev: *mut bufferevent) -> c_short {
    // SAFETY: null or live.
    unsafe { with(bufev, 0, |bev| (*bev).enabled) }
}

/// Sets the read and write timeouts (NULL: none). When no data could be read (written) for
/// that long while reading (writing) is enabled, the event callback gets
/// `BEV_EVENT_TIMEOUT|BEV_EVENT_READING` (`..._WRITING`) and that direction is disabled.
/// Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_set_timeouts(
    bufev: *mut bufferevent,
    timeout_read: *const timeval,
    timeout_write: *const timeval,
) -> c_int {
    // SAFETY: live; the timevals are null or valid.
    unsafe {
        with(bufev, -1, |bev| {
            let zero = timeval { tv_sec: 0, tv_usec: 0 };
            (*bev).timeout_read = timeout_read.as_ref().copied().unwrap_or(zero);
            (*bev).timeout_write = timeout_write.as_ref().copied().unwrap_or(zero);
            match engine::ops(bev).adj_timeouts {
                Some(f) => f(bev),
                None => 0,
            }
        })
    }
}

/// Sets the low and high watermarks of the directions in `events`. Read low: the read callback
/// waits until that much is buffered. Read high: reading stops while that much is buffered (0:
/// no limit). Write low: the write callback runs when the output drains to it.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_setwatermark(bufev: *mut bufferevent, events: c_short, lowmark: size_t, highmark: size_t) {
    if !bufev.is_null() {
        // SAFETY: live.
        unsafe { engine::set_watermark(bufev, events, lowmark, highmark) }
    }
}

/// Stores the watermarks of one direction (`events` exactly `EV_READ` or `EV_WRITE`) where the
/// non-NULL pointers say. Returns 0, or -1 for any other `events`.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_getwatermark(
    bufev: *mut bufferevent,
    events: c_short,
    lowmark: *mut size_t,
    highmark: *mut size_t,
) -> c_int {
    use super::event_defs::{EV_READ, EV_WRITE};
    if events != EV_READ && events != EV_WRITE {
        return -1;
    }
    // SAFETY: live; out-pointers null or writable.
    unsafe {
        with(bufev, -1, |bev| {
            let wm = if events == EV_READ { (*bev).wm_read } else { (*bev).wm_write };
            if !lowmark.is_null() {
                *lowmark = wm.low;
            }
            if !highmark.is_null() {
                *highmark = wm.high;
            }
            0
        })
    }
}

/// Takes the bufferevent's lock (no-op unless made with `BEV_OPT_THREADSAFE`).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_lock(bufev: *mut bufferevent) {
    if !bufev.is_null() {
        // SAFETY: live.
        unsafe { engine::lock(bufev) }
    }
}

/// Releases the bufferevent's lock.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_unlock(bufev: *mut bufferevent) {
    if !bufev.is_null() {
        // SAFETY: live and locked by this thread.
        unsafe { engine::unlock(bufev) }
    }
}

/// Takes a reference: the bufferevent stays allocated until a matching `bufferevent_decref()`.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_incref(bufev: *mut bufferevent) {
    if !bufev.is_null() {
        // SAFETY: live.
        unsafe {
            engine::incref_and_lock(bufev);
            engine::unlock(bufev);
        }
    }
}

/// Drops a reference. Returns 1 if it was the last (the bufferevent is being freed), else 0.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_decref(bufev: *mut bufferevent) -> c_int {
    if bufev.is_null() {
        return 0;
    }
    // SAFETY: live, with the reference given up here.
    unsafe {
        engine::lock(bufev);
        engine::decref_and_unlock(bufev) as c_int
    }
}

/// Runs the read and/or write callback (`EV_READ|EV_WRITE`) as if data had moved, subject to
/// the watermarks unless `BEV_TRIG_IGNORE_WATERMARKS`; deferred with `BEV_TRIG_DEFER_CALLBACKS`.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_trigger(bufev: *mut bufferevent, iotype: c_short, options: c_int) {
    if bufev.is_null() {
        return;
    }
    // SAFETY: live.
    unsafe {
        engine::incref_and_lock(bufev);
        engine::trigger_nolock(bufev, iotype, options & engine::TRIG_ALL_OPTS);
        engine::decref_and_unlock(bufev);
    }
}

/// Runs the event callback with `what`; deferred with `BEV_TRIG_DEFER_CALLBACKS`.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_trigger_event(bufev: *mut bufferevent, what: c_short, options: c_int) {
    if bufev.is_null() {
        return;
    }
    // SAFETY: live.
    unsafe {
        engine::incref_and_lock(bufev);
        engine::run_eventcb(bufev, what, options & engine::TRIG_ALL_OPTS);
        engine::decref_and_unlock(bufev);
    }
}

/// See the declaration in the header (written by hand for its enum parameter).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn bufferevent_flush(bufev: *mut bufferevent, iotype: c_short, mode: c_int) -> c_int {
    // SAFETY: null or live.
    unsafe {
        with(bufev, -1, |bev| match engine::ops(bev).flush {
            Some(f) => f(bev, iotype, mode),
            None => -1,
        })
    }
}

/// Sets the most bytes one read may take (0 or more than `EV_SSIZE_MAX`: the default, 16384).
/// Returns 0.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_set_max_single_read(bev: *mut bufferevent, size: size_t) -> c_int {
    // SAFETY: null or live.
    unsafe {
        with(bev, -1, |bev| {
            (*engine::private(bev)).max_single_read = if size == 0 || size > isize::MAX as usize {
                engine::MAX_SINGLE_READ_DEFAULT
            } else {
                size as isize
            };
            0
        })
    }
}

/// Sets the most bytes one write may send (0 or more than `EV_SSIZE_MAX`: the default, 16384).
/// Returns 0.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_set_max_single_write(bev: *mut bufferevent, size: size_t) -> c_int {
    // SAFETY: null or live.
    unsafe {
        with(bev, -1, |bev| {
            (*engine::private(bev)).max_single_write = if size == 0 || size > isize::MAX as usize {
                engine::MAX_SINGLE_WRITE_DEFAULT
            } else {
                size as isize
            };
            0
        })
    }
}

/// The most bytes one read may take.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_max_single_read(bev: *mut bufferevent) -> ev_ssize_t {
    // SAFETY: null or live.
    unsafe { with(bev, -1, |bev| (*engine::private(bev)).max_single_read) }
}

/// The most bytes one write may send.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_max_single_write(bev: *mut bufferevent) -> ev_ssize_t {
    // SAFETY: null or live.
    unsafe { with(bev, -1, |bev| (*engine::private(bev)).max_single_write) }
}

/// How many bytes the next read may take now (the single-read maximum, narrowed by rate limits).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_max_to_read(bev: *mut bufferevent) -> ev_ssize_t {
    // SAFETY: null or live.
    unsafe { with(bev, -1, |bev| engine::read_max(bev)) }
}

/// How many bytes the next write may send now.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_max_to_write(bev: *mut bufferevent) -> ev_ssize_t {
    // SAFETY: null or live.
    unsafe { with(bev, -1, |bev| engine::write_max(bev)) }
}

/// An evdns resolver. Opaque; declared here for `bufferevent_socket_connect_hostname`.
/// cbindgen:ignore
pub struct evdns_base {
    _opaque: [u8; 0],
}

// ---- rate limits ----

/// Token-bucket rate-limit settings (`ev_token_bucket_cfg_new`). Opaque.
/// cbindgen:ignore
pub struct ev_token_bucket_cfg {
    _opaque: [u8; 0],
}

/// A group of bufferevents sharing one rate limit. Opaque.
/// cbindgen:ignore
pub struct bufferevent_rate_limit_group {
    _opaque: [u8; 0],
}

use crate::bufferevent::ratelim;
use super::util_defs::ev_uint64_t;

/// Makes rate-limit settings: per tick, `read_rate` bytes may be read and `write_rate` written,
/// with at most `read_burst` / `write_burst` saved up; a tick lasts `tick_len` (1 second when
/// null). Returns null when a rate is 0, exceeds its burst, or a value exceeds
/// EV_RATE_LIMIT_MAX. Free with ev_token_bucket_cfg_free() once no bufferevent uses it.
#[no_mangle]
pub unsafe extern "C" fn ev_token_bucket_cfg_new(
    read_rate: size_t,
    read_burst: size_t,
    write_rate: size_t,
    write_burst: size_t,
    tick_len: *const timeval,
) -> *mut ev_token_bucket_cfg {
    // SAFETY: `tick_len` is null or valid.
    let tick = if tick_len.is_null() { None } else { Some(unsafe { *tick_len }) };
    match ratelim::Cfg::new(read_rate, read_burst, write_rate, write_burst, tick) {
        Some(c) => Box::into_raw(Box::new(c)).cast(),
        None => null_mut(),
    }
}

/// Frees settings made by ev_token_bucket_cfg_new().
#[no_mangle]
pub unsafe extern "C" fn ev_token_bucket_cfg_free(cfg: *mut ev_token_bucket_cfg) {
    if !cfg.is_null() {
        // SAFETY: made by ev_token_bucket_cfg_new.
        drop(unsafe { Box::from_raw(cfg as *mut ratelim::Cfg) });
    }
}

/// Limits `bev` with the settings `cfg` (which must outlive this use), or removes its own
/// limit when `cfg` is null. A bufferevent that ran out waits for the next tick. 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_set_rate_limit(bev: *mut bufferevent, cfg: *mut ev_token_bucket_cfg) -> c_int {
    if bev.is_null() {
        return -1;
    }
    // SAFETY: live bufferevent; cfg null or from ev_token_bucket_cfg_new.
    unsafe { ratelim::set_rate_limit(bev, cfg as *const ratelim::Cfg) }
}

/// The settings last given to bufferevent_set_rate_limit(), or null.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_token_bucket_cfg(bev: *const bufferevent) -> *const ev_token_bucket_cfg {
    if bev.is_null() {
        return std::ptr::null();
    }
    // SAFETY: live bufferevent.
    unsafe { ratelim::get_cfg(bev as *mut bufferevent).cast() }
}

/// Makes a group sharing the limit `cfg` (copied) among its members; its ticks run on `base`.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_new(
    base: *mut event_base,
    cfg: *const ev_token_bucket_cfg,
) -> *mut bufferevent_rate_limit_group {
    if base.is_null() || cfg.is_null() {
        return null_mut();
    }
    // SAFETY: live base and settings.
    unsafe { ratelim::group_new(base, &*(cfg as *const ratelim::Cfg)).cast() }
}

/// Gives the group new settings (copied); its saved budget is cut to the new bursts. 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_set_cfg(
    g: *mut bufferevent_rate_limit_group,
    cfg: *const ev_token_bucket_cfg,
) -> c_int {
    if g.is_null() || cfg.is_null() {
        return -1;
    }
    // SAFETY: live group and settings.
    unsafe { ratelim::group_set_cfg(g.cast(), &*(cfg as *const ratelim::Cfg)) };
    0
}

/// Sets the least a member may move at once however many share the group (64 by default;
/// capped to one tick's rate). -1 when larger than EV_SSIZE_MAX.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_set_min_share(g: *mut bufferevent_rate_limit_group, share: size_t) -> c_int {
    if g.is_null() {
        return -1;
    }
    // SAFETY: live group.
    unsafe { ratelim::group_set_min_share(g.cast(), share) }
}

/// Frees a group, which must have no members left.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_free(g: *mut bufferevent_rate_limit_group) {
    if !g.is_null() {
        // SAFETY: live group.
        unsafe { ratelim::group_free(g.cast()) }
    }
}

/// Makes `bev` a member of `g` (leaving its previous group). 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_add_to_rate_limit_group(bev: *mut bufferevent, g: *mut bufferevent_rate_limit_group) -> c_int {
    if bev.is_null() || g.is_null() {
        return -1;
    }
    // SAFETY: live bufferevent and group.
    unsafe { ratelim::add_to_group(bev, g.cast()) }
}

/// Takes `bev` out of its group, if any. 0.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_remove_from_rate_limit_group(bev: *mut bufferevent) -> c_int {
    if bev.is_null() {
        return -1;
    }
    // SAFETY: live bufferevent.
    unsafe { ratelim::remove_from_group(bev, true) }
}

/// The bytes `bev`'s own limit still allows reading (may be negative), EV_SSIZE_MAX without one.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_read_limit(bev: *mut bufferevent) -> ev_ssize_t {
    // SAFETY: live bufferevent.
    unsafe { ratelim::get_limit(bev, false) }
}

/// The bytes `bev`'s own limit still allows writing, EV_SSIZE_MAX without one.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_get_write_limit(bev: *mut bufferevent) -> ev_ssize_t {
    // SAFETY: live bufferevent.
    unsafe { ratelim::get_limit(bev, true) }
}

/// The bytes the group still allows reading this tick (may be negative).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_get_read_limit(g: *mut bufferevent_rate_limit_group) -> ev_ssize_t {
    // SAFETY: live group.
    unsafe { ratelim::group_limit(g.cast(), false) }
}

/// The bytes the group still allows writing this tick (may be negative).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_get_write_limit(g: *mut bufferevent_rate_limit_group) -> ev_ssize_t {
    // SAFETY: live group.
    unsafe { ratelim::group_limit(g.cast(), true) }
}

/// Takes `decr` bytes (negative: gives back) from `bev`'s own read budget, pausing or resuming
/// reading when it crosses zero. The bufferevent must have a limit. 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_decrement_read_limit(bev: *mut bufferevent, decr: ev_ssize_t) -> c_int {
    // SAFETY: live bufferevent.
    unsafe { ratelim::decrement(bev, decr, false) }
}

/// As bufferevent_decrement_read_limit(), for writing.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_decrement_write_limit(bev: *mut bufferevent, decr: ev_ssize_t) -> c_int {
    // SAFETY: live bufferevent.
    unsafe { ratelim::decrement(bev, decr, true) }
}

/// Takes `decr` bytes from the group's read budget, pausing or resuming its members. 0.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_decrement_read(g: *mut bufferevent_rate_limit_group, decr: ev_ssize_t) -> c_int {
    // SAFETY: live group.
    unsafe { ratelim::group_decrement(g.cast(), decr, false) }
}

/// As bufferevent_rate_limit_group_decrement_read(), for writing.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_decrement_write(g: *mut bufferevent_rate_limit_group, decr: ev_ssize_t) -> c_int {
    // SAFETY: live group.
    unsafe { ratelim::group_decrement(g.cast(), decr, true) }
}

/// Stores the bytes the group's members read and wrote since it was made or last reset
/// (either pointer may be null).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_get_totals(
    g: *mut bufferevent_rate_limit_group,
    total_read_out: *mut ev_uint64_t,
    total_written_out: *mut ev_uint64_t,
) {
    // SAFETY: live group; outputs null or valid.
    unsafe {
        let (r, w) = ratelim::group_totals(g.cast());
        if !total_read_out.is_null() {
            *total_read_out = r;
        }
        if !total_written_out.is_null() {
            *total_written_out = w;
        }
    }
}

/// Sets the group's totals back to zero.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_rate_limit_group_reset_totals(g: *mut bufferevent_rate_limit_group) {
    // SAFETY: live group.
    unsafe { ratelim::group_reset_totals(g.cast()) }
}

// ---- pairs ----

/// See the declaration in the header (written by hand for its array parameter).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn bufferevent_pair_new(base: *mut event_base, options: c_int, pair: *mut *mut bufferevent) -> c_int {
    if pair.is_null() {
        return -1;
    }
    // SAFETY: `base` live and `pair` two writable slots per the API.
    unsafe { crate::bufferevent::pair::new(base, options, pair) }
}

/// The other side of a pair, or NULL when `bev` is not a pair or its partner was freed.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_pair_get_partner(bev: *mut bufferevent) -> *mut bufferevent {
    // SAFETY: null or live.
    unsafe { crate::bufferevent::pair::get_partner(bev) }
}
