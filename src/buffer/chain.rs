//! Chunks: the pieces an evbuffer's bytes live in.
//!
//! A chunk is a window `[misalign, misalign + off)` over some storage:
//! - owned storage from the hooked allocator (`mem::malloc`), with spare room after the window
//!   that appends fill in place and room before it that prepends may reuse;
//! - caller memory added by reference (`evbuffer_add_reference`), read-only, with a cleanup
//!   function called exactly once when the chunk goes away (drained, buffer freed);
//! - a range of a file segment, read-only; its bytes may not be in memory yet (a segment meant
//!   for sendfile), in which case `buf` is null until [`Chunk::materialize`].

use super::file::Segment;
use crate::util::mem;
use libc::c_void;
use std::ptr::null_mut;

/// Owned chunks are sized as libevent sizes its chains (a power of two of at least this many
/// bytes, less a 48-byte header), so that capacities callers can observe (reserved extents,
/// contiguous space, peek counts) are the reference's.
pub const MIN_ALLOC: usize = 1024;
const HEADER: usize = 48;
/// The smallest owned chunk.
pub const MIN_CHUNK: usize = MIN_ALLOC - HEADER;
/// Appends double the last chunk's size up to this size; beyond it the size stays.
pub const MAX_AUTO_CHUNK: usize = 4096;
/// Appends realign a chunk holding at most this many bytes rather than start a new one.
pub const MAX_REALIGN: usize = 2048;
/// `evbuffer_expand` copies at most this many bytes into a bigger chunk.
pub const MAX_COPY_IN_EXPAND: usize = 4096;
/// The largest chunk or buffer length we accept: lengths are reported as `ev_ssize_t`.
pub const MAX_LEN: usize = isize::MAX as usize;

/// `evbuffer_ref_cleanup_cb`.
pub type RefCleanup = unsafe extern "C" fn(*const c_void, usize, *mut c_void);

pub enum Kind {
    /// `buf` is ours (from `mem::malloc`), `cap` bytes long.
    Owned,
    /// `buf[..cap]` is the caller's memory; `cleanup(buf, cap, arg)` runs when the chunk drops.
    Ref { cleanup: Option<RefCleanup>, arg: *mut c_void },
    /// Bytes `misalign..misalign + off` of a file segment (which this chunk holds a reference
    /// to); `buf` is the segment's memory once materialized, null before.
    File { seg: *mut Segment },
}

pub struct Chunk {
    pub buf: *mut u8,
    pub cap: usize,
    pub misalign: usize,
    pub off: usize,
    pub kind: Kind,
}

/// The owned chunk size for a request of `n` bytes; `None` when that is not representable.
pub fn chunk_size_for(n: usize) -> Option<usize> {
    if n > MAX_LEN - HEADER {
        return None;
    }
    let want = n + HEADER;
    let mut alloc = MIN_ALLOC;
    while alloc < want {
        alloc = alloc.checked_mul(2)?;
    }
    Some(alloc - HEADER)
}

impl Chunk {
    /// A new empty owned chunk with room for at least `n` bytes; `None` when out of memory.
    pub fn alloc(n: usize) -> Option<Chunk> {
        let cap = chunk_size_for(n)?;
        // SAFETY: plain allocation; the memory is only read after being written.
        let buf = unsafe { mem::malloc(cap) } as *mut u8;
        if buf.is_null() {
            return None;
        }
        Some(Chunk { buf, cap, misalign: 0, off: 0, kind: Kind::Owned })
    }

    /// A chunk over caller memory.
    pub fn reference(data: *const u8, len: usize, cleanup: Option<RefCleanup>, arg: *mut c_void) -> Chunk {
        Chunk { buf: data as *mut u8, cap: len, misalign: 0, off: len, kind: Kind::Ref { cleanup, arg } }
    }

    /// A chunk over `len` bytes of `seg` from `start` (the caller has taken a segment reference
    /// for it).
    pub fn file(seg: *mut Segment, start: usize, len: usize, mem: *mut u8) -> Chunk {
        Chunk { buf: mem, cap: start + len, misalign: start, off: len, kind: Kind::File { seg } }
    }

    #[inline]
    pub fn is_owned(&self) -> bool {
        matches!(self.kind, Kind::Owned)
    }

    /// Whether the bytes are in memory.
    #[inline]
    pub fn in_memory(&self) -> bool {
        !self.buf.is_null() || self.off == 0
    }

    /// Room after the data that appends may fill (0 for read-only chunks).
    #[inline]
    pub fn space(&self) -> usize {
        if self.is_owned() {
            self.cap - self.misalign - self.off
        } else {
            0
        }
    }

    /// Start of the data. Only meaningful when [`Chunk::in_memory`].
    #[inline]
    pub fn data_ptr(&self) -> *mut u8 {
        if self.buf.is_null() {
            return null_mut();
        }
        // SAFETY: misalign <= cap, within the storage.
        unsafe { self.buf.add(self.misalign) }
    }

    /// Start of the spare room after the data (owned chunks).
    #[inline]
    pub fn space_ptr(&self) -> *mut u8 {
        // SAFETY: misalign + off <= cap.
        unsafe { self.buf.add(self.misalign + self.off) }
    }

    /// The data. Callers make sure the chunk is in memory first.
    #[inline]
    pub fn data(&self) -> &[u8] {
        if self.off == 0 {
            return &[];
        }
        debug_assert!(!self.buf.is_null());
        // SAFETY: `[misalign, misalign + off)` is initialised storage the chunk owns or refers to.
        unsafe { std::slice::from_raw_parts(self.data_ptr(), self.off) }
    }

    /// Appends as much of `src` as fits in the spare room; returns how much.
    #[inline]
    pub fn append(&mut self, src: &[u8]) -> usize {
        let n = src.len().min(self.space());
        if n > 0 {
            // SAFETY: `n` bytes of spare room after the data; `src` does not overlap our storage
            // (callers never pass our own memory for a growing chunk).
            unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), self.space_ptr(), n) };
            self.off += n;
        }
        n
    }

    /// Moves the data to the start of the storage (owned chunks).
    pub fn realign(&mut self) {
        if self.misalign != 0 && self.is_owned() {
            // SAFETY: both ranges lie in the storage; `copy` handles the overlap.
            unsafe { std::ptr::copy(self.buf.add(self.misalign), self.buf, self.off) };
            self.misalign = 0;
        }
    }

    /// Brings a file chunk's bytes into memory; false when that fails.
    pub fn materialize(&mut self) -> bool {
        if self.in_memory() {
            return true;
        }
        if let Kind::File { seg } = self.kind {
            // SAFETY: the chunk holds a reference on the segment.
            match unsafe { (*seg).materialize() } {
                Some(p) => {
                    self.buf = p;
                    true
                }
                None => false,
            }
        } else {
            false
        }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        match self.kind {
            Kind::Owned => {
                // SAFETY: `buf` came from `mem::malloc` in `alloc`.
                unsafe { mem::free(self.buf as *mut c_void) }
            }
            Kind::Ref { cleanup, arg } => {
                if let Some(f) = cleanup {
                    // SAFETY: the caller's cleanup function, given at add time, called once.
                    unsafe { f(self.buf as *const c_void, self.cap, arg) }
                }
            }
            Kind::File { seg } => {
                // SAFETY: the chunk's segment reference is released once.
                unsafe { Segment::decref(seg) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(chunk_size_for(0), Some(976));
        assert_eq!(chunk_size_for(976), Some(976));
        assert_eq!(chunk_size_for(977), Some(2000));
        assert_eq!(chunk_size_for(1952), Some(2000));
        assert_eq!(chunk_size_for(usize::MAX), None);
        assert_eq!(chunk_size_for(MAX_LEN), None);
    }

    #[test]
    fn append_and_realign() {
        let mut c = Chunk::alloc(10).unwrap();
        assert_eq!(c.cap, 976);
        assert_eq!(c.append(b"hello"), 5);
        c.misalign += 2;
        c.off -= 2;
        c.realign();
        assert_eq!(c.data(), b"llo");
        assert_eq!(c.space(), 973);
    }

    #[test]
    fn reference_cleanup_once() {
        static mut CALLS: usize = 0;
        unsafe extern "C" fn cb(_d: *const c_void, n: usize, _a: *mut c_void) {
            assert_eq!(n, 3);
            // SAFETY: single-threaded test.
            unsafe { CALLS += 1 };
        }
        let data = b"abc";
        let c = Chunk::reference(data.as_ptr(), 3, Some(cb), null_mut());
        assert_eq!(c.data(), b"abc");
        drop(c);
        // SAFETY: single-threaded test.
        assert_eq!(unsafe { CALLS }, 1);
    }
}
