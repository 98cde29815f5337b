//! Helpers shared by the engine: logging, memory hooks, time.
