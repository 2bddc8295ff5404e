//! The `#[napi]` layer: plain functions over an external store handle (a
//! class method would cost ~150 ns more per call). It converts arguments and
//! replies and maps engine errors to coded JS errors; the JS facade
//! (`index.js`) parses ioredis-style arguments and owns the public API.

mod array_maker;
mod commands;
mod errors;
mod events;
mod handle;
mod modes;
#[cfg(unix)]
mod poller;
mod reply;
mod tier;
mod utf8_arg;
