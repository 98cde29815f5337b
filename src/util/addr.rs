//! Text ↔ binary for IPv4/IPv6 addresses and socket addresses, with the exact acceptance rules
//! of libevent 2.1's `evutil_inet_pton`, `evutil_inet_ntop` and `evutil_parse_sockaddr_port`
//! (which are not the C library's: e.g. `"01.2.3.4"`, `" 1.2.3.4"` and `"1::2:"` are accepted).

use std::ffi::CStr;

/// Emulates one `%u` conversion of the C library's `scanf` at the start of `s`: optional white
/// space, an optional sign, at least one decimal digit. The value behaves like `strtoul`'s
/// (saturating at `u64::MAX`, negated modulo 2^64 after a `-`) cut to 32 bits. Returns the value
/// and the number of bytes consumed.
fn scan_u32(s: &[u8]) -> Option<(u32, usize)> {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let digits_start = i;
    let mut value: u64 = 0;
    let mut overflow = false;
    while i < s.len() && s[i].is_ascii_digit() {
        match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(s[i] - b'0'))) {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    let value = if overflow {
        u64::MAX
    } else if negative {
        value.wrapping_neg()
    } else {
        value
    };
    Some((value as u32, i))
}

/// A dotted quad as libevent reads it: four `%u` conversions separated by single dots, each at
/// most 255, and nothing after the last one.
pub fn parse_ipv4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut pos = 0;
    for (k, byte) in out.iter_mut().enumerate() {
        if k > 0 {
            if s.get(pos) != Some(&b'.') {
                return None;
            }
            pos += 1;
        }
        let (v, used) = scan_u32(&s[pos..])?;
        if v > 255 {
            return None;
        }
        *byte = v as u8;
        pos += used;
    }
    (pos == s.len()).then_some(out)
}

/// Emulates `strtol(s, &end, 16)` where `s[0]` is a hex digit: an optional `0x` prefix (only
/// when a hex digit follows it), then every hex digit. Returns (value, bytes consumed); the
/// value saturates, which only matters for inputs rejected by their length anyway.
fn scan_hex(s: &[u8]) -> (u32, usize) {
    let mut i = 0;
    if s.len() > 2 && s[0] == b'0' && (s[1] | 0x20) == b'x' && s[2].is_ascii_hexdigit() {
        i = 2;
    }
    let mut value: u32 = 0;
    while i < s.len() && s[i].is_ascii_hexdigit() {
        let d = (s[i] as char).to_digit(16).unwrap();
        value = value.saturating_mul(16).saturating_add(d);
        i += 1;
    }
    (value, i)
}

/// An IPv6 address as libevent reads it (no zone). Groups of one to four hex digits separated by
/// colons, at most one `::`, optionally ending in a dotted quad; a single trailing colon after a
/// group is tolerated (`"1::2:"`), as is a `0x` prefix on a group of at most four characters.
pub fn parse_ipv6(s: &[u8]) -> Option<[u8; 16]> {
    let mut words = [0u16; 8];
    let mut tail_v4: Option<[u8; 4]> = None;
    // Where the colon-separated groups end: the start of a trailing dotted quad, if any.
    let mut end = s.len();
    if let Some(dot) = s.iter().position(|&c| c == b'.') {
        if dot == 0 {
            return None;
        }
        let mut start = dot;
        while start > 0 && s[start - 1].is_ascii_digit() {
            start -= 1;
        }
        tail_v4 = Some(parse_ipv4(&s[start..])?);
        end = start;
    }

    let mut n = 0usize; // groups parsed before the dotted quad
    let mut gap: Option<usize> = None;
    let mut pos = 0usize;
    while pos < end {
        if n > 7 {
            return None;
        }
        if s[pos].is_ascii_hexdigit() {
            // The group may run past `end` (hex digits of the dotted part): then what follows
            // it is not a colon and the address is rejected, as libevent does.
            let (value, used) = scan_hex(&s[pos..]);
            if used > 4 {
                return None;
            }
            words[n] = value as u16;
            n += 1;
            pos += used;
            if pos != end && s.get(pos) != Some(&b':') {
                return None;
            }
            pos += 1;
        } else if s[pos] == b':' && n > 0 && gap.is_none() {
            gap = Some(n);
            pos += 1;
        } else if s[pos] == b':' && n == 0 && s.get(pos + 1) == Some(&b':') && gap.is_none() {
            gap = Some(0);
            pos += 2;
        } else {
            return None;
        }
    }

    let total = n + if tail_v4.is_some() { 2 } else { 0 };
    match gap {
        None if total != 8 => return None,
        Some(_) if total >= 8 => return None,
        _ => {}
    }
    let mut full = [0u16; 8];
    let zeros = 8 - total;
    let split = gap.unwrap_or(n);
    full[..split].copy_from_slice(&words[..split]);
    full[split + zeros..split + zeros + (n - split)].copy_from_slice(&words[split..n]);
    let mut out = [0u8; 16];
    for (k, w) in full.iter().enumerate() {
        out[2 * k..2 * k + 2].copy_from_slice(&w.to_be_bytes());
    }
    if let Some(v4) = tail_v4 {
        out[12..].copy_from_slice(&v4);
    }
    Some(out)
}

/// An IPv6 address with an optional `%zone` (an interface name, else a decimal number as
/// `strtoul` reads it). Returns the address and the zone's index (0 without a zone); `Err(zone)`
/// when the address is invalid after a valid zone was read, `Err(0)` otherwise — libevent sets
/// the caller's index before parsing the address.
pub fn parse_ipv6_scoped(s: &CStr) -> Result<([u8; 16], u32), u32> {
    let bytes = s.to_bytes();
    let Some(pct) = bytes.iter().position(|&c| c == b'%') else {
        return parse_ipv6(bytes).map(|a| (a, 0)).ok_or(0);
    };
    // SAFETY: the zone is the tail of a NUL-terminated string.
    let zone = unsafe { s.as_ptr().add(pct + 1) };
    // SAFETY: `zone` is NUL-terminated.
    let mut index = unsafe { libc::if_nametoindex(zone) };
    if index == 0 {
        let mut end: *mut libc::c_char = std::ptr::null_mut();
        // SAFETY: `zone` is NUL-terminated; strtoul only reads it and sets `end` inside it.
        let v = unsafe { libc::strtoul(zone, &mut end, 10) };
        // SAFETY: `end` points into the zone string.
        if unsafe { *end } != 0 {
            return Err(0);
        }
        index = v as u32;
    }
    parse_ipv6(&bytes[..pct]).map(|a| (a, index)).ok_or(index)
}

/// Writes `text` into `dst` as `snprintf` would (cut to `dst.len() - 1` bytes plus a NUL).
fn copy_truncated(text: &[u8], dst: &mut [u8]) {
    if let Some(room) = dst.len().checked_sub(1) {
        let n = text.len().min(room);
        dst[..n].copy_from_slice(&text[..n]);
        dst[n] = 0;
    }
}

/// `evutil_inet_ntop` for IPv4: the dotted quad; `None` when it does not fit with its NUL (the
/// buffer then holds as much as fits, as libevent leaves it).
pub fn format_ipv4_into(addr: [u8; 4], dst: &mut [u8]) -> bool {
    let text = format!("{}.{}.{}.{}", addr[0], addr[1], addr[2], addr[3]);
    copy_truncated(text.as_bytes(), dst);
    text.len() < dst.len()
}

/// The text of an IPv6 address as libevent writes it: lowercase hex groups, the first longest
/// run of two or more zero groups as `::`, and a dotted quad for IPv4-mapped (`::ffff:a.b.c.d`)
/// and IPv4-compatible (`::a.b.c.d`, both halves non-zero) addresses.
pub fn ipv6_text(addr: &[u8; 16]) -> String {
    let w: Vec<u16> = addr.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
    if w[..5].iter().all(|&x| x == 0) && ((w[5] == 0 && w[6] != 0 && w[7] != 0) || w[5] == 0xffff) {
        let prefix = if w[5] == 0xffff { "::ffff:" } else { "::" };
        return format!("{prefix}{}.{}.{}.{}", addr[12], addr[13], addr[14], addr[15]);
    }
    // The first longest run of zero groups.
    let (mut best_start, mut best_len) = (0usize, 0usize);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best_start = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let hex = |ws: &[u16]| ws.iter().map(|x| format!("{x:x}")).collect::<Vec<_>>().join(":");
    if best_len < 2 {
        return hex(&w);
    }
    format!("{}::{}", hex(&w[..best_start]), hex(&w[best_start + best_len..]))
}

/// `evutil_inet_ntop` for IPv6: `false` (buffer untouched) when the text is longer than the
/// buffer; otherwise the text, cut to fit with its NUL. (libevent's test is "longer than", so a
/// text exactly as long as the buffer comes back cut by one character.)
pub fn format_ipv6_into(addr: &[u8; 16], dst: &mut [u8]) -> bool {
    let text = ipv6_text(addr);
    if text.len() > dst.len() {
        return false;
    }
    copy_truncated(text.as_bytes(), dst);
    true
}

/// What `evutil_parse_sockaddr_port` found.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum SockAddr {
    V4 { addr: [u8; 4], port: u16 },
    V6 { addr: [u8; 16], port: u16, scope: u32 },
}

/// The longest address part (between brackets, or before a port) libevent copies aside.
const MAX_ADDR_TEXT: usize = 127;

/// `atoi`: optional white space and sign, decimal digits, wrapping like `(int)strtol(...)`.
fn atoi(s: &[u8]) -> i32 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let mut value: i64 = 0;
    let mut saturated = false;
    while i < s.len() && s[i].is_ascii_digit() {
        match value.checked_mul(10).and_then(|v| v.checked_add(i64::from(s[i] - b'0'))) {
            Some(v) => value = v,
            None => saturated = true,
        }
        i += 1;
    }
    let value = match (saturated, negative) {
        (true, false) => i64::MAX,
        (true, true) => i64::MIN,
        (false, true) => -value,
        (false, false) => value,
    };
    value as i32
}

/// Parses the forms `evutil_parse_sockaddr_port` accepts: `[ipv6]:port`, `[ipv6]`, `ipv6`
/// (two or more colons, no port), `ipv4:port` and `ipv4`. A given port must be 1..=65535 as
/// `atoi` reads it (so `"1.2.3.4:80x"` is port 80); text after `]` that does not start with `:`
/// is ignored. IPv6 addresses may carry a `%zone`.
pub fn parse_sockaddr_port(s: &CStr) -> Option<SockAddr> {
    let bytes = s.to_bytes();
    let (addr_text, port_text, bracketed): (&[u8], Option<&[u8]>, bool) = if bytes.first() == Some(&b'[') {
        let close = bytes.iter().position(|&c| c == b']')?;
        let rest = &bytes[close + 1..];
        let port = rest.strip_prefix(b":");
        (&bytes[1..close], port, true)
    } else {
        match bytes.iter().position(|&c| c == b':') {
            Some(colon) if !bytes[colon + 1..].contains(&b':') => {
                (&bytes[..colon], Some(&bytes[colon + 1..]), false)
            }
            _ => (bytes, None, false),
        }
    };
    let port = match port_text {
        Some(p) => {
            let v = atoi(p);
            if !(1..=65535).contains(&v) {
                return None;
            }
            v as u16
        }
        None => 0,
    };
    // libevent copies the address part aside (into a fixed buffer) whenever it is not the whole
    // input; a longer part is refused.
    let whole = addr_text.len() == bytes.len();
    if !whole && addr_text.len() > MAX_ADDR_TEXT {
        return None;
    }
    let addr_c = std::ffi::CString::new(addr_text).ok()?;
    if let Ok((addr, scope)) = parse_ipv6_scoped(&addr_c) {
        return Some(SockAddr::V6 { addr, port, scope });
    }
    if bracketed {
        return None;
    }
    parse_ipv4(addr_text).map(|addr| SockAddr::V4 { addr, port })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    fn v4(s: &str) -> Option<[u8; 4]> {
        parse_ipv4(s.as_bytes())
    }
    fn v6(s: &str) -> Option<String> {
        parse_ipv6(s.as_bytes()).map(|a| std::net::Ipv6Addr::from(a).to_string())
    }
    fn sa(s: &str) -> Option<SockAddr> {
        parse_sockaddr_port(&CString::new(s).unwrap())
    }

    #[test]
    fn ipv4_rules() {
        assert_eq!(v4("1.2.3.4"), Some([1, 2, 3, 4]));
        assert_eq!(v4("01.2.3.004"), Some([1, 2, 3, 4]));
        assert_eq!(v4(" 1. 2.+3.4"), Some([1, 2, 3, 4]));
        assert_eq!(v4("-0.1.1.1"), Some([0, 1, 1, 1]));
        assert_eq!(v4("4294967297.1.1.1"), Some([1, 1, 1, 1]));
        for bad in ["", "1.2.3", "1.2.3.4.5", "1.2.3.4 ", "256.0.0.0", "-1.1.1.1", "1..2.3", "0x1.2.3.4",
            "1.2.3.0x4", "2147483648.1.1.1", "18446744073709551617.1.1.1", "1 .2.3.4"] {
            assert_eq!(v4(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ipv6_rules() {
        for (text, want) in [
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
            ("1::2:", "1::2"),
            ("::1:", "::1"),
            ("1:2:3:4:5:6:7:8:", "1:2:3:4:5:6:7:8"),
            ("0x1::", "1::"),
            ("::ffff:01.02.03.004", "::ffff:1.2.3.4"),
            ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
            ("::1. 2.3.4", "::102:304"),
            ("::0:0:0:0:0:0:0", "::"),
        ] {
            assert_eq!(v6(text).as_deref(), Some(want), "{text:?}");
        }
        for bad in ["", ":", ":::", "1:", ":1::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
            "1:2:3:4:5:6:7::8", "00000::1", "12345::", "g::", "1: 2::", "1.2.3.4", "a1.2.3.4", "::a1.2.3.4",
            "::1.2.3.4 ", "::1.2.3.4:5", ".1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%lo", "0x::"] {
            assert_eq!(v6(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ipv6_text_rules() {
        let t = |s: &str| ipv6_text(&s.parse::<std::net::Ipv6Addr>().unwrap().octets());
        assert_eq!(t("1:0:0:1:0:0:0:1"), "1:0:0:1::1");
        assert_eq!(t("1:1:0:0:1:1:0:0"), "1:1::1:1:0:0");
        assert_eq!(t("1:0:1:1:1:1:1:1"), "1:0:1:1:1:1:1:1");
        assert_eq!(t("::1"), "::1");
        assert_eq!(t("::"), "::");
        assert_eq!(t("::102:304"), "::1.2.3.4");
        assert_eq!(t("::102:0"), "::102:0");
        assert_eq!(t("::ffff:0:0"), "::ffff:0.0.0.0");
        assert_eq!(t("::ffff:0:102:304"), "::ffff:0:102:304");
        assert_eq!(t("0:1::"), "0:1::");
        let mut buf = [b'Z'; 15];
        assert!(format_ipv6_into(&t_addr("1:2:3:4:5:6:7:8"), &mut buf));
        assert_eq!(&buf[..], b"1:2:3:4:5:6:7:\0");
        let mut small = [b'Z'; 14];
        assert!(!format_ipv6_into(&t_addr("1:2:3:4:5:6:7:8"), &mut small));
        assert_eq!(small, [b'Z'; 14]);
        let mut b4 = [b'Z'; 7];
        assert!(!format_ipv4_into([1, 2, 3, 4], &mut b4));
        assert_eq!(&b4, b"1.2.3.\0");
    }

    fn t_addr(s: &str) -> [u8; 16] {
        s.parse::<std::net::Ipv6Addr>().unwrap().octets()
    }

    #[test]
    fn sockaddr_forms() {
        assert_eq!(sa("1.2.3.4"), Some(SockAddr::V4 { addr: [1, 2, 3, 4], port: 0 }));
        assert_eq!(sa("1.2.3.4:80"), Some(SockAddr::V4 { addr: [1, 2, 3, 4], port: 80 }));
        assert_eq!(sa("1.2.3.4:80x"), Some(SockAddr::V4 { addr: [1, 2, 3, 4], port: 80 }));
        assert_eq!(sa("1.2.3.4:4294967376"), Some(SockAddr::V4 { addr: [1, 2, 3, 4], port: 80 }));
        let lo = t_addr("::1");
        assert_eq!(sa("[::1]:8080"), Some(SockAddr::V6 { addr: lo, port: 8080, scope: 0 }));
        assert_eq!(sa("[::1]"), Some(SockAddr::V6 { addr: lo, port: 0, scope: 0 }));
        assert_eq!(sa("[::1]x"), Some(SockAddr::V6 { addr: lo, port: 0, scope: 0 }));
        assert_eq!(sa("[::1]:80:90"), Some(SockAddr::V6 { addr: lo, port: 80, scope: 0 }));
        assert_eq!(sa("::1:80"), Some(SockAddr::V6 { addr: t_addr("::1:80"), port: 0, scope: 0 }));
        assert_eq!(sa("[fe80::1%7]:5"), Some(SockAddr::V6 { addr: t_addr("fe80::1"), port: 5, scope: 7 }));
        for bad in ["", ":80", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:abc",
            "[1.2.3.4]:5", "[::1", "[::1]:", "[::1]:0", "1:2", "localhost:80", "1.2.3.4:80:90", "[]:80"] {
            assert_eq!(sa(bad), None, "{bad:?}");
        }
        let long = format!("{}1.2.3.4", "0".repeat(120));
        assert!(sa(&format!("{long}:80")).is_some());
        let longer = format!("{}1.2.3.4", "0".repeat(121));
        assert!(sa(&format!("{longer}:80")).is_none());
        assert!(sa(&longer).is_some());
    }
}
