//! Redis Cluster: one single-node [`Tier`] per primary, all over one L1, and
//! a slot map that sends each command to the primary of its keys' slot.
//!
//! - **The map** comes from `CLUSTER SLOTS`, asked of the nodes known (the
//!   seeds first), at every connection round and after a `MOVED`.
//! - **Each primary's tier** is a whole single-server tier: its own
//!   connection, tracking (so invalidations come from every primary that owns
//!   keys L1 holds), breaker, offline rules and `commandTimeout`. Connecting
//!   one starts L1 afresh, as on one server: what L1 held was vouched for by
//!   invalidation streams that may have missed writes meanwhile.
//! - **Routing**: a command's keys (the key prefix included) must share one
//!   slot, or it fails with Redis's own CROSSSLOT error without being sent;
//!   MGET, DEL, EXISTS and MSET of several slots are split per slot and their
//!   replies combined. Keyless commands go to the primary of slot 0;
//!   FLUSHDB / FLUSHALL, KEYS and DBSIZE go to every primary.
//! - **Redirections**: `MOVED` updates the map (and asks for a new one) and
//!   sends the command again; `ASK` sends it once to the importing node after
//!   `ASKING`; at most [`MAX_REDIRECTIONS`] of them per command.
//! - **Events**: the owner hears `Connected` once every primary is connected,
//!   `Lost` when one of them is lost (the others keep serving), and the
//!   tiers' other events as they come.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use redis::Value;

use super::config::TierConfig;
use super::connection::{build_client, Done, EventSink, Flush, Tier, TierEvent};
use super::error::TierError;
use super::ops::Op;
use super::reply::TierReply;
use super::runtime::runtime;
use super::sentinel::{text, Addr};
use super::slots::{slot_of, SLOTS};
use super::stats::TierStats;
use super::subscriber::SubAction;
use crate::core::local::LocalStore;

/// Redirections (MOVED, ASK) followed per command before its error is returned.
pub const MAX_REDIRECTIONS: u32 = 16;
const UNASSIGNED: u16 = u16::MAX;

struct Node {
    addr: Addr,
    tier: Arc<Tier>,
    ready: bool,
    /// Whether it was asked to connect once: after that, only the owner's
    /// retry strategy (through `connect`) starts attempts, never a refresh.
    started: bool,
}

#[derive(Default)]
struct Map {
    /// Per slot, the index in `nodes` of its primary (UNASSIGNED: none yet).
    slots: Vec<u16>,
    nodes: Vec<Node>,
    /// Whether `Connected` was reported and no primary was lost since.
    announced: bool,
}

struct Inner {
    template: TierConfig,
    store: Arc<LocalStore>,
    events: EventSink,
    flush: Flush,
    seeds: Vec<Addr>,
    map: Mutex<Map>,
    /// Commands submitted before the first map, sent once it comes (or
    /// failed at their `commandTimeout`).
    waiting: Mutex<Vec<(u64, Op, Done)>>,
    next_waiting: AtomicU64,
    refreshing: AtomicBool,
    report_invalidations: AtomicBool,
    closed: AtomicBool,
}

/// A cluster's Redis tier (see the module comment).
pub struct ClusterTier {
    inner: Arc<Inner>,
}

impl ClusterTier {
    pub fn new(
        store: Arc<LocalStore>,
        template: TierConfig,
        seeds: Vec<Addr>,
        events: EventSink,
        flush: Flush,
    ) -> Result<ClusterTier, TierError> {
        if template.db != 0 {
            return Err(TierError::Config("a cluster has only database 0 (db must be 0)".into()));
        }
        if seeds.is_empty() {
            return Err(TierError::Config(
                "a cluster needs at least one node to start from".into(),
            ));
        }
        // Settings the nodes' clients would refuse are refused now.
        build_client(&template)?;
        Ok(ClusterTier {
            inner: Arc::new(Inner {
                template,
                store,
                events,
                flush,
                seeds,
                map: Mutex::new(Map {
                    slots: vec![UNASSIGNED; SLOTS],
                    ..Map::default()
                }),
                waiting: Mutex::new(Vec::new()),
                next_waiting: AtomicU64::new(0),
                refreshing: AtomicBool::new(false),
                report_invalidations: AtomicBool::new(false),
                closed: AtomicBool::new(false),
            }),
        })
    }

    /// Asks for the slot map, then connects every primary not connected.
    pub fn connect(&self) {
        let inner = Arc::clone(&self.inner);
        runtime().spawn(async move {
            if let Err(why) = inner.refresh().await {
                inner.release_waiting(true);
                (inner.events)(TierEvent::ConnectFailed(why.to_string()));
                return;
            }
            // The owner's retry strategy paces this: every primary not connected.
            if inner.start(|n| !n.ready) == 0 {
                inner.announce_if_ready();
            }
        });
    }

    pub fn submit(&self, op: Op, done: Done) {
        self.inner.route(op, done, 0);
    }

    pub fn submit_blocking(&self, op: Op, wait: Option<std::time::Duration>, done: Done) {
        match self.inner.tier_for(&op) {
            Ok(Some(tier)) => tier.submit_blocking(op, wait, done),
            Ok(None) => self.inner.settle(
                done,
                Err(TierError::Unavailable("the cluster's slot map is not known yet".into())),
            ),
            Err(e) => self.inner.settle(done, Err(e)),
        }
    }

    pub fn pubsub(&self, action: SubAction, names: Vec<Vec<u8>>, done: Done) {
        // Sharded channels live on their slot's primary; classic pub/sub
        // reaches every node, so any one does (the primary of slot 0).
        let slot = match action {
            SubAction::SSubscribe | SubAction::SUnsubscribe => names.first().map_or(0, |n| slot_of(&[], n)),
            _ => 0,
        };
        match self.inner.tier_of_slot(slot) {
            Some(tier) => tier.pubsub(action, names, done),
            None => self.inner.settle(
                done,
                Err(TierError::Unavailable("the cluster's slot map is not known yet".into())),
            ),
        }
    }

    /// Never reached: no pin is opened on a cluster (see `pin_open`).
    pub fn pin_submit(&self, _pin: u32, _op: Op, done: Done) {
        self.inner.settle(done, Err(TierError::Closed));
    }

    pub fn pin_open(&self) -> Result<u32, TierError> {
        Err(TierError::Unsupported(
            "WATCH is not supported on a cluster yet (MULTI … EXEC within one slot is)".into(),
        ))
    }

    pub fn monitor(&self, done: Done) {
        self.inner.settle(
            done,
            Err(TierError::Unsupported(
                "MONITOR is not supported on a cluster: monitor each node".into(),
            )),
        );
    }

    /// Sends what was submitted to each primary; `wrote` hears, for each,
    /// whether this thread wrote it. True when it wrote every one.
    pub fn kick_each(&self, mut wrote: impl FnMut(&Addr, bool)) -> bool {
        let nodes = self.inner.addressed();
        let mut all = true;
        for (addr, tier) in nodes {
            let direct = tier.kick();
            wrote(&addr, direct);
            all &= direct;
        }
        all
    }

    /// The readers of the primaries' connections that are ready (see
    /// [`Tier::reader`]), each with its primary's address.
    pub fn readers(&self) -> Vec<(Addr, super::transport::Reader)> {
        let nodes = self.inner.addressed();
        nodes
            .into_iter()
            .filter_map(|(addr, tier)| tier.reader().map(|r| (addr, r)))
            .collect()
    }

    pub fn report_invalidations(&self, on: bool) {
        self.inner.report_invalidations.store(on, Ordering::Relaxed);
        for tier in self.inner.tiers() {
            tier.report_invalidations(on);
        }
    }

    pub fn drop_connection(&self, why: &str) {
        for tier in self.inner.tiers() {
            tier.drop_connection(why);
        }
    }

    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Relaxed);
        for tier in self.inner.tiers() {
            tier.close();
        }
        self.inner.release_waiting(true);
    }

    pub fn close_blocking(&self) {
        for tier in self.inner.tiers() {
            tier.close_blocking();
        }
    }

    pub fn stats(&self) -> TierStats {
        let map = self.inner.map();
        let mut total = TierStats {
            link: if map.announced { "ready" } else { "connecting" },
            breaker: "closed",
            ..TierStats::default()
        };
        for n in &map.nodes {
            let s = n.tier.stats();
            total.hits += s.hits;
            total.misses += s.misses;
            total.errors += s.errors;
            total.timeouts += s.timeouts;
            total.rejected += s.rejected;
            total.invalidations += s.invalidations;
            total.flushes += s.flushes;
            total.connects += s.connects;
            total.disconnects += s.disconnects;
            if s.breaker != "closed" {
                total.breaker = s.breaker;
            }
        }
        total
    }

    /// The primaries, as `host:port`, in slot order of their first slot.
    pub fn primaries(&self) -> Vec<Addr> {
        self.inner.map().nodes.iter().map(|n| n.addr.clone()).collect()
    }
}

impl Drop for ClusterTier {
    fn drop(&mut self) {
        self.close();
    }
}

impl Inner {
    fn map(&self) -> MutexGuard<'_, Map> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Each primary's address and tier.
    fn addressed(&self) -> Vec<(Addr, Arc<Tier>)> {
        self.map()
            .nodes
            .iter()
            .map(|n| (n.addr.clone(), Arc::clone(&n.tier)))
            .collect()
    }

    fn tiers(&self) -> Vec<Arc<Tier>> {
        self.map().nodes.iter().map(|n| Arc::clone(&n.tier)).collect()
    }

    fn settle(&self, done: Done, outcome: Result<TierReply, TierError>) {
        done(outcome);
        (self.flush)();
    }

    fn tier_of_slot(&self, slot: u16) -> Option<Arc<Tier>> {
        let map = self.map();
        let at = *map.slots.get(usize::from(slot))?;
        map.nodes.get(usize::from(at)).map(|n| Arc::clone(&n.tier))
    }

    /// The slot all of `op`'s keys hash to (None: keyless), or CROSSSLOT.
    fn slot_of(&self, op: &Op) -> Result<Option<u16>, TierError> {
        let prefix = &self.template.key_prefix;
        let mut slot = None;
        for key in op.routing_keys() {
            let s = slot_of(prefix, key);
            match slot {
                None => slot = Some(s),
                Some(first) if first != s => {
                    return Err(TierError::Reply(
                        "CROSSSLOT Keys in request don't hash to the same slot".into(),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(slot)
    }

    /// The tier `op` goes to (None: no map yet).
    fn tier_for(&self, op: &Op) -> Result<Option<Arc<Tier>>, TierError> {
        Ok(self.tier_of_slot(self.slot_of(op)?.unwrap_or(0)))
    }

    /// Sends `op` to its primary, following redirections (`hops` so far).
    fn route(self: &Arc<Self>, op: Op, done: Done, hops: u32) {
        if self.closed.load(Ordering::Relaxed) {
            return self.settle(done, Err(TierError::Closed));
        }
        if matches!(op, Op::Scan { .. }) {
            return self.settle(
                done,
                Err(TierError::Unsupported(
                    "SCAN on a cluster: scan each primary (cluster.nodes('master'))".into(),
                )),
            );
        }
        if let Some(parts) = self.split(&op) {
            return self.fan_out(op, parts, done);
        }
        let slot = match self.slot_of(&op) {
            Ok(slot) => slot,
            Err(e) => return self.settle(done, Err(e)),
        };
        if slot.is_none() && matches!(op, Op::Flush { .. } | Op::Keys { .. } | Op::DbSize) {
            return self.everywhere(op, done);
        }
        let Some(tier) = self.tier_of_slot(slot.unwrap_or(0)) else {
            return self.wait_for_map(op, done);
        };
        self.send(&tier, op, done, hops);
    }

    /// Submits `op` to `tier`, taking a copy for a redirection.
    fn send(self: &Arc<Self>, tier: &Tier, op: Op, done: Done, hops: u32) {
        let again = op.clone();
        let weak = Arc::downgrade(self);
        tier.submit(
            op,
            Box::new(move |outcome| match (redirection(&outcome), weak.upgrade()) {
                // Off the reading thread: the redirection writes to another connection.
                (Some(to), Some(inner)) if hops < MAX_REDIRECTIONS => {
                    runtime().spawn(async move { inner.redirect(to, again, done, hops + 1) });
                }
                // The primary was retired (a new map no longer has it) while
                // the command waited for its connection: to the new owner.
                (None, Some(inner))
                    if matches!(outcome, Err(TierError::Closed))
                        && !inner.closed.load(Ordering::Relaxed)
                        && hops < MAX_REDIRECTIONS =>
                {
                    runtime().spawn(async move {
                        inner.route(again, done, hops + 1);
                        inner.kick_all();
                    });
                }
                _ => done(outcome),
            }),
        );
    }

    fn redirect(self: &Arc<Self>, to: Redirect, op: Op, done: Done, hops: u32) {
        match to {
            Redirect::Moved(slot, addr) => {
                let known = {
                    let mut map = self.map();
                    let at = map.nodes.iter().position(|n| n.addr == addr);
                    if let Some(at) = at {
                        map.slots[usize::from(slot)] = at as u16;
                    }
                    at.is_some()
                };
                self.refresh_soon();
                if known {
                    self.route(op, done, hops);
                    self.kick_all();
                } else {
                    // A primary not met yet: once the new map has it.
                    self.wait_for_map(op, done);
                }
            }
            Redirect::Ask(addr) => {
                let tier = self
                    .map()
                    .nodes
                    .iter()
                    .find(|n| n.addr == addr)
                    .map(|n| Arc::clone(&n.tier));
                match tier {
                    Some(tier) => {
                        // ASKING applies to the next command on the connection:
                        // both go in one write, in this order (and the command
                        // is one command: no L1 fill, which adds a PTTL).
                        tier.submit(asking(), Box::new(|_| {}));
                        self.send(&tier, op.without_fill(), done, hops);
                        tier.kick();
                    }
                    None => {
                        self.refresh_soon();
                        self.wait_for_map(op, done);
                    }
                }
            }
        }
    }

    fn kick_all(&self) {
        for tier in self.tiers() {
            tier.kick();
        }
    }

    /// MGET, DEL, EXISTS and MSET over several slots: one op per slot, with
    /// the positions of its keys in the original (None: one slot or keyless).
    fn split(&self, op: &Op) -> Option<Vec<(Op, Vec<usize>)>> {
        let prefix = &self.template.key_prefix;
        let keys = match op {
            Op::MGet { keys, .. } | Op::Del { keys } | Op::Exists { keys } => keys.iter().collect::<Vec<_>>(),
            Op::MSet { entries } => entries.iter().map(|(k, _, _)| k).collect(),
            _ => return None,
        };
        let mut by_slot: Vec<(u16, Vec<usize>)> = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let s = slot_of(prefix, key);
            match by_slot.iter_mut().find(|(slot, _)| *slot == s) {
                Some((_, at)) => at.push(i),
                None => by_slot.push((s, vec![i])),
            }
        }
        if by_slot.len() < 2 {
            return None;
        }
        let pick = |at: &[usize]| -> Vec<Vec<u8>> { at.iter().map(|&i| keys[i].clone()).collect() };
        Some(
            by_slot
                .into_iter()
                .map(|(_, at)| {
                    let part = match op {
                        Op::MGet { fill, .. } => Op::MGet {
                            keys: pick(&at),
                            fill: *fill,
                        },
                        Op::Del { .. } => Op::Del { keys: pick(&at) },
                        Op::Exists { .. } => Op::Exists { keys: pick(&at) },
                        Op::MSet { entries } => Op::MSet {
                            entries: at.iter().map(|&i| entries[i].clone()).collect(),
                        },
                        _ => unreachable!("split only takes the ops above"),
                    };
                    (part, at)
                })
                .collect(),
        )
    }

    /// Runs `parts` and answers `done` with their replies combined as
    /// `op`'s would be: MGET's values in key order, DEL's and EXISTS's
    /// counts summed, MSET's OK; the first error fails it.
    fn fan_out(self: &Arc<Self>, op: Op, parts: Vec<(Op, Vec<usize>)>, done: Done) {
        let slots = match &op {
            Op::MGet { keys, .. } => keys.len(),
            _ => 0,
        };
        let gather = Arc::new(Mutex::new(Gather::new(
            parts.len(),
            Combine::of(&op),
            slots,
            done,
            Arc::clone(&self.flush),
        )));
        for (part, at) in parts {
            let gather = Arc::clone(&gather);
            self.route(
                part,
                Box::new(move |outcome| {
                    gather.lock().unwrap_or_else(|p| p.into_inner()).add(outcome, &at);
                }),
                0,
            );
        }
        self.kick_all();
    }

    /// FLUSHDB / FLUSHALL, KEYS, DBSIZE on every primary, combined.
    fn everywhere(self: &Arc<Self>, op: Op, done: Done) {
        let tiers = self.tiers();
        if tiers.is_empty() {
            return self.wait_for_map(op, done);
        }
        let gather = Arc::new(Mutex::new(Gather::new(
            tiers.len(),
            Combine::of(&op),
            0,
            done,
            Arc::clone(&self.flush),
        )));
        for tier in tiers {
            let gather = Arc::clone(&gather);
            tier.submit(
                op.clone(),
                Box::new(move |outcome| gather.lock().unwrap_or_else(|p| p.into_inner()).add(outcome, &[])),
            );
            tier.kick();
        }
    }

    /// Holds `op` until a slot map is known, within its commandTimeout.
    fn wait_for_map(self: &Arc<Self>, op: Op, done: Done) {
        let id = self.next_waiting.fetch_add(1, Ordering::Relaxed);
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((id, op, done));
        let weak = Arc::downgrade(self);
        let bound = self.template.command_timeout;
        runtime().spawn(async move {
            tokio::time::sleep(bound).await;
            if let Some(inner) = weak.upgrade() {
                let expired = {
                    let mut waiting = inner.waiting.lock().unwrap_or_else(|p| p.into_inner());
                    waiting
                        .iter()
                        .position(|(i, _, _)| *i == id)
                        .map(|at| waiting.remove(at))
                };
                if let Some((_, _, done)) = expired {
                    inner.settle(done, Err(TierError::Timeout));
                }
            }
        });
        self.refresh_soon();
    }

    /// Sends the commands that waited for a map (or fails them all when `fail`).
    fn release_waiting(self: &Arc<Self>, fail: bool) {
        let waiting = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|p| p.into_inner()));
        if waiting.is_empty() {
            return;
        }
        for (_, op, done) in waiting {
            if fail {
                self.settle(
                    done,
                    Err(TierError::Unavailable(
                        "the cluster's slot map could not be read".into(),
                    )),
                );
            } else {
                self.route(op, done, 0);
            }
        }
        if !fail {
            self.kick_all();
        }
    }

    /// Asks for a new map in the background (one request at a time).
    fn refresh_soon(self: &Arc<Self>) {
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = Arc::clone(self);
        runtime().spawn(async move {
            let _ = inner.refresh().await;
        });
    }

    /// Reads the slot map from the first node that answers and adopts it:
    /// a tier for each new primary, none for a node no longer one.
    async fn refresh(self: &Arc<Self>) -> Result<(), TierError> {
        if self.closed.load(Ordering::Relaxed) {
            self.refreshing.store(false, Ordering::Release);
            return Err(TierError::Closed);
        }
        let outcome = self.read_map().await;
        self.refreshing.store(false, Ordering::Release);
        let ranges = outcome?;
        if self.closed.load(Ordering::Relaxed) {
            return Err(TierError::Closed);
        }
        let mut retired = Vec::new();
        {
            let mut map = self.map();
            let mut slots = vec![UNASSIGNED; SLOTS];
            let mut nodes: Vec<Node> = Vec::new();
            for (start, end, addr) in ranges {
                let at = match nodes.iter().position(|n| n.addr == addr) {
                    Some(at) => at,
                    None => {
                        let reused = map
                            .nodes
                            .iter()
                            .position(|n| n.addr == addr)
                            .map(|i| map.nodes.remove(i));
                        let node = match reused {
                            Some(node) => node,
                            None => self.new_node(addr)?,
                        };
                        nodes.push(node);
                        nodes.len() - 1
                    }
                };
                for s in start..=end.min(SLOTS as u16 - 1) {
                    slots[usize::from(s)] = at as u16;
                }
            }
            retired.append(&mut map.nodes);
            map.nodes = nodes;
            map.slots = slots;
            if !map.nodes.iter().all(|n| n.ready) {
                map.announced = false;
            }
        }
        for node in retired {
            node.tier.close();
        }
        // New primaries connect now, so that what is routed to them waits
        // for the connection instead of failing.
        self.start(|n| !n.started);
        self.release_waiting(false);
        Ok(())
    }

    /// Starts a connection attempt on each primary `which` picks: how many.
    fn start(&self, which: impl Fn(&Node) -> bool) -> usize {
        let picked: Vec<Arc<Tier>> = self
            .map()
            .nodes
            .iter_mut()
            .filter(|n| which(n))
            .map(|n| {
                n.started = true;
                Arc::clone(&n.tier)
            })
            .collect();
        for tier in &picked {
            tier.connect();
        }
        picked.len()
    }

    fn new_node(self: &Arc<Self>, addr: Addr) -> Result<Node, TierError> {
        let config = TierConfig {
            host: addr.0.clone(),
            port: addr.1,
            ..self.template.clone()
        };
        let weak: Weak<Inner> = Arc::downgrade(self);
        let from = addr.clone();
        let events: EventSink = Arc::new(move |event| {
            if let Some(inner) = weak.upgrade() {
                inner.on_node_event(&from, event);
            }
        });
        let tier = Tier::new(Arc::clone(&self.store), config, events, Arc::clone(&self.flush))?;
        tier.report_invalidations(self.report_invalidations.load(Ordering::Relaxed));
        Ok(Node {
            addr,
            tier: Arc::new(tier),
            ready: false,
            started: false,
        })
    }

    async fn read_map(&self) -> Result<Vec<(u16, u16, Addr)>, TierError> {
        let mut candidates: Vec<Addr> = self.map().nodes.iter().map(|n| n.addr.clone()).collect();
        for seed in &self.seeds {
            if !candidates.contains(seed) {
                candidates.push(seed.clone());
            }
        }
        let mut why = Vec::new();
        for addr in candidates {
            let config = TierConfig {
                host: addr.0.clone(),
                port: addr.1,
                ..self.template.clone()
            };
            let attempt = async {
                let client = build_client(&config)?;
                let mut conn = client
                    .get_multiplexed_async_connection()
                    .await
                    .map_err(|e| TierError::from_redis(&e))?;
                let reply: Value = redis::cmd("CLUSTER")
                    .arg("SLOTS")
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| TierError::from_redis(&e))?;
                parse_slots(&reply, &addr)
            };
            match tokio::time::timeout(self.template.connect_timeout, attempt).await {
                Ok(Ok(ranges)) if !ranges.is_empty() => return Ok(ranges),
                Ok(Ok(_)) => why.push(format!("{}:{}: no slots assigned", addr.0, addr.1)),
                Ok(Err(e)) => why.push(format!("{}:{}: {e}", addr.0, addr.1)),
                Err(_) => why.push(format!("{}:{}: no answer within connectTimeout", addr.0, addr.1)),
            }
        }
        Err(TierError::Unavailable(format!(
            "no node gave the cluster's slot map ({})",
            why.join("; ")
        )))
    }

    fn on_node_event(self: &Arc<Self>, from: &Addr, event: TierEvent) {
        match event {
            TierEvent::Connected => {
                if let Some(n) = self.map().nodes.iter_mut().find(|n| n.addr == *from) {
                    n.ready = true;
                }
                self.announce_if_ready();
            }
            TierEvent::ConnectFailed(why) => {
                let announced = self.map().announced;
                if !announced {
                    (self.events)(TierEvent::ConnectFailed(format!("{}:{}: {why}", from.0, from.1)));
                }
                // A dead primary's replica may be promoted: ask again.
                self.refresh_soon();
            }
            TierEvent::Lost(why) => {
                let report = {
                    let mut map = self.map();
                    match map.nodes.iter_mut().find(|n| n.addr == *from) {
                        Some(n) => n.ready = false,
                        None => return, // retired meanwhile
                    }
                    std::mem::replace(&mut map.announced, false)
                };
                if report {
                    (self.events)(TierEvent::Lost(format!("{}:{}: {why}", from.0, from.1)));
                }
                self.refresh_soon();
            }
            other => (self.events)(other),
        }
    }

    fn announce_if_ready(&self) {
        let announce = {
            let mut map = self.map();
            let ready = !map.nodes.is_empty() && map.nodes.iter().all(|n| n.ready);
            let announce = ready && !map.announced;
            if announce {
                map.announced = true;
            }
            announce
        };
        if announce {
            (self.events)(TierEvent::Connected);
        }
    }
}

/// How the replies of a split or fanned-out command make one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Combine {
    /// MGET: each part's values at its keys' positions.
    InPlace,
    /// KEYS: the lists one after the other.
    Concat,
    /// DEL, EXISTS, DBSIZE: the counts summed.
    Sum,
    /// MSET, FLUSHDB: OK once every part said so.
    Ok,
}

impl Combine {
    fn of(op: &Op) -> Combine {
        match op {
            Op::MGet { .. } => Combine::InPlace,
            Op::Keys { .. } => Combine::Concat,
            Op::Del { .. } | Op::Exists { .. } | Op::DbSize => Combine::Sum,
            _ => Combine::Ok,
        }
    }
}

/// Replies of a split or fanned-out command, combined.
struct Gather {
    left: usize,
    combine: Combine,
    values: Vec<TierReply>,
    count: i64,
    error: Option<TierError>,
    done: Option<Done>,
    flush: Flush,
}

impl Gather {
    fn new(parts: usize, combine: Combine, slots: usize, done: Done, flush: Flush) -> Gather {
        Gather {
            left: parts,
            combine,
            values: (0..slots).map(|_| TierReply::Null).collect(),
            count: 0,
            error: None,
            done: Some(done),
            flush,
        }
    }

    fn add(&mut self, outcome: Result<TierReply, TierError>, at: &[usize]) {
        match (self.combine, outcome) {
            (_, Err(e)) => {
                self.error.get_or_insert(e);
            }
            (Combine::InPlace, Ok(TierReply::List(items))) => {
                for (i, item) in at.iter().zip(items) {
                    if let Some(slot) = self.values.get_mut(*i) {
                        *slot = item;
                    }
                }
            }
            (Combine::Concat, Ok(TierReply::List(items))) => self.values.extend(items),
            (Combine::Sum, Ok(TierReply::Int(n))) => self.count += n,
            (Combine::Ok, Ok(_)) => {}
            (_, Ok(other)) => {
                self.error.get_or_insert(TierError::Protocol(format!(
                    "a part of a split command answered {other:?}"
                )));
            }
        }
        self.left -= 1;
        if self.left > 0 {
            return;
        }
        let Some(done) = self.done.take() else { return };
        let outcome = match (self.error.take(), self.combine) {
            (Some(e), _) => Err(e),
            (None, Combine::InPlace | Combine::Concat) => Ok(TierReply::List(std::mem::take(&mut self.values))),
            (None, Combine::Sum) => Ok(TierReply::Int(self.count)),
            (None, Combine::Ok) => Ok(TierReply::Status("OK")),
        };
        done(outcome);
        (self.flush)();
    }
}

enum Redirect {
    Moved(u16, Addr),
    Ask(Addr),
}

/// A MOVED or ASK error reply: where to go.
fn redirection(outcome: &Result<TierReply, TierError>) -> Option<Redirect> {
    let Err(TierError::Reply(text)) = outcome else {
        return None;
    };
    let mut parts = text.split(' ');
    let kind = parts.next()?;
    let slot: u16 = parts.next()?.parse().ok()?;
    let addr = parse_addr(parts.next()?)?;
    match kind {
        "MOVED" => Some(Redirect::Moved(slot, addr)),
        "ASK" => Some(Redirect::Ask(addr)),
        _ => None,
    }
}

fn parse_addr(text: &str) -> Option<Addr> {
    let (host, port) = text.rsplit_once(':')?;
    Some((
        host.trim_start_matches('[').trim_end_matches(']').to_string(),
        port.parse().ok()?,
    ))
}

fn asking() -> Op {
    Op::Command {
        argv: vec![b"ASKING".to_vec()],
        keys: Vec::new(),
        written: Vec::new(),
        flush: false,
        buffers: false,
        cache: false,
    }
}

/// CLUSTER SLOTS: `[start, end, [ip, port, id, …], replicas…]` per range.
/// An empty ip means the node that answered (`asked`).
fn parse_slots(reply: &Value, asked: &Addr) -> Result<Vec<(u16, u16, Addr)>, TierError> {
    let bad = || TierError::Protocol("CLUSTER SLOTS".into());
    let Value::Array(ranges) = reply else { return Err(bad()) };
    let mut out = Vec::new();
    for range in ranges {
        let Value::Array(items) = range else { return Err(bad()) };
        let (Some(Value::Int(start)), Some(Value::Int(end)), Some(Value::Array(primary))) =
            (items.first(), items.get(1), items.get(2))
        else {
            return Err(bad());
        };
        let host = primary.first().and_then(text).ok_or_else(bad)?;
        let Some(Value::Int(port)) = primary.get(1) else {
            return Err(bad());
        };
        let host = if host.is_empty() || host == "?" {
            asked.0.clone()
        } else {
            host
        };
        let port = u16::try_from(*port).map_err(|_| bad())?;
        let (start, end) = (
            u16::try_from(*start).map_err(|_| bad())?,
            u16::try_from(*end).map_err(|_| bad())?,
        );
        out.push((start, end, (host, port)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn reads_moved_and_ask() {
        let moved = Err(TierError::Reply("MOVED 3999 127.0.0.1:6381".into()));
        assert!(matches!(redirection(&moved), Some(Redirect::Moved(3999, (h, 6381))) if h == "127.0.0.1"));
        let ask = Err(TierError::Reply("ASK 1 ::1:7000".into()));
        assert!(matches!(redirection(&ask), Some(Redirect::Ask((h, 7000))) if h == "::1"));
        assert!(redirection(&Err(TierError::Reply("WRONGTYPE x".into()))).is_none());
        assert!(redirection(&Ok(TierReply::Null)).is_none());
    }

    #[test]
    fn reads_cluster_slots() {
        let reply = Value::Array(vec![
            Value::Array(vec![
                Value::Int(0),
                Value::Int(5460),
                Value::Array(vec![bulk("10.0.0.1"), Value::Int(7000), bulk("id")]),
            ]),
            Value::Array(vec![
                Value::Int(5461),
                Value::Int(16383),
                Value::Array(vec![bulk(""), Value::Int(7001)]),
            ]),
        ]);
        let ranges = parse_slots(&reply, &("seed".into(), 1)).unwrap();
        assert_eq!(
            ranges,
            vec![
                (0, 5460, ("10.0.0.1".into(), 7000)),
                (5461, 16383, ("seed".into(), 7001))
            ]
        );
        assert!(parse_slots(&Value::Nil, &("seed".into(), 1)).is_err());
    }

    /// What a Gather of `parts` (each a reply and its key positions) answers.
    fn gathered(combine: Combine, slots: usize, parts: Vec<(TierReply, Vec<usize>)>) -> Option<TierReply> {
        let out = Arc::new(Mutex::new(None));
        let seen = Arc::clone(&out);
        let done: Done = Box::new(move |r| *seen.lock().unwrap() = r.ok());
        let mut g = Gather::new(parts.len(), combine, slots, done, Arc::new(|| {}));
        for (reply, at) in parts {
            g.add(Ok(reply), &at);
        }
        let got = out.lock().unwrap().take();
        got
    }

    #[test]
    fn combines_split_replies() {
        let mget = gathered(
            Combine::InPlace,
            3,
            vec![
                (TierReply::List(vec![TierReply::Int(1), TierReply::Int(3)]), vec![0, 2]),
                (TierReply::List(vec![TierReply::Int(2)]), vec![1]),
            ],
        );
        assert!(
            matches!(mget, Some(TierReply::List(ref v)) if matches!(v.as_slice(), [TierReply::Int(1), TierReply::Int(2), TierReply::Int(3)]))
        );
        // A DEL over two slots that deleted nothing answers 0, not OK.
        let del = gathered(
            Combine::Sum,
            0,
            vec![(TierReply::Int(0), vec![0]), (TierReply::Int(0), vec![1])],
        );
        assert!(matches!(del, Some(TierReply::Int(0))));
    }
}
