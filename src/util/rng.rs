//! The secure random number source of `evutil_secure_rng_*`: the kernel's CSPRNG through
//! getrandom(2), which needs neither seeding nor a device file.

use std::io::Read;

/// Fills `buf` with cryptographically secure random bytes.
pub fn fill(buf: &mut [u8]) {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: `rest` is writable for its whole length.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n > 0 {
            done += n as usize;
            continue;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        // No getrandom (a very old kernel): the device every Linux has.
        if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
            if f.read_exact(rest).is_ok() {
                return;
            }
        }
        panic!("no source of secure random bytes: {err}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_everything() {
        let mut a = [0u8; 256];
        let mut b = [0u8; 256];
        super::fill(&mut a);
        super::fill(&mut b);
        assert_ne!(a, b);
        assert!(a.iter().filter(|&&x| x != 0).count() > 200);
        super::fill(&mut []);
    }
}
