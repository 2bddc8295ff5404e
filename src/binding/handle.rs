//! One JS cache instance's view of a store: the store itself (shared with
//! other instances and worker threads when named), this instance's front
//! epoch, and its event subscription. Dropped when JS collects the instance.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::core::local::{FrontEpoch, LocalStore};
use crate::core::registry;

pub struct Handle {
    store: Arc<LocalStore>,
    pub front: Arc<FrontEpoch>,
    pub sink_id: Mutex<Option<u64>>,
    /// Remaining TTL in ms (f64 bits; -1 for none) of the value the last `get`
    /// returned, read by the facade's front cache through an ArrayBuffer.
    pub last_ttl: Arc<AtomicU64>,
    closed: AtomicBool,
}

impl Handle {
    /// Wraps a store already acquired through `registry`.
    pub fn new(store: Arc<LocalStore>) -> Self {
        let front = Arc::new(FrontEpoch::default());
        store.add_front(Arc::clone(&front));
        Self {
            store,
            front,
            sink_id: Mutex::new(None),
            last_ttl: Arc::new(AtomicU64::new((-1f64).to_bits())),
            closed: AtomicBool::new(false),
        }
    }

    /// The store, unless this instance was closed.
    #[inline]
    pub fn store(&self) -> napi::Result<&LocalStore, String> {
        if self.closed.load(Ordering::Relaxed) {
            Err(super::errors::closed())
        } else {
            Ok(&self.store)
        }
    }

    /// The store itself, for a tier that keeps it alive on another thread.
    pub fn store_arc(&self) -> napi::Result<Arc<LocalStore>, String> {
        self.store().map(|_| Arc::clone(&self.store))
    }

    #[inline]
    pub fn set_last_ttl(&self, remaining_ms: i64) {
        self.last_ttl.store((remaining_ms as f64).to_bits(), Ordering::Relaxed);
    }

    /// Tells other instances' fronts that something changed.
    #[inline]
    pub fn changed(&self) {
        self.store.changed(Some(&self.front));
    }

    pub fn unsubscribe(&self) {
        if let Some(id) = self.sink_id.lock().unwrap_or_else(|p| p.into_inner()).take() {
            self.store.remove_removal_sink(id);
        }
    }

    /// Detaches from the store. The last instance using a store empties it
    /// now instead of whenever the JS objects are collected.
    pub fn close(&self) {
        if self.closed.swap(true, Ordering::Relaxed) {
            return;
        }
        self.unsubscribe();
        self.store.remove_front(&self.front);
        registry::close(&self.store);
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.close();
    }
}
