//! The lifetimes in force: the command line's, until `/__dev/config` changes them.

use std::sync::Mutex;

use crate::config::Lifetimes;

/// The lifetimes in force, and the ones `/__dev/reset` goes back to.
#[derive(Debug)]
pub struct Settings {
    initial: Lifetimes,
    current: Mutex<Lifetimes>,
}

impl Settings {
    /// Starts with `initial`, and goes back to it on reset.
    pub fn new(initial: Lifetimes) -> Self {
        Settings { initial, current: Mutex::new(initial) }
    }

    /// The lifetimes now.
    pub fn get(&self) -> Lifetimes {
        *self.current.lock().unwrap()
    }

    /// Changes the lifetimes given; returns the ones now in force.
    pub fn set(&self, token_ttl: Option<f64>, url_ttl: Option<f64>) -> Lifetimes {
        let mut cur = self.current.lock().unwrap();
        if let Some(t) = token_ttl {
            cur.token_ttl = t;
        }
        if let Some(u) = url_ttl {
            cur.url_ttl = u;
        }
        *cur
    }

    /// Back to the command line's lifetimes.
    pub fn reset(&self) {
        *self.current.lock().unwrap() = self.initial;
    }
}
