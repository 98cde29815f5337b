//! The event loop: bases, events, timers, signals, backends.
