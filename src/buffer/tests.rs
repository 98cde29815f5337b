//! Unit tests of the engine (no C involved).

use super::search::*;
use super::*;

fn contents(b: &mut Evbuffer) -> Vec<u8> {
    let mut v = vec![0u8; b.len()];
    assert_eq!(b.copyout(0, &mut v), Ok(v.len()));
    v
}

#[test]
fn add_remove_roundtrip() {
    let mut b = Evbuffer::new();
    for i in 0..1000u32 {
        b.add(format!("line {i}\n").as_bytes()).unwrap();
    }
    let mut all = Vec::new();
    for i in 0..1000u32 {
        all.extend_from_slice(format!("line {i}\n").as_bytes());
    }
    assert_eq!(contents(&mut b), all);
    let mut out = vec![0u8; 5000];
    assert_eq!(b.remove(&mut out), Ok(5000));
    assert_eq!(&out[..], &all[..5000]);
    assert_eq!(b.len(), all.len() - 5000);
    assert_eq!(contents(&mut b), &all[5000..]);
}

#[test]
fn chunks_grow_geometrically_and_are_reused() {
    let mut b = Evbuffer::new();
    for _ in 0..100 {
        b.add(&[7u8; 100]).unwrap();
    }
    let caps: Vec<usize> = b.chunks.iter().map(|c| c.cap).collect();
    assert_eq!(&caps[..4], &[976, 2000, 4048, 4048]);
    assert!(caps.iter().all(|&c| c <= 4048));
    b.drain(usize::MAX).unwrap();
    assert_eq!(b.len(), 0);
    assert_eq!(b.chunks.len(), 0);
}

#[test]
fn prepend_and_pullup() {
    let mut b = Evbuffer::new();
    b.add(b"world").unwrap();
    b.prepend(b"hello ").unwrap();
    assert_eq!(contents(&mut b), b"hello world");
    let big = vec![b'x'; 5000];
    b.add(&big).unwrap();
    let p = b.pullup(-1).unwrap();
    // SAFETY: pullup made all bytes contiguous at p.
    let s = unsafe { std::slice::from_raw_parts(p, b.len()) };
    assert_eq!(&s[..11], b"hello world");
    assert!(s[11..].iter().all(|&c| c == b'x'));
    assert!(b.pullup(b.len() as isize + 1).is_none());
    assert!(b.pullup(0).is_none());
}

#[test]
fn huge_sizes_fail_cleanly() {
    let mut b = Evbuffer::new();
    b.add(b"abc").unwrap();
    assert!(b.expand(usize::MAX).is_err());
    assert!(b.expand(usize::MAX - 2).is_err());
    assert!(b.reserve(usize::MAX / 2, 2).is_err());
    assert_eq!(contents(&mut b), b"abc");
}

#[test]
fn search_across_chunks() {
    let mut b = Evbuffer::new();
    b.add(&vec![b'a'; 1020]).unwrap();
    b.add(b"needle").unwrap(); // straddles the first chunk's end
    b.add(&vec![b'b'; 3000]).unwrap();
    b.add(b"needle").unwrap();
    assert!(b.chunks.len() >= 2);
    assert_eq!(b.find(b"needle", 0, None, None), Some(1020));
    assert_eq!(b.find(b"needle", 1021, None, None), Some(4026));
    assert_eq!(b.find(b"needle", 0, Some(1025), None), None);
    assert_eq!(b.find(b"needle", 0, Some(1026), None), Some(1020));
    assert_eq!(b.find(b"", 7, None, None), Some(7));
    assert_eq!(b.find(b"zz", 0, None, None), None);
}

#[test]
fn eol_styles() {
    let mut b = Evbuffer::new();
    b.add(b"a\r\r\nb\nc\0d\r\n").unwrap();
    assert_eq!(b.find_eol(0, EOL_ANY, None), Some((1, 3)));
    assert_eq!(b.find_eol(0, EOL_CRLF, None), Some((2, 2)));
    assert_eq!(b.find_eol(0, EOL_CRLF_STRICT, None), Some((2, 2)));
    assert_eq!(b.find_eol(0, EOL_LF, None), Some((3, 1)));
    assert_eq!(b.find_eol(0, EOL_NUL, None), Some((7, 1)));
    assert_eq!(b.find_eol(4, EOL_CRLF, None), Some((5, 1)));
    assert_eq!(b.find_eol(3, EOL_CRLF, None), Some((3, 1)), "a CR before the start does not count");
    assert_eq!(b.find_eol(0, 9, None), None);
}

#[test]
fn add_buffer_moves_chunks() {
    let mut a = Evbuffer::new();
    let mut b = Evbuffer::new();
    a.add(b"one ").unwrap();
    b.add(&vec![b'2'; 3000]).unwrap();
    let p = b.chunks[0].data_ptr();
    a.add_buffer(&mut b).unwrap();
    assert_eq!(b.len(), 0);
    assert_eq!(a.len(), 3004);
    assert!(a.chunks.iter().any(|c| c.data_ptr() == p), "moved, not copied");
    let mut c = Evbuffer::new();
    let moved = a.move_front_chunks(&mut c, 10);
    assert_eq!(moved, 4);
    assert_eq!(contents(&mut c), b"one ");
}

#[test]
fn reserve_commit() {
    let mut b = Evbuffer::new();
    b.add(b"x").unwrap();
    let v = b.reserve(3000, 2).unwrap();
    assert!(!v.is_empty() && v.len() <= 2);
    assert!(v.iter().map(|e| e.1).sum::<usize>() >= 3000);
    // SAFETY: writing into reserved room.
    unsafe { std::ptr::write_bytes(v[0].0, b'y', 10) };
    b.commit(&[(v[0].0, 10)]).unwrap();
    assert_eq!(contents(&mut b), b"xyyyyyyyyyy");
    assert!(b.commit(&[(v[0].0, 10)]).is_err(), "stale extent");
}

#[test]
fn freeze() {
    let mut b = Evbuffer::new();
    b.add(b"abc").unwrap();
    b.freeze_start = true;
    assert!(b.drain(1).is_err());
    assert!(b.prepend(b"x").is_err());
    assert!(b.add(b"d").is_ok());
    b.freeze_end = true;
    assert!(b.add(b"e").is_err());
    assert_eq!(b.len(), 4);
}

#[test]
fn positions() {
    let mut b = Evbuffer::new();
    b.add(&vec![1u8; 1000]).unwrap();
    b.add(&vec![2u8; 5000]).unwrap();
    let l = b.locate(1500);
    assert_eq!(b.byte_at(l), Some(2));
    let l2 = b.advance(b.locate(0), 1500);
    assert_eq!(l, l2);
    let end = b.locate(6000);
    assert_eq!(b.advance(b.locate(5999), 1), end);
    assert_eq!(b.byte_at(end), None);
}
