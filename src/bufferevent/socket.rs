//! Socket bufferevents: `ev_read`/`ev_write` watch the socket (persistent, level-triggered, with
//! the bufferevent's timeouts); a readiness callback moves one read's worth of bytes (at most
//! `max_single_read`, below the read high watermark) into the input buffer, or as much of the
//! output as the socket takes (at most `max_single_write`). Each readiness event does one read
//! or one write, as libevent's socket bufferevents do, so the callbacks a program sees come in
//! the same rhythm; the level-triggered events bring the loop back while data is left.
//!
//! The write event is only pending while the output holds data (or a connect is in progress):
//! a callback on the output buffer adds it when data arrives there.

use super::*;
use crate::capi::buffer::{
    evbuffer_freeze, evbuffer_read, evbuffer_set_flags, evbuffer_unfreeze, evbuffer_write_atmost,
};
use crate::capi::buffer_defs::EVBUFFER_FLAG_DRAINS_TO_FD;
use crate::capi::event::{event_assign, event_del, event_get_fd};
use crate::capi::event_defs::{EV_FINALIZE, EV_PERSIST, EV_TIMEOUT};
use crate::util::addrinfo;
use libc::{sockaddr, socklen_t};
use std::ffi::CStr;

/// The operations of socket bufferevents.
pub static SOCKET_OPS: BevOps = BevOps {
    type_name: c"socket".as_ptr(),
    enable: be_enable,
    disable: be_disable,
    unlink: None,
    destruct: Some(be_destruct),
    adj_timeouts: Some(generic_adj_timeouts),
    flush: Some(be_flush),
    ctrl: Some(be_ctrl),
    dealloc: be_dealloc,
};

/// Whether `bev` is a socket bufferevent.
///
/// # Safety
/// `bev` is live.
pub unsafe fn is_socket(bev: *mut bufferevent) -> bool {
    // SAFETY: per the caller.
    unsafe { (*bev).be_ops == ops_ptr(&SOCKET_OPS) }
}

/// `bufferevent_socket_new`: a socket bufferevent on `fd` (-1: none yet).
///
/// # Safety
/// `base` is null (the legacy current base) or live.
pub unsafe fn new(base: *mut event_base, fd: c_int, options: c_int) -> *mut bufferevent {
    // SAFETY: a zeroed BevPrivate is the state init_common expects; it never moves.
    unsafe {
        let p = mem::boxed(std::mem::zeroed::<BevPrivate>());
        if p.is_null() {
            return null_mut();
        }
        if init_common(p, base, &SOCKET_OPS, options) < 0 {
            mem::unbox(p);
            return null_mut();
        }
        let bev = &mut (*p).bev as *mut bufferevent;
        evbuffer_set_flags((*bev).output, EVBUFFER_FLAG_DRAINS_TO_FD as u64);
        assign_events(bev, fd);
        evbuffer_add_cb((*bev).output, Some(outbuf_cb), bev.cast());
        evbuffer_freeze((*bev).input, 0);
        evbuffer_freeze((*bev).output, 1);
        bev
    }
}

unsafe fn assign_events(bev: *mut bufferevent, fd: c_int) {
    // SAFETY: `bev` is live; its events are not pending.
    unsafe {
        let base = (*bev).ev_base;
        let flags = EV_PERSIST | EV_FINALIZE;
        event_assign(&mut (*bev).ev_read, base, fd, EV_READ | flags, Some(readcb), bev.cast());
        event_assign(&mut (*bev).ev_write, base, fd, EV_WRITE | flags, Some(writecb), bev.cast());
    }
}

unsafe extern "C" fn be_dealloc(bev: *mut bufferevent) {
    // SAFETY: allocated by `new` with mem::boxed; nothing uses it any more.
    unsafe { mem::unbox(private(bev)) }
}

unsafe extern "C" fn be_enable(bev: *mut bufferevent, what: c_short) -> c_int {
    // SAFETY: `bev` is a live, locked socket bufferevent.
    unsafe {
        if what & EV_READ != 0 && add_event(&mut (*bev).ev_read, &(*bev).timeout_read) == -1 {
            return -1;
        }
        if what & EV_WRITE != 0 && add_event(&mut (*bev).ev_write, &(*bev).timeout_write) == -1 {
            return -1;
        }
    }
    0
}

unsafe extern "C" fn be_disable(bev: *mut bufferevent, what: c_short) -> c_int {
    // SAFETY: as be_enable.
    unsafe {
        if what & EV_READ != 0 && event_del(&mut (*bev).ev_read) == -1 {
            return -1;
        }
        // The write event also reports the end of a connect: keep it while connecting.
        if what & EV_WRITE != 0 && !(*private(bev)).connecting && event_del(&mut (*bev).ev_write) == -1 {
            return -1;
        }
    }
    0
}

unsafe extern "C" fn be_destruct(bev: *mut bufferevent) {
    // SAFETY: called from the finalizer of a socket bufferevent.
    unsafe {
        let fd = event_get_fd(&(*bev).ev_read);
        if (*private(bev)).options & OPT_CLOSE_ON_FREE != 0 && fd >= 0 {
            libc::close(fd);
        }
    }
}

unsafe extern "C" fn be_flush(_bev: *mut bufferevent, _iotype: c_short, _mode: c_int) -> c_int {
    0
}

unsafe extern "C" fn be_ctrl(bev: *mut bufferevent, op: c_int, data: *mut CtrlData) -> c_int {
    // SAFETY: a live, locked socket bufferevent; `data` valid.
    unsafe {
        match op {
            CTRL_SET_FD => {
                setfd(bev, (*data).fd);
                0
            }
            CTRL_GET_FD => {
                (*data).fd = event_get_fd(&(*bev).ev_read);
                0
            }
            CTRL_CANCEL_ALL => 0,
            _ => -1,
        }
    }
}

/// Moves the bufferevent to `fd`: both events re-made on it, then re-enabled as `enabled` says.
unsafe fn setfd(bev: *mut bufferevent, fd: c_int) {
    // SAFETY: a live, locked socket bufferevent.
    unsafe {
        event_del(&mut (*bev).ev_read);
        event_del(&mut (*bev).ev_write);
        // libevent leaves the buffers unfrozen from here on; programs may rely on being able
        // to drain the output of such a bufferevent themselves.
        evbuffer_unfreeze((*bev).input, 0);
        evbuffer_unfreeze((*bev).output, 1);
        assign_events(bev, fd);
        if fd >= 0 {
            enable(bev, (*bev).enabled);
        }
    }
}

/// Data added to the output: start writing if writing is enabled and idle.
unsafe extern "C" fn outbuf_cb(_buf: *mut evbuffer, info: *const evbuffer_cb_info, arg: *mut c_void) {
    let bev = arg as *mut bufferevent;
    // SAFETY: registered on the live bufferevent's output buffer.
    unsafe {
        if (*info).n_added != 0
            && (*bev).enabled & EV_WRITE != 0
            && event_pending(&(*bev).ev_write, EV_WRITE, null_mut()) == 0
            && (*private(bev)).write_suspended == 0
        {
            add_event(&mut (*bev).ev_write, &(*bev).timeout_write);
        }
    }
}

fn retriable(e: c_int) -> bool {
    e == libc::EINTR || e == libc::EAGAIN || e == libc::EWOULDBLOCK
}

unsafe extern "C" fn readcb(fd: c_int, what: c_short, arg: *mut c_void) {
    let bev = arg as *mut bufferevent;
    // SAFETY: the event's argument is its live bufferevent; the reference taken here keeps it
    // alive through the user's callbacks.
    unsafe {
        incref_and_lock(bev);
        let p = private(bev);
        let mut report = BEV_EVENT_READING;
        'out: {
            if what == EV_TIMEOUT {
                report |= BEV_EVENT_TIMEOUT;
            } else {
                let input = (*bev).input;
                let mut howmuch: isize = -1;
                if (*bev).wm_read.high != 0 {
                    howmuch = (*bev).wm_read.high as isize - evbuffer_get_length(input) as isize;
                    if howmuch <= 0 {
                        // The watermark was lowered below what is buffered.
                        suspend_read(bev, SUSPEND_WM);
                        break 'out;
                    }
                }
                let readmax = read_max(bev);
                if howmuch < 0 || howmuch > readmax {
                    howmuch = readmax;
                }
                if (*p).read_suspended != 0 {
                    break 'out;
                }
                evbuffer_unfreeze(input, 0);
                let res = evbuffer_read(input, fd, howmuch.min(c_int::MAX as isize) as c_int);
                evbuffer_freeze(input, 0);
                if res > 0 {
                    note_read(bev, res as usize);
                    trigger_nolock(bev, EV_READ, 0);
                    break 'out;
                }
                if res == -1 {
                    let e = errno();
                    if retriable(e) {
                        break 'out;
                    }
                    if e == libc::ECONNREFUSED {
                        (*p).connection_refused = true;
                        break 'out;
                    }
                    report |= BEV_EVENT_ERROR;
                } else {
                    report |= BEV_EVENT_EOF;
                }
            }
            disable(bev, EV_READ);
            run_eventcb(bev, report, 0);
        }
        decref_and_unlock(bev);
    }
}

/// 1 connected, 0 still connecting, -1 failed (errno set).
fn finished_connecting(fd: c_int) -> c_int {
    let mut e: c_int = 0;
    let mut len = std::mem::size_of::<c_int>() as socklen_t;
    // SAFETY: reading an int option into a valid buffer.
    if unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ERROR, (&mut e as *mut c_int).cast(), &mut len) } < 0 {
        return -1;
    }
    if e != 0 {
        if e == libc::EINTR || e == libc::EINPROGRESS {
            return 0;
        }
        set_errno(e);
        return -1;
    }
    1
}

unsafe extern "C" fn writecb(fd: c_int, what: c_short, arg: *mut c_void) {
    let bev = arg as *mut bufferevent;
    // SAFETY: as readcb.
    unsafe {
        incref_and_lock(bev);
        let p = private(bev);
        let mut report = BEV_EVENT_WRITING;
        let mut connected = false;
        let mut res: c_int = 0;
        let mut write_failed = false;
        'out: {
            if what == EV_TIMEOUT {
                report |= BEV_EVENT_TIMEOUT;
            } else {
                if (*p).connecting {
                    let mut c = finished_connecting(fd);
                    if (*p).connection_refused {
                        (*p).connection_refused = false;
                        c = -1;
                    }
                    if c == 0 {
                        break 'out;
                    }
                    (*p).connecting = false;
                    if c < 0 {
                        event_del(&mut (*bev).ev_write);
                        event_del(&mut (*bev).ev_read);
                        run_eventcb(bev, BEV_EVENT_ERROR, 0);
                        break 'out;
                    }
                    connected = true;
                    run_eventcb(bev, BEV_EVENT_CONNECTED, 0);
                    if (*bev).enabled & EV_WRITE == 0 || (*p).write_suspended != 0 {
                        event_del(&mut (*bev).ev_write);
                        break 'out;
                    }
                }
                let atmost = write_max(bev);
                if (*p).write_suspended != 0 {
                    break 'out;
                }
                if evbuffer_get_length((*bev).output) != 0 {
                    evbuffer_unfreeze((*bev).output, 1);
                    res = evbuffer_write_atmost((*bev).output, fd, atmost);
                    evbuffer_freeze((*bev).output, 1);
                    if res == -1 {
                        if retriable(errno()) {
                            if evbuffer_get_length((*bev).output) == 0 {
                                event_del(&mut (*bev).ev_write);
                            }
                            break 'out;
                        }
                        report |= BEV_EVENT_ERROR;
                    } else if res == 0 {
                        report |= BEV_EVENT_EOF;
                    }
                    if res <= 0 {
                        write_failed = true;
                    } else {
                        note_written(bev, res as usize);
                    }
                }
                if !write_failed {
                    if evbuffer_get_length((*bev).output) == 0 {
                        event_del(&mut (*bev).ev_write);
                    }
                    // The program hears of a drained output, or of writability it asked for.
                    if res != 0 || !connected {
                        trigger_nolock(bev, EV_WRITE, 0);
                    }
                    break 'out;
                }
            }
            disable(bev, EV_WRITE);
            run_eventcb(bev, report, 0);
        }
        decref_and_unlock(bev);
    }
}

/// `evutil_socket_connect_`'s outcome: 0 in progress, 1 connected, 2 refused at once, -1 error.
unsafe fn start_connect(fd: c_int, sa: *const sockaddr, len: c_int) -> c_int {
    // SAFETY: `sa` points to `len` bytes per the caller.
    if unsafe { libc::connect(fd, sa, len as socklen_t) } == 0 {
        return 1;
    }
    let e = errno();
    if e == libc::EINTR || e == libc::EINPROGRESS {
        return 0;
    }
    if e == libc::ECONNREFUSED {
        return 2;
    }
    -1
}

/// `bufferevent_socket_connect`.
///
/// # Safety
/// `bev` is a live socket bufferevent; `sa` is null or points to `socklen` bytes.
pub unsafe fn connect(bev: *mut bufferevent, sa: *const sockaddr, socklen: c_int) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        incref_and_lock(bev);
        let p = private(bev);
        let mut result = -1;
        let mut fd = event_get_fd(&(*bev).ev_read);
        let mut own_fd = false;
        'done: {
            if fd < 0 {
                if sa.is_null() {
                    break 'done;
                }
                fd = libc::socket((*sa).sa_family as c_int, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0);
                if fd < 0 {
                    break 'done;
                }
                own_fd = true;
            }
            let mut r = 0;
            if !sa.is_null() {
                r = start_connect(fd, sa, socklen);
                if r < 0 {
                    if own_fd {
                        let e = errno();
                        libc::close(fd);
                        set_errno(e);
                    }
                    break 'done;
                }
            }
            setfd(bev, fd);
            match r {
                0 => {
                    if be_enable(bev, EV_WRITE) == 0 {
                        (*p).connecting = true;
                        result = 0;
                    }
                }
                1 => {
                    result = 0;
                    (*p).connecting = true;
                    trigger_nolock(bev, EV_WRITE, OPT_DEFER_CALLBACKS);
                }
                _ => {
                    result = 0;
                    run_eventcb(bev, BEV_EVENT_ERROR, OPT_DEFER_CALLBACKS);
                    disable(bev, EV_WRITE | EV_READ);
                }
            }
        }
        decref_and_unlock(bev);
        result
    }
}

/// `bufferevent_socket_connect_hostname`. Without an evdns base (and, until the resolver is
/// built, with one too) the name is resolved here with the system resolver, which may block;
/// the connect, or the error report, follows at once.
///
/// # Safety
/// `bev` is a live socket bufferevent; `hostname` is null or NUL-terminated.
pub unsafe fn connect_hostname(bev: *mut bufferevent, family: c_int, hostname: *const c_char, port: c_int) -> c_int {
    if family != libc::AF_INET && family != libc::AF_INET6 && family != libc::AF_UNSPEC {
        return -1;
    }
    if !(1..=65535).contains(&port) {
        return -1;
    }
    // SAFETY: per the caller.
    unsafe {
        let mut hints: libc::addrinfo = std::mem::zeroed();
        hints.ai_family = family;
        hints.ai_protocol = libc::IPPROTO_TCP;
        hints.ai_socktype = libc::SOCK_STREAM;
        let port_text = std::ffi::CString::new(port.to_string()).unwrap();
        lock(bev);
        let p = private(bev);
        (*p).dns_error = 0;
        suspend_write(bev, SUSPEND_LOOKUP);
        suspend_read(bev, SUSPEND_LOOKUP);
        incref_nolock(bev);
        let mut ai: *mut libc::addrinfo = null_mut();
        let host = strip_brackets(hostname);
        let host_ptr = host.as_ref().map_or(hostname, |h| h.as_ptr());
        let err = addrinfo::getaddrinfo(host_ptr, port_text.as_ptr(), &hints, &mut ai);
        lookup_done(bev, err, ai);
        unlock(bev);
    }
    0
}

/// "[::1]" is accepted for "::1".
unsafe fn strip_brackets(host: *const c_char) -> Option<std::ffi::CString> {
    if host.is_null() {
        return None;
    }
    // SAFETY: NUL-terminated per the caller.
    let b = unsafe { CStr::from_ptr(host) }.to_bytes();
    if b.len() >= 2 && b[0] == b'[' && b[b.len() - 1] == b']' {
        std::ffi::CString::new(&b[1..b.len() - 1]).ok()
    } else {
        None
    }
}

/// The end of a name lookup: lift the holds, then connect to the first address or report.
unsafe fn lookup_done(bev: *mut bufferevent, err: c_int, ai: *mut libc::addrinfo) {
    // SAFETY: `bev` is live with the lookup's reference; `ai` is null or a resolver list.
    unsafe {
        lock(bev);
        let p = private(bev);
        unsuspend_write(bev, SUSPEND_LOOKUP);
        unsuspend_read(bev, SUSPEND_LOOKUP);
        if err == addrinfo::EAI_CANCEL {
            (*p).dns_error = err;
            decref_and_unlock(bev);
            return;
        }
        if err != 0 || ai.is_null() {
            (*p).dns_error = err;
            run_eventcb(bev, BEV_EVENT_ERROR, 0);
            decref_and_unlock(bev);
            addrinfo::freeaddrinfo(ai);
            return;
        }
        if connect(bev, (*ai).ai_addr, (*ai).ai_addrlen as c_int) < 0 {
            run_eventcb(bev, BEV_EVENT_ERROR, 0);
        }
        decref_and_unlock(bev);
        addrinfo::freeaddrinfo(ai);
    }
}

/// `bufferevent_socket_get_dns_error`.
///
/// # Safety
/// `bev` is live.
pub unsafe fn dns_error(bev: *mut bufferevent) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        lock(bev);
        let e = (*private(bev)).dns_error;
        unlock(bev);
        e
    }
}
