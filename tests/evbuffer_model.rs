//! Randomised model test of evbuffer: long sequences of mixed operations through the C API
//! (adds, prepends, drains, removes, moves between buffers, reservations, references, pullups,
//! searches, line reads, peeks) checked after every step against a plain `Vec<u8>`.

use event::capi::buffer::*;
use event::capi::buffer_defs::{evbuffer, evbuffer_ptr};
use libc::{c_void, iovec};
use proptest::prelude::*;
use std::cell::Cell;
use std::ptr::{null, null_mut};

#[derive(Debug, Clone)]
enum Op {
    Add(Vec<u8>),
    Prepend(Vec<u8>),
    Drain(usize),
    Remove(usize),
    CopyFrom(usize, usize),
    /// Fill the other buffer with these bytes, then move it all to the end.
    AddBuffer(Vec<u8>),
    /// Fill the other buffer, then move it all to the front.
    PrependBuffer(Vec<u8>),
    /// Move up to n bytes to the other buffer and check them.
    RemoveBuffer(usize),
    /// Reserve `size` in up to `nvec` extents, commit `fill` bytes of it.
    Reserve(usize, usize, usize),
    Reference(Vec<u8>),
    Pullup(usize),
    Search(usize, usize, usize),
    Readln(u8),
    Expand(usize),
    Peek,
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'\r'), Just(b'\n'), Just(0u8)], 0..40),
        1 => proptest::collection::vec(any::<u8>(), 0..3000),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => bytes().prop_map(Op::Add),
        2 => bytes().prop_map(Op::Prepend),
        2 => (0usize..3000).prop_map(Op::Drain),
        2 => (0usize..3000).prop_map(Op::Remove),
        1 => (0usize..3000, 0usize..3000).prop_map(|(a, b)| Op::CopyFrom(a, b)),
        1 => bytes().prop_map(Op::AddBuffer),
        1 => bytes().prop_map(Op::PrependBuffer),
        1 => (0usize..3000).prop_map(Op::RemoveBuffer),
        2 => (0usize..5000, 1usize..4, 0usize..5000).prop_map(|(a, b, c)| Op::Reserve(a, b, c)),
        1 => bytes().prop_map(Op::Reference),
        1 => (0usize..4000).prop_map(Op::Pullup),
        2 => (0usize..3000, 0usize..3000, 1usize..4).prop_map(|(a, b, c)| Op::Search(a, b, c)),
        2 => (0u8..5).prop_map(Op::Readln),
        1 => (0usize..5000).prop_map(Op::Expand),
        1 => Just(Op::Peek),
    ]
}

thread_local! {
    static CLEANED: Cell<usize> = const { Cell::new(0) };
}

unsafe extern "C" fn cleanup(data: *const c_void, _len: usize, arg: *mut c_void) {
    // SAFETY: `arg` is the Box<Vec<u8>> leaked when the reference was added; `data` its bytes.
    let v = unsafe { Box::from_raw(arg as *mut Vec<u8>) };
    assert_eq!(data, v.as_ptr() as *const c_void);
    CLEANED.with(|c| c.set(c.get() + 1));
}

fn contents(b: *mut evbuffer) -> Vec<u8> {
    // SAFETY: a live buffer; the vector has room for its length.
    unsafe {
        let n = evbuffer_get_length(b);
        let mut v = vec![0u8; n];
        assert_eq!(evbuffer_copyout(b, v.as_mut_ptr() as *mut c_void, n), n as isize);
        v
    }
}

fn find(hay: &[u8], needle: &[u8], start: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(start);
    }
    (start..hay.len().saturating_sub(needle.len() - 1)).find(|&i| hay[i..].starts_with(needle))
}

fn eol(model: &[u8], style: u8) -> Option<(usize, usize)> {
    match style {
        0 => {
            let p = model.iter().position(|&c| c == b'\r' || c == b'\n')?;
            let n = model[p..].iter().take_while(|&&c| c == b'\r' || c == b'\n').count();
            Some((p, n))
        }
        1 => {
            let p = model.iter().position(|&c| c == b'\n')?;
            if p > 0 && model[p - 1] == b'\r' {
                Some((p - 1, 2))
            } else {
                Some((p, 1))
            }
        }
        2 => find(model, b"\r\n", 0).map(|p| (p, 2)),
        3 => model.iter().position(|&c| c == b'\n').map(|p| (p, 1)),
        _ => model.iter().position(|&c| c == 0).map(|p| (p, 1)),
    }
}

fn run(ops: Vec<Op>) {
    CLEANED.with(|c| c.set(0));
    let mut added_refs = 0usize;
    let b = evbuffer_new();
    let other = evbuffer_new();
    let mut model: Vec<u8> = Vec::new();
    // SAFETY: every pointer handed to the API is valid for the stated lengths.
    unsafe {
        for op in ops {
            match op {
                Op::Add(d) => {
                    assert_eq!(evbuffer_add(b, d.as_ptr() as *const c_void, d.len()), 0);
                    model.extend_from_slice(&d);
                }
                Op::Prepend(d) => {
                    assert_eq!(evbuffer_prepend(b, d.as_ptr() as *const c_void, d.len()), 0);
                    model.splice(0..0, d);
                }
                Op::Drain(n) => {
                    assert_eq!(evbuffer_drain(b, n), 0);
                    model.drain(..n.min(model.len()));
                }
                Op::Remove(n) => {
                    let mut out = vec![0u8; n];
                    let got = evbuffer_remove(b, out.as_mut_ptr() as *mut c_void, n);
                    let k = n.min(model.len());
                    assert_eq!(got as usize, k);
                    assert_eq!(&out[..k], &model[..k]);
                    model.drain(..k);
                }
                Op::CopyFrom(at, n) => {
                    let mut p = evbuffer_ptr { pos: 0, internal_chain: null_mut(), internal_pos_in_chain: 0 };
                    let r = evbuffer_ptr_set(b, &mut p, at, 0);
                    if at > model.len() {
                        assert_eq!(r, -1);
                        assert_eq!(p.pos, -1);
                        continue;
                    }
                    assert_eq!(r, 0);
                    let mut out = vec![0u8; n];
                    let got = evbuffer_copyout_from(b, &p, out.as_mut_ptr() as *mut c_void, n);
                    let k = n.min(model.len() - at);
                    assert_eq!(got as usize, k);
                    assert_eq!(&out[..k], &model[at..at + k]);
                }
                Op::AddBuffer(d) => {
                    evbuffer_add(other, d.as_ptr() as *const c_void, d.len());
                    assert_eq!(evbuffer_add_buffer(b, other), 0);
                    assert_eq!(evbuffer_get_length(other), 0);
                    model.extend_from_slice(&d);
                }
                Op::PrependBuffer(d) => {
                    evbuffer_add(other, d.as_ptr() as *const c_void, d.len());
                    assert_eq!(evbuffer_prepend_buffer(b, other), 0);
                    assert_eq!(evbuffer_get_length(other), 0);
                    model.splice(0..0, d);
                }
                Op::RemoveBuffer(n) => {
                    let got = evbuffer_remove_buffer(b, other, n);
                    let k = n.min(model.len());
                    assert_eq!(got as usize, k);
                    assert_eq!(contents(other), &model[..k]);
                    model.drain(..k);
                    evbuffer_drain(other, usize::MAX);
                }
                Op::Reserve(size, nvec, fill) => {
                    let mut v = [iovec { iov_base: null_mut(), iov_len: 0 }; 4];
                    let n = evbuffer_reserve_space(b, size as isize, v.as_mut_ptr(), nvec as i32);
                    assert!(n >= 0 && n as usize <= nvec, "reserve returned {n}");
                    let total: usize = v[..n as usize].iter().map(|e| e.iov_len).sum();
                    assert!(total >= size, "reserved {total} < {size}");
                    let mut left = fill.min(total);
                    let mut k = 0u8;
                    for e in v[..n as usize].iter_mut() {
                        let m = left.min(e.iov_len);
                        for i in 0..m {
                            *(e.iov_base as *mut u8).add(i) = k;
                            model.push(k);
                            k = k.wrapping_add(1);
                        }
                        e.iov_len = m;
                        left -= m;
                    }
                    assert_eq!(evbuffer_commit_space(b, v.as_mut_ptr(), n), 0);
                }
                Op::Reference(d) => {
                    let bx = Box::new(d.clone());
                    let (p, l) = (bx.as_ptr(), bx.len());
                    let arg = Box::into_raw(bx) as *mut c_void;
                    assert_eq!(evbuffer_add_reference(b, p as *const c_void, l, Some(cleanup), arg), 0);
                    added_refs += 1;
                    model.extend_from_slice(&d);
                }
                Op::Pullup(n) => {
                    let p = evbuffer_pullup(b, n as isize);
                    if n == 0 || n > model.len() {
                        assert!(p.is_null());
                    } else {
                        assert_eq!(std::slice::from_raw_parts(p, n), &model[..n]);
                    }
                }
                Op::Search(start, nstart, len) => {
                    // A needle taken from the model (or a missing one).
                    let needle: Vec<u8> = if nstart + len <= model.len() {
                        model[nstart..nstart + len].to_vec()
                    } else {
                        vec![b'z'; len]
                    };
                    let mut sp = evbuffer_ptr { pos: 0, internal_chain: null_mut(), internal_pos_in_chain: 0 };
                    if evbuffer_ptr_set(b, &mut sp, start.min(model.len()), 0) != 0 {
                        panic!("ptr_set");
                    }
                    let r = evbuffer_search(b, needle.as_ptr() as *const libc::c_char, needle.len(), &sp);
                    let want = find(&model, &needle, start.min(model.len()));
                    assert_eq!(r.pos, want.map_or(-1, |p| p as isize), "search {needle:?} from {start}");
                    if let Some(w) = want {
                        // The returned position is usable: copy from it, and search on from it.
                        let mut out = vec![0u8; needle.len()];
                        evbuffer_copyout_from(b, &r, out.as_mut_ptr() as *mut c_void, needle.len());
                        assert_eq!(out, needle);
                        let mut r2 = r;
                        assert_eq!(evbuffer_ptr_set(b, &mut r2, 1, 1), if w < model.len() { 0 } else { -1 });
                    }
                    let end = evbuffer_ptr { pos: (start + 40).min(model.len()) as isize, internal_chain: null_mut(), internal_pos_in_chain: 0 };
                    let r = evbuffer_search_range(b, needle.as_ptr() as *const libc::c_char, needle.len(), &sp, &end);
                    let want = want.filter(|&p| p + needle.len() <= end.pos as usize);
                    assert_eq!(r.pos, want.map_or(-1, |p| p as isize));
                }
                Op::Readln(style) => {
                    let mut n = 0usize;
                    let line = evbuffer_readln(b, &mut n, style as i32);
                    match eol(&model, style) {
                        None => assert!(line.is_null()),
                        Some((p, l)) => {
                            assert!(!line.is_null());
                            assert_eq!(n, p);
                            assert_eq!(std::slice::from_raw_parts(line as *const u8, n), &model[..p]);
                            assert_eq!(*line.add(n), 0);
                            libc::free(line as *mut c_void);
                            model.drain(..p + l);
                        }
                    }
                }
                Op::Expand(n) => {
                    assert_eq!(evbuffer_expand(b, n), 0);
                }
                Op::Peek => {
                    let cnt = evbuffer_peek(b, -1, null_mut(), null_mut(), 0);
                    let mut v = vec![iovec { iov_base: null_mut(), iov_len: 0 }; cnt.max(0) as usize];
                    let got = evbuffer_peek(b, -1, null_mut(), v.as_mut_ptr(), cnt);
                    assert_eq!(got, cnt);
                    let mut all = Vec::new();
                    for e in &v {
                        all.extend_from_slice(std::slice::from_raw_parts(e.iov_base as *const u8, e.iov_len));
                    }
                    assert_eq!(all, model);
                }
            }
            assert_eq!(evbuffer_get_length(b), model.len());
            assert_eq!(contents(b), model);
        }
        evbuffer_free(b);
        evbuffer_free(other);
    }
    let _ = null::<u8>();
    assert_eq!(CLEANED.with(|c| c.get()), added_refs, "every reference cleaned up exactly once");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]
    #[test]
    fn evbuffer_matches_a_vec(ops in proptest::collection::vec(op(), 1..120)) {
        run(ops);
    }
}

#[test]
fn huge_sizes_are_refused() {
    // SAFETY: the data pointers are never read for sizes the buffer refuses.
    unsafe {
        let b = evbuffer_new();
        assert_eq!(evbuffer_add(b, b"abc".as_ptr() as *const c_void, 3), 0);
        assert_eq!(evbuffer_add(b, b"x".as_ptr() as *const c_void, usize::MAX), -1);
        assert_eq!(evbuffer_add(b, b"x".as_ptr() as *const c_void, usize::MAX - 2), -1);
        assert_eq!(evbuffer_prepend(b, b"x".as_ptr() as *const c_void, usize::MAX - 1), -1);
        assert_eq!(evbuffer_expand(b, usize::MAX), -1);
        assert_eq!(evbuffer_expand(b, usize::MAX / 2 + 7), -1);
        let mut v = [iovec { iov_base: null_mut(), iov_len: 0 }; 2];
        assert_eq!(evbuffer_reserve_space(b, isize::MAX, v.as_mut_ptr(), 2), -1);
        assert!(evbuffer_pullup(b, isize::MAX).is_null());
        let mut p = evbuffer_ptr { pos: 0, internal_chain: null_mut(), internal_pos_in_chain: 0 };
        assert_eq!(evbuffer_ptr_set(b, &mut p, usize::MAX, 0), -1);
        assert_eq!(evbuffer_ptr_set(b, &mut p, 1, 0), 0);
        assert_eq!(evbuffer_ptr_set(b, &mut p, usize::MAX, 1), -1);
        assert_eq!(p.pos, 1, "an overflowing ADD leaves the position alone");
        // A stale position after a drain is checked, not trusted.
        assert_eq!(evbuffer_ptr_set(b, &mut p, 3, 0), 0);
        evbuffer_drain(b, 2);
        let mut out = [0u8; 4];
        assert_eq!(evbuffer_copyout_from(b, &p, out.as_mut_ptr() as *mut c_void, 4), -1);
        let r = evbuffer_search(b, b"c".as_ptr() as *const libc::c_char, 1, &p);
        assert_eq!(r.pos, -1);
        assert_eq!(evbuffer_get_length(b), 1);
        evbuffer_free(b);
    }
}
