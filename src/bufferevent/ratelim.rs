//! Rate limits of bufferevents: token buckets per bufferevent and per group.
//!
//! A configuration ([`Cfg`], `struct ev_token_bucket_cfg`) gives, for each direction, the
//! bytes added per tick (the rate) and the most the bucket may hold (the burst), and the tick
//! length. Ticks are numbered from the monotonic clock (milliseconds / tick length). A bucket
//! is refilled lazily: whenever its level is asked for, the ticks since its last refill are
//! credited. Bytes moved are taken from the bucket; when it goes empty (≤ 0) the direction is
//! suspended (`SUSPEND_BW`) and a one-shot timer of one tick refills it and resumes.
//!
//! A group shares one bucket between its members: each member may move at most the group's
//! level divided by the member count (but not less than the minimum share) per operation;
//! when the group's bucket goes empty all members are suspended (`SUSPEND_BW_GROUP`) until the
//! group's persistent tick timer refills it to at least the minimum share.
//!
//! The state of a bufferevent hangs off `BevPrivate::rate_limiting` (a boxed [`BevLimit`]).
//! Groups take their own lock (from the program's threading callbacks) and only try-lock
//! member bufferevents while holding it, so there is no lock-order problem.

use super::{lock, private, suspend_read, suspend_write, unlock, unsuspend_read, unsuspend_write, SUSPEND_BW, SUSPEND_BW_GROUP};
use crate::capi::bufferevent_struct::bufferevent;
use crate::capi::event::{event_add, event_assign, event_base, event_del, event_del_noblock};
use crate::capi::event_defs::{EV_FINALIZE, EV_PERSIST};
use crate::capi::event_struct::{event, EVLIST_INIT};
use crate::capi::thread_defs::{EVTHREAD_LOCKTYPE_RECURSIVE, EVTHREAD_TRY};
use crate::reactor::thread;
use libc::{c_int, c_short, c_void, timeval};
use std::ptr::null_mut;

/// The largest rate or burst accepted (`EV_RATE_LIMIT_MAX`).
pub const RATE_LIMIT_MAX: usize = isize::MAX as usize;

/// `struct ev_token_bucket_cfg`.
#[derive(Clone, Copy)]
pub struct Cfg {
    pub read_rate: usize,
    pub read_maximum: usize,
    pub write_rate: usize,
    pub write_maximum: usize,
    pub tick_timeout: timeval,
    pub msec_per_tick: u32,
}

impl Cfg {
    /// `ev_token_bucket_cfg_new`'s checks and defaults; None when the values are refused.
    pub fn new(read_rate: usize, read_burst: usize, write_rate: usize, write_burst: usize, tick: Option<timeval>) -> Option<Cfg> {
        if read_rate > read_burst || write_rate > write_burst || read_rate < 1 || write_rate < 1 {
            return None;
        }
        if read_rate > RATE_LIMIT_MAX || write_rate > RATE_LIMIT_MAX || read_burst > RATE_LIMIT_MAX || write_burst > RATE_LIMIT_MAX {
            return None;
        }
        let tv = tick.unwrap_or(timeval { tv_sec: 1, tv_usec: 0 });
        // The microseconds may carry a common-timeout marker in their high bits: ignore it.
        let msec = (tv.tv_sec as i64) * 1000 + ((tv.tv_usec as i64) & 0x000f_ffff) / 1000;
        Some(Cfg {
            read_rate,
            read_maximum: read_burst,
            write_rate,
            write_maximum: write_burst,
            tick_timeout: tv,
            msec_per_tick: msec as u32,
        })
    }

    /// The number of the tick we are in now.
    fn current_tick(&self) -> u32 {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: writing into a valid timespec.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        let msec = ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000;
        (msec / self.msec_per_tick.max(1) as u64) as u32
    }
}

/// A token bucket: the bytes each direction may still move, and when it was last refilled.
#[derive(Clone, Copy, Default)]
pub struct Bucket {
    pub read_limit: isize,
    pub write_limit: isize,
    pub last_updated: u32,
}

impl Bucket {
    /// A fresh bucket holds one tick's worth.
    fn fresh(cfg: &Cfg, tick: u32) -> Bucket {
        Bucket { read_limit: cfg.read_rate as isize, write_limit: cfg.write_rate as isize, last_updated: tick }
    }

    /// A new configuration for a bucket in use: only clip to the new bursts.
    fn clip(&mut self, cfg: &Cfg) {
        self.read_limit = self.read_limit.min(cfg.read_maximum as isize);
        self.write_limit = self.write_limit.min(cfg.write_maximum as isize);
    }

    /// Credits the ticks elapsed since the last refill. Whether anything was credited.
    fn refill(&mut self, cfg: &Cfg, tick: u32) -> bool {
        let n = tick.wrapping_sub(self.last_updated);
        if n == 0 || n > i32::MAX as u32 {
            return false;
        }
        let fill = |level: isize, rate: usize, max: usize| -> isize {
            let room = max as i128 - level as i128;
            if room / (n as i128) < rate as i128 {
                max as isize
            } else {
                (level as i128 + n as i128 * rate as i128) as isize
            }
        };
        self.read_limit = fill(self.read_limit, cfg.read_rate, cfg.read_maximum);
        self.write_limit = fill(self.write_limit, cfg.write_rate, cfg.write_maximum);
        self.last_updated = tick;
        true
    }
}

/// `struct bufferevent_rate_limit_group`.
pub struct Group {
    cfg: Cfg,
    bucket: Bucket,
    refill: event,
    lock: *mut c_void,
    members: Vec<*mut bufferevent>,
    configured_min_share: usize,
    min_share: isize,
    read_suspended: bool,
    write_suspended: bool,
    pending_unsuspend_read: bool,
    pending_unsuspend_write: bool,
    total_read: u64,
    total_written: u64,
    /// Where the next resume round starts, so no member is always served first.
    next_first: usize,
}

/// The rate-limit state of one bufferevent.
pub struct BevLimit {
    /// The configuration (owned by the program), null when only a group limits it.
    cfg: *const Cfg,
    bucket: Bucket,
    /// One-shot timer refilling the bucket of a suspended bufferevent.
    refill: event,
    group: *mut Group,
}

#[inline]
unsafe fn state(bev: *mut bufferevent) -> *mut BevLimit {
    // SAFETY: per the caller, `bev` is live.
    unsafe { (*private(bev)).rate_limiting as *mut BevLimit }
}

fn raw_lock(l: *mut c_void) {
    if !l.is_null() {
        if let Some(f) = thread::LOCK_FNS.get().lock {
            // SAFETY: a lock allocated with these callbacks.
            unsafe { f(0, l) };
        }
    }
}

fn raw_unlock(l: *mut c_void) {
    if !l.is_null() {
        if let Some(f) = thread::LOCK_FNS.get().unlock {
            // SAFETY: as above.
            unsafe { f(0, l) };
        }
    }
}

/// Tries the lock of a bufferevent; true when taken (or when it has none).
unsafe fn try_lock_bev(bev: *mut bufferevent) -> bool {
    // SAFETY: `bev` is live.
    let l = unsafe { (*private(bev)).lock };
    if l.is_null() {
        return true;
    }
    match thread::LOCK_FNS.get().lock {
        // SAFETY: the bufferevent's lock.
        Some(f) => unsafe { f(EVTHREAD_TRY, l) == 0 },
        None => true,
    }
}

// ---- groups: suspending and resuming all members ----

unsafe fn group_suspend(g: *mut Group, write: bool) {
    // SAFETY: the group is live and locked; members are live.
    unsafe {
        if write {
            (*g).write_suspended = true;
            (*g).pending_unsuspend_write = false;
        } else {
            (*g).read_suspended = true;
            (*g).pending_unsuspend_read = false;
        }
        // A member we cannot lock now suspends itself when it next asks for its budget.
        for &m in (*g).members.clone().iter() {
            if try_lock_bev(m) {
                if write {
                    suspend_write(m, SUSPEND_BW_GROUP);
                } else {
                    suspend_read(m, SUSPEND_BW_GROUP);
                }
                unlock(m);
            }
        }
    }
}

unsafe fn group_unsuspend(g: *mut Group, write: bool) {
    // SAFETY: as group_suspend.
    unsafe {
        if write {
            (*g).write_suspended = false;
        } else {
            (*g).read_suspended = false;
        }
        let members = (*g).members.clone();
        let n = members.len();
        let mut again = false;
        if n > 0 {
            let first = (*g).next_first % n;
            (*g).next_first = first + 1;
            for i in 0..n {
                let m = members[(first + i) % n];
                if try_lock_bev(m) {
                    if write {
                        unsuspend_write(m, SUSPEND_BW_GROUP);
                    } else {
                        unsuspend_read(m, SUSPEND_BW_GROUP);
                    }
                    unlock(m);
                } else {
                    again = true;
                }
            }
        }
        if write {
            (*g).pending_unsuspend_write = again;
        } else {
            (*g).pending_unsuspend_read = again;
        }
    }
}

unsafe extern "C" fn group_refill_cb(_fd: c_int, _what: c_short, arg: *mut c_void) {
    let g = arg as *mut Group;
    // SAFETY: the timer is removed before the group is freed.
    unsafe {
        raw_lock((*g).lock);
        let tick = (*g).cfg.current_tick();
        let cfg = (*g).cfg;
        (*g).bucket.refill(&cfg, tick);
        if (*g).pending_unsuspend_read || ((*g).read_suspended && (*g).bucket.read_limit >= (*g).min_share) {
            group_unsuspend(g, false);
        }
        if (*g).pending_unsuspend_write || ((*g).write_suspended && (*g).bucket.write_limit >= (*g).min_share) {
            group_unsuspend(g, true);
        }
        raw_unlock((*g).lock);
    }
}

/// `bufferevent_rate_limit_group_new`.
///
/// # Safety
/// `base` is live.
pub unsafe fn group_new(base: *mut event_base, cfg: &Cfg) -> *mut Group {
    // SAFETY: the group is boxed so its timer does not move.
    unsafe {
        let tick = cfg.current_tick();
        let g = Box::into_raw(Box::new(Group {
            cfg: *cfg,
            bucket: Bucket::fresh(cfg, tick),
            refill: std::mem::zeroed(),
            lock: null_mut(),
            members: Vec::new(),
            configured_min_share: 0,
            min_share: 0,
            read_suspended: false,
            write_suspended: false,
            pending_unsuspend_read: false,
            pending_unsuspend_write: false,
            total_read: 0,
            total_written: 0,
            next_first: 0,
        }));
        if event_assign(&mut (*g).refill, base, -1, EV_PERSIST | EV_FINALIZE, Some(group_refill_cb), g.cast()) < 0 {
            drop(Box::from_raw(g));
            return null_mut();
        }
        event_add(&mut (*g).refill, &(*g).cfg.tick_timeout);
        if let Some(alloc) = thread::LOCK_FNS.get().alloc {
            (*g).lock = alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
        }
        group_set_min_share(g, 64);
        g
    }
}

/// `bufferevent_rate_limit_group_set_min_share`.
///
/// # Safety
/// `g` is live.
pub unsafe fn group_set_min_share(g: *mut Group, share: usize) -> c_int {
    if share > isize::MAX as usize {
        return -1;
    }
    // SAFETY: per the caller.
    unsafe {
        raw_lock((*g).lock);
        (*g).configured_min_share = share;
        // Never above one tick's refill, or nobody might ever move again.
        let s = share.min((*g).cfg.read_rate).min((*g).cfg.write_rate);
        (*g).min_share = s as isize;
        raw_unlock((*g).lock);
    }
    0
}

/// `bufferevent_rate_limit_group_set_cfg`.
///
/// # Safety
/// `g` is live.
pub unsafe fn group_set_cfg(g: *mut Group, cfg: &Cfg) {
    // SAFETY: per the caller.
    unsafe {
        raw_lock((*g).lock);
        let same_tick = (*g).cfg.tick_timeout.tv_sec == cfg.tick_timeout.tv_sec
            && (*g).cfg.tick_timeout.tv_usec == cfg.tick_timeout.tv_usec;
        (*g).cfg = *cfg;
        (*g).bucket.clip(cfg);
        if !same_tick {
            event_add(&mut (*g).refill, &(*g).cfg.tick_timeout);
        }
        let share = (*g).configured_min_share;
        group_set_min_share(g, share);
        raw_unlock((*g).lock);
    }
}

/// `bufferevent_rate_limit_group_free`: the group must have no members (else it is kept).
///
/// # Safety
/// `g` is live and is not used afterwards.
pub unsafe fn group_free(g: *mut Group) {
    // SAFETY: per the caller.
    unsafe {
        raw_lock((*g).lock);
        if !(*g).members.is_empty() {
            // Freeing it would leave the members pointing at freed memory: keep it (leaked).
            crate::util::log::warnx("bufferevent_rate_limit_group_free: the group still has members; not freed");
            raw_unlock((*g).lock);
            return;
        }
        event_del(&mut (*g).refill);
        raw_unlock((*g).lock);
        let l = (*g).lock;
        if !l.is_null() {
            if let Some(f) = thread::LOCK_FNS.get().free {
                f(l, EVTHREAD_LOCKTYPE_RECURSIVE);
            }
        }
        drop(Box::from_raw(g));
    }
}

/// The group's bucket level (`bufferevent_rate_limit_group_get_{read,write}_limit`).
///
/// # Safety
/// `g` is live.
pub unsafe fn group_limit(g: *mut Group, write: bool) -> isize {
    // SAFETY: per the caller.
    unsafe {
        raw_lock((*g).lock);
        let r = if write { (*g).bucket.write_limit } else { (*g).bucket.read_limit };
        raw_unlock((*g).lock);
        r
    }
}

/// `bufferevent_rate_limit_group_get_totals`.
///
/// # Safety
/// `g` is live.
pub unsafe fn group_totals(g: *mut Group) -> (u64, u64) {
    // SAFETY: per the caller.
    unsafe {
        raw_lock((*g).lock);
        let r = ((*g).total_read, (*g).total_written);
        raw_unlock((*g).lock);
        r
    }
}

/// `bufferevent_rate_limit_group_reset_totals`.
///
/// # Safety
/// `g` is live.
pub unsafe fn group_reset_totals(g: *mut Group) {
    // SAFETY: per the caller.
    unsafe {
        raw_lock((*g).lock);
        (*g).total_read = 0;
        (*g).total_written = 0;
        raw_unlock((*g).lock);
    }
}

/// Takes `n` from the group's bucket (negative gives back), suspending or resuming the
/// members when it crosses zero (`bufferevent_rate_limit_group_decrement_*`).
///
/// # Safety
/// `g` is live.
pub unsafe fn group_decrement(g: *mut Group, n: isize, write: bool) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        raw_lock((*g).lock);
        let lim = if write { &mut (*g).bucket.write_limit } else { &mut (*g).bucket.read_limit };
        let old = *lim;
        *lim = old.wrapping_sub(n);
        let new = *lim;
        if old > 0 && new <= 0 {
            group_suspend(g, write);
        } else if old <= 0 && new > 0 {
            group_unsuspend(g, write);
        }
        raw_unlock((*g).lock);
    }
    0
}

// ---- one bufferevent ----

unsafe extern "C" fn bev_refill_cb(_fd: c_int, _what: c_short, arg: *mut c_void) {
    let bev = arg as *mut bufferevent;
    // SAFETY: the timer is removed before the bufferevent's state goes.
    unsafe {
        lock(bev);
        let s = state(bev);
        if s.is_null() || (*s).cfg.is_null() || (*private(bev)).finalizing {
            unlock(bev);
            return;
        }
        let cfg = *(*s).cfg;
        (*s).bucket.refill(&cfg, cfg.current_tick());
        let p = private(bev);
        let mut again = false;
        if (*p).read_suspended & SUSPEND_BW != 0 {
            if (*s).bucket.read_limit > 0 {
                unsuspend_read(bev, SUSPEND_BW);
            } else {
                again = true;
            }
        }
        if (*p).write_suspended & SUSPEND_BW != 0 {
            if (*s).bucket.write_limit > 0 {
                unsuspend_write(bev, SUSPEND_BW);
            } else {
                again = true;
            }
        }
        if again {
            event_add(&mut (*s).refill, &cfg.tick_timeout);
        }
        unlock(bev);
    }
}

/// The state of `bev`, made (without configuration or group) when it has none.
unsafe fn state_or_new(bev: *mut bufferevent) -> *mut BevLimit {
    // SAFETY: `bev` is live and locked.
    unsafe {
        let p = private(bev);
        if (*p).rate_limiting.is_null() {
            let s = Box::into_raw(Box::new(BevLimit {
                cfg: std::ptr::null(),
                bucket: Bucket::default(),
                refill: std::mem::zeroed(),
                group: null_mut(),
            }));
            event_assign(&mut (*s).refill, (*bev).ev_base, -1, EV_FINALIZE, Some(bev_refill_cb), bev.cast());
            (*p).rate_limiting = s.cast();
        }
        state(bev)
    }
}

/// Credits the elapsed ticks to the bufferevent's own bucket.
unsafe fn update(s: *mut BevLimit) {
    // SAFETY: `s` is live; its cfg is live while set.
    unsafe {
        if !(*s).cfg.is_null() {
            let cfg = *(*s).cfg;
            let tick = cfg.current_tick();
            if tick != (*s).bucket.last_updated {
                (*s).bucket.refill(&cfg, tick);
            }
        }
    }
}

/// `bufferevent_set_rate_limit` (null `cfg`: remove the bufferevent's own limit).
///
/// # Safety
/// `bev` is live; `cfg` is null or stays live while the bufferevent uses it.
pub unsafe fn set_rate_limit(bev: *mut bufferevent, cfg: *const Cfg) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let p = private(bev);
        if cfg.is_null() {
            let s = state(bev);
            if !s.is_null() {
                (*s).cfg = std::ptr::null();
                unsuspend_read(bev, SUSPEND_BW);
                unsuspend_write(bev, SUSPEND_BW);
                event_del(&mut (*s).refill);
            }
            unlock(bev);
            return 0;
        }
        let tick = (*cfg).current_tick();
        if !(*p).rate_limiting.is_null() && (*state(bev)).cfg == cfg {
            unlock(bev);
            return 0;
        }
        let s = state_or_new(bev);
        let reinit = !(*s).cfg.is_null();
        (*s).cfg = cfg;
        if reinit {
            (*s).bucket.clip(&*cfg);
            event_del(&mut (*s).refill);
        } else {
            (*s).bucket = Bucket::fresh(&*cfg, tick);
        }
        let mut suspended = false;
        if (*s).bucket.read_limit > 0 {
            unsuspend_read(bev, SUSPEND_BW);
        } else {
            suspend_read(bev, SUSPEND_BW);
            suspended = true;
        }
        if (*s).bucket.write_limit > 0 {
            unsuspend_write(bev, SUSPEND_BW);
        } else {
            suspend_write(bev, SUSPEND_BW);
            suspended = true;
        }
        if suspended {
            event_add(&mut (*s).refill, &(*cfg).tick_timeout);
        }
        unlock(bev);
        0
    }
}

/// `bufferevent_get_token_bucket_cfg`.
///
/// # Safety
/// `bev` is live.
pub unsafe fn get_cfg(bev: *mut bufferevent) -> *const Cfg {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let s = state(bev);
        let r = if s.is_null() { std::ptr::null() } else { (*s).cfg };
        unlock(bev);
        r
    }
}

/// `bufferevent_get_{read,write}_limit`: the own bucket's level, `EV_SSIZE_MAX` without one.
///
/// # Safety
/// `bev` is live.
pub unsafe fn get_limit(bev: *mut bufferevent, write: bool) -> isize {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let s = state(bev);
        let r = if s.is_null() || (*s).cfg.is_null() {
            isize::MAX
        } else {
            update(s);
            if write {
                (*s).bucket.write_limit
            } else {
                (*s).bucket.read_limit
            }
        };
        unlock(bev);
        r
    }
}

/// `bufferevent_decrement_{read,write}_limit`. -1 when the bufferevent has no own limit.
///
/// # Safety
/// `bev` is live.
pub unsafe fn decrement(bev: *mut bufferevent, n: isize, write: bool) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let s = state(bev);
        if s.is_null() || (*s).cfg.is_null() {
            unlock(bev);
            crate::util::log::warnx("bufferevent_decrement_*_limit: the bufferevent has no rate limit");
            return -1;
        }
        let mut r = 0;
        let lim = if write { &mut (*s).bucket.write_limit } else { &mut (*s).bucket.read_limit };
        let old = *lim;
        *lim = old.wrapping_sub(n);
        let new = *lim;
        let p = private(bev);
        if old > 0 && new <= 0 {
            if write {
                suspend_write(bev, SUSPEND_BW);
            } else {
                suspend_read(bev, SUSPEND_BW);
            }
            if event_add(&mut (*s).refill, &(*(*s).cfg).tick_timeout) < 0 {
                r = -1;
            }
        } else if old <= 0 && new > 0 {
            let other = if write { (*p).read_suspended } else { (*p).write_suspended };
            if other & SUSPEND_BW == 0 {
                event_del(&mut (*s).refill);
            }
            if write {
                unsuspend_write(bev, SUSPEND_BW);
            } else {
                unsuspend_read(bev, SUSPEND_BW);
            }
        }
        unlock(bev);
        r
    }
}

/// `bufferevent_add_to_rate_limit_group`.
///
/// # Safety
/// `bev` and `g` are live.
pub unsafe fn add_to_group(bev: *mut bufferevent, g: *mut Group) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let s = state_or_new(bev);
        if (*s).group == g {
            unlock(bev);
            return 0;
        }
        if !(*s).group.is_null() {
            remove_from_group(bev, true);
        }
        raw_lock((*g).lock);
        (*s).group = g;
        (*g).members.insert(0, bev);
        let rs = (*g).read_suspended;
        let ws = (*g).write_suspended;
        raw_unlock((*g).lock);
        if rs {
            suspend_read(bev, SUSPEND_BW_GROUP);
        }
        if ws {
            suspend_write(bev, SUSPEND_BW_GROUP);
        }
        unlock(bev);
        0
    }
}

/// `bufferevent_remove_from_rate_limit_group`; `resume` lifts the group's holds.
///
/// # Safety
/// `bev` is live.
pub unsafe fn remove_from_group(bev: *mut bufferevent, resume: bool) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let s = state(bev);
        if !s.is_null() && !(*s).group.is_null() {
            let g = (*s).group;
            raw_lock((*g).lock);
            (*s).group = null_mut();
            (*g).members.retain(|&m| m != bev);
            raw_unlock((*g).lock);
        }
        if resume {
            unsuspend_read(bev, SUSPEND_BW_GROUP);
            unsuspend_write(bev, SUSPEND_BW_GROUP);
        }
        unlock(bev);
        0
    }
}

// ---- hooks of the generic code ----

/// The most the next read (`write`: write) may move: the single-operation maximum, or the own
/// bucket's level when limited, narrowed to the group share. Never negative.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn max_now(bev: *mut bufferevent, write: bool) -> isize {
    // SAFETY: per the caller.
    unsafe {
        let p = private(bev);
        let mut max = if write { (*p).max_single_write } else { (*p).max_single_read };
        let s = state(bev);
        if s.is_null() {
            return max;
        }
        if !(*s).cfg.is_null() {
            update(s);
            max = if write { (*s).bucket.write_limit } else { (*s).bucket.read_limit };
        }
        let g = (*s).group;
        if !g.is_null() {
            raw_lock((*g).lock);
            let suspended = if write { (*g).write_suspended } else { (*g).read_suspended };
            let share = if suspended {
                // The group was suspended while this member could not be locked.
                if write {
                    suspend_write(bev, SUSPEND_BW_GROUP);
                } else {
                    suspend_read(bev, SUSPEND_BW_GROUP);
                }
                0
            } else {
                let level = if write { (*g).bucket.write_limit } else { (*g).bucket.read_limit };
                let n = (*g).members.len().max(1) as isize;
                (level / n).max((*g).min_share)
            };
            raw_unlock((*g).lock);
            max = max.min(share);
        }
        max.max(0)
    }
}

/// Takes `n` bytes moved from the buckets, suspending what ran dry.
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn note(bev: *mut bufferevent, n: usize, write: bool) {
    // SAFETY: per the caller.
    unsafe {
        let s = state(bev);
        if s.is_null() {
            return;
        }
        let p = private(bev);
        let n_i = n as isize;
        if !(*s).cfg.is_null() {
            let lim = if write { &mut (*s).bucket.write_limit } else { &mut (*s).bucket.read_limit };
            *lim = lim.wrapping_sub(n_i);
            if *lim <= 0 {
                if write {
                    suspend_write(bev, SUSPEND_BW);
                } else {
                    suspend_read(bev, SUSPEND_BW);
                }
                event_add(&mut (*s).refill, &(*(*s).cfg).tick_timeout);
            } else if (if write { (*p).write_suspended } else { (*p).read_suspended }) & SUSPEND_BW != 0 {
                let other = if write { (*p).read_suspended } else { (*p).write_suspended };
                if other & SUSPEND_BW == 0 {
                    event_del(&mut (*s).refill);
                }
                if write {
                    unsuspend_write(bev, SUSPEND_BW);
                } else {
                    unsuspend_read(bev, SUSPEND_BW);
                }
            }
        }
        let g = (*s).group;
        if !g.is_null() {
            raw_lock((*g).lock);
            let level = if write {
                (*g).total_written += n as u64;
                (*g).bucket.write_limit = (*g).bucket.write_limit.wrapping_sub(n_i);
                (*g).bucket.write_limit
            } else {
                (*g).total_read += n as u64;
                (*g).bucket.read_limit = (*g).bucket.read_limit.wrapping_sub(n_i);
                (*g).bucket.read_limit
            };
            if level <= 0 {
                group_suspend(g, write);
            } else if if write { (*g).write_suspended } else { (*g).read_suspended } {
                group_unsuspend(g, write);
            }
            raw_unlock((*g).lock);
        }
    }
}

/// The last reference went: leave the group, stop the refill timer (without waiting).
///
/// # Safety
/// `bev` is live and locked.
pub unsafe fn unlink(bev: *mut bufferevent) {
    // SAFETY: per the caller.
    unsafe {
        let s = state(bev);
        if s.is_null() {
            return;
        }
        if !(*s).group.is_null() {
            remove_from_group(bev, false);
        }
        if (*s).refill.ev_evcallback.evcb_flags & EVLIST_INIT != 0 {
            event_del_noblock(&mut (*s).refill);
        }
    }
}

/// Frees the state, from the finalizer.
///
/// # Safety
/// `bev` is being finalized.
pub unsafe fn release(bev: *mut bufferevent) {
    // SAFETY: per the caller.
    unsafe {
        let p = private(bev);
        let s = (*p).rate_limiting as *mut BevLimit;
        if !s.is_null() {
            (*p).rate_limiting = null_mut();
            drop(Box::from_raw(s));
        }
    }
}
