//! Socket option helpers behind `evutil_make_socket_*` and friends: thin wrappers over the
//! system calls (plain descriptors, which may be invalid: errors come back as `io::Error`).

use libc::c_int;
use std::io;
use std::os::fd::RawFd;

fn check(r: c_int) -> io::Result<c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Which `fcntl` step failed, for the warning libevent logs ("fcntl(5, F_GETFL)").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FcntlStep {
    Get,
    Set,
}

/// Sets `O_NONBLOCK` on `fd` (no `F_SETFL` call when it is already set).
pub fn set_nonblocking(fd: RawFd) -> Result<(), FcntlStep> {
    // SAFETY: fcntl on an arbitrary descriptor only reports EBADF if it is not open.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(FcntlStep::Get);
    }
    if flags & libc::O_NONBLOCK == 0 {
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
            return Err(FcntlStep::Set);
        }
    }
    Ok(())
}

/// Sets `FD_CLOEXEC` on `fd` (no `F_SETFD` call when it is already set).
pub fn set_cloexec(fd: RawFd) -> Result<(), FcntlStep> {
    // SAFETY: fcntl on an arbitrary descriptor only reports EBADF if it is not open.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags < 0 {
        return Err(FcntlStep::Get);
    }
    if flags & libc::FD_CLOEXEC == 0 {
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) } < 0 {
            return Err(FcntlStep::Set);
        }
    }
    Ok(())
}

/// `setsockopt(fd, level, name, &1, sizeof(int))`.
pub fn set_int_option(fd: RawFd, level: c_int, name: c_int, value: c_int) -> io::Result<()> {
    // SAFETY: the option value is a live int of the length given.
    check(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const c_int).cast(),
            std::mem::size_of::<c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// A connected pair of sockets, as `socketpair(2)` makes it (no flags added).
pub fn socketpair(domain: c_int, ty: c_int, protocol: c_int) -> io::Result<[RawFd; 2]> {
    let mut fds = [-1 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors.
    check(unsafe { libc::socketpair(domain, ty, protocol, fds.as_mut_ptr()) })?;
    Ok(fds)
}

/// `close(2)`.
pub fn close(fd: RawFd) -> io::Result<()> {
    // SAFETY: the caller gives up `fd`; closing an invalid one only reports EBADF.
    check(unsafe { libc::close(fd) }).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_pairs() {
        let [a, b] = socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0).unwrap();
        // SAFETY: plain fcntl queries on descriptors we own.
        unsafe {
            assert_eq!(libc::fcntl(a, libc::F_GETFL) & libc::O_NONBLOCK, 0);
            assert_eq!(libc::fcntl(a, libc::F_GETFD) & libc::FD_CLOEXEC, 0);
            set_nonblocking(a).unwrap();
            set_cloexec(a).unwrap();
            assert_ne!(libc::fcntl(a, libc::F_GETFL) & libc::O_NONBLOCK, 0);
            assert_ne!(libc::fcntl(a, libc::F_GETFD) & libc::FD_CLOEXEC, 0);
        }
        set_nonblocking(a).unwrap();
        close(a).unwrap();
        close(b).unwrap();
        assert_eq!(set_nonblocking(-1), Err(FcntlStep::Get));
        assert_eq!(set_cloexec(-1), Err(FcntlStep::Get));
        assert!(close(-1).is_err());
        assert!(set_int_option(-1, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1).is_err());
    }
}
