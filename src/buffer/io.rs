//! Moving bytes between an evbuffer and a file descriptor: one readv into the buffer's spare
//! room (at most four extents), one writev of up to 128 extents out of it, or sendfile for a
//! file chunk kept out of memory.

use super::chain::Kind;
use super::Evbuffer;
use libc::{c_int, iovec};

/// Most bytes one `evbuffer_read` takes (as libevent 2.1).
pub const MAX_READ: usize = 4096;
const READ_IOVECS: usize = 4;
const WRITE_IOVECS: usize = 128;

impl Evbuffer {
    /// `evbuffer_read`: reads at most `howmuch` (negative: [`MAX_READ`]) bytes from `fd` into
    /// the buffer. Returns the count (0 at end of file) or -1 with errno set.
    pub fn read_fd(&mut self, fd: c_int, howmuch: isize) -> isize {
        if self.freeze_end {
            return -1;
        }
        // Size the read by what the socket holds, as libevent does: a small message then gets a
        // small chunk instead of a 4 KiB one (less memory, and no page-fault churn in malloc when
        // many connections read small messages in waves).
        let mut ready: c_int = 0;
        // SAFETY: FIONREAD writes one int through the valid pointer.
        let r = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut ready as *mut c_int) };
        let cap = if r < 0 || ready <= 0 || ready as usize > MAX_READ { MAX_READ } else { ready as usize };
        let want = if howmuch < 0 || howmuch as usize > cap { cap } else { howmuch as usize };
        if self.expand_fast(want, READ_IOVECS).is_err() {
            return -1;
        }
        let mut iov = [iovec { iov_base: std::ptr::null_mut(), iov_len: 0 }; READ_IOVECS];
        let mut idx = [0usize; READ_IOVECS];
        let mut cnt = 0usize;
        self.space_extents(want, READ_IOVECS, true, |i, p, l| {
            // At most READ_IOVECS calls.
            idx[cnt] = i;
            iov[cnt] = iovec { iov_base: p as *mut libc::c_void, iov_len: l };
            cnt += 1;
        });
        // SAFETY: the extents are spare room of owned chunks of this buffer.
        let n = unsafe { libc::readv(fd, iov.as_ptr(), cnt as c_int) };
        if n <= 0 {
            return n;
        }
        let mut left = n as usize;
        for k in 0..cnt {
            let take = iov[k].iov_len.min(left);
            self.chunks[idx[k]].off += take;
            left -= take;
            if left == 0 {
                break;
            }
        }
        self.total += n as usize;
        self.n_add += n as usize;
        self.touch();
        n
    }

    /// `evbuffer_write_atmost` without the drain: writes up to `howmuch` bytes from the front
    /// to `fd`. Returns the count written or -1 with errno set.
    pub fn write_fd(&mut self, fd: c_int, howmuch: usize) -> isize {
        let howmuch = howmuch.min(self.total);
        if howmuch == 0 {
            return -1;
        }
        // A file chunk first, bytes still in the file: sendfile.
        if let Some(c) = self.chunks.iter().find(|c| c.off > 0) {
            if c.buf.is_null() {
                if let Kind::File { seg } = c.kind {
                    // SAFETY: the chunk holds a reference on the segment.
                    let s = unsafe { &*seg };
                    let mut off = s.file_offset + c.misalign as i64;
                    let len = c.off.min(howmuch);
                    // SAFETY: plain sendfile between two descriptors.
                    return unsafe { libc::sendfile(fd, s.fd, &mut off, len) };
                }
            }
        }
        let mut iov = [std::mem::MaybeUninit::<iovec>::uninit(); WRITE_IOVECS];
        let mut n = 0usize;
        let mut left = howmuch;
        for c in self.chunks.iter() {
            if left == 0 || n == WRITE_IOVECS {
                break;
            }
            if c.off == 0 {
                continue;
            }
            if c.buf.is_null() {
                break; // a sendfile chunk: the next write starts with it
            }
            let k = c.off.min(left);
            iov[n].write(iovec { iov_base: c.data_ptr() as *mut libc::c_void, iov_len: k });
            n += 1;
            left -= k;
        }
        // SAFETY: the first `n` entries are initialised, with data of this buffer's chunks.
        unsafe { libc::writev(fd, iov.as_ptr() as *const iovec, n as c_int) }
    }
}
