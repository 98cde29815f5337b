//! Bufferevent pairs: two bufferevents wired to each other in memory. What one side writes is
//! moved (not copied) from its output into the other side's input, as far as the other side's
//! read high watermark allows, whenever the writer may write and the reader may read.
//!
//! As in libevent 2.1.12, pairs always run their callbacks deferred (from the loop), both sides
//! share one lock when made with `BEV_OPT_THREADSAFE`, `bufferevent_flush(.., BEV_FINISHED)`
//! tells the partner EOF, and freeing one side just detaches the other (no event).
//! Timeouts are not implemented for pairs (`bufferevent_set_timeouts` is accepted, no timer
//! runs).

use super::*;
use crate::capi::buffer::{evbuffer_add_buffer, evbuffer_freeze, evbuffer_remove_buffer, evbuffer_unfreeze};

/// One side of a pair. Starts with `BevPrivate` (see the module docs of `bufferevent`).
#[repr(C)]
struct Pair {
    p: BevPrivate,
    /// The other side, null once either side is gone. Guarded by the (shared) lock.
    partner: *mut Pair,
    /// With a shared lock: how many sides still use it (boxed, shared by both sides).
    lock_users: *mut usize,
}

/// The operations of pair bufferevents.
pub static PAIR_OPS: BevOps = BevOps {
    type_name: c"pair_elt".as_ptr(),
    enable: be_enable,
    disable: be_disable,
    unlink: Some(be_unlink),
    destruct: Some(be_destruct),
    adj_timeouts: None,
    flush: Some(be_flush),
    ctrl: Some(be_ctrl),
    dealloc: be_dealloc,
};

/// Whether `bev` is one side of a pair.
///
/// # Safety
/// `bev` is live.
pub unsafe fn is_pair(bev: *mut bufferevent) -> bool {
    // SAFETY: per the caller.
    unsafe { (*bev).be_ops == ops_ptr(&PAIR_OPS) }
}

#[inline]
fn pair(bev: *mut bufferevent) -> *mut Pair {
    bev as *mut Pair
}

#[inline]
fn bev_of(p: *mut Pair) -> *mut bufferevent {
    p as *mut bufferevent
}

unsafe fn new_side(base: *mut event_base, options: c_int) -> *mut Pair {
    // SAFETY: a zeroed Pair is what init_common expects for its prefix; it never moves.
    unsafe {
        let p = mem::boxed(std::mem::zeroed::<Pair>());
        if p.is_null() {
            return null_mut();
        }
        if init_common(p.cast(), base, &PAIR_OPS, options) < 0 {
            mem::unbox(p);
            return null_mut();
        }
        let bev = bev_of(p);
        evbuffer_add_cb((*bev).output, Some(outbuf_cb), bev.cast());
        evbuffer_freeze((*bev).input, 0);
        evbuffer_freeze((*bev).output, 1);
        p
    }
}

/// `bufferevent_pair_new`: two connected bufferevents into `pair[0]`, `pair[1]`. 0 or -1.
///
/// # Safety
/// `base` is live; `out` points to two writable pointers.
pub unsafe fn new(base: *mut event_base, options: c_int, out: *mut *mut bufferevent) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let options = options | OPT_DEFER_CALLBACKS;
        let a = new_side(base, options);
        if a.is_null() {
            return -1;
        }
        let b = new_side(base, options & !OPT_THREADSAFE);
        if b.is_null() {
            free(bev_of(a));
            return -1;
        }
        if options & OPT_THREADSAFE != 0 {
            let users = mem::boxed(2usize);
            if users.is_null() {
                free(bev_of(a));
                free(bev_of(b));
                return -1;
            }
            let l = (*a).p.lock;
            (*a).p.own_lock = false;
            (*b).p.lock = l;
            (*b).p.own_lock = false;
            (*b).p.options |= OPT_THREADSAFE;
            evbuffer_enable_locking((*bev_of(b)).input, l);
            evbuffer_enable_locking((*bev_of(b)).output, l);
            (*a).lock_users = users;
            (*b).lock_users = users;
        }
        (*a).partner = b;
        (*b).partner = a;
        *out = bev_of(a);
        *out.add(1) = bev_of(b);
    }
    0
}

/// `bufferevent_pair_get_partner`: the other side, or NULL (not a pair, or the other side is
/// gone).
///
/// # Safety
/// `bev` is null or live.
pub unsafe fn get_partner(bev: *mut bufferevent) -> *mut bufferevent {
    // SAFETY: per the caller.
    unsafe {
        if bev.is_null() || !is_pair(bev) {
            return null_mut();
        }
        lock(bev);
        let r = bev_of((*pair(bev)).partner);
        unlock(bev);
        r
    }
}

/// Whether `src` should pass its output to `dst` now.
unsafe fn wants_to_talk(src: *mut bufferevent, dst: *mut bufferevent) -> bool {
    // SAFETY: both live and locked (one shared lock or no locks).
    unsafe {
        (*src).enabled & EV_WRITE != 0
            && (*dst).enabled & EV_READ != 0
            && (*private(dst)).read_suspended == 0
            && evbuffer_get_length((*src).output) != 0
    }
}

/// Moves `src`'s output into `dst`'s input (up to `dst`'s read high watermark unless
/// `ignore_wm`), then tells `dst` about its input and `src` about its output.
unsafe fn transfer(src: *mut bufferevent, dst: *mut bufferevent, ignore_wm: bool) {
    // SAFETY: both live and locked, each with a reference held by the caller chain.
    unsafe {
        let from = (*src).output;
        let to = (*dst).input;
        evbuffer_unfreeze(from, 1);
        evbuffer_unfreeze(to, 0);
        let high = (*dst).wm_read.high;
        let mut blocked = false;
        if high != 0 {
            let have = evbuffer_get_length(to);
            if have < high {
                evbuffer_remove_buffer(from, to, high - have);
            } else if ignore_wm {
                evbuffer_add_buffer(to, from);
            } else {
                blocked = true;
            }
        } else {
            evbuffer_add_buffer(to, from);
        }
        evbuffer_freeze(to, 0);
        evbuffer_freeze(from, 1);
        if blocked {
            return;
        }
        trigger_nolock(dst, EV_READ, 0);
        trigger_nolock(src, EV_WRITE, 0);
    }
}

/// Data added to a side's output: hand it over if the partner may read.
unsafe extern "C" fn outbuf_cb(_buf: *mut evbuffer, info: *const evbuffer_cb_info, arg: *mut c_void) {
    let bev = arg as *mut bufferevent;
    // SAFETY: registered on the live side's output buffer.
    unsafe {
        incref_and_lock(bev);
        let partner = (*pair(bev)).partner;
        if (*info).n_added > (*info).n_deleted && !partner.is_null() && wants_to_talk(bev, bev_of(partner)) {
            transfer(bev, bev_of(partner), false);
        }
        decref_and_unlock(bev);
    }
}

unsafe extern "C" fn be_enable(bev: *mut bufferevent, what: c_short) -> c_int {
    // SAFETY: a live, locked pair side.
    unsafe {
        incref_and_lock(bev);
        let partner = (*pair(bev)).partner;
        if !partner.is_null() {
            let other = bev_of(partner);
            if what & EV_READ != 0 && wants_to_talk(other, bev) {
                transfer(other, bev, false);
            }
            if what & EV_WRITE != 0 && !(*pair(bev)).partner.is_null() && wants_to_talk(bev, other) {
                transfer(bev, other, false);
            }
        }
        decref_and_unlock(bev);
    }
    0
}

unsafe extern "C" fn be_disable(_bev: *mut bufferevent, _what: c_short) -> c_int {
    0
}

unsafe extern "C" fn be_unlink(bev: *mut bufferevent) {
    // SAFETY: the last reference of a live, locked side is gone.
    unsafe {
        let me = pair(bev);
        if !(*me).partner.is_null() {
            (*(*me).partner).partner = null_mut();
            (*me).partner = null_mut();
        }
    }
}

unsafe extern "C" fn be_destruct(bev: *mut bufferevent) {
    // SAFETY: called from the finalizer with the (shared) lock held.
    unsafe {
        let me = pair(bev);
        let users = (*me).lock_users;
        if !users.is_null() {
            *users -= 1;
            if *users == 0 {
                // The last side using the shared lock frees it (after the finalizer unlocks).
                (*me).p.own_lock = true;
                mem::unbox(users);
            }
            (*me).lock_users = null_mut();
        }
    }
}

unsafe extern "C" fn be_flush(bev: *mut bufferevent, iotype: c_short, mode: c_int) -> c_int {
    // BEV_NORMAL = 0, BEV_FINISHED = 2.
    if mode == 0 {
        return 0;
    }
    let mut r = 0;
    // SAFETY: a live, locked pair side.
    unsafe {
        incref_and_lock(bev);
        let partner = (*pair(bev)).partner;
        if partner.is_null() {
            // Nothing to push to: the reference reports an error here.
            r = -1;
        } else {
            let other = bev_of(partner);
            if iotype & EV_READ != 0 {
                transfer(other, bev, true);
            }
            if iotype & EV_WRITE != 0 {
                transfer(bev, other, true);
            }
            if mode == 2 {
                let mut what = BEV_EVENT_EOF;
                if iotype & EV_WRITE != 0 {
                    what |= BEV_EVENT_READING;
                }
                if iotype & EV_READ != 0 {
                    what |= BEV_EVENT_WRITING;
                }
                run_eventcb(other, what, 0);
            }
        }
        decref_and_unlock(bev);
    }
    r
}

unsafe extern "C" fn be_ctrl(_bev: *mut bufferevent, op: c_int, _data: *mut CtrlData) -> c_int {
    if op == CTRL_CANCEL_ALL {
        0
    } else {
        -1
    }
}

unsafe extern "C" fn be_dealloc(bev: *mut bufferevent) {
    // SAFETY: allocated by `new_side` with mem::boxed; nothing uses it any more.
    unsafe { mem::unbox(pair(bev)) }
}
