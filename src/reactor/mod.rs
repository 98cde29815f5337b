//! The event loop: bases, events, timers, signals, backends.

pub mod backend;
pub mod base;
pub mod config;
pub mod debug;
pub mod deferred;
pub mod heap;
pub mod links;
pub mod signal;
pub mod thread;
pub mod time;
