//! The seam between the loop and the kernel's readiness APIs: epoll (through mio), poll(2) and
//! select(2), chosen in that order of preference as libevent does.
//!
//! Each backend is split in two: the interest table ([`Interest`]) that `event_add`/`event_del`
//! change under the base lock from any thread, and the [`Waiter`] that only the loop's thread
//! touches, without the lock, while it blocks. epoll interest lives in the kernel, so other threads
//! can change it while the loop waits; poll's table is copied into the waiter before each wait.
//!
//! mio registers edge-triggered only, but libevent's events are level-triggered unless `EV_ET`.
//! Re-checking readiness in user space would cost a syscall per event per iteration, so mio owns
//! the epoll instance and we register interest ourselves with `epoll_ctl` on its fd:
//! level-triggered by default, `EPOLLET` for `EV_ET` events. We also call `epoll_wait` on it
//! directly, because mio's `Event` does not expose the raw bits that decide between libevent's
//! `EV_CLOSED` and `EV_READ|EV_WRITE` (a hang-up with or without `EPOLLRDHUP`). That is the same
//! number of syscalls as libevent.

use crate::capi::event_defs::{EV_CLOSED, EV_READ, EV_WRITE};
use crate::util::log;
use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Method {
    Epoll,
    Poll,
    Select,
}

impl Method {
    /// In order of preference, as libevent chooses.
    pub const ALL: [Method; 3] = [Method::Epoll, Method::Poll, Method::Select];

    pub fn name(self) -> &'static CStr {
        match self {
            Method::Epoll => c"epoll",
            Method::Poll => c"poll",
            Method::Select => c"select",
        }
    }

    /// The `EVENT_NO*` variable that disables the method.
    pub fn env_var(self) -> &'static str {
        match self {
            Method::Epoll => "EVENT_NOEPOLL",
            Method::Poll => "EVENT_NOPOLL",
            Method::Select => "EVENT_NOSELECT",
        }
    }

    /// `EV_FEATURE_*` mask.
    pub fn features(self) -> i32 {
        match self {
            // ET | O1 | EARLY_CLOSE
            Method::Epoll => 0x01 | 0x02 | 0x08,
            // FDS
            Method::Poll | Method::Select => 0x04,
        }
    }
}

const EPOLL_MAX_EVENTS: usize = 4096;
const EPOLL_INITIAL_EVENTS: usize = 32;

/// The interest table: what each fd is registered for (select shares poll's table).
pub enum Interest {
    Epoll { epfd: RawFd },
    Poll { fds: Vec<libc::pollfd>, slot: Vec<u32> },
}

/// The loop thread's side: the blocking wait and its results.
pub enum Waiter {
    Epoll { poll: mio::Poll, events: Vec<libc::epoll_event>, nready: usize },
    Poll { scratch: Vec<libc::pollfd>, nready: usize },
    /// Bitmaps sized for the highest fd, so fds past `FD_SETSIZE` work too.
    Select { scratch: Vec<libc::pollfd>, read: Vec<u64>, write: Vec<u64>, nready: usize },
}

pub fn open(method: Method) -> io::Result<(Interest, Box<Waiter>)> {
    match method {
        Method::Epoll => {
            let poll = mio::Poll::new()?;
            let epfd = poll.as_raw_fd();
            let events = vec![libc::epoll_event { events: 0, u64: 0 }; EPOLL_INITIAL_EVENTS];
            Ok((Interest::Epoll { epfd }, Box::new(Waiter::Epoll { poll, events, nready: 0 })))
        }
        Method::Poll => Ok((
            Interest::Poll { fds: Vec::new(), slot: Vec::new() },
            Box::new(Waiter::Poll { scratch: Vec::new(), nready: 0 }),
        )),
        Method::Select => Ok((
            Interest::Poll { fds: Vec::new(), slot: Vec::new() },
            Box::new(Waiter::Select { scratch: Vec::new(), read: Vec::new(), write: Vec::new(), nready: 0 }),
        )),
    }
}

fn epoll_mask(ev: i16, et: bool) -> u32 {
    let mut m = 0u32;
    if ev & EV_READ != 0 {
        m |= libc::EPOLLIN as u32;
    }
    if ev & EV_WRITE != 0 {
        m |= libc::EPOLLOUT as u32;
    }
    if ev & EV_CLOSED != 0 {
        m |= libc::EPOLLRDHUP as u32;
    }
    if et {
        m |= libc::EPOLLET as u32;
    }
    m
}

fn errno() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

impl Interest {
    /// Changes what `fd` is watched for from `old` to `new` (`EV_READ|EV_WRITE|EV_CLOSED` masks).
    /// Errors are logged, as libevent does, and reported as `Err`.
    pub fn change(&mut self, fd: RawFd, old: i16, new: i16, et: bool) -> Result<(), ()> {
        match self {
            Interest::Epoll { epfd } => epoll_change(*epfd, fd, old, new, et),
            Interest::Poll { fds, slot } => {
                poll_change(fds, slot, fd, new);
                Ok(())
            }
        }
    }
}

fn epoll_ctl(epfd: RawFd, op: i32, fd: RawFd, mask: u32) -> i32 {
    let mut ev = libc::epoll_event { events: mask, u64: fd as u64 };
    // SAFETY: `ev` is a valid epoll_event for the duration of the call.
    unsafe { libc::epoll_ctl(epfd, op, fd, &mut ev) }
}

fn epoll_change(epfd: RawFd, fd: RawFd, old: i16, new: i16, et: bool) -> Result<(), ()> {
    let mask = epoll_mask(new, et);
    let (op, name) = if new == 0 {
        (libc::EPOLL_CTL_DEL, "DEL")
    } else if old == 0 {
        (libc::EPOLL_CTL_ADD, "ADD")
    } else {
        (libc::EPOLL_CTL_MOD, "MOD")
    };
    if epoll_ctl(epfd, op, fd, mask) == 0 {
        return Ok(());
    }
    let e = errno();
    match (op, e) {
        // The fd was closed (which drops it from the epoll set) and reused, or is still known:
        // retry with the other operation.
        (libc::EPOLL_CTL_MOD, libc::ENOENT) => {
            if epoll_ctl(epfd, libc::EPOLL_CTL_ADD, fd, mask) == 0 {
                return Ok(());
            }
        }
        (libc::EPOLL_CTL_ADD, libc::EEXIST) => {
            if epoll_ctl(epfd, libc::EPOLL_CTL_MOD, fd, mask) == 0 {
                return Ok(());
            }
        }
        // Deleting an fd that was closed, or never could be added: nothing to undo.
        (libc::EPOLL_CTL_DEL, libc::ENOENT | libc::EBADF | libc::EPERM) => return Ok(()),
        _ => {}
    }
    log::warn(&format!("Epoll {name}({mask}) on fd {fd} failed. Old events were {old}; new events are {new}"));
    Err(())
}

fn poll_change(fds: &mut Vec<libc::pollfd>, slot: &mut Vec<u32>, fd: RawFd, new: i16) {
    let fdu = fd as usize;
    if slot.len() <= fdu {
        slot.resize(fdu + 1, 0);
    }
    let mut events = 0i16;
    if new & EV_READ != 0 {
        events |= libc::POLLIN;
    }
    if new & EV_WRITE != 0 {
        events |= libc::POLLOUT;
    }
    if new & EV_CLOSED != 0 {
        events |= libc::POLLRDHUP;
    }
    let i = slot[fdu];
    if new & (EV_READ | EV_WRITE | EV_CLOSED) == 0 {
        if i != 0 {
            let idx = (i - 1) as usize;
            fds.swap_remove(idx);
            if idx < fds.len() {
                slot[fds[idx].fd as usize] = idx as u32 + 1;
            }
            slot[fdu] = 0;
        }
    } else if i == 0 {
        fds.push(libc::pollfd { fd, events, revents: 0 });
        slot[fdu] = fds.len() as u32;
    } else {
        fds[(i - 1) as usize].events = events;
    }
}

/// The number of ready fds from a wait's return value; an interrupted wait (a signal arrived)
/// counts as none ready, not as an error.
fn ready_count(n: i32) -> io::Result<usize> {
    if n >= 0 {
        return Ok(n as usize);
    }
    let e = io::Error::last_os_error();
    if e.kind() == io::ErrorKind::Interrupted {
        Ok(0)
    } else {
        Err(e)
    }
}

/// Milliseconds for epoll_wait/poll, rounded up so that a timer never wakes the loop early
/// (-1: no timeout).
fn timeout_ms(timeout: Option<Duration>) -> i32 {
    match timeout {
        None => -1,
        Some(d) => d.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32,
    }
}

impl Waiter {
    /// Called with the base lock held, right before [`Waiter::wait`].
    pub fn prepare(&mut self, interest: &Interest) {
        if let (
            Waiter::Poll { scratch, .. } | Waiter::Select { scratch, .. },
            Interest::Poll { fds, .. },
        ) = (self, interest)
        {
            scratch.clear();
            scratch.extend_from_slice(fds);
        }
    }

    /// Blocks until readiness or the timeout (`None`: forever). An interrupted wait is not an error.
    pub fn wait(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Waiter::Epoll { poll, events, nready } => {
                // SAFETY: `events` is a valid buffer of `len` epoll_events; the fd is mio's epoll.
                let n = unsafe {
                    libc::epoll_wait(poll.as_raw_fd(), events.as_mut_ptr(), events.len() as i32, timeout_ms(timeout))
                };
                *nready = 0;
                *nready = ready_count(n)?;
                Ok(())
            }
            Waiter::Poll { scratch, nready } => {
                let ms = timeout_ms(timeout);
                // SAFETY: `scratch` is a valid array of `len` pollfds.
                let n = unsafe { libc::poll(scratch.as_mut_ptr(), scratch.len() as libc::nfds_t, ms) };
                *nready = 0;
                *nready = ready_count(n)?;
                Ok(())
            }
            Waiter::Select { scratch, read, write, nready } => {
                let nfds = scratch.iter().map(|p| p.fd + 1).max().unwrap_or(0);
                let words = (nfds as usize).div_ceil(64).max(libc::FD_SETSIZE / 64);
                read.clear();
                read.resize(words, 0);
                write.clear();
                write.resize(words, 0);
                for p in scratch.iter() {
                    let (w, b) = (p.fd as usize / 64, 1u64 << (p.fd as usize % 64));
                    if p.events & libc::POLLIN != 0 {
                        read[w] |= b;
                    }
                    if p.events & libc::POLLOUT != 0 {
                        write[w] |= b;
                    }
                }
                let mut tv = timeout.map(|d| libc::timeval {
                    tv_sec: d.as_secs() as libc::time_t,
                    tv_usec: d.subsec_micros() as libc::suseconds_t,
                });
                let tvp = tv.as_mut().map_or(std::ptr::null_mut(), |t| t as *mut libc::timeval);
                // SAFETY: the bitmaps hold at least `nfds` bits (and at least an fd_set), laid
                // out as the kernel's fd_set; `tvp` is null or a valid timeval.
                let n = unsafe {
                    libc::select(
                        nfds,
                        read.as_mut_ptr().cast(),
                        write.as_mut_ptr().cast(),
                        std::ptr::null_mut(),
                        tvp,
                    )
                };
                *nready = 0;
                *nready = ready_count(n)?;
                Ok(())
            }
        }
    }

    /// Reports each ready fd with the `EV_READ|EV_WRITE|EV_CLOSED` flags libevent derives from
    /// the kernel's answer (an error or hang-up wakes both readers and writers).
    pub fn for_each_ready(&mut self, mut f: impl FnMut(RawFd, i16)) {
        match self {
            Waiter::Epoll { events, nready, .. } => {
                let n = *nready;
                for e in &events[..n] {
                    let bits = e.events as i32;
                    let what = if bits & libc::EPOLLERR != 0
                        || (bits & libc::EPOLLHUP != 0 && bits & libc::EPOLLRDHUP == 0)
                    {
                        EV_READ | EV_WRITE
                    } else {
                        let mut w = 0;
                        if bits & libc::EPOLLIN != 0 {
                            w |= EV_READ;
                        }
                        if bits & libc::EPOLLOUT != 0 {
                            w |= EV_WRITE;
                        }
                        if bits & libc::EPOLLRDHUP != 0 {
                            w |= EV_CLOSED;
                        }
                        w
                    };
                    if what != 0 {
                        f(e.u64 as RawFd, what);
                    }
                }
                // A full buffer suggests more were ready: grow it for the next wait.
                if n == events.len() && n < EPOLL_MAX_EVENTS {
                    events.resize(n * 2, libc::epoll_event { events: 0, u64: 0 });
                }
            }
            Waiter::Poll { scratch, nready } => {
                if *nready == 0 {
                    return;
                }
                for p in scratch.iter() {
                    let mut r = p.revents;
                    if r == 0 {
                        continue;
                    }
                    if r & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                        r |= libc::POLLIN | libc::POLLOUT;
                    }
                    let mut w = 0;
                    if r & libc::POLLIN != 0 {
                        w |= EV_READ;
                    }
                    if r & libc::POLLOUT != 0 {
                        w |= EV_WRITE;
                    }
                    if r & libc::POLLRDHUP != 0 {
                        w |= EV_CLOSED;
                    }
                    if w != 0 {
                        f(p.fd, w);
                    }
                }
            }
            Waiter::Select { scratch, read, write, nready } => {
                if *nready == 0 {
                    return;
                }
                for p in scratch.iter() {
                    let (i, b) = (p.fd as usize / 64, 1u64 << (p.fd as usize % 64));
                    let mut w = 0;
                    if read[i] & b != 0 {
                        w |= EV_READ;
                    }
                    if write[i] & b != 0 {
                        w |= EV_WRITE;
                    }
                    if w != 0 {
                        f(p.fd, w);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipe() -> [RawFd; 2] {
        let mut p = [0; 2];
        // SAFETY: `p` is a valid two-int array.
        assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_NONBLOCK) }, 0);
        p
    }

    #[test]
    fn both_backends_report_level_triggered_readiness() {
        for m in Method::ALL {
            let (mut interest, mut waiter) = open(m).unwrap();
            let p = pipe();
            interest.change(p[0], 0, EV_READ, false).unwrap();
            // SAFETY: writing one byte from a valid buffer to our pipe.
            assert_eq!(unsafe { libc::write(p[1], b"x".as_ptr().cast(), 1) }, 1);
            for _ in 0..2 {
                waiter.prepare(&interest);
                waiter.wait(Some(Duration::from_millis(1000))).unwrap();
                let mut got = vec![];
                waiter.for_each_ready(|fd, w| got.push((fd, w)));
                assert_eq!(got, vec![(p[0], EV_READ)], "{m:?}");
            }
            interest.change(p[0], EV_READ, 0, false).unwrap();
            waiter.prepare(&interest);
            waiter.wait(Some(Duration::ZERO)).unwrap();
            let mut n = 0;
            waiter.for_each_ready(|_, _| n += 1);
            assert_eq!(n, 0);
            // SAFETY: closing our own fds.
            unsafe {
                libc::close(p[0]);
                libc::close(p[1]);
            }
        }
    }
}
