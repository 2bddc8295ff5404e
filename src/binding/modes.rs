//! The modes and kinds the facade passes with a command, as numeric enums
//! JavaScript reads from the binding (`native.SetTtl.Keep`, …; typed in
//! the generated binding.d.ts) instead of numbers copied into both layers.
//! Each maps onto the engine's own type where it is used.

use napi_derive::napi;

use crate::core::entry::Kind;
use crate::core::local::Condition;
use crate::core::sealed::SealedAction;
use crate::core::tier::LeaseAction;

/// What a SET does to the key's TTL.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum SetTtl {
    /// The store's default TTL (none given).
    Default,
    /// KEEPTTL.
    Keep,
    /// EX / PX: `ms` from now.
    In,
    /// EXAT / PXAT: at Unix `ms`.
    At,
}

/// What a GETEX does to the key's TTL.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum GetExTtl {
    /// No option: the TTL stays.
    Unchanged,
    /// PERSIST.
    Persist,
    /// EX / PX: `ms` from now.
    In,
    /// EXAT / PXAT: at Unix `ms`.
    At,
}

/// When a SET writes: always, NX or XX.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum WriteIf {
    Always,
    /// NX: only a key that is absent.
    Absent,
    /// XX: only a key that is present.
    Present,
}

impl From<WriteIf> for Condition {
    fn from(w: WriteIf) -> Condition {
        match w {
            WriteIf::Always => Condition::Always,
            WriteIf::Absent => Condition::IfAbsent,
            WriteIf::Present => Condition::IfPresent,
        }
    }
}

/// When an EXPIRE applies: always, NX, XX, GT or LT.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum ExpireIf {
    Always,
    Nx,
    Xx,
    Gt,
    Lt,
}

/// The steps of a sealed write (see `core::sealed`).
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum SealedStep {
    Put,
    Seal,
    Retime,
}

impl From<SealedStep> for SealedAction {
    fn from(s: SealedStep) -> SealedAction {
        match s {
            SealedStep::Put => SealedAction::Put,
            SealedStep::Seal => SealedAction::Seal,
            SealedStep::Retime => SealedAction::Retime,
        }
    }
}

/// The typed commands over a list of keys.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum KeysCommand {
    Del,
    Exists,
}

/// The typed commands over one key.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum KeyCommand {
    GetDel,
    Pttl,
    Ttl,
    Persist,
}

/// The typed commands without a key.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum ServerCommand {
    FlushDb,
    FlushAll,
    DbSize,
    Ping,
}

/// What a lease command (getOrSet's `lock`) does.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum LeaseStep {
    Acquire,
    Release,
    Extend,
}

impl From<LeaseStep> for LeaseAction {
    fn from(s: LeaseStep) -> LeaseAction {
        match s {
            LeaseStep::Acquire => LeaseAction::Acquire,
            LeaseStep::Release => LeaseAction::Release,
            LeaseStep::Extend => LeaseAction::Extend,
        }
    }
}

/// How a stored value was encoded (the facade's codecs): given with every
/// write, handed back with every read of a typed value.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A string or Buffer, stored as is.
    Raw,
    Json,
    V8,
    /// The instance's own codec.
    Custom,
    /// A pattern envelope around text.
    MetaText,
    /// A pattern envelope around bytes.
    MetaBytes,
}

impl From<ValueKind> for Kind {
    fn from(k: ValueKind) -> Kind {
        match k {
            ValueKind::Raw => Kind::Raw,
            ValueKind::Json => Kind::Json,
            ValueKind::V8 => Kind::V8,
            ValueKind::Custom => Kind::Custom,
            ValueKind::MetaText => Kind::MetaText,
            ValueKind::MetaBytes => Kind::MetaBytes,
        }
    }
}

impl ValueKind {
    /// The kind of a stored value as JS knows it; `None` for cached replies
    /// (`Kind::Replies`), which no typed read hands out.
    pub fn of(kind: Kind) -> Option<ValueKind> {
        Some(match kind {
            Kind::Raw => ValueKind::Raw,
            Kind::Json => ValueKind::Json,
            Kind::V8 => ValueKind::V8,
            Kind::Custom => ValueKind::Custom,
            Kind::MetaText => ValueKind::MetaText,
            Kind::MetaBytes => ValueKind::MetaBytes,
            Kind::Replies => return None,
        })
    }
}
