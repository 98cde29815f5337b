//! evbuffer: a byte queue kept as a chain of chunks (see `chain.rs`).
//!
//! Invariants of [`Evbuffer`]:
//! - `total` is the sum of the chunks' `off`;
//! - chunks may be empty (reserved space at the end, a zero-length reference); every routine
//!   skips them;
//! - bytes of file chunks may not be in memory (`has_lazy`); routines that read bytes call
//!   [`Evbuffer::materialize_all`] first.
//!
//! Positions (`evbuffer_ptr`) are absolute offsets; a chunk index cached with them is trusted
//! only while the buffer's `gen` has not changed, i.e. until an operation other than appending.

pub mod callbacks;
pub mod chain;
pub mod file;
pub mod io;
pub mod search;

use crate::capi::event_struct::event_callback;
use crate::reactor::base::Base;
use crate::reactor::thread::{Lock, LOCK_FNS};
use crate::util::mem;
use callbacks::Callbacks;
use chain::{Chunk, Kind, MAX_AUTO_CHUNK, MAX_COPY_IN_EXPAND, MAX_LEN, MAX_REALIGN};
use libc::c_void;
use std::collections::VecDeque;
use std::ptr::null_mut;

/// `EVBUFFER_FLAG_DRAINS_TO_FD`.
pub const FLAG_DRAINS_TO_FD: u64 = 1;

/// An error from a buffer operation; the C boundary maps it to -1 or NULL.
#[derive(Debug, PartialEq, Eq)]
pub struct Fail;

pub type Res<T = ()> = Result<T, Fail>;

/// The buffer's lock: none, one we allocated, or one the program gave us.
pub enum BufLock {
    None,
    Own(Lock),
    User(*mut c_void),
}

impl BufLock {
    #[inline]
    pub fn lock(&self) {
        match self {
            BufLock::None => {}
            BufLock::Own(l) => l.lock(),
            BufLock::User(p) => {
                if let Some(f) = LOCK_FNS.get().lock {
                    // SAFETY: a lock the program allocated with its own callbacks.
                    unsafe { f(0, *p) };
                }
            }
        }
    }
    #[inline]
    pub fn unlock(&self) {
        match self {
            BufLock::None => {}
            BufLock::Own(l) => l.unlock(),
            BufLock::User(p) => {
                if let Some(f) = LOCK_FNS.get().unlock {
                    // SAFETY: as in `lock`.
                    unsafe { f(0, *p) };
                }
            }
        }
    }
}

/// A resolved position: chunk index and offset inside that chunk's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    pub idx: usize,
    pub at: usize,
}

pub struct Evbuffer {
    pub chunks: VecDeque<Chunk>,
    pub total: usize,
    /// Changes whenever cached positions may no longer be right.
    pub gen: u32,
    pub freeze_start: bool,
    pub freeze_end: bool,
    pub flags: u64,
    /// Bytes added / removed since callbacks last ran.
    pub n_add: usize,
    pub n_del: usize,
    /// Some chunk's bytes are not in memory.
    pub has_lazy: bool,
    pub cbs: Callbacks,
    pub refcnt: usize,
    pub lock: BufLock,
    /// Base the callbacks are deferred to (null: run at once) and the deferred callback.
    pub defer_base: *mut Base,
    pub defer_cb: event_callback,
    /// The bufferevent owning this buffer, if any (for later issues).
    pub parent: *mut c_void,
}

impl Default for Evbuffer {
    fn default() -> Self {
        Evbuffer {
            chunks: VecDeque::new(),
            total: 0,
            gen: 1,
            freeze_start: false,
            freeze_end: false,
            flags: 0,
            n_add: 0,
            n_del: 0,
            has_lazy: false,
            cbs: Callbacks::default(),
            refcnt: 1,
            lock: BufLock::None,
            defer_base: null_mut(),
            // SAFETY: an all-zero event_callback is a valid idle one.
            defer_cb: unsafe { std::mem::zeroed() },
            parent: null_mut(),
        }
    }
}

/// Allocates a buffer (from the hooked allocator); null when out of memory.
pub fn new_raw() -> *mut Evbuffer {
    mem::boxed(Evbuffer::default())
}

/// Unlocks `buf` and frees it if its last reference is gone.
///
/// # Safety
/// `buf` is live and locked by the caller, who uses it no more if this frees it.
#[inline(always)]
pub unsafe fn release(buf: *mut Evbuffer) {
    // SAFETY: per the caller.
    unsafe {
        (*buf).lock.unlock();
        if (*buf).refcnt == 0 {
            destroy(buf);
        }
    }
}

/// Drops one reference (the owner's, or a deferred run's) with the lock held, then unlocks.
///
/// # Safety
/// As [`release`].
pub unsafe fn decref_and_release(buf: *mut Evbuffer) {
    // SAFETY: per the caller.
    unsafe {
        (*buf).refcnt -= 1;
        release(buf);
    }
}

unsafe fn destroy(buf: *mut Evbuffer) {
    // SAFETY: the last reference is gone; nobody else uses `buf`.
    unsafe {
        if !(*buf).defer_base.is_null() {
            crate::reactor::deferred::cancel((*buf).defer_base, &mut (*buf).defer_cb);
        }
        mem::unbox(buf);
    }
}

/// Runs `f` on the buffer with its lock held (for operations that do not change the length).
///
/// # Safety
/// `buf` is a live buffer.
#[inline]
pub unsafe fn locked_ro<R>(buf: *mut Evbuffer, f: impl FnOnce(&mut Evbuffer) -> R) -> R {
    // SAFETY: per the caller.
    unsafe {
        (*buf).lock.lock();
        let r = f(&mut *buf);
        release(buf);
        r
    }
}

/// Runs `f` on the buffer with its lock held, then its callbacks, then unlocks.
///
/// # Safety
/// `buf` is a live buffer.
#[inline(always)]
pub unsafe fn locked<R>(buf: *mut Evbuffer, f: impl FnOnce(&mut Evbuffer) -> R) -> R {
    // SAFETY: per the caller; the `&mut` ends before callbacks run.
    unsafe {
        (*buf).lock.lock();
        let r = f(&mut *buf);
        callbacks::invoke(buf);
        release(buf);
        r
    }
}

impl Evbuffer {
    pub fn new() -> Self {
        Self::default()
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.total
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Cached positions are stale from now on.
    #[inline]
    pub fn touch(&mut self) {
        self.gen = self.gen.wrapping_add(1).max(1);
    }

    /// Brings every chunk's bytes into memory.
    pub fn materialize_all(&mut self) -> Res {
        if !self.has_lazy {
            return Ok(());
        }
        for c in self.chunks.iter_mut() {
            if !c.materialize() {
                return Err(Fail);
            }
        }
        self.has_lazy = false;
        Ok(())
    }

    /// Contiguous bytes in the first chunk.
    pub fn contiguous_space(&self) -> usize {
        self.chunks.iter().find(|c| c.off > 0).map_or(0, |c| c.off)
    }

    fn push_chunk(&mut self, c: Chunk) {
        // Empty chunks at the end (unused reservations, empty references) go when data follows.
        while matches!(self.chunks.back(), Some(l) if l.off == 0) {
            self.chunks.pop_back();
        }
        self.chunks.push_back(c);
    }

    /// The size of the next chunk for appends: double the last one while it is small.
    fn next_chunk_size(&self, need: usize) -> usize {
        let base = match self.chunks.back() {
            Some(c) if c.is_owned() => c.cap,
            Some(c) => c.off,
            None => 0,
        };
        let grown = if base <= MAX_AUTO_CHUNK / 2 { base * 2 } else { base };
        grown.max(need)
    }

    /// Whether an append of `n` bytes should move `c`'s data to the start of its storage.
    fn should_realign(c: &Chunk, n: usize) -> bool {
        c.is_owned() && c.misalign > 0 && c.cap - c.off >= n && c.off < c.cap / 2 && c.off <= MAX_REALIGN
    }

    // ---- adding ----

    /// Whether the buffer has neither a lock nor callbacks: then an operation needs no locking
    /// and no callback run (the pending counts stay 0).
    #[inline(always)]
    pub fn is_plain(&self) -> bool {
        matches!(self.lock, BufLock::None) && self.cbs.is_empty()
    }

    /// Appends `n` bytes at `data` when they fit in the last chunk's room (and `n > 0`); false
    /// (nothing done) otherwise. For plain buffers (see [`Evbuffer::is_plain`]): the pending
    /// counts are left alone.
    ///
    /// # Safety
    /// `data` is readable for `n` bytes.
    #[inline(always)]
    pub unsafe fn add_in_place(&mut self, data: *const u8, n: usize) -> bool {
        let total = self.total;
        let frozen = self.freeze_end;
        match self.chunks.back_mut() {
            // `n - 1 < space`: 0 < n <= space.
            Some(last) if n.wrapping_sub(1) < last.space() && !frozen && n <= MAX_LEN - total => {
                let dst = last.space_ptr();
                last.off += n;
                self.total = total + n;
                // SAFETY: `n` bytes of spare room; `data` per the caller.
                unsafe { std::ptr::copy_nonoverlapping(data, dst, n) };
                true
            }
            _ => false,
        }
    }

    /// `evbuffer_add`.
    #[inline]
    pub fn add(&mut self, data: &[u8]) -> Res {
        if self.freeze_end || data.len() > MAX_LEN - self.total {
            return Err(Fail);
        }
        let n = data.len();
        if let Some(last) = self.chunks.back_mut() {
            if last.space() >= n {
                if n > 0 {
                    // SAFETY: `n` bytes of spare room; `data` is not our memory.
                    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), last.space_ptr(), n) };
                    last.off += n;
                }
                self.total += n;
                self.n_add += n;
                return Ok(());
            }
            self.add_slow(data)
        } else {
            self.add_slow(data)
        }
    }

    #[inline(never)]
    fn add_slow(&mut self, data: &[u8]) -> Res {
        let n = data.len();
        if let Some(last) = self.chunks.back_mut() {
            if Self::should_realign(last, n) {
                last.realign();
                last.append(data);
                self.total += n;
                self.n_add += n;
                self.touch();
                return Ok(());
            }
        }
        if n == 0 {
            return Ok(());
        }
        let space = self.chunks.back().map_or(0, |c| c.space());
        let mut c = Chunk::alloc(self.next_chunk_size(n)).ok_or(Fail)?;
        let (head, rest) = data.split_at(space);
        if space > 0 {
            self.chunks.back_mut().unwrap().append(head);
        }
        c.append(rest);
        self.push_chunk(c);
        self.total += n;
        self.n_add += n;
        Ok(())
    }

    /// `evbuffer_prepend`.
    pub fn prepend(&mut self, data: &[u8]) -> Res {
        if self.freeze_start || data.len() > MAX_LEN - self.total {
            return Err(Fail);
        }
        self.touch();
        let mut rest = data;
        if let Some(first) = self.chunks.front_mut() {
            if first.is_owned() {
                if first.off == 0 {
                    first.misalign = first.cap;
                }
                let k = first.misalign.min(rest.len());
                if k > 0 {
                    let (a, b) = rest.split_at(rest.len() - k);
                    first.misalign -= k;
                    first.off += k;
                    // SAFETY: `k` bytes of room before the data.
                    unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), first.data_ptr(), k) };
                    self.total += k;
                    self.n_add += k;
                    rest = a;
                }
            }
        }
        if !rest.is_empty() {
            let mut c = Chunk::alloc(rest.len()).ok_or(Fail)?;
            c.misalign = c.cap - rest.len();
            c.off = rest.len();
            // SAFETY: the chunk has room for `rest` at its end.
            unsafe { std::ptr::copy_nonoverlapping(rest.as_ptr(), c.data_ptr(), rest.len()) };
            self.chunks.push_front(c);
            self.total += rest.len();
            self.n_add += rest.len();
        }
        Ok(())
    }

    /// `evbuffer_add_reference`.
    pub fn add_reference(
        &mut self,
        data: *const u8,
        len: usize,
        cleanup: Option<chain::RefCleanup>,
        arg: *mut c_void,
    ) -> Res {
        if self.freeze_end || len > MAX_LEN - self.total {
            return Err(Fail);
        }
        let c = Chunk::reference(data, len, cleanup, arg).ok_or(Fail)?;
        self.push_chunk(c);
        self.total += len;
        self.n_add += len;
        Ok(())
    }

    /// `evbuffer_add_buffer_reference`: appends views of `src`'s bytes without copying them;
    /// `src` is unchanged, and its storage (with any reference cleanup) lives until both buffers
    /// are done with it.
    pub fn add_shared(&mut self, src: &mut Evbuffer) -> Res {
        let n = src.total;
        if self.freeze_end || n > MAX_LEN - self.total || has_file_chunks(src) {
            return Err(Fail);
        }
        let mut views = Vec::with_capacity(src.chunks.len());
        for c in src.chunks.iter_mut().filter(|c| c.off > 0) {
            views.push(c.share().ok_or(Fail)?);
        }
        for v in views {
            self.push_chunk(v);
        }
        self.total += n;
        self.n_add += n;
        Ok(())
    }

    /// Appends `len` bytes of segment `seg` from `start` (the segment is already referenced for
    /// the new chunk by the caller; released again on failure). A null `mem`: the bytes stay in
    /// the file (sendfile).
    pub fn add_segment_chunk(&mut self, seg: *mut file::Segment, start: usize, len: usize, mem: *mut u8) -> Res {
        let c = Chunk::file(seg, start, len, mem).ok_or(Fail)?;
        if mem.is_null() && len > 0 {
            self.has_lazy = true;
        }
        self.push_chunk(c);
        self.total += len;
        self.n_add += len;
        Ok(())
    }

    /// `evbuffer_expand`: room for `n` more bytes in one chunk at the end.
    pub fn expand(&mut self, n: usize) -> Res {
        if n > MAX_LEN - self.total {
            return Err(Fail);
        }
        self.expand_single(n).map(|_| ())
    }

    /// Makes the last chunk have at least `n` bytes of room; returns its index.
    fn expand_single(&mut self, n: usize) -> Res<usize> {
        let li = self.chunks.len().wrapping_sub(1);
        let Some(last) = self.chunks.back_mut() else {
            let c = Chunk::alloc(n).ok_or(Fail)?;
            self.chunks.push_back(c);
            return Ok(0);
        };
        if last.is_owned() {
            if last.space() >= n {
                return Ok(li);
            }
            if last.off == 0 {
                *last = Chunk::alloc(n).ok_or(Fail)?;
                return Ok(li);
            }
            if Self::should_realign(last, n) {
                last.realign();
                self.touch();
                return Ok(li);
            }
            if last.space() >= last.cap / 8 && last.off <= MAX_COPY_IN_EXPAND && n < MAX_LEN - last.off {
                // Worth replacing by a bigger chunk holding the same bytes.
                let mut c = Chunk::alloc(last.off + n).ok_or(Fail)?;
                c.append(last.data());
                *last = c;
                self.touch();
                return Ok(li);
            }
        }
        let c = Chunk::alloc(n).ok_or(Fail)?;
        self.touch();
        self.push_chunk(c);
        Ok(self.chunks.len() - 1)
    }

    /// Index of the last chunk holding data (0 when none).
    fn last_data_idx(&self) -> usize {
        self.chunks.iter().rposition(|c| c.off > 0).unwrap_or(0)
    }

    /// Makes sure the chunks from the last one with data on offer `n` bytes of room in at most
    /// `nvec` chunks (libevent's rule for reads and reservations).
    fn expand_fast(&mut self, n: usize, nvec: usize) -> Res {
        if n > MAX_LEN - self.total {
            return Err(Fail);
        }
        match self.chunks.back() {
            Some(c) if c.is_owned() => {}
            _ => {
                let c = Chunk::alloc(n).ok_or(Fail)?;
                self.push_chunk(c);
                return Ok(());
            }
        }
        let start = self.last_data_idx();
        // Empty read-only chunks after the data offer no room: let them go.
        let mut i = start + 1;
        while i < self.chunks.len() {
            if self.chunks[i].off == 0 && !self.chunks[i].is_owned() {
                self.chunks.remove(i);
            } else {
                i += 1;
            }
        }
        let (mut used, mut avail) = (0usize, 0usize);
        for c in self.chunks.iter_mut().skip(start) {
            if c.off > 0 {
                let s = c.space();
                if s > 0 {
                    avail += s;
                    used += 1;
                }
            } else if c.is_owned() {
                c.misalign = 0;
                avail += c.cap;
                used += 1;
            }
            if avail >= n {
                return Ok(());
            }
            if used == nvec {
                break;
            }
        }
        if used < nvec {
            let c = Chunk::alloc(n - avail).ok_or(Fail)?;
            self.chunks.push_back(c);
            return Ok(());
        }
        // Too many small pieces: drop the empty ones and add one big enough.
        let keep = if self.chunks[start].off > 0 { start + 1 } else { start };
        while self.chunks.len() > keep && self.chunks.back().map_or(false, |c| c.off == 0) {
            self.chunks.pop_back();
        }
        let avail = if keep > start { self.chunks[start].space() } else { 0 };
        let c = Chunk::alloc(n - avail).ok_or(Fail)?;
        self.chunks.push_back(c);
        self.touch();
        Ok(())
    }

    /// The writable extents from the last chunk with data on: up to `nvec` of them, stopping once
    /// they hold `n` bytes; `exact` trims the last one to `n`. Each goes to `f(chunk index, ptr,
    /// len)`; returns how many.
    #[inline]
    fn space_extents(&self, n: usize, nvec: usize, exact: bool, mut f: impl FnMut(usize, *mut u8, usize)) -> usize {
        let mut count = 0;
        let mut i = self.last_data_idx();
        if i < self.chunks.len() && self.chunks[i].space() == 0 {
            i += 1;
        }
        let mut so_far = 0usize;
        while count < nvec && so_far < n && i < self.chunks.len() {
            let c = &self.chunks[i];
            let mut len = c.space();
            if exact && len > n - so_far {
                len = n - so_far;
            }
            f(i, c.space_ptr(), len);
            count += 1;
            so_far += len;
            i += 1;
        }
        count
    }

    /// `evbuffer_reserve_space`: writable room for `n` bytes in at most `nvec` extents, each
    /// given to `f(ptr, len)`; returns how many.
    #[inline]
    pub fn reserve_with(&mut self, n: usize, nvec: usize, mut f: impl FnMut(*mut u8, usize)) -> Res<usize> {
        if self.freeze_end || nvec < 1 || n > MAX_LEN - self.total {
            return Err(Fail);
        }
        if nvec == 1 {
            let i = self.expand_single(n)?;
            let c = &self.chunks[i];
            f(c.space_ptr(), c.space());
            return Ok(1);
        }
        self.expand_fast(n, nvec)?;
        Ok(self.space_extents(n, nvec, false, |_, p, l| f(p, l)))
    }

    /// [`Evbuffer::reserve_with`] collecting the extents.
    pub fn reserve(&mut self, n: usize, nvec: usize) -> Res<Vec<(*mut u8, usize)>> {
        let mut v = Vec::new();
        self.reserve_with(n, nvec, |p, l| v.push((p, l)))?;
        Ok(v)
    }

    /// `evbuffer_commit_space`: makes the first bytes of reserved extents part of the buffer.
    pub fn commit(&mut self, vecs: &[(*mut u8, usize)]) -> Res {
        if self.freeze_end {
            return Err(Fail);
        }
        if vecs.is_empty() {
            return Ok(());
        }
        let mut added = 0usize;
        let last = self.chunks.len().wrapping_sub(1);
        if vecs.len() == 1
            && !self.chunks.is_empty()
            && self.chunks[last].is_owned()
            && vecs[0].0 == self.chunks[last].space_ptr()
        {
            let c = &mut self.chunks[last];
            if vecs[0].1 > c.space() {
                return Err(Fail);
            }
            c.off += vecs[0].1;
            added = vecs[0].1;
        } else {
            if self.chunks.is_empty() {
                return Err(Fail);
            }
            let mut first = self.last_data_idx();
            if self.chunks[first].space() == 0 {
                first += 1;
            }
            for (k, v) in vecs.iter().enumerate() {
                let Some(c) = self.chunks.get(first + k) else { return Err(Fail) };
                if !c.is_owned() || v.0 != c.space_ptr() || v.1 > c.space() {
                    return Err(Fail);
                }
            }
            for (k, v) in vecs.iter().enumerate() {
                self.chunks[first + k].off += v.1;
                added += v.1;
            }
        }
        self.total += added;
        self.n_add += added;
        self.touch();
        Ok(())
    }

    // ---- removing ----

    /// Drops every chunk.
    fn clear_chunks(&mut self) {
        self.chunks.clear();
        self.has_lazy = false;
    }

    /// `evbuffer_drain`.
    pub fn drain(&mut self, n: usize) -> Res {
        // An empty buffer drains successfully even when its front is frozen (the reference
        // checks for emptiness first).
        if self.total == 0 {
            return Ok(());
        }
        if self.freeze_start {
            return Err(Fail);
        }
        let n = n.min(self.total);
        if n == 0 {
            return Ok(());
        }
        self.touch();
        self.n_del += n;
        if n == self.total {
            self.total = 0;
            self.clear_chunks();
            return Ok(());
        }
        self.total -= n;
        let mut left = n;
        while let Some(c) = self.chunks.front_mut() {
            if c.off <= left {
                left -= c.off;
                self.chunks.pop_front();
                if left == 0 {
                    break;
                }
            } else {
                c.misalign += left;
                c.off -= left;
                break;
            }
        }
        Ok(())
    }

    /// Copies up to `n` bytes from position `from` to `dst`; returns how many.
    ///
    /// # Safety
    /// `dst` is valid for writing `n` bytes and does not overlap the buffer's memory.
    pub unsafe fn copyout_raw(&mut self, from: usize, dst: *mut u8, n: usize) -> Res<usize> {
        if from > self.total {
            return Err(Fail);
        }
        let n = n.min(self.total - from);
        if n == 0 {
            return Ok(0);
        }
        if self.freeze_start {
            return Err(Fail);
        }
        self.materialize_all()?;
        let Loc { mut idx, mut at } = self.locate(from);
        let mut done = 0;
        while done < n {
            let c = &self.chunks[idx];
            let k = (c.off - at).min(n - done);
            // SAFETY: `k` bytes inside the chunk's data; `dst` has room per the caller.
            unsafe { std::ptr::copy_nonoverlapping(c.data_ptr().add(at), dst.add(done), k) };
            done += k;
            idx += 1;
            at = 0;
        }
        Ok(n)
    }

    /// Safe form of [`Evbuffer::copyout_raw`] for Rust callers.
    pub fn copyout(&mut self, from: usize, dst: &mut [u8]) -> Res<usize> {
        // SAFETY: `dst` is a valid exclusive slice.
        unsafe { self.copyout_raw(from, dst.as_mut_ptr(), dst.len()) }
    }

    /// `evbuffer_remove`: moves up to `n` bytes from the front to `dst` in one pass (the copy
    /// of [`Evbuffer::copyout_raw`] and the chunk release of [`Evbuffer::drain`]); returns how
    /// many.
    ///
    /// # Safety
    /// As [`Evbuffer::copyout_raw`].
    pub unsafe fn remove_raw(&mut self, dst: *mut u8, n: usize) -> Res<usize> {
        let n = n.min(self.total);
        if n == 0 {
            return Ok(0);
        }
        if self.freeze_start {
            return Err(Fail);
        }
        self.materialize_all()?;
        // SAFETY: per the caller.
        unsafe { self.take_front(dst, n, 0) };
        Ok(n)
    }

    /// Removes `n + skip` bytes (at most the length) from the front, copying the first `n` to
    /// `dst`, in one pass. The buffer's bytes are in memory.
    ///
    /// # Safety
    /// `dst` is valid for writing `n` bytes and does not overlap the buffer's memory.
    pub unsafe fn take_front(&mut self, dst: *mut u8, n: usize, skip: usize) {
        let all = n + skip;
        debug_assert!(all <= self.total && !self.has_lazy);
        if all == self.total {
            let mut done = 0usize;
            for c in self.chunks.iter() {
                let k = c.off.min(n - done);
                if k > 0 {
                    // SAFETY: `k` bytes of data; `dst` has room for `n` per the caller.
                    unsafe { std::ptr::copy_nonoverlapping(c.data_ptr(), dst.add(done), k) };
                    done += k;
                }
            }
            self.clear_chunks();
        } else {
            // As `drain`, copying on the way.
            let mut done = 0usize;
            while let Some(c) = self.chunks.front_mut() {
                let left = all - done;
                if done < n {
                    let k = c.off.min(n - done);
                    if k > 0 {
                        // SAFETY: as above.
                        unsafe { std::ptr::copy_nonoverlapping(c.data_ptr(), dst.add(done), k) };
                    }
                }
                if c.off <= left {
                    done += c.off;
                    self.chunks.pop_front();
                    if done == all {
                        break;
                    }
                } else {
                    c.misalign += left;
                    c.off -= left;
                    break;
                }
            }
        }
        self.total -= all;
        self.n_del += all;
        self.touch();
    }

    /// `evbuffer_remove`.
    pub fn remove(&mut self, dst: &mut [u8]) -> Res<usize> {
        let n = self.copyout(0, dst)?;
        self.drain(n)?;
        Ok(n)
    }

    /// `evbuffer_pullup`: makes the first `size` bytes (all for a negative size) contiguous.
    pub fn pullup(&mut self, size: isize) -> Option<*mut u8> {
        let size = if size < 0 { self.total } else { size as usize };
        if size == 0 || size > self.total {
            return None;
        }
        self.materialize_all().ok()?;
        // Skip empty chunks at the front (zero-length references).
        while self.chunks.front().map_or(false, |c| c.off == 0) {
            self.chunks.pop_front();
            self.touch();
        }
        let first = &self.chunks[0];
        if first.off >= size {
            return Some(first.data_ptr());
        }
        let reuse = first.is_owned() && first.cap - first.misalign >= size;
        self.touch();
        let mut tgt = if reuse {
            self.chunks.pop_front().unwrap()
        } else {
            Chunk::alloc(size)?
        };
        while tgt.off < size {
            let c = self.chunks.front_mut().unwrap();
            let k = c.off.min(size - tgt.off);
            // SAFETY: `k` bytes from `c`'s data into `tgt`'s room (different storage).
            unsafe { std::ptr::copy_nonoverlapping(c.data_ptr(), tgt.space_ptr(), k) };
            tgt.off += k;
            c.misalign += k;
            c.off -= k;
            if c.off == 0 {
                self.chunks.pop_front();
            }
        }
        self.chunks.push_front(tgt);
        Some(self.chunks[0].data_ptr())
    }

    // ---- moving between buffers ----

    /// `evbuffer_add_buffer`: moves all of `src` to the end of `self`.
    pub fn add_buffer(&mut self, src: &mut Evbuffer) -> Res<usize> {
        let n = src.total;
        if n == 0 {
            return Ok(0);
        }
        if self.freeze_end || src.freeze_start || n > MAX_LEN - self.total {
            return Err(Fail);
        }
        if self.total == 0 {
            self.chunks.clear();
            std::mem::swap(&mut self.chunks, &mut src.chunks);
        } else {
            while matches!(self.chunks.back(), Some(l) if l.off == 0) {
                self.chunks.pop_back();
            }
            self.chunks.append(&mut src.chunks);
        }
        self.has_lazy |= src.has_lazy;
        src.has_lazy = false;
        self.total += n;
        src.total = 0;
        src.n_del += n;
        self.n_add += n;
        src.touch();
        Ok(n)
    }

    /// `evbuffer_prepend_buffer`: moves all of `src` to the front of `self`.
    pub fn prepend_buffer(&mut self, src: &mut Evbuffer) -> Res<usize> {
        let n = src.total;
        if n == 0 {
            return Ok(0);
        }
        if self.freeze_start || src.freeze_start || n > MAX_LEN - self.total {
            return Err(Fail);
        }
        while matches!(src.chunks.back(), Some(l) if l.off == 0) {
            src.chunks.pop_back();
        }
        if self.total == 0 {
            self.chunks.clear();
        }
        while let Some(c) = src.chunks.pop_back() {
            self.chunks.push_front(c);
        }
        self.has_lazy |= src.has_lazy;
        src.has_lazy = false;
        self.total += n;
        src.total = 0;
        src.n_del += n;
        self.n_add += n;
        src.touch();
        self.touch();
        Ok(n)
    }

    /// The whole-chunk part of `evbuffer_remove_buffer`: moves the leading chunks that fit in
    /// `n` bytes to `dst` and returns how many bytes moved; the caller copies the rest.
    pub fn move_front_chunks(&mut self, dst: &mut Evbuffer, n: usize) -> usize {
        let mut moved = 0usize;
        let mut first = true;
        while let Some(c) = self.chunks.front() {
            if c.off > n - moved || c.off == 0 && moved == n {
                break;
            }
            let c = self.chunks.pop_front().unwrap();
            moved += c.off;
            if first {
                while matches!(dst.chunks.back(), Some(l) if l.off == 0) {
                    dst.chunks.pop_back();
                }
                first = false;
            }
            if c.buf.is_null() && c.off > 0 {
                dst.has_lazy = true;
            }
            dst.chunks.push_back(c);
        }
        if moved > 0 {
            self.total -= moved;
            dst.total += moved;
            self.n_del += moved;
            dst.n_add += moved;
            self.touch();
        }
        moved
    }

    // ---- positions ----

    /// The chunk and offset of absolute position `pos` (<= total): the first non-empty chunk
    /// containing it, or the end of the last data chunk for `pos == total`.
    pub fn locate(&self, pos: usize) -> Loc {
        debug_assert!(pos <= self.total);
        let mut left = pos;
        let mut last_data = None;
        for (i, c) in self.chunks.iter().enumerate() {
            if c.off == 0 {
                continue;
            }
            if left < c.off {
                return Loc { idx: i, at: left };
            }
            left -= c.off;
            last_data = Some(i);
        }
        match last_data {
            Some(i) => Loc { idx: i, at: self.chunks[i].off },
            None => Loc { idx: self.chunks.len(), at: 0 },
        }
    }

    /// Moves a resolved position `n` bytes forward (the result must be within the buffer).
    pub fn advance(&self, mut loc: Loc, n: usize) -> Loc {
        let mut left = n;
        loop {
            let Some(c) = self.chunks.get(loc.idx) else { return loc };
            let rest = c.off - loc.at.min(c.off);
            if left < rest {
                loc.at += left;
                return loc;
            }
            left -= rest;
            match (loc.idx + 1..self.chunks.len()).find(|&i| self.chunks[i].off > 0) {
                Some(i) => loc = Loc { idx: i, at: 0 },
                None => {
                    loc.at = c.off;
                    return loc;
                }
            }
        }
    }

    /// Resolves `target`, starting from the known position `from` (at `hint`) when possible.
    pub fn locate_from(&self, target: usize, from: usize, hint: Option<Loc>) -> Loc {
        match hint {
            Some(h) if target >= from => self.advance(h, target - from),
            _ => self.locate(target),
        }
    }

    /// Checks a cached position: the chunk index and offset stored with `pos`, if still valid.
    pub fn cached(&self, pos: usize, gen: u32, idx: usize, at: usize) -> Option<Loc> {
        if gen != self.gen || pos > self.total {
            return None;
        }
        let c = self.chunks.get(idx)?;
        (at <= c.off).then_some(Loc { idx, at })
    }

    /// The byte at a resolved position, if any.
    #[inline]
    pub fn byte_at(&self, loc: Loc) -> Option<u8> {
        let c = self.chunks.get(loc.idx)?;
        c.data().get(loc.at).copied()
    }
}

impl Drop for Evbuffer {
    fn drop(&mut self) {
        // Chunks drop in order (reference cleanups run front to back).
        while self.chunks.pop_front().is_some() {}
        if let BufLock::Own(_) = self.lock {
            self.lock = BufLock::None;
        }
    }
}

/// Kinds of chunk visible to the C boundary (add_buffer_reference refuses file chunks).
pub fn has_file_chunks(b: &Evbuffer) -> bool {
    b.chunks.iter().any(|c| matches!(c.kind, Kind::File { .. }))
}

#[cfg(test)]
mod tests;
