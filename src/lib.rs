//! rsevent: libevent 2.1.12 rebuilt in Rust, shipped as a C library.
//!
//! `capi` is the C boundary (every `#[no_mangle] extern "C"` item, the public `#[repr(C)]` layouts);
//! everything else is the engine, ordinary Rust that the boundary calls into.

pub mod buffer;
pub mod bufferevent;
pub mod capi;
pub mod listener;
pub mod reactor;
pub mod util;
