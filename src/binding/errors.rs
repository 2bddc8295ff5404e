//! Engine errors as JS errors: the `code` property carries the stable code,
//! and the facade turns it into the matching `TierCacheError` subclass. The
//! codes themselves are [`ErrorCode`]'s; `error_codes` hands the facade the
//! whole list, from which it builds `TierCache.codes`.

use napi::Error;
use napi_derive::napi;

use crate::core::error::CommandError;
use crate::core::error_code::ErrorCode;

fn error(code: ErrorCode, message: impl Into<String>) -> Error<String> {
    Error::new(code.as_str().to_string(), message.into())
}

pub fn command_error(err: CommandError) -> Error<String> {
    error(err.code(), err.to_string())
}

pub fn invalid_argument(message: impl Into<String>) -> Error<String> {
    error(ErrorCode::InvalidArgument, message)
}

pub fn closed() -> Error<String> {
    error(ErrorCode::Closed, "the cache is closed")
}

pub fn internal(message: impl Into<String>) -> Error<String> {
    error(ErrorCode::Internal, message)
}

/// Every stable error code as `[name, code, description]` (`['INVALID_KEY',
/// 'ERR_TIERCACHE_INVALID_KEY', 'A key that is not …']`), in order:
/// `TierCache.codes` and its generated typings.
#[napi]
pub fn error_codes() -> Vec<Vec<&'static str>> {
    ErrorCode::ALL
        .iter()
        .map(|c| vec![c.name(), c.as_str(), c.description()])
        .collect()
}
