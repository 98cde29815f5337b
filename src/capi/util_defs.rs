//! Portable integer and socket types and the constants of `event2/util.h` that the core uses.
//!
//! libevent defines these types as macros, so `event2/util.h` writes them as `#define`s in its raw
//! part (`cbindgen/event2/util.h.head`); the aliases here are what the Rust side uses.
#![allow(non_camel_case_types)]

/// A socket or file descriptor as the library takes it: a plain `int` on POSIX systems.
pub type evutil_socket_t = libc::c_int;
pub type ev_uint64_t = u64;
pub type ev_int64_t = i64;
pub type ev_uint32_t = u32;
pub type ev_int32_t = i32;
pub type ev_uint16_t = u16;
pub type ev_int16_t = i16;
pub type ev_uint8_t = u8;
pub type ev_int8_t = i8;
pub type ev_uintptr_t = usize;
pub type ev_intptr_t = isize;
pub type ev_ssize_t = isize;
pub type ev_off_t = i64;
pub type ev_socklen_t = libc::socklen_t;

/// `evutil_configure_monotonic_time` flag: use the most precise monotonic clock available.
pub const EV_MONOT_PRECISE: libc::c_int = 1;
/// `evutil_configure_monotonic_time` flag: do not use the system's monotonic clock; derive one
/// from the wall clock instead.
pub const EV_MONOT_FALLBACK: libc::c_int = 2;
