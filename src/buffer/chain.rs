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
use std::ops::{Deref, DerefMut};
use std::ptr::{null_mut, NonNull};
use std::sync::atomic::{AtomicUsize, Ordering};

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
    /// `buf` is ours: the `cap` bytes right after the header, in the header's allocation.
    Owned,
    /// Owned storage that `evbuffer_add_buffer_reference` shared with another buffer: read-only
    /// from then on (no appends, prepends or realigning), so the sharers' view never changes.
    Sealed,
    /// A read-only view of another chunk's bytes (`evbuffer_add_buffer_reference`); `src` (never
    /// itself `Shared`) stays alive, with its cleanup pending, until its last holder drops it.
    Shared { src: NonNull<Header> },
    /// `buf[..cap]` is the caller's memory; `cleanup(buf, cap, arg)` runs when the chunk drops.
    Ref { cleanup: Option<RefCleanup>, arg: *mut c_void },
    /// Bytes `misalign..misalign + off` of a file segment (which this chunk holds a reference
    /// to); `buf` is the segment's memory once materialized, null before.
    File { seg: *mut Segment },
}

/// A chunk's description. It lives in memory from the hooked allocator, followed (owned
/// chunks) by the chunk's storage, as libevent lays out its chains.
pub struct Header {
    pub buf: *mut u8,
    pub cap: usize,
    pub misalign: usize,
    pub off: usize,
    pub kind: Kind,
    /// Holders of this header: the chunk in its buffer plus each `Shared` view of it.
    pub refs: AtomicUsize,
}

/// A chunk: a pointer-sized owning handle to its [`Header`] (so that the chunk lists move
/// pointers, not headers). Dereferences to the header.
pub struct Chunk(NonNull<Header>);

impl Deref for Chunk {
    type Target = Header;
    #[inline(always)]
    fn deref(&self) -> &Header {
        // SAFETY: the handle owns a live header.
        unsafe { self.0.as_ref() }
    }
}

impl DerefMut for Chunk {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Header {
        // SAFETY: the handle owns a live header, exclusively.
        unsafe { self.0.as_mut() }
    }
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

const HDR: usize = std::mem::size_of::<Header>();

impl Chunk {
    /// Allocates a header followed by `extra` bytes and fills it in; `None` when out of memory.
    #[inline]
    fn with_header(extra: usize, fill: impl FnOnce(*mut u8) -> Header) -> Option<Chunk> {
        let size = HDR.checked_add(extra)?;
        // SAFETY: plain allocation, suitably aligned for the header (malloc's alignment).
        let p = unsafe { mem::malloc(size) } as *mut Header;
        let nn = NonNull::new(p)?;
        // SAFETY: `p` has room for a header and `extra` bytes after it.
        unsafe { p.write(fill((p as *mut u8).add(HDR))) };
        Some(Chunk(nn))
    }

    /// A new empty owned chunk with room for at least `n` bytes; `None` when out of memory.
    pub fn alloc(n: usize) -> Option<Chunk> {
        let cap = chunk_size_for(n)?;
        Self::with_header(cap, |buf| Header { buf, cap, misalign: 0, off: 0, kind: Kind::Owned, refs: AtomicUsize::new(1) })
    }

    /// A chunk over caller memory; `None` when out of memory (no cleanup call then).
    pub fn reference(data: *const u8, len: usize, cleanup: Option<RefCleanup>, arg: *mut c_void) -> Option<Chunk> {
        Self::with_header(0, |_| Header {
            buf: data as *mut u8,
            cap: len,
            misalign: 0,
            off: len,
            kind: Kind::Ref { cleanup, arg },
            refs: AtomicUsize::new(1),
        })
    }

    /// A chunk over `len` bytes of `seg` from `start` (the caller has taken a segment reference
    /// for it, which the chunk owns from now on, or releases when out of memory).
    pub fn file(seg: *mut Segment, start: usize, len: usize, mem: *mut u8) -> Option<Chunk> {
        let c = Self::with_header(0, |_| Header {
            buf: mem,
            cap: start + len,
            misalign: start,
            off: len,
            kind: Kind::File { seg },
            refs: AtomicUsize::new(1),
        });
        if c.is_none() {
            // SAFETY: the caller's reference, handed to us.
            unsafe { Segment::decref(seg) };
        }
        c
    }
}

impl Chunk {
    /// A read-only view of this chunk's current bytes, keeping the storage alive (and its
    /// cleanup pending) until the view is dropped too. An owned chunk is sealed first, so its
    /// bytes can no longer change under the view. `None` when out of memory.
    pub fn share(&mut self) -> Option<Chunk> {
        if self.is_owned() {
            let end = self.misalign + self.off;
            self.cap = end;
            self.kind = Kind::Sealed;
        }
        let src = match self.kind {
            Kind::Shared { src } => src,
            _ => self.0,
        };
        let (buf, misalign, off) = (self.buf, self.misalign, self.off);
        let view = Self::with_header(0, |_| Header {
            buf,
            cap: misalign + off,
            misalign,
            off,
            kind: Kind::Shared { src },
            refs: AtomicUsize::new(1),
        })?;
        // SAFETY: `src` is live: this chunk holds it (or is it).
        unsafe { src.as_ref() }.refs.fetch_add(1, Ordering::Relaxed);
        Some(view)
    }
}

impl Header {
    #[inline]
    pub fn is_owned(&self) -> bool {
        matches!(self.kind, Kind::Owned)
    }

    /// Whether the bytes are in memory.
    #[inline]
    pub fn in_memory(&self) -> bool {
        !self.buf.is_null() || self.off == 0
    }

    /// Room after the data that appends may fill (0 for read-only chunks: for them
    /// `misalign + off == cap` always holds, as they are only ever drained from the front).
    #[inline]
    pub fn space(&self) -> usize {
        debug_assert!(self.is_owned() || self.misalign + self.off == self.cap);
        self.cap - self.misalign - self.off
    }

    /// Start of the data. Only meaningful when [`Header::in_memory`].
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
        // SAFETY: the handle holds one reference to its header, given up once here.
        unsafe { release(self.0.as_ptr()) }
    }
}

/// Gives up one reference to `h`; the last one runs the cleanup and frees the header (and an
/// owned chunk's storage, which follows it).
///
/// # Safety
/// The caller holds a reference to the live header `h`.
unsafe fn release(h: *mut Header) {
    // SAFETY: per the caller. A count of 1 means no other holder exists, and none can appear:
    // sharing needs this very chunk.
    unsafe {
        if (*h).refs.load(Ordering::Acquire) != 1 && (*h).refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        match (*h).kind {
            Kind::Owned | Kind::Sealed => {}
            Kind::Ref { cleanup, arg } => {
                if let Some(f) = cleanup {
                    // The caller's cleanup function, given at add time, called once.
                    f((*h).buf as *const c_void, (*h).cap, arg)
                }
            }
            Kind::File { seg } => Segment::decref(seg),
            Kind::Shared { src } => release(src.as_ptr()),
        }
        mem::free(h as *mut c_void);
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
        let c = Chunk::reference(data.as_ptr(), 3, Some(cb), null_mut()).unwrap();
        assert_eq!(c.data(), b"abc");
        drop(c);
        // SAFETY: single-threaded test.
        assert_eq!(unsafe { CALLS }, 1);
    }
}
