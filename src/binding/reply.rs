//! Replies as JS values, built with one N-API call where possible.
//!
//! Raw values come back as strings (as ioredis's `get` does: creating a
//! string is far cheaper than a Buffer). Codec-encoded values come back as
//! `[kind, payload]` so the facade picks the decoder: a string payload for
//! JSON, a Buffer for the others.

use std::ptr;

use napi::bindgen_prelude::ToNapiValue;
use napi::sys;

use super::array_maker::array_of;
use super::modes::ValueKind;
use crate::core::entry::{Entry, Kind};
use crate::core::error_code::ErrorCode;

pub enum Reply {
    Null,
    Bool(bool),
    /// An integer reply (a JS number: exact up to 2^53, as ioredis).
    Int(i64),
    Text(String),
    /// A stored value, in the `get` shape.
    Value(Entry),
    /// A stored value's bytes as a Buffer (`getBuffer`).
    Bytes(Entry),
    List(Vec<Reply>),
    /// Bytes as a string (UTF-8, invalid sequences as U+FFFD), as ioredis
    /// decodes bulk replies.
    Utf8(Vec<u8>),
    /// Bytes as a Buffer (the `…Buffer` commands).
    Buffer(Vec<u8>),
    /// An error reply inside an array (EXEC's): an Error whose `code` is
    /// ERR_TIERCACHE_REPLY and whose message is Redis's.
    Failure(String),
}

impl Reply {
    pub fn value(entry: Option<Entry>) -> Reply {
        entry.map(Reply::Value).unwrap_or(Reply::Null)
    }

    pub fn bytes(entry: Option<Entry>) -> Reply {
        entry.map(Reply::Bytes).unwrap_or(Reply::Null)
    }
}

pub(super) unsafe fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_reason(format!("failed to create {what}")))
    }
}

unsafe fn utf8_string(env: sys::napi_env, bytes: &[u8]) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    match std::str::from_utf8(bytes) {
        Ok(s) => check(
            sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out),
            "string",
        )?,
        Err(_) => {
            // Invalid UTF-8 decodes with U+FFFD, exactly as Buffer#toString does.
            let s = String::from_utf8_lossy(bytes);
            check(
                sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out),
                "string",
            )?
        }
    }
    Ok(out)
}

unsafe fn buffer(env: sys::napi_env, bytes: &[u8]) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    let mut data = ptr::null_mut();
    check(
        sys::napi_create_buffer_copy(env, bytes.len(), bytes.as_ptr().cast(), &mut data, &mut out),
        "Buffer",
    )?;
    Ok(out)
}

impl ToNapiValue for Reply {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let mut out = ptr::null_mut();
        match val {
            Reply::Null => check(sys::napi_get_null(env, &mut out), "null")?,
            Reply::Bool(b) => check(sys::napi_get_boolean(env, b, &mut out), "boolean")?,
            Reply::Int(n) => check(sys::napi_create_double(env, n as f64, &mut out), "number")?,
            Reply::Text(s) => check(
                sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out),
                "string",
            )?,
            Reply::Bytes(e) => return buffer(env, e.value()),
            Reply::Utf8(b) => return utf8_string(env, &b),
            Reply::Buffer(b) => return buffer(env, &b),
            Reply::Failure(message) => {
                let code = utf8_string(env, ErrorCode::Reply.as_str().as_bytes())?;
                let msg = utf8_string(env, message.as_bytes())?;
                check(sys::napi_create_error(env, code, msg, &mut out), "Error")?
            }
            Reply::Value(e) if e.kind == Kind::Raw => return utf8_string(env, e.value()),
            // Cached replies of a hash, list, … (tier::reply_cache) are no
            // value of a string command (`cache.local.getdel` of such a key):
            // L1 holds no string for it.
            Reply::Value(e) if e.kind == Kind::Replies => check(sys::napi_get_null(env, &mut out), "null")?,
            Reply::Value(e) => {
                let payload = if matches!(e.kind, Kind::Json | Kind::MetaText) {
                    utf8_string(env, e.value())?
                } else {
                    buffer(env, e.value())?
                };
                let mut kind = ptr::null_mut();
                // Replies were answered above: every other kind is a ValueKind.
                let value_kind = ValueKind::of(e.kind).map_or(u32::MAX, |k| k as u32);
                check(sys::napi_create_uint32(env, value_kind, &mut kind), "number")?;
                check(sys::napi_create_array_with_length(env, 2, &mut out), "array")?;
                check(sys::napi_set_element(env, out, 0, kind), "array")?;
                check(sys::napi_set_element(env, out, 1, payload), "array")?;
            }
            Reply::List(items) => {
                let values = items
                    .into_iter()
                    .map(|item| Reply::to_napi_value(env, item))
                    .collect::<napi::Result<Vec<_>>>()?;
                return array_of(env, &values);
            }
        }
        Ok(out)
    }
}
