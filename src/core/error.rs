//! Errors of the engine. Each has a stable code that the binding hands to
//! JavaScript unchanged, and a message that never contains user data beyond
//! sizes (no keys, no values).

use std::fmt;

use crate::core::error_code::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// The key is empty.
    EmptyKey,
    /// The key is longer than the store accepts.
    KeyTooLarge { max: usize },
    /// The value is larger than the store accepts.
    ValueTooLarge { max: u64 },
    /// Redis: "ERR value is not an integer or out of range".
    NotInteger,
    /// Redis: "ERR increment or decrement would overflow".
    Overflow,
    /// Redis: "ERR decrement would overflow" (DECRBY of i64::MIN).
    DecrementOverflow,
    /// Redis: "ERR value is not a valid float".
    NotFloat,
    /// Redis: "ERR increment would produce NaN or Infinity".
    NanOrInfinity,
    /// A named store exists with other bounds.
    OptionConflict(String),
    /// The SCAN cursor is not one this store handed out.
    InvalidCursor,
    /// A KEYS / SCAN MATCH pattern longer than the store accepts.
    PatternTooLong { max: usize },
}

impl CommandError {
    /// The stable `code` of the JS error.
    pub fn code(&self) -> ErrorCode {
        match self {
            CommandError::EmptyKey => ErrorCode::InvalidKey,
            CommandError::KeyTooLarge { .. } => ErrorCode::KeyTooLarge,
            CommandError::ValueTooLarge { .. } => ErrorCode::ValueTooLarge,
            CommandError::NotInteger
            | CommandError::Overflow
            | CommandError::DecrementOverflow
            | CommandError::NotFloat
            | CommandError::NanOrInfinity
            | CommandError::InvalidCursor => ErrorCode::Reply,
            CommandError::OptionConflict(_) => ErrorCode::OptionConflict,
            CommandError::PatternTooLong { .. } => ErrorCode::PatternTooLong,
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::EmptyKey => write!(f, "key must not be empty"),
            CommandError::KeyTooLarge { max } => write!(f, "key is longer than {max} bytes"),
            CommandError::ValueTooLarge { max } => write!(f, "value is larger than {max} bytes"),
            CommandError::NotInteger => write!(f, "ERR value is not an integer or out of range"),
            CommandError::Overflow => write!(f, "ERR increment or decrement would overflow"),
            CommandError::DecrementOverflow => write!(f, "ERR decrement would overflow"),
            CommandError::NotFloat => write!(f, "ERR value is not a valid float"),
            CommandError::NanOrInfinity => write!(f, "ERR increment would produce NaN or Infinity"),
            CommandError::OptionConflict(what) => write!(f, "{what}"),
            CommandError::InvalidCursor => write!(f, "ERR invalid cursor"),
            CommandError::PatternTooLong { max } => write!(f, "pattern is longer than {max} bytes"),
        }
    }
}

impl std::error::Error for CommandError {}
