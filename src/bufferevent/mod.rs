//! Bufferevents: an input and an output evbuffer glued to some transport, with callbacks when
//! data arrived, when the output drained, and on events (EOF, errors, timeouts, connect).
//!
//! # Layout
//!
//! Every bufferevent is one allocation that starts with [`BevPrivate`], whose first field is the
//! public `struct bufferevent` (libevent's 392-byte prefix, `capi::bufferevent_struct`). A
//! kind of bufferevent may embed `BevPrivate` at the start of a larger `#[repr(C)]` struct of
//! its own (the pair, filter and TLS kinds will), so `*mut bufferevent`, `*mut BevPrivate` and
//! `*mut <kind struct>` are the same address.
//!
//! # The operations table
//!
//! `bufferevent.be_ops` points to a [`BevOps`]: a `#[repr(C)]` table of `extern "C"` functions,
//! one static table per kind. It is the seam between the generic code here and a kind's
//! transport, and it is C-compatible on purpose: a kind living in another shared object (the
//! TLS bufferevents of `libevent_openssl.so`) fills in a table of its own and hands it to
//! [`init_common`] through the library's private hook table.
//!
//! # Locking and references
//!
//! With `BEV_OPT_THREADSAFE` the bufferevent owns one recursive lock from the program's
//! threading callbacks and shares it with its two evbuffers (as libevent does), so a callback
//! of an evbuffer and the bufferevent's own code never take two locks in opposite orders. The
//! functions here named `*_nolock` and every function taking a `*mut bufferevent` without
//! locking expect the caller to hold it.
//!
//! `refcnt` counts the owner's reference (dropped by `bufferevent_free`), references taken by
//! code that may run user callbacks (so that a callback may free the bufferevent), and one
//! for a queued deferred callback. When it reaches zero the bufferevent's events are removed
//! and a finalizing callback is queued on the base: the memory, the evbuffers and (with
//! `BEV_OPT_CLOSE_ON_FREE`) the socket are released from the loop, after any callback of the
//! bufferevent that is still running has returned, or when the base is freed.

pub mod ratelim;
pub mod pair;
pub mod socket;

use crate::buffer::callbacks::CB_NODEFER;
use crate::capi::buffer::{
    evbuffer_add_cb, evbuffer_cb_clear_flags, evbuffer_cb_set_flags, evbuffer_enable_locking,
    evbuffer_free, evbuffer_get_length, evbuffer_new,
};
use crate::capi::buffer_defs::{evbuffer, evbuffer_cb_entry, evbuffer_cb_info, EVBUFFER_CB_ENABLED};
use crate::capi::bufferevent_struct::{bufferevent, bufferevent_ops};
use crate::capi::event::{event_add, event_base, event_pending, event_remove_timer};
use crate::capi::event_defs::{EV_READ, EV_WRITE};
use crate::capi::event_struct::{event, event_callback, EVLIST_FINALIZING, EVLIST_INIT};
use crate::capi::thread_defs::EVTHREAD_LOCKTYPE_RECURSIVE;
use crate::reactor::base::{Base, DelMode, CLOSURE_CB_FINALIZE, CURRENT_BASE};
use crate::reactor::{debug, deferred, thread};
use crate::util::{log, mem};
use libc::{c_char, c_int, c_short, c_void, timeval};
use std::ptr::null_mut;
use std::sync::atomic::Ordering;

// ---- values of the public API (event2/bufferevent.h), as the engine uses them ----

pub const BEV_EVENT_READING: c_short = 0x01;
pub const BEV_EVENT_WRITING: c_short = 0x02;
pub const BEV_EVENT_EOF: c_short = 0x10;
pub const BEV_EVENT_ERROR: c_short = 0x20;
pub const BEV_EVENT_TIMEOUT: c_short = 0x40;
pub const BEV_EVENT_CONNECTED: c_short = 0x80;

pub const OPT_CLOSE_ON_FREE: c_int = 1 << 0;
pub const OPT_THREADSAFE: c_int = 1 << 1;
pub const OPT_DEFER_CALLBACKS: c_int = 1 << 2;
pub const OPT_UNLOCK_CALLBACKS: c_int = 1 << 3;

pub const TRIG_IGNORE_WATERMARKS: c_int = 1 << 16;
pub const TRIG_DEFER_CALLBACKS: c_int = OPT_DEFER_CALLBACKS;
pub const TRIG_ALL_OPTS: c_int = TRIG_IGNORE_WATERMARKS | TRIG_DEFER_CALLBACKS;

/// Default (and maximum when unset) bytes moved by one read or write of a socket bufferevent.
pub const MAX_SINGLE_READ_DEFAULT: isize = 16384;
pub const MAX_SINGLE_WRITE_DEFAULT: isize = 16384;

// ---- why a direction is held off although enabled (`read_suspended`/`write_suspended` bits) ----

/// The input reached the read high watermark.
pub const SUSPEND_WM: u16 = 0x01;
/// The bufferevent's own rate limit is exhausted (rate limits).
pub const SUSPEND_BW: u16 = 0x02;
/// Its rate-limit group's budget is exhausted (rate limits).
pub const SUSPEND_BW_GROUP: u16 = 0x04;
/// A host name is being resolved (`bufferevent_socket_connect_hostname`).
pub const SUSPEND_LOOKUP: u16 = 0x08;
/// A filter's underlying bufferevent is held off by the filter (filters).
pub const SUSPEND_FILT_READ: u16 = 0x10;

// ---- the operations table ----

/// `ctrl` operation: set the fd (`data.fd`).
pub const CTRL_SET_FD: c_int = 0;
/// `ctrl` operation: get the fd into `data.fd`.
pub const CTRL_GET_FD: c_int = 1;
/// `ctrl` operation: get the underlying bufferevent into `data.ptr`.
pub const CTRL_GET_UNDERLYING: c_int = 2;
/// `ctrl` operation: cancel pending work (name lookups) because the owner frees it.
pub const CTRL_CANCEL_ALL: c_int = 3;

/// The argument of a `ctrl` operation.
#[repr(C)]
#[derive(Clone, Copy)]
pub union CtrlData {
    pub fd: c_int,
    pub ptr: *mut c_void,
}

/// What a kind of bufferevent does for the generic code. All functions are called with the
/// bufferevent's lock held.
#[repr(C)]
pub struct BevOps {
    /// NUL-terminated name of the kind ("socket", "pair", ...), for messages.
    pub type_name: *const c_char,
    /// Start reading and/or writing (`EV_READ|EV_WRITE` bits) at the transport. 0 or -1.
    pub enable: unsafe extern "C" fn(*mut bufferevent, c_short) -> c_int,
    /// Stop reading and/or writing at the transport. 0 or -1.
    pub disable: unsafe extern "C" fn(*mut bufferevent, c_short) -> c_int,
    /// The last reference is gone: detach from partners before the finalizer is queued.
    pub unlink: Option<unsafe extern "C" fn(*mut bufferevent)>,
    /// Release the kind's resources (close the fd, ...), from the finalizer.
    pub destruct: Option<unsafe extern "C" fn(*mut bufferevent)>,
    /// The timeouts changed: re-arm the pending events with them. 0 or -1.
    pub adj_timeouts: Option<unsafe extern "C" fn(*mut bufferevent) -> c_int>,
    /// `bufferevent_flush(bev, iotype, mode)`: -1 error, 0 nothing flushed, 1 flushed.
    pub flush: Option<unsafe extern "C" fn(*mut bufferevent, c_short, c_int) -> c_int>,
    /// Miscellaneous operations (`CTRL_*`). 0 or -1 (unsupported).
    pub ctrl: Option<unsafe extern "C" fn(*mut bufferevent, c_int, *mut CtrlData) -> c_int>,
    /// Frees the allocation that starts with the bufferevent (the kind's whole struct).
    pub dealloc: unsafe extern "C" fn(*mut bufferevent),
}

// SAFETY: the tables are immutable statics; the name pointer refers to a static string.
unsafe impl Sync for BevOps {}

/// The engine's state of a bufferevent, right after the public prefix (see the module docs).
#[repr(C)]
pub struct BevPrivate {
    /// The public prefix; must stay first.
    pub bev: bufferevent,
    /// The lock (from the program's threading callbacks), null without `BEV_OPT_THREADSAFE`.
    pub lock: *mut c_void,
    /// Whether `lock` was allocated here (freed with the bufferevent).
    pub own_lock: bool,
    /// See the module docs.
    pub refcnt: c_int,
    /// `BEV_OPT_*` given at creation.
    pub options: c_int,
    /// Deferred mode: the read/write callbacks wait for the deferred run.
    pub readcb_pending: bool,
    pub writecb_pending: bool,
    /// Deferred mode: the event flags collected for the deferred run, and errno with them.
    pub eventcb_pending: c_short,
    pub errno_pending: c_int,
    /// `SUSPEND_*` bits holding reading / writing off.
    pub read_suspended: u16,
    pub write_suspended: u16,
    /// A connect is in progress (socket): the next writability reports its result.
    pub connecting: bool,
    /// The read side saw the connect refused before the write side checked it.
    pub connection_refused: bool,
    /// The last name-lookup error of `bufferevent_socket_connect_hostname`.
    pub dns_error: c_int,
    /// Most bytes one read / write moves.
    pub max_single_read: isize,
    pub max_single_write: isize,
    /// The deferred callback (runs the pending callbacks from the loop), then the finalizer.
    pub deferred: event_callback,
    /// The input-buffer callback that enforces the read high watermark (null until needed).
    pub read_wm_cb: *mut evbuffer_cb_entry,
    /// Rate-limit state (null: unlimited). Owned by the rate-limit code.
    pub rate_limiting: *mut c_void,
    /// The finalizer has been queued: nothing may run any more.
    pub finalizing: bool,
}

#[inline]
pub fn private(bev: *mut bufferevent) -> *mut BevPrivate {
    bev as *mut BevPrivate
}

#[inline]
pub unsafe fn ops(bev: *mut bufferevent) -> &'static BevOps {
    // SAFETY: every live bufferevent points to a static table.
    unsafe { &*((*bev).be_ops as *const BevOps) }
}

pub fn ops_ptr(o: &'static BevOps) -> *const bufferevent_ops {
    o as *const BevOps as *const bufferevent_ops
}

// ---- the lock ----

#[inline]
fn raw_lock(l: *mut c_void) {
    if !l.is_null() {
        if let Some(f) = thread::LOCK_FNS.get().lock {
            // SAFETY: a lock allocated with these callbacks.
            unsafe { f(0, l) };
        }
    }
}

#[inline]
fn raw_unlock(l: *mut c_void) {
    if !l.is_null() {
        if let Some(f) = thread::LOCK_FNS.get().unlock {
            // SAFETY: a lock allocated with these callbacks, held by this thread.
            unsafe { f(0, l) };
        }
    }
}

/// Takes the bufferevent's lock (no-op without one).
///
/// # Safety
/// `bev` is live.
#[inline]
pub unsafe fn lock(bev: *mut bufferevent) {
    // SAFETY: per the caller.
    raw_lock(unsafe { (*private(bev)).lock })
}

/// Releases the bufferevent's lock.
///
/// # Safety
/// `bev` is live and locked by this thread.
#[inline]
pub unsafe fn unlock(bev: *mut bufferevent) {
    // SAFETY: per the caller.
    raw_unlock(unsafe { (*private(bev)).lock })
}

/// Locks and takes a reference.
///
/// # Safety
/// `bev` is live.
pub unsafe fn incref_and_lock(bev: *mut bufferevent) {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        (*private(bev)).refcnt += 1;
    }
}

/// Takes a reference; the lock is held.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn incref_nolock(bev: *mut bufferevent) {
    // SAFETY: per the caller.
    unsafe { (*private(bev)).refcnt += 1 }
}

// ---- creation ----

/// Fills in the generic part of a zeroed `BevPrivate`: buffers, lock, defaults, deferred
/// callback. On failure everything made here is released and -1 returned (the caller frees
/// its allocation).
///
/// # Safety
/// `p` points to a zeroed `BevPrivate` (possibly the start of a larger struct) that does not
/// move; `base` is null or live.
pub unsafe fn init_common(p: *mut BevPrivate, base: *mut event_base, o: &'static BevOps, options: c_int) -> c_int {
    // SAFETY: per the caller; the evbuffers are fresh.
    unsafe {
        if options & (OPT_DEFER_CALLBACKS | OPT_UNLOCK_CALLBACKS) == OPT_UNLOCK_CALLBACKS {
            log::warnx("UNLOCK_CALLBACKS requires DEFER_CALLBACKS");
            return -1;
        }
        let bev = &mut (*p).bev;
        bev.input = evbuffer_new();
        bev.output = evbuffer_new();
        if bev.input.is_null() || bev.output.is_null() {
            free_buffers(bev);
            return -1;
        }
        (*p).refcnt = 1;
        bev.ev_base = base;
        bev.be_ops = ops_ptr(o);
        bev.enabled = EV_WRITE;
        (*p).max_single_read = MAX_SINGLE_READ_DEFAULT;
        (*p).max_single_write = MAX_SINGLE_WRITE_DEFAULT;
        if options & OPT_THREADSAFE != 0 {
            let fns = thread::LOCK_FNS.get();
            let l = match fns.alloc {
                Some(alloc) => alloc(EVTHREAD_LOCKTYPE_RECURSIVE),
                None => null_mut(),
            };
            if l.is_null() {
                free_buffers(bev);
                return -1;
            }
            (*p).lock = l;
            (*p).own_lock = true;
            evbuffer_enable_locking(bev.input, l);
            evbuffer_enable_locking(bev.output, l);
        }
        let b = if base.is_null() { CURRENT_BASE.load(Ordering::Acquire) } else { base as *mut Base };
        let pri = if b.is_null() { 0 } else { ((*b).npriorities() / 2).max(0) as u8 };
        let run: deferred::DeferredFn =
            if options & OPT_UNLOCK_CALLBACKS != 0 { run_deferred_unlocked } else { run_deferred_locked };
        deferred::init(&mut (*p).deferred, pri, run, p.cast());
        (*p).options = options;
    }
    0
}

unsafe fn free_buffers(bev: &mut bufferevent) {
    // SAFETY: null or buffers made by init_common.
    unsafe {
        evbuffer_free(bev.input);
        evbuffer_free(bev.output);
    }
    bev.input = null_mut();
    bev.output = null_mut();
}

// ---- running the callbacks ----

/// The base the bufferevent's deferred callback goes to.
unsafe fn deferred_base(bev: *mut bufferevent) -> *mut Base {
    // SAFETY: `bev` is live.
    unsafe {
        let b = (*bev).ev_base as *mut Base;
        if b.is_null() {
            CURRENT_BASE.load(Ordering::Acquire)
        } else {
            b
        }
    }
}

/// Queues the deferred run (taking a reference for it) unless it is queued already.
unsafe fn schedule_deferred(bev: *mut bufferevent) {
    // SAFETY: `bev` is live and locked.
    unsafe {
        let base = deferred_base(bev);
        if base.is_null() {
            return;
        }
        if deferred::schedule(base, &mut (*private(bev)).deferred) {
            incref_nolock(bev);
        }
    }
}

/// Runs (or, deferred, queues) the read callback. Lock and a reference held.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn run_readcb(bev: *mut bufferevent, options: c_int) {
    // SAFETY: per the caller.
    unsafe {
        let p = private(bev);
        let Some(cb) = (*bev).readcb else { return };
        if ((*p).options | options) & OPT_DEFER_CALLBACKS != 0 {
            (*p).readcb_pending = true;
            schedule_deferred(bev);
        } else {
            cb(bev, (*bev).cbarg);
            inbuf_wm_check(bev);
        }
    }
}

/// After a read callback: while reading is enabled and the input is still at or above the read
/// high watermark, libevent 2.1.12 queues the read callback again (deferred), so a program
/// that leaves the input full keeps hearing about it. Kept for compatibility.
unsafe fn inbuf_wm_check(bev: *mut bufferevent) {
    // SAFETY: `bev` is live and locked, with a reference.
    unsafe {
        if (*bev).wm_read.high == 0 || (*bev).enabled & EV_READ == 0 {
            return;
        }
        if evbuffer_get_length((*bev).input) < (*bev).wm_read.high {
            return;
        }
        trigger_nolock(bev, EV_READ, OPT_DEFER_CALLBACKS);
    }
}

/// Runs (or queues) the write callback. Lock and a reference held.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn run_writecb(bev: *mut bufferevent, options: c_int) {
    // SAFETY: per the caller.
    unsafe {
        let p = private(bev);
        let Some(cb) = (*bev).writecb else { return };
        if ((*p).options | options) & OPT_DEFER_CALLBACKS != 0 {
            (*p).writecb_pending = true;
            schedule_deferred(bev);
        } else {
            cb(bev, (*bev).cbarg);
        }
    }
}

/// Runs (or queues, remembering errno) the event callback with `what`. Lock and a reference
/// held.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn run_eventcb(bev: *mut bufferevent, what: c_short, options: c_int) {
    // SAFETY: per the caller.
    unsafe {
        let p = private(bev);
        let Some(cb) = (*bev).errorcb else { return };
        if ((*p).options | options) & OPT_DEFER_CALLBACKS != 0 {
            (*p).eventcb_pending |= what;
            (*p).errno_pending = errno();
            schedule_deferred(bev);
        } else {
            cb(bev, what, (*bev).cbarg);
        }
    }
}

/// Runs the read and/or write callback if the watermarks allow (or `TRIG_IGNORE_WATERMARKS`).
///
/// # Safety
/// `bev` is live and locked, with a reference held.
pub unsafe fn trigger_nolock(bev: *mut bufferevent, iotype: c_short, options: c_int) {
    // SAFETY: per the caller.
    unsafe {
        let ignore = options & TRIG_IGNORE_WATERMARKS != 0;
        if iotype & EV_READ != 0 && (ignore || evbuffer_get_length((*bev).input) >= (*bev).wm_read.low) {
            run_readcb(bev, options);
        }
        if iotype & EV_WRITE != 0 && (ignore || evbuffer_get_length((*bev).output) <= (*bev).wm_write.low) {
            run_writecb(bev, options);
        }
    }
}

pub fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

pub fn set_errno(e: c_int) {
    // SAFETY: writing this thread's errno.
    unsafe { *libc::__errno_location() = e };
}

/// The deferred run, the bufferevent's lock held around each callback.
unsafe extern "C" fn run_deferred_locked(_cb: *mut event_callback, arg: *mut c_void) {
    let bev = arg as *mut bufferevent;
    // SAFETY: the queued run holds a reference, so `bev` is live.
    unsafe {
        lock(bev);
        run_pending(bev, false);
        decref_and_unlock(bev);
    }
}

/// The deferred run with the lock released while each callback runs (`BEV_OPT_UNLOCK_CALLBACKS`).
unsafe extern "C" fn run_deferred_unlocked(_cb: *mut event_callback, arg: *mut c_void) {
    let bev = arg as *mut bufferevent;
    // SAFETY: as above.
    unsafe {
        lock(bev);
        run_pending(bev, true);
        decref_and_unlock(bev);
    }
}

/// Runs what the deferred run collected: a connect first (it happened before any I/O), then
/// the read and write callbacks, then the other events with their errno.
unsafe fn run_pending(bev: *mut bufferevent, unlocked: bool) {
    // SAFETY: `bev` is live and locked, with a reference.
    unsafe {
        let p = private(bev);
        let call_event = |what: c_short| {
            if let Some(cb) = (*bev).errorcb {
                let arg = (*bev).cbarg;
                if unlocked {
                    unlock(bev);
                }
                cb(bev, what, arg);
                if unlocked {
                    lock(bev);
                }
            }
        };
        let call_data = |cb: Option<unsafe extern "C" fn(*mut bufferevent, *mut c_void)>| {
            if let Some(cb) = cb {
                let arg = (*bev).cbarg;
                if unlocked {
                    unlock(bev);
                }
                cb(bev, arg);
                if unlocked {
                    lock(bev);
                }
            }
        };
        if (*p).eventcb_pending & BEV_EVENT_CONNECTED != 0 && (*bev).errorcb.is_some() {
            (*p).eventcb_pending &= !BEV_EVENT_CONNECTED;
            call_event(BEV_EVENT_CONNECTED);
        }
        if (*p).readcb_pending && (*bev).readcb.is_some() {
            (*p).readcb_pending = false;
            call_data((*bev).readcb);
            inbuf_wm_check(bev);
        }
        if (*p).writecb_pending && (*bev).writecb.is_some() {
            (*p).writecb_pending = false;
            call_data((*bev).writecb);
        }
        if (*p).eventcb_pending != 0 && (*bev).errorcb.is_some() {
            let what = (*p).eventcb_pending;
            let err = (*p).errno_pending;
            (*p).eventcb_pending = 0;
            (*p).errno_pending = 0;
            set_errno(err);
            call_event(what);
        }
    }
}

// ---- references and freeing ----

/// Drops a reference and unlocks; when it was the last, queues the finalizer. Returns whether
/// the last reference went.
///
/// # Safety
/// `bev` is live and locked by this thread, with a reference held that this drops.
pub unsafe fn decref_and_unlock(bev: *mut bufferevent) -> bool {
    // SAFETY: per the caller.
    unsafe {
        let p = private(bev);
        debug_assert!((*p).refcnt > 0);
        (*p).refcnt -= 1;
        if (*p).refcnt > 0 || (*p).finalizing {
            unlock(bev);
            return false;
        }
        (*p).finalizing = true;
        let o = ops(bev);
        if let Some(f) = o.unlink {
            f(bev);
        }
        ratelim::unlink(bev);
        let base = finalizer_base(bev);
        if base.is_null() {
            // Nothing is registered anywhere: release at once.
            unlock(bev);
            finalize(bev);
            return true;
        }
        (*base).lock.lock();
        for ev in [&mut (*bev).ev_read as *mut event, &mut (*bev).ev_write as *mut event] {
            if (*ev).ev_evcallback.evcb_flags & EVLIST_INIT != 0 {
                (*base).del_nolock(ev, DelMode::NoBlock);
            }
        }
        let cb: *mut event_callback = &mut (*p).deferred;
        (*base).callback_cancel_nolock(cb, false);
        (*cb).evcb_closure = CLOSURE_CB_FINALIZE;
        (*cb).evcb_cb_union.evcb_cbfinalize = Some(finalize_cb);
        (*cb).evcb_arg = bev.cast();
        (*base).callback_activate_nolock(cb);
        (*cb).evcb_flags |= EVLIST_FINALIZING;
        (*base).lock.unlock();
        unlock(bev);
        true
    }
}

/// The base whose loop runs the finalizer: the bufferevent's, else its events' (a legacy
/// bufferevent made before any base was set), else none.
unsafe fn finalizer_base(bev: *mut bufferevent) -> *mut Base {
    // SAFETY: `bev` is live.
    unsafe {
        if !(*bev).ev_base.is_null() {
            return (*bev).ev_base as *mut Base;
        }
        let ev = &(*bev).ev_read;
        if ev.ev_evcallback.evcb_flags & EVLIST_INIT != 0 && !ev.ev_base.is_null() {
            return ev.ev_base as *mut Base;
        }
        deferred_base(bev)
    }
}

unsafe extern "C" fn finalize_cb(_cb: *mut event_callback, arg: *mut c_void) {
    // SAFETY: queued by decref_and_unlock with the dead bufferevent as argument.
    unsafe { finalize(arg as *mut bufferevent) }
}

/// Releases everything: the kind's resources, the buffers, the lock, the memory.
unsafe fn finalize(bev: *mut bufferevent) {
    // SAFETY: no reference is left; only this runs on `bev`.
    unsafe {
        let p = private(bev);
        lock(bev);
        let o = ops(bev);
        if let Some(d) = o.destruct {
            d(bev);
        }
        free_buffers(&mut *bev);
        ratelim::release(bev);
        for ev in [&mut (*bev).ev_read as *mut event, &mut (*bev).ev_write as *mut event] {
            if (*ev).ev_evcallback.evcb_flags & EVLIST_INIT != 0 {
                debug::note_teardown(ev);
            }
        }
        let l = (*p).lock;
        unlock(bev);
        if (*p).own_lock && !l.is_null() {
            if let Some(f) = thread::LOCK_FNS.get().free {
                f(l, EVTHREAD_LOCKTYPE_RECURSIVE);
            }
        }
        (o.dealloc)(bev);
    }
}

/// `bufferevent_free`: callbacks cleared, pending work cancelled, owner's reference dropped.
///
/// # Safety
/// `bev` is live; the caller's reference is given up.
pub unsafe fn free(bev: *mut bufferevent) {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        (*bev).readcb = None;
        (*bev).writecb = None;
        (*bev).errorcb = None;
        (*bev).cbarg = null_mut();
        if let Some(c) = ops(bev).ctrl {
            let mut d = CtrlData { ptr: null_mut() };
            c(bev, CTRL_CANCEL_ALL, &mut d);
        }
        decref_and_unlock(bev);
    }
}

// ---- enabling, suspending ----

/// `bufferevent_enable`.
///
/// # Safety
/// `bev` is live.
pub unsafe fn enable(bev: *mut bufferevent, what: c_short) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        incref_and_lock(bev);
        let p = private(bev);
        let mut impl_events = what;
        if (*p).read_suspended != 0 {
            impl_events &= !EV_READ;
        }
        if (*p).write_suspended != 0 {
            impl_events &= !EV_WRITE;
        }
        (*bev).enabled |= what;
        let mut r = 0;
        if impl_events != 0 && (ops(bev).enable)(bev, impl_events) < 0 {
            r = -1;
        }
        decref_and_unlock(bev);
        r
    }
}

/// `bufferevent_disable`.
///
/// # Safety
/// `bev` is live.
pub unsafe fn disable(bev: *mut bufferevent, what: c_short) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        (*bev).enabled &= !what;
        let r = if (ops(bev).disable)(bev, what) < 0 { -1 } else { 0 };
        unlock(bev);
        r
    }
}

/// Like [`disable`], also giving up a connect in progress.
///
/// # Safety
/// `bev` is live.
pub unsafe fn disable_hard(bev: *mut bufferevent, what: c_short) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        (*bev).enabled &= !what;
        (*private(bev)).connecting = false;
        let r = if (ops(bev).disable)(bev, what) < 0 { -1 } else { 0 };
        unlock(bev);
        r
    }
}

/// Holds reading off for `why` (a `SUSPEND_*` bit).
///
/// # Safety
/// `bev` is live.
pub unsafe fn suspend_read(bev: *mut bufferevent, why: u16) {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let p = private(bev);
        if (*p).read_suspended == 0 {
            (ops(bev).disable)(bev, EV_READ);
        }
        (*p).read_suspended |= why;
        unlock(bev);
    }
}

/// Lifts the `why` hold on reading; reading resumes when nothing else holds it and it is enabled.
///
/// # Safety
/// `bev` is live.
pub unsafe fn unsuspend_read(bev: *mut bufferevent, why: u16) {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let p = private(bev);
        (*p).read_suspended &= !why;
        if (*p).read_suspended == 0 && (*bev).enabled & EV_READ != 0 {
            (ops(bev).enable)(bev, EV_READ);
        }
        unlock(bev);
    }
}

/// Holds writing off for `why`.
///
/// # Safety
/// `bev` is live.
pub unsafe fn suspend_write(bev: *mut bufferevent, why: u16) {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let p = private(bev);
        if (*p).write_suspended == 0 {
            (ops(bev).disable)(bev, EV_WRITE);
        }
        (*p).write_suspended |= why;
        unlock(bev);
    }
}

/// Lifts the `why` hold on writing.
///
/// # Safety
/// `bev` is live.
pub unsafe fn unsuspend_write(bev: *mut bufferevent, why: u16) {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let p = private(bev);
        (*p).write_suspended &= !why;
        if (*p).write_suspended == 0 && (*bev).enabled & EV_WRITE != 0 {
            (ops(bev).enable)(bev, EV_WRITE);
        }
        unlock(bev);
    }
}

// ---- watermarks ----

/// The input buffer's callback while a read high watermark is set: suspends reading at or
/// above it, resumes below it.
unsafe extern "C" fn inbuf_wm_cb(buf: *mut evbuffer, _info: *const evbuffer_cb_info, arg: *mut c_void) {
    let bev = arg as *mut bufferevent;
    // SAFETY: registered on the live bufferevent's input buffer.
    unsafe {
        if evbuffer_get_length(buf) >= (*bev).wm_read.high {
            suspend_read(bev, SUSPEND_WM);
        } else {
            unsuspend_read(bev, SUSPEND_WM);
        }
    }
}

/// `bufferevent_setwatermark`.
///
/// # Safety
/// `bev` is live.
pub unsafe fn set_watermark(bev: *mut bufferevent, events: c_short, low: usize, high: usize) {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let p = private(bev);
        if events & EV_WRITE != 0 {
            (*bev).wm_write.low = low;
            (*bev).wm_write.high = high;
        }
        if events & EV_READ != 0 {
            (*bev).wm_read.low = low;
            (*bev).wm_read.high = high;
            if high != 0 {
                if (*p).read_wm_cb.is_null() {
                    (*p).read_wm_cb = evbuffer_add_cb((*bev).input, Some(inbuf_wm_cb), bev.cast());
                }
                evbuffer_cb_set_flags((*bev).input, (*p).read_wm_cb, EVBUFFER_CB_ENABLED as u32 | CB_NODEFER);
                if evbuffer_get_length((*bev).input) >= high {
                    suspend_read(bev, SUSPEND_WM);
                } else {
                    unsuspend_read(bev, SUSPEND_WM);
                }
            } else {
                if !(*p).read_wm_cb.is_null() {
                    evbuffer_cb_clear_flags((*bev).input, (*p).read_wm_cb, EVBUFFER_CB_ENABLED as u32);
                }
                unsuspend_read(bev, SUSPEND_WM);
            }
        }
        unlock(bev);
    }
}

// ---- events and timeouts ----

/// Adds `ev` with `tv` as its timeout when `tv` is set, without a timeout otherwise.
///
/// # Safety
/// `ev` is a set-up event.
pub unsafe fn add_event(ev: *mut event, tv: &timeval) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        if tv.tv_sec == 0 && tv.tv_usec == 0 {
            event_add(ev, std::ptr::null())
        } else {
            event_add(ev, tv)
        }
    }
}

/// Re-arms the pending read/write events with the current timeouts (the `adj_timeouts` of
/// kinds that use `ev_read`/`ev_write`).
///
/// # Safety
/// `bev` is live and locked.
pub unsafe extern "C" fn generic_adj_timeouts(bev: *mut bufferevent) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let mut r = 0;
        let pairs = [
            (&mut (*bev).ev_read as *mut event, EV_READ, (*bev).timeout_read),
            (&mut (*bev).ev_write as *mut event, EV_WRITE, (*bev).timeout_write),
        ];
        for (ev, what, tv) in pairs {
            if (*ev).ev_evcallback.evcb_flags & EVLIST_INIT == 0 {
                continue;
            }
            if event_pending(ev, what, null_mut()) != 0 {
                if tv.tv_sec != 0 || tv.tv_usec != 0 {
                    if add_event(ev, &tv) < 0 {
                        r = -1;
                    }
                } else {
                    event_remove_timer(ev);
                }
            }
        }
        r
    }
}

// ---- limits (the rate-limit code narrows these) ----

/// How many bytes the next read may take.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn read_max(bev: *mut bufferevent) -> isize {
    // SAFETY: per the caller.
    unsafe { ratelim::max_now(bev, false) }
}

/// How many bytes the next write may send.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn write_max(bev: *mut bufferevent) -> isize {
    // SAFETY: per the caller.
    unsafe { ratelim::max_now(bev, true) }
}

/// Accounts `n` bytes read against the rate limits.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn note_read(bev: *mut bufferevent, n: usize) {
    // SAFETY: per the caller.
    unsafe { ratelim::note(bev, n, false) }
}

/// Accounts `n` bytes written against the rate limits.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn note_written(bev: *mut bufferevent, n: usize) {
    // SAFETY: per the caller.
    unsafe { ratelim::note(bev, n, true) }
}
