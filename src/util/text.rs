//! Locale-independent string helpers: ASCII case-insensitive comparison and RFC 1123 dates.

/// ASCII lowercase of a C `char` (signed on this platform).
fn lower(c: u8) -> i8 {
    c.to_ascii_lowercase() as i8
}

/// The order of two C characters ignoring ASCII case: -1, 0 or 1. Bytes compare as C's signed
/// `char`, as libevent's do (so 0xff sorts before 0x01).
pub fn ascii_case_order(ca: u8, cb: u8) -> i32 {
    let (la, lb) = (lower(ca), lower(cb));
    (la > lb) as i32 - (la < lb) as i32
}

/// Compares two byte strings ignoring ASCII case, looking at no more than `n` bytes; the strings
/// end at their first NUL or their end. Returns -1, 0 or 1.
pub fn ascii_casecmp(a: &[u8], b: &[u8], n: usize) -> i32 {
    for i in 0..n {
        let ca = a.get(i).copied().unwrap_or(0);
        let cb = b.get(i).copied().unwrap_or(0);
        let order = ascii_case_order(ca, cb);
        if order != 0 || ca == 0 {
            return order;
        }
    }
    0
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The RFC 1123 form of a broken-down UTC time ("Sun, 06 Nov 1994 08:49:37 GMT"), taking the
/// weekday from `tm_wday` as given. Out-of-range weekday or month numbers print as "???"
/// (libevent reads outside its name tables there).
pub fn rfc1123(tm: &libc::tm) -> String {
    let day = usize::try_from(tm.tm_wday).ok().and_then(|i| DAYS.get(i)).unwrap_or(&"???");
    let month = usize::try_from(tm.tm_mon).ok().and_then(|i| MONTHS.get(i)).unwrap_or(&"???");
    format!(
        "{day}, {:02} {month} {:4} {:02}:{:02}:{:02} GMT",
        tm.tm_mday,
        i64::from(tm.tm_year) + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casecmp() {
        assert_eq!(ascii_casecmp(b"abc\0", b"ABC\0", usize::MAX), 0);
        assert_eq!(ascii_casecmp(b"abc\0", b"abd\0", usize::MAX), -1);
        assert_eq!(ascii_casecmp(b"ab\0", b"abc\0", usize::MAX), -1);
        assert_eq!(ascii_casecmp(b"Z\0", b"a\0", usize::MAX), 1);
        assert_eq!(ascii_casecmp(b"a\xff\0", b"a\x01\0", usize::MAX), -1);
        assert_eq!(ascii_casecmp(b"\xe9\0", b"\xc9\0", usize::MAX), 1);
        assert_eq!(ascii_casecmp(b"abc\0", b"abd\0", 2), 0);
        assert_eq!(ascii_casecmp(b"x\0", b"y\0", 0), 0);
        assert_eq!(ascii_casecmp(b"@\0", b"`\0", 9), -1);
    }

    #[test]
    fn date() {
        // SAFETY: an all-zero `tm` is a valid value.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        tm.tm_year = 94;
        tm.tm_mon = 10;
        tm.tm_mday = 6;
        tm.tm_hour = 8;
        tm.tm_min = 49;
        tm.tm_sec = 37;
        assert_eq!(rfc1123(&tm), "Sun, 06 Nov 1994 08:49:37 GMT");
        tm.tm_wday = 3;
        tm.tm_year = -1899;
        assert_eq!(rfc1123(&tm), "Wed, 06 Nov    1 08:49:37 GMT");
        tm.tm_mon = 12;
        assert!(rfc1123(&tm).contains("???"));
    }
}
