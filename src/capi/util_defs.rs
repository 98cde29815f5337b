//! Portable integer and socket types of `event2/util.h` that the core's signatures use.
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
