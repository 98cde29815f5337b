//! `event2/bufferevent_compat.h`: the bufferevent functions of libevent 1.x.
#![allow(non_camel_case_types)]

use super::bufferevent::{bufferevent_data_cb, bufferevent_event_cb, bufferevent_set_timeouts, bufferevent_setcb};
use super::bufferevent_struct::bufferevent;
use super::util_defs::evutil_socket_t;
use crate::bufferevent::socket;
use libc::{c_int, c_void, timeval};
use std::ptr::{null, null_mut};

/// Makes a socket bufferevent on `fd` for the legacy current base (see `event_init()`; move it
/// with `bufferevent_base_set()` before enabling it) with the given callbacks. Returns NULL on
/// failure. New code uses `bufferevent_socket_new()` and `bufferevent_setcb()`.
#[no_mangle]
pub unsafe extern "C" fn bufferevent_new(
    fd: evutil_socket_t,
    readcb: bufferevent_data_cb,
    writecb: bufferevent_data_cb,
    errorcb: bufferevent_event_cb,
    cbarg: *mut c_void,
) -> *mut bufferevent {
    // SAFETY: a null base selects the current base.
    let bev = unsafe { socket::new(null_mut(), fd, 0) };
    if !bev.is_null() {
        // SAFETY: fresh bufferevent.
        unsafe { bufferevent_setcb(bev, readcb, writecb, errorcb, cbarg) };
    }
    bev
}

/// Sets the read and write timeouts in whole seconds (0: none).
#[no_mangle]
pub unsafe extern "C" fn bufferevent_settimeout(bufev: *mut bufferevent, timeout_read: c_int, timeout_write: c_int) {
    let tr = timeval { tv_sec: timeout_read as libc::time_t, tv_usec: 0 };
    let tw = timeval { tv_sec: timeout_write as libc::time_t, tv_usec: 0 };
    // SAFETY: null or live.
    unsafe {
        bufferevent_set_timeouts(
            bufev,
            if timeout_read != 0 { &tr } else { null() },
            if timeout_write != 0 { &tw } else { null() },
        );
    }
}
