//! `event2/buffer.h`: evbuffers, the byte queues of network I/O.
#![allow(non_camel_case_types)]

use super::buffer_defs::*;
use super::event::event_base;
use super::util_defs::{ev_off_t, ev_ssize_t, ev_uint32_t, ev_uint64_t, evutil_socket_t};
use crate::buffer::callbacks::{self, CbEntry, CB_INTERNAL};
use crate::buffer::chain::RefCleanup;
use crate::buffer::file::Segment;
use crate::buffer::{self as engine, BufLock, Evbuffer, Loc};
use crate::reactor::base::Base;
use crate::reactor::deferred;
use crate::reactor::thread::Lock;
use crate::util::{log, mem};
use libc::{c_char, c_int, c_uchar, c_uint, c_void, iovec, size_t};
use std::ptr::{null, null_mut};

// ---- pointer conversions ----

#[inline]
fn eb(p: *const evbuffer) -> *mut Evbuffer {
    p as *mut Evbuffer
}

/// Runs `f` on the buffer (lock held, callbacks afterwards); `default` for NULL.
///
/// # Safety
/// `p` is null or a live buffer.
#[inline]
unsafe fn with<R>(p: *const evbuffer, default: R, f: impl FnOnce(&mut Evbuffer) -> R) -> R {
    let b = eb(p);
    if b.is_null() {
        return default;
    }
    // SAFETY: a live buffer per the caller.
    unsafe { engine::locked(b, f) }
}

/// Runs `f` on the buffer with the lock held, for operations that do not change its length
/// (no callbacks run); `default` for NULL.
///
/// # Safety
/// `p` is null or a live buffer.
#[inline]
unsafe fn ro<R>(p: *const evbuffer, default: R, f: impl FnOnce(&mut Evbuffer) -> R) -> R {
    let b = eb(p);
    if b.is_null() {
        return default;
    }
    // SAFETY: a live buffer per the caller.
    unsafe { engine::locked_ro(b, f) }
}

/// Runs `f` on two distinct buffers with both locks held (in address order), then the
/// callbacks of both: `first`'s before `second`'s, unless `f` returns true with its result.
///
/// # Safety
/// Both are null or live.
unsafe fn with2<R>(
    first: *mut evbuffer,
    second: *mut evbuffer,
    default: R,
    f: impl FnOnce(&mut Evbuffer, &mut Evbuffer) -> (R, bool),
) -> R {
    let (a, b) = (eb(first), eb(second));
    if a.is_null() || b.is_null() || a == b {
        return default;
    }
    // SAFETY: two distinct live buffers; the `&mut`s end before callbacks run.
    unsafe {
        let (lo, hi) = if (a as usize) < (b as usize) { (a, b) } else { (b, a) };
        (*lo).lock.lock();
        (*hi).lock.lock();
        let (r, swap) = f(&mut *a, &mut *b);
        let (x, y) = if swap { (b, a) } else { (a, b) };
        callbacks::invoke(x);
        callbacks::invoke(y);
        engine::release(hi);
        engine::release(lo);
        r
    }
}

/// Encodes a resolved position into a C `evbuffer_ptr`.
fn set_ptr(b: &Evbuffer, p: &mut evbuffer_ptr, pos: usize, loc: Option<Loc>) {
    p.pos = pos as isize;
    match loc {
        Some(l) if l.idx < (1usize << 32) && l.idx < b.chunks.len() => {
            p.internal_chain = (((b.gen as usize) << 32) | l.idx) as *mut c_void;
            p.internal_pos_in_chain = l.at;
        }
        _ => {
            p.internal_chain = null_mut();
            p.internal_pos_in_chain = 0;
        }
    }
}

fn not_found() -> evbuffer_ptr {
    evbuffer_ptr { pos: -1, internal_chain: null_mut(), internal_pos_in_chain: 0 }
}

/// Decodes a C position: its offset (None when outside the buffer) and a cached location.
fn get_ptr(b: &Evbuffer, p: &evbuffer_ptr) -> Option<(usize, Option<Loc>)> {
    if p.pos < 0 || p.pos as usize > b.total {
        return None;
    }
    let pos = p.pos as usize;
    let raw = p.internal_chain as usize;
    let hint = b.cached(pos, (raw >> 32) as u32, raw & 0xffff_ffff, p.internal_pos_in_chain);
    Some((pos, hint))
}

/// Decodes an optional start position (NULL: the buffer's start); None when it lies outside.
fn start_of(b: &Evbuffer, p: Option<&evbuffer_ptr>) -> Option<(usize, Option<Loc>)> {
    match p {
        None => Some((0, None)),
        Some(p) => get_ptr(b, p),
    }
}

/// The C position of a match at `pos`, found by a search that started at `from`.
fn found_at(b: &Evbuffer, pos: usize, from: usize, hint: Option<Loc>) -> evbuffer_ptr {
    let mut r = not_found();
    let loc = b.locate_from(pos, from, hint);
    set_ptr(b, &mut r, pos, Some(loc));
    r
}

// ---- creation, locking, flags ----

/// Creates an empty buffer. Returns NULL when out of memory.
#[no_mangle]
pub extern "C" fn evbuffer_new() -> *mut evbuffer {
    engine::new_raw() as *mut evbuffer
}

/// Frees a buffer and its contents (memory added by reference gets its cleanup call). If its
/// callbacks are still queued on a base, the memory is released after they have run.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_free(buf: *mut evbuffer) {
    let b = eb(buf);
    if b.is_null() {
        return;
    }
    // SAFETY: the caller hands over a live buffer.
    unsafe {
        (*b).lock.lock();
        engine::decref_and_release(b);
    }
}

/// Makes the buffer safe to use from several threads: with `lock` (a recursive lock made by the
/// program's lock callbacks), or with a new one when `lock` is NULL. The lock is held while
/// callbacks run. Returns 0, or -1 when the buffer already has a lock or none can be made
/// (threading not set up).
#[no_mangle]
pub unsafe extern "C" fn evbuffer_enable_locking(buf: *mut evbuffer, lock: *mut c_void) -> c_int {
    let b = eb(buf);
    if b.is_null() {
        return -1;
    }
    // SAFETY: a live buffer, not yet shared between threads (it has no lock).
    let b = unsafe { &mut *b };
    if !matches!(b.lock, BufLock::None) {
        return -1;
    }
    if lock.is_null() {
        let l = Lock::new();
        if !l.is_enabled() {
            return -1;
        }
        b.lock = BufLock::Own(l);
    } else {
        b.lock = BufLock::User(lock);
    }
    0
}

/// Takes the buffer's lock (no effect without evbuffer_enable_locking()).
#[no_mangle]
pub unsafe extern "C" fn evbuffer_lock(buf: *mut evbuffer) {
    // SAFETY: null or live.
    if let Some(b) = unsafe { eb(buf).as_ref() } {
        b.lock.lock();
    }
}

/// Releases the buffer's lock.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_unlock(buf: *mut evbuffer) {
    // SAFETY: null or live.
    if let Some(b) = unsafe { eb(buf).as_ref() } {
        b.lock.unlock();
    }
}

/// Sets `EVBUFFER_FLAG_*` bits. Returns 0.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_set_flags(buf: *mut evbuffer, flags: ev_uint64_t) -> c_int {
    // SAFETY: null or live.
    unsafe {
        ro(buf, -1, |b| {
            b.flags |= flags & engine::FLAG_DRAINS_TO_FD;
            0
        })
    }
}

/// Clears `EVBUFFER_FLAG_*` bits. Returns 0.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_clear_flags(buf: *mut evbuffer, flags: ev_uint64_t) -> c_int {
    // SAFETY: null or live.
    unsafe {
        ro(buf, -1, |b| {
            b.flags &= !flags;
            0
        })
    }
}

/// The number of bytes in the buffer.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_get_length(buf: *const evbuffer) -> size_t {
    // SAFETY: null or live.
    unsafe { ro(buf, 0, |b| b.total) }
}

/// The number of bytes readable at once at the front of the buffer (the first chunk's), 0 when
/// empty.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_get_contiguous_space(buf: *const evbuffer) -> size_t {
    // SAFETY: null or live.
    unsafe { ro(buf, 0, |b| b.contiguous_space()) }
}

/// Makes room so that `datlen` more bytes can be appended without allocating. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_expand(buf: *mut evbuffer, datlen: size_t) -> c_int {
    // SAFETY: null or live.
    unsafe { ro(buf, -1, |b| if b.expand(datlen).is_ok() { 0 } else { -1 }) }
}

/// Reserves at least `size` bytes of writable room at the end of the buffer, as up to `n_vec`
/// extents written to `vec` (one extent when `n_vec` is 1). Write into them, then call
/// evbuffer_commit_space(); until then do nothing else that changes the buffer. Returns the
/// number of extents, or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_reserve_space(
    buf: *mut evbuffer,
    size: ev_ssize_t,
    vec: *mut iovec,
    n_vec: c_int,
) -> c_int {
    if size < 0 || n_vec < 1 || vec.is_null() {
        return -1;
    }
    // SAFETY: null or live; `vec` holds `n_vec` entries per the API.
    unsafe {
        ro(buf, -1, |b| {
            let mut i = 0usize;
            let r = b.reserve_with(size as usize, n_vec as usize, |p, l| {
                // At most `n_vec` calls.
                *vec.add(i) = iovec { iov_base: p as *mut c_void, iov_len: l };
                i += 1;
            });
            match r {
                Ok(k) => k as c_int,
                Err(_) => -1,
            }
        })
    }
}

/// Adds to the buffer the first `iov_len` bytes of each extent that evbuffer_reserve_space()
/// returned (lower `iov_len` to commit less). Returns 0, or -1 when the extents are not the
/// reserved ones or are too long.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_commit_space(buf: *mut evbuffer, vec: *mut iovec, n_vecs: c_int) -> c_int {
    if n_vecs < 0 || (n_vecs > 0 && vec.is_null()) {
        return -1;
    }
    let v: Vec<(*mut u8, usize)> = (0..n_vecs as usize)
        // SAFETY: `vec` holds `n_vecs` entries per the API.
        .map(|i| unsafe { ((*vec.add(i)).iov_base as *mut u8, (*vec.add(i)).iov_len) })
        .collect();
    // SAFETY: null or live.
    unsafe { with(buf, -1, |b| if b.commit(&v).is_ok() { 0 } else { -1 }) }
}

// ---- adding and removing ----

/// Appends a copy of `datlen` bytes at `data`. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add(buf: *mut evbuffer, data: *const c_void, datlen: size_t) -> c_int {
    let b = eb(buf);
    // The common case first, kept small: a buffer without lock or callbacks whose last chunk
    // has room.
    // SAFETY: null or a live buffer; `data` holds `datlen` bytes per the API.
    unsafe {
        if !b.is_null() && !data.is_null() && (*b).is_plain() && (*b).add_in_place(data as *const u8, datlen) {
            return 0;
        }
        add_slow(b, data, datlen)
    }
}

#[inline(never)]
unsafe fn add_slow(b: *mut Evbuffer, data: *const c_void, datlen: size_t) -> c_int {
    if b.is_null() || datlen > 0 && data.is_null() {
        return -1;
    }
    // SAFETY: a live buffer; `data` holds `datlen` bytes per the API.
    unsafe {
        if (*b).is_plain() {
            let s = &mut *b;
            let r = if datlen == 0 {
                s.add(&[])
            } else {
                s.add(std::slice::from_raw_parts(data as *const u8, datlen))
            };
            s.n_add = 0;
            return if r.is_ok() { 0 } else { -1 };
        }
        engine::locked(b, |b| {
            if datlen > crate::buffer::chain::MAX_LEN - b.total {
                return -1;
            }
            let s = std::slice::from_raw_parts(if datlen == 0 { std::ptr::NonNull::dangling().as_ptr() } else { data as *const u8 }, datlen);
            if b.add(s).is_ok() {
                0
            } else {
                -1
            }
        })
    }
}

/// Inserts a copy of `size` bytes at `data` before the buffer's contents. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_prepend(buf: *mut evbuffer, data: *const c_void, size: size_t) -> c_int {
    if size > 0 && data.is_null() {
        return -1;
    }
    // SAFETY: as evbuffer_add.
    unsafe {
        with(buf, -1, |b| {
            if size > crate::buffer::chain::MAX_LEN - b.total {
                return -1;
            }
            let s = if size == 0 { &[][..] } else { std::slice::from_raw_parts(data as *const u8, size) };
            if b.prepend(s).is_ok() {
                0
            } else {
                -1
            }
        })
    }
}

/// Removes `len` bytes (all of them if fewer) from the front. Returns 0, or -1 when the front
/// is frozen.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_drain(buf: *mut evbuffer, len: size_t) -> c_int {
    // SAFETY: null or live.
    unsafe { with(buf, -1, |b| if b.drain(len).is_ok() { 0 } else { -1 }) }
}

/// Moves up to `datlen` bytes from the front of the buffer to `data`. Returns the number of
/// bytes moved, or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_remove(buf: *mut evbuffer, data: *mut c_void, datlen: size_t) -> c_int {
    if datlen > 0 && data.is_null() {
        return -1;
    }
    // SAFETY: null or live; `data` has room for `datlen` bytes per the API.
    unsafe {
        with(buf, -1, |b| match b.remove_raw(data as *mut u8, datlen) {
            Ok(n) => n as c_int,
            Err(_) => -1,
        })
    }
}

/// Copies up to `datlen` bytes from the front of the buffer to `data_out`, leaving the buffer
/// as it is. Returns the number of bytes copied, or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_copyout(buf: *mut evbuffer, data_out: *mut c_void, datlen: size_t) -> ev_ssize_t {
    // SAFETY: as evbuffer_copyout_from.
    unsafe { evbuffer_copyout_from(buf, null(), data_out, datlen) }
}

/// Like evbuffer_copyout(), starting at position `pos` (NULL: the start).
#[no_mangle]
pub unsafe extern "C" fn evbuffer_copyout_from(
    buf: *mut evbuffer,
    pos: *const evbuffer_ptr,
    data_out: *mut c_void,
    datlen: size_t,
) -> ev_ssize_t {
    if datlen > 0 && data_out.is_null() {
        return -1;
    }
    // SAFETY: null or live; `pos` null or valid; `data_out` has room for `datlen` bytes.
    unsafe {
        ro(buf, -1, |b| {
            let Some((from, _)) = start_of(b, pos.as_ref()) else { return -1 };
            match b.copyout_raw(from, data_out as *mut u8, datlen) {
                Ok(n) => n as ev_ssize_t,
                Err(_) => -1,
            }
        })
    }
}

/// Moves up to `datlen` bytes from the front of `src` to the end of `dst`, moving whole chunks
/// where it can. Returns the number of bytes moved, or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_remove_buffer(src: *mut evbuffer, dst: *mut evbuffer, datlen: size_t) -> c_int {
    if datlen == 0 || src == dst {
        return 0;
    }
    // SAFETY: null or live; dst's callbacks run before src's, as in libevent.
    unsafe {
        with2(dst, src, -1, |d, s| {
            if d.freeze_end || s.freeze_start {
                return (-1, false);
            }
            if datlen >= s.total {
                // Everything: as evbuffer_add_buffer (src's callbacks first).
                return match d.add_buffer(s) {
                    Ok(n) => (n as c_int, true),
                    Err(_) => (-1, true),
                };
            }
            if s.materialize_all().is_err() {
                return (-1, false);
            }
            let moved = s.move_front_chunks(d, datlen);
            let rest = datlen - moved;
            if rest > 0 {
                let c = s.chunks.iter().find(|c| c.off > 0).unwrap();
                let part = std::slice::from_raw_parts(c.data_ptr(), rest);
                if d.add(part).is_err() {
                    return (moved as c_int, false);
                }
                let _ = s.drain(rest);
            }
            (datlen as c_int, false)
        })
    }
}

/// Moves all of `inbuf` to the end of `outbuf` without copying. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add_buffer(outbuf: *mut evbuffer, inbuf: *mut evbuffer) -> c_int {
    if outbuf == inbuf {
        return 0;
    }
    // SAFETY: null or live; inbuf's callbacks run first, as in libevent.
    unsafe { with2(inbuf, outbuf, -1, |i, o| (if o.add_buffer(i).is_ok() { 0 } else { -1 }, false)) }
}

/// Appends the contents of `inbuf` to `outbuf`, leaving `inbuf` unchanged. Buffers holding file
/// segments cannot be added this way. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add_buffer_reference(outbuf: *mut evbuffer, inbuf: *mut evbuffer) -> c_int {
    // SAFETY: null or live.
    unsafe {
        with2(outbuf, inbuf, -1, |o, i| (if o.add_shared(i).is_ok() { 0 } else { -1 }, false))
    }
}

/// Appends `datlen` bytes at `data` without copying them: the memory must stay valid and
/// unchanged until `cleanupfn(data, datlen, cleanupfn_arg)` is called, once, when the buffer no
/// longer uses it (NULL: no call). Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add_reference(
    outbuf: *mut evbuffer,
    data: *const c_void,
    datlen: size_t,
    cleanupfn: evbuffer_ref_cleanup_cb,
    cleanupfn_arg: *mut c_void,
) -> c_int {
    if datlen > 0 && data.is_null() {
        return -1;
    }
    let cleanup: Option<RefCleanup> = cleanupfn;
    // SAFETY: null or live.
    unsafe {
        with(outbuf, -1, |b| {
            if b.add_reference(data as *const u8, datlen, cleanup, cleanupfn_arg).is_ok() {
                0
            } else {
                -1
            }
        })
    }
}

/// Appends `iov_len` bytes of each of the `n_vec` extents. Returns the number of bytes added.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add_iovec(buffer: *mut evbuffer, vec: *mut iovec, n_vec: c_int) -> size_t {
    let b = eb(buffer);
    if b.is_null() || vec.is_null() || n_vec <= 0 {
        return 0;
    }
    // SAFETY: a live buffer; `vec` holds `n_vec` extents.
    unsafe {
        (*b).lock.lock();
        let mut res = 0usize;
        let mut total = Some(0usize);
        for i in 0..n_vec as usize {
            total = total.and_then(|t| t.checked_add((*vec.add(i)).iov_len));
        }
        if let Some(t) = total {
            if !(*b).freeze_end && (*b).expand(t).is_ok() {
                for i in 0..n_vec as usize {
                    let v = *vec.add(i);
                    let s = if v.iov_len == 0 {
                        &[][..]
                    } else {
                        std::slice::from_raw_parts(v.iov_base as *const u8, v.iov_len)
                    };
                    if (*b).add(s).is_err() {
                        break;
                    }
                    res += v.iov_len;
                    callbacks::invoke(b);
                }
            }
        }
        engine::release(b);
        res
    }
}

// ---- lines ----

/// See the declaration in the header (written by hand for its enum parameter).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn evbuffer_readln(buffer: *mut evbuffer, n_read_out: *mut size_t, eol_style: c_int) -> *mut c_char {
    let b = eb(buffer);
    if !n_read_out.is_null() {
        // SAFETY: a valid out-pointer per the API.
        unsafe { *n_read_out = 0 };
    }
    if b.is_null() {
        return null_mut();
    }
    // SAFETY: a live buffer; the borrows end before callbacks run.
    unsafe {
        (*b).lock.lock();
        let mut line: *mut c_char = null_mut();
        let found = {
            let s = &mut *b;
            if s.freeze_start || s.materialize_all().is_err() {
                None
            } else {
                s.find_eol_front(eol_style)
            }
        };
        if let Some((n, eol)) = found {
            line = mem::malloc(n + 1) as *mut c_char;
            if line.is_null() {
                log::warn("evbuffer_readln: out of memory");
            } else {
                if (*b).cbs.is_empty() {
                    // Line and end of line in one pass (no callback to run in between).
                    (*b).take_front(line as *mut u8, n, eol);
                    (*b).n_del = 0;
                } else {
                    let _ = (*b).remove_raw(line as *mut u8, n);
                    callbacks::invoke(b);
                    let _ = (*b).drain(eol);
                    callbacks::invoke(b);
                }
                *line.add(n) = 0;
                if !n_read_out.is_null() {
                    *n_read_out = n;
                }
            }
        }
        engine::release(b);
        line
    }
}

// ---- files ----

/// Appends `length` bytes (-1: up to the end of the file) of `fd` from `offset`, to be sent
/// with sendfile (buffers flagged EVBUFFER_FLAG_DRAINS_TO_FD) or mapped. The buffer owns `fd`
/// from now on and closes it when done. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add_file(outbuf: *mut evbuffer, fd: c_int, offset: ev_off_t, length: ev_off_t) -> c_int {
    // SAFETY: as the two calls.
    unsafe {
        let seg = evbuffer_file_segment_new(fd, offset, length, EVBUF_FS_CLOSE_ON_FREE as c_uint);
        if seg.is_null() {
            return -1;
        }
        let r = evbuffer_add_file_segment(outbuf, seg, 0, length);
        if r != 0 {
            // The fd stays the caller's when adding fails (the reference leaves it open too);
            // the segment itself goes.
            (*(seg as *mut Segment)).flags &= !(EVBUF_FS_CLOSE_ON_FREE as c_uint);
        }
        evbuffer_file_segment_free(seg);
        r
    }
}

/// Creates a segment for `length` bytes (-1: up to the end of the file) of `fd` from `offset`,
/// with `EVBUF_FS_*` flags. The fd must stay open while the segment is in use. Returns NULL on
/// failure.
#[no_mangle]
pub extern "C" fn evbuffer_file_segment_new(
    fd: c_int,
    offset: ev_off_t,
    length: ev_off_t,
    flags: c_uint,
) -> *mut evbuffer_file_segment {
    Segment::new(fd, offset, length, flags).map_or(null_mut(), |p| p as *mut evbuffer_file_segment)
}

/// Releases the caller's reference to a segment; it is freed once no buffer uses it either.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_file_segment_free(seg: *mut evbuffer_file_segment) {
    if !seg.is_null() {
        // SAFETY: the caller's reference on a live segment.
        unsafe { Segment::decref(seg as *mut Segment) }
    }
}

/// Sets the function called when the segment is finally freed.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_file_segment_add_cleanup_cb(
    seg: *mut evbuffer_file_segment,
    cb: evbuffer_file_segment_cleanup_cb,
    arg: *mut c_void,
) {
    if seg.is_null() {
        return;
    }
    // SAFETY: a live segment; the callback types differ only in the segment pointer's type.
    unsafe {
        let f = cb.map(|f| std::mem::transmute::<_, crate::buffer::file::SegCleanup>(f));
        (*(seg as *mut Segment)).set_cleanup(f, arg);
    }
}

/// Appends `length` bytes (-1: the rest) of segment `seg` from `offset` within the segment.
/// Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add_file_segment(
    buf: *mut evbuffer,
    seg: *mut evbuffer_file_segment,
    offset: ev_off_t,
    length: ev_off_t,
) -> c_int {
    if seg.is_null() {
        return -1;
    }
    let seg = seg as *mut Segment;
    // SAFETY: null or live buffer, live segment.
    unsafe {
        with(buf, -1, |b| {
            let s = &*seg;
            if b.freeze_end || offset < 0 {
                return -1;
            }
            let (off, seglen) = (offset as u64, s.length as u64);
            let len = if length < 0 {
                if off > seglen {
                    return -1;
                }
                seglen - off
            } else {
                length as u64
            };
            if off > seglen || len > seglen - off || len as usize > crate::buffer::chain::MAX_LEN - b.total {
                return -1;
            }
            let mem = if s.can_sendfile && b.flags & engine::FLAG_DRAINS_TO_FD != 0 {
                s.mem_if_ready()
            } else {
                match s.materialize() {
                    Some(p) => p,
                    None => return -1,
                }
            };
            Segment::incref(seg);
            if b.add_segment_chunk(seg, off as usize, len as usize, mem).is_ok() {
                0
            } else {
                -1
            }
        })
    }
}

// ---- I/O ----

/// Writes as much of the buffer as `fd` takes and drains what was written. Returns the
/// number of bytes written, or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_write(buffer: *mut evbuffer, fd: evutil_socket_t) -> c_int {
    // SAFETY: as evbuffer_write_atmost.
    unsafe { evbuffer_write_atmost(buffer, fd, -1) }
}

/// Writes at most `howmuch` bytes (-1: all) of the buffer to `fd` and drains what was written.
/// Returns the number of bytes written, or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_write_atmost(buffer: *mut evbuffer, fd: evutil_socket_t, howmuch: ev_ssize_t) -> c_int {
    // SAFETY: null or live.
    unsafe {
        with(buffer, -1, |b| {
            if b.freeze_start {
                return -1;
            }
            let want = if howmuch < 0 { b.total } else { (howmuch as usize).min(b.total) };
            let n = b.write_fd(fd, want);
            if n > 0 {
                let _ = b.drain(n as usize);
            }
            n as c_int
        })
    }
}

/// Reads from `fd` into the buffer: at most `howmuch` bytes (negative, or more than 4096: up
/// to 4096). Returns the number of bytes read, 0 at end of file, or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_read(buffer: *mut evbuffer, fd: evutil_socket_t, howmuch: c_int) -> c_int {
    // SAFETY: null or live.
    unsafe { with(buffer, -1, |b| b.read_fd(fd, howmuch as isize) as c_int) }
}

// ---- search ----

/// Finds the first occurrence of the `len` bytes at `what` at or after `start` (NULL: the
/// start). The result's `pos` is -1 when there is none.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_search(
    buffer: *mut evbuffer,
    what: *const c_char,
    len: size_t,
    start: *const evbuffer_ptr,
) -> evbuffer_ptr {
    // SAFETY: as evbuffer_search_range.
    unsafe { evbuffer_search_range(buffer, what, len, start, null()) }
}

/// Like evbuffer_search(), but the occurrence must end at or before `end` (NULL: the end).
#[no_mangle]
pub unsafe extern "C" fn evbuffer_search_range(
    buffer: *mut evbuffer,
    what: *const c_char,
    len: size_t,
    start: *const evbuffer_ptr,
    end: *const evbuffer_ptr,
) -> evbuffer_ptr {
    if len > 0 && what.is_null() {
        return not_found();
    }
    // SAFETY: null or live; `what` holds `len` bytes; the positions are null or valid.
    unsafe {
        ro(buffer, not_found(), |b| {
            if len > isize::MAX as usize || b.materialize_all().is_err() {
                return not_found();
            }
            let Some((from, hint)) = start_of(b, start.as_ref()) else { return not_found() };
            let to = match end.as_ref() {
                None => None,
                Some(p) if p.pos < 0 => return not_found(),
                Some(p) => Some((p.pos as usize).min(b.total)),
            };
            let needle = if len == 0 { &[][..] } else { std::slice::from_raw_parts(what as *const u8, len) };
            match b.find(needle, from, to, hint) {
                Some(p) => found_at(b, p, from, hint),
                None => not_found(),
            }
        })
    }
}

/// See the declaration in the header (written by hand for its enum parameter).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn evbuffer_ptr_set(
    buffer: *mut evbuffer,
    ptr: *mut evbuffer_ptr,
    position: size_t,
    how: c_int,
) -> c_int {
    if ptr.is_null() {
        return -1;
    }
    // SAFETY: null or live; `ptr` valid.
    unsafe {
        ro(buffer, -1, |b| {
            let p = &mut *ptr;
            let (target, hint) = match how {
                0 => (Some(position), None),
                1 => {
                    if p.pos < 0 || usize::MAX - position < p.pos as usize {
                        return -1;
                    }
                    match get_ptr(b, p) {
                        Some((o, h)) => (o.checked_add(position), h.map(|h| (o, h))),
                        None => (None, None),
                    }
                }
                _ => return -1,
            };
            match target {
                Some(t) if t <= b.total => {
                    let loc = match hint {
                        Some((o, h)) => b.locate_from(t, o, Some(h)),
                        None => b.locate(t),
                    };
                    set_ptr(b, p, t, Some(loc));
                    0
                }
                _ => {
                    *p = not_found();
                    -1
                }
            }
        })
    }
}

/// See the declaration in the header (written by hand for its enum parameter).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn evbuffer_search_eol(
    buffer: *mut evbuffer,
    start: *mut evbuffer_ptr,
    eol_len_out: *mut size_t,
    eol_style: c_int,
) -> evbuffer_ptr {
    if !eol_len_out.is_null() {
        // SAFETY: valid out-pointer per the API.
        unsafe { *eol_len_out = 0 };
    }
    // SAFETY: null or live; `start` null or valid.
    unsafe {
        ro(buffer, not_found(), |b| {
            if b.materialize_all().is_err() {
                return not_found();
            }
            let Some((from, hint)) = start_of(b, start.as_ref()) else { return not_found() };
            match b.find_eol(from, eol_style, hint) {
                Some((p, l)) => {
                    if !eol_len_out.is_null() {
                        *eol_len_out = l;
                    }
                    found_at(b, p, from, hint)
                }
                None => not_found(),
            }
        })
    }
}

/// Points into the buffer's memory without copying: fills up to `n_vec` extents covering `len`
/// bytes (negative: as many as fit) from `start_at` (NULL: the start). Returns the number of
/// extents needed, which may exceed `n_vec`; with `n_vec` 0 it only counts them.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_peek(
    buffer: *mut evbuffer,
    len: ev_ssize_t,
    start_at: *mut evbuffer_ptr,
    vec_out: *mut iovec,
    n_vec: c_int,
) -> c_int {
    let n_vec = if vec_out.is_null() { 0 } else { n_vec.max(0) as usize };
    // SAFETY: null or live; `vec_out` holds `n_vec` entries.
    unsafe {
        ro(buffer, -1, |b| {
            if b.materialize_all().is_err() {
                return -1;
            }
            let Some((from, hint)) = start_of(b, start_at.as_ref()) else { return 0 };
            let mut len = len;
            if n_vec == 0 && len < 0 {
                len = (b.total - from) as isize;
            }
            let mut idx = 0usize;
            let mut so_far = 0usize;
            for (at, d) in b.slices_from(from, hint) {
                let _ = at;
                if len >= 0 && so_far >= len as usize {
                    break;
                }
                if idx < n_vec {
                    *vec_out.add(idx) = iovec { iov_base: d.as_ptr() as *mut c_void, iov_len: d.len() };
                } else if len < 0 {
                    break;
                }
                idx += 1;
                so_far += d.len();
            }
            idx as c_int
        })
    }
}

// ---- callbacks ----

/// Adds a callback run after each change of the buffer's length (newest callbacks run first).
/// Returns its handle, or NULL when out of memory.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_add_cb(buffer: *mut evbuffer, cb: evbuffer_cb_func, cbarg: *mut c_void) -> *mut evbuffer_cb_entry {
    // SAFETY: null or live.
    unsafe { ro(buffer, null_mut(), |b| b.cbs.add(cb, cbarg) as *mut evbuffer_cb_entry) }
}

/// Removes a callback by its handle. Returns 0, or -1 when it is not registered here.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_remove_cb_entry(buffer: *mut evbuffer, ent: *mut evbuffer_cb_entry) -> c_int {
    // SAFETY: null or live.
    unsafe { ro(buffer, -1, |b| if b.cbs.remove_entry(ent as *mut CbEntry) { 0 } else { -1 }) }
}

/// Removes the first callback added with this function and argument. Returns 0, or -1 when
/// there is none.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_remove_cb(buffer: *mut evbuffer, cb: evbuffer_cb_func, cbarg: *mut c_void) -> c_int {
    // SAFETY: null or live.
    unsafe { ro(buffer, -1, |b| if b.cbs.remove(cb, cbarg) { 0 } else { -1 }) }
}

/// Sets flags of a callback (EVBUFFER_CB_ENABLED re-enables it). Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_cb_set_flags(buffer: *mut evbuffer, cb: *mut evbuffer_cb_entry, flags: ev_uint32_t) -> c_int {
    // SAFETY: null or live.
    unsafe {
        ro(buffer, -1, |b| match b.cbs.get(cb as *mut CbEntry) {
            Some(e) => {
                e.flags |= flags & !CB_INTERNAL;
                0
            }
            None => -1,
        })
    }
}

/// Clears flags of a callback (EVBUFFER_CB_ENABLED disables it). Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_cb_clear_flags(buffer: *mut evbuffer, cb: *mut evbuffer_cb_entry, flags: ev_uint32_t) -> c_int {
    // SAFETY: null or live.
    unsafe {
        ro(buffer, -1, |b| match b.cbs.get(cb as *mut CbEntry) {
            Some(e) => {
                e.flags &= !(flags & !CB_INTERNAL);
                0
            }
            None => -1,
        })
    }
}

/// Runs the buffer's callbacks from `base`'s loop instead of right after each change.
/// Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_defer_callbacks(buffer: *mut evbuffer, base: *mut event_base) -> c_int {
    if base.is_null() {
        return -1;
    }
    // SAFETY: null or live buffer; live base.
    unsafe {
        ro(buffer, -1, |b| {
            let bp = base as *mut Base;
            let pri = ((*bp).npriorities() / 2).max(0) as u8;
            let arg = b as *mut Evbuffer as *mut c_void;
            b.defer_base = bp;
            deferred::init(&mut b.defer_cb, pri, callbacks::deferred_run, arg);
            0
        })
    }
}

// ---- contiguity, prepending, freezing ----

/// Makes the first `size` bytes (-1: all) contiguous and returns a pointer to them; NULL when
/// `size` is 0 or more than the buffer holds.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_pullup(buf: *mut evbuffer, size: ev_ssize_t) -> *mut c_uchar {
    // SAFETY: null or live.
    unsafe { ro(buf, null_mut(), |b| b.pullup(size).unwrap_or(null_mut())) }
}

/// Moves all of `src` to the front of `dst`. Returns 0 or -1.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_prepend_buffer(dst: *mut evbuffer, src: *mut evbuffer) -> c_int {
    if dst == src {
        return 0;
    }
    // SAFETY: null or live; src's callbacks run first.
    unsafe { with2(src, dst, -1, |s, d| (if d.prepend_buffer(s).is_ok() { 0 } else { -1 }, false)) }
}

/// Makes operations on the front (`at_front` true: drains, removals, prepends) or on the end
/// (appends) of the buffer fail until evbuffer_unfreeze(). Returns 0.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_freeze(buf: *mut evbuffer, at_front: c_int) -> c_int {
    // SAFETY: null or live.
    unsafe {
        ro(buf, -1, |b| {
            if at_front != 0 {
                b.freeze_start = true;
            } else {
                b.freeze_end = true;
            }
            0
        })
    }
}

/// Undoes evbuffer_freeze() for the front or the end. Returns 0.
#[no_mangle]
pub unsafe extern "C" fn evbuffer_unfreeze(buf: *mut evbuffer, at_front: c_int) -> c_int {
    // SAFETY: null or live.
    unsafe {
        ro(buf, -1, |b| {
            if at_front != 0 {
                b.freeze_start = false;
            } else {
                b.freeze_end = false;
            }
            0
        })
    }
}
