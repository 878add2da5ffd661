//! The storage origin's switch (`POST /__dev/storage`), for the faults no scripted answer can
//! play: storage `down` (its listener is closed, so connections are refused) and storage
//! answering without CORS for pages (`no_cors`, as a bucket whose CORS rules leave the page's
//! origin out: the browser refuses every preflight and answer, while the server is up).

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// What the storage origin does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageMode {
    /// Serving, with CORS for allowed pages.
    #[default]
    Up,
    /// Refusing connections.
    Down,
    /// Serving, with no CORS headers for any page.
    NoCors,
}

/// The mode, and a way for the accept loop to hear it change.
#[derive(Debug)]
pub struct StorageSwitch {
    mode: watch::Sender<StorageMode>,
    /// The mode the accept loop has put in force.
    applied: watch::Sender<StorageMode>,
}

impl Default for StorageSwitch {
    fn default() -> Self {
        StorageSwitch { mode: watch::Sender::new(StorageMode::Up), applied: watch::Sender::new(StorageMode::Up) }
    }
}

impl StorageSwitch {
    pub fn get(&self) -> StorageMode {
        *self.mode.borrow()
    }
    /// Switches, and returns once the accept loop has put the mode in force (at most 2 s), so a
    /// request sent after the answer meets the new mode.
    pub async fn set(&self, mode: StorageMode) {
        let mut applied = self.applied.subscribe();
        self.mode.send_replace(mode);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), applied.wait_for(|m| *m == mode)).await;
    }
    /// The accept loop put `mode` in force.
    pub fn applied(&self, mode: StorageMode) {
        self.applied.send_replace(mode);
    }
    /// Whether the storage origin is down, as it changes (for the accept loop).
    pub fn watch(&self) -> watch::Receiver<StorageMode> {
        self.mode.subscribe()
    }
}
