//! Client connections: how long the server waits on one, the handle a request has on its own,
//! and the cap on how many are open (both origins together).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

/// How long the server waits on a client.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timeouts {
    /// From the connection's start to the end of the request head.
    pub header: Duration,
    /// The longest gap between two pieces of a request body the server is waiting for.
    pub body: Duration,
    /// The longest a response may wait for a client that does not read it.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { header: Duration::from_secs(5), body: Duration::from_secs(5), idle: Duration::from_secs(5) }
    }
}

/// A request extension: the connection the request came on.
#[derive(Clone, Debug, Default)]
pub struct Connection {
    kill: Arc<Notify>,
}

impl Connection {
    /// Closes the connection at once, without a response; the request's future is dropped.
    pub fn kill(&self) {
        self.kill.notify_one();
    }

    /// Resolves once a request on this connection asked for it to be closed.
    pub async fn killed(&self) {
        self.kill.notified().await;
    }
}

/// Connections past the cap that are still read (to answer 503); past this many more, a new
/// connection is closed at once.
const SPARE_CONNECTIONS: usize = 16;

/// The connection cap, shared by both origins.
#[derive(Debug)]
pub struct Gate {
    max: usize,
    open: AtomicUsize,
    next_id: AtomicU64,
    /// Connections still waiting for their head, oldest first: the ones a new connection evicts.
    waiting: Mutex<VecDeque<(u64, Arc<Notify>)>>,
}

impl Gate {
    /// A cap of `max` open connections (at least one).
    pub fn new(max: usize) -> Arc<Gate> {
        Arc::new(Gate { max: max.max(1), open: AtomicUsize::new(0), next_id: AtomicU64::new(0), waiting: Mutex::new(VecDeque::new()) })
    }

    /// Open connections now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Counts a new connection in; `None` when it must be closed at once. `evict` is notified
    /// when a newer connection needs this one's place while it still waits for its head.
    pub(crate) fn admit(self: &Arc<Self>, evict: Arc<Notify>) -> Option<Ticket> {
        let open = self.open.fetch_add(1, Ordering::AcqRel) + 1;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut ticket = Ticket { gate: self.clone(), id, over_cap: false };
        let mut waiting = self.waiting.lock().unwrap();
        if open > self.max {
            match waiting.pop_front() {
                Some((_, oldest)) => oldest.notify_one(),
                None if open > self.max + SPARE_CONNECTIONS => return None,
                None => ticket.over_cap = true,
            }
        }
        waiting.push_back((id, evict));
        Some(ticket)
    }
}

/// One open connection; counted out when dropped.
#[derive(Debug)]
pub(crate) struct Ticket {
    gate: Arc<Gate>,
    id: u64,
    /// Admitted past the cap with nothing to evict: answered 503.
    pub(crate) over_cap: bool,
}

impl Ticket {
    /// The head has arrived: this connection can no longer be evicted.
    pub(crate) fn served(&self) {
        self.gate.waiting.lock().unwrap().retain(|(id, _)| *id != self.id);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.served();
        self.gate.open.fetch_sub(1, Ordering::AcqRel);
    }
}
