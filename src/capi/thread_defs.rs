//! Constants and callback tables of `event2/thread.h`.
#![allow(non_camel_case_types)]

use libc::{c_int, c_uint, c_ulong, c_void, timeval};

/// Lock modes passed to the lock and unlock callbacks.
pub const EVTHREAD_WRITE: c_uint = 0x04;
pub const EVTHREAD_READ: c_uint = 0x08;
pub const EVTHREAD_TRY: c_uint = 0x10;

pub const EVTHREAD_LOCK_API_VERSION: c_int = 1;
/// A lock the owning thread may take again without deadlocking.
pub const EVTHREAD_LOCKTYPE_RECURSIVE: c_uint = 1;
pub const EVTHREAD_LOCKTYPE_READWRITE: c_uint = 2;
pub const EVTHREAD_CONDITION_API_VERSION: c_int = 1;

/// The lock functions the library uses once threading is on.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct evthread_lock_callbacks {
    pub lock_api_version: c_int,
    pub supported_locktypes: c_uint,
    pub alloc: Option<unsafe extern "C" fn(c_uint) -> *mut c_void>,
    pub free: Option<unsafe extern "C" fn(*mut c_void, c_uint)>,
    pub lock: Option<unsafe extern "C" fn(c_uint, *mut c_void) -> c_int>,
    pub unlock: Option<unsafe extern "C" fn(c_uint, *mut c_void) -> c_int>,
}

/// The condition-variable functions the library uses once threading is on.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct evthread_condition_callbacks {
    pub condition_api_version: c_int,
    pub alloc_condition: Option<unsafe extern "C" fn(c_uint) -> *mut c_void>,
    pub free_condition: Option<unsafe extern "C" fn(*mut c_void)>,
    pub signal_condition: Option<unsafe extern "C" fn(*mut c_void, c_int) -> c_int>,
    pub wait_condition:
        Option<unsafe extern "C" fn(*mut c_void, *mut c_void, *const timeval) -> c_int>,
}

/// Returns an identifier of the calling thread.
pub type evthread_id_fn = Option<unsafe extern "C" fn() -> c_ulong>;
