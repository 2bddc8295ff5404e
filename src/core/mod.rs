//! The engine: everything tiercache does, with no knowledge of Node or N-API.
//! The binding layer (`crate::binding`) maps JavaScript values onto it.

pub mod clock;
pub mod entry;
pub mod error;
pub mod error_code;
pub mod glob;
pub mod local;
pub mod numeric;
pub mod registry;
pub mod scan;
pub mod sealed;
pub mod shard;
pub mod sketch;
pub mod stats;
pub mod tier;
