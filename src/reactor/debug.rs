//! Debug mode (`event_enable_debug_mode`): the library remembers every event it has seen set up
//! and aborts, with a message, on uses of events that were never set up or on re-assigning an
//! event that is still added.

use crate::capi::event_struct::event;
use crate::util::log;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static ON: AtomicBool = AtomicBool::new(false);
static TOO_LATE: AtomicBool = AtomicBool::new(false);
/// event address → whether it is added.
static MAP: Mutex<Option<HashMap<usize, bool>>> = Mutex::new(None);

/// The fatal code libevent uses for misuse it detects: abort() when no fatal callback is set.
const ERR_ABORT: i32 = 0xdeaddead_u32 as i32;

#[inline]
pub fn is_on() -> bool {
    ON.load(Ordering::Relaxed)
}

pub fn mark_too_late() {
    TOO_LATE.store(true, Ordering::Relaxed);
}

pub fn enable() {
    if ON.load(Ordering::Relaxed) {
        log::fatal(1, "event_enable_debug_mode was called twice!");
    }
    if TOO_LATE.load(Ordering::Relaxed) {
        log::fatal(1, "event_enable_debug_mode must be called *before* creating any events or event_bases");
    }
    *MAP.lock().unwrap_or_else(|e| e.into_inner()) = Some(HashMap::new());
    ON.store(true, Ordering::Relaxed);
}

pub fn disable() {
    *MAP.lock().unwrap_or_else(|e| e.into_inner()) = None;
    ON.store(false, Ordering::Relaxed);
}

fn with_map<R>(f: impl FnOnce(&mut HashMap<usize, bool>) -> R) -> Option<R> {
    if !is_on() {
        return None;
    }
    let mut g = MAP.lock().unwrap_or_else(|e| e.into_inner());
    g.as_mut().map(f)
}

fn die(what: &str, func: &str, ev: *const event) -> ! {
    // SAFETY: `ev` is the caller's event pointer; reading plain fields for the message.
    let (events, fd, flags) = unsafe { ((*ev).ev_events, (*ev).ev_fd, (*ev).ev_evcallback.evcb_flags) };
    let msg = format!(
        "{func} called on {what} event {ev:p} (events: 0x{events:x}, fd: {fd}, flags: 0x{flags:x})"
    );
    log::log(log::ERR, &msg);
    if log::has_fatal_fn() {
        log::fatal(ERR_ABORT, &msg);
    }
    std::process::abort()
}

/// Checked on every call: a branch on one flag when debug mode is off.
#[inline]
pub fn note_setup(ev: *const event) {
    if is_on() {
        note_setup_slow(ev);
    } else {
        // Debug mode can no longer be turned on once an event exists.
        TOO_LATE.store(true, Ordering::Relaxed);
    }
}

#[cold]
#[inline(never)]
fn note_setup_slow(ev: *const event) {
    with_map(|m| {
        m.insert(ev as usize, false);
    });
}

/// Checked on every call: a branch on one flag when debug mode is off.
#[inline]
pub fn note_teardown(ev: *const event) {
    if is_on() {
        note_teardown_slow(ev);
    }
}

#[cold]
#[inline(never)]
fn note_teardown_slow(ev: *const event) {
    with_map(|m| {
        m.remove(&(ev as usize));
    });
}

/// Checked on every call: a branch on one flag when debug mode is off.
#[inline]
pub fn note_add(ev: *const event, func: &str) {
    if is_on() {
        note_add_slow(ev, func);
    }
}

#[cold]
#[inline(never)]
fn note_add_slow(ev: *const event, func: &str) {
    if let Some(false) = with_map(|m| match m.get_mut(&(ev as usize)) {
        Some(added) => {
            *added = true;
            true
        }
        None => false,
    }) {
        die("a non-initialized", func, ev);
    }
}

/// Checked on every call: a branch on one flag when debug mode is off.
#[inline]
pub fn note_del(ev: *const event) {
    if is_on() {
        note_del_slow(ev);
    }
}

#[cold]
#[inline(never)]
fn note_del_slow(ev: *const event) {
    with_map(|m| {
        if let Some(added) = m.get_mut(&(ev as usize)) {
            *added = false;
        }
    });
}

/// Checked on every call: a branch on one flag when debug mode is off.
#[inline]
pub fn assert_is_setup(ev: *const event, func: &str) {
    if is_on() {
        assert_is_setup_slow(ev, func);
    }
}

#[cold]
#[inline(never)]
fn assert_is_setup_slow(ev: *const event, func: &str) {
    if let Some(false) = with_map(|m| m.contains_key(&(ev as usize))) {
        die("a non-initialized", func, ev);
    }
}

/// Checked on every call: a branch on one flag when debug mode is off.
#[inline]
pub fn assert_not_added(ev: *const event, func: &str) {
    if is_on() {
        assert_not_added_slow(ev, func);
    }
}

#[cold]
#[inline(never)]
fn assert_not_added_slow(ev: *const event, func: &str) {
    if let Some(true) = with_map(|m| m.get(&(ev as usize)).copied().unwrap_or(false)) {
        die("an already added", func, ev);
    }
}
