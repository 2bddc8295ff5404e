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

/// Opens the store called `name`, creating it with `config` if no live store
/// has that name. A live store keeps its bounds: asking for other bounds is an
/// error rather than a silent surprise.
pub fn open_named(
    name: &str,
    config: LocalConfig,
    create: impl FnOnce(LocalConfig) -> LocalStore,
) -> Result<Arc<LocalStore>, CommandError> {
    let mut map = registry().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(existing) = map.get(name).and_then(Weak::upgrade) {
        if existing.config() != &config {
            return Err(CommandError::OptionConflict(format!(
                "a cache named {name:?} is already open in this process with other options \
                 (maxEntries, maxBytes, maxValueBytes, ttl must match)"
            )));
        }
        return Ok(existing);
    }
    let store = Arc::new(create(config));
    map.retain(|_, w| w.strong_count() > 0);
    map.insert(name.to_owned(), Arc::downgrade(&store));
    Ok(store)
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
        drop((a, b));
        // Gone once nobody holds it: a new open may choose new bounds.
        let c = open_named("reg-test-a", other, LocalStore::new).unwrap();
        assert_eq!(c.config().max_entries, Some(5));
    }
}
