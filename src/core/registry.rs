//! Process-wide named stores. The addon is loaded once per process, so this
//! map is shared by every worker thread: opening the same name from any
//! thread yields the same store (one table, one byte budget).
//!
//! A store is found by its name *and* its partition: what else makes a
//! key's identity (the Redis server, database and key prefix, or none), as
//! the facade hashed it. Caches that share a name but not a partition get
//! separate stores, so tenant B never reads an entry that tenant A cached
//! (and B's Redis invalidations never reach A's entries).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use super::error::CommandError;
use super::local::{LocalConfig, LocalStore};

/// (name, partition) → the store.
type Stores = HashMap<(String, String), Weak<LocalStore>>;

fn registry() -> &'static Mutex<Stores> {
    static REGISTRY: OnceLock<Mutex<Stores>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// Opens the store called `name` in `partition` for one more instance,
/// creating it with `config` if no such store is in use. A store in use
/// keeps its bounds: asking for other bounds is an error rather than a
/// silent surprise. The partition is never shown (it may derive from a
/// password). Pair every successful open with [`close`].
pub fn open_named(
    name: &str,
    partition: &str,
    config: LocalConfig,
    create: impl FnOnce(LocalConfig) -> LocalStore,
) -> Result<Arc<LocalStore>, CommandError> {
    let mut map = registry().lock().unwrap_or_else(|p| p.into_inner());
    let id = (name.to_owned(), partition.to_owned());
    if let Some(existing) = map.get(&id).and_then(Weak::upgrade).filter(|s| s.in_use()) {
        if existing.config() != &config {
            return Err(CommandError::OptionConflict(format!(
                "a cache named {name:?} is already open in this process with other options \
                 (maxEntries, maxBytes, maxValueBytes, ttl must match)"
            )));
        }
        existing.acquire();
        return Ok(existing);
    }
    let store = Arc::new(create(config));
    store.acquire();
    map.retain(|_, w| w.strong_count() > 0);
    map.insert(id, Arc::downgrade(&store));
    Ok(store)
}

/// Opens an unnamed store, private to one instance.
pub fn open_private(config: LocalConfig, create: impl FnOnce(LocalConfig) -> LocalStore) -> Arc<LocalStore> {
    let store = Arc::new(create(config));
    store.acquire();
    store
}

/// Releases one instance's use of `store`; the last one empties it, so its
/// memory is returned now rather than when the last reference is collected.
pub fn close(store: &LocalStore) {
    // Under the registry lock, so an open cannot pick up a store being emptied.
    let _map = registry().lock().unwrap_or_else(|p| p.into_inner());
    if store.release() {
        store.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_store_until_all_dropped() {
        let a = open_named("reg-test-a", "p", LocalConfig::default(), LocalStore::new).unwrap();
        let b = open_named("reg-test-a", "p", LocalConfig::default(), LocalStore::new).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let other = LocalConfig {
            max_entries: Some(5),
            ..LocalConfig::default()
        };
        let err = open_named("reg-test-a", "p", other.clone(), LocalStore::new).unwrap_err();
        assert_eq!(err.code(), crate::core::error_code::ErrorCode::OptionConflict);
        close(&a);
        close(&b);
        // Gone once nobody uses it (even while references linger): a new open
        // may choose new bounds.
        let c = open_named("reg-test-a", "p", other, LocalStore::new).unwrap();
        assert_eq!(c.config().max_entries, Some(5));
        close(&c);
    }

    #[test]
    fn partitions_of_one_name_never_share() {
        let a = open_named("reg-test-b", "tenant-a", LocalConfig::default(), LocalStore::new).unwrap();
        let b = open_named("reg-test-b", "tenant-b", LocalConfig::default(), LocalStore::new).unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
        // Each partition keeps its own bounds.
        let small = LocalConfig {
            max_entries: Some(5),
            ..LocalConfig::default()
        };
        let err = open_named("reg-test-b", "tenant-a", small, LocalStore::new).unwrap_err();
        assert_eq!(err.code(), crate::core::error_code::ErrorCode::OptionConflict);
        assert!(!err.to_string().contains("tenant-a"));
        close(&a);
        close(&b);
    }
}
