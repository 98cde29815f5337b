//! The timer heap: a binary min-heap of events ordered by `ev_timeout`, each event storing its
//! index in `ev_timeout_pos.min_heap_idx` (-1 when not in the heap), so removal is O(log n).
//!
//! Invariant: every pointer in `items` is a valid event whose `min_heap_idx` is its position.

use crate::capi::event_struct::event;

#[derive(Default)]
pub struct TimerHeap {
    items: Vec<*mut event>,
}

/// # Safety
/// `ev` is valid.
unsafe fn set_idx(ev: *mut event, i: usize) {
    // SAFETY: caller guarantees validity.
    unsafe { (*ev).ev_timeout_pos.min_heap_idx = i as i32 }
}

/// # Safety
/// both valid.
#[inline]
unsafe fn earlier(a: *mut event, b: *mut event) -> bool {
    // SAFETY: caller guarantees validity.
    let (a, b) = unsafe { (&(*a).ev_timeout, &(*b).ev_timeout) };
    a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_usec < b.tv_usec)
}

impl TimerHeap {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn top(&self) -> *mut event {
        self.items.first().copied().unwrap_or(std::ptr::null_mut())
    }

    pub fn get(&self, i: usize) -> *mut event {
        self.items[i]
    }

    /// # Safety
    /// `ev` is valid, not in the heap, and stays valid while in it.
    pub unsafe fn push(&mut self, ev: *mut event) {
        self.items.push(ev);
        // SAFETY: the new last index is in bounds; items are valid.
        unsafe { self.sift_up(self.items.len() - 1, ev) };
    }

    /// Restores the order after the deadline of `ev` (in the heap) changed: one sift, not a
    /// removal and an insertion.
    ///
    /// # Safety
    /// `ev` is in the heap.
    pub unsafe fn adjust(&mut self, ev: *mut event) {
        // SAFETY: `ev` is in the heap, so its index is in bounds; items are valid events.
        unsafe {
            let i = (*ev).ev_timeout_pos.min_heap_idx as usize;
            debug_assert!(i < self.items.len() && self.items[i] == ev);
            self.place(i, ev);
        }
    }

    /// # Safety
    /// `ev` is in the heap.
    pub unsafe fn remove(&mut self, ev: *mut event) {
        // SAFETY: `ev` is valid since it is in the heap.
        let i = unsafe { (*ev).ev_timeout_pos.min_heap_idx } as usize;
        debug_assert!(i < self.items.len() && self.items[i] == ev);
        let last = self.items.pop().expect("heap not empty");
        if i < self.items.len() {
            // SAFETY: `i` is in bounds; the former last entry fills the hole.
            unsafe { self.place(i, last) };
        }
        // SAFETY: `ev` is valid (it was in the heap a moment ago).
        unsafe { (*ev).ev_timeout_pos.min_heap_idx = -1 };
    }

    /// Puts `ev` into hole `i` and moves it up or down to where it belongs.
    ///
    /// # Safety
    /// `i < len`; items and `ev` are valid.
    unsafe fn place(&mut self, i: usize, ev: *mut event) {
        // SAFETY: per the caller.
        unsafe {
            if i > 0 && earlier(ev, *self.items.get_unchecked((i - 1) / 2)) {
                self.sift_up(i, ev);
            } else {
                self.sift_down(i, ev);
            }
        }
    }

    /// # Safety
    /// `i < len`; items and `ev` are valid.
    unsafe fn sift_up(&mut self, mut i: usize, ev: *mut event) {
        // SAFETY: `i < len` on entry and `parent < i`.
        unsafe {
            let base = self.items.as_mut_ptr();
            while i > 0 {
                let parent = (i - 1) / 2;
                let p = *base.add(parent);
                if !earlier(ev, p) {
                    break;
                }
                *base.add(i) = p;
                set_idx(p, i);
                i = parent;
            }
            *base.add(i) = ev;
            set_idx(ev, i);
        }
    }

    /// Between two children with equal deadlines the right one moves up, as in libevent, so
    /// timers that share a deadline run in the reference's order.
    ///
    /// # Safety
    /// `i < len`; items and `ev` are valid.
    unsafe fn sift_down(&mut self, mut i: usize, ev: *mut event) {
        let n = self.items.len();
        // SAFETY: every index used is checked against `n`.
        unsafe {
            let base = self.items.as_mut_ptr();
            loop {
                let right = 2 * (i + 1);
                if right > n {
                    break;
                }
                let mut child = right;
                if right == n || earlier(*base.add(right - 1), *base.add(right)) {
                    child = right - 1;
                }
                let c = *base.add(child);
                if !earlier(c, ev) {
                    break;
                }
                *base.add(i) = c;
                set_idx(c, i);
                i = child;
            }
            *base.add(i) = ev;
            set_idx(ev, i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_deadline_order_with_removals() {
        let mut evs: Vec<Box<event>> = (0..200)
            .map(|i| {
                // SAFETY: all-zero is a valid unassigned event.
                let mut e: Box<event> = Box::new(unsafe { std::mem::zeroed() });
                let v = (i * 7919) % 200;
                e.ev_timeout.tv_sec = v / 10;
                e.ev_timeout.tv_usec = (v % 10) * 1000;
                e
            })
            .collect();
        let ptrs: Vec<*mut event> = evs.iter_mut().map(|e| &mut **e as *mut event).collect();
        let mut h = TimerHeap::default();
        unsafe {
            for &p in &ptrs {
                h.push(p);
            }
            for &p in ptrs.iter().step_by(3) {
                h.remove(p);
                assert_eq!((*p).ev_timeout_pos.min_heap_idx, -1);
            }
            for (k, &p) in ptrs.iter().enumerate().filter(|(k, _)| k % 3 != 0).step_by(5) {
                (*p).ev_timeout.tv_sec = (k as i64 * 31) % 23;
                h.adjust(p);
            }
            let mut last = (-1i64, -1i64);
            let mut n = 0;
            while !h.is_empty() {
                let t = h.top();
                let k = ((*t).ev_timeout.tv_sec, (*t).ev_timeout.tv_usec);
                assert!(k >= last);
                last = k;
                h.remove(t);
                n += 1;
            }
            assert_eq!(n, 200 - ptrs.iter().step_by(3).count());
        }
    }
}
