//! `event2/util.h`: sockets, addresses, name lookup, strings, clocks and random numbers.
//!
//! `evutil_snprintf` and `evutil_vsnprintf` are C-variadic and live in `variadic.rs`;
//! `evutil_gettimeofday`, `evutil_socket_geterror` and `evutil_socket_error_to_string` are
//! macros (`cbindgen/event2/util.h.head`), as in libevent on POSIX systems.
#![allow(non_camel_case_types)]

use super::util_defs::{ev_int64_t, evutil_socket_t};
use crate::util::addr::{self, SockAddr};
use crate::util::monotonic::Timer;
use crate::util::sock::{self, FcntlStep};
use crate::util::{addrinfo, log, mem, rng, text};
use libc::{c_char, c_int, c_uint, c_void, size_t, sockaddr, sockaddr_in, sockaddr_in6, timeval, tm};
use std::ffi::CStr;
use std::ptr::null;

/// A monotonic clock source for `evutil_gettime_monotonic`. Opaque.
pub struct evutil_monotonic_timer {
    _opaque: [u8; 0],
}

/// The address-info structure of `evutil_getaddrinfo`: the system's `struct addrinfo`.
pub type evutil_addrinfo = libc::addrinfo;

/// Logs `msg` followed by ": " and the text of the current `errno`, as libevent's warnings do.
fn warn_errno(msg: &str) {
    let code = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    // SAFETY: strerror returns a valid NUL-terminated string.
    let text = unsafe { CStr::from_ptr(libc::strerror(code)) };
    log::log(log::WARN, &format!("{msg}: {}", text.to_string_lossy()));
}

fn cstr<'a>(p: *const c_char) -> Option<&'a CStr> {
    // SAFETY: a non-null string argument is NUL-terminated per the API contract.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

// ---- dates and clocks ----

/// Writes the date `tm` (NULL: now) in the RFC 1123 form HTTP uses, "Sun, 06 Nov 1994 08:49:37
/// GMT", into `date`, cut to `datelen` bytes including the NUL. The weekday comes from
/// `tm->tm_wday` as given.
///
/// @return the length of the full text (29), or 0 when `datelen` is 0
#[no_mangle]
pub unsafe extern "C" fn evutil_date_rfc1123(date: *mut c_char, datelen: size_t, tm: *const tm) -> c_int {
    // SAFETY: a non-null `tm` is valid per the API contract.
    let tm = match unsafe { tm.as_ref() } {
        Some(t) => *t,
        None => {
            // SAFETY: all-zero is a valid `tm`; time and gmtime_r write into locals.
            unsafe {
                let mut now: tm = std::mem::zeroed();
                let t = libc::time(std::ptr::null_mut());
                libc::gmtime_r(&t, &mut now);
                now
            }
        }
    };
    if date.is_null() || datelen == 0 {
        return 0;
    }
    let s = text::rfc1123(&tm);
    let n = s.len().min(datelen - 1);
    // SAFETY: `date` has room for `datelen` bytes and we write at most that many.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), date.cast::<u8>(), n);
        *date.add(n) = 0;
    }
    s.len() as c_int
}

/// Allocates a monotonic timer; configure it with `evutil_configure_monotonic_time` before
/// use. Returns NULL when out of memory.
#[no_mangle]
pub extern "C" fn evutil_monotonic_timer_new() -> *mut evutil_monotonic_timer {
    mem::boxed(Timer::default()).cast()
}

/// Frees a timer from `evutil_monotonic_timer_new` (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn evutil_monotonic_timer_free(timer: *mut evutil_monotonic_timer) {
    if !timer.is_null() {
        // SAFETY: a non-null timer came from evutil_monotonic_timer_new.
        unsafe { mem::unbox(timer.cast::<Timer>()) }
    }
}

/// Chooses the timer's clock. `flags` may hold `EV_MONOT_PRECISE` (the precise clock rather
/// than the cheaper coarse one) and `EV_MONOT_FALLBACK` (no kernel monotonic clock: the wall
/// clock, never allowed to go backwards).
///
/// @return 0, or -1 when `timer` is NULL
#[no_mangle]
pub unsafe extern "C" fn evutil_configure_monotonic_time(timer: *mut evutil_monotonic_timer, flags: c_int) -> c_int {
    // SAFETY: a non-null timer came from evutil_monotonic_timer_new.
    match unsafe { timer.cast::<Timer>().as_mut() } {
        Some(t) => {
            t.configure(flags);
            0
        }
        None => -1,
    }
}

/// Reads the timer's clock into `*tp`. The value only means something relative to other
/// readings of the same timer.
///
/// @return 0 on success, -1 on failure
#[no_mangle]
pub unsafe extern "C" fn evutil_gettime_monotonic(timer: *mut evutil_monotonic_timer, tp: *mut timeval) -> c_int {
    // SAFETY: non-null arguments are a live timer and a writable timeval.
    let (Some(t), Some(out)) = (unsafe { timer.cast::<Timer>().as_mut() }, unsafe { tp.as_mut() }) else {
        return -1;
    };
    match t.now() {
        Ok(tv) => {
            *out = tv;
            0
        }
        Err(_) => -1,
    }
}

// ---- sockets ----

/// cbindgen:ignore
/// Creates a pair of connected sockets in `sv`, like `socketpair(2)`. Its prototype is raw C
/// (`cbindgen/event2/util.h.tail`): C declares the parameter `evutil_socket_t sv[2]`.
#[no_mangle]
pub unsafe extern "C" fn evutil_socketpair(d: c_int, r#type: c_int, protocol: c_int, sv: *mut evutil_socket_t) -> c_int {
    if sv.is_null() {
        // SAFETY: writing the thread's errno.
        unsafe { *libc::__errno_location() = libc::EINVAL };
        return -1;
    }
    match sock::socketpair(d, r#type, protocol) {
        Ok(pair) => {
            // SAFETY: `sv` has room for two descriptors per the API contract.
            unsafe { std::ptr::copy_nonoverlapping(pair.as_ptr(), sv, 2) };
            0
        }
        Err(_) => -1,
    }
}

fn fcntl_result(sock: evutil_socket_t, r: Result<(), FcntlStep>, get: &str, set: &str) -> c_int {
    match r {
        Ok(()) => 0,
        Err(step) => {
            let op = if step == FcntlStep::Get { get } else { set };
            warn_errno(&format!("fcntl({sock}, {op})"));
            -1
        }
    }
}

/// Makes `sock` non-blocking.
///
/// @return 0 on success, -1 on failure (a warning is logged)
#[no_mangle]
pub extern "C" fn evutil_make_socket_nonblocking(sock: evutil_socket_t) -> c_int {
    fcntl_result(sock, sock::set_nonblocking(sock), "F_GETFL", "F_SETFL")
}

/// Lets a listening socket bind its address again at once after it is closed
/// (`SO_REUSEADDR`).
///
/// @return 0 on success, -1 on failure
#[no_mangle]
pub extern "C" fn evutil_make_listen_socket_reuseable(sock: evutil_socket_t) -> c_int {
    option_result(sock::set_int_option(sock, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1))
}

/// Lets several sockets listen on the same address and port (`SO_REUSEPORT`).
///
/// @return 0 on success, -1 on failure
#[no_mangle]
pub extern "C" fn evutil_make_listen_socket_reuseable_port(sock: evutil_socket_t) -> c_int {
    option_result(sock::set_int_option(sock, libc::SOL_SOCKET, libc::SO_REUSEPORT, 1))
}

/// Makes an IPv6 listening socket accept IPv6 connections only (`IPV6_V6ONLY`).
///
/// @return 0 on success, -1 on failure
#[no_mangle]
pub extern "C" fn evutil_make_listen_socket_ipv6only(sock: evutil_socket_t) -> c_int {
    option_result(sock::set_int_option(sock, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1))
}

/// Makes `sock` close when the process execs another program (`FD_CLOEXEC`).
///
/// @return 0 on success, -1 on failure (a warning is logged)
#[no_mangle]
pub extern "C" fn evutil_make_socket_closeonexec(sock: evutil_socket_t) -> c_int {
    fcntl_result(sock, sock::set_cloexec(sock), "F_GETFD", "F_SETFD")
}

/// Closes a socket.
///
/// @return 0 on success, -1 on failure
#[no_mangle]
pub extern "C" fn evutil_closesocket(sock: evutil_socket_t) -> c_int {
    option_result(sock::close(sock))
}

/// Asks the kernel to hand a listening TCP socket's connections over only once the client
/// has sent data (`TCP_DEFER_ACCEPT`); for protocols where the client speaks first.
///
/// @return 0 on success, -1 on failure
#[no_mangle]
pub extern "C" fn evutil_make_tcp_listen_socket_deferred(sock: evutil_socket_t) -> c_int {
    option_result(sock::set_int_option(sock, libc::IPPROTO_TCP, libc::TCP_DEFER_ACCEPT, 1))
}

fn option_result(r: std::io::Result<()>) -> c_int {
    if r.is_ok() {
        0
    } else {
        -1
    }
}

// ---- numbers and strings ----

/// Parses a 64-bit integer, with the arguments and results of `strtoll(3)`.
#[no_mangle]
pub unsafe extern "C" fn evutil_strtoll(s: *const c_char, endptr: *mut *mut c_char, base: c_int) -> ev_int64_t {
    // SAFETY: same contract as strtoll.
    unsafe { libc::strtoll(s, endptr, base) }
}

/// Compares two strings ignoring the case of ASCII letters, whatever the locale.
///
/// @return less than, equal to or greater than 0, as `strcmp`
#[no_mangle]
pub unsafe extern "C" fn evutil_ascii_strcasecmp(str1: *const c_char, str2: *const c_char) -> c_int {
    // SAFETY: valid NUL-terminated strings per the API contract.
    unsafe { evutil_ascii_strncasecmp(str1, str2, usize::MAX) }
}

/// As `evutil_ascii_strcasecmp`, looking at no more than `n` characters.
#[no_mangle]
pub unsafe extern "C" fn evutil_ascii_strncasecmp(str1: *const c_char, str2: *const c_char, n: size_t) -> c_int {
    if str1.is_null() || str2.is_null() {
        return 0;
    }
    // Byte by byte, as strncmp: neither string is read past its NUL or its `n`th byte, so a
    // caller may compare the first `n` bytes of unterminated data.
    for i in 0..n {
        // SAFETY: the bytes before the first NUL and before index `n` are readable.
        let (ca, cb) = unsafe { (*str1.add(i) as u8, *str2.add(i) as u8) };
        let order = text::ascii_case_order(ca, cb);
        if order != 0 || ca == 0 {
            return order;
        }
    }
    0
}

// ---- addresses ----

/// Writes the text form of the address `src` of family `af` (`AF_INET` or `AF_INET6`) into
/// `dst`, `len` bytes long.
///
/// @return `dst`, or NULL when the family is unknown or the text does not fit
#[no_mangle]
pub unsafe extern "C" fn evutil_inet_ntop(af: c_int, src: *const c_void, dst: *mut c_char, len: size_t) -> *const c_char {
    if src.is_null() || dst.is_null() {
        return null();
    }
    // No address text is longer than 46 bytes: never claim more of the caller's buffer.
    // SAFETY: `dst` has `len` writable bytes per the API contract.
    let out = unsafe { std::slice::from_raw_parts_mut(dst.cast::<u8>(), len.min(64)) };
    let ok = match af {
        libc::AF_INET => {
            // SAFETY: an AF_INET address is 4 readable bytes.
            let a = unsafe { *src.cast::<[u8; 4]>() };
            addr::format_ipv4_into(a, out)
        }
        libc::AF_INET6 => {
            // SAFETY: an AF_INET6 address is 16 readable bytes.
            let a = unsafe { &*src.cast::<[u8; 16]>() };
            addr::format_ipv6_into(a, out)
        }
        _ => false,
    };
    if ok {
        dst
    } else {
        null()
    }
}

/// As `evutil_inet_pton`, also accepting an IPv6 zone ("fe80::1%eth0" or "fe80::1%2"), whose
/// interface index is stored in `*indexp` (0 when there is none).
#[no_mangle]
pub unsafe extern "C" fn evutil_inet_pton_scope(af: c_int, src: *const c_char, dst: *mut c_void, indexp: *mut c_uint) -> c_int {
    // SAFETY: a non-null `indexp` is writable.
    let mut index = unsafe { indexp.as_mut() };
    if let Some(i) = index.as_deref_mut() {
        *i = 0;
    }
    if af != libc::AF_INET6 {
        // SAFETY: same contract.
        return unsafe { evutil_inet_pton(af, src, dst) };
    }
    let (Some(s), false) = (cstr(src), dst.is_null()) else {
        return -1;
    };
    let (a, zone) = match addr::parse_ipv6_scoped(s) {
        Ok(found) => found,
        Err(zone) => {
            if let Some(i) = index {
                *i = zone;
            }
            return 0;
        }
    };
    if let Some(i) = index {
        *i = zone;
    }
    // SAFETY: an AF_INET6 destination has 16 writable bytes.
    unsafe { dst.cast::<[u8; 16]>().write_unaligned(a) };
    1
}

/// Converts the text form of an address of family `af` (`AF_INET` or `AF_INET6`) into binary
/// form in `dst`.
///
/// @return 1 on success, 0 when `src` is not a valid address (`dst` untouched), -1 for an
///   unknown family
#[no_mangle]
pub unsafe extern "C" fn evutil_inet_pton(af: c_int, src: *const c_char, dst: *mut c_void) -> c_int {
    let Some(s) = cstr(src) else { return -1 };
    if dst.is_null() {
        return -1;
    }
    let written = match af {
        libc::AF_INET => addr::parse_ipv4(s.to_bytes()).map(|a| {
            // SAFETY: an AF_INET destination has 4 writable bytes.
            unsafe { dst.cast::<[u8; 4]>().write_unaligned(a) }
        }),
        libc::AF_INET6 => addr::parse_ipv6(s.to_bytes()).map(|a| {
            // SAFETY: an AF_INET6 destination has 16 writable bytes.
            unsafe { dst.cast::<[u8; 16]>().write_unaligned(a) }
        }),
        _ => return -1,
    };
    c_int::from(written.is_some())
}

/// Parses an address with an optional port into `*out`: "[ipv6]:port", "[ipv6]", "ipv6",
/// "ipv4:port" or "ipv4". The port, when given, must be 1 to 65535; without one it is 0.
///
/// @param outlen on input the size of `*out`; on success the size of the address written
///   (`*out` is zeroed over the whole input size first)
/// @return 0 on success, -1 when `str` is not such an address or `*out` is too small
#[no_mangle]
pub unsafe extern "C" fn evutil_parse_sockaddr_port(str: *const c_char, out: *mut sockaddr, outlen: *mut c_int) -> c_int {
    let Some(s) = cstr(str) else { return -1 };
    // SAFETY: a non-null `outlen` is readable and writable.
    let Some(len) = (unsafe { outlen.as_mut() }) else { return -1 };
    if out.is_null() {
        return -1;
    }
    let Some(parsed) = addr::parse_sockaddr_port(s) else { return -1 };
    let room = usize::try_from(*len).unwrap_or(0);
    // SAFETY (both arms): `out` has `*outlen` writable bytes, checked to hold the address.
    match parsed {
        SockAddr::V4 { addr, port } => {
            let size = std::mem::size_of::<sockaddr_in>();
            if room < size {
                return -1;
            }
            unsafe {
                std::ptr::write_bytes(out.cast::<u8>(), 0, room);
                let sin = out.cast::<sockaddr_in>();
                (*sin).sin_family = libc::AF_INET as libc::sa_family_t;
                (*sin).sin_port = port.to_be();
                (*sin).sin_addr.s_addr = u32::from_ne_bytes(addr);
            }
            *len = size as c_int;
        }
        SockAddr::V6 { addr, port, scope } => {
            let size = std::mem::size_of::<sockaddr_in6>();
            if room < size {
                return -1;
            }
            unsafe {
                std::ptr::write_bytes(out.cast::<u8>(), 0, room);
                let sin6 = out.cast::<sockaddr_in6>();
                (*sin6).sin6_family = libc::AF_INET6 as libc::sa_family_t;
                (*sin6).sin6_port = port.to_be();
                (*sin6).sin6_addr.s6_addr = addr;
                (*sin6).sin6_scope_id = scope;
            }
            *len = size as c_int;
        }
    }
    0
}

/// Orders two socket addresses: by family, then address, then (when `include_port` is
/// non-zero) port. Addresses of other families than IPv4 and IPv6 never compare equal.
///
/// @return 0 when equal, less than 0 when `sa1` sorts first, greater than 0 otherwise
#[no_mangle]
pub unsafe extern "C" fn evutil_sockaddr_cmp(sa1: *const sockaddr, sa2: *const sockaddr, include_port: c_int) -> c_int {
    // SAFETY: both are valid socket addresses of the size their family implies.
    unsafe {
        let (f1, f2) = (c_int::from((*sa1).sa_family), c_int::from((*sa2).sa_family));
        if f1 != f2 {
            return f1 - f2;
        }
        let port_diff = |p1: u16, p2: u16| if include_port != 0 { c_int::from(p1) - c_int::from(p2) } else { 0 };
        match f1 {
            libc::AF_INET => {
                let (a, b) = (&*sa1.cast::<sockaddr_in>(), &*sa2.cast::<sockaddr_in>());
                let (x, y) = (u32::from_be(a.sin_addr.s_addr), u32::from_be(b.sin_addr.s_addr));
                match x.cmp(&y) {
                    std::cmp::Ordering::Less => -1,
                    std::cmp::Ordering::Greater => 1,
                    std::cmp::Ordering::Equal => port_diff(a.sin_port, b.sin_port),
                }
            }
            libc::AF_INET6 => {
                let (a, b) = (&*sa1.cast::<sockaddr_in6>(), &*sa2.cast::<sockaddr_in6>());
                let first_diff = a.sin6_addr.s6_addr.iter().zip(b.sin6_addr.s6_addr.iter()).find(|(x, y)| x != y);
                match first_diff {
                    Some((x, y)) => c_int::from(*x) - c_int::from(*y),
                    None => port_diff(a.sin6_port, b.sin6_port),
                }
            }
            _ => 1,
        }
    }
}

// ---- name lookup ----

/// Resolves a host and/or service name like `getaddrinfo(3)` (this is the system's resolver;
/// see evdns_getaddrinfo for a non-blocking one). `hints_in` may be NULL.
///
/// @return 0 with the list in `*res` (free it with `evutil_freeaddrinfo`), or an
///   `EVUTIL_EAI_*` error
#[no_mangle]
pub unsafe extern "C" fn evutil_getaddrinfo(
    nodename: *const c_char,
    servname: *const c_char,
    hints_in: *const evutil_addrinfo,
    res: *mut *mut evutil_addrinfo,
) -> c_int {
    if res.is_null() {
        return libc::EAI_SYSTEM;
    }
    // SAFETY: arguments valid per the API contract; `res` checked.
    unsafe { addrinfo::getaddrinfo(nodename, servname, hints_in, res) }
}

/// Frees a list returned by `evutil_getaddrinfo` or `evdns_getaddrinfo`.
#[no_mangle]
pub unsafe extern "C" fn evutil_freeaddrinfo(ai: *mut evutil_addrinfo) {
    // SAFETY: `ai` is NULL or a list from those functions.
    unsafe { addrinfo::freeaddrinfo(ai) }
}

/// A description of an `EVUTIL_EAI_*` error code.
#[no_mangle]
pub extern "C" fn evutil_gai_strerror(err: c_int) -> *const c_char {
    addrinfo::gai_strerror(err).as_ptr()
}

// ---- secure random numbers ----

/// Fills `buf` with `n` cryptographically secure random bytes from the kernel.
#[no_mangle]
pub unsafe extern "C" fn evutil_secure_rng_get_bytes(buf: *mut c_void, n: size_t) {
    if buf.is_null() || n == 0 {
        return;
    }
    // SAFETY: `buf` has `n` writable bytes per the API contract.
    rng::fill(unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), n) });
}

/// Prepares the random number generator. The kernel's generator needs no seeding, so this
/// always succeeds; call it anyway before chroot() or dropping privileges, as libevent asks.
///
/// @return 0
#[no_mangle]
pub extern "C" fn evutil_secure_rng_init() -> c_int {
    0
}

/// Names a device to seed the generator from. This library never reads one (nor did
/// libevent 2.1 built on a C library with arc4random), so the call has no effect.
///
/// @return -1
#[no_mangle]
pub extern "C" fn evutil_secure_rng_set_urandom_device_file(fname: *mut c_char) -> c_int {
    let _ = fname;
    -1
}

/// Mixes extra bytes into the generator. The kernel's generator takes no input from here, so
/// the call has no effect.
#[no_mangle]
pub extern "C" fn evutil_secure_rng_add_bytes(dat: *const c_char, datlen: size_t) {
    let _ = (dat, datlen);
}

// ---- internals libevent exports without a header ----

/// cbindgen:ignore
/// Part of libevent's debug-mode hash table (exported, in no header). Does nothing here: the
/// debug map is ours.
#[no_mangle]
pub extern "C" fn event_debug_map_HT_CLEAR(head: *mut c_void) {
    let _ = head;
}

/// cbindgen:ignore
/// Part of libevent's debug-mode hash table (exported, in no header). Does nothing here and
/// reports success.
#[no_mangle]
pub extern "C" fn event_debug_map_HT_GROW(head: *mut c_void, size: c_uint) -> c_int {
    let _ = (head, size);
    0
}
