//! Constants, enums, public structs and callback types of `event2/buffer.h`.
//!
//! Their `///` docs become the header's docs (see `build/headers.rs`). `struct evbuffer_ptr`
//! (with libevent's anonymous inner struct) is written in the raw part of the header; the Rust
//! mirror here has the same layout.
#![allow(non_camel_case_types)]

use libc::{c_int, c_void};

/// An evbuffer (opaque to C; the engine's `Evbuffer`).
pub struct evbuffer {
    _opaque: [u8; 0],
}

/// A registered callback (opaque to C; the engine's `CbEntry`).
pub struct evbuffer_cb_entry {
    _opaque: [u8; 0],
}

/// A file segment (opaque to C; the engine's `Segment`).
pub struct evbuffer_file_segment {
    _opaque: [u8; 0],
}

/// Mirror of the C `struct evbuffer_ptr` (24 bytes: `pos` at 0, the private pair at 8).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct evbuffer_ptr {
    pub pos: isize,
    pub internal_chain: *mut c_void,
    pub internal_pos_in_chain: usize,
}

/// `evbuffer_set_flags`: the buffer is emptied by writing it to a socket, so file segments
/// added to it may be sent with sendfile without ever being read into memory.
pub const EVBUFFER_FLAG_DRAINS_TO_FD: c_int = 1;

/// File segment flag: close the fd when the segment is freed and no buffer uses it any more.
pub const EVBUF_FS_CLOSE_ON_FREE: c_int = 0x01;
/// File segment flag: never map the file; read it into memory when its bytes are needed.
pub const EVBUF_FS_DISABLE_MMAP: c_int = 0x02;
/// File segment flag: never send it with sendfile (use this when the bytes will be read from
/// the buffer rather than written to a socket).
pub const EVBUF_FS_DISABLE_SENDFILE: c_int = 0x04;
/// File segment flag: the segment gets no lock; it and the buffers using it stay in one thread.
pub const EVBUF_FS_DISABLE_LOCKING: c_int = 0x08;

/// `evbuffer_cb_set_flags` / `evbuffer_cb_clear_flags`: the callback runs (set when added).
pub const EVBUFFER_CB_ENABLED: c_int = 1;

/// What ends a line for `evbuffer_readln()` and `evbuffer_search_eol()`.
#[repr(C)]
pub enum evbuffer_eol_style {
    /// Any run of CR and LF characters. Ambiguous when a CRLF arrives in two reads: it is then
    /// taken for two line ends.
    EVBUFFER_EOL_ANY,
    /// An LF, with an optional CR just before it (the usual rule of text protocols).
    EVBUFFER_EOL_CRLF,
    /// Exactly a CR followed by an LF.
    EVBUFFER_EOL_CRLF_STRICT,
    /// A single LF.
    EVBUFFER_EOL_LF,
    /// A single NUL byte.
    EVBUFFER_EOL_NUL,
}

/// How `evbuffer_ptr_set()` moves a position.
#[repr(C)]
pub enum evbuffer_ptr_how {
    /// To the given offset from the start of the buffer (the position may be uninitialised).
    EVBUFFER_PTR_SET,
    /// Forward by the given number of bytes.
    EVBUFFER_PTR_ADD,
}

/// What changed in a buffer since its callbacks last ran.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct evbuffer_cb_info {
    /// The buffer's length when the callbacks last ran.
    pub orig_size: usize,
    /// Bytes added since then.
    pub n_added: usize,
    /// Bytes removed since then.
    pub n_deleted: usize,
}

/// A callback run after operations that change the buffer's length, with what changed.
/// It may add or remove data (which runs the callbacks again), add callbacks or remove itself,
/// but not remove other callbacks.
pub type evbuffer_cb_func =
    Option<unsafe extern "C" fn(*mut evbuffer, *const evbuffer_cb_info, *mut c_void)>;

/// Called once when memory added with `evbuffer_add_reference()` is no longer used by the
/// buffer, with the pointer, the length and the argument given then.
pub type evbuffer_ref_cleanup_cb = Option<unsafe extern "C" fn(*const c_void, usize, *mut c_void)>;

/// Called once when a file segment is finally released, with the segment, its flags and the
/// argument given to `evbuffer_file_segment_add_cleanup_cb()`.
pub type evbuffer_file_segment_cleanup_cb =
    Option<unsafe extern "C" fn(*const evbuffer_file_segment, c_int, *mut c_void)>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn layouts() {
        assert_eq!(size_of::<evbuffer_ptr>(), 24);
        assert_eq!(offset_of!(evbuffer_ptr, pos), 0);
        assert_eq!(offset_of!(evbuffer_ptr, internal_chain), 8);
        assert_eq!(offset_of!(evbuffer_ptr, internal_pos_in_chain), 16);
        assert_eq!(size_of::<evbuffer_cb_info>(), 24);
        assert_eq!(size_of::<evbuffer_eol_style>(), 4);
    }
}
