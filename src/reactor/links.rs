//! Intrusive queues threaded through the caller-owned `struct event` (and bare `event_callback`s).
//!
//! Invariants, which every function here relies on and preserves:
//! - A node is in at most one queue of each kind at a time: one active queue (links in
//!   `evcb_active_next`), one fd or signal list (links in `ev_.ev_io.ev_io_next`, the same bytes as
//!   `ev_signal_next`), one common-timeout queue (links in `ev_timeout_pos`). The `EVLIST_*` flags
//!   say which queues hold it; callers check them before inserting or removing.
//! - Links hold element pointers (`prev` is the previous element, null for the first), never
//!   pointers into a head, so heads may live in vectors that grow.
//! - Every node is valid memory while it is queued: the public API forbids freeing a pending event
//!   (`event_free` and `event_base_free` unlink first).

use crate::capi::event_struct::{event, event_callback};
use std::ptr::null_mut;

/// A doubly linked queue of callbacks, appended at the tail (an active queue).
#[derive(Clone, Copy)]
pub struct CallbackQueue {
    pub first: *mut event_callback,
    pub last: *mut event_callback,
}

impl Default for CallbackQueue {
    fn default() -> Self {
        CallbackQueue { first: null_mut(), last: null_mut() }
    }
}

impl CallbackQueue {
    pub fn is_empty(&self) -> bool {
        self.first.is_null()
    }

    /// # Safety
    /// `cb` is valid and in no callback queue.
    pub unsafe fn push_back(&mut self, cb: *mut event_callback) {
        // SAFETY: the caller guarantees `cb` is valid; `self.last` is a queued, valid node.
        unsafe {
            (*cb).evcb_active_next.tqe_next = null_mut();
            (*cb).evcb_active_next.tqe_prev = self.last as *mut *mut event_callback;
            if self.last.is_null() {
                self.first = cb;
            } else {
                (*self.last).evcb_active_next.tqe_next = cb;
            }
        }
        self.last = cb;
    }

    /// # Safety
    /// `cb` is valid and in this queue.
    pub unsafe fn remove(&mut self, cb: *mut event_callback) {
        // SAFETY: `cb` and its neighbours are queued here, hence valid.
        unsafe {
            let next = (*cb).evcb_active_next.tqe_next;
            let prev = (*cb).evcb_active_next.tqe_prev as *mut event_callback;
            if prev.is_null() {
                self.first = next;
            } else {
                (*prev).evcb_active_next.tqe_next = next;
            }
            if next.is_null() {
                self.last = prev;
            } else {
                (*next).evcb_active_next.tqe_prev = prev as *mut *mut event_callback;
            }
            (*cb).evcb_active_next.tqe_next = null_mut();
            (*cb).evcb_active_next.tqe_prev = null_mut();
        }
    }

    /// Moves every node of `other` to the tail of `self`.
    pub fn append(&mut self, other: &mut CallbackQueue) {
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            *self = *other;
        } else {
            // SAFETY: both tails/heads are queued, valid nodes.
            unsafe {
                (*self.last).evcb_active_next.tqe_next = other.first;
                (*other.first).evcb_active_next.tqe_prev = self.last as *mut *mut event_callback;
            }
            self.last = other.last;
        }
        *other = CallbackQueue::default();
    }
}

/// Which pair of links an [`EventList`] uses.
#[derive(Clone, Copy)]
pub enum Links {
    /// `ev_.ev_io.ev_io_next` / `ev_.ev_signal.ev_signal_next` (the same bytes).
    FdOrSignal,
    /// `ev_timeout_pos.ev_next_with_common_timeout`.
    CommonTimeout,
}

/// A doubly linked list of events through one pair of their links.
#[derive(Clone, Copy)]
pub struct EventList {
    pub first: *mut event,
    pub last: *mut event,
}

impl Default for EventList {
    fn default() -> Self {
        EventList { first: null_mut(), last: null_mut() }
    }
}

/// # Safety
/// `ev` is valid.
unsafe fn links(ev: *mut event, which: Links) -> (*mut *mut event, *mut *mut event) {
    // SAFETY: the caller guarantees `ev` is valid; these are plain field projections.
    unsafe {
        match which {
            Links::FdOrSignal => {
                let l = &raw mut (*ev).ev_.ev_io.ev_io_next;
                (&raw mut (*l).le_next, (&raw mut (*l).le_prev) as *mut *mut event)
            }
            Links::CommonTimeout => {
                let l = &raw mut (*ev).ev_timeout_pos.ev_next_with_common_timeout;
                (&raw mut (*l).tqe_next, (&raw mut (*l).tqe_prev) as *mut *mut event)
            }
        }
    }
}

impl EventList {
    pub fn is_empty(&self) -> bool {
        self.first.is_null()
    }

    /// # Safety
    /// `ev` is valid and not in a list of this kind.
    pub unsafe fn push_front(&mut self, ev: *mut event, which: Links) {
        // SAFETY: `ev` valid per the caller; `self.first` is a listed, valid node.
        unsafe {
            let (next, prev) = links(ev, which);
            *next = self.first;
            *prev = null_mut();
            if self.first.is_null() {
                self.last = ev;
            } else {
                *links(self.first, which).1 = ev;
            }
        }
        self.first = ev;
    }

    /// Inserts `ev` after `after` (null: at the front).
    ///
    /// # Safety
    /// `ev` is valid and unlisted; `after` is null or in this list.
    pub unsafe fn insert_after(&mut self, after: *mut event, ev: *mut event, which: Links) {
        if after.is_null() {
            // SAFETY: forwarded caller guarantees.
            return unsafe { self.push_front(ev, which) };
        }
        // SAFETY: `after` and its successor are listed, valid nodes; `ev` is valid.
        unsafe {
            let next = *links(after, which).0;
            let (ev_next, ev_prev) = links(ev, which);
            *ev_next = next;
            *ev_prev = after;
            *links(after, which).0 = ev;
            if next.is_null() {
                self.last = ev;
            } else {
                *links(next, which).1 = ev;
            }
        }
    }

    /// # Safety
    /// `ev` is in this list.
    pub unsafe fn remove(&mut self, ev: *mut event, which: Links) {
        // SAFETY: `ev` and its neighbours are listed here, hence valid.
        unsafe {
            let (next_p, prev_p) = links(ev, which);
            let (next, prev) = (*next_p, *prev_p);
            if prev.is_null() {
                self.first = next;
            } else {
                *links(prev, which).0 = next;
            }
            if next.is_null() {
                self.last = prev;
            } else {
                *links(next, which).1 = prev;
            }
            *next_p = null_mut();
            *prev_p = null_mut();
        }
    }

    /// The node after `ev` in this list.
    ///
    /// # Safety
    /// `ev` is in a list of kind `which`.
    pub unsafe fn next(ev: *mut event, which: Links) -> *mut event {
        // SAFETY: forwarded caller guarantee.
        unsafe { *links(ev, which).0 }
    }

    /// The node before `ev` in this list.
    ///
    /// # Safety
    /// `ev` is in a list of kind `which`.
    pub unsafe fn prev(ev: *mut event, which: Links) -> *mut event {
        // SAFETY: forwarded caller guarantee.
        unsafe { *links(ev, which).1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank() -> Box<event> {
        // SAFETY: `event` is plain old data; all-zero is a valid (unassigned) event.
        Box::new(unsafe { std::mem::zeroed() })
    }

    #[test]
    fn callback_queue_push_remove_append() {
        let mut evs: Vec<Box<event>> = (0..4).map(|_| blank()).collect();
        let p: Vec<*mut event_callback> =
            evs.iter_mut().map(|e| &mut e.ev_evcallback as *mut event_callback).collect();
        let mut q = CallbackQueue::default();
        let mut r = CallbackQueue::default();
        unsafe {
            q.push_back(p[0]);
            q.push_back(p[1]);
            q.push_back(p[2]);
            q.remove(p[1]);
            r.push_back(p[3]);
            q.append(&mut r);
            assert!(r.is_empty());
            let mut order = vec![];
            let mut c = q.first;
            while !c.is_null() {
                order.push(c);
                c = (*c).evcb_active_next.tqe_next;
            }
            assert_eq!(order, vec![p[0], p[2], p[3]]);
            q.remove(p[0]);
            q.remove(p[3]);
            q.remove(p[2]);
            assert!(q.is_empty() && q.last.is_null());
        }
    }

    #[test]
    fn event_list_front_insert_after_remove() {
        let mut evs: Vec<Box<event>> = (0..4).map(|_| blank()).collect();
        let p: Vec<*mut event> = evs.iter_mut().map(|e| &mut **e as *mut event).collect();
        for which in [Links::FdOrSignal, Links::CommonTimeout] {
            let mut l = EventList::default();
            unsafe {
                l.push_front(p[0], which);
                l.push_front(p[1], which);
                l.insert_after(p[0], p[2], which);
                l.insert_after(p[1], p[3], which);
                let mut order = vec![];
                let mut e = l.first;
                while !e.is_null() {
                    order.push(e);
                    e = EventList::next(e, which);
                }
                assert_eq!(order, vec![p[1], p[3], p[0], p[2]]);
                assert_eq!(l.last, p[2]);
                l.remove(p[2], which);
                assert_eq!(l.last, p[0]);
                l.remove(p[1], which);
                assert_eq!(l.first, p[3]);
                l.remove(p[3], which);
                l.remove(p[0], which);
                assert!(l.is_empty());
            }
        }
    }
}
