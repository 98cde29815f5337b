//! `event2/event.h`: event bases, events, the loop, and the library's global settings.
#![allow(non_camel_case_types)]

use super::event_defs::*;
use super::event_struct::{event, EVLIST_INIT};
use super::util_defs::evutil_socket_t;
use crate::reactor::base::{assign, Base, DelMode, CURRENT_BASE, FINALIZE_FREE};
use crate::reactor::config::Config;
use crate::reactor::debug;
use crate::util::{log, mem};
use libc::{c_char, c_int, c_short, c_uint, c_void, size_t, timeval};
use std::ffi::CStr;
use std::ptr::{null, null_mut};
use std::sync::atomic::Ordering;

/// An event loop: the set of pending events and the backend that waits for them. Opaque.
pub struct event_base {
    _opaque: [u8; 0],
}

/// Settings for `event_base_new_with_config`. Opaque.
pub struct event_config {
    _opaque: [u8; 0],
}

// ---- pointer conversions used by every entry point ----

fn base_ptr(p: *const event_base) -> *mut Base {
    p as *mut Base
}

fn config_mut<'a>(p: *mut event_config) -> Option<&'a mut Config> {
    // SAFETY: a non-null `event_config*` is one `event_config_new` returned.
    unsafe { (p as *mut Config).as_mut() }
}

/// Runs `f` on the base behind `p` with the base's lock held; `default` when `p` is null.
///
/// # Safety
/// `p` is null or a live base; `f` runs no user callback.
pub(crate) unsafe fn with_base<R>(p: *const event_base, default: R, f: impl FnOnce(&mut Base) -> R) -> R {
    let b = base_ptr(p);
    if b.is_null() {
        return default;
    }
    // SAFETY: `b` is a live base per the caller; the lock serialises access.
    unsafe {
        (*b).lock.lock();
        let r = f(&mut *b);
        (*b).lock.unlock();
        r
    }
}

/// Runs `f` on the base of event `ev` with the lock held; warns and returns `default` when the
/// event has no base, as libevent does.
///
/// # Safety
/// `ev` is a valid event whose base is null or live.
unsafe fn with_event_base<R>(ev: *const event, func: &str, default: R, f: impl FnOnce(&mut Base) -> R) -> R {
    // SAFETY: `ev` is valid per the caller.
    let base = unsafe { (*ev).ev_base };
    if base.is_null() {
        log::warnx(&format!("{func}: event has no event_base set."));
        return default;
    }
    // SAFETY: the event's base is live per the caller.
    unsafe { with_base(base, default, f) }
}

fn current_base() -> *mut event_base {
    CURRENT_BASE.load(Ordering::Acquire).cast()
}

fn opt_tv<'a>(tv: *const timeval) -> Option<&'a timeval> {
    // SAFETY: a non-null `timeval*` from the caller points to a valid timeval.
    unsafe { tv.as_ref() }
}

// ---- bases and configs ----

/// Creates a base with the default settings. Returns NULL on failure.
#[no_mangle]
pub extern "C" fn event_base_new() -> *mut event_base {
    Base::new(&Config::default()).cast()
}

/// Creates a base with the settings in `cfg` (NULL: defaults). Returns NULL when no backend can
/// satisfy them.
#[no_mangle]
pub extern "C" fn event_base_new_with_config(cfg: *const event_config) -> *mut event_base {
    let default = Config::default();
    // SAFETY: a non-null config is one `event_config_new` returned.
    let cfg = unsafe { (cfg as *const Config).as_ref() }.unwrap_or(&default);
    Base::new(cfg).cast()
}

/// Frees a base (NULL: the legacy current base). Pending events are removed without running
/// their callbacks; pending finalizers run.
#[no_mangle]
pub unsafe extern "C" fn event_base_free(base: *mut event_base) {
    free_base(base, true)
}

/// Like `event_base_free`, but finalizers of pending `event_finalize` calls are not run.
#[no_mangle]
pub unsafe extern "C" fn event_base_free_nofinalize(base: *mut event_base) {
    free_base(base, false)
}

fn free_base(base: *mut event_base, run_finalizers: bool) {
    let b = if base.is_null() { current_base() } else { base };
    if b.is_null() {
        log::warnx("event_base_free_: no base to free");
        return;
    }
    // SAFETY: the caller hands over a live base it no longer uses.
    unsafe { Base::free(base_ptr(b), run_finalizers) }
}

/// Re-creates the kernel-side state of a base in a forked child. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn event_reinit(base: *mut event_base) -> c_int {
    // SAFETY: `base` is null or live per the API contract.
    unsafe { with_base(base, -1, |b| b.reinit()) }
}

/// Runs the loop until no events are pending or the loop is told to exit.
#[no_mangle]
pub unsafe extern "C" fn event_base_dispatch(base: *mut event_base) -> c_int {
    // SAFETY: as event_base_loop.
    unsafe { event_base_loop(base, 0) }
}

/// The name of the backend the base uses ("epoll", "poll").
#[no_mangle]
pub unsafe extern "C" fn event_base_get_method(base: *const event_base) -> *const c_char {
    // SAFETY: `base` is null or live.
    unsafe { base_ptr(base).as_ref() }.map_or(null(), |b| b.method_name().as_ptr())
}

struct MethodList([*const c_char; 4]);
// SAFETY: the pointers refer to immutable static strings.
unsafe impl Sync for MethodList {}
static METHODS: MethodList =
    MethodList([c"epoll".as_ptr(), c"poll".as_ptr(), c"select".as_ptr(), null()]);

/// The backends this build supports, in order of preference, NULL-terminated.
#[no_mangle]
pub extern "C" fn event_get_supported_methods() -> *mut *const c_char {
    METHODS.0.as_ptr() as *mut *const c_char
}

/// The `EV_FEATURE_*` mask of the base's backend.
#[no_mangle]
pub unsafe extern "C" fn event_base_get_features(base: *const event_base) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe { base_ptr(base).as_ref() }.map_or(0, |b| b.features())
}

/// A new, empty configuration.
#[no_mangle]
pub extern "C" fn event_config_new() -> *mut event_config {
    Box::into_raw(Box::new(Config::default())).cast()
}

/// Frees a configuration.
#[no_mangle]
pub unsafe extern "C" fn event_config_free(cfg: *mut event_config) {
    if !cfg.is_null() {
        // SAFETY: `cfg` came from `event_config_new`.
        drop(unsafe { Box::from_raw(cfg as *mut Config) });
    }
}

/// Never use the backend called `method`.
#[no_mangle]
pub unsafe extern "C" fn event_config_avoid_method(cfg: *mut event_config, method: *const c_char) -> c_int {
    match (config_mut(cfg), method.is_null()) {
        (Some(c), false) => {
            // SAFETY: `method` is a NUL-terminated string per the API.
            c.avoid.push(unsafe { CStr::from_ptr(method) }.to_owned());
            0
        }
        _ => -1,
    }
}

/// Only use a backend offering every feature in `feature` (`EV_FEATURE_*`).
#[no_mangle]
pub unsafe extern "C" fn event_config_require_features(cfg: *mut event_config, feature: c_int) -> c_int {
    config_mut(cfg).map_or(-1, |c| {
        c.require_features = feature;
        0
    })
}

/// Sets an `EVENT_BASE_FLAG_*` flag.
#[no_mangle]
pub unsafe extern "C" fn event_config_set_flag(cfg: *mut event_config, flag: c_int) -> c_int {
    config_mut(cfg).map_or(-1, |c| {
        c.flags |= flag;
        0
    })
}

/// How many CPUs the program expects to use (a hint; kept for compatibility).
#[no_mangle]
pub unsafe extern "C" fn event_config_set_num_cpus_hint(cfg: *mut event_config, cpus: c_int) -> c_int {
    config_mut(cfg).map_or(-1, |c| {
        c.n_cpus_hint = cpus;
        0
    })
}

/// Limits how long (and how many callbacks) the loop runs before checking for new events;
/// priorities below `min_priority` are not limited.
#[no_mangle]
pub unsafe extern "C" fn event_config_set_max_dispatch_interval(
    cfg: *mut event_config,
    max_interval: *const timeval,
    max_callbacks: c_int,
    min_priority: c_int,
) -> c_int {
    config_mut(cfg).map_or(-1, |c| {
        c.set_max_dispatch_interval(opt_tv(max_interval).copied(), max_callbacks, min_priority);
        0
    })
}

/// Sets the number of priorities (1 to 255). Fails while callbacks are active.
#[no_mangle]
pub unsafe extern "C" fn event_base_priority_init(base: *mut event_base, npriorities: c_int) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, -1, |b| b.priority_init(npriorities)) }
}

/// The number of priorities of the base.
#[no_mangle]
pub unsafe extern "C" fn event_base_get_npriorities(base: *mut event_base) -> c_int {
    let b = if base.is_null() { current_base() } else { base };
    // SAFETY: `b` is null or live.
    unsafe { with_base(b, 0, |b| b.npriorities()) }
}

// ---- the loop ----

/// Runs the loop: `EVLOOP_ONCE`, `EVLOOP_NONBLOCK`, `EVLOOP_NO_EXIT_ON_EMPTY`. Returns 0 on a
/// normal exit, 1 when no events were pending, -1 on error.
#[no_mangle]
pub unsafe extern "C" fn event_base_loop(base: *mut event_base, flags: c_int) -> c_int {
    if base.is_null() {
        return -1;
    }
    // SAFETY: `base` is live for the duration of the loop per the API contract.
    unsafe { Base::run(base_ptr(base), flags) }
}

/// Exits the loop after `tv` (NULL: after the current round of callbacks).
#[no_mangle]
pub unsafe extern "C" fn event_base_loopexit(base: *mut event_base, tv: *const timeval) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, -1, |b| b.loopexit(opt_tv(tv))) }
}

/// Exits the loop right after the callback that is running.
#[no_mangle]
pub unsafe extern "C" fn event_base_loopbreak(base: *mut event_base) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe {
        with_base(base, -1, |b| {
            b.loopbreak();
            0
        })
    }
}

/// Makes the loop poll for new events before running more callbacks.
#[no_mangle]
pub unsafe extern "C" fn event_base_loopcontinue(base: *mut event_base) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe {
        with_base(base, -1, |b| {
            b.loopcontinue();
            0
        })
    }
}

/// Whether the last loop exited through `event_base_loopexit`.
#[no_mangle]
pub unsafe extern "C" fn event_base_got_exit(base: *mut event_base) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, 0, |b| b.got_exit() as c_int) }
}

/// Whether the last loop exited through `event_base_loopbreak`.
#[no_mangle]
pub unsafe extern "C" fn event_base_got_break(base: *mut event_base) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, 0, |b| b.got_break() as c_int) }
}

/// The wall-clock time as of the start of this loop iteration (the time now, outside the loop).
#[no_mangle]
pub unsafe extern "C" fn event_base_gettimeofday_cached(base: *mut event_base, tv: *mut timeval) -> c_int {
    if tv.is_null() {
        return -1;
    }
    let b = if base.is_null() { current_base() } else { base };
    // SAFETY: `b` is null or live; `tv` is writable.
    unsafe {
        *tv = with_base(b, crate::reactor::time::wall_clock(), |b| b.gettimeofday_cached());
    }
    0
}

/// Refreshes the cached time of a running loop.
#[no_mangle]
pub unsafe extern "C" fn event_base_update_cache_time(base: *mut event_base) -> c_int {
    let b = if base.is_null() { current_base() } else { base };
    // SAFETY: `b` is null or live.
    unsafe {
        with_base(b, -1, |b| {
            b.update_cache_time();
            0
        })
    }
}

/// The event whose callback is running, when called from the loop's thread; NULL otherwise.
#[no_mangle]
pub unsafe extern "C" fn event_base_get_running_event(base: *mut event_base) -> *mut event {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, null_mut(), |b| b.running_event()) }
}

/// Calls `f` for every added or active event (not the library's own). A non-zero return stops
/// the walk and is returned. `f` must not add or remove events.
#[no_mangle]
pub unsafe extern "C" fn event_base_foreach_event(
    base: *mut event_base,
    f: event_base_foreach_event_cb,
    arg: *mut c_void,
) -> c_int {
    let Some(f) = f else { return -1 };
    // SAFETY: `base` is null or live; `f` is the caller's function.
    unsafe { with_base(base, -1, |b| b.visit_events(|ev| f(base, ev, arg))) }
}

/// Writes a description of the base's events to `output`.
#[no_mangle]
pub unsafe extern "C" fn event_base_dump_events(base: *mut event_base, output: *mut libc::FILE) {
    if output.is_null() {
        return;
    }
    // SAFETY: `base` is null or live; `output` is an open FILE.
    unsafe {
        let text = with_base(base, String::new(), |b| b.dump());
        libc::fwrite(text.as_ptr().cast(), 1, text.len(), output);
    }
}

/// Counts events: a mask of `EVENT_BASE_COUNT_ACTIVE`, `_VIRTUAL`, `_ADDED`.
#[no_mangle]
pub unsafe extern "C" fn event_base_get_num_events(base: *mut event_base, flags: c_uint) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, 0, |b| b.num_events(flags)) }
}

/// The most events counted at once since the base was created (or last cleared).
#[no_mangle]
pub unsafe extern "C" fn event_base_get_max_events(base: *mut event_base, flags: c_uint, clear: c_int) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, 0, |b| b.max_events(flags, clear != 0)) }
}

/// Activates every event waiting on `fd` for any of `events`.
#[no_mangle]
pub unsafe extern "C" fn event_base_active_by_fd(base: *mut event_base, fd: evutil_socket_t, events: c_short) {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, (), |b| b.active_by_fd(fd, events)) }
}

/// Activates every event waiting for signal `sig`, as if it arrived once.
#[no_mangle]
pub unsafe extern "C" fn event_base_active_by_signal(base: *mut event_base, sig: c_int) {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, (), |b| b.signal_active(sig, 1)) }
}

/// A duration to pass to `event_add` so that all events with it share one O(1) queue.
#[no_mangle]
pub unsafe extern "C" fn event_base_init_common_timeout(
    base: *mut event_base,
    duration: *const timeval,
) -> *const timeval {
    let Some(d) = opt_tv(duration) else { return null() };
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, null(), |b| b.init_common_timeout(d)) }
}

/// The base's monotonic clock.
#[no_mangle]
pub unsafe extern "C" fn event_gettime_monotonic(base: *mut event_base, tv: *mut timeval) -> c_int {
    if base.is_null() || tv.is_null() {
        return -1;
    }
    // SAFETY: `base` live, `tv` writable.
    unsafe { *tv = with_base(base, crate::reactor::time::ZERO, |b| b.monotonic_now()) };
    0
}

/// Calls `cb(fd, events, arg)` once, when `fd` is ready or after `tv`. `events` may not contain
/// `EV_SIGNAL` or `EV_PERSIST`.
#[no_mangle]
pub unsafe extern "C" fn event_base_once(
    base: *mut event_base,
    fd: evutil_socket_t,
    events: c_short,
    cb: event_callback_fn,
    arg: *mut c_void,
    tv: *const timeval,
) -> c_int {
    // SAFETY: `base` is null or live.
    unsafe { with_base(base, -1, |b| b.once(fd, events, cb, arg, opt_tv(tv))) }
}

// ---- events ----

/// Sets up `ev` (caller's memory, `event_get_struct_event_size()` bytes) for `base`. The event
/// must not be pending.
#[no_mangle]
pub unsafe extern "C" fn event_assign(
    ev: *mut event,
    base: *mut event_base,
    fd: evutil_socket_t,
    events: c_short,
    callback: event_callback_fn,
    arg: *mut c_void,
) -> c_int {
    if ev.is_null() {
        return -1;
    }
    let base = if base.is_null() { current_base() } else { base };
    let arg = if arg == event_self_cbarg() { ev.cast() } else { arg };
    debug::assert_not_added(ev, "event_assign");
    // SAFETY: `ev` is writable event memory; `base` null or live.
    let r = unsafe { assign(ev, base_ptr(base), fd, events, callback, arg) };
    if r == 0 {
        debug::note_setup(ev);
    }
    r
}

/// Allocates and sets up an event. Free it with `event_free`.
#[no_mangle]
pub unsafe extern "C" fn event_new(
    base: *mut event_base,
    fd: evutil_socket_t,
    events: c_short,
    callback: event_callback_fn,
    arg: *mut c_void,
) -> *mut event {
    // SAFETY: all-zero is a valid unassigned event.
    let ev = mem::boxed(unsafe { std::mem::zeroed::<event>() });
    if ev.is_null() {
        return null_mut();
    }
    // SAFETY: `ev` is fresh event memory.
    if unsafe { event_assign(ev, base, fd, events, callback, arg) } != 0 {
        // SAFETY: `ev` came from `mem::boxed` above.
        unsafe { mem::unbox(ev) };
        return null_mut();
    }
    ev
}

/// Deletes and frees an event made by `event_new`.
#[no_mangle]
pub unsafe extern "C" fn event_free(ev: *mut event) {
    if ev.is_null() {
        return;
    }
    debug::assert_is_setup(ev, "event_free");
    // SAFETY: `ev` came from `event_new`.
    unsafe {
        event_del(ev);
        debug::note_teardown(ev);
        mem::unbox(ev);
    }
}

/// Makes `ev` pending: for its fd or signal, and/or until `tv` passes (NULL: no timeout; an
/// existing timeout is kept). Re-adding a pending event moves its timeout.
#[no_mangle]
pub unsafe extern "C" fn event_add(ev: *mut event, tv: *const timeval) -> c_int {
    if ev.is_null() {
        return -1;
    }
    // SAFETY: `ev` is a set-up event.
    let r = unsafe {
        with_event_base(ev, "event_add", -1, |b| {
            debug::assert_is_setup(ev, "event_add");
            b.add_nolock(ev, opt_tv(tv), false)
        })
    };
    if r == 0 {
        debug::note_add(ev, "event_add");
    }
    r
}

fn del(ev: *mut event, mode: DelMode, func: &str) -> c_int {
    if ev.is_null() {
        return -1;
    }
    // SAFETY: `ev` is a set-up event.
    unsafe { with_event_base(ev, func, -1, |b| b.del_nolock(ev, mode)) }
}

/// Makes `ev` non-pending and non-active. When its callback runs in another thread, waits for it
/// to finish unless the event has `EV_FINALIZE`.
#[no_mangle]
pub unsafe extern "C" fn event_del(ev: *mut event) -> c_int {
    del(ev, DelMode::AutoBlock, "event_del")
}

/// Like `event_del`, never waiting for a running callback.
#[no_mangle]
pub unsafe extern "C" fn event_del_noblock(ev: *mut event) -> c_int {
    del(ev, DelMode::NoBlock, "event_del_noblock")
}

/// Like `event_del`, always waiting for a callback running in another thread.
#[no_mangle]
pub unsafe extern "C" fn event_del_block(ev: *mut event) -> c_int {
    del(ev, DelMode::Block, "event_del_block")
}

/// Removes the timeout of a pending event, keeping its fd or signal part.
#[no_mangle]
pub unsafe extern "C" fn event_remove_timer(ev: *mut event) -> c_int {
    if ev.is_null() {
        return -1;
    }
    // SAFETY: `ev` is a set-up event.
    unsafe {
        with_event_base(ev, "event_remove_timer", -1, |b| {
            b.remove_timer_nolock(ev);
            0
        })
    }
}

/// Runs the callback of `ev` in the loop with `res` as its flags (`ncalls` times for signals).
#[no_mangle]
pub unsafe extern "C" fn event_active(ev: *mut event, res: c_int, ncalls: c_short) {
    if ev.is_null() {
        return;
    }
    // SAFETY: `ev` is a set-up event.
    unsafe {
        with_event_base(ev, "event_active", (), |b| {
            debug::assert_is_setup(ev, "event_active");
            b.active_nolock(ev, res as c_short, ncalls)
        })
    }
}

/// Which of `events` (`EV_TIMEOUT|EV_READ|EV_WRITE|EV_SIGNAL|EV_CLOSED`) are pending or active;
/// with `EV_TIMEOUT`, `tv` gets the deadline.
#[no_mangle]
pub unsafe extern "C" fn event_pending(ev: *const event, events: c_short, tv: *mut timeval) -> c_int {
    if ev.is_null() {
        return 0;
    }
    // SAFETY: `ev` is a set-up event; `tv` null or writable.
    unsafe {
        with_event_base(ev, "event_pending", 0, |b| {
            debug::assert_is_setup(ev, "event_pending");
            b.pending(ev, events, tv.as_mut())
        })
    }
}

/// Whether `ev` has been set up (for memory that starts zeroed).
#[no_mangle]
pub unsafe extern "C" fn event_initialized(ev: *const event) -> c_int {
    // SAFETY: `ev` is readable event memory.
    (!ev.is_null() && unsafe { (*ev).ev_evcallback.evcb_flags } & EVLIST_INIT != 0) as c_int
}

/// Sets the priority of an event that is not active (0 is the most urgent).
#[no_mangle]
pub unsafe extern "C" fn event_priority_set(ev: *mut event, priority: c_int) -> c_int {
    if ev.is_null() {
        return -1;
    }
    debug::assert_is_setup(ev, "event_priority_set");
    // SAFETY: `ev` is a set-up event.
    unsafe {
        with_event_base(ev, "event_priority_set", -1, |b| {
            if (*ev).ev_evcallback.evcb_flags & super::event_struct::EVLIST_ACTIVE != 0 {
                return -1;
            }
            if priority < 0 || priority >= b.npriorities() {
                return -1;
            }
            (*ev).ev_evcallback.evcb_pri = priority as u8;
            0
        })
    }
}

/// Moves a set-up, non-pending event to `base`.
#[no_mangle]
pub unsafe extern "C" fn event_base_set(base: *mut event_base, ev: *mut event) -> c_int {
    if ev.is_null() || base.is_null() {
        return -1;
    }
    // SAFETY: `ev` valid, `base` live.
    unsafe {
        if (*ev).ev_evcallback.evcb_flags != EVLIST_INIT {
            return -1;
        }
        debug::assert_is_setup(ev, "event_base_set");
        (*ev).ev_base = base;
        (*ev).ev_evcallback.evcb_pri = ((*base_ptr(base)).npriorities() / 2) as u8;
    }
    0
}

/// Queues `ev` to be finalized: it is deleted, and `cb` runs from the loop once no callback of
/// it can run any more.
#[no_mangle]
pub unsafe extern "C" fn event_finalize(flags: c_uint, ev: *mut event, cb: event_finalize_callback_fn) -> c_int {
    finalize(flags & !FINALIZE_FREE, ev, cb)
}

/// Like `event_finalize`, then frees the event (made by `event_new`).
#[no_mangle]
pub unsafe extern "C" fn event_free_finalize(flags: c_uint, ev: *mut event, cb: event_finalize_callback_fn) -> c_int {
    finalize(flags | FINALIZE_FREE, ev, cb)
}

fn finalize(flags: c_uint, ev: *mut event, cb: event_finalize_callback_fn) -> c_int {
    if ev.is_null() {
        return -1;
    }
    // SAFETY: `ev` is a set-up event.
    unsafe {
        with_event_base(ev, "event_finalize", -1, |b| {
            b.finalize_nolock(flags, ev, cb);
            0
        })
    }
}

/// Removes `ev` from debug mode's records (for events in memory about to be reused or freed by
/// the program itself).
#[no_mangle]
pub unsafe extern "C" fn event_debug_unassign(ev: *mut event) {
    if ev.is_null() {
        return;
    }
    debug::assert_not_added(ev, "event_debug_unassign");
    debug::note_teardown(ev);
    // SAFETY: `ev` is valid event memory.
    unsafe { (*ev).ev_evcallback.evcb_flags &= !EVLIST_INIT };
}

/// The size of `struct event` in this build.
#[no_mangle]
pub extern "C" fn event_get_struct_event_size() -> size_t {
    std::mem::size_of::<event>()
}

/// Only its address matters.
static SELF_CBARG: u8 = 0;

/// A placeholder argument: passed to `event_new`/`event_assign`, the callback gets the event itself.
#[no_mangle]
pub extern "C" fn event_self_cbarg() -> *mut c_void {
    &SELF_CBARG as *const u8 as *mut c_void
}

// ---- accessors ----

/// The event's fd (or signal number).
#[no_mangle]
pub unsafe extern "C" fn event_get_fd(ev: *const event) -> evutil_socket_t {
    // SAFETY: `ev` is a set-up event.
    unsafe { (*ev).ev_fd }
}

/// The event's base.
#[no_mangle]
pub unsafe extern "C" fn event_get_base(ev: *const event) -> *mut event_base {
    // SAFETY: `ev` is a set-up event.
    unsafe { (*ev).ev_base }
}

/// The `EV_*` flags the event was set up with.
#[no_mangle]
pub unsafe extern "C" fn event_get_events(ev: *const event) -> c_short {
    // SAFETY: `ev` is a set-up event.
    unsafe { (*ev).ev_events }
}

/// The event's callback.
#[no_mangle]
pub unsafe extern "C" fn event_get_callback(ev: *const event) -> event_callback_fn {
    // SAFETY: `ev` is a set-up event.
    unsafe { (*ev).ev_evcallback.evcb_cb_union.evcb_callback }
}

/// The event's callback argument.
#[no_mangle]
pub unsafe extern "C" fn event_get_callback_arg(ev: *const event) -> *mut c_void {
    // SAFETY: `ev` is a set-up event.
    unsafe { (*ev).ev_evcallback.evcb_arg }
}

/// The event's priority.
#[no_mangle]
pub unsafe extern "C" fn event_get_priority(ev: *const event) -> c_int {
    // SAFETY: `ev` is a set-up event.
    unsafe { (*ev).ev_evcallback.evcb_pri as c_int }
}

/// Copies out everything the event was set up with; any out-pointer may be NULL.
#[no_mangle]
pub unsafe extern "C" fn event_get_assignment(
    ev: *const event,
    base_out: *mut *mut event_base,
    fd_out: *mut evutil_socket_t,
    events_out: *mut c_short,
    callback_out: *mut event_callback_fn,
    arg_out: *mut *mut c_void,
) {
    // SAFETY: `ev` is a set-up event; each non-null out-pointer is writable.
    unsafe {
        if let Some(p) = base_out.as_mut() {
            *p = (*ev).ev_base;
        }
        if let Some(p) = fd_out.as_mut() {
            *p = (*ev).ev_fd;
        }
        if let Some(p) = events_out.as_mut() {
            *p = (*ev).ev_events;
        }
        if let Some(p) = callback_out.as_mut() {
            *p = (*ev).ev_evcallback.evcb_cb_union.evcb_callback;
        }
        if let Some(p) = arg_out.as_mut() {
            *p = (*ev).ev_evcallback.evcb_arg;
        }
    }
}

// ---- library settings ----

/// Replaces the allocator used for memory the library hands to callers. Call it before anything else.
#[no_mangle]
pub extern "C" fn event_set_mem_functions(
    malloc_fn: Option<unsafe extern "C" fn(size_t) -> *mut c_void>,
    realloc_fn: Option<unsafe extern "C" fn(*mut c_void, size_t) -> *mut c_void>,
    free_fn: Option<unsafe extern "C" fn(*mut c_void)>,
) {
    mem::set(malloc_fn, realloc_fn, free_fn);
}

/// Sends the library's log messages to `cb` (NULL: back to stderr).
#[no_mangle]
pub extern "C" fn event_set_log_callback(cb: event_log_cb) {
    log::set_log_fn(cb);
}

/// Calls `cb` instead of exiting on an unrecoverable error (the library still exits if it returns).
#[no_mangle]
pub extern "C" fn event_set_fatal_callback(cb: event_fatal_cb) {
    log::set_fatal_fn(cb);
}

/// Turns debug log messages on (`EVENT_DBG_ALL`) or off (`EVENT_DBG_NONE`).
#[no_mangle]
pub extern "C" fn event_enable_debug_logging(which: u32) {
    log::set_debug_mask(which);
}

/// Detects common misuse of events (using one never set up, re-assigning a pending one). Call it
/// before creating any event or base.
#[no_mangle]
pub extern "C" fn event_enable_debug_mode() {
    debug::enable();
}

/// cbindgen:ignore
/// Turns debug mode off again (exported for compatibility; in no public header).
#[no_mangle]
pub extern "C" fn event_disable_debug_mode() {
    debug::disable();
}

/// Releases the library's global state. Nothing may be used afterwards.
#[no_mangle]
pub extern "C" fn libevent_global_shutdown() {
    debug::disable();
}

/// The library's version, "2.1.12-stable".
#[no_mangle]
pub extern "C" fn event_get_version() -> *const c_char {
    c"2.1.12-stable".as_ptr()
}

/// The version as a number: 0x02010c00.
#[no_mangle]
pub extern "C" fn event_get_version_number() -> u32 {
    0x0201_0c00
}
