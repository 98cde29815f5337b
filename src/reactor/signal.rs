//! Signals: a process-wide handler that only writes the signal number into the socketpair of the
//! base that most recently added a signal or started its loop; the base reads the pair as an
//! internal event and runs the signal events' callbacks from the loop, never inside the handler.

use crate::util::log;
use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

/// Signal numbers are below this (`NSIG` on Linux).
pub const NSIG: usize = 65;

static TARGET_FD: AtomicI32 = AtomicI32::new(-1);
static TARGET_BASE: AtomicPtr<libc::c_void> = AtomicPtr::new(std::ptr::null_mut());

extern "C" fn handler(sig: libc::c_int) {
    // SAFETY: only async-signal-safe calls (errno access, write) on plain data.
    unsafe {
        let saved = *libc::__errno_location();
        let fd = TARGET_FD.load(Ordering::Relaxed);
        if fd >= 0 {
            let b = sig as u8;
            libc::write(fd, (&b as *const u8).cast(), 1);
        }
        *libc::__errno_location() = saved;
    }
}

/// Per-base signal state.
pub struct SignalState {
    /// `pair[0]` is read by the base, `pair[1]` written by the handler.
    pub pair: [RawFd; 2],
    /// How many signal numbers this base has handlers installed for.
    pub n_added: i32,
    /// Whether the internal read event on `pair[0]` is added.
    pub ev_added: bool,
    old: Vec<Option<Box<libc::sigaction>>>,
}

impl SignalState {
    pub fn new() -> io::Result<Self> {
        let mut s = SignalState { pair: [-1, -1], n_added: 0, ev_added: false, old: Vec::new() };
        s.open()?;
        Ok(s)
    }

    pub fn open(&mut self) -> io::Result<()> {
        let mut p = [-1; 2];
        // SAFETY: `p` is a valid two-int out array.
        let r = unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                0,
                p.as_mut_ptr(),
            )
        };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
        self.pair = p;
        Ok(())
    }

    pub fn close(&mut self) {
        for fd in &mut self.pair {
            if *fd >= 0 {
                // SAFETY: closing an fd we own.
                unsafe { libc::close(*fd) };
                *fd = -1;
            }
        }
    }

    /// Makes this base the one the handler reports to.
    pub fn become_target(&self, base: *mut libc::c_void) {
        TARGET_BASE.store(base, Ordering::Relaxed);
        TARGET_FD.store(self.pair[1], Ordering::Release);
    }

    pub fn is_target(&self, base: *mut libc::c_void) -> bool {
        TARGET_BASE.load(Ordering::Relaxed) == base
    }

    /// Warns as libevent does when signals move from one base to another.
    pub fn claim(&self, base: *mut libc::c_void, method: &str) {
        let cur = TARGET_BASE.load(Ordering::Relaxed);
        if !cur.is_null() && cur != base && TARGET_FD.load(Ordering::Relaxed) >= 0 {
            log::warnx(&format!(
                "Added a signal to event base {base:p} with signals already added to event_base {cur:p}.  Only one can have signals at a time with the {method} backend.  The base with the most recently added signal or the most recent event_base_loop() call gets preference; do not rely on this behavior in future Libevent versions."
            ));
        }
        self.become_target(base);
    }

    pub fn release(&self, base: *mut libc::c_void) {
        if self.is_target(base) {
            TARGET_FD.store(-1, Ordering::Release);
            TARGET_BASE.store(std::ptr::null_mut(), Ordering::Relaxed);
        }
    }

    /// Installs the handler for `sig`, keeping the previous disposition to restore later.
    pub fn install(&mut self, sig: i32) -> Result<(), ()> {
        let i = sig as usize;
        if self.old.len() <= i {
            self.old.resize_with(i + 1, || None);
        }
        // SAFETY: `sa` and `old` are valid sigaction structs for the call.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as extern "C" fn(libc::c_int) as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigfillset(&mut sa.sa_mask);
            let mut old: Box<libc::sigaction> = Box::new(std::mem::zeroed());
            if libc::sigaction(sig, &sa, &mut *old) == -1 {
                log::warn("sigaction");
                return Err(());
            }
            self.old[i] = Some(old);
        }
        self.n_added += 1;
        Ok(())
    }

    /// Puts back the disposition `sig` had before [`SignalState::install`].
    pub fn restore(&mut self, sig: i32) {
        if let Some(old) = self.old.get_mut(sig as usize).and_then(Option::take) {
            // SAFETY: `old` holds a disposition the kernel gave us.
            if unsafe { libc::sigaction(sig, &*old, std::ptr::null_mut()) } == -1 {
                log::warn("sigaction");
            }
            self.n_added -= 1;
        }
    }

    /// Reads every pending notification: how many times each signal arrived.
    pub fn drain(fd: RawFd) -> [u32; NSIG] {
        let mut counts = [0u32; NSIG];
        let mut buf = [0u8; 1024];
        loop {
            // SAFETY: reading into a valid buffer of the given size.
            let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n <= 0 {
                break;
            }
            for &s in &buf[..n as usize] {
                if (s as usize) < NSIG {
                    counts[s as usize] += 1;
                }
            }
        }
        counts
    }
}
