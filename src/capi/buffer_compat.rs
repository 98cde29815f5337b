//! `event2/buffer_compat.h`: the evbuffer functions of libevent 1.x.
#![allow(non_camel_case_types)]

use super::buffer::{evbuffer_pullup, evbuffer_readln, evbuffer_search};
use super::buffer_defs::evbuffer;
use crate::buffer::callbacks::ObsoleteCb;
use crate::buffer::Evbuffer;
use libc::{c_char, c_int, c_uchar, c_void, size_t};
use std::ptr::{null, null_mut};

/// The old callback type: called after each change with the length before and after.
pub type evbuffer_cb = Option<unsafe extern "C" fn(*mut evbuffer, size_t, size_t, *mut c_void)>;

/// Reads a line ended by any run of CR/LF characters (evbuffer_readln() with
/// EVBUFFER_EOL_ANY); the caller frees it. NULL when there is no complete line.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_readline(buffer: *mut evbuffer) -> *mut c_char {
    // SAFETY: as evbuffer_readln.
    unsafe { evbuffer_readln(buffer, null_mut(), 0) }
}

/// Replaces all the buffer's callbacks with `cb` (NULL: removes them all). Returns 0.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_setcb(buffer: *mut evbuffer, cb: evbuffer_cb, cbarg: *mut c_void) -> c_int {
    let b = buffer as *mut Evbuffer;
    if b.is_null() {
        return -1;
    }
    let f: Option<ObsoleteCb> = cb;
    // SAFETY: a live buffer.
    unsafe { crate::buffer::locked_ro(b, |b| b.cbs.set_obsolete(f, cbarg)) };
    0
}

/// Finds the `len` bytes at `what` in the buffer and returns a pointer to them, made
/// contiguous with what precedes them; NULL when absent.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_find(buffer: *mut evbuffer, what: *const c_uchar, len: size_t) -> *mut c_uchar {
    // SAFETY: as the two calls.
    unsafe {
        let p = evbuffer_search(buffer, what as *const c_char, len, null());
        if p.pos < 0 {
            return null_mut();
        }
        let start = evbuffer_pullup(buffer, p.pos + len as isize);
        if start.is_null() {
            return null_mut();
        }
        start.add(p.pos as usize)
    }
}
