//! Threading support: the lock, condition and thread-id callbacks the library uses once a program
//! turns threading on (`evthread_use_pthreads` or its own `evthread_set_*_callbacks`).
//!
//! The callbacks are global and, as libevent documents, must be set before any base is created.
//! A base copies them when it is created; a base created without them pays for no locking.

use crate::capi::thread_defs::{
    evthread_condition_callbacks, evthread_lock_callbacks, EVTHREAD_LOCKTYPE_RECURSIVE,
    EVTHREAD_TRY,
};
use crate::util::log;
use libc::{c_int, c_uint, c_ulong, c_void, timeval};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A global written only during single-threaded set-up (documented contract of the setters).
pub struct SetupCell<T>(UnsafeCell<T>);
// SAFETY: written only before threads share the library (libevent's documented contract), read
// afterwards.
unsafe impl<T> Sync for SetupCell<T> {}

impl<T: Copy> SetupCell<T> {
    pub fn get(&self) -> T {
        // SAFETY: see the `Sync` impl.
        unsafe { *self.0.get() }
    }
    pub fn ptr(&self) -> *mut T {
        self.0.get()
    }
    fn set(&self, v: T) {
        // SAFETY: see the `Sync` impl.
        unsafe { *self.0.get() = v }
    }
}

const NO_LOCKS: evthread_lock_callbacks = evthread_lock_callbacks {
    lock_api_version: 0,
    supported_locktypes: 0,
    alloc: None,
    free: None,
    lock: None,
    unlock: None,
};
const NO_CONDS: evthread_condition_callbacks = evthread_condition_callbacks {
    condition_api_version: 0,
    alloc_condition: None,
    free_condition: None,
    signal_condition: None,
    wait_condition: None,
};

pub static LOCK_FNS: SetupCell<evthread_lock_callbacks> = SetupCell(UnsafeCell::new(NO_LOCKS));
pub static COND_FNS: SetupCell<evthread_condition_callbacks> =
    SetupCell(UnsafeCell::new(NO_CONDS));
/// The lock functions as given by the program, before any debugging wrapper.
static ORIG_LOCK_FNS: SetupCell<evthread_lock_callbacks> = SetupCell(UnsafeCell::new(NO_LOCKS));
static ORIG_COND_FNS: SetupCell<evthread_condition_callbacks> =
    SetupCell(UnsafeCell::new(NO_CONDS));
static ID_FN: AtomicUsize = AtomicUsize::new(0);
static LOCK_DEBUGGING: AtomicBool = AtomicBool::new(false);

pub type IdFn = unsafe extern "C" fn() -> c_ulong;

pub fn set_id_fn(f: Option<IdFn>) {
    ID_FN.store(f.map_or(0, |f| f as usize), Ordering::Release);
}

/// The calling thread's id, or `None` when no id function is set (threading off).
pub fn current_id() -> Option<c_ulong> {
    let f = ID_FN.load(Ordering::Acquire);
    if f == 0 {
        return None;
    }
    // SAFETY: stored from a valid IdFn.
    Some(unsafe { std::mem::transmute::<usize, IdFn>(f)() })
}

pub fn threads_enabled() -> bool {
    LOCK_FNS.get().lock.is_some()
}

/// `evthread_set_lock_callbacks`.
pub fn set_lock_callbacks(cbs: Option<&evthread_lock_callbacks>) -> c_int {
    let cur = ORIG_LOCK_FNS.get();
    let Some(cbs) = cbs else {
        if cur.alloc.is_some() {
            log::warnx(
                "Trying to disable lock functions after they have been set up will probably not work.",
            );
        }
        ORIG_LOCK_FNS.set(NO_LOCKS);
        LOCK_FNS.set(NO_LOCKS);
        return 0;
    };
    if cur.alloc.is_some() {
        let same = cur.lock_api_version == cbs.lock_api_version
            && cur.supported_locktypes == cbs.supported_locktypes
            && cur.alloc.map(|f| f as usize) == cbs.alloc.map(|f| f as usize)
            && cur.free.map(|f| f as usize) == cbs.free.map(|f| f as usize)
            && cur.lock.map(|f| f as usize) == cbs.lock.map(|f| f as usize)
            && cur.unlock.map(|f| f as usize) == cbs.unlock.map(|f| f as usize);
        if same {
            return 0;
        }
        log::warnx("Can't change lock callbacks once they have been initialized.");
        return -1;
    }
    if cbs.alloc.is_none() || cbs.free.is_none() || cbs.lock.is_none() || cbs.unlock.is_none() {
        return -1;
    }
    ORIG_LOCK_FNS.set(*cbs);
    LOCK_FNS.set(if LOCK_DEBUGGING.load(Ordering::Relaxed) { DEBUG_LOCK_FNS } else { *cbs });
    0
}

/// `evthread_set_condition_callbacks`.
pub fn set_condition_callbacks(cbs: Option<&evthread_condition_callbacks>) -> c_int {
    let cur = ORIG_COND_FNS.get();
    let Some(cbs) = cbs else {
        if cur.alloc_condition.is_some() {
            log::warnx(
                "Trying to disable condition functions after they have been set up will probably not work.",
            );
        }
        ORIG_COND_FNS.set(NO_CONDS);
        COND_FNS.set(NO_CONDS);
        return 0;
    };
    if cur.alloc_condition.is_some() {
        let same = cur.condition_api_version == cbs.condition_api_version
            && cur.alloc_condition.map(|f| f as usize) == cbs.alloc_condition.map(|f| f as usize)
            && cur.free_condition.map(|f| f as usize) == cbs.free_condition.map(|f| f as usize)
            && cur.signal_condition.map(|f| f as usize)
                == cbs.signal_condition.map(|f| f as usize)
            && cur.wait_condition.map(|f| f as usize) == cbs.wait_condition.map(|f| f as usize);
        if same {
            return 0;
        }
        log::warnx("Can't change condition callbacks once they have been initialized.");
        return -1;
    }
    if cbs.alloc_condition.is_none()
        || cbs.free_condition.is_none()
        || cbs.signal_condition.is_none()
        || cbs.wait_condition.is_none()
    {
        return -1;
    }
    ORIG_COND_FNS.set(*cbs);
    COND_FNS.set(if LOCK_DEBUGGING.load(Ordering::Relaxed) { DEBUG_COND_FNS } else { *cbs });
    0
}

/// `evthread_enable_lock_debugging`: from now on every lock the library allocates checks that it
/// is released by its holder and never taken recursively unless it is recursive.
pub fn enable_lock_debugging() {
    if LOCK_DEBUGGING.swap(true, Ordering::Relaxed) {
        return;
    }
    if ORIG_LOCK_FNS.get().alloc.is_some() {
        LOCK_FNS.set(DEBUG_LOCK_FNS);
    }
    if ORIG_COND_FNS.get().alloc_condition.is_some() {
        COND_FNS.set(DEBUG_COND_FNS);
    }
}

// ---- The pthreads implementation (evthread_use_pthreads) ----

unsafe extern "C" fn pt_alloc(_locktype: c_uint) -> *mut c_void {
    // A recursive mutex serves every lock type the library asks for.
    let m = Box::into_raw(Box::new(libc::PTHREAD_MUTEX_INITIALIZER));
    // SAFETY: `attr` and `m` are valid for the pthread calls that initialise them.
    unsafe {
        let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
        libc::pthread_mutexattr_init(&mut attr);
        libc::pthread_mutexattr_settype(&mut attr, libc::PTHREAD_MUTEX_RECURSIVE);
        libc::pthread_mutex_init(m, &attr);
        libc::pthread_mutexattr_destroy(&mut attr);
    }
    m as *mut c_void
}
unsafe extern "C" fn pt_free(lock: *mut c_void, _locktype: c_uint) {
    // SAFETY: `lock` came from `pt_alloc`.
    unsafe {
        libc::pthread_mutex_destroy(lock as *mut libc::pthread_mutex_t);
        drop(Box::from_raw(lock as *mut libc::pthread_mutex_t));
    }
}
unsafe extern "C" fn pt_lock(mode: c_uint, lock: *mut c_void) -> c_int {
    let m = lock as *mut libc::pthread_mutex_t;
    // SAFETY: `lock` came from `pt_alloc`.
    unsafe {
        if mode & EVTHREAD_TRY != 0 {
            libc::pthread_mutex_trylock(m)
        } else {
            libc::pthread_mutex_lock(m)
        }
    }
}
unsafe extern "C" fn pt_unlock(_mode: c_uint, lock: *mut c_void) -> c_int {
    // SAFETY: `lock` came from `pt_alloc`.
    unsafe { libc::pthread_mutex_unlock(lock as *mut libc::pthread_mutex_t) }
}
unsafe extern "C" fn pt_cond_alloc(_t: c_uint) -> *mut c_void {
    let c = Box::into_raw(Box::new(libc::PTHREAD_COND_INITIALIZER));
    // SAFETY: `c` is valid.
    unsafe { libc::pthread_cond_init(c, std::ptr::null()) };
    c as *mut c_void
}
unsafe extern "C" fn pt_cond_free(c: *mut c_void) {
    // SAFETY: `c` came from `pt_cond_alloc`.
    unsafe {
        libc::pthread_cond_destroy(c as *mut libc::pthread_cond_t);
        drop(Box::from_raw(c as *mut libc::pthread_cond_t));
    }
}
unsafe extern "C" fn pt_cond_signal(c: *mut c_void, broadcast: c_int) -> c_int {
    let c = c as *mut libc::pthread_cond_t;
    // SAFETY: `c` came from `pt_cond_alloc`.
    let r = unsafe {
        if broadcast != 0 {
            libc::pthread_cond_broadcast(c)
        } else {
            libc::pthread_cond_signal(c)
        }
    };
    if r == 0 {
        0
    } else {
        -1
    }
}
unsafe extern "C" fn pt_cond_wait(c: *mut c_void, lock: *mut c_void, tv: *const timeval) -> c_int {
    let c = c as *mut libc::pthread_cond_t;
    let m = lock as *mut libc::pthread_mutex_t;
    // SAFETY: `c` and `lock` came from our allocators; `tv` is null or valid per the API.
    unsafe {
        if tv.is_null() {
            return if libc::pthread_cond_wait(c, m) == 0 { 0 } else { -1 };
        }
        let now = super::time::wall_clock();
        let end = super::time::tv_add(&now, &*tv);
        let ts = libc::timespec { tv_sec: end.tv_sec, tv_nsec: end.tv_usec * 1000 };
        match libc::pthread_cond_timedwait(c, m, &ts) {
            0 => 0,
            libc::ETIMEDOUT => 1,
            _ => -1,
        }
    }
}
unsafe extern "C" fn pt_id() -> c_ulong {
    // SAFETY: always safe to call.
    unsafe { libc::pthread_self() as c_ulong }
}

/// `evthread_use_pthreads`.
pub fn use_pthreads() -> c_int {
    let locks = evthread_lock_callbacks {
        lock_api_version: 1,
        supported_locktypes: EVTHREAD_LOCKTYPE_RECURSIVE,
        alloc: Some(pt_alloc),
        free: Some(pt_free),
        lock: Some(pt_lock),
        unlock: Some(pt_unlock),
    };
    let conds = evthread_condition_callbacks {
        condition_api_version: 1,
        alloc_condition: Some(pt_cond_alloc),
        free_condition: Some(pt_cond_free),
        signal_condition: Some(pt_cond_signal),
        wait_condition: Some(pt_cond_wait),
    };
    set_lock_callbacks(Some(&locks));
    set_condition_callbacks(Some(&conds));
    set_id_fn(Some(pt_id));
    0
}

// ---- Lock debugging wrappers ----

struct DebugLock {
    inner: *mut c_void,
    locktype: c_uint,
    count: i32,
    holder: c_ulong,
}

unsafe extern "C" fn dbg_alloc(locktype: c_uint) -> *mut c_void {
    let orig = ORIG_LOCK_FNS.get();
    // SAFETY: the program's allocator; `alloc` is set whenever these wrappers are installed.
    let inner = unsafe { (orig.alloc.unwrap())(locktype) };
    if inner.is_null() {
        return inner;
    }
    Box::into_raw(Box::new(DebugLock { inner, locktype, count: 0, holder: 0 })) as *mut c_void
}
unsafe extern "C" fn dbg_free(lock: *mut c_void, locktype: c_uint) {
    // SAFETY: `lock` came from `dbg_alloc`.
    let l = unsafe { Box::from_raw(lock as *mut DebugLock) };
    if l.count != 0 {
        log::fatal(1, "evthread lock debugging: freeing a lock that is held");
    }
    // SAFETY: the inner lock came from the program's allocator.
    unsafe { (ORIG_LOCK_FNS.get().free.unwrap())(l.inner, locktype) };
}
unsafe extern "C" fn dbg_lock(mode: c_uint, lock: *mut c_void) -> c_int {
    let l = lock as *mut DebugLock;
    // SAFETY: `lock` came from `dbg_alloc`; the inner lock protects the counters.
    unsafe {
        let r = (ORIG_LOCK_FNS.get().lock.unwrap())(mode, (*l).inner);
        if r == 0 {
            (*l).count += 1;
            if (*l).locktype & EVTHREAD_LOCKTYPE_RECURSIVE == 0 && (*l).count > 1 {
                log::fatal(1, "evthread lock debugging: non-recursive lock taken twice");
            }
            (*l).holder = current_id().unwrap_or(0);
        }
        r
    }
}
unsafe extern "C" fn dbg_unlock(mode: c_uint, lock: *mut c_void) -> c_int {
    let l = lock as *mut DebugLock;
    // SAFETY: `lock` came from `dbg_alloc`.
    unsafe {
        if (*l).count <= 0 {
            log::fatal(1, "evthread lock debugging: releasing a lock that is not held");
        }
        if let Some(me) = current_id() {
            if (*l).holder != me {
                log::fatal(1, "evthread lock debugging: lock released by a thread not holding it");
            }
        }
        (*l).count -= 1;
        (ORIG_LOCK_FNS.get().unlock.unwrap())(mode, (*l).inner)
    }
}
unsafe extern "C" fn dbg_cond_alloc(t: c_uint) -> *mut c_void {
    // SAFETY: forwarding to the program's condition allocator.
    unsafe { (ORIG_COND_FNS.get().alloc_condition.unwrap())(t) }
}
unsafe extern "C" fn dbg_cond_free(c: *mut c_void) {
    // SAFETY: forwarding.
    unsafe { (ORIG_COND_FNS.get().free_condition.unwrap())(c) }
}
unsafe extern "C" fn dbg_cond_signal(c: *mut c_void, b: c_int) -> c_int {
    // SAFETY: forwarding.
    unsafe { (ORIG_COND_FNS.get().signal_condition.unwrap())(c, b) }
}
unsafe extern "C" fn dbg_cond_wait(c: *mut c_void, lock: *mut c_void, tv: *const timeval) -> c_int {
    let l = lock as *mut DebugLock;
    // SAFETY: `lock` came from `dbg_alloc` and is held by this thread.
    unsafe {
        let saved = (*l).count;
        (*l).count = 0;
        let r = (ORIG_COND_FNS.get().wait_condition.unwrap())(c, (*l).inner, tv);
        (*l).count = saved;
        (*l).holder = current_id().unwrap_or(0);
        r
    }
}

const DEBUG_LOCK_FNS: evthread_lock_callbacks = evthread_lock_callbacks {
    lock_api_version: 1,
    supported_locktypes: EVTHREAD_LOCKTYPE_RECURSIVE,
    alloc: Some(dbg_alloc),
    free: Some(dbg_free),
    lock: Some(dbg_lock),
    unlock: Some(dbg_unlock),
};
const DEBUG_COND_FNS: evthread_condition_callbacks = evthread_condition_callbacks {
    condition_api_version: 1,
    alloc_condition: Some(dbg_cond_alloc),
    free_condition: Some(dbg_cond_free),
    signal_condition: Some(dbg_cond_signal),
    wait_condition: Some(dbg_cond_wait),
};

/// A recursive lock (and condition) from the program's threading callbacks: no-ops when threading
/// was off at creation. Bases use one; so do evbuffers and bufferevents that ask for locking.
pub struct BaseLock {
    lock: *mut c_void,
    cond: *mut c_void,
    fns: evthread_lock_callbacks,
    conds: evthread_condition_callbacks,
}

impl BaseLock {
    pub fn none() -> Self {
        BaseLock { lock: std::ptr::null_mut(), cond: std::ptr::null_mut(), fns: NO_LOCKS, conds: NO_CONDS }
    }

    /// Allocates a recursive lock (and a condition, if condition callbacks are set) with the
    /// current global callbacks.
    pub fn new() -> Self {
        let fns = LOCK_FNS.get();
        let conds = COND_FNS.get();
        let Some(alloc) = fns.alloc else { return Self::none() };
        // SAFETY: the program's (or our pthreads) allocator.
        let lock = unsafe { alloc(EVTHREAD_LOCKTYPE_RECURSIVE) };
        let cond = match conds.alloc_condition {
            // SAFETY: as above.
            Some(a) => unsafe { a(0) },
            None => std::ptr::null_mut(),
        };
        BaseLock { lock, cond, fns, conds }
    }

    pub fn is_enabled(&self) -> bool {
        !self.lock.is_null()
    }

    #[inline]
    pub fn lock(&self) {
        if !self.lock.is_null() {
            // SAFETY: `lock` was allocated by these callbacks.
            unsafe { (self.fns.lock.unwrap())(0, self.lock) };
        }
    }

    #[inline]
    pub fn unlock(&self) {
        if !self.lock.is_null() {
            // SAFETY: `lock` was allocated by these callbacks and is held.
            unsafe { (self.fns.unlock.unwrap())(0, self.lock) };
        }
    }

    /// Waits on the condition with the lock held; returns at once without a condition.
    pub fn wait(&self) {
        if let (false, Some(w)) = (self.cond.is_null(), self.conds.wait_condition) {
            // SAFETY: the condition and lock were allocated by these callbacks; lock held.
            unsafe { w(self.cond, self.lock, std::ptr::null()) };
        }
    }

    pub fn broadcast(&self) {
        if let (false, Some(s)) = (self.cond.is_null(), self.conds.signal_condition) {
            // SAFETY: the condition was allocated by these callbacks.
            unsafe { s(self.cond, 1) };
        }
    }
}

impl Drop for BaseLock {
    fn drop(&mut self) {
        // SAFETY: freeing what `new` allocated, with the matching callbacks.
        unsafe {
            if !self.cond.is_null() {
                (self.conds.free_condition.unwrap())(self.cond);
            }
            if !self.lock.is_null() {
                (self.fns.free.unwrap())(self.lock, EVTHREAD_LOCKTYPE_RECURSIVE);
            }
        }
    }
}

/// The same lock type, for objects other than bases.
pub type Lock = BaseLock;
