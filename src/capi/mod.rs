//! The C boundary: one module per public header (`event.rs` ↔ `event2/event.h`, ...). Only here do
//! `extern "C"` functions, raw pointers in signatures and the public `#[repr(C)]` layouts live.

pub mod buffer;
pub mod buffer_compat;
pub mod buffer_defs;
pub mod bufferevent;
pub mod bufferevent_compat;
pub mod bufferevent_struct;
pub mod event;
pub mod event_compat;
pub mod event_defs;
pub mod event_struct;
pub mod listener;
pub mod thread;
pub mod thread_defs;
pub mod util;
pub mod util_defs;
pub mod variadic;
