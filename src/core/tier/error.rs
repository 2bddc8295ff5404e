//! Errors of the Redis tier, each with a stable code for JavaScript. Messages
//! never contain credentials: they name the failure, never the URL.

use std::fmt;

use crate::core::error::CommandError;
use crate::core::error_code::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierError {
    /// Redis cannot be used now: not connected, refused, circuit open, or the
    /// connection broke before the reply. The command was not (or may not
    /// have been) executed.
    Unavailable(String),
    /// No reply within `commandTimeout`. The command may still have run.
    Timeout,
    /// Redis answered with an error reply; the text is Redis's own.
    Reply(String),
    /// A command the engine refused before sending (bad key, …).
    Command(CommandError),
    /// The cache was closed.
    Closed,
    /// A reply of a shape the command never returns.
    Protocol(String),
    /// Something this topology cannot do (WATCH or SCAN on a cluster, …):
    /// the message says what to use instead.
    Unsupported(String),
    /// Connection settings the client cannot use (a TLS certificate that is
    /// not PEM, …): the caller's to fix, not a failure of Redis.
    Config(String),
}

impl TierError {
    pub fn code(&self) -> ErrorCode {
        match self {
            TierError::Unavailable(_) => ErrorCode::L2Unavailable,
            TierError::Timeout => ErrorCode::L2Timeout,
            TierError::Reply(_) => ErrorCode::Reply,
            TierError::Command(e) => e.code(),
            TierError::Closed => ErrorCode::Closed,
            TierError::Protocol(_) => ErrorCode::Internal,
            TierError::Config(_) => ErrorCode::InvalidArgument,
            TierError::Unsupported(_) => ErrorCode::Unsupported,
        }
    }

    /// Maps a redis-rs error: server error replies keep Redis's text (as
    /// ioredis's ReplyError does); everything else means Redis is unusable.
    pub fn from_redis(err: &redis::RedisError) -> TierError {
        if let Some(code) = err.code() {
            if !err.is_io_error() && !err.is_connection_dropped() && !err.is_timeout() {
                return TierError::Reply(match err.detail() {
                    Some(detail) => format!("{code} {detail}"),
                    None => code.to_string(),
                });
            }
        }
        if err.is_timeout() {
            return TierError::Timeout;
        }
        TierError::Unavailable(describe(err))
    }
}

/// A short description of a transport failure. redis-rs never puts the
/// password in its errors; the URL is never formatted here.
pub fn describe(err: &redis::RedisError) -> String {
    let text = err.to_string();
    // Keep messages one line and bounded.
    let line = text.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(200).collect();
    if out.is_empty() {
        out = err.category().to_string();
    }
    out
}

impl fmt::Display for TierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TierError::Unavailable(why) => write!(f, "Redis is unavailable: {why}"),
            TierError::Timeout => write!(f, "Redis did not answer within commandTimeout"),
            TierError::Reply(text) => write!(f, "{text}"),
            TierError::Command(e) => write!(f, "{e}"),
            TierError::Closed => write!(f, "the cache is closed"),
            TierError::Protocol(what) => write!(f, "unexpected reply from Redis: {what}"),
            TierError::Config(what) | TierError::Unsupported(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for TierError {}

impl From<CommandError> for TierError {
    fn from(e: CommandError) -> Self {
        TierError::Command(e)
    }
}
