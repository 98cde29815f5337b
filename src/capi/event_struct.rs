//! `event2/event_struct.h`: the layout of `struct event`, which programs allocate themselves
//! (on the stack, in their own structs) and hand to `event_assign`/`event_set`.
//!
//! The size (128 bytes) and the offsets of the named fields are libevent 2.1.12's, so binaries built
//! against the reference keep working. What the fields hold is the engine's business: the reactor
//! (`crate::reactor::links`, `crate::reactor::heap`) threads its intrusive queues through them.
#![allow(non_camel_case_types)]

use super::util_defs::{ev_uint8_t, evutil_socket_t};
use libc::{c_int, c_short, c_void, timeval};

/// `evcb_flags` bit: the event has a pending timeout.
pub const EVLIST_TIMEOUT: c_short = 0x01;
/// `evcb_flags` bit: the event is registered for its fd or signal.
pub const EVLIST_INSERTED: c_short = 0x02;
/// `evcb_flags` bit: historical marker of signal events; unused, kept for its value.
pub const EVLIST_SIGNAL: c_short = 0x04;
/// `evcb_flags` bit: the event's callback is queued to run.
pub const EVLIST_ACTIVE: c_short = 0x08;
/// `evcb_flags` bit: the library's own event, which does not keep the loop running.
pub const EVLIST_INTERNAL: c_short = 0x10;
/// `evcb_flags` bit: the event becomes active at the start of the next loop iteration.
pub const EVLIST_ACTIVE_LATER: c_short = 0x20;
/// `evcb_flags` bit: the event is being finalized and may not be added again.
pub const EVLIST_FINALIZING: c_short = 0x40;
/// `evcb_flags` bit: the event was set up by `event_assign`, `event_set` or `event_new`.
pub const EVLIST_INIT: c_short = 0x80;
/// Mask of all the `EVLIST_*` bits.
pub const EVLIST_ALL: c_short = 0xff;

/// Links of a doubly linked tail queue of callbacks (the active queues).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_callback_entry {
    /// The next entry, or NULL at the end.
    pub tqe_next: *mut event_callback,
    /// Where the pointer to this entry is stored (the previous entry's `tqe_next` or the head).
    pub tqe_prev: *mut *mut event_callback,
}

/// Links of a doubly linked tail queue of events (the common-timeout queues).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_tailq_entry {
    /// The next event, or NULL at the end.
    pub tqe_next: *mut event,
    /// Where the pointer to this event is stored.
    pub tqe_prev: *mut *mut event,
}

/// Links of a doubly linked list of events (the events that share one fd or one signal).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_list_entry {
    /// The next event, or NULL at the end.
    pub le_next: *mut event,
    /// Where the pointer to this event is stored.
    pub le_prev: *mut *mut event,
}

/// The function a queued callback runs; which member applies depends on `evcb_closure`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union event_callback_union {
    /// An event's callback (`event_callback_fn`).
    pub evcb_callback: Option<unsafe extern "C" fn(evutil_socket_t, c_short, *mut c_void)>,
    /// A bare callback's function: the callback itself and its argument.
    pub evcb_selfcb: Option<unsafe extern "C" fn(*mut event_callback, *mut c_void)>,
    /// A finalizer for an event (`event_finalize_callback_fn`).
    pub evcb_evfinalize: Option<unsafe extern "C" fn(*mut event, *mut c_void)>,
    /// A finalizer for a bare callback.
    pub evcb_cbfinalize: Option<unsafe extern "C" fn(*mut event_callback, *mut c_void)>,
}

/// The part of an event that the active queues see; the library's own deferred callbacks are
/// bare `event_callback`s.
#[repr(C)]
pub struct event_callback {
    /// Links in the active queue of its priority.
    pub evcb_active_next: event_callback_entry,
    /// `EVLIST_*` bits.
    pub evcb_flags: c_short,
    /// Priority; smaller numbers run first.
    pub evcb_pri: ev_uint8_t,
    /// How the callback is invoked (which member of `evcb_cb_union` applies).
    pub evcb_closure: ev_uint8_t,
    /// The function to run.
    pub evcb_cb_union: event_callback_union,
    /// The argument passed to it.
    pub evcb_arg: *mut c_void,
}

/// Where the event sits among pending timeouts: its index in the timer heap, or its links in the
/// queue of a common timeout.
#[repr(C)]
#[derive(Clone, Copy)]
pub union event_timeout_pos {
    /// Links in the queue of a common timeout.
    pub ev_next_with_common_timeout: event_tailq_entry,
    /// Index in the timer heap.
    pub min_heap_idx: c_int,
}

/// State of an I/O event: its links among the events of its fd and the interval a persistent
/// event re-arms its timeout with.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_io_state {
    /// Links among the events of the same fd.
    pub ev_io_next: event_list_entry,
    /// The relative timeout a persistent event is re-armed with.
    pub ev_timeout: timeval,
}

/// State of a signal event: its links among the events of its signal and how many deliveries its
/// callback still has to see.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_signal_state {
    /// Links among the events of the same signal.
    pub ev_signal_next: event_list_entry,
    /// Deliveries still to be reported to the callback.
    pub ev_ncalls: c_short,
    /// Points at `ev_ncalls` while the callbacks run, so that a delete can stop them.
    pub ev_pncalls: *mut c_short,
}

/// The state that depends on the kind of event.
#[repr(C)]
#[derive(Clone, Copy)]
pub union event_kind_state {
    /// For fd events.
    pub ev_io: event_io_state,
    /// For signal events.
    pub ev_signal: event_signal_state,
}

/// An event. Programs may allocate it themselves (`event_assign`, `event_set`); its size and the
/// offsets of its fields are fixed by the ABI, but its contents belong to the library: use the
/// `event_get_*` functions of `event2/event.h` instead of reading fields.
#[repr(C)]
pub struct event {
    /// The part shared with the library's bare callbacks.
    pub ev_evcallback: event_callback,
    /// Position among the pending timeouts.
    pub ev_timeout_pos: event_timeout_pos,
    /// The fd, or the signal number of a signal event.
    pub ev_fd: evutil_socket_t,
    /// The base the event belongs to.
    pub ev_base: *mut super::event::event_base,
    /// Per-kind state (fd or signal).
    pub ev_: event_kind_state,
    /// The `EV_*` flags the event was set up with.
    pub ev_events: c_short,
    /// The `EV_*` flags the callback will receive.
    pub ev_res: c_short,
    /// When the pending timeout expires, on the library's monotonic clock.
    pub ev_timeout: timeval,
}

/// Head of a tail queue of events, as `<sys/queue.h>`'s `TAILQ_HEAD(event_list, event)` lays it out.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_list {
    /// The first event, or NULL.
    pub tqh_first: *mut event,
    /// The `tqe_next` field of the last event (or `tqh_first` when empty).
    pub tqh_last: *mut *mut event,
}

/// Head of a list of events, as `<sys/queue.h>`'s `LIST_HEAD(event_dlist, event)` lays it out.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct event_dlist {
    /// The first event, or NULL.
    pub lh_first: *mut event,
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
