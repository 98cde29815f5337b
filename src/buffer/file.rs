//! File segments (`evbuffer_file_segment`): a range of a file that evbuffers refer to instead of
//! copying it. A segment meant for sockets keeps its bytes in the file and is written with
//! sendfile; otherwise (or when some caller needs the bytes) it is mapped, or read into memory.
//!
//! Segments are reference counted: the creator holds one reference, each chunk that refers to
//! the segment another. The last release runs the cleanup callback and closes the fd when asked.

use crate::util::mem;
use libc::{c_int, c_uint, c_void};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `EVBUF_FS_CLOSE_ON_FREE`.
pub const FS_CLOSE_ON_FREE: c_uint = 0x01;
/// `EVBUF_FS_DISABLE_MMAP`.
pub const FS_DISABLE_MMAP: c_uint = 0x02;
/// `EVBUF_FS_DISABLE_SENDFILE`.
pub const FS_DISABLE_SENDFILE: c_uint = 0x04;

/// `evbuffer_file_segment_cleanup_cb`, with the segment as an opaque pointer.
pub type SegCleanup = unsafe extern "C" fn(*const c_void, c_int, *mut c_void);

pub struct Segment {
    refcnt: AtomicUsize,
    pub fd: c_int,
    pub flags: c_uint,
    /// Where the segment starts in the file.
    pub file_offset: i64,
    pub length: usize,
    /// The bytes stay in the file until a reader needs them; written with sendfile.
    pub can_sendfile: bool,
    state: Mutex<Mem>,
    cleanup: Mutex<Option<(SegCleanup, usize)>>,
}

struct Mem {
    /// The segment's first byte in memory, or null.
    data: *mut u8,
    /// A mapping to unmap (start, length), or an allocation to free (`map_len == 0`).
    base: *mut c_void,
    map_len: usize,
}

impl Segment {
    /// `evbuffer_file_segment_new`: `length` -1 means "to the end of the file".
    pub fn new(fd: c_int, offset: i64, length: i64, flags: c_uint) -> Option<*mut Segment> {
        let mut length = length;
        if length == -1 {
            // SAFETY: fstat into a zeroed struct.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY: `st` is valid for writing.
            if unsafe { libc::fstat(fd, &mut st) } < 0 {
                return None;
            }
            length = st.st_size;
        }
        if offset < 0 || length < 0 || (length as u64) > i64::MAX as u64 - offset as u64 {
            return None;
        }
        let seg = Segment {
            refcnt: AtomicUsize::new(1),
            fd,
            flags,
            file_offset: offset,
            length: length as usize,
            can_sendfile: flags & FS_DISABLE_SENDFILE == 0,
            state: Mutex::new(Mem { data: null_mut(), base: null_mut(), map_len: 0 }),
            cleanup: Mutex::new(None),
        };
        let p = mem::boxed(seg);
        if p.is_null() {
            return None;
        }
        // SAFETY: just allocated.
        if unsafe { !(*p).can_sendfile && (*p).materialize().is_none() } {
            // SAFETY: ours, unshared; no cleanup callback yet and the fd is the caller's.
            unsafe { mem::unbox(p) };
            return None;
        }
        Some(p)
    }

    pub fn set_cleanup(&self, cb: Option<SegCleanup>, arg: *mut c_void) {
        *self.cleanup.lock().unwrap() = cb.map(|f| (f, arg as usize));
    }

    /// # Safety
    /// `p` is a live segment.
    pub unsafe fn incref(p: *mut Segment) {
        // SAFETY: per the caller.
        unsafe { (*p).refcnt.fetch_add(1, Ordering::AcqRel) };
    }

    /// Releases one reference; the last one frees the segment.
    ///
    /// # Safety
    /// `p` is a live segment and the caller owns the reference it releases.
    pub unsafe fn decref(p: *mut Segment) {
        // SAFETY: per the caller.
        unsafe {
            if (*p).refcnt.fetch_sub(1, Ordering::AcqRel) != 1 {
                return;
            }
            let s = &*p;
            {
                let m = s.state.lock().unwrap();
                if !m.base.is_null() {
                    if m.map_len != 0 {
                        libc::munmap(m.base, m.map_len);
                    } else {
                        mem::free(m.base);
                    }
                }
            }
            if s.flags & FS_CLOSE_ON_FREE != 0 && s.fd >= 0 {
                libc::close(s.fd);
            }
            let cb = s.cleanup.lock().unwrap().take();
            if let Some((f, arg)) = cb {
                f(p as *const c_void, s.flags as c_int, arg as *mut c_void);
            }
            mem::unbox(p);
        }
    }

    /// The segment's bytes in memory (mapping or reading them on first use); None on failure.
    pub fn materialize(&self) -> Option<*mut u8> {
        let mut m = self.state.lock().unwrap();
        if !m.data.is_null() {
            return Some(m.data);
        }
        if self.flags & FS_DISABLE_MMAP == 0 && self.length > 0 {
            // SAFETY: sysconf has no preconditions.
            let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as i64;
            let lead = self.file_offset % page;
            let len = self.length + lead as usize;
            // SAFETY: a fresh read-only private mapping of the caller's fd.
            let p = unsafe {
                libc::mmap(null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, self.fd, self.file_offset - lead)
            };
            if p != libc::MAP_FAILED {
                m.base = p;
                m.map_len = len;
                // SAFETY: `lead` < len, inside the mapping.
                m.data = unsafe { (p as *mut u8).add(lead as usize) };
                return Some(m.data);
            }
        }
        // SAFETY: plain allocation, filled below before anyone reads it.
        let buf = unsafe { mem::malloc(self.length.max(1)) } as *mut u8;
        if buf.is_null() {
            return None;
        }
        let mut done = 0usize;
        while done < self.length {
            // SAFETY: writing into the unfilled rest of `buf`.
            let n = unsafe {
                libc::pread(
                    self.fd,
                    buf.add(done) as *mut c_void,
                    self.length - done,
                    self.file_offset + done as i64,
                )
            };
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            if n <= 0 {
                // SAFETY: `buf` came from mem::malloc above.
                unsafe { mem::free(buf as *mut c_void) };
                return None;
            }
            done += n as usize;
        }
        m.base = buf as *mut c_void;
        m.map_len = 0;
        m.data = buf;
        Some(buf)
    }

    /// The bytes if they are already in memory.
    pub fn mem_if_ready(&self) -> *mut u8 {
        self.state.lock().unwrap().data
    }
}
