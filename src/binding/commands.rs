//! The commands, one plain function each. Arguments arrive already parsed
//! and validated by the facade (ioredis-style varargs, types, TTL ranges);
//! what is checked here is what the engine must never be handed.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use super::errors::{command_error, invalid_argument};
use super::handle::Handle;
use super::modes::{ExpireIf, GetExTtl, SealedStep, SetTtl, ValueKind, WriteIf};
use super::reply::Reply;
use super::utf8_arg::Utf8Arg;
use crate::core::local::{
    ExpireCondition, GetExExpiry, LocalConfig, LocalStore, SetExpiry, SetOptions, DEFAULT_MAX_BYTES,
    DEFAULT_MAX_VALUE_BYTES,
};
use crate::core::registry;

type JsResult<T> = Result<T, String>;

#[napi(object)]
pub struct OpenOptions {
    pub name: Option<String>,
    /// What makes a key's identity besides its name (server, db, prefix,
    /// hashed by the facade): instances of one name share a store only
    /// when it is equal.
    pub partition: Option<String>,
    pub max_entries: Option<f64>,
    pub max_bytes: Option<f64>,
    pub max_value_bytes: Option<f64>,
    /// Default TTL in ms.
    pub ttl: Option<f64>,
}

fn whole(value: Option<f64>, what: &str, min: f64) -> Result<Option<u64>, String> {
    match value {
        None => Ok(None),
        Some(v) if v.is_finite() && v.fract() == 0.0 && v >= min && v <= 9_007_199_254_740_991.0 => Ok(Some(v as u64)),
        Some(_) => Err(invalid_argument(format!("{what} must be a whole number >= {min}"))),
    }
}

/// A millisecond count from the facade: whole, and within JS's safe range.
fn millis(value: f64) -> Result<u64, String> {
    whole(Some(value), "a time in ms", 0.0).map(|v| v.unwrap_or(0))
}

/// The absolute deadline of a time given in ms, relative to the store's
/// clock (EX/PX) or as Unix ms (EXAT/PXAT).
fn deadline(store: &LocalStore, relative: bool, ms: f64) -> JsResult<u64> {
    let ms = millis(ms)?;
    Ok(if relative {
        store.now_ms().saturating_add(ms)
    } else {
        ms
    })
}

#[napi(catch_unwind)]
pub fn open(options: OpenOptions) -> Result<External<Handle>, String> {
    let max_bytes = whole(options.max_bytes, "maxBytes", 1.0)?.unwrap_or(DEFAULT_MAX_BYTES);
    let config = LocalConfig {
        max_entries: whole(options.max_entries, "maxEntries", 1.0)?,
        max_bytes,
        max_value_bytes: whole(options.max_value_bytes, "maxValueBytes", 1.0)?
            .unwrap_or(DEFAULT_MAX_VALUE_BYTES)
            .min(max_bytes),
        default_ttl_ms: whole(options.ttl, "ttl", 1.0)?,
    };
    let store = match &options.name {
        Some(name) => registry::open_named(
            name,
            options.partition.as_deref().unwrap_or(""),
            config,
            LocalStore::new,
        )
        .map_err(command_error)?,
        None => registry::open_private(config, LocalStore::new),
    };
    Ok(External::new(Handle::new(store)))
}

#[napi(catch_unwind)]
pub fn close(handle: &External<Handle>) {
    handle.close();
}

/// Exposes an atomic as an ArrayBuffer over its own memory, kept alive by
/// the buffer's finalizer. Each handle owns distinct atomics, so no two
/// buffers ever share a pointer.
fn atomic_view<T: Send + Sync + 'static>(
    env: &Env,
    owner: Arc<T>,
    ptr: *mut u8,
    len: usize,
) -> Result<ArrayBuffer<'static>> {
    // SAFETY: `ptr` points into `owner`, which the finalize hint keeps alive
    // until the ArrayBuffer is collected.
    let buffer = unsafe { ArrayBuffer::from_external(env, ptr, len, owner, |_, owner| drop(owner)) }?;
    // SAFETY: the buffer is handed to JS at once and never used from Rust again.
    Ok(unsafe { std::mem::transmute::<ArrayBuffer<'_>, ArrayBuffer<'static>>(buffer) })
}

/// The instance's front epoch (a u32 that JS reads without a call): it
/// changes whenever another instance or housekeeping changed the store, and
/// tells the facade to drop its decoded front entries.
#[napi(catch_unwind)]
pub fn front_epoch(env: &Env, handle: &External<Handle>) -> Result<ArrayBuffer<'static>> {
    let ptr = handle.front.as_ptr().cast::<u8>();
    atomic_view(env, Arc::clone(&handle.front), ptr, 4)
}

/// The remaining TTL (an f64 of ms, -1 for none) of the value the last
/// `get` returned, so the front cache knows when its copy expires.
#[napi(catch_unwind)]
pub fn last_ttl(env: &Env, handle: &External<Handle>) -> Result<ArrayBuffer<'static>> {
    let ptr = handle.last_ttl.as_ptr().cast::<u8>();
    atomic_view(env, Arc::clone(&handle.last_ttl), ptr, 8)
}

/// Adds hits that the facade's front cache answered without calling in.
#[napi(catch_unwind)]
pub fn add_hits(handle: &External<Handle>, hits: u32) -> Result<(), String> {
    handle.store()?.add_hits(hits as u64);
    Ok(())
}

/// Test hook: moves this store's clock forward (TTL tests without sleeping).
#[napi(catch_unwind)]
pub fn advance_clock(handle: &External<Handle>, ms: f64) -> Result<(), String> {
    handle.store()?.advance_time(millis(ms)?);
    Ok(())
}

/// Test hook: forces a Rust panic, to prove it surfaces as a JS error.
#[napi(catch_unwind)]
pub fn debug_panic(message: String) {
    panic!("{message}");
}

#[napi(catch_unwind)]
pub fn get(handle: &External<Handle>, #[napi(ts_arg_type = "string")] key: Utf8Arg) -> Result<Reply, String> {
    let found = handle.store()?.get_with_pttl(key.as_bytes());
    Ok(Reply::value(found.map(|(entry, pttl)| {
        handle.set_last_ttl(pttl);
        entry
    })))
}

#[napi(catch_unwind)]
pub fn get_buffer(handle: &External<Handle>, #[napi(ts_arg_type = "string")] key: Utf8Arg) -> Result<Reply, String> {
    Ok(Reply::bytes(handle.store()?.get(key.as_bytes())))
}

fn value_bytes<'a, S: AsBytes>(value: &'a Either<S, &[u8]>) -> &'a [u8] {
    match value {
        Either::A(s) => s.bytes(),
        Either::B(b) => b,
    }
}

/// A string argument's UTF-8 bytes, whichever way it was read.
trait AsBytes {
    fn bytes(&self) -> &[u8];
}

impl AsBytes for String {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsBytes for Utf8Arg {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// SET: `ttl` says what `expiry_ms` is (a duration, a Unix time, unused).
/// Returns the previous value when `get` (SET … GET), else whether it wrote.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn set(
    handle: &External<Handle>,
    #[napi(ts_arg_type = "string")] key: Utf8Arg,
    #[napi(ts_arg_type = "string | Uint8Array")] value: Either<Utf8Arg, &[u8]>,
    value_kind: ValueKind,
    ttl: SetTtl,
    expiry_ms: f64,
    condition: WriteIf,
    get: bool,
) -> Result<Reply, String> {
    let store = handle.store()?;
    let expiry = match ttl {
        SetTtl::Default => SetExpiry::Default,
        SetTtl::Keep => SetExpiry::Keep,
        SetTtl::In => SetExpiry::At(deadline(store, true, expiry_ms)?),
        SetTtl::At => SetExpiry::At(deadline(store, false, expiry_ms)?),
    };
    let outcome = store
        .set(
            key.as_bytes(),
            value_bytes(&value),
            value_kind.into(),
            SetOptions {
                expiry,
                condition: condition.into(),
            },
        )
        .map_err(command_error)?;
    if outcome.written {
        handle.changed();
    }
    Ok(if get {
        Reply::value(outcome.previous)
    } else {
        Reply::Bool(outcome.written)
    })
}

/// MSET: pairs as a flat [key, value, kind, key, value, kind, …] would cost
/// a conversion per element; two parallel arrays keep it to one each.
#[napi(catch_unwind)]
pub fn mset(
    handle: &External<Handle>,
    keys: Vec<String>,
    values: Vec<Either<String, &[u8]>>,
    kinds: Vec<ValueKind>,
) -> Result<(), String> {
    let store = handle.store()?;
    if keys.len() != values.len() || keys.len() != kinds.len() {
        return Err(invalid_argument("keys, values and kinds must have the same length"));
    }
    // Check everything first, so a bad pair writes nothing.
    for (key, value) in keys.iter().zip(&values) {
        store
            .check_entry(key.as_bytes(), value_bytes(value).len())
            .map_err(command_error)?;
    }
    for ((key, value), kind) in keys.iter().zip(values).zip(kinds) {
        store
            .set(key.as_bytes(), value_bytes(&value), kind.into(), SetOptions::default())
            .map_err(command_error)?;
    }
    handle.changed();
    Ok(())
}

#[napi(catch_unwind)]
pub fn mget(handle: &External<Handle>, keys: Vec<String>) -> Result<Reply, String> {
    let store = handle.store()?;
    Ok(Reply::List(
        keys.iter().map(|k| Reply::value(store.get(k.as_bytes()))).collect(),
    ))
}

#[napi(catch_unwind)]
pub fn getdel(handle: &External<Handle>, #[napi(ts_arg_type = "string")] key: Utf8Arg) -> Result<Reply, String> {
    let found = handle.store()?.getdel(key.as_bytes());
    if found.is_some() {
        handle.changed();
    }
    Ok(Reply::value(found))
}

/// GETEX: `ttl` says what `ms` is.
#[napi(catch_unwind)]
pub fn getex(
    handle: &External<Handle>,
    #[napi(ts_arg_type = "string")] key: Utf8Arg,
    ttl: GetExTtl,
    ms: f64,
) -> Result<Reply, String> {
    let store = handle.store()?;
    let changes = ttl != GetExTtl::Unchanged;
    let expiry = match ttl {
        GetExTtl::Unchanged => GetExExpiry::Unchanged,
        GetExTtl::Persist => GetExExpiry::Persist,
        GetExTtl::In => GetExExpiry::At(deadline(store, true, ms)?),
        GetExTtl::At => GetExExpiry::At(deadline(store, false, ms)?),
    };
    let found = store.getex(key.as_bytes(), expiry);
    if found.is_some() && changes {
        handle.changed();
    }
    Ok(Reply::value(found))
}

#[napi(catch_unwind)]
pub fn del(handle: &External<Handle>, keys: Vec<String>) -> Result<i64, String> {
    let removed = handle.store()?.del(&keys);
    if removed > 0 {
        handle.changed();
    }
    Ok(removed as i64)
}

#[napi(catch_unwind)]
pub fn exists(handle: &External<Handle>, keys: Vec<String>) -> Result<i64, String> {
    Ok(handle.store()?.exists(&keys) as i64)
}

/// EXPIRE family. `relative`: whether `ms` is a duration (else absolute).
/// A negative duration or a past time deletes the key, as Redis does.
/// A sealed write (see `core::sealed`); `ms` the TTL. Resolves whether it wrote.
#[napi(catch_unwind)]
pub fn sealed(
    handle: &External<Handle>,
    step: SealedStep,
    #[napi(ts_arg_type = "string")] key: Utf8Arg,
    #[napi(ts_arg_type = "string | Uint8Array")] value: Either<Utf8Arg, &[u8]>,
    value_kind: ValueKind,
    #[napi(ts_arg_type = "string")] seal: Utf8Arg,
    ms: f64,
) -> Result<bool, String> {
    let store = handle.store()?;
    let written = store
        .sealed(
            step.into(),
            key.as_bytes(),
            value_bytes(&value),
            value_kind.into(),
            seal.as_bytes(),
            millis(ms)?,
        )
        .map_err(command_error)?;
    if written {
        handle.changed();
    }
    Ok(written)
}

#[napi(catch_unwind)]
pub fn expire(
    handle: &External<Handle>,
    #[napi(ts_arg_type = "string")] key: Utf8Arg,
    ms: f64,
    relative: bool,
    condition: ExpireIf,
) -> Result<i64, String> {
    let store = handle.store()?;
    if !ms.is_finite() || ms.fract() != 0.0 {
        return Err(invalid_argument("expiry must be a whole number"));
    }
    let now = store.now_ms();
    let deadline = match (relative, ms < 0.0) {
        (_, true) => now.saturating_sub(1).max(1),
        (true, false) => now.saturating_add(ms as u64),
        (false, false) => (ms as u64).max(1),
    };
    let condition = match condition {
        ExpireIf::Always => ExpireCondition::Always,
        ExpireIf::Nx => ExpireCondition::Nx,
        ExpireIf::Xx => ExpireCondition::Xx,
        ExpireIf::Gt => ExpireCondition::Gt,
        ExpireIf::Lt => ExpireCondition::Lt,
    };
    let applied = store.expire(key.as_bytes(), deadline, condition);
    if applied {
        handle.changed();
    }
    Ok(applied as i64)
}

#[napi(catch_unwind)]
pub fn pttl(handle: &External<Handle>, #[napi(ts_arg_type = "string")] key: Utf8Arg) -> Result<i64, String> {
    Ok(handle.store()?.pttl(key.as_bytes()))
}

#[napi(catch_unwind)]
pub fn ttl(handle: &External<Handle>, #[napi(ts_arg_type = "string")] key: Utf8Arg) -> Result<i64, String> {
    Ok(handle.store()?.ttl(key.as_bytes()))
}

#[napi(catch_unwind)]
pub fn persist(handle: &External<Handle>, #[napi(ts_arg_type = "string")] key: Utf8Arg) -> Result<i64, String> {
    let applied = handle.store()?.persist(key.as_bytes());
    if applied {
        handle.changed();
    }
    Ok(applied as i64)
}

/// INCRBY / DECRBY. The amount arrives as the text Redis would receive
/// (a number's decimal form or the caller's string), parsed as Redis parses
/// it (core::numeric), so all of i64 is reachable and the same texts fail.
#[napi(catch_unwind)]
pub fn incrby(
    handle: &External<Handle>,
    #[napi(ts_arg_type = "string")] key: Utf8Arg,
    amount: String,
    decrement: bool,
) -> Result<i64, String> {
    use crate::core::error::CommandError;
    let amount =
        crate::core::numeric::parse_i64(amount.as_bytes()).ok_or_else(|| command_error(CommandError::NotInteger))?;
    let delta = if decrement {
        amount
            .checked_neg()
            .ok_or_else(|| command_error(CommandError::DecrementOverflow))?
    } else {
        amount
    };
    let v = handle.store()?.incr_by(key.as_bytes(), delta).map_err(command_error)?;
    handle.changed();
    Ok(v)
}

/// INCRBYFLOAT. The increment arrives as text and is read as Redis reads it.
#[napi(catch_unwind)]
pub fn incrbyfloat(
    handle: &External<Handle>,
    #[napi(ts_arg_type = "string")] key: Utf8Arg,
    increment: String,
) -> Result<String, String> {
    let delta = crate::core::numeric::parse_f64(increment.as_bytes())
        .ok_or_else(|| command_error(crate::core::error::CommandError::NotFloat))?;
    let v = handle
        .store()?
        .incr_by_float(key.as_bytes(), delta)
        .map_err(command_error)?;
    handle.changed();
    Ok(v)
}

/// SCAN: returns [nextCursor, keys] with the cursor as a decimal string, as
/// ioredis does. One call does bounded work (src/core/scan.rs); KEYS is a
/// loop of these in the facade, the event loop free between them.
#[napi(catch_unwind)]
pub fn scan(
    handle: &External<Handle>,
    cursor: String,
    pattern: Option<String>,
    count: u32,
) -> Result<(String, Vec<String>), String> {
    let cursor: u64 = cursor
        .parse()
        .map_err(|_| command_error(crate::core::error::CommandError::InvalidCursor))?;
    let (next, keys) = handle
        .store()?
        .scan(cursor, pattern.as_deref().map(str::as_bytes), count as usize)
        .map_err(command_error)?;
    Ok((
        next.to_string(),
        keys.into_iter()
            .map(|k| String::from_utf8_lossy(&k).into_owned())
            .collect(),
    ))
}

#[napi(catch_unwind)]
pub fn flush(handle: &External<Handle>) -> Result<(), String> {
    handle.store()?.flush();
    handle.changed();
    Ok(())
}

#[napi(catch_unwind)]
pub fn dbsize(handle: &External<Handle>) -> Result<i64, String> {
    Ok(handle.store()?.dbsize() as i64)
}

#[napi(object)]
pub struct NativeStats {
    pub hits: f64,
    pub misses: f64,
    pub sets: f64,
    pub deletes: f64,
    pub evictions: f64,
    pub expirations: f64,
    pub entries: f64,
    pub bytes: f64,
    pub max_entries: Option<f64>,
    pub max_bytes: f64,
}

#[napi(catch_unwind)]
pub fn stats(handle: &External<Handle>) -> Result<NativeStats, String> {
    let store = handle.store()?;
    store.purge_expired();
    let s = store.stats();
    Ok(NativeStats {
        hits: s.hits as f64,
        misses: s.misses as f64,
        sets: s.sets as f64,
        deletes: s.deletes as f64,
        evictions: s.evictions_size as f64,
        expirations: s.expirations as f64,
        entries: s.entries as f64,
        bytes: s.bytes as f64,
        max_entries: store.config().max_entries.map(|n| n as f64),
        max_bytes: store.config().max_bytes as f64,
    })
}

/// Reclaims every expired entry now (a shard otherwise does it when next
/// touched); their 'expired' events follow. Evictions need no such call: the
/// store evicts within the write that overflows a shard.
#[napi(catch_unwind)]
pub fn run_pending_tasks(handle: &External<Handle>) -> Result<(), String> {
    handle.store()?.purge_expired();
    Ok(())
}

/// The longest key the store takes, in UTF-8 bytes: the facade checks keys
/// against it before calling in (lib/args.js).
#[napi]
pub const MAX_KEY_BYTES: u32 = crate::core::local::MAX_KEY_BYTES as u32;

/// The longest KEYS / SCAN MATCH pattern, in UTF-8 bytes (`core::glob`
/// says why): the facade bounds patterns sent to Redis by it too.
#[napi]
pub const MAX_PATTERN_BYTES: u32 = crate::core::glob::MAX_PATTERN_BYTES as u32;
