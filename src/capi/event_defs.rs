//! Constants, enums and callback types of `event2/event.h`.
//!
//! Their `///` docs become the header's docs (see `build/headers.rs`).
#![allow(non_camel_case_types)]

use super::event::event_base;
use super::event_struct::event;
use super::util_defs::evutil_socket_t;
use libc::{c_int, c_short, c_void};

/// The event's timeout expired. Also accepted by `event_active` to fake a timeout.
pub const EV_TIMEOUT: c_short = 0x01;
/// The fd is ready for reading.
pub const EV_READ: c_short = 0x02;
/// The fd is ready for writing.
pub const EV_WRITE: c_short = 0x04;
/// The event watches a signal number rather than an fd.
pub const EV_SIGNAL: c_short = 0x08;
/// The event stays pending after its callback has run, instead of being removed.
pub const EV_PERSIST: c_short = 0x10;
/// Ask for edge-triggered notification, where the backend offers it.
pub const EV_ET: c_short = 0x20;
/// With this flag `event_del` does not wait for a callback that another thread is running;
/// use the `event_finalize` family to release such an event.
pub const EV_FINALIZE: c_short = 0x40;
/// The peer shut down its side of the connection (early-close detection, epoll only).
pub const EV_CLOSED: c_short = 0x80;

/// `event_base_loop`: wait for at least one active event, run the callbacks, then return.
pub const EVLOOP_ONCE: c_int = 0x01;
/// `event_base_loop`: do not wait; run whatever is ready now, then return.
pub const EVLOOP_NONBLOCK: c_int = 0x02;
/// `event_base_loop`: keep running even with no pending events, until loopexit or loopbreak.
pub const EVLOOP_NO_EXIT_ON_EMPTY: c_int = 0x04;

/// `event_base_get_num_events` flag: count events whose callbacks are queued to run.
pub const EVENT_BASE_COUNT_ACTIVE: u32 = 1u32;
/// `event_base_get_num_events` flag: count the library's own events that keep the loop running.
pub const EVENT_BASE_COUNT_VIRTUAL: u32 = 2u32;
/// `event_base_get_num_events` flag: count events added to the base.
pub const EVENT_BASE_COUNT_ADDED: u32 = 4u32;

/// Upper bound for the number of priorities of a base (`event_base_priority_init`).
pub const EVENT_MAX_PRIORITIES: c_int = 256;

/// Log severity: debugging detail (only with `event_enable_debug_logging`).
pub const EVENT_LOG_DEBUG: c_int = 0;
/// Log severity: informational message.
pub const EVENT_LOG_MSG: c_int = 1;
/// Log severity: something went wrong but the library carries on.
pub const EVENT_LOG_WARN: c_int = 2;
/// Log severity: an error, usually followed by the fatal callback.
pub const EVENT_LOG_ERR: c_int = 3;

/// `event_enable_debug_logging`: every debug message.
pub const EVENT_DBG_ALL: u32 = 0xffff_ffffu32;
/// `event_enable_debug_logging`: no debug messages (the default).
pub const EVENT_DBG_NONE: u32 = 0;

/// Capabilities a backend may have. `event_config_require_features` takes a bitwise OR of them
/// and `event_base_get_features` reports them.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum event_method_feature {
    /// Edge-triggered notification (`EV_ET`) is available.
    EV_FEATURE_ET = 0x01,
    /// Adding, removing and reporting one event costs O(1).
    EV_FEATURE_O1 = 0x02,
    /// Works with any file descriptor, not only sockets.
    EV_FEATURE_FDS = 0x04,
    /// Reports a closed connection (`EV_CLOSED`) without reading the pending data first.
    EV_FEATURE_EARLY_CLOSE = 0x08,
}

/// Options for `event_config_set_flag`, changing how a new base behaves.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum event_base_config_flag {
    /// Give the base no lock even when threading is enabled: only one thread may use it.
    EVENT_BASE_FLAG_NOLOCK = 0x01,
    /// Do not look at the `EVENT_*` environment variables when choosing a backend.
    EVENT_BASE_FLAG_IGNORE_ENV = 0x02,
    /// Windows IOCP; accepted and ignored on this platform.
    EVENT_BASE_FLAG_STARTUP_IOCP = 0x04,
    /// Read the clock again for every timeout check rather than once per loop iteration.
    EVENT_BASE_FLAG_NO_CACHE_TIME = 0x08,
    /// epoll: collect interest changes and apply them just before waiting. Unsafe with fds
    /// duplicated by `dup()` and friends.
    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST = 0x10,
    /// Prefer an exact monotonic clock over a faster, coarser one.
    EVENT_BASE_FLAG_PRECISE_TIMER = 0x20,
}

/// An event's callback: the fd or signal number, the `EV_*` flags that triggered it, and the
/// argument given when the event was set up.
pub type event_callback_fn = Option<unsafe extern "C" fn(evutil_socket_t, c_short, *mut c_void)>;
/// Runs once an event handed to `event_finalize`/`event_free_finalize` is no longer in use.
pub type event_finalize_callback_fn = Option<unsafe extern "C" fn(*mut event, *mut c_void)>;
/// Receives the library's log messages (severity `EVENT_LOG_*`, text) instead of stderr. It must
/// not call back into the library.
pub type event_log_cb = Option<unsafe extern "C" fn(c_int, *const libc::c_char)>;
/// Called in place of `exit()` when the library meets an error it cannot recover from.
pub type event_fatal_cb = Option<unsafe extern "C" fn(c_int)>;
/// Visitor for `event_base_foreach_event`: base, event, user argument. Returning non-zero stops
/// the walk.
pub type event_base_foreach_event_cb =
    Option<unsafe extern "C" fn(*const event_base, *const event, *mut c_void) -> c_int>;

// The enumerators as plain `c_int`s, for the engine's flag masks. `pub(crate)` keeps them out of
// the header: there they are the enumerators above, and a `#define` of the same name would break
// the enum. (cbindgen only exports `pub` items.)
#[allow(dead_code)]
pub(crate) const EV_FEATURE_ET: c_int = event_method_feature::EV_FEATURE_ET as c_int;
#[allow(dead_code)]
pub(crate) const EV_FEATURE_O1: c_int = event_method_feature::EV_FEATURE_O1 as c_int;
#[allow(dead_code)]
pub(crate) const EV_FEATURE_FDS: c_int = event_method_feature::EV_FEATURE_FDS as c_int;
#[allow(dead_code)]
pub(crate) const EV_FEATURE_EARLY_CLOSE: c_int =
    event_method_feature::EV_FEATURE_EARLY_CLOSE as c_int;
#[allow(dead_code)]
pub(crate) const EVENT_BASE_FLAG_NOLOCK: c_int =
    event_base_config_flag::EVENT_BASE_FLAG_NOLOCK as c_int;
#[allow(dead_code)]
pub(crate) const EVENT_BASE_FLAG_IGNORE_ENV: c_int =
    event_base_config_flag::EVENT_BASE_FLAG_IGNORE_ENV as c_int;
#[allow(dead_code)]
pub(crate) const EVENT_BASE_FLAG_STARTUP_IOCP: c_int =
    event_base_config_flag::EVENT_BASE_FLAG_STARTUP_IOCP as c_int;
#[allow(dead_code)]
pub(crate) const EVENT_BASE_FLAG_NO_CACHE_TIME: c_int =
    event_base_config_flag::EVENT_BASE_FLAG_NO_CACHE_TIME as c_int;
#[allow(dead_code)]
pub(crate) const EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST: c_int =
    event_base_config_flag::EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST as c_int;
#[allow(dead_code)]
pub(crate) const EVENT_BASE_FLAG_PRECISE_TIMER: c_int =
    event_base_config_flag::EVENT_BASE_FLAG_PRECISE_TIMER as c_int;
