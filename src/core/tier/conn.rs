//! A connection commands run on: an instance's main connection (our own
//! [`Transport`]) or one of redis-rs's multiplexed connections (the blocking
//! commands' and a WATCH's pinned ones). The command code is written once,
//! against this.

use redis::aio::MultiplexedConnection;
use redis::{Cmd, Pipeline, Value};

use super::error::TierError;
use super::transport::Transport;

#[derive(Clone)]
pub(super) enum Conn {
    Own(Transport),
    Multiplexed(MultiplexedConnection),
}

impl Conn {
    /// One command's reply; an error reply is a value
    /// ([`Value::ServerError`]), only a transport failure is an error.
    pub(super) async fn command(&mut self, cmd: &Cmd) -> Result<Value, TierError> {
        match self {
            Conn::Own(t) => t.command(cmd).await,
            Conn::Multiplexed(m) => m.send_packed_command(cmd).await.map_err(|e| TierError::from_redis(&e)),
        }
    }

    /// The replies of `pipe`'s commands past the first `skip`, `count` of
    /// them, in order.
    pub(super) async fn pipeline(
        &mut self,
        pipe: &Pipeline,
        skip: usize,
        count: usize,
    ) -> Result<Vec<Value>, TierError> {
        match self {
            Conn::Own(t) => t.pipeline(pipe, skip, count).await,
            Conn::Multiplexed(m) => m
                .send_packed_commands(pipe, skip, count)
                .await
                .map_err(|e| TierError::from_redis(&e)),
        }
    }
}
