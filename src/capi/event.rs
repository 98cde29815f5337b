//! `event2/event.h`.
#![allow(non_camel_case_types)]

/// An event loop: the set of pending events and the backend that waits for them. Opaque.
pub struct event_base {
    _opaque: [u8; 0],
}

/// Library version string.
#[no_mangle]
pub extern "C" fn event_get_version() -> *const libc::c_char {
    c"2.1.12-stable".as_ptr()
}
