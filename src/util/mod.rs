//! Helpers shared by the engine: logging, the allocator hooks, and what `event2/util.h` offers
//! (addresses, sockets, name lookup, clocks, random bytes, string helpers).

pub mod addr;
pub mod addrinfo;
pub mod log;
pub mod mem;
pub mod monotonic;
pub mod rng;
pub mod sock;
pub mod text;
