//! Searching an evbuffer: strings (`evbuffer_search*`), ends of line (`evbuffer_search_eol`,
//! `evbuffer_readln`). Each chunk is scanned with the C library's memchr/memmem; only matches
//! that straddle chunks are compared piecewise.

use super::{Evbuffer, Loc};
use libc::c_void;

/// `enum evbuffer_eol_style` values.
pub const EOL_ANY: i32 = 0;
pub const EOL_CRLF: i32 = 1;
pub const EOL_CRLF_STRICT: i32 = 2;
pub const EOL_LF: i32 = 3;
pub const EOL_NUL: i32 = 4;

#[inline]
fn memchr(hay: &[u8], b: u8) -> Option<usize> {
    if hay.is_empty() {
        return None;
    }
    // SAFETY: scanning `hay.len()` readable bytes.
    let p = unsafe { libc::memchr(hay.as_ptr() as *const c_void, b as i32, hay.len()) };
    (!p.is_null()).then(|| p as usize - hay.as_ptr() as usize)
}

#[inline]
fn memmem(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    // SAFETY: both ranges are readable.
    let p = unsafe {
        libc::memmem(
            hay.as_ptr() as *const c_void,
            hay.len(),
            needle.as_ptr() as *const c_void,
            needle.len(),
        )
    };
    (!p.is_null()).then(|| p as usize - hay.as_ptr() as usize)
}

impl Evbuffer {
    /// The data from absolute position `start` on, chunk by chunk: (absolute offset, bytes).
    pub fn slices_from(&self, start: usize, hint: Option<Loc>) -> impl Iterator<Item = (usize, &[u8])> {
        let loc = hint.unwrap_or_else(|| self.locate(start.min(self.total)));
        let mut pos = start;
        self.chunks.iter().skip(loc.idx).enumerate().filter_map(move |(k, c)| {
            let d = if k == 0 { &c.data()[loc.at.min(c.off)..] } else { c.data() };
            if d.is_empty() {
                return None;
            }
            let at = pos;
            pos += d.len();
            Some((at, d))
        })
    }

    /// Whether the bytes at `pos` equal `what` (false when the buffer ends first).
    pub fn matches_at(&self, pos: usize, what: &[u8]) -> bool {
        if what.len() > self.total.saturating_sub(pos) {
            return false;
        }
        let mut rest = what;
        for (_, d) in self.slices_from(pos, None) {
            let k = d.len().min(rest.len());
            if d[..k] != rest[..k] {
                return false;
            }
            rest = &rest[k..];
            if rest.is_empty() {
                return true;
            }
        }
        rest.is_empty()
    }

    /// The first occurrence of `what` starting at or after `start` and ending at or before
    /// `end` (None: the end of the buffer). An empty `what` is found at `start`.
    pub fn find(&self, what: &[u8], start: usize, end: Option<usize>, hint: Option<Loc>) -> Option<usize> {
        if start > self.total {
            return None;
        }
        if what.is_empty() {
            return Some(start);
        }
        let limit = end.unwrap_or(self.total).min(self.total);
        if limit < start || what.len() > limit - start {
            return None;
        }
        let last_start = limit - what.len();
        let n = what.len();
        for (at, d) in self.slices_from(start, hint) {
            if at > last_start {
                return None;
            }
            // Whole matches inside this chunk.
            if let Some(i) = memmem(d, what) {
                return (at + i <= last_start).then_some(at + i);
            }
            // Matches that start in this chunk and run into the next ones.
            let from = d.len().saturating_sub(n - 1);
            let mut j = from;
            while j < d.len() {
                let Some(k) = memchr(&d[j..], what[0]) else { break };
                let p = at + j + k;
                if p > last_start {
                    return None;
                }
                if d[j + k..] == what[..d.len() - j - k] && self.matches_at(at + d.len(), &what[d.len() - j - k..]) {
                    return Some(p);
                }
                j += k + 1;
            }
        }
        None
    }

    /// The first end-of-line of `style` at or after `start`: (position, length of the EOL).
    pub fn find_eol(&self, start: usize, style: i32, hint: Option<Loc>) -> Option<(usize, usize)> {
        if start > self.total {
            return None;
        }
        match style {
            EOL_LF => self.find_byte(start, b'\n', hint).map(|p| (p, 1)),
            EOL_NUL => self.find_byte(start, 0, hint).map(|p| (p, 1)),
            EOL_CRLF_STRICT => self.find(b"\r\n", start, None, hint).map(|p| (p, 2)),
            EOL_CRLF => {
                let p = self.find_byte(start, b'\n', hint)?;
                if p > start && self.byte_at_pos(p - 1) == Some(b'\r') {
                    Some((p - 1, 2))
                } else {
                    Some((p, 1))
                }
            }
            EOL_ANY => {
                let mut found = None;
                for (at, d) in self.slices_from(start, hint) {
                    let lf = memchr(d, b'\n');
                    let cr = memchr(&d[..lf.unwrap_or(d.len())], b'\r');
                    if let Some(i) = cr.or(lf) {
                        found = Some(at + i);
                        break;
                    }
                }
                let p = found?;
                let mut len = 0;
                'outer: for (_, d) in self.slices_from(p, None) {
                    for &b in d {
                        if b != b'\r' && b != b'\n' {
                            break 'outer;
                        }
                        len += 1;
                    }
                }
                Some((p, len))
            }
            _ => None,
        }
    }

    /// [`Evbuffer::find_eol`] from the start of the buffer (for `evbuffer_readln`): one pass
    /// over the chunks for the single-byte styles.
    pub fn find_eol_front(&self, style: i32) -> Option<(usize, usize)> {
        let target = match style {
            EOL_LF | EOL_CRLF => b'\n',
            EOL_NUL => 0,
            _ => return self.find_eol(0, style, None),
        };
        let mut pos = 0usize;
        // The last byte of the previous chunk with data (for a CR just before the LF).
        let mut prev = 0u8;
        for c in self.chunks.iter() {
            let d = c.data();
            if d.is_empty() {
                continue;
            }
            if let Some(k) = memchr(d, target) {
                let p = pos + k;
                if style == EOL_CRLF {
                    let before = if k > 0 { d[k - 1] } else { prev };
                    if p > 0 && before == b'\r' {
                        return Some((p - 1, 2));
                    }
                }
                return Some((p, 1));
            }
            pos += d.len();
            prev = d[d.len() - 1];
        }
        None
    }

    fn find_byte(&self, start: usize, b: u8, hint: Option<Loc>) -> Option<usize> {
        for (at, d) in self.slices_from(start, hint) {
            if let Some(i) = memchr(d, b) {
                return Some(at + i);
            }
        }
        None
    }

    /// The byte at absolute position `pos`.
    pub fn byte_at_pos(&self, pos: usize) -> Option<u8> {
        if pos >= self.total {
            return None;
        }
        self.byte_at(self.locate(pos))
    }
}
