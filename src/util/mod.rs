//! Helpers shared by the engine: logging and the allocator hooks.

pub mod log;
pub mod mem;
