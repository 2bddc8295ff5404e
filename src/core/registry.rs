//! Process-wide named stores. The addon is loaded once per process, so this
//! map is shared by every worker thread: opening the same name from any
//! thread yields the same store (one table, one byte budget).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use super::error::CommandError;
use super::local::{LocalConfig, LocalStore};

fn registry() -> &'static Mutex<HashMap<String, Weak<LocalStore>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, Weak<LocalStore>>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// Opens the store called `name` for one more instance, creating it with
/// `config` if no store of that name is in use. A store in use keeps its
/// bounds: asking for other bounds is an error rather than a silent surprise.
/// Pair every successful open with [`close`].
pub fn open_named(
    name: &str,
    config: LocalConfig,
    create: impl FnOnce(LocalConfig) -> LocalStore,
) -> Result<Arc<LocalStore>, CommandError> {
    let mut map = registry().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(existing) = map.get(name).and_then(Weak::upgrade).filter(|s| s.in_use()) {
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
    map.insert(name.to_owned(), Arc::downgrade(&store));
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
        let a = open_named("reg-test-a", LocalConfig::default(), LocalStore::new).unwrap();
        let b = open_named("reg-test-a", LocalConfig::default(), LocalStore::new).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let other = LocalConfig {
            max_entries: Some(5),
            ..LocalConfig::default()
        };
        let err = open_named("reg-test-a", other.clone(), LocalStore::new).unwrap_err();
        assert_eq!(err.code(), "ERR_TIERCACHE_OPTION_CONFLICT");
        close(&a);
        close(&b);
        // Gone once nobody uses it (even while references linger): a new open
        // may choose new bounds.
        let c = open_named("reg-test-a", other, LocalStore::new).unwrap();
        assert_eq!(c.config().max_entries, Some(5));
    }
}
