//! Callbacks on an evbuffer (`evbuffer_add_cb` and the legacy `evbuffer_setcb`).
//!
//! Operations that change a buffer's length add to `n_add`/`n_del`; afterwards the entry point
//! calls [`invoke`], which runs every enabled callback (newest first) with the accumulated counts
//! and resets them. With deferred callbacks (`evbuffer_defer_callbacks`) the callbacks run from
//! the base's loop instead, except those flagged `NODEFER`, which still run at once and see the
//! counts without resetting them.
//!
//! Callbacks run with the buffer's lock held and may re-enter the buffer's API: add or remove
//! callbacks (removal during a run only marks the entry; it is freed once no run is in progress),
//! change the data (which re-invokes callbacks), or free the buffer (the run holds a reference,
//! so the memory goes away once the outermost call returns).

use super::Evbuffer;
use crate::capi::buffer_defs::{evbuffer, evbuffer_cb_func, evbuffer_cb_info};
use crate::reactor::deferred;
use crate::util::mem;
use libc::c_void;
use std::ptr::null_mut;

/// `EVBUFFER_CB_ENABLED`.
pub const CB_ENABLED: u32 = 1;
/// Runs at once even when the buffer's callbacks are deferred (libevent's internal value 2).
pub const CB_NODEFER: u32 = 2;
/// Flags callers may not set or clear.
pub const CB_INTERNAL: u32 = 0xffff_0000;
/// The entry came from `evbuffer_setcb` (old-style callback signature).
const CB_OBSOLETE: u32 = 0x0004_0000;

/// The legacy callback type (`evbuffer_cb` of buffer_compat.h).
pub type ObsoleteCb = unsafe extern "C" fn(*mut evbuffer, usize, usize, *mut c_void);

/// One registered callback; the handle returned to C (`struct evbuffer_cb_entry *`).
pub struct CbEntry {
    next: *mut CbEntry,
    prev: *mut CbEntry,
    func: usize,
    pub arg: *mut c_void,
    pub flags: u32,
    dead: bool,
}

pub struct Callbacks {
    head: *mut CbEntry,
    depth: u32,
    dead: u32,
}

impl Default for Callbacks {
    fn default() -> Self {
        Callbacks { head: null_mut(), depth: 0, dead: 0 }
    }
}

impl Callbacks {
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.head.is_null()
    }

    fn push(&mut self, func: usize, arg: *mut c_void, flags: u32) -> *mut CbEntry {
        let e = mem::boxed(CbEntry { next: self.head, prev: null_mut(), func, arg, flags, dead: false });
        if e.is_null() {
            return e;
        }
        if !self.head.is_null() {
            // SAFETY: entries in the list are live.
            unsafe { (*self.head).prev = e };
        }
        self.head = e;
        e
    }

    /// `evbuffer_add_cb`: a new enabled callback, run before the older ones.
    pub fn add(&mut self, f: evbuffer_cb_func, arg: *mut c_void) -> *mut CbEntry {
        self.push(f.map_or(0, |f| f as usize), arg, CB_ENABLED)
    }

    /// `evbuffer_setcb`: replaces every callback with `f` (none if `f` is None).
    pub fn set_obsolete(&mut self, f: Option<ObsoleteCb>, arg: *mut c_void) {
        self.clear();
        if let Some(f) = f {
            self.push(f as usize, arg, CB_ENABLED | CB_OBSOLETE);
        }
    }

    fn contains(&self, e: *mut CbEntry) -> bool {
        let mut cur = self.head;
        while !cur.is_null() {
            if cur == e {
                // SAFETY: live entry.
                return unsafe { !(*cur).dead };
            }
            // SAFETY: live entry.
            cur = unsafe { (*cur).next };
        }
        false
    }

    /// Whether `e` is a live entry of this list (handles from C are checked before use).
    pub fn get(&mut self, e: *mut CbEntry) -> Option<&mut CbEntry> {
        if self.contains(e) {
            // SAFETY: a live entry of ours.
            Some(unsafe { &mut *e })
        } else {
            None
        }
    }

    /// `evbuffer_remove_cb_entry`.
    pub fn remove_entry(&mut self, e: *mut CbEntry) -> bool {
        if !self.contains(e) {
            return false;
        }
        if self.depth > 0 {
            // A run may hold a pointer to it: free it when the run is over.
            // SAFETY: live entry.
            unsafe { (*e).dead = true };
            self.dead += 1;
        } else {
            self.unlink_free(e);
        }
        true
    }

    /// `evbuffer_remove_cb`: the first callback with this function and argument.
    pub fn remove(&mut self, f: evbuffer_cb_func, arg: *mut c_void) -> bool {
        let fv = f.map_or(0, |f| f as usize);
        let mut cur = self.head;
        while !cur.is_null() {
            // SAFETY: live entries.
            let e = unsafe { &*cur };
            if !e.dead && e.flags & CB_OBSOLETE == 0 && e.func == fv && e.arg == arg {
                return self.remove_entry(cur);
            }
            cur = e.next;
        }
        false
    }

    pub fn clear(&mut self) {
        let mut cur = self.head;
        while !cur.is_null() {
            // SAFETY: live entry.
            let next = unsafe { (*cur).next };
            if unsafe { !(*cur).dead } {
                self.remove_entry(cur);
            }
            cur = next;
        }
    }

    fn unlink_free(&mut self, e: *mut CbEntry) {
        // SAFETY: `e` is a live entry of this list.
        unsafe {
            let (p, n) = ((*e).prev, (*e).next);
            if p.is_null() {
                self.head = n;
            } else {
                (*p).next = n;
            }
            if !n.is_null() {
                (*n).prev = p;
            }
            mem::unbox(e);
        }
    }

    fn sweep(&mut self) {
        if self.dead == 0 {
            return;
        }
        let mut cur = self.head;
        while !cur.is_null() {
            // SAFETY: live entries.
            let (next, dead) = unsafe { ((*cur).next, (*cur).dead) };
            if dead {
                self.unlink_free(cur);
            }
            cur = next;
        }
        self.dead = 0;
    }
}

impl Drop for Callbacks {
    fn drop(&mut self) {
        let mut cur = self.head;
        while !cur.is_null() {
            // SAFETY: every entry is live and freed once.
            unsafe {
                let next = (*cur).next;
                mem::unbox(cur);
                cur = next;
            }
        }
    }
}

/// Runs the callbacks after an operation (see the module docs).
///
/// # Safety
/// `buf` is a live buffer whose lock the caller holds; no reference into it is live.
#[inline(always)]
pub unsafe fn invoke(buf: *mut Evbuffer) {
    // SAFETY: per the caller; short borrows only, none across a callback.
    unsafe {
        if (*buf).cbs.head.is_null() {
            (*buf).n_add = 0;
            (*buf).n_del = 0;
            return;
        }
        if (*buf).n_add == 0 && (*buf).n_del == 0 {
            return;
        }
        invoke_slow(buf);
    }
}

#[inline(never)]
unsafe fn invoke_slow(buf: *mut Evbuffer) {
    // SAFETY: as `invoke`.
    unsafe {
        if !(*buf).defer_base.is_null() && deferred::schedule((*buf).defer_base, &mut (*buf).defer_cb) {
            (*buf).refcnt += 1;
        }
        run(buf, false);
    }
}

/// The deferred callback: runs the callbacks that were waiting for the loop.
pub unsafe extern "C" fn deferred_run(_cb: *mut crate::capi::event_struct::event_callback, arg: *mut c_void) {
    let buf = arg as *mut Evbuffer;
    // SAFETY: `arg` is the buffer, kept alive by the reference taken when scheduling.
    unsafe {
        (*buf).lock.lock();
        run(buf, true);
        (*buf).refcnt -= 1;
        super::release(buf);
    }
}

/// # Safety
/// As [`invoke`].
unsafe fn run(buf: *mut Evbuffer, running_deferred: bool) {
    // SAFETY: per the caller.
    unsafe {
        let b = &mut *buf;
        if b.cbs.head.is_null() {
            b.n_add = 0;
            b.n_del = 0;
            return;
        }
        if b.n_add == 0 && b.n_del == 0 {
            return;
        }
        let (mask, want, clear) = if running_deferred {
            (CB_NODEFER | CB_ENABLED, CB_ENABLED, true)
        } else if !b.defer_base.is_null() {
            (CB_NODEFER | CB_ENABLED, CB_NODEFER | CB_ENABLED, false)
        } else {
            (CB_ENABLED, CB_ENABLED, true)
        };
        let new_size = b.total;
        let info = evbuffer_cb_info {
            orig_size: new_size.wrapping_add(b.n_del).wrapping_sub(b.n_add),
            n_added: b.n_add,
            n_deleted: b.n_del,
        };
        if clear {
            b.n_add = 0;
            b.n_del = 0;
        }
        b.cbs.depth += 1;
        b.refcnt += 1;
        let mut cur = b.cbs.head;
        while !cur.is_null() {
            let e = cur;
            cur = (*e).next;
            if (*e).dead || (*e).flags & mask != want || (*e).func == 0 {
                continue;
            }
            let (func, arg, flags) = ((*e).func, (*e).arg, (*e).flags);
            if flags & CB_OBSOLETE != 0 {
                let f: ObsoleteCb = std::mem::transmute::<usize, ObsoleteCb>(func);
                f(buf as *mut evbuffer, info.orig_size, new_size, arg);
            } else {
                type NewCb = unsafe extern "C" fn(*mut evbuffer, *const evbuffer_cb_info, *mut c_void);
                let f: NewCb = std::mem::transmute::<usize, NewCb>(func);
                f(buf as *mut evbuffer, &info, arg);
            }
        }
        let b = &mut *buf;
        b.cbs.depth -= 1;
        if b.cbs.depth == 0 {
            b.cbs.sweep();
        }
        b.refcnt -= 1;
    }
}
