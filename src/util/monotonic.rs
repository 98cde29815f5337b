//! The clocks of `evutil_monotonic_timer`: a POSIX monotonic clock, or (with
//! `EV_MONOT_FALLBACK`) the wall clock made monotonic by never letting it go backwards.

use crate::reactor::time::{tv_add, tv_lt, tv_sub, ZERO};
use libc::timeval;

/// `evutil_configure_monotonic_time` flag: use the precise clock, not the coarse one.
pub const PRECISE: i32 = 1;
/// `evutil_configure_monotonic_time` flag: do not use a kernel monotonic clock.
pub const FALLBACK: i32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// `clock_gettime` with this clock id.
    Clock(libc::clockid_t),
    /// `gettimeofday`, adjusted to be non-decreasing.
    WallAdjusted,
}

/// One monotonic timer (the state behind `struct evutil_monotonic_timer`).
#[derive(Debug)]
pub struct Timer {
    source: Source,
    /// Added to the wall clock to undo its backward steps (fallback only).
    adjust: timeval,
    /// The last value returned (fallback only).
    last: timeval,
}

impl Default for Timer {
    /// A timer nobody configured yet reads clock id 0 (the wall clock), as libevent's does.
    fn default() -> Self {
        Timer { source: Source::Clock(libc::CLOCK_REALTIME), adjust: ZERO, last: ZERO }
    }
}

fn clock_works(id: libc::clockid_t) -> bool {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(id, &mut ts) == 0 }
}

impl Timer {
    /// Chooses the clock: the coarse monotonic one by default, the precise one with
    /// [`PRECISE`], the adjusted wall clock with [`FALLBACK`] (or when nothing else works).
    pub fn configure(&mut self, flags: i32) {
        let precise = flags & PRECISE != 0;
        let fallback = flags & FALLBACK != 0;
        self.source = if !precise && !fallback && clock_works(libc::CLOCK_MONOTONIC_COARSE) {
            Source::Clock(libc::CLOCK_MONOTONIC_COARSE)
        } else if !fallback && clock_works(libc::CLOCK_MONOTONIC) {
            Source::Clock(libc::CLOCK_MONOTONIC)
        } else {
            Source::WallAdjusted
        };
    }

    /// The current time of the chosen clock.
    pub fn now(&mut self) -> std::io::Result<timeval> {
        match self.source {
            Source::Clock(id) => {
                let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
                // SAFETY: `ts` is a valid out-pointer.
                if unsafe { libc::clock_gettime(id, &mut ts) } != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(timeval { tv_sec: ts.tv_sec, tv_usec: ts.tv_nsec / 1000 })
            }
            Source::WallAdjusted => {
                let mut tv = ZERO;
                // SAFETY: `tv` is a valid out-pointer; no timezone is asked for.
                if unsafe { libc::gettimeofday(&mut tv, std::ptr::null_mut()) } != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(self.non_decreasing(tv))
            }
        }
    }

    /// Applies the accumulated correction to a wall-clock reading; when the clock stepped back
    /// behind the last value returned, grows the correction so that value is returned again.
    fn non_decreasing(&mut self, raw: timeval) -> timeval {
        let mut tv = tv_add(&raw, &self.adjust);
        if tv_lt(&tv, &self.last) {
            self.adjust = tv_add(&self.adjust, &tv_sub(&self.last, &tv));
            tv = self.last;
        }
        self.last = tv;
        tv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tv(s: i64, us: i64) -> timeval {
        timeval { tv_sec: s, tv_usec: us }
    }

    #[test]
    fn fallback_never_goes_back() {
        let mut t = Timer::default();
        t.configure(FALLBACK);
        assert_eq!(t.non_decreasing(tv(100, 0)).tv_sec, 100);
        // The wall clock steps back 10 s: the same time again, then it moves on from there.
        let a = t.non_decreasing(tv(90, 0));
        assert_eq!((a.tv_sec, a.tv_usec), (100, 0));
        let b = t.non_decreasing(tv(90, 500_000));
        assert_eq!((b.tv_sec, b.tv_usec), (100, 500_000));
    }

    #[test]
    fn clocks() {
        let mut t = Timer::default();
        assert!(t.now().unwrap().tv_sec > 1_000_000_000);
        t.configure(PRECISE);
        let a = t.now().unwrap();
        let b = t.now().unwrap();
        assert!(!tv_lt(&b, &a));
        t.configure(0);
        assert!(t.now().unwrap().tv_sec < 1_000_000_000, "a monotonic clock counts from boot");
        t.configure(FALLBACK);
        assert!(t.now().unwrap().tv_sec > 1_000_000_000);
    }
}
