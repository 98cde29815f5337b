//! The timer heap: a binary min-heap of events ordered by `ev_timeout`, each event storing its
//! index in `ev_timeout_pos.min_heap_idx` (-1 when not in the heap), so removal is O(log n).
//!
//! Invariant: every pointer in `items` is a valid event whose `min_heap_idx` is its position.

use super::time::tv_lt;
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
unsafe fn earlier(a: *mut event, b: *mut event) -> bool {
    // SAFETY: caller guarantees validity.
    unsafe { tv_lt(&(*a).ev_timeout, &(*b).ev_timeout) }
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

    pub fn reserve(&mut self, n: usize) {
        self.items.reserve(n);
    }

    /// # Safety
    /// `ev` is valid, not in the heap, and stays valid while in it.
    pub unsafe fn push(&mut self, ev: *mut event) {
        self.items.push(ev);
        // SAFETY: all items are valid per the invariant.
        unsafe { self.sift_up(self.items.len() - 1) };
    }

    /// # Safety
    /// `ev` is in the heap.
    pub unsafe fn remove(&mut self, ev: *mut event) {
        // SAFETY: `ev` is valid since it is in the heap.
        let i = unsafe { (*ev).ev_timeout_pos.min_heap_idx };
        debug_assert!(i >= 0 && (i as usize) < self.items.len() && self.items[i as usize] == ev);
        let i = i as usize;
        let last = self.items.pop().expect("heap not empty");
        if i < self.items.len() {
            self.items[i] = last;
            // SAFETY: items are valid; restore order around the moved element.
            unsafe {
                set_idx(last, i);
                if i > 0 && earlier(last, self.items[(i - 1) / 2]) {
                    self.sift_up(i);
                } else {
                    self.sift_down(i);
                }
            }
        }
        // SAFETY: `ev` is valid (it was in the heap a moment ago).
        unsafe { (*ev).ev_timeout_pos.min_heap_idx = -1 };
    }

    /// # Safety
    /// Heap invariant holds.
    unsafe fn sift_up(&mut self, mut i: usize) {
        let ev = self.items[i];
        while i > 0 {
            let parent = (i - 1) / 2;
            // SAFETY: heap items are valid.
            if !unsafe { earlier(ev, self.items[parent]) } {
                break;
            }
            self.items[i] = self.items[parent];
            // SAFETY: as above.
            unsafe { set_idx(self.items[i], i) };
            i = parent;
        }
        self.items[i] = ev;
        // SAFETY: as above.
        unsafe { set_idx(ev, i) };
    }

    /// # Safety
    /// Heap invariant holds.
    unsafe fn sift_down(&mut self, mut i: usize) {
        let n = self.items.len();
        let ev = self.items[i];
        loop {
            let mut child = 2 * i + 1;
            if child >= n {
                break;
            }
            // SAFETY: heap items are valid.
            unsafe {
                if child + 1 < n && earlier(self.items[child + 1], self.items[child]) {
                    child += 1;
                }
                if !earlier(self.items[child], ev) {
                    break;
                }
                self.items[i] = self.items[child];
                set_idx(self.items[i], i);
            }
            i = child;
        }
        self.items[i] = ev;
        // SAFETY: as above.
        unsafe { set_idx(ev, i) };
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
