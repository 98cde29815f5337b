//! Constants, enums and callback types of `event2/event.h`.
#![allow(non_camel_case_types)]

use super::event::event_base;
use super::event_struct::event;
use super::util_defs::evutil_socket_t;
use libc::{c_int, c_short, c_void};

/// The timeout expired (or, for `event_active`, pretend it did).
pub const EV_TIMEOUT: c_short = 0x01;
/// The fd is readable.
pub const EV_READ: c_short = 0x02;
/// The fd is writable.
pub const EV_WRITE: c_short = 0x04;
/// The event waits for a signal number instead of an fd.
pub const EV_SIGNAL: c_short = 0x08;
/// The event stays pending after its callback runs.
pub const EV_PERSIST: c_short = 0x10;
/// Edge-triggered, where the backend supports it.
pub const EV_ET: c_short = 0x20;
/// `event_del` will not block waiting for this event's callback in another thread.
pub const EV_FINALIZE: c_short = 0x40;
/// The peer closed its side of the connection (epoll's early-close detection).
pub const EV_CLOSED: c_short = 0x80;

/// Block until at least one event became active, run the active callbacks, return.
pub const EVLOOP_ONCE: c_int = 0x01;
/// Do not block: run what is active now and return.
pub const EVLOOP_NONBLOCK: c_int = 0x02;
/// Keep looping when no events are pending, until `event_base_loopexit`/`loopbreak`.
pub const EVLOOP_NO_EXIT_ON_EMPTY: c_int = 0x04;

/// `event_base_get_num_events`: events whose callbacks are queued.
pub const EVENT_BASE_COUNT_ACTIVE: u32 = 1;
/// `event_base_get_num_events`: internal events that keep the loop alive.
pub const EVENT_BASE_COUNT_VIRTUAL: u32 = 2;
/// `event_base_get_num_events`: events added to the base.
pub const EVENT_BASE_COUNT_ADDED: u32 = 4;

/// The most priorities a base can have.
pub const EVENT_MAX_PRIORITIES: c_int = 256;

/// Severities passed to an `event_log_cb`.
pub const EVENT_LOG_DEBUG: c_int = 0;
pub const EVENT_LOG_MSG: c_int = 1;
pub const EVENT_LOG_WARN: c_int = 2;
pub const EVENT_LOG_ERR: c_int = 3;

/// `event_enable_debug_logging`: turn on every debug message, or none.
pub const EVENT_DBG_ALL: u32 = 0xffff_ffff;
pub const EVENT_DBG_NONE: u32 = 0;

/// Features a backend may offer; `event_config_require_features` takes a mask of them.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum event_method_feature {
    /// Edge-triggered events (`EV_ET`).
    EV_FEATURE_ET = 0x01,
    /// Adding, deleting and dispatching one event is O(1).
    EV_FEATURE_O1 = 0x02,
    /// Any kind of fd, not just sockets.
    EV_FEATURE_FDS = 0x04,
    /// Detects a closed connection without reading pending data (`EV_CLOSED`).
    EV_FEATURE_EARLY_CLOSE = 0x08,
}

/// Flags for `event_config_set_flag`.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum event_base_config_flag {
    /// The base gets no lock, even when threading is on.
    EVENT_BASE_FLAG_NOLOCK = 0x01,
    /// Ignore the `EVENT_*` environment variables.
    EVENT_BASE_FLAG_IGNORE_ENV = 0x02,
    /// Windows only; accepted and ignored here.
    EVENT_BASE_FLAG_STARTUP_IOCP = 0x04,
    /// Read the clock for every timeout instead of once per loop iteration.
    EVENT_BASE_FLAG_NO_CACHE_TIME = 0x08,
    /// epoll: batch interest changes until dispatch.
    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST = 0x10,
    /// Use the precise monotonic clock instead of the coarse one.
    EVENT_BASE_FLAG_PRECISE_TIMER = 0x20,
}

/// Called when an event becomes active: the fd (or signal), the `EV_*` flags that happened, the
/// argument given when the event was set up.
pub type event_callback_fn = Option<unsafe extern "C" fn(evutil_socket_t, c_short, *mut c_void)>;
/// Called once an event is finalized (`event_finalize`, `event_free_finalize`).
pub type event_finalize_callback_fn = Option<unsafe extern "C" fn(*mut event, *mut c_void)>;
/// Receives the library's log messages instead of stderr.
pub type event_log_cb = Option<unsafe extern "C" fn(c_int, *const libc::c_char)>;
/// Called instead of `exit()` when the library hits an unrecoverable error.
pub type event_fatal_cb = Option<unsafe extern "C" fn(c_int)>;
/// Visits each event of `event_base_foreach_event`; a non-zero return stops the walk.
pub type event_base_foreach_event_cb =
    Option<unsafe extern "C" fn(*const event_base, *const event, *mut c_void) -> c_int>;
