//! The event base: pending events (fd map, signal map, timer heap, common-timeout queues),
//! the active queues by priority, the time cache, and the loop that ties them together.
//!
//! Locking: when the base has a lock (threading on), every public entry point takes it; the loop
//! holds it except while it waits in the backend and while it runs a callback. Methods named
//! `*_nolock` and every `&mut self` method expect the lock to be held by the caller. No `&mut Base`
//! is alive while user code runs: the loop works through the raw pointer and borrows only for the
//! span of one internal operation.

use super::backend::{self, Interest, Method, Waiter};
use super::config::Config;
use super::debug;
use super::heap::TimerHeap;
use super::links::{CallbackQueue, EventList, Links};
use super::signal::{SignalState, NSIG};
use super::thread::{self, BaseLock};
use super::time::{self, tv_add, tv_is_zero, tv_lt, tv_sub, ZERO};
use crate::capi::event_defs::*;
use crate::capi::event_struct::*;
use crate::util::{log, mem};
use libc::{c_int, c_short, c_ulong, c_void, timeval};
use std::cell::UnsafeCell;
use std::ffi::CStr;
use std::os::fd::RawFd;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, Ordering};

// What runs when a callback is dispatched (`evcb_closure`).
pub const CLOSURE_EVENT: u8 = 0;
pub const CLOSURE_EVENT_SIGNAL: u8 = 1;
pub const CLOSURE_EVENT_PERSIST: u8 = 2;
pub const CLOSURE_CB_SELF: u8 = 3;
pub const CLOSURE_CB_FINALIZE: u8 = 4;
pub const CLOSURE_EVENT_FINALIZE: u8 = 5;
pub const CLOSURE_EVENT_FINALIZE_FREE: u8 = 6;

/// `event_free_finalize` marks its flags with this.
pub const FINALIZE_FREE: u32 = 0x10000;

// Common timeouts are encoded in the microseconds of the duration the base hands out.
const MICROSECONDS_MASK: i64 = 0x000f_ffff;
const COMMON_TIMEOUT_IDX_MASK: i64 = 0x0ff0_0000;
const COMMON_TIMEOUT_IDX_SHIFT: i64 = 20;
const COMMON_TIMEOUT_MASK: i64 = 0xf000_0000;
const COMMON_TIMEOUT_MAGIC: i64 = 0x5000_0000;
const MAX_COMMON_TIMEOUTS: usize = 256;

/// How often the offset between the wall clock and the monotonic clock is refreshed (seconds).
const CLOCK_SYNC_INTERVAL: i64 = 5;

/// `event_del` flavours.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DelMode {
    /// Never wait for a running callback.
    NoBlock,
    /// Wait for a callback running in another thread.
    Block,
    /// Wait unless the event has `EV_FINALIZE`.
    AutoBlock,
    /// Delete even an event being finalized.
    EvenIfFinalizing,
}

/// The legacy API's implicit base (`event_init`, `event_set`, ...).
pub static CURRENT_BASE: AtomicPtr<Base> = AtomicPtr::new(null_mut());

/// The per-fd entry of the I/O map.
#[derive(Default, Clone, Copy)]
struct IoSlot {
    events: EventList,
    nread: u16,
    nwrite: u16,
    nclose: u16,
}

impl IoSlot {
    fn mask(&self) -> c_short {
        (if self.nread > 0 { EV_READ } else { 0 })
            | (if self.nwrite > 0 { EV_WRITE } else { 0 })
            | (if self.nclose > 0 { EV_CLOSED } else { 0 })
    }
}

/// A queue of events that share one timeout duration, kept in deadline order, with one timer in
/// the heap for its head.
struct CommonTimeout {
    events: EventList,
    duration: timeval,
    timer: *mut event,
    base: *mut Base,
}

/// `event_base_once`'s allocation: the event plus the user's callback.
#[repr(C)]
struct EventOnce {
    ev: event,
    cb: event_callback_fn,
    arg: *mut c_void,
    idx: usize,
}

pub struct Base {
    pub lock: BaseLock,
    method: Method,
    method_name: &'static CStr,
    interest: Interest,
    /// Touched only by the thread running the loop.
    waiter: *mut Waiter,
    flags: c_int,
    precise_time: bool,

    active: Vec<CallbackQueue>,
    active_later: CallbackQueue,
    event_count: c_int,
    event_count_max: c_int,
    event_count_active: c_int,
    event_count_active_max: c_int,
    virtual_event_count: c_int,
    virtual_event_count_max: c_int,
    n_deferreds_queued: c_int,

    timeheap: TimerHeap,
    common_timeouts: Vec<*mut CommonTimeout>,
    io: Vec<IoSlot>,
    signals: Vec<EventList>,
    sig: SignalState,
    sig_ev: *mut event,

    tv_cache: timeval,
    tv_clock_diff: timeval,
    last_updated_clock_diff: i64,

    running_loop: bool,
    event_gotterm: bool,
    event_break: bool,
    event_continue: bool,
    event_running_priority: c_int,
    current_event: *mut event_callback,
    current_event_waiters: c_int,
    th_owner_id: c_ulong,
    notify_fd: RawFd,
    notify_ev: *mut event,
    is_notify_pending: bool,

    max_dispatch_time: Option<timeval>,
    max_dispatch_callbacks: c_int,
    limit_callbacks_after_prio: c_int,

    once_events: Vec<*mut EventOnce>,
}

// ---- small accessors on raw events ----

#[inline]
unsafe fn flags(ev: *const event) -> c_short {
    // SAFETY: caller passes a valid event.
    unsafe { (*ev).ev_evcallback.evcb_flags }
}
#[inline]
unsafe fn cb_flags(cb: *const event_callback) -> c_short {
    // SAFETY: caller passes a valid callback.
    unsafe { (*cb).evcb_flags }
}
#[inline]
fn as_cb(ev: *mut event) -> *mut event_callback {
    ev as *mut event_callback
}

fn is_common_timeout_tv(tv: &timeval, n: usize) -> bool {
    let u = tv.tv_usec as i64;
    (u & COMMON_TIMEOUT_MASK) == COMMON_TIMEOUT_MAGIC
        && (((u & COMMON_TIMEOUT_IDX_MASK) >> COMMON_TIMEOUT_IDX_SHIFT) as usize) < n
}

fn common_timeout_idx(tv: &timeval) -> usize {
    (((tv.tv_usec as i64) & COMMON_TIMEOUT_IDX_MASK) >> COMMON_TIMEOUT_IDX_SHIFT) as usize
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some()
}

/// Sets up `ev` as `event_assign` does (without the debug-mode bookkeeping of the public call).
///
/// # Safety
/// `ev` points to writable memory of `struct event`'s size; `base` is null or a live base.
pub unsafe fn assign(
    ev: *mut event,
    base: *mut Base,
    fd: RawFd,
    events: c_short,
    cb: event_callback_fn,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: the caller guarantees `ev` is writable and `base` null or live.
    unsafe {
        (*ev).ev_base = base.cast();
        (*ev).ev_evcallback.evcb_cb_union.evcb_callback = cb;
        (*ev).ev_evcallback.evcb_arg = arg;
        (*ev).ev_fd = fd;
        (*ev).ev_events = events;
        (*ev).ev_res = 0;
        (*ev).ev_evcallback.evcb_flags = EVLIST_INIT;
        (*ev).ev_.ev_signal.ev_ncalls = 0;
        (*ev).ev_.ev_signal.ev_pncalls = null_mut();
        if events & EV_SIGNAL != 0 {
            if events & (EV_READ | EV_WRITE | EV_CLOSED) != 0 {
                log::warnx("event_assign: EV_SIGNAL is not compatible with EV_READ, EV_WRITE or EV_CLOSED");
                return -1;
            }
            (*ev).ev_evcallback.evcb_closure = CLOSURE_EVENT_SIGNAL;
        } else if events & EV_PERSIST != 0 {
            (*ev).ev_.ev_io.ev_timeout = ZERO;
            (*ev).ev_evcallback.evcb_closure = CLOSURE_EVENT_PERSIST;
        } else {
            (*ev).ev_evcallback.evcb_closure = CLOSURE_EVENT;
        }
        (*ev).ev_timeout_pos.min_heap_idx = -1;
        if !base.is_null() {
            (*ev).ev_evcallback.evcb_pri = ((*base).active.len() / 2) as u8;
        }
    }
    0
}

/// A zeroed heap event for the base's own use, never counted as keeping the loop alive.
///
/// # Safety
/// `base` is live.
unsafe fn internal_event(
    base: *mut Base,
    fd: RawFd,
    events: c_short,
    cb: unsafe extern "C" fn(c_int, c_short, *mut c_void),
    arg: *mut c_void,
) -> *mut event {
    // SAFETY: all-zero is a valid unassigned event; `base` is live per the caller.
    unsafe {
        let ev = mem::boxed(std::mem::zeroed::<event>());
        assign(ev, base, fd, events, Some(cb), arg);
        (*ev).ev_evcallback.evcb_flags |= EVLIST_INTERNAL;
        (*ev).ev_evcallback.evcb_pri = 0;
        ev
    }
}

unsafe extern "C" fn signal_cb(fd: c_int, _what: c_short, arg: *mut c_void) {
    let base = arg as *mut Base;
    let counts = SignalState::drain(fd);
    // SAFETY: the internal signal event's argument is its live base.
    unsafe {
        (*base).lock.lock();
        for (sig, &n) in counts.iter().enumerate() {
            if n > 0 {
                (*base).signal_active(sig as c_int, n.min(i16::MAX as u32) as c_short);
            }
        }
        (*base).lock.unlock();
    }
}

unsafe extern "C" fn notify_cb(fd: c_int, _what: c_short, arg: *mut c_void) {
    let base = arg as *mut Base;
    let mut buf = 0u64;
    // SAFETY: reading the eventfd counter into a valid 8-byte buffer; `arg` is the live base.
    unsafe {
        while libc::read(fd, (&mut buf as *mut u64).cast(), 8) == 8 {}
        (*base).lock.lock();
        (*base).is_notify_pending = false;
        (*base).lock.unlock();
    }
}

unsafe extern "C" fn common_timeout_cb(_fd: c_int, _what: c_short, arg: *mut c_void) {
    let ctl = arg as *mut CommonTimeout;
    // SAFETY: the timer's argument is its live queue, owned by a live base.
    unsafe {
        let base = (*ctl).base;
        (*base).lock.lock();
        let now = (*base).gettime();
        loop {
            let ev = (*ctl).events.first;
            if ev.is_null() {
                break;
            }
            let t = (*ev).ev_timeout;
            if t.tv_sec > now.tv_sec
                || (t.tv_sec == now.tv_sec && (t.tv_usec as i64 & MICROSECONDS_MASK) > now.tv_usec as i64)
            {
                break;
            }
            (*base).del_nolock(ev, DelMode::NoBlock);
            (*base).active_nolock(ev, EV_TIMEOUT, 1);
        }
        let head = (*ctl).events.first;
        if !head.is_null() {
            (*base).common_timeout_schedule(ctl, head);
        }
        (*base).lock.unlock();
    }
}

unsafe extern "C" fn loopexit_cb(_fd: c_int, _what: c_short, arg: *mut c_void) {
    // SAFETY: the argument is the live base; the loop thread holds no borrow during callbacks.
    unsafe {
        (*(arg as *mut Base)).event_gotterm = true;
    }
}

unsafe extern "C" fn once_cb(fd: c_int, what: c_short, arg: *mut c_void) {
    let eonce = arg as *mut EventOnce;
    // SAFETY: `arg` is the live EventOnce this callback was registered with; it is freed here,
    // after the user's callback, exactly once.
    unsafe {
        if let Some(cb) = (*eonce).cb {
            cb(fd, what, (*eonce).arg);
        }
        let base = (*eonce).ev.ev_base as *mut Base;
        (*base).lock.lock();
        (*base).forget_once(eonce);
        (*base).lock.unlock();
        debug::note_teardown(&(*eonce).ev);
        mem::unbox(eonce);
    }
}

impl Base {
    /// `event_base_new_with_config`.
    pub fn new(cfg: &Config) -> *mut Base {
        debug::mark_too_late();
        let ignore_env = cfg.flags & EVENT_BASE_FLAG_IGNORE_ENV != 0;
        let mut chosen = None;
        for m in Method::ALL {
            if cfg.avoids(m.name()) {
                continue;
            }
            if m.features() & cfg.require_features != cfg.require_features {
                continue;
            }
            if !ignore_env && env_set(m.env_var()) {
                continue;
            }
            match backend::open(m) {
                Ok(b) => {
                    chosen = Some((m, b));
                    break;
                }
                Err(e) => log::warnx(&format!("{}: {e}", m.name().to_string_lossy())),
            }
        }
        let Some((method, (interest, waiter))) = chosen else {
            log::warnx("No event mechanism available.");
            return null_mut();
        };
        let sig = match SignalState::new() {
            Ok(s) => s,
            Err(e) => {
                log::warnx(&format!("socketpair: {e}"));
                return null_mut();
            }
        };
        let changelist = cfg.flags & EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST != 0
            || (!ignore_env && env_set("EVENT_EPOLL_USE_CHANGELIST"));
        let method_name = match (method, changelist) {
            (Method::Epoll, true) => c"epoll (with changelist)",
            _ => method.name(),
        };
        let precise_time = cfg.flags & EVENT_BASE_FLAG_PRECISE_TIMER != 0
            || (!ignore_env && env_set("EVENT_PRECISE_TIMER"));
        let base = mem::boxed(Base {
            lock: BaseLock::none(),
            method,
            method_name,
            interest,
            waiter: Box::into_raw(waiter),
            flags: cfg.flags,
            precise_time,
            active: vec![CallbackQueue::default()],
            active_later: CallbackQueue::default(),
            event_count: 0,
            event_count_max: 0,
            event_count_active: 0,
            event_count_active_max: 0,
            virtual_event_count: 0,
            virtual_event_count_max: 0,
            n_deferreds_queued: 0,
            timeheap: TimerHeap::default(),
            common_timeouts: Vec::new(),
            io: Vec::new(),
            signals: vec![EventList::default(); NSIG],
            sig,
            sig_ev: null_mut(),
            tv_cache: ZERO,
            tv_clock_diff: ZERO,
            last_updated_clock_diff: i64::MIN / 2,
            running_loop: false,
            event_gotterm: false,
            event_break: false,
            event_continue: false,
            event_running_priority: -1,
            current_event: null_mut(),
            current_event_waiters: 0,
            th_owner_id: 0,
            notify_fd: -1,
            notify_ev: null_mut(),
            is_notify_pending: false,
            max_dispatch_time: cfg.max_dispatch_interval,
            max_dispatch_callbacks: cfg.max_dispatch_callbacks,
            limit_callbacks_after_prio: cfg.limit_callbacks_after_prio,
            once_events: Vec::new(),
        });
        if base.is_null() {
            return null_mut();
        }
        // SAFETY: `base` was just allocated and is not shared yet.
        unsafe {
            (*base).sig_ev = internal_event(
                base,
                (*base).sig.pair[0],
                EV_READ | EV_PERSIST,
                signal_cb,
                base.cast(),
            );
            (*base).gettime();
            if !ignore_env && env_set("EVENT_SHOW_METHOD") {
                log::log(log::MSG, &format!("libevent using: {}", method_name.to_string_lossy()));
            }
            if thread::threads_enabled() && cfg.flags & EVENT_BASE_FLAG_NOLOCK == 0 {
                (*base).lock = BaseLock::new();
                (*base).lock.lock();
                let r = (*base).make_notifiable_nolock();
                (*base).lock.unlock();
                if r < 0 {
                    log::warnx("event_base_new_with_config: Unable to make base notifiable.");
                    Base::free(base, false);
                    return null_mut();
                }
            }
        }
        base
    }

    pub fn method_name(&self) -> &'static CStr {
        self.method_name
    }

    pub fn features(&self) -> c_int {
        self.method.features()
    }

    pub fn npriorities(&self) -> c_int {
        self.active.len() as c_int
    }

    // ---- time ----

    /// The current monotonic time: the cached value inside the loop, the clock otherwise.
    pub fn gettime(&mut self) -> timeval {
        if self.tv_cache.tv_sec != 0 {
            return self.tv_cache;
        }
        let now = time::monotonic(self.precise_time);
        if self.last_updated_clock_diff + CLOCK_SYNC_INTERVAL < now.tv_sec {
            self.tv_clock_diff = tv_sub(&time::wall_clock(), &now);
            self.last_updated_clock_diff = now.tv_sec;
        }
        now
    }

    fn update_time_cache(&mut self) {
        self.tv_cache.tv_sec = 0;
        if self.flags & EVENT_BASE_FLAG_NO_CACHE_TIME == 0 {
            self.tv_cache = self.gettime();
        }
    }

    /// `event_base_gettimeofday_cached`.
    pub fn gettimeofday_cached(&self) -> timeval {
        if self.tv_cache.tv_sec == 0 {
            time::wall_clock()
        } else {
            tv_add(&self.tv_cache, &self.tv_clock_diff)
        }
    }

    /// `event_base_update_cache_time`.
    pub fn update_cache_time(&mut self) {
        if self.running_loop {
            self.update_time_cache();
        }
    }

    pub fn monotonic_now(&self) -> timeval {
        time::monotonic(self.precise_time)
    }

    // ---- threads ----

    pub fn in_loop_thread(&self) -> bool {
        match thread::current_id() {
            None => true,
            Some(id) => self.th_owner_id == id,
        }
    }

    #[inline]
    fn need_notify(&self) -> bool {
        match thread::current_id() {
            None => false,
            Some(id) => self.running_loop && self.th_owner_id != id,
        }
    }

    fn notify(&mut self) -> c_int {
        if self.notify_fd < 0 {
            return -1;
        }
        if self.is_notify_pending {
            return 0;
        }
        self.is_notify_pending = true;
        let one = 1u64;
        // SAFETY: writing 8 bytes from a valid u64 to our eventfd.
        unsafe { libc::write(self.notify_fd, (&one as *const u64).cast(), 8) };
        0
    }

    /// `evthread_make_base_notifiable`, lock held.
    pub fn make_notifiable_nolock(&mut self) -> c_int {
        if self.notify_fd >= 0 {
            return 0;
        }
        // SAFETY: plain eventfd creation.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return -1;
        }
        self.notify_fd = fd;
        let me: *mut Base = self;
        // SAFETY: `me` is this live base.
        unsafe {
            self.notify_ev = internal_event(me, fd, EV_READ | EV_PERSIST, notify_cb, me.cast());
            self.add_nolock(self.notify_ev, None, false)
        }
    }

    // ---- counters and queues ----

    #[inline]
    fn incr_count(&mut self, f: c_short) {
        if f & EVLIST_INTERNAL == 0 {
            self.event_count += 1;
            self.event_count_max = self.event_count_max.max(self.event_count);
        }
    }

    #[inline]
    fn decr_count(&mut self, f: c_short) {
        if f & EVLIST_INTERNAL == 0 {
            self.event_count -= 1;
        }
    }

    pub fn n_active_callbacks(&self) -> c_int {
        self.event_count_active
    }

    fn have_events(&self) -> bool {
        self.virtual_event_count > 0 || self.event_count > 0
    }

    unsafe fn insert_inserted(&mut self, ev: *mut event) {
        // SAFETY: `ev` valid per the caller.
        unsafe {
            self.incr_count(flags(ev));
            (*ev).ev_evcallback.evcb_flags |= EVLIST_INSERTED;
        }
    }

    unsafe fn remove_inserted(&mut self, ev: *mut event) {
        // SAFETY: `ev` valid per the caller.
        unsafe {
            self.decr_count(flags(ev));
            (*ev).ev_evcallback.evcb_flags &= !EVLIST_INSERTED;
        }
    }

    /// The queue index for `cb`, clamping a priority set before `event_base_priority_init`
    /// shrank the number of queues.
    #[inline]
    unsafe fn queue_of(&mut self, cb: *mut event_callback) -> usize {
        // SAFETY: `cb` valid per the caller.
        unsafe {
            let n = self.active.len();
            if (*cb).evcb_pri as usize >= n {
                (*cb).evcb_pri = (n - 1) as u8;
            }
            (*cb).evcb_pri as usize
        }
    }

    #[inline]
    unsafe fn insert_active(&mut self, cb: *mut event_callback) {
        // SAFETY: `cb` valid per the caller; it is in no active queue (flag checked).
        unsafe {
            if cb_flags(cb) & EVLIST_ACTIVE != 0 {
                return;
            }
            self.incr_count(cb_flags(cb));
            (*cb).evcb_flags |= EVLIST_ACTIVE;
            self.event_count_active += 1;
            self.event_count_active_max = self.event_count_active_max.max(self.event_count_active);
            let q = self.queue_of(cb);
            self.active[q].push_back(cb);
        }
    }

    #[inline]
    unsafe fn remove_active(&mut self, cb: *mut event_callback) {
        // SAFETY: `cb` is in its active queue (the flag says so).
        unsafe {
            self.decr_count(cb_flags(cb));
            (*cb).evcb_flags &= !EVLIST_ACTIVE;
            self.event_count_active -= 1;
            let q = (*cb).evcb_pri as usize;
            self.active[q].remove(cb);
        }
    }

    unsafe fn insert_active_later(&mut self, cb: *mut event_callback) {
        // SAFETY: `cb` valid per the caller.
        unsafe {
            if cb_flags(cb) & (EVLIST_ACTIVE_LATER | EVLIST_ACTIVE) != 0 {
                return;
            }
            self.incr_count(cb_flags(cb));
            (*cb).evcb_flags |= EVLIST_ACTIVE_LATER;
            self.event_count_active += 1;
            self.event_count_active_max = self.event_count_active_max.max(self.event_count_active);
            self.active_later.push_back(cb);
        }
    }

    unsafe fn remove_active_later(&mut self, cb: *mut event_callback) {
        // SAFETY: `cb` is in the active-later queue.
        unsafe {
            self.decr_count(cb_flags(cb));
            (*cb).evcb_flags &= !EVLIST_ACTIVE_LATER;
            self.event_count_active -= 1;
            self.active_later.remove(cb);
        }
    }

    fn make_later_events_active(&mut self) {
        while !self.active_later.is_empty() {
            let cb = self.active_later.first;
            // SAFETY: `cb` is queued, hence valid; it moves from one queue to another.
            unsafe {
                self.active_later.remove(cb);
                (*cb).evcb_flags = ((*cb).evcb_flags & !EVLIST_ACTIVE_LATER) | EVLIST_ACTIVE;
                let q = self.queue_of(cb);
                self.active[q].push_back(cb);
                if (*cb).evcb_closure == CLOSURE_CB_SELF {
                    self.n_deferreds_queued += 1;
                }
            }
        }
    }

    unsafe fn insert_timeout(&mut self, ev: *mut event) {
        // SAFETY: `ev` valid and not in a timeout queue (flag checked by callers).
        unsafe {
            self.incr_count(flags(ev));
            (*ev).ev_evcallback.evcb_flags |= EVLIST_TIMEOUT;
            if is_common_timeout_tv(&(*ev).ev_timeout, self.common_timeouts.len()) {
                let ctl = self.common_timeouts[common_timeout_idx(&(*ev).ev_timeout)];
                // Keep the queue sorted: most adds go at the tail, so search from there.
                let mut after = (*ctl).events.last;
                while !after.is_null() && tv_lt(&(*ev).ev_timeout, &(*after).ev_timeout) {
                    after = EventList::prev(after, Links::CommonTimeout);
                }
                (*ctl).events.insert_after(after, ev, Links::CommonTimeout);
            } else {
                self.timeheap.push(ev);
            }
        }
    }

    unsafe fn remove_timeout(&mut self, ev: *mut event) {
        // SAFETY: `ev` is in a timeout queue (the flag says so).
        unsafe {
            self.decr_count(flags(ev));
            (*ev).ev_evcallback.evcb_flags &= !EVLIST_TIMEOUT;
            if is_common_timeout_tv(&(*ev).ev_timeout, self.common_timeouts.len()) {
                let ctl = self.common_timeouts[common_timeout_idx(&(*ev).ev_timeout)];
                (*ctl).events.remove(ev, Links::CommonTimeout);
            } else {
                self.timeheap.remove(ev);
            }
        }
    }

    unsafe fn common_timeout_schedule(&mut self, ctl: *mut CommonTimeout, head: *mut event) {
        // SAFETY: `ctl` and `head` are live.
        unsafe {
            let mut t = (*head).ev_timeout;
            t.tv_usec = (t.tv_usec as i64 & MICROSECONDS_MASK) as _;
            self.add_nolock((*ctl).timer, Some(&t), true);
        }
    }

    // ---- the I/O and signal maps ----

    /// Returns 1 when the backend's interest changed, 0 when not, -1 on error.
    unsafe fn io_add(&mut self, ev: *mut event) -> c_int {
        // SAFETY: `ev` valid per the caller.
        unsafe {
            let fd = (*ev).ev_fd;
            if fd < 0 {
                return 0;
            }
            let fdu = fd as usize;
            if self.io.len() <= fdu {
                self.io.resize(fdu + 1, IoSlot::default());
            }
            let evs = (*ev).ev_events;
            let slot = &mut self.io[fdu];
            let old = slot.mask();
            let (mut r, mut w, mut c) = (slot.nread as u32, slot.nwrite as u32, slot.nclose as u32);
            let mut res = 0;
            if evs & EV_READ != 0 {
                r += 1;
                if r == 1 {
                    res |= EV_READ;
                }
            }
            if evs & EV_WRITE != 0 {
                w += 1;
                if w == 1 {
                    res |= EV_WRITE;
                }
            }
            if evs & EV_CLOSED != 0 {
                c += 1;
                if c == 1 {
                    res |= EV_CLOSED;
                }
            }
            if r > 0xffff || w > 0xffff || c > 0xffff {
                log::warnx(&format!("Too many events reading or writing on fd {fd}"));
                return -1;
            }
            let mut retval = 0;
            if res != 0 {
                if self.interest.change(fd, old, old | res, evs & EV_ET != 0).is_err() {
                    return -1;
                }
                retval = 1;
            }
            let slot = &mut self.io[fdu];
            slot.nread = r as u16;
            slot.nwrite = w as u16;
            slot.nclose = c as u16;
            slot.events.push_front(ev, Links::FdOrSignal);
            retval
        }
    }

    unsafe fn io_del(&mut self, ev: *mut event) -> c_int {
        // SAFETY: `ev` valid and, when fd >= 0, in its fd's list.
        unsafe {
            let fd = (*ev).ev_fd;
            if fd < 0 {
                return 0;
            }
            let fdu = fd as usize;
            if fdu >= self.io.len() {
                return -1;
            }
            let evs = (*ev).ev_events;
            let slot = &mut self.io[fdu];
            let old = slot.mask();
            let mut res = 0;
            if evs & EV_READ != 0 {
                slot.nread -= 1;
                if slot.nread == 0 {
                    res |= EV_READ;
                }
            }
            if evs & EV_WRITE != 0 {
                slot.nwrite -= 1;
                if slot.nwrite == 0 {
                    res |= EV_WRITE;
                }
            }
            if evs & EV_CLOSED != 0 {
                slot.nclose -= 1;
                if slot.nclose == 0 {
                    res |= EV_CLOSED;
                }
            }
            slot.events.remove(ev, Links::FdOrSignal);
            if res != 0 {
                if self.interest.change(fd, old, old & !res, evs & EV_ET != 0).is_err() {
                    return -1;
                }
                return 1;
            }
            0
        }
    }

    /// Activates the events of `fd` that wait for any of `what`.
    #[inline]
    pub fn io_active(&mut self, fd: RawFd, what: c_short) {
        if fd < 0 || fd as usize >= self.io.len() {
            return;
        }
        let mut ev = self.io[fd as usize].events.first;
        while !ev.is_null() {
            // SAFETY: listed events are valid; activation does not unlink them from this list.
            unsafe {
                let next = EventList::next(ev, Links::FdOrSignal);
                let evs = (*ev).ev_events;
                if evs & what & !EV_ET != 0 {
                    self.active_nolock(ev, evs & what, 1);
                }
                ev = next;
            }
        }
    }

    unsafe fn signal_add(&mut self, ev: *mut event) -> c_int {
        // SAFETY: `ev` valid per the caller.
        unsafe {
            let sig = (*ev).ev_fd;
            if sig < 0 || sig as usize >= NSIG {
                return -1;
            }
            let mut retval = 0;
            if self.signals[sig as usize].is_empty() {
                let me: *mut Base = self;
                self.sig.claim(me.cast(), &self.method_name.to_string_lossy());
                if self.sig.install(sig).is_err() {
                    return -1;
                }
                if !self.sig.ev_added {
                    if self.add_nolock(self.sig_ev, None, false) != 0 {
                        return -1;
                    }
                    self.sig.ev_added = true;
                }
                retval = 1;
            }
            self.signals[sig as usize].push_front(ev, Links::FdOrSignal);
            retval
        }
    }

    unsafe fn signal_del(&mut self, ev: *mut event) -> c_int {
        // SAFETY: `ev` valid and in its signal's list.
        unsafe {
            let sig = (*ev).ev_fd;
            if sig < 0 || sig as usize >= NSIG {
                return -1;
            }
            self.signals[sig as usize].remove(ev, Links::FdOrSignal);
            if self.signals[sig as usize].is_empty() {
                self.sig.restore(sig);
                return 1;
            }
            0
        }
    }

    /// Activates the events of signal `sig`, each to run `ncalls` times.
    pub fn signal_active(&mut self, sig: c_int, ncalls: c_short) {
        if sig < 0 || sig as usize >= NSIG {
            return;
        }
        let mut ev = self.signals[sig as usize].first;
        while !ev.is_null() {
            // SAFETY: listed events are valid.
            unsafe {
                let next = EventList::next(ev, Links::FdOrSignal);
                self.active_nolock(ev, EV_SIGNAL, ncalls);
                ev = next;
            }
        }
    }

    // ---- add / del / activate ----

    /// `event_add` with the lock held. `tv` is relative unless `absolute`.
    ///
    /// # Safety
    /// `ev` is a set-up event of this base.
    pub unsafe fn add_nolock(&mut self, ev: *mut event, tv: Option<&timeval>, absolute: bool) -> c_int {
        // SAFETY: `ev` is valid and belongs to this base, per the caller.
        unsafe {
            if flags(ev) & EVLIST_FINALIZING != 0 {
                return -1;
            }
            // A signal callback of this event is running in another thread: let it finish its
            // calls before the count changes under it.
            if self.current_event == as_cb(ev)
                && (*ev).ev_events & EV_SIGNAL != 0
                && !self.in_loop_thread()
            {
                self.current_event_waiters += 1;
                self.lock.wait();
            }
            let mut res = 0;
            let mut notify = false;
            let evs = (*ev).ev_events;
            if evs & (EV_READ | EV_WRITE | EV_CLOSED | EV_SIGNAL) != 0
                && flags(ev) & (EVLIST_INSERTED | EVLIST_ACTIVE | EVLIST_ACTIVE_LATER) == 0
            {
                res = if evs & (EV_READ | EV_WRITE | EV_CLOSED) != 0 {
                    self.io_add(ev)
                } else {
                    self.signal_add(ev)
                };
                if res != -1 {
                    self.insert_inserted(ev);
                }
                if res == 1 {
                    notify = true;
                    res = 0;
                }
            }
            if res != -1 {
                if let Some(tv) = tv {
                    if (*ev).ev_evcallback.evcb_closure == CLOSURE_EVENT_PERSIST && !absolute {
                        (*ev).ev_.ev_io.ev_timeout = *tv;
                    }
                    // Re-adding an event that is active because its timeout fired cancels that run.
                    if flags(ev) & EVLIST_ACTIVE != 0 && (*ev).ev_res & EV_TIMEOUT != 0 {
                        if evs & EV_SIGNAL != 0 {
                            let p = (*ev).ev_.ev_signal.ev_pncalls;
                            if (*ev).ev_.ev_signal.ev_ncalls != 0 && !p.is_null() {
                                *p = 0;
                            }
                        }
                        self.remove_active(as_cb(ev));
                    }
                    let now = self.gettime();
                    let common = is_common_timeout_tv(tv, self.common_timeouts.len());
                    let at = if absolute {
                        *tv
                    } else if common {
                        let mut rel = *tv;
                        rel.tv_usec = (rel.tv_usec as i64 & MICROSECONDS_MASK) as _;
                        let mut at = tv_add(&now, &rel);
                        at.tv_usec = (at.tv_usec as i64 | (tv.tv_usec as i64 & !MICROSECONDS_MASK)) as _;
                        at
                    } else {
                        tv_add(&now, tv)
                    };
                    let ncommon = self.common_timeouts.len();
                    if flags(ev) & EVLIST_TIMEOUT != 0
                        && !common
                        && !is_common_timeout_tv(&(*ev).ev_timeout, ncommon)
                    {
                        // Moving a pending heap timeout: re-sort it in place.
                        (*ev).ev_timeout = at;
                        self.timeheap.adjust(ev);
                    } else {
                        if flags(ev) & EVLIST_TIMEOUT != 0 {
                            self.remove_timeout(ev);
                        }
                        (*ev).ev_timeout = at;
                        self.insert_timeout(ev);
                    }
                    if common {
                        let ctl = self.common_timeouts[common_timeout_idx(&(*ev).ev_timeout)];
                        if (*ctl).events.first == ev {
                            self.common_timeout_schedule(ctl, ev);
                        }
                    } else if self.timeheap.top() == ev {
                        // The earliest deadline moved up: the loop may have to wake earlier.
                        notify = true;
                    }
                }
            }
            if res != -1 && notify && self.need_notify() {
                self.notify();
            }
            res
        }
    }

    /// `event_del` with the lock held.
    ///
    /// # Safety
    /// `ev` is a set-up event of this base.
    pub unsafe fn del_nolock(&mut self, ev: *mut event, mode: DelMode) -> c_int {
        // SAFETY: `ev` is valid and belongs to this base, per the caller.
        unsafe {
            if mode != DelMode::EvenIfFinalizing && flags(ev) & EVLIST_FINALIZING != 0 {
                return 0;
            }
            let evs = (*ev).ev_events;
            if evs & EV_SIGNAL != 0 {
                let p = (*ev).ev_.ev_signal.ev_pncalls;
                if (*ev).ev_.ev_signal.ev_ncalls != 0 && !p.is_null() {
                    *p = 0;
                }
            }
            if flags(ev) & EVLIST_TIMEOUT != 0 {
                self.remove_timeout(ev);
            }
            if flags(ev) & EVLIST_ACTIVE != 0 {
                self.remove_active(as_cb(ev));
            } else if flags(ev) & EVLIST_ACTIVE_LATER != 0 {
                self.remove_active_later(as_cb(ev));
            }
            let mut res = 0;
            let mut notify = false;
            if flags(ev) & EVLIST_INSERTED != 0 {
                self.remove_inserted(ev);
                res = if evs & (EV_READ | EV_WRITE | EV_CLOSED) != 0 {
                    self.io_del(ev)
                } else {
                    self.signal_del(ev)
                };
                if res == 1 {
                    notify = true;
                    res = 0;
                }
                // Nothing left: let a loop blocked in another thread notice and exit.
                if !self.have_events() && self.n_active_callbacks() == 0 {
                    notify = true;
                }
            }
            if res != -1 && notify && self.need_notify() {
                self.notify();
            }
            debug::note_del(ev);
            // The loop is running this event's callback in another thread: wait for it.
            if mode != DelMode::NoBlock
                && self.current_event == as_cb(ev)
                && !self.in_loop_thread()
                && (mode == DelMode::Block || evs & EV_FINALIZE == 0)
            {
                self.current_event_waiters += 1;
                self.lock.wait();
            }
            res
        }
    }

    /// `event_active` with the lock held.
    ///
    /// # Safety
    /// `ev` is a set-up event of this base.
    #[inline]
    pub unsafe fn active_nolock(&mut self, ev: *mut event, res: c_short, ncalls: c_short) {
        // SAFETY: `ev` is valid and belongs to this base, per the caller.
        unsafe {
            let f = flags(ev);
            if f & EVLIST_FINALIZING != 0 {
                return;
            }
            match f & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER) {
                EVLIST_ACTIVE => {
                    (*ev).ev_res |= res;
                    return;
                }
                EVLIST_ACTIVE_LATER => (*ev).ev_res |= res,
                _ => (*ev).ev_res = res,
            }
            if ((*ev).ev_evcallback.evcb_pri as c_int) < self.event_running_priority {
                self.event_continue = true;
            }
            if (*ev).ev_events & EV_SIGNAL != 0 {
                if self.current_event == as_cb(ev) && !self.in_loop_thread() {
                    self.current_event_waiters += 1;
                    self.lock.wait();
                }
                (*ev).ev_.ev_signal.ev_ncalls = ncalls;
                (*ev).ev_.ev_signal.ev_pncalls = null_mut();
            }
            // What `callback_activate_nolock` would do, without checking the flags again.
            if f & EVLIST_ACTIVE_LATER != 0 {
                self.remove_active_later(as_cb(ev));
            }
            self.insert_active(as_cb(ev));
            if self.need_notify() {
                self.notify();
            }
        }
    }

    /// Queues `cb` to run; returns 1 if it moved from the active-later queue.
    ///
    /// # Safety
    /// `cb` is valid and belongs to this base.
    #[inline]
    pub unsafe fn callback_activate_nolock(&mut self, cb: *mut event_callback) -> c_int {
        // SAFETY: `cb` valid per the caller.
        unsafe {
            let f = cb_flags(cb);
            if f & EVLIST_FINALIZING != 0 {
                return 0;
            }
            let mut r = 1;
            match f & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER) {
                EVLIST_ACTIVE_LATER => {
                    self.remove_active_later(cb);
                    r = 0;
                }
                EVLIST_ACTIVE => return 0,
                _ => {}
            }
            self.insert_active(cb);
            if self.need_notify() {
                self.notify();
            }
            r
        }
    }

    /// Queues `cb` to become active at the start of the next loop iteration.
    ///
    /// # Safety
    /// `cb` is valid and belongs to this base.
    pub unsafe fn callback_activate_later_nolock(&mut self, cb: *mut event_callback) -> bool {
        // SAFETY: `cb` valid per the caller.
        unsafe {
            if cb_flags(cb) & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER) != 0 {
                return false;
            }
            self.insert_active_later(cb);
            if self.need_notify() {
                self.notify();
            }
            true
        }
    }

    /// Removes a queued bare callback; returns whether it was queued.
    ///
    /// # Safety
    /// `cb` is valid and belongs to this base.
    pub unsafe fn callback_cancel_nolock(&mut self, cb: *mut event_callback, even_if_finalizing: bool) -> bool {
        // SAFETY: `cb` valid per the caller.
        unsafe {
            let f = cb_flags(cb);
            if f & EVLIST_FINALIZING != 0 && !even_if_finalizing {
                return false;
            }
            if f & EVLIST_INIT != 0 {
                return self.del_nolock(cb as *mut event, if even_if_finalizing { DelMode::EvenIfFinalizing } else { DelMode::AutoBlock }) == 0;
            }
            match f & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER) {
                EVLIST_ACTIVE => {
                    self.remove_active(cb);
                    true
                }
                EVLIST_ACTIVE_LATER => {
                    self.remove_active_later(cb);
                    true
                }
                _ => false,
            }
        }
    }

    /// `event_remove_timer` with the lock held.
    ///
    /// # Safety
    /// `ev` is a set-up event of this base.
    pub unsafe fn remove_timer_nolock(&mut self, ev: *mut event) {
        // SAFETY: `ev` valid per the caller.
        unsafe {
            if flags(ev) & EVLIST_TIMEOUT != 0 {
                self.remove_timeout(ev);
                (*ev).ev_.ev_io.ev_timeout = ZERO;
            }
        }
    }

    /// `event_finalize` / `event_free_finalize` with the lock held.
    ///
    /// # Safety
    /// `ev` is a set-up event of this base.
    pub unsafe fn finalize_nolock(&mut self, flags_: u32, ev: *mut event, cb: event_finalize_callback_fn) {
        // SAFETY: `ev` valid per the caller.
        unsafe {
            let closure = if flags_ & FINALIZE_FREE != 0 {
                CLOSURE_EVENT_FINALIZE_FREE
            } else {
                CLOSURE_EVENT_FINALIZE
            };
            self.del_nolock(ev, DelMode::NoBlock);
            (*ev).ev_evcallback.evcb_closure = closure;
            (*ev).ev_evcallback.evcb_cb_union.evcb_evfinalize = cb;
            self.active_nolock(ev, EV_FINALIZE, 1);
            (*ev).ev_evcallback.evcb_flags |= EVLIST_FINALIZING;
        }
    }

    /// `event_pending`: which of `what` are pending or active, and the deadline in wall time.
    ///
    /// # Safety
    /// `ev` is a set-up event of this base.
    pub unsafe fn pending(&self, ev: *const event, what: c_short, tv: Option<&mut timeval>) -> c_int {
        // SAFETY: `ev` valid per the caller.
        unsafe {
            let f = flags(ev);
            let mut got = 0;
            if f & EVLIST_INSERTED != 0 {
                got |= (*ev).ev_events & (EV_READ | EV_WRITE | EV_CLOSED | EV_SIGNAL);
            }
            if f & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER) != 0 {
                got |= (*ev).ev_res;
            }
            if f & EVLIST_TIMEOUT != 0 {
                got |= EV_TIMEOUT;
            }
            let what = what & (EV_TIMEOUT | EV_READ | EV_WRITE | EV_CLOSED | EV_SIGNAL);
            if let Some(tv) = tv {
                if got & what & EV_TIMEOUT != 0 {
                    let mut t = (*ev).ev_timeout;
                    t.tv_usec = (t.tv_usec as i64 & MICROSECONDS_MASK) as _;
                    *tv = tv_add(&self.tv_clock_diff, &t);
                }
            }
            (got & what) as c_int
        }
    }

    /// `event_base_active_by_fd`.
    pub fn active_by_fd(&mut self, fd: RawFd, what: c_short) {
        self.io_active(fd, what & (EV_READ | EV_WRITE | EV_CLOSED));
    }

    // ---- priorities, common timeouts, once ----

    /// `event_base_priority_init`.
    pub fn priority_init(&mut self, n: c_int) -> c_int {
        if self.n_active_callbacks() > 0 || n < 1 || n >= EVENT_MAX_PRIORITIES {
            return -1;
        }
        if n as usize != self.active.len() {
            self.active = vec![CallbackQueue::default(); n as usize];
        }
        0
    }

    /// `event_base_init_common_timeout`: the duration to pass to `event_add` for O(1) queueing.
    pub fn init_common_timeout(&mut self, duration: &timeval) -> *const timeval {
        let mut d = *duration;
        if d.tv_usec > 1_000_000 {
            if is_common_timeout_tv(&d, self.common_timeouts.len()) {
                d.tv_usec = (d.tv_usec as i64 & MICROSECONDS_MASK) as _;
            }
            d.tv_sec += d.tv_usec / 1_000_000;
            d.tv_usec %= 1_000_000;
        }
        for &ctl in &self.common_timeouts {
            // SAFETY: our queues are live until the base is freed.
            let cd = unsafe { &(*ctl).duration };
            if cd.tv_sec == d.tv_sec && (cd.tv_usec as i64 & MICROSECONDS_MASK) == d.tv_usec as i64 {
                return cd;
            }
        }
        if self.common_timeouts.len() == MAX_COMMON_TIMEOUTS {
            log::warnx("event_base_init_common_timeout: Too many common timeouts already in use; we only support 256 per event_base");
            return std::ptr::null();
        }
        let idx = self.common_timeouts.len() as i64;
        let me: *mut Base = self;
        let ctl = Box::into_raw(Box::new(CommonTimeout {
            events: EventList::default(),
            duration: timeval {
                tv_sec: d.tv_sec,
                tv_usec: (d.tv_usec as i64 | COMMON_TIMEOUT_MAGIC | (idx << COMMON_TIMEOUT_IDX_SHIFT)) as _,
            },
            timer: null_mut(),
            base: me,
        }));
        // SAFETY: `ctl` was just allocated; `me` is this live base.
        unsafe {
            (*ctl).timer = internal_event(me, -1, 0, common_timeout_cb, ctl.cast());
            self.common_timeouts.push(ctl);
            &(*ctl).duration
        }
    }

    /// `event_base_once`.
    pub fn once(
        &mut self,
        fd: RawFd,
        events: c_short,
        cb: event_callback_fn,
        arg: *mut c_void,
        tv: Option<&timeval>,
    ) -> c_int {
        if events & (EV_SIGNAL | EV_PERSIST) != 0 {
            return -1;
        }
        let me: *mut Base = self;
        // SAFETY: all-zero is a valid EventOnce before its event is assigned.
        let eonce: *mut EventOnce = mem::boxed(unsafe { std::mem::zeroed() });
        if eonce.is_null() {
            return -1;
        }
        // SAFETY: `eonce` is freshly allocated; `me` is live.
        unsafe {
            (*eonce).cb = cb;
            (*eonce).arg = arg;
            let ev = &raw mut (*eonce).ev;
            let mut activate = false;
            let tv = if events == EV_TIMEOUT {
                // A zero timeout is the idiom for "run this soon": queue it, skip the heap.
                activate = tv.is_none_or(tv_is_zero);
                assign(ev, me, -1, 0, Some(once_cb), eonce.cast());
                tv.copied()
            } else if events & (EV_READ | EV_WRITE) != 0 {
                assign(ev, me, fd, events & (EV_READ | EV_WRITE), Some(once_cb), eonce.cast());
                tv.copied()
            } else {
                mem::unbox(eonce);
                return -1;
            };
            debug::note_setup(ev);
            let res = if activate {
                self.active_nolock(ev, EV_TIMEOUT, 1);
                0
            } else {
                self.add_nolock(ev, tv.as_ref(), false)
            };
            if res != 0 {
                debug::note_teardown(ev);
                mem::unbox(eonce);
                return res;
            }
            (*eonce).idx = self.once_events.len();
            self.once_events.push(eonce);
        }
        0
    }

    unsafe fn forget_once(&mut self, eonce: *mut EventOnce) {
        // SAFETY: `eonce` is listed at its index.
        unsafe {
            let i = (*eonce).idx;
            self.once_events.swap_remove(i);
            if let Some(&moved) = self.once_events.get(i) {
                (*moved).idx = i;
            }
        }
    }

    /// `event_base_loopexit`.
    pub fn loopexit(&mut self, tv: Option<&timeval>) -> c_int {
        let me: *mut Base = self;
        self.once(-1, EV_TIMEOUT, Some(loopexit_cb), me.cast(), tv)
    }

    /// `event_base_loopbreak`.
    pub fn loopbreak(&mut self) {
        self.event_break = true;
        if self.need_notify() {
            self.notify();
        }
    }

    pub fn loopcontinue(&mut self) {
        self.event_continue = true;
    }

    pub fn got_exit(&self) -> bool {
        self.event_gotterm
    }

    pub fn got_break(&self) -> bool {
        self.event_break
    }

    pub fn running_event(&self) -> *mut event {
        if !self.in_loop_thread() || self.current_event.is_null() {
            return null_mut();
        }
        // SAFETY: the current callback is live while it runs.
        if unsafe { cb_flags(self.current_event) } & EVLIST_INIT != 0 {
            self.current_event as *mut event
        } else {
            null_mut()
        }
    }

    pub fn add_virtual(&mut self) {
        self.virtual_event_count += 1;
        self.virtual_event_count_max = self.virtual_event_count_max.max(self.virtual_event_count);
    }

    pub fn del_virtual(&mut self) {
        self.virtual_event_count -= 1;
        if self.virtual_event_count == 0 && self.need_notify() {
            self.notify();
        }
    }

    /// `event_base_get_num_events`.
    pub fn num_events(&self, what: u32) -> c_int {
        let mut r = 0;
        if what & EVENT_BASE_COUNT_ACTIVE != 0 {
            r += self.event_count_active;
        }
        if what & EVENT_BASE_COUNT_VIRTUAL != 0 {
            r += self.virtual_event_count;
        }
        if what & EVENT_BASE_COUNT_ADDED != 0 {
            r += self.event_count;
        }
        r
    }

    /// `event_base_get_max_events`.
    pub fn max_events(&mut self, what: u32, clear: bool) -> c_int {
        let mut r = 0;
        if what & EVENT_BASE_COUNT_ACTIVE != 0 {
            r += self.event_count_active_max;
            if clear {
                self.event_count_active_max = 0;
            }
        }
        if what & EVENT_BASE_COUNT_VIRTUAL != 0 {
            r += self.virtual_event_count_max;
            if clear {
                self.virtual_event_count_max = 0;
            }
        }
        if what & EVENT_BASE_COUNT_ADDED != 0 {
            r += self.event_count_max;
            if clear {
                self.event_count_max = 0;
            }
        }
        r
    }

    /// Every non-internal event the base knows, in libevent's order: added I/O events by fd,
    /// signal events, timer-only events, then events that are only active.
    pub fn visit_events(&self, mut f: impl FnMut(*mut event) -> c_int) -> c_int {
        // SAFETY: every listed/queued node is a valid event or callback while the lock is held.
        unsafe {
            let lists = self.io.iter().map(|s| s.events).chain(self.signals.iter().copied());
            for l in lists {
                let mut ev = l.first;
                while !ev.is_null() {
                    let next = EventList::next(ev, Links::FdOrSignal);
                    if flags(ev) & EVLIST_INTERNAL == 0 {
                        let r = f(ev);
                        if r != 0 {
                            return r;
                        }
                    }
                    ev = next;
                }
            }
            for i in 0..self.timeheap.len() {
                let ev = self.timeheap.get(i);
                if flags(ev) & (EVLIST_INSERTED | EVLIST_INTERNAL) != 0 {
                    continue;
                }
                let r = f(ev);
                if r != 0 {
                    return r;
                }
            }
            for &ctl in &self.common_timeouts {
                let mut ev = (*ctl).events.first;
                while !ev.is_null() {
                    let next = EventList::next(ev, Links::CommonTimeout);
                    if flags(ev) & (EVLIST_INSERTED | EVLIST_INTERNAL) == 0 {
                        let r = f(ev);
                        if r != 0 {
                            return r;
                        }
                    }
                    ev = next;
                }
            }
            for q in self.active.iter().chain(std::iter::once(&self.active_later)) {
                let mut cb = q.first;
                while !cb.is_null() {
                    let next = (*cb).evcb_active_next.tqe_next;
                    if cb_flags(cb) & (EVLIST_INIT | EVLIST_INSERTED | EVLIST_TIMEOUT | EVLIST_INTERNAL)
                        == EVLIST_INIT
                    {
                        let r = f(cb as *mut event);
                        if r != 0 {
                            return r;
                        }
                    }
                    cb = next;
                }
            }
        }
        0
    }

    /// A text listing of the events, for `event_base_dump_events`.
    pub fn dump(&self) -> String {
        let mut s = String::from("Inserted events:\n");
        let describe = |ev: *mut event, s: &mut String| {
            // SAFETY: visited events are valid.
            unsafe {
                let e = (*ev).ev_events;
                let f = flags(ev);
                s.push_str(&format!(
                    "  {:p} [{} {}]{}{}{}{}{}{}",
                    ev,
                    if e & EV_SIGNAL != 0 { "sig" } else { "fd " },
                    (*ev).ev_fd,
                    if e & EV_READ != 0 { " Read" } else { "" },
                    if e & EV_WRITE != 0 { " Write" } else { "" },
                    if e & EV_CLOSED != 0 { " EOF" } else { "" },
                    if e & EV_SIGNAL != 0 { " Signal" } else { "" },
                    if e & EV_PERSIST != 0 { " Persist" } else { "" },
                    if e & EV_ET != 0 { " ET" } else { "" },
                ));
                if f & EVLIST_TIMEOUT != 0 {
                    let mut t = (*ev).ev_timeout;
                    t.tv_usec = (t.tv_usec as i64 & MICROSECONDS_MASK) as _;
                    let w = tv_add(&self.tv_clock_diff, &t);
                    s.push_str(&format!(" Timeout={}.{:06}", w.tv_sec, w.tv_usec));
                }
                if f & EVLIST_INTERNAL != 0 {
                    s.push_str(" [Internal]");
                }
                s.push('\n');
            }
        };
        self.visit_events(|ev| {
            // SAFETY: visited events are valid.
            if unsafe { flags(ev) } & (EVLIST_INSERTED | EVLIST_TIMEOUT) != 0 {
                describe(ev, &mut s);
            }
            0
        });
        s.push_str("Active events:\n");
        self.visit_events(|ev| {
            // SAFETY: visited events are valid.
            unsafe {
                if flags(ev) & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER) != 0 {
                    let r = (*ev).ev_res;
                    s.push_str(&format!(
                        "  {:p} [{} {}]{}{}{}{}{}{}\n",
                        ev,
                        if (*ev).ev_events & EV_SIGNAL != 0 { "sig" } else { "fd " },
                        (*ev).ev_fd,
                        if r & EV_READ != 0 { " Read" } else { "" },
                        if r & EV_WRITE != 0 { " Write" } else { "" },
                        if r & EV_CLOSED != 0 { " EOF" } else { "" },
                        if r & EV_SIGNAL != 0 { " Signal" } else { "" },
                        if r & EV_TIMEOUT != 0 { " Timeout" } else { "" },
                        if flags(ev) & EVLIST_ACTIVE_LATER != 0 { " [NextTime]" } else { "" },
                    ));
                }
            }
            0
        });
        s
    }

    // ---- the loop ----

    /// Time until the earliest deadline, `None` when no timer is pending.
    fn timeout_next(&mut self) -> Option<timeval> {
        let ev = self.timeheap.top();
        if ev.is_null() {
            return None;
        }
        let now = self.gettime();
        // SAFETY: the heap's top is a valid event.
        let t = unsafe { (*ev).ev_timeout };
        if !tv_lt(&now, &t) {
            return Some(ZERO);
        }
        Some(tv_sub(&t, &now))
    }

    fn timeout_process(&mut self) {
        if self.timeheap.is_empty() {
            return;
        }
        let now = self.gettime();
        loop {
            let ev = self.timeheap.top();
            // SAFETY: the heap's top is a valid event.
            if ev.is_null() || unsafe { tv_lt(&now, &(*ev).ev_timeout) } {
                break;
            }
            // SAFETY: as above; deleting removes it from the heap, so the loop progresses.
            unsafe {
                self.del_nolock(ev, DelMode::NoBlock);
                self.active_nolock(ev, EV_TIMEOUT, 1);
            }
        }
    }

    /// `event_base_loop`.
    ///
    /// # Safety
    /// `base` is live for the whole call (a callback must not free it).
    pub unsafe fn run(base: *mut Base, flags_: c_int) -> c_int {
        // SAFETY: `base` is live; each `(*base)` borrow ends before any user callback runs.
        unsafe {
            (*base).lock.lock();
            if (*base).running_loop {
                log::warnx("event_base_loop: reentrant invocation.  Only one event_base_loop can run on each event_base at once.");
                (*base).lock.unlock();
                return -1;
            }
            (*base).running_loop = true;
            (*base).tv_cache.tv_sec = 0;
            if (*base).sig.ev_added && (*base).sig.n_added > 0 {
                (*base).sig.become_target(base.cast());
            }
            (*base).th_owner_id = thread::current_id().unwrap_or(0);
            (*base).event_gotterm = false;
            (*base).event_break = false;
            let mut retval = 0;
            let mut done = false;
            while !done {
                (*base).event_continue = false;
                (*base).n_deferreds_queued = 0;
                if (*base).event_gotterm || (*base).event_break {
                    break;
                }
                let timeout = if (*base).n_active_callbacks() == 0 && flags_ & EVLOOP_NONBLOCK == 0 {
                    (*base).timeout_next()
                } else {
                    Some(ZERO)
                };
                if flags_ & EVLOOP_NO_EXIT_ON_EMPTY == 0
                    && !(*base).have_events()
                    && (*base).n_active_callbacks() == 0
                {
                    log::debug(|| "event_base_loop: no events registered.".into());
                    retval = 1;
                    break;
                }
                (*base).make_later_events_active();
                (*base).tv_cache.tv_sec = 0;
                if Base::dispatch(base, timeout) == -1 {
                    retval = -1;
                    break;
                }
                (*base).update_time_cache();
                (*base).timeout_process();
                if (*base).n_active_callbacks() > 0 {
                    let n = Base::process_active(base);
                    if flags_ & EVLOOP_ONCE != 0 && (*base).n_active_callbacks() == 0 && n != 0 {
                        done = true;
                    }
                } else if flags_ & EVLOOP_NONBLOCK != 0 {
                    done = true;
                }
            }
            (*base).tv_cache.tv_sec = 0;
            (*base).running_loop = false;
            (*base).lock.unlock();
            retval
        }
    }

    /// Waits in the backend (without the lock) and activates the ready fds.
    unsafe fn dispatch(base: *mut Base, timeout: Option<timeval>) -> c_int {
        // SAFETY: `base` is live; the waiter is touched only by this (the loop's) thread, and no
        // `&mut Base` is held while the lock is released.
        unsafe {
            let waiter = (*base).waiter;
            (*waiter).prepare(&(*base).interest);
            (*base).lock.unlock();
            let r = (*waiter).wait(timeout.map(|t| time::tv_to_duration(&t)));
            (*base).lock.lock();
            if let Err(e) = r {
                log::warnx(&format!("{}: {e}", if (*base).method == Method::Epoll { "epoll_wait" } else { "poll" }));
                return -1;
            }
            // epoll reports with EV_ET so that edge-triggered events see it in their flags.
            let et = if (*base).method == Method::Epoll { EV_ET } else { 0 };
            (*waiter).for_each_ready(|fd, what| (*base).io_active(fd, what | et));
            0
        }
    }

    unsafe fn process_active(base: *mut Base) -> c_int {
        // SAFETY: `base` is live; see `run`.
        unsafe {
            let mut endtime = None;
            if let Some(max) = (*base).max_dispatch_time {
                (*base).update_time_cache();
                let now = (*base).gettime();
                endtime = Some(tv_add(&max, &now));
            }
            let maxcb = (*base).max_dispatch_callbacks;
            let limit_after = (*base).limit_callbacks_after_prio;
            let mut c = 0;
            let mut i = 0;
            while i < (*base).active.len() {
                if !(&(*base).active)[i].is_empty() {
                    (*base).event_running_priority = i as c_int;
                    c = if (i as c_int) < limit_after {
                        Base::process_queue(base, i, c_int::MAX, None)
                    } else {
                        Base::process_queue(base, i, maxcb, endtime)
                    };
                    // A negative count means break; a positive one means user callbacks ran and
                    // lower priorities wait for the next iteration.
                    if c != 0 {
                        break;
                    }
                }
                i += 1;
            }
            (*base).event_running_priority = -1;
            c
        }
    }

    unsafe fn process_queue(base: *mut Base, q: usize, max: c_int, endtime: Option<timeval>) -> c_int {
        // SAFETY: `base` is live; queued callbacks are valid until dequeued; user callbacks run
        // with the lock released and no borrow of the base alive.
        unsafe {
            let mut count = 0;
            loop {
                if q >= (*base).active.len() {
                    break;
                }
                let cb = (&(*base).active)[q].first;
                if cb.is_null() {
                    break;
                }
                let ev = cb as *mut event;
                let f = cb_flags(cb);
                if f & EVLIST_INIT != 0 {
                    if (*ev).ev_events & EV_PERSIST != 0 || f & EVLIST_FINALIZING != 0 {
                        (*base).remove_active(cb);
                    } else {
                        (*base).del_nolock(ev, DelMode::NoBlock);
                    }
                } else {
                    (*base).remove_active(cb);
                }
                if f & EVLIST_INTERNAL == 0 {
                    count += 1;
                }
                (*base).current_event = cb;
                (*base).current_event_waiters = 0;
                match (*cb).evcb_closure {
                    CLOSURE_EVENT_SIGNAL => Base::signal_closure(base, ev),
                    CLOSURE_EVENT_PERSIST => Base::persist_closure(base, ev),
                    CLOSURE_EVENT => {
                        let res = (*ev).ev_res;
                        let f = (*cb).evcb_cb_union.evcb_callback;
                        let (fd, arg) = ((*ev).ev_fd, (*cb).evcb_arg);
                        (*base).lock.unlock();
                        if let Some(f) = f {
                            f(fd, res, arg);
                        }
                    }
                    CLOSURE_CB_SELF => {
                        let f = (*cb).evcb_cb_union.evcb_selfcb;
                        let arg = (*cb).evcb_arg;
                        (*base).lock.unlock();
                        if let Some(f) = f {
                            f(cb, arg);
                        }
                    }
                    CLOSURE_EVENT_FINALIZE | CLOSURE_EVENT_FINALIZE_FREE => {
                        let free_it = (*cb).evcb_closure == CLOSURE_EVENT_FINALIZE_FREE;
                        let f = (*cb).evcb_cb_union.evcb_evfinalize;
                        (*base).current_event = null_mut();
                        (*base).lock.unlock();
                        debug::note_teardown(ev);
                        if let Some(f) = f {
                            f(ev, (*ev).ev_evcallback.evcb_arg);
                        }
                        if free_it {
                            mem::free(ev.cast());
                        }
                    }
                    CLOSURE_CB_FINALIZE => {
                        let f = (*cb).evcb_cb_union.evcb_cbfinalize;
                        (*base).current_event = null_mut();
                        (*base).lock.unlock();
                        if let Some(f) = f {
                            f(cb, (*cb).evcb_arg);
                        }
                    }
                    _ => (*base).lock.unlock(),
                }
                (*base).lock.lock();
                (*base).current_event = null_mut();
                if (*base).current_event_waiters > 0 {
                    (*base).current_event_waiters = 0;
                    (*base).lock.broadcast();
                }
                if (*base).event_break {
                    return -1;
                }
                if count >= max {
                    return count;
                }
                if count > 0 {
                    if let Some(end) = endtime {
                        (*base).update_time_cache();
                        let now = (*base).gettime();
                        if !tv_lt(&now, &end) {
                            return count;
                        }
                    }
                }
                if (*base).event_continue {
                    break;
                }
            }
            count
        }
    }

    /// Re-arms a persistent event's timeout, then runs its callback (lock released).
    unsafe fn persist_closure(base: *mut Base, ev: *mut event) {
        // SAFETY: `base` live, `ev` valid; the lock is held on entry and released here.
        unsafe {
            let interval = (*ev).ev_.ev_io.ev_timeout;
            if !tv_is_zero(&interval) {
                let now = (*base).gettime();
                let mut delay = interval;
                let mut usec_mask = 0i64;
                let mut relative_to = if (*ev).ev_res & EV_TIMEOUT != 0 { (*ev).ev_timeout } else { now };
                if is_common_timeout_tv(&(*ev).ev_timeout, (*base).common_timeouts.len()) {
                    usec_mask = delay.tv_usec as i64 & !MICROSECONDS_MASK;
                    delay.tv_usec = (delay.tv_usec as i64 & MICROSECONDS_MASK) as _;
                    relative_to.tv_usec = (relative_to.tv_usec as i64 & MICROSECONDS_MASK) as _;
                }
                let mut run_at = tv_add(&relative_to, &delay);
                if tv_lt(&run_at, &now) {
                    run_at = tv_add(&now, &delay);
                }
                run_at.tv_usec = (run_at.tv_usec as i64 | usec_mask) as _;
                (*base).add_nolock(ev, Some(&run_at), true);
            }
            let f = (*ev).ev_evcallback.evcb_cb_union.evcb_callback;
            let (fd, res, arg) = ((*ev).ev_fd, (*ev).ev_res, (*ev).ev_evcallback.evcb_arg);
            (*base).lock.unlock();
            if let Some(f) = f {
                f(fd, res, arg);
            }
        }
    }

    /// Runs a signal event's callback once per delivery; `event_del` or a loop break from inside
    /// stops the remaining calls.
    unsafe fn signal_closure(base: *mut Base, ev: *mut event) {
        // SAFETY: `base` live, `ev` valid; the lock is held on entry, released on return. The
        // counter lives on this stack frame and is published through `ev_pncalls` only while
        // this frame runs (it is cleared before returning).
        unsafe {
            let ncalls = UnsafeCell::new((*ev).ev_.ev_signal.ev_ncalls);
            if *ncalls.get() != 0 {
                (*ev).ev_.ev_signal.ev_pncalls = ncalls.get();
            }
            let f = (*ev).ev_evcallback.evcb_cb_union.evcb_callback;
            let (fd, res, arg) = ((*ev).ev_fd, (*ev).ev_res, (*ev).ev_evcallback.evcb_arg);
            (*base).lock.unlock();
            while *ncalls.get() > 0 {
                *ncalls.get() -= 1;
                (*ev).ev_.ev_signal.ev_ncalls = *ncalls.get();
                if *ncalls.get() == 0 {
                    (*ev).ev_.ev_signal.ev_pncalls = null_mut();
                }
                if let Some(f) = f {
                    f(fd, res, arg);
                }
                (*base).lock.lock();
                let brk = (*base).event_break;
                (*base).lock.unlock();
                if brk {
                    break;
                }
            }
            if (*ev).ev_.ev_signal.ev_pncalls == ncalls.get() {
                (*ev).ev_.ev_signal.ev_pncalls = null_mut();
            }
        }
    }

    // ---- fork and free ----

    /// `event_reinit`: fresh backend, signal pair and notification fd (for a forked child),
    /// with every added event registered again.
    pub fn reinit(&mut self) -> c_int {
        let me: *mut Base = self;
        let mut res = 0;
        // SAFETY: internal events are owned by this base; lock held by the caller.
        unsafe {
            let had_signal_ev = self.sig.ev_added;
            if had_signal_ev {
                self.del_nolock(self.sig_ev, DelMode::AutoBlock);
                self.sig.ev_added = false;
            }
            let was_target = self.sig.is_target(me.cast());
            self.sig.close();
            let was_notifiable = self.notify_fd >= 0;
            if was_notifiable {
                self.del_nolock(self.notify_ev, DelMode::AutoBlock);
                mem::unbox(self.notify_ev);
                self.notify_ev = null_mut();
                libc::close(self.notify_fd);
                self.notify_fd = -1;
                self.is_notify_pending = false;
            }
            if self.sig.open().is_err() {
                return -1;
            }
            (*self.sig_ev).ev_fd = self.sig.pair[0];
            if was_target {
                self.sig.become_target(me.cast());
            }
            if self.method == Method::Epoll {
                match backend::open(self.method) {
                    Ok((interest, waiter)) => {
                        drop(Box::from_raw(self.waiter));
                        self.interest = interest;
                        self.waiter = Box::into_raw(waiter);
                    }
                    Err(e) => log::fatal(1, &format!("event_reinit: could not reinitialize epoll: {e}")),
                }
                for fd in 0..self.io.len() {
                    let m = self.io[fd].mask();
                    if m == 0 {
                        continue;
                    }
                    let first = self.io[fd].events.first;
                    let et = !first.is_null() && (*first).ev_events & EV_ET != 0;
                    if self.interest.change(fd as RawFd, 0, m, et).is_err() {
                        res = -1;
                    }
                }
            }
            if had_signal_ev && self.add_nolock(self.sig_ev, None, false) == 0 {
                self.sig.ev_added = true;
            }
            if was_notifiable && res == 0 {
                res = self.make_notifiable_nolock();
            }
        }
        res
    }

    /// `event_base_free` (`run_finalizers`) and `event_base_free_nofinalize`.
    ///
    /// # Safety
    /// `base` is live and no loop runs on it; it is freed on return.
    pub unsafe fn free(base: *mut Base, run_finalizers: bool) {
        // SAFETY: `base` is live and exclusively ours from here on, except that finalizers may
        // call back into it (without a borrow held across the call).
        unsafe {
            let _ = CURRENT_BASE.compare_exchange(base, null_mut(), Ordering::AcqRel, Ordering::Relaxed);
            (*base).lock.lock();
            if (*base).notify_fd >= 0 {
                (*base).del_nolock((*base).notify_ev, DelMode::AutoBlock);
                mem::unbox((*base).notify_ev);
                (*base).notify_ev = null_mut();
                libc::close((*base).notify_fd);
                (*base).notify_fd = -1;
            }
            let mut n_deleted = 0;
            // Every event still in the fd and signal maps.
            for fd in 0..(*base).io.len() {
                while !(&(*base).io)[fd].events.first.is_null() {
                    let ev = (&(*base).io)[fd].events.first;
                    if flags(ev) & EVLIST_INTERNAL == 0 {
                        n_deleted += 1;
                    }
                    (*base).del_nolock(ev, DelMode::EvenIfFinalizing);
                    if (&(*base).io)[fd].events.first == ev {
                        (&mut (*base).io)[fd].events.remove(ev, Links::FdOrSignal);
                    }
                }
            }
            for s in 0..NSIG {
                while !(&(*base).signals)[s].first.is_null() {
                    let ev = (&(*base).signals)[s].first;
                    n_deleted += 1;
                    (*base).del_nolock(ev, DelMode::EvenIfFinalizing);
                    if (&(*base).signals)[s].first == ev {
                        (&mut (*base).signals)[s].remove(ev, Links::FdOrSignal);
                    }
                }
            }
            loop {
                let ev = (*base).timeheap.top();
                if ev.is_null() {
                    break;
                }
                n_deleted += 1;
                (*base).del_nolock(ev, DelMode::EvenIfFinalizing);
            }
            for i in 0..(*base).common_timeouts.len() {
                let ctl = (&(*base).common_timeouts)[i];
                while !(*ctl).events.first.is_null() {
                    let ev = (*ctl).events.first;
                    n_deleted += 1;
                    (*base).del_nolock(ev, DelMode::EvenIfFinalizing);
                }
                (*base).del_nolock((*ctl).timer, DelMode::EvenIfFinalizing);
            }
            // Cancel queued callbacks, running finalizers, until a pass finds nothing (a finalizer
            // may queue another).
            loop {
                let mut found = 0;
                let nq = (*base).active.len();
                for q in 0..=nq {
                    loop {
                        let cb = if q < nq { (&(*base).active)[q].first } else { (*base).active_later.first };
                        if cb.is_null() {
                            break;
                        }
                        found += 1;
                        if cb_flags(cb) & EVLIST_INIT != 0 {
                            (*base).del_nolock(cb as *mut event, DelMode::EvenIfFinalizing);
                        } else {
                            (*base).callback_cancel_nolock(cb, true);
                        }
                        if run_finalizers && cb_flags(cb) & EVLIST_FINALIZING != 0 {
                            (*base).lock.unlock();
                            match (*cb).evcb_closure {
                                CLOSURE_EVENT_FINALIZE | CLOSURE_EVENT_FINALIZE_FREE => {
                                    let ev = cb as *mut event;
                                    if let Some(f) = (*cb).evcb_cb_union.evcb_evfinalize {
                                        f(ev, (*cb).evcb_arg);
                                    }
                                    if (*cb).evcb_closure == CLOSURE_EVENT_FINALIZE_FREE {
                                        mem::free(ev.cast());
                                    }
                                }
                                CLOSURE_CB_FINALIZE => {
                                    if let Some(f) = (*cb).evcb_cb_union.evcb_cbfinalize {
                                        f(cb, (*cb).evcb_arg);
                                    }
                                }
                                _ => {}
                            }
                            (*base).lock.lock();
                        }
                    }
                }
                if found == 0 {
                    break;
                }
                n_deleted += found;
            }
            if n_deleted > 0 {
                log::debug(|| format!("event_base_free: {n_deleted} events were still set in base"));
            }
            for eonce in std::mem::take(&mut (*base).once_events) {
                mem::unbox(eonce);
            }
            for ctl in std::mem::take(&mut (*base).common_timeouts) {
                mem::unbox((*ctl).timer);
                drop(Box::from_raw(ctl));
            }
            (*base).sig.release(base.cast());
            (*base).sig.close();
            mem::unbox((*base).sig_ev);
            drop(Box::from_raw((*base).waiter));
            (*base).lock.unlock();
            mem::unbox(base);
        }
    }
}
