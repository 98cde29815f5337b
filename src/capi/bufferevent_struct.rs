//! `event2/bufferevent_struct.h`: the public prefix of `struct bufferevent`.
//!
//! Programs written before libevent 2.0 read these fields directly (`bev->input`,
//! `bev->enabled`, `bev->readcb`, ...), so the prefix keeps libevent 2.1.12's size (392 bytes)
//! and field offsets. Only the library allocates bufferevents: the engine's private state
//! (`crate::bufferevent::BevPrivate`) follows this prefix in the same allocation.
#![allow(non_camel_case_types)]

use super::buffer_defs::evbuffer;
use super::bufferevent::{bufferevent_data_cb, bufferevent_event_cb};
use super::event::event_base;
use super::event_struct::event;
use libc::{c_short, c_void, size_t, timeval};

/// The operations table of a kind of bufferevent: `crate::bufferevent::BevOps`, opaque here.
/// cbindgen:ignore
#[repr(C)]
pub struct bufferevent_ops {
    _opaque: [u8; 0],
}

/// A pair of watermarks (byte counts) for one direction of a bufferevent.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct event_watermark {
    /// The low watermark.
    pub low: size_t,
    /// The high watermark (0: none).
    pub high: size_t,
}

/// The public part of a bufferevent. Reading it is supported for old programs; new code uses
/// the functions of <event2/bufferevent.h>. Never change the fields directly.
#[repr(C)]
pub struct bufferevent {
    /// The base the bufferevent's events and callbacks belong to.
    pub ev_base: *mut event_base,
    /// The operations of this kind of bufferevent (private table of the library).
    pub be_ops: *const bufferevent_ops,
    /// The read event (socket bufferevents: readiness of the fd and the read timeout).
    pub ev_read: event,
    /// The write event (socket bufferevents: writability of the fd and the write timeout).
    pub ev_write: event,
    /// Received data; the program reads and drains it.
    pub input: *mut evbuffer,
    /// Data to send; the program adds to it.
    pub output: *mut evbuffer,
    /// Watermarks of the input side.
    pub wm_read: event_watermark,
    /// Watermarks of the output side.
    pub wm_write: event_watermark,
    /// Called when data arrived (at least the read low watermark).
    pub readcb: bufferevent_data_cb,
    /// Called when the output has drained to the write low watermark.
    pub writecb: bufferevent_data_cb,
    /// Called on end of file, errors, timeouts and connection completion (the event callback).
    pub errorcb: bufferevent_event_cb,
    /// The argument of the three callbacks.
    pub cbarg: *mut c_void,
    /// Read timeout (all zero: none).
    pub timeout_read: timeval,
    /// Write timeout (all zero: none).
    pub timeout_write: timeval,
    /// The enabled directions: `EV_READ` and/or `EV_WRITE`.
    pub enabled: c_short,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    #[test]
    fn layout_is_libevents() {
        assert_eq!(size_of::<bufferevent>(), 392);
        assert_eq!(align_of::<bufferevent>(), 8);
        assert_eq!(offset_of!(bufferevent, ev_base), 0);
        assert_eq!(offset_of!(bufferevent, be_ops), 8);
        assert_eq!(offset_of!(bufferevent, ev_read), 16);
        assert_eq!(offset_of!(bufferevent, ev_write), 144);
        assert_eq!(offset_of!(bufferevent, input), 272);
        assert_eq!(offset_of!(bufferevent, output), 280);
        assert_eq!(offset_of!(bufferevent, wm_read), 288);
        assert_eq!(offset_of!(bufferevent, wm_write), 304);
        assert_eq!(offset_of!(bufferevent, readcb), 320);
        assert_eq!(offset_of!(bufferevent, writecb), 328);
        assert_eq!(offset_of!(bufferevent, errorcb), 336);
        assert_eq!(offset_of!(bufferevent, cbarg), 344);
        assert_eq!(offset_of!(bufferevent, timeout_read), 352);
        assert_eq!(offset_of!(bufferevent, timeout_write), 368);
        assert_eq!(offset_of!(bufferevent, enabled), 384);
        assert_eq!(size_of::<event_watermark>(), 16);
    }
}
