//! `evutil_getaddrinfo` and its companions. The public `struct evutil_addrinfo` is the system's
//! `struct addrinfo`, so lookups are the C library's `getaddrinfo`; lists that the library builds
//! itself (the DNS resolver's answers) are marked with [`AI_LIBEVENT_ALLOCATED`] so that
//! `evutil_freeaddrinfo` knows which allocator made them.

use crate::util::mem;
use libc::{addrinfo, c_char, c_int, sockaddr, socklen_t};
use std::ffi::CStr;
use std::ptr::null_mut;

/// `ai_flags` bit of nodes allocated by this library (one block per node: the `addrinfo`
/// followed by its address; `ai_canonname` separately). Never passed to the C library.
pub const AI_LIBEVENT_ALLOCATED: c_int = 0x8000_0000_u32 as c_int;

/// `EVUTIL_EAI_CANCEL`: a request cancelled (evdns).
pub const EAI_CANCEL: c_int = -90001;

/// glibc's `EAI_ADDRFAMILY` (a GNU extension the libc crate does not name).
pub const EAI_ADDRFAMILY: c_int = -9;

/// Resolves like `getaddrinfo(3)`: `hints` NULL means "any family, any type". Flags only this
/// library understands are removed before the call.
///
/// # Safety
/// `node`/`service` are NULL or NUL-terminated; `hints` is NULL or valid; `res` is valid.
pub unsafe fn getaddrinfo(
    node: *const c_char,
    service: *const c_char,
    hints: *const addrinfo,
    res: *mut *mut addrinfo,
) -> c_int {
    // SAFETY: an all-zero addrinfo is valid (AF_UNSPEC is 0).
    let mut h: addrinfo = unsafe { std::mem::zeroed() };
    // SAFETY: a non-null `hints` is valid per the caller.
    if let Some(given) = unsafe { hints.as_ref() } {
        h = *given;
    } else {
        h.ai_family = libc::AF_UNSPEC;
    }
    h.ai_flags &= !AI_LIBEVENT_ALLOCATED;
    // SAFETY: arguments valid per the caller; `h` is a complete hints structure.
    unsafe { libc::getaddrinfo(node, service, &h, res) }
}

/// Frees a list from [`getaddrinfo`] or one built with [`new_node`] (NULL is ignored).
///
/// # Safety
/// `ai` is NULL or the head of such a list, not used afterwards.
pub unsafe fn freeaddrinfo(ai: *mut addrinfo) {
    // SAFETY: `ai` is NULL or a list head per the caller.
    let Some(head) = (unsafe { ai.as_ref() }) else { return };
    if head.ai_flags & AI_LIBEVENT_ALLOCATED == 0 {
        // SAFETY: a list the C library allocated.
        unsafe { libc::freeaddrinfo(ai) };
        return;
    }
    let mut p = ai;
    while !p.is_null() {
        // SAFETY: every node of our lists came from `new_node`.
        unsafe {
            let next = (*p).ai_next;
            if !(*p).ai_canonname.is_null() {
                mem::free((*p).ai_canonname.cast());
            }
            mem::free(p.cast());
            p = next;
        }
    }
}

/// A new list node (from the library's allocator) holding a copy of the `len`-byte address `sa`,
/// with family, socket type and protocol set; NULL when allocation fails.
///
/// # Safety
/// `sa` points to `len` readable bytes.
pub unsafe fn new_node(sa: *const sockaddr, len: socklen_t, socktype: c_int, protocol: c_int) -> *mut addrinfo {
    let node_size = std::mem::size_of::<addrinfo>();
    // SAFETY: allocating one block for the node and its address.
    let p = unsafe { mem::malloc(node_size + len as usize) } as *mut addrinfo;
    if p.is_null() {
        return null_mut();
    }
    // SAFETY: `p` has room for the node followed by `len` bytes of address.
    unsafe {
        std::ptr::write_bytes(p.cast::<u8>(), 0, node_size);
        let addr = p.cast::<u8>().add(node_size);
        std::ptr::copy_nonoverlapping(sa.cast::<u8>(), addr, len as usize);
        (*p).ai_flags = AI_LIBEVENT_ALLOCATED;
        (*p).ai_family = c_int::from((*sa).sa_family);
        (*p).ai_socktype = socktype;
        (*p).ai_protocol = protocol;
        (*p).ai_addrlen = len;
        (*p).ai_addr = addr.cast();
    }
    p
}

/// The message for an `EVUTIL_EAI_*` error code (the C library's text for codes not listed).
pub fn gai_strerror(err: c_int) -> &'static CStr {
    match err {
        EAI_CANCEL => c"Request canceled",
        0 => c"No error",
        EAI_ADDRFAMILY => c"address family for nodename not supported",
        libc::EAI_AGAIN => c"temporary failure in name resolution",
        libc::EAI_BADFLAGS => c"invalid value for ai_flags",
        libc::EAI_FAIL => c"non-recoverable failure in name resolution",
        libc::EAI_FAMILY => c"ai_family not supported",
        libc::EAI_MEMORY => c"memory allocation failure",
        libc::EAI_NODATA => c"no address associated with nodename",
        libc::EAI_NONAME => c"nodename nor servname provided, or not known",
        libc::EAI_SERVICE => c"servname not supported for ai_socktype",
        libc::EAI_SOCKTYPE => c"ai_socktype not supported",
        libc::EAI_SYSTEM => c"system error",
        // SAFETY: gai_strerror returns a static string for any code.
        _ => unsafe { CStr::from_ptr(libc::gai_strerror(err)) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_lookup_and_own_nodes() {
        let mut res: *mut addrinfo = null_mut();
        // SAFETY: valid strings, no hints, a valid out-pointer.
        let r = unsafe { getaddrinfo(c"127.0.0.1".as_ptr(), c"80".as_ptr(), std::ptr::null(), &mut res) };
        assert_eq!(r, 0);
        assert!(!res.is_null());
        // SAFETY: `res` is a list the C library returned.
        unsafe {
            assert_eq!((*res).ai_family, libc::AF_INET);
            let sa = (*res).ai_addr;
            let copy = new_node(sa, (*res).ai_addrlen, libc::SOCK_STREAM, libc::IPPROTO_TCP);
            (*copy).ai_next = new_node(sa, (*res).ai_addrlen, libc::SOCK_DGRAM, libc::IPPROTO_UDP);
            (*copy).ai_canonname = mem::strdup(b"localhost");
            assert_eq!((*(*copy).ai_next).ai_socktype, libc::SOCK_DGRAM);
            assert_eq!(std::slice::from_raw_parts((*copy).ai_addr.cast::<u8>(), 16),
                std::slice::from_raw_parts(sa.cast::<u8>(), 16));
            freeaddrinfo(res);
            freeaddrinfo(copy);
            freeaddrinfo(null_mut());
        }
        assert_eq!(gai_strerror(EAI_CANCEL).to_bytes(), b"Request canceled");
        assert_eq!(gai_strerror(-12345).to_bytes(), b"Unknown error");
    }
}
