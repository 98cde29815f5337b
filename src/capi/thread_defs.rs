//! Constants and callback tables of `event2/thread.h`.
//!
//! Their `///` docs become the header's docs (see `build/headers.rs`).
#![allow(non_camel_case_types)]

use libc::{c_int, c_uint, c_ulong, c_void, timeval};

/// Lock mode bit: the lock is taken for writing (read-write locks only).
pub const EVTHREAD_WRITE: c_uint = 0x04;
/// Lock mode bit: the lock is taken for reading (read-write locks only).
pub const EVTHREAD_READ: c_uint = 0x08;
/// Lock mode bit: try to take the lock, returning non-zero at once if it is held.
pub const EVTHREAD_TRY: c_uint = 0x10;

/// The `lock_api_version` that `evthread_set_lock_callbacks` accepts.
pub const EVTHREAD_LOCK_API_VERSION: c_int = 1;
/// Lock type bit: the thread holding the lock may take it again (and must release it as often).
pub const EVTHREAD_LOCKTYPE_RECURSIVE: c_uint = 1;
/// Lock type bit: a lock with shared readers and one exclusive writer.
pub const EVTHREAD_LOCKTYPE_READWRITE: c_uint = 2;
/// The `condition_api_version` that `evthread_set_condition_callbacks` accepts.
pub const EVTHREAD_CONDITION_API_VERSION: c_int = 1;

/// The lock functions the library calls once threading is enabled (`evthread_set_lock_callbacks`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct evthread_lock_callbacks {
    /// Must be `EVTHREAD_LOCK_API_VERSION`.
    pub lock_api_version: c_int,
    /// The `EVTHREAD_LOCKTYPE_*` bits these functions can provide; plain locks always.
    pub supported_locktypes: c_uint,
    /// Creates a lock of the given type; NULL on failure.
    pub alloc: Option<unsafe extern "C" fn(c_uint) -> *mut c_void>,
    /// Destroys a lock created by `alloc` with the same type.
    pub free: Option<unsafe extern "C" fn(*mut c_void, c_uint)>,
    /// Takes a lock in the given `EVTHREAD_*` mode; 0 on success.
    pub lock: Option<unsafe extern "C" fn(c_uint, *mut c_void) -> c_int>,
    /// Releases a lock taken in the given mode; 0 on success.
    pub unlock: Option<unsafe extern "C" fn(c_uint, *mut c_void) -> c_int>,
}

/// The condition-variable functions the library calls once threading is enabled
/// (`evthread_set_condition_callbacks`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct evthread_condition_callbacks {
    /// Must be `EVTHREAD_CONDITION_API_VERSION`.
    pub condition_api_version: c_int,
    /// Creates a condition variable (the argument is currently always 0); NULL on failure.
    pub alloc_condition: Option<unsafe extern "C" fn(c_uint) -> *mut c_void>,
    /// Destroys a condition variable.
    pub free_condition: Option<unsafe extern "C" fn(*mut c_void)>,
    /// Wakes one waiter, or all of them when the second argument is non-zero; 0 on success.
    pub signal_condition: Option<unsafe extern "C" fn(*mut c_void, c_int) -> c_int>,
    /// Releases the lock, waits for a signal or until the timeout (NULL: forever) and takes the
    /// lock again; 0 when signalled, 1 on timeout, -1 on error.
    pub wait_condition:
        Option<unsafe extern "C" fn(*mut c_void, *mut c_void, *const timeval) -> c_int>,
}

/// Returns a number that identifies the calling thread.
pub type evthread_id_fn = Option<unsafe extern "C" fn() -> c_ulong>;
