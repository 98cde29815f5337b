//! Deferred callbacks: bare `event_callback`s that the library's own objects (evbuffer callbacks,
//! bufferevents) queue on a base to run from the loop at the start of its next iteration, with the
//! base's lock taken here.

use super::base::{Base, CLOSURE_CB_SELF};
use crate::capi::event_struct::event_callback;
use libc::c_void;

/// What a deferred callback runs: the callback itself and the argument given at set-up.
pub type DeferredFn = unsafe extern "C" fn(*mut event_callback, *mut c_void);

/// Sets up `cb` (memory owned by the caller, which must outlive any schedule) to run `f(cb, arg)`
/// at priority `pri`.
pub fn init(cb: &mut event_callback, pri: u8, f: DeferredFn, arg: *mut c_void) {
    // SAFETY: all-zero is a valid idle callback.
    *cb = unsafe { std::mem::zeroed() };
    cb.evcb_pri = pri;
    cb.evcb_closure = CLOSURE_CB_SELF;
    cb.evcb_cb_union.evcb_selfcb = Some(f);
    cb.evcb_arg = arg;
}

/// Queues `cb` to run on `base` at the next loop iteration; false if it was already queued.
///
/// # Safety
/// `base` is live; `cb` was set up by [`init`] and stays valid until it runs or is cancelled.
pub unsafe fn schedule(base: *mut Base, cb: *mut event_callback) -> bool {
    // SAFETY: per the caller.
    unsafe {
        (*base).lock.lock();
        let r = (*base).callback_activate_later_nolock(cb);
        (*base).lock.unlock();
        r
    }
}

/// Removes `cb` from `base`'s queues if it is waiting to run; true if it was.
///
/// # Safety
/// `base` is live; `cb` is valid.
pub unsafe fn cancel(base: *mut Base, cb: *mut event_callback) -> bool {
    // SAFETY: per the caller.
    unsafe {
        (*base).lock.lock();
        let r = (*base).callback_cancel_nolock(cb, false);
        (*base).lock.unlock();
        r
    }
}
