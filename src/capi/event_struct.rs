//! `event2/event_struct.h`: the layout of `struct event`, which programs allocate themselves
//! (on the stack, in their own structs) and hand to `event_assign`/`event_set`.
//!
//! The size (128 bytes) and the offsets of the named fields are libevent 2.1.12's, so binaries built
//! against the reference keep working. What the fields hold is the engine's business: the reactor
//! (`crate::reactor::links`, `crate::reactor::heap`) threads its intrusive queues through them.
#![allow(non_camel_case_types)]

use super::util_defs::evutil_socket_t;
use libc::{c_int, c_short, c_void, timeval};

/// The event has a pending timeout.
pub const EVLIST_TIMEOUT: c_short = 0x01;
/// The event is inserted in the I/O or signal map.
pub const EVLIST_INSERTED: c_short = 0x02;
/// Historical flag for signal events; kept for its value.
pub const EVLIST_SIGNAL: c_short = 0x04;
/// The event's callback is queued to run.
pub const EVLIST_ACTIVE: c_short = 0x08;
/// The event belongs to the library and does not keep the loop alive.
pub const EVLIST_INTERNAL: c_short = 0x10;
/// The event is queued to become active on the next loop iteration.
pub const EVLIST_ACTIVE_LATER: c_short = 0x20;
/// The event is being finalized and may not be added again.
pub const EVLIST_FINALIZING: c_short = 0x40;
/// The event has been initialized by `event_assign` or `event_new`.
pub const EVLIST_INIT: c_short = 0x80;
/// Every `EVLIST_` flag.
pub const EVLIST_ALL: c_short = 0xff;

/// Links of a doubly linked tail queue of callbacks (the active queues).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_callback_entry {
    pub tqe_next: *mut event_callback,
    pub tqe_prev: *mut *mut event_callback,
}

/// Links of a doubly linked tail queue of events (the common-timeout queues).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_tailq_entry {
    pub tqe_next: *mut event,
    pub tqe_prev: *mut *mut event,
}

/// Links of a doubly linked list of events (the events that share one fd or one signal).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_list_entry {
    pub le_next: *mut event,
    pub le_prev: *mut *mut event,
}

/// The function a queued callback runs; which member applies depends on `evcb_closure`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union event_callback_union {
    pub evcb_callback: Option<unsafe extern "C" fn(evutil_socket_t, c_short, *mut c_void)>,
    pub evcb_selfcb: Option<unsafe extern "C" fn(*mut event_callback, *mut c_void)>,
    pub evcb_evfinalize: Option<unsafe extern "C" fn(*mut event, *mut c_void)>,
    pub evcb_cbfinalize: Option<unsafe extern "C" fn(*mut event_callback, *mut c_void)>,
}

/// The part of an event that the active queues see; the library's own deferred callbacks are
/// bare `event_callback`s.
#[repr(C)]
pub struct event_callback {
    pub evcb_active_next: event_callback_entry,
    pub evcb_flags: c_short,
    /// Smaller numbers run first.
    pub evcb_pri: u8,
    pub evcb_closure: u8,
    pub evcb_cb_union: event_callback_union,
    pub evcb_arg: *mut c_void,
}

/// Where the event sits among pending timeouts: its index in the timer heap, or its links in the
/// queue of a common timeout.
#[repr(C)]
#[derive(Clone, Copy)]
pub union event_timeout_pos {
    pub ev_next_with_common_timeout: event_tailq_entry,
    pub min_heap_idx: c_int,
}

/// State of an I/O event: its links among the events of its fd and the interval a persistent
/// event re-arms its timeout with.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_io_state {
    pub ev_io_next: event_list_entry,
    pub ev_timeout: timeval,
}

/// State of a signal event: its links among the events of its signal and how many deliveries its
/// callback still has to see.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_signal_state {
    pub ev_signal_next: event_list_entry,
    pub ev_ncalls: c_short,
    pub ev_pncalls: *mut c_short,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union event_kind_state {
    pub ev_io: event_io_state,
    pub ev_signal: event_signal_state,
}

/// An event: 128 bytes in the caller's memory. Use the accessors of `event2/event.h` rather than
/// these fields.
#[repr(C)]
pub struct event {
    pub ev_evcallback: event_callback,
    pub ev_timeout_pos: event_timeout_pos,
    pub ev_fd: evutil_socket_t,
    pub ev_base: *mut super::event::event_base,
    pub ev_: event_kind_state,
    pub ev_events: c_short,
    /// The flags passed to the callback when it runs.
    pub ev_res: c_short,
    /// When the timeout expires, on the library's monotonic clock.
    pub ev_timeout: timeval,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn layout_matches_libevent_2_1_12() {
        assert_eq!(size_of::<event>(), 128);
        assert_eq!(size_of::<event_callback>(), 40);
        assert_eq!(offset_of!(event_callback, evcb_flags), 16);
        assert_eq!(offset_of!(event_callback, evcb_pri), 18);
        assert_eq!(offset_of!(event_callback, evcb_closure), 19);
        assert_eq!(offset_of!(event_callback, evcb_cb_union), 24);
        assert_eq!(offset_of!(event_callback, evcb_arg), 32);
        assert_eq!(offset_of!(event, ev_timeout_pos), 40);
        assert_eq!(offset_of!(event, ev_fd), 56);
        assert_eq!(offset_of!(event, ev_base), 64);
        assert_eq!(offset_of!(event, ev_), 72);
        assert_eq!(offset_of!(event_io_state, ev_timeout), 16);
        assert_eq!(offset_of!(event_signal_state, ev_ncalls), 16);
        assert_eq!(offset_of!(event_signal_state, ev_pncalls), 24);
        assert_eq!(offset_of!(event, ev_events), 104);
        assert_eq!(offset_of!(event, ev_res), 106);
        assert_eq!(offset_of!(event, ev_timeout), 112);
    }
}
