//! The allocator hooks of `event_set_mem_functions`: memory the library hands to a caller to
//! free comes from them when set, from the C allocator otherwise.

use libc::{c_void, size_t};
use std::sync::atomic::{AtomicUsize, Ordering};

pub type MallocFn = unsafe extern "C" fn(size_t) -> *mut c_void;
pub type ReallocFn = unsafe extern "C" fn(*mut c_void, size_t) -> *mut c_void;
pub type FreeFn = unsafe extern "C" fn(*mut c_void);

static MALLOC: AtomicUsize = AtomicUsize::new(0);
static REALLOC: AtomicUsize = AtomicUsize::new(0);
static FREE: AtomicUsize = AtomicUsize::new(0);

pub fn set(m: Option<MallocFn>, r: Option<ReallocFn>, f: Option<FreeFn>) {
    MALLOC.store(m.map_or(0, |f| f as usize), Ordering::Release);
    REALLOC.store(r.map_or(0, |f| f as usize), Ordering::Release);
    FREE.store(f.map_or(0, |f| f as usize), Ordering::Release);
}

/// # Safety
/// As `malloc`.
pub unsafe fn malloc(n: size_t) -> *mut c_void {
    let f = MALLOC.load(Ordering::Acquire);
    if f == 0 {
        // SAFETY: plain libc allocation.
        return unsafe { libc::malloc(n) };
    }
    // SAFETY: stored from a valid MallocFn.
    unsafe { std::mem::transmute::<usize, MallocFn>(f)(n) }
}

/// # Safety
/// As `realloc`; `p` came from [`malloc`] or [`realloc`].
pub unsafe fn realloc(p: *mut c_void, n: size_t) -> *mut c_void {
    let f = REALLOC.load(Ordering::Acquire);
    if f == 0 {
        // SAFETY: plain libc reallocation.
        return unsafe { libc::realloc(p, n) };
    }
    // SAFETY: stored from a valid ReallocFn.
    unsafe { std::mem::transmute::<usize, ReallocFn>(f)(p, n) }
}

/// # Safety
/// As `free`; `p` came from [`malloc`] or [`realloc`].
pub unsafe fn free(p: *mut c_void) {
    let f = FREE.load(Ordering::Acquire);
    if f == 0 {
        // SAFETY: plain libc free.
        return unsafe { libc::free(p) };
    }
    // SAFETY: stored from a valid FreeFn.
    unsafe { std::mem::transmute::<usize, FreeFn>(f)(p) }
}

/// A NUL-terminated copy of `s` from the hooked allocator (NULL on failure).
pub fn strdup(s: &[u8]) -> *mut libc::c_char {
    // SAFETY: allocating len+1 bytes and filling all of them.
    unsafe {
        let p = malloc(s.len() + 1) as *mut u8;
        if !p.is_null() {
            std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
            *p.add(s.len()) = 0;
        }
        p as *mut libc::c_char
    }
}

/// Moves `v` into memory from the hooked allocator (as libevent allocates its objects), or
/// returns null when the allocator fails.
pub fn boxed<T>(v: T) -> *mut T {
    debug_assert!(std::mem::align_of::<T>() <= 16);
    // SAFETY: malloc'd memory is aligned for any fundamental type; we write a whole `T` into it.
    unsafe {
        let p = malloc(std::mem::size_of::<T>().max(1)) as *mut T;
        if !p.is_null() {
            p.write(v);
        }
        p
    }
}

/// Drops and frees what [`boxed`] returned.
///
/// # Safety
/// `p` came from [`boxed`] and is not used afterwards.
pub unsafe fn unbox<T>(p: *mut T) {
    // SAFETY: per the caller, `p` holds a live `T` in hooked-allocator memory.
    unsafe {
        std::ptr::drop_in_place(p);
        free(p.cast());
    }
}
