//! The stable error codes: the one list of them. Engine errors carry one,
//! the binding hands them to JavaScript, the facade's `codes` table
//! (`lib/errors.js`) is built from [`ErrorCode::ALL`] through the binding,
//! and its typings (`lib/error-codes.d.ts`) are generated from the same list
//! with each code's description below (`scripts/gen-error-typings.js`): no
//! layer copies a code by hand.

/// Declares the codes once: each variant with the name JavaScript sees in
/// `codes` (`codes.INVALID_KEY`); the code is that name after `ERR_TIERCACHE_`.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order the `codes` table lists them.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// When a caller meets it: the doc comment above the variant.
            pub const fn description(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }

            /// The key of `codes` in JavaScript (`INVALID_KEY`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)+
                }
            }

            /// The value of `err.code` (`ERR_TIERCACHE_INVALID_KEY`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => concat!("ERR_TIERCACHE_", $name),)+
                }
            }
        }
    };
}

error_codes! {
    /// A bad option, callback, cursor or COUNT.
    InvalidArgument => "INVALID_ARGUMENT",
    /// A key that is not a string, number or UTF-8 Buffer, is empty, or holds a lone surrogate.
    InvalidKey => "INVALID_KEY",
    /// A key over 64 KiB of UTF-8.
    KeyTooLarge => "KEY_TOO_LARGE",
    /// A KEYS or SCAN … MATCH pattern over 1 KiB.
    PatternTooLong => "PATTERN_TOO_LONG",
    /// `undefined`, `null`, a function or a symbol as a value.
    InvalidValue => "INVALID_VALUE",
    /// A value over `maxValueBytes`.
    ValueTooLarge => "VALUE_TOO_LARGE",
    /// A value the codec cannot represent.
    Unencodable => "UNENCODABLE",
    /// A TTL that is not an integer, <= 0 where Redis refuses it, or past year 275760.
    InvalidTtl => "INVALID_TTL",
    /// Unknown or conflicting command flags (NX with XX, EX with PX, EX without a time).
    Syntax => "SYNTAX",
    /// A `name` already open with other bounds.
    OptionConflict => "OPTION_CONFLICT",
    /// What this client does not do, the message says why (an option such as `path`, some `tls` fields, a command).
    Unsupported => "UNSUPPORTED",
    /// A stored object its codec could not decode.
    Decode => "DECODE",
    /// Redis's own error reply.
    Reply => "REPLY",
    /// A command after `quit()`.
    Closed => "CLOSED",
    /// Redis cannot be used now (not connected, breaker open, queue full).
    L2Unavailable => "L2_UNAVAILABLE",
    /// No reply from Redis within `commandTimeout`.
    L2Timeout => "L2_TIMEOUT",
    /// A getOrSet loader ran past `hardTimeout`.
    LoaderTimeout => "LOADER_TIMEOUT",
    /// A write-behind queue is full (`whenFull: 'reject'`).
    QueueFull => "QUEUE_FULL",
    /// A command only Redis runs (hashes, lists, sets, scripts, …) on an instance without Redis: pass a Redis URL.
    NeedsRedis => "NEEDS_REDIS",
    /// A transaction not run because a key it WATCHed changed (the node-redis flavour's WatchError; the ioredis flavour answers null).
    TransactionAborted => "TRANSACTION_ABORTED",
    /// A bug in tiercache (a Rust panic, caught).
    Internal => "INTERNAL",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_its_name_after_the_prefix_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert_eq!(c.as_str(), format!("ERR_TIERCACHE_{}", c.name()));
            assert!(seen.insert(c.name()), "{} listed twice", c.name());
        }
        assert_eq!(ErrorCode::KeyTooLarge.as_str(), "ERR_TIERCACHE_KEY_TOO_LARGE");
    }
}
