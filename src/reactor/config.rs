//! `struct event_config`: what a program asks of a new base.

use libc::timeval;
use std::ffi::CString;

pub struct Config {
    pub avoid: Vec<CString>,
    pub require_features: i32,
    pub flags: i32,
    pub n_cpus_hint: i32,
    pub max_dispatch_interval: Option<timeval>,
    pub max_dispatch_callbacks: i32,
    pub limit_callbacks_after_prio: i32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            avoid: Vec::new(),
            require_features: 0,
            flags: 0,
            n_cpus_hint: 0,
            max_dispatch_interval: None,
            max_dispatch_callbacks: i32::MAX,
            limit_callbacks_after_prio: 1,
        }
    }
}

impl Config {
    pub fn avoids(&self, name: &std::ffi::CStr) -> bool {
        self.avoid.iter().any(|a| a.as_c_str() == name)
    }

    pub fn set_max_dispatch_interval(&mut self, tv: Option<timeval>, max_cb: i32, min_prio: i32) {
        self.max_dispatch_interval = tv;
        self.max_dispatch_callbacks = if max_cb >= 0 { max_cb } else { i32::MAX };
        self.limit_callbacks_after_prio = min_prio.max(0);
    }
}
