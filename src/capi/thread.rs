//! `event2/thread.h`: turning on thread support.

use super::event::{event_base, with_base};
use super::thread_defs::{evthread_condition_callbacks, evthread_id_fn, evthread_lock_callbacks};
use crate::reactor::thread;
use libc::c_int;

/// Uses the given lock functions for every lock the library creates from now on. Call before
/// creating any base. Returns 0, or -1 for incomplete or conflicting callbacks.
#[no_mangle]
pub unsafe extern "C" fn evthread_set_lock_callbacks(cbs: *const evthread_lock_callbacks) -> c_int {
    // SAFETY: `cbs` is null or a valid callbacks table.
    thread::set_lock_callbacks(unsafe { cbs.as_ref() })
}

/// Uses the given condition-variable functions. Call before creating any base.
#[no_mangle]
pub unsafe extern "C" fn evthread_set_condition_callbacks(cbs: *const evthread_condition_callbacks) -> c_int {
    // SAFETY: `cbs` is null or a valid callbacks table.
    thread::set_condition_callbacks(unsafe { cbs.as_ref() })
}

/// Uses `id_fn` to tell threads apart.
#[no_mangle]
pub extern "C" fn evthread_set_id_callback(id_fn: evthread_id_fn) {
    thread::set_id_fn(id_fn);
}

/// Turns on thread support with POSIX threads: recursive mutexes, condition variables, pthread_self.
#[no_mangle]
pub extern "C" fn evthread_use_pthreads() -> c_int {
    thread::use_pthreads()
}

/// Checks every lock the library takes from now on for misuse (unlocking a lock not held, ...).
#[no_mangle]
pub extern "C" fn evthread_enable_lock_debugging() {
    thread::enable_lock_debugging();
}

/// The historical misspelling of `evthread_enable_lock_debugging`.
#[no_mangle]
pub extern "C" fn evthread_enable_lock_debuging() {
    thread::enable_lock_debugging();
}

/// Lets other threads wake the base's loop (done automatically for bases created with threads on).
#[no_mangle]
pub unsafe extern "C" fn evthread_make_base_notifiable(base: *mut event_base) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, -1, |b| b.make_notifiable_nolock()) }
}

/// cbindgen:ignore
/// The lock callbacks in use (exported for compatibility; in no public header).
#[no_mangle]
pub extern "C" fn evthread_get_lock_callbacks() -> *mut evthread_lock_callbacks {
    thread::LOCK_FNS.ptr()
}

/// cbindgen:ignore
/// The condition callbacks in use (exported for compatibility; in no public header).
#[no_mangle]
pub extern "C" fn evthread_get_condition_callbacks() -> *mut evthread_condition_callbacks {
    thread::COND_FNS.ptr()
}
