//! evconnlistener: a listening socket watched by an event base; every connection it accepts goes
//! to the user's callback.
//!
//! A listener lives in memory from the hooked allocator and is handed to C as an opaque pointer.
//! It owns two events embedded in itself: `accept_ev` (EV_READ|EV_PERSIST, level-triggered, on
//! the listening socket) and `resume_ev` (a timer, see "Errors" below).
//!
//! Lifetime: `refs` counts the creator's reference plus one per user callback running. Freeing
//! drops the creator's; whoever drops the last destroys the listener. So a callback may free
//! its own listener: the accept loop notices on return and finishes the job.
//!
//! Locking: with `LEV_OPT_THREADSAFE` (and threading on) the listener has its own recursive
//! lock, taken before the base lock, never held while a user callback runs.
//!
//! Errors: accept() failing with EAGAIN, EINTR or ECONNABORTED ends the round quietly (the
//! event fires again when more connections wait). Any other error goes to the error callback
//! (errno set), or is logged as a warning without one, as libevent does. libevent then keeps
//! watching the socket, and when the error persists while connections wait (EMFILE, ENFILE,
//! ENOBUFS, ENOMEM, or a socket that is not listening) the level-triggered event fires again at
//! once: the program spins at 100% CPU, calling the error callback in every loop iteration.
//! Here, after those errors, the listener stops watching the socket for [`ERROR_PAUSE`] (unless
//! the error callback disabled or freed it) and then resumes by itself; evconnlistener_enable()
//! resumes at once. So the error callback runs about ten times a second at most, and the
//! connections waiting are accepted as soon as descriptors are available again.

use crate::capi::event_defs::{EV_PERSIST, EV_READ};
use crate::capi::event_struct::event;
use crate::capi::listener::{
    evconnlistener_cb, evconnlistener_errorcb, LEV_OPT_BIND_IPV6ONLY, LEV_OPT_CLOSE_ON_EXEC,
    LEV_OPT_CLOSE_ON_FREE, LEV_OPT_DEFERRED_ACCEPT, LEV_OPT_DISABLED,
    LEV_OPT_LEAVE_SOCKETS_BLOCKING, LEV_OPT_REUSEABLE, LEV_OPT_REUSEABLE_PORT, LEV_OPT_THREADSAFE,
};
use crate::reactor::base::{assign, Base, DelMode, CURRENT_BASE};
use crate::reactor::thread::Lock;
use crate::util::{log, mem, sock};
use libc::{c_int, c_short, c_uint, c_void, sockaddr, sockaddr_storage, socklen_t, timeval};
use std::os::fd::RawFd;
use std::ptr::{addr_of_mut, null_mut};
use std::sync::atomic::Ordering;

/// The listen() backlog used when the caller passes a negative one.
pub const DEFAULT_BACKLOG: c_int = 128;

/// How long a listener stops watching its socket after an error that would otherwise make the
/// loop spin (see the module docs).
pub const ERROR_PAUSE: timeval = timeval {
    tv_sec: 0,
    tv_usec: 100_000,
};

pub struct Listener {
    accept_ev: event,
    resume_ev: event,
    base: *mut Base,
    lock: Lock,
    cb: evconnlistener_cb,
    errorcb: evconnlistener_errorcb,
    arg: *mut c_void,
    flags: c_uint,
    /// `SOCK_NONBLOCK` / `SOCK_CLOEXEC` for accept4().
    accept_flags: c_int,
    /// The listening socket was blocking when given to us: accept once per readiness, so the
    /// loop never blocks in accept() (libevent would, for ever).
    one_per_round: bool,
    refs: u32,
    /// What the user asked for (evconnlistener_enable/disable); the socket is watched when this
    /// is set, a callback is set and no error pause runs.
    enabled: bool,
    /// `resume_ev` is pending and `accept_ev` is not.
    paused: bool,
}

fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn set_errno(e: c_int) {
    // SAFETY: the calling thread's errno slot.
    unsafe { *libc::__errno_location() = e };
}

/// Closes `fd`, keeping errno as it was (the caller reports an earlier failure).
fn close_keep_errno(fd: RawFd) {
    let e = errno();
    let _ = sock::close(fd);
    set_errno(e);
}

/// Errors after which accept() keeps failing while connections wait: worth a pause.
fn persists(err: c_int) -> bool {
    matches!(
        err,
        libc::EMFILE
            | libc::ENFILE
            | libc::ENOBUFS
            | libc::ENOMEM
            | libc::EINVAL
            | libc::EBADF
            | libc::ENOTSOCK
    )
}

fn retriable(err: c_int) -> bool {
    err == libc::EAGAIN
        || err == libc::EWOULDBLOCK
        || err == libc::EINTR
        || err == libc::ECONNABORTED
}

/// Runs `f` with the base's lock held.
///
/// # Safety
/// `base` is live.
unsafe fn with_base<R>(base: *mut Base, f: impl FnOnce(&mut Base) -> R) -> R {
    // SAFETY: live per the caller; the lock serialises access.
    unsafe {
        (*base).lock.lock();
        let r = f(&mut *base);
        (*base).lock.unlock();
        r
    }
}

impl Listener {
    /// `evconnlistener_new`: a listener on `fd`, listening first unless `backlog` is 0.
    ///
    /// # Safety
    /// `base` is null (the legacy current base is used) or live.
    pub unsafe fn new(
        base: *mut Base,
        cb: evconnlistener_cb,
        arg: *mut c_void,
        flags: c_uint,
        backlog: c_int,
        fd: RawFd,
    ) -> *mut Listener {
        let base = if base.is_null() {
            CURRENT_BASE.load(Ordering::Acquire)
        } else {
            base
        };
        if base.is_null() {
            log::warnx("evconnlistener_new: no event_base given and none current");
            return null_mut();
        }
        let backlog = if backlog < 0 {
            DEFAULT_BACKLOG
        } else {
            backlog
        };
        // SAFETY: plain system calls on the caller's descriptor.
        unsafe {
            if backlog > 0 && libc::listen(fd, backlog) < 0 {
                return null_mut();
            }
        }
        let mut accept_flags = 0;
        if flags & LEV_OPT_LEAVE_SOCKETS_BLOCKING == 0 {
            accept_flags |= libc::SOCK_NONBLOCK;
        }
        if flags & LEV_OPT_CLOSE_ON_EXEC != 0 {
            accept_flags |= libc::SOCK_CLOEXEC;
        }
        // SAFETY: F_GETFL reads the descriptor's status flags.
        let fl = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        let l = mem::boxed(Listener {
            // SAFETY: all-zero is a valid unassigned event; both are assigned below.
            accept_ev: unsafe { std::mem::zeroed() },
            // SAFETY: as above.
            resume_ev: unsafe { std::mem::zeroed() },
            base,
            lock: if flags & LEV_OPT_THREADSAFE != 0 {
                Lock::new()
            } else {
                Lock::none()
            },
            cb,
            errorcb: None,
            arg,
            flags,
            accept_flags,
            one_per_round: fl >= 0 && fl & libc::O_NONBLOCK == 0,
            refs: 1,
            enabled: false,
            paused: false,
        });
        if l.is_null() {
            return null_mut();
        }
        // SAFETY: `l` is ours and live; the events live inside it, at a fixed address.
        unsafe {
            assign(
                addr_of_mut!((*l).accept_ev),
                base,
                fd,
                EV_READ | EV_PERSIST,
                Some(accept_cb),
                l.cast(),
            );
            assign(
                addr_of_mut!((*l).resume_ev),
                base,
                -1,
                0,
                Some(resume_cb),
                l.cast(),
            );
            if flags & LEV_OPT_DISABLED == 0 {
                // As in libevent, a socket that cannot be watched still gives a listener.
                Self::enable(l);
            }
        }
        l
    }

    /// `evconnlistener_new_bind`.
    ///
    /// # Safety
    /// `base` is null or live; `sa` is null or points to `socklen` readable bytes.
    pub unsafe fn bind(
        base: *mut Base,
        cb: evconnlistener_cb,
        arg: *mut c_void,
        flags: c_uint,
        backlog: c_int,
        sa: *const sockaddr,
        socklen: c_int,
    ) -> *mut Listener {
        if backlog == 0 {
            return null_mut();
        }
        // SAFETY: a non-null `sa` has at least its family field, per the caller.
        let family = if sa.is_null() {
            libc::AF_UNSPEC
        } else {
            unsafe { (*sa).sa_family as c_int }
        };
        let mut ty = libc::SOCK_STREAM | libc::SOCK_NONBLOCK;
        if flags & LEV_OPT_CLOSE_ON_EXEC != 0 {
            ty |= libc::SOCK_CLOEXEC;
        }
        // SAFETY: creating a socket.
        let fd = unsafe { libc::socket(family, ty, 0) };
        if fd < 0 {
            return null_mut();
        }
        let setup = || -> std::io::Result<()> {
            use libc::{IPPROTO_IPV6, IPPROTO_TCP, SOL_SOCKET};
            sock::set_int_option(fd, SOL_SOCKET, libc::SO_KEEPALIVE, 1)?;
            let options = [
                (LEV_OPT_REUSEABLE, SOL_SOCKET, libc::SO_REUSEADDR),
                (LEV_OPT_REUSEABLE_PORT, SOL_SOCKET, libc::SO_REUSEPORT),
                (LEV_OPT_DEFERRED_ACCEPT, IPPROTO_TCP, libc::TCP_DEFER_ACCEPT),
                (LEV_OPT_BIND_IPV6ONLY, IPPROTO_IPV6, libc::IPV6_V6ONLY),
            ];
            for (flag, level, name) in options {
                if flags & flag != 0 {
                    sock::set_int_option(fd, level, name, 1)?;
                }
            }
            // SAFETY: `sa` holds `socklen` bytes, per the caller.
            if !sa.is_null() && unsafe { libc::bind(fd, sa, socklen as socklen_t) } < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        };
        if setup().is_err() {
            close_keep_errno(fd);
            return null_mut();
        }
        // SAFETY: `base` is null or live.
        let l = unsafe { Self::new(base, cb, arg, flags, backlog, fd) };
        if l.is_null() {
            close_keep_errno(fd);
        }
        l
    }

    /// `evconnlistener_free`: drops the creator's reference.
    ///
    /// # Safety
    /// `l` is live; the caller does not use it afterwards.
    pub unsafe fn free(l: *mut Listener) {
        // SAFETY: live per the caller.
        unsafe {
            (*l).lock.lock();
            (*l).cb = None;
            (*l).errorcb = None;
            (*l).enabled = false;
            Self::release_and_unlock(l);
        }
    }

    /// Drops one reference with the listener's lock held and releases the lock; destroys the
    /// listener when that was the last reference. Returns whether it was destroyed.
    ///
    /// # Safety
    /// `l` is live and its lock held by the caller.
    unsafe fn release_and_unlock(l: *mut Listener) -> bool {
        // SAFETY: live and locked per the caller.
        unsafe {
            (*l).refs -= 1;
            let last = (*l).refs == 0;
            (*l).lock.unlock();
            if last {
                Self::destroy(l);
            }
            last
        }
    }

    /// Removes the events, closes the socket with `LEV_OPT_CLOSE_ON_FREE` and frees the memory.
    /// The listener's lock is not held: a callback of it running in another thread may need it
    /// to finish, and the deletions wait for such a callback (it finds no user callback left).
    ///
    /// # Safety
    /// `l` is live and has no references left.
    unsafe fn destroy(l: *mut Listener) {
        // SAFETY: live per the caller; nothing else reaches it once the events are gone.
        unsafe {
            with_base((*l).base, |b| {
                b.del_nolock(addr_of_mut!((*l).accept_ev), DelMode::Block);
                b.del_nolock(addr_of_mut!((*l).resume_ev), DelMode::Block);
            });
            if (*l).flags & LEV_OPT_CLOSE_ON_FREE != 0 {
                let _ = sock::close((*l).accept_ev.ev_fd);
            }
            mem::unbox(l);
        }
    }

    /// `evconnlistener_enable`.
    ///
    /// # Safety
    /// `l` is live.
    pub unsafe fn enable(l: *mut Listener) -> c_int {
        // SAFETY: live per the caller.
        unsafe {
            (*l).lock.lock();
            (*l).enabled = true;
            let r = if (*l).cb.is_some() {
                Self::watch_nolock(l)
            } else {
                0
            };
            (*l).lock.unlock();
            r
        }
    }

    /// Watches the socket, ending an error pause.
    ///
    /// # Safety
    /// `l` is live and locked.
    unsafe fn watch_nolock(l: *mut Listener) -> c_int {
        // SAFETY: live and locked per the caller.
        unsafe {
            let paused = std::mem::replace(&mut (*l).paused, false);
            with_base((*l).base, |b| {
                if paused {
                    b.del_nolock(addr_of_mut!((*l).resume_ev), DelMode::NoBlock);
                }
                b.add_nolock(addr_of_mut!((*l).accept_ev), None, false)
            })
        }
    }

    /// `evconnlistener_disable`. Never waits for a running accept callback: it stops after the
    /// user callback it is in, if any.
    ///
    /// # Safety
    /// `l` is live.
    pub unsafe fn disable(l: *mut Listener) -> c_int {
        // SAFETY: live per the caller.
        unsafe {
            (*l).lock.lock();
            (*l).enabled = false;
            let paused = std::mem::replace(&mut (*l).paused, false);
            let r = with_base((*l).base, |b| {
                if paused {
                    b.del_nolock(addr_of_mut!((*l).resume_ev), DelMode::NoBlock);
                }
                b.del_nolock(addr_of_mut!((*l).accept_ev), DelMode::NoBlock)
            });
            (*l).lock.unlock();
            r
        }
    }

    /// `evconnlistener_set_cb`.
    ///
    /// # Safety
    /// `l` is live.
    pub unsafe fn set_cb(l: *mut Listener, cb: evconnlistener_cb, arg: *mut c_void) {
        // SAFETY: live per the caller.
        unsafe {
            (*l).lock.lock();
            let start = (*l).enabled && (*l).cb.is_none() && cb.is_some();
            (*l).cb = cb;
            (*l).arg = arg;
            if start {
                Self::watch_nolock(l);
            }
            (*l).lock.unlock();
        }
    }

    /// `evconnlistener_set_error_cb`.
    ///
    /// # Safety
    /// `l` is live.
    pub unsafe fn set_error_cb(l: *mut Listener, errorcb: evconnlistener_errorcb) {
        // SAFETY: live per the caller.
        unsafe {
            (*l).lock.lock();
            (*l).errorcb = errorcb;
            (*l).lock.unlock();
        }
    }

    /// The listening socket.
    ///
    /// # Safety
    /// `l` is live.
    pub unsafe fn fd(l: *mut Listener) -> RawFd {
        // SAFETY: live per the caller; the fd never changes.
        unsafe { (*l).accept_ev.ev_fd }
    }

    /// The base the listener belongs to.
    ///
    /// # Safety
    /// `l` is live.
    pub unsafe fn base(l: *mut Listener) -> *mut Base {
        // SAFETY: live per the caller; the base never changes.
        unsafe { (*l).base }
    }

    /// Stops watching the socket for [`ERROR_PAUSE`].
    ///
    /// # Safety
    /// `l` is live and locked.
    unsafe fn pause_nolock(l: *mut Listener) {
        // SAFETY: live and locked per the caller.
        unsafe {
            (*l).paused = true;
            with_base((*l).base, |b| {
                b.del_nolock(addr_of_mut!((*l).accept_ev), DelMode::NoBlock);
                b.add_nolock(addr_of_mut!((*l).resume_ev), Some(&ERROR_PAUSE), false);
            });
        }
    }
}

/// The listening socket is readable: accept until the queue is empty (or the listener is
/// disabled or freed by its callback).
unsafe extern "C" fn accept_cb(fd: c_int, _what: c_short, arg: *mut c_void) {
    let l = arg as *mut Listener;
    // SAFETY: the event's argument is its live listener (destroy removes the event first and
    // waits for a running callback). The listener's lock is released around user callbacks,
    // which hold a reference so the memory stays valid even if they free it.
    unsafe {
        (*l).lock.lock();
        let err = loop {
            let mut ss: sockaddr_storage = std::mem::zeroed();
            let mut len = std::mem::size_of::<sockaddr_storage>() as socklen_t;
            let sa = addr_of_mut!(ss).cast::<sockaddr>();
            let nfd = libc::accept4(fd, sa, &mut len, (*l).accept_flags);
            if nfd < 0 {
                break errno();
            }
            if len == 0 {
                // Some kernels report an address-less connection (nmap scans): nothing to hand on.
                let _ = sock::close(nfd);
                continue;
            }
            let Some(cb) = (*l).cb else {
                // Enabled without a callback (evconnlistener_set_cb(NULL)): refuse.
                let _ = sock::close(nfd);
                (*l).lock.unlock();
                return;
            };
            (*l).refs += 1;
            let user = (*l).arg;
            (*l).lock.unlock();
            cb(l.cast(), nfd, sa, len as c_int, user);
            (*l).lock.lock();
            if Listener::release_and_unlock_if_last(l) {
                return;
            }
            if !(*l).enabled || (*l).one_per_round {
                (*l).lock.unlock();
                return;
            }
        };
        if retriable(err) {
            (*l).lock.unlock();
            return;
        }
        match (*l).errorcb {
            Some(ecb) => {
                (*l).refs += 1;
                let user = (*l).arg;
                (*l).lock.unlock();
                set_errno(err);
                ecb(l.cast(), user);
                (*l).lock.lock();
                if Listener::release_and_unlock_if_last(l) {
                    return;
                }
            }
            None => log::warnx(&format!("Error from accept() call: {}", log::strerror(err))),
        }
        if (*l).enabled && !(*l).paused && persists(err) {
            Listener::pause_nolock(l);
        }
        (*l).lock.unlock();
    }
}

impl Listener {
    /// After a user callback: drops its reference. When it was the last one (the callback
    /// freed the listener) the listener is destroyed and true returned, lock released;
    /// otherwise the lock stays held.
    ///
    /// # Safety
    /// `l` is live and locked.
    unsafe fn release_and_unlock_if_last(l: *mut Listener) -> bool {
        // SAFETY: live and locked per the caller.
        unsafe {
            if (*l).refs == 1 {
                Self::release_and_unlock(l)
            } else {
                (*l).refs -= 1;
                false
            }
        }
    }
}

/// The error pause is over: watch the socket again if the listener still wants to accept.
unsafe extern "C" fn resume_cb(_fd: c_int, _what: c_short, arg: *mut c_void) {
    let l = arg as *mut Listener;
    // SAFETY: as in accept_cb: destroy removes this event and waits for it first.
    unsafe {
        (*l).lock.lock();
        if (*l).paused {
            (*l).paused = false;
            if (*l).enabled && (*l).cb.is_some() {
                with_base((*l).base, |b| {
                    b.add_nolock(addr_of_mut!((*l).accept_ev), None, false)
                });
            }
        }
        (*l).lock.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reactor::config::Config;
    use std::time::{Duration, Instant};

    /// Error callback: counts into the `u32` behind the listener's argument and checks errno.
    unsafe extern "C" fn count_errors(
        l: *mut crate::capi::listener::evconnlistener,
        arg: *mut c_void,
    ) {
        assert_eq!(errno(), libc::EINVAL);
        // SAFETY: the test passes a live counter, and `l` is live during its callback.
        unsafe {
            let n = arg as *mut u32;
            *n += 1;
            if *n == 3 {
                (*Listener::base(l.cast())).loopbreak();
            }
        }
    }

    unsafe extern "C" fn never(
        _: *mut crate::capi::listener::evconnlistener,
        fd: c_int,
        _: *mut sockaddr,
        _: c_int,
        _: *mut c_void,
    ) {
        let _ = sock::close(fd);
        panic!("nothing connects in this test");
    }

    /// A bound TCP socket that is not listening: the poll reports it readable (hung up) and
    /// accept() fails with EINVAL every time, the error libevent's listener spins on.
    fn unlistened_socket() -> RawFd {
        // SAFETY: plain socket calls on a socket we own.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0);
            assert!(fd >= 0);
            let mut sin: libc::sockaddr_in = std::mem::zeroed();
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_addr.s_addr = u32::from_be_bytes([127, 0, 0, 1]).to_be();
            let len = std::mem::size_of::<libc::sockaddr_in>() as socklen_t;
            assert_eq!(
                libc::bind(fd, (&sin as *const libc::sockaddr_in).cast(), len),
                0
            );
            fd
        }
    }

    fn new_listener(base: *mut Base, counter: &mut u32) -> *mut Listener {
        let fd = unlistened_socket();
        // SAFETY: a live base; backlog 0 leaves the socket as it is.
        let l = unsafe {
            Listener::new(
                base,
                Some(never),
                (counter as *mut u32).cast(),
                LEV_OPT_CLOSE_ON_FREE,
                0,
                fd,
            )
        };
        assert!(!l.is_null());
        // SAFETY: live listener.
        unsafe { Listener::set_error_cb(l, Some(count_errors)) };
        l
    }

    #[test]
    fn persistent_accept_error_pauses_instead_of_spinning() {
        let base = Base::new(&Config::default());
        assert!(!base.is_null());
        // Counting from 100, so that the callback's loopbreak at 3 stays out of this part.
        let mut errors = 100u32;
        let l = new_listener(base, &mut errors);
        // SAFETY: live base and listener, used from this thread only.
        unsafe {
            // Spinning would call the error callback thousands of times in 350 ms.
            (*base).loopexit(Some(&timeval {
                tv_sec: 0,
                tv_usec: 350_000,
            }));
            assert_eq!(Base::run(base, 0), 0);
            assert!(!(*base).got_break());
            let n = errors - 100;
            assert!(
                (1..=8).contains(&n),
                "error callback ran {n} times in 350 ms"
            );

            // The listener resumes by itself: the third error comes after two pauses.
            errors = 0;
            (*l).arg = (&mut errors as *mut u32).cast();
            Listener::enable(l);
            let start = Instant::now();
            let r = Base::run(base, 0);
            assert_eq!(errors, 3, "loop returned {r} after {:?}", start.elapsed());
            assert!(
                start.elapsed() >= Duration::from_millis(2 * 100 - 5),
                "{:?}",
                start.elapsed()
            );
            Listener::free(l);
            Base::free(base, true);
        }
    }

    #[test]
    fn enable_and_disable_end_a_pause() {
        let base = Base::new(&Config::default());
        let mut errors = 0u32;
        let l = new_listener(base, &mut errors);
        // SAFETY: live base and listener, used from this thread only.
        unsafe {
            assert_eq!(Base::run(base, crate::capi::event_defs::EVLOOP_ONCE), 0);
            assert_eq!(errors, 1);
            assert!((*l).paused);
            // Enabling resumes at once: the next round fails again without waiting.
            assert_eq!(Listener::enable(l), 0);
            assert!(!(*l).paused);
            let start = Instant::now();
            Base::run(base, crate::capi::event_defs::EVLOOP_ONCE);
            assert_eq!(errors, 2);
            assert!(start.elapsed() < Duration::from_millis(90));
            assert!((*l).paused);
            // Disabling during a pause drops the resume timer: nothing is left to wait for.
            assert_eq!(Listener::disable(l), 0);
            assert!(!(*l).paused);
            assert_eq!(Base::run(base, 0), 1);
            assert_eq!(errors, 2);
            Listener::free(l);
            Base::free(base, true);
        }
    }
}
