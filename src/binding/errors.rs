//! Engine errors as JS errors: the `code` property carries the stable code,
//! and the facade turns it into the matching `TierCacheError` subclass.

use napi::Error;

use crate::core::error::CommandError;

pub fn command_error(err: CommandError) -> Error<String> {
    Error::new(err.code().to_string(), err.to_string())
}

pub fn invalid_argument(message: impl Into<String>) -> Error<String> {
    Error::new("ERR_TIERCACHE_INVALID_ARGUMENT".to_string(), message.into())
}

pub fn closed() -> Error<String> {
    Error::new("ERR_TIERCACHE_CLOSED".to_string(), "the cache is closed".to_string())
}
