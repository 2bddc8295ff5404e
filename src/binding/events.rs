//! Evictions and expirations delivered to JS as `(key, reason)` calls.
//!
//! The store calls sinks on the thread whose command evicted or reclaimed the
//! entry (any thread sharing the store), once that shard's lock is released; a
//! thread-safe function queues each call onto the subscribing instance's own
//! event loop. It is weak, so a subscription never keeps a process alive.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;

use super::errors;
use super::handle::Handle;

#[napi(catch_unwind)]
pub fn subscribe(handle: &External<Handle>, callback: Function<FnArgs<(String, String)>, ()>) -> Result<(), String> {
    let store = handle.store()?;
    let tsfn = callback
        .build_threadsafe_function::<FnArgs<(String, String)>>()
        .weak::<true>()
        .callee_handled::<false>()
        .build()
        .map_err(|e| errors::internal(e.reason.clone()))?;
    handle.unsubscribe();
    let id = store.add_removal_sink(Arc::new(move |key: &[u8], reason| {
        let key = String::from_utf8_lossy(key).into_owned();
        tsfn.call(
            FnArgs::from((key, reason.as_str().to_string())),
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    }));
    *handle.sink_id.lock().unwrap_or_else(|p| p.into_inner()) = Some(id);
    Ok(())
}

#[napi(catch_unwind)]
pub fn unsubscribe(handle: &External<Handle>) {
    handle.unsubscribe();
}
