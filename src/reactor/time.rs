//! `timeval` arithmetic and the clocks: the engine keeps deadlines on a monotonic clock and
//! converts to wall-clock time only at the API edge (`event_pending`, the cached time).

use libc::timeval;
use std::time::Duration;

pub const ZERO: timeval = timeval { tv_sec: 0, tv_usec: 0 };

pub fn tv_add(a: &timeval, b: &timeval) -> timeval {
    let mut r = timeval { tv_sec: a.tv_sec + b.tv_sec, tv_usec: a.tv_usec + b.tv_usec };
    if r.tv_usec >= 1_000_000 {
        r.tv_sec += 1;
        r.tv_usec -= 1_000_000;
    }
    r
}

pub fn tv_sub(a: &timeval, b: &timeval) -> timeval {
    let mut r = timeval { tv_sec: a.tv_sec - b.tv_sec, tv_usec: a.tv_usec - b.tv_usec };
    if r.tv_usec < 0 {
        r.tv_sec -= 1;
        r.tv_usec += 1_000_000;
    }
    r
}

pub fn tv_lt(a: &timeval, b: &timeval) -> bool {
    (a.tv_sec, a.tv_usec) < (b.tv_sec, b.tv_usec)
}

pub fn tv_is_zero(a: &timeval) -> bool {
    a.tv_sec == 0 && a.tv_usec == 0
}

/// A non-negative interval as a `Duration` (negative intervals are zero).
pub fn tv_to_duration(a: &timeval) -> Duration {
    if a.tv_sec < 0 || (a.tv_sec == 0 && a.tv_usec <= 0) {
        return Duration::ZERO;
    }
    Duration::new(a.tv_sec as u64, (a.tv_usec.clamp(0, 999_999) * 1000) as u32)
}

fn clock(id: libc::clockid_t) -> timeval {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer; clock_gettime only writes it.
    unsafe { libc::clock_gettime(id, &mut ts) };
    timeval { tv_sec: ts.tv_sec, tv_usec: ts.tv_nsec / 1000 }
}

/// The monotonic clock: the coarse one (cheap, a few ms of resolution) unless precise timing was
/// asked for, as libevent does on Linux.
pub fn monotonic(precise: bool) -> timeval {
    clock(if precise { libc::CLOCK_MONOTONIC } else { libc::CLOCK_MONOTONIC_COARSE })
}

pub fn wall_clock() -> timeval {
    clock(libc::CLOCK_REALTIME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_sub_carry() {
        let a = timeval { tv_sec: 1, tv_usec: 900_000 };
        let b = timeval { tv_sec: 0, tv_usec: 200_000 };
        let s = tv_add(&a, &b);
        assert_eq!((s.tv_sec, s.tv_usec), (2, 100_000));
        let d = tv_sub(&s, &a);
        assert_eq!((d.tv_sec, d.tv_usec), (0, 200_000));
        assert!(tv_lt(&b, &a));
        assert_eq!(tv_to_duration(&tv_sub(&b, &a)), Duration::ZERO);
        assert_eq!(tv_to_duration(&a), Duration::from_micros(1_900_000));
    }
}
