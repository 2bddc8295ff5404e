use std::sync::{Arc, Mutex};

use super::*;
use crate::core::clock::ManualClock;
use crate::core::error_code::ErrorCode;

const T0: u64 = 1_700_000_000_000;

fn store() -> (LocalStore, ManualClock) {
    store_with(LocalConfig::default())
}

fn store_with(config: LocalConfig) -> (LocalStore, ManualClock) {
    let clock = ManualClock::new(T0);
    (LocalStore::with_clock(config, Arc::new(clock.clone())), clock)
}

fn set(s: &LocalStore, k: &str, v: &str) {
    s.set(k.as_bytes(), v.as_bytes(), Kind::Raw, SetOptions::default())
        .unwrap();
}

fn set_with(s: &LocalStore, k: &str, v: &str, opts: SetOptions) -> SetOutcome {
    s.set(k.as_bytes(), v.as_bytes(), Kind::Raw, opts).unwrap()
}

fn get(s: &LocalStore, k: &str) -> Option<String> {
    s.get(k.as_bytes())
        .map(|e| String::from_utf8(e.value().to_vec()).unwrap())
}

#[test]
fn set_get_del_roundtrip() {
    let (s, _) = store();
    set(&s, "mykey", "Hello");
    assert_eq!(get(&s, "mykey").as_deref(), Some("Hello"));
    assert_eq!(s.del(&["mykey", "missing"]), 1);
    assert_eq!(get(&s, "mykey"), None);
}

#[test]
fn expired_entries_are_never_returned() {
    let (s, clock) = store();
    let opts = SetOptions {
        expiry: SetExpiry::At(T0 + 100),
        ..Default::default()
    };
    set_with(&s, "k", "v", opts);
    assert_eq!(s.pttl(b"k"), 100);
    clock.advance(99);
    assert_eq!(get(&s, "k").as_deref(), Some("v"));
    clock.advance(1);
    // The deadline is reached: gone at once, before anything reclaimed it.
    assert_eq!(get(&s, "k"), None);
    assert_eq!(s.pttl(b"k"), -2);
    assert_eq!(s.exists(&["k"]), 0);
    s.purge_expired();
    assert_eq!(s.stats().expirations, 1);
}

#[test]
fn nx_xx_and_get() {
    let (s, _) = store();
    let nx = SetOptions {
        condition: Condition::IfAbsent,
        ..Default::default()
    };
    let xx = SetOptions {
        condition: Condition::IfPresent,
        ..Default::default()
    };
    assert!(!set_with(&s, "k", "a", xx).written);
    assert!(set_with(&s, "k", "a", nx).written);
    let second = set_with(&s, "k", "b", nx);
    assert!(!second.written);
    assert_eq!(second.previous.unwrap().value(), b"a");
    let replaced = set_with(&s, "k", "c", xx);
    assert!(replaced.written);
    assert_eq!(replaced.previous.unwrap().value(), b"a");
    assert_eq!(get(&s, "k").as_deref(), Some("c"));
}

#[test]
fn set_clears_ttl_unless_keepttl() {
    let (s, _) = store();
    set_with(
        &s,
        "k",
        "a",
        SetOptions {
            expiry: SetExpiry::At(T0 + 10_000),
            ..Default::default()
        },
    );
    set_with(
        &s,
        "k",
        "b",
        SetOptions {
            expiry: SetExpiry::Keep,
            ..Default::default()
        },
    );
    assert_eq!(s.pttl(b"k"), 10_000);
    set(&s, "k", "c");
    assert_eq!(s.pttl(b"k"), -1);
}

#[test]
fn deadline_in_the_past_deletes() {
    let (s, _) = store();
    set(&s, "k", "a");
    let out = set_with(
        &s,
        "k",
        "b",
        SetOptions {
            expiry: SetExpiry::At(T0 - 1),
            ..Default::default()
        },
    );
    assert!(out.written);
    assert_eq!(get(&s, "k"), None);
    assert_eq!(s.stats().bytes, 0);
}

#[test]
fn default_ttl_applies_to_plain_sets() {
    let (s, clock) = store_with(LocalConfig {
        default_ttl_ms: Some(500),
        ..Default::default()
    });
    set(&s, "k", "v");
    assert_eq!(s.pttl(b"k"), 500);
    clock.advance(500);
    assert_eq!(get(&s, "k"), None);
}

#[test]
fn expire_conditions_follow_redis() {
    let (s, _) = store();
    set(&s, "k", "v");
    assert!(!s.expire(b"k", T0 + 1000, ExpireCondition::Xx));
    assert!(
        !s.expire(b"k", T0 + 1000, ExpireCondition::Gt),
        "GT: no TTL counts as infinite"
    );
    assert!(s.expire(b"k", T0 + 1000, ExpireCondition::Nx));
    assert!(!s.expire(b"k", T0 + 2000, ExpireCondition::Nx));
    assert!(s.expire(b"k", T0 + 2000, ExpireCondition::Gt));
    assert!(!s.expire(b"k", T0 + 3000, ExpireCondition::Lt));
    assert!(s.expire(b"k", T0 + 500, ExpireCondition::Lt));
    assert_eq!(s.pttl(b"k"), 500);
    assert_eq!(s.ttl(b"k"), 1, "TTL rounds to the nearest second like Redis");
    assert!(s.persist(b"k"));
    assert!(!s.persist(b"k"));
    assert_eq!(s.ttl(b"k"), -1);
    assert!(s.expire(b"k", T0, ExpireCondition::Always), "a past deadline deletes");
    assert_eq!(s.ttl(b"k"), -2);
    assert!(!s.expire(b"missing", T0 + 10, ExpireCondition::Always));
}

#[test]
fn incr_family_follows_redis() {
    let (s, _) = store();
    set(&s, "mykey", "10");
    assert_eq!(s.incr_by(b"mykey", 1), Ok(11));
    assert_eq!(get(&s, "mykey").as_deref(), Some("11"));
    assert_eq!(s.incr_by(b"new", -3), Ok(-3));
    set(&s, "text", "234293482390480948029348230948");
    assert_eq!(s.incr_by(b"text", 1), Err(CommandError::NotInteger));
    set(&s, "max", &i64::MAX.to_string());
    assert_eq!(s.incr_by(b"max", 1), Err(CommandError::Overflow));
    set(&s, "f", "10.50");
    assert_eq!(s.incr_by_float(b"f", 0.1).as_deref(), Ok("10.6"));
    assert_eq!(s.incr_by_float(b"f", -5.0).as_deref(), Ok("5.6"));
    set(&s, "g", "5.0e3");
    assert_eq!(s.incr_by_float(b"g", 2.0e2).as_deref(), Ok("5200"));
    set(&s, "h", "abc");
    assert_eq!(s.incr_by_float(b"h", 1.0), Err(CommandError::NotFloat));
}

#[test]
fn incr_keeps_ttl() {
    let (s, _) = store();
    set_with(
        &s,
        "n",
        "1",
        SetOptions {
            expiry: SetExpiry::At(T0 + 5000),
            ..Default::default()
        },
    );
    s.incr_by(b"n", 1).unwrap();
    assert_eq!(s.pttl(b"n"), 5000);
}

#[test]
fn getdel_and_getex() {
    let (s, _) = store();
    set(&s, "k", "v");
    assert_eq!(s.getex(b"k", GetExExpiry::At(T0 + 100)).unwrap().value(), b"v");
    assert_eq!(s.pttl(b"k"), 100);
    s.getex(b"k", GetExExpiry::Persist);
    assert_eq!(s.pttl(b"k"), -1);
    assert_eq!(s.getdel(b"k").unwrap().value(), b"v");
    assert!(s.getdel(b"k").is_none());
}

#[test]
fn exists_counts_repeats() {
    let (s, _) = store();
    set(&s, "key1", "Hello");
    assert_eq!(s.exists(&["key1"]), 1);
    assert_eq!(s.exists(&["nosuchkey"]), 0);
    set(&s, "key2", "World");
    assert_eq!(s.exists(&["key1", "key2", "nosuchkey"]), 2);
    assert_eq!(s.exists(&["key1", "key1"]), 2);
}

#[test]
fn keys_and_scan_with_patterns() {
    let (s, _) = store();
    for k in ["firstname", "lastname", "age"] {
        set(&s, k, "x");
    }
    let mut found: Vec<_> = s
        .keys(b"*name*")
        .unwrap()
        .into_iter()
        .map(|k| String::from_utf8(k.to_vec()).unwrap())
        .collect();
    found.sort();
    assert_eq!(found, ["firstname", "lastname"]);
    assert_eq!(s.keys(b"a??").unwrap().len(), 1);
    assert_eq!(s.keys(b"*").unwrap().len(), 3);
    let too_long = vec![b'*'; crate::core::glob::MAX_PATTERN_BYTES + 1];
    assert!(matches!(s.keys(&too_long), Err(CommandError::PatternTooLong { .. })));
    assert!(matches!(
        s.scan(0, Some(&too_long), 10),
        Err(CommandError::PatternTooLong { .. })
    ));
}

#[test]
fn scan_returns_every_key_once_across_pages() {
    let (s, _) = store();
    for i in 0..1000 {
        set(&s, &format!("key:{i}"), "v");
    }
    let mut seen = std::collections::HashSet::new();
    let mut cursor = 0;
    let mut rounds = 0;
    loop {
        let (next, keys) = s.scan(cursor, Some(b"key:*"), 37).unwrap();
        for k in keys {
            assert!(seen.insert(k), "no duplicates without concurrent changes");
        }
        rounds += 1;
        if next == 0 {
            break;
        }
        // Changes during the iteration: keys added may or may not be returned.
        if rounds == 3 {
            set(&s, "added-during-scan", "v");
        }
        cursor = next;
    }
    assert_eq!(seen.len(), 1000);
    assert!(rounds >= 1000 / 37);
    assert!(s.scan(u64::MAX, None, 10).is_err());
}

/// Every key of a full SCAN iteration, and how many calls it took.
fn scan_all(s: &LocalStore, pattern: Option<&[u8]>, count: usize) -> (Vec<Key>, usize) {
    let (mut cursor, mut all, mut calls) = (0, Vec::new(), 0);
    loop {
        let (next, keys) = s.scan(cursor, pattern, count).unwrap();
        all.extend(keys);
        calls += 1;
        if next == 0 {
            return (all, calls);
        }
        cursor = next;
    }
}

#[test]
fn scan_returns_keys_overwritten_deleted_and_evicted_around_them_once() {
    // Slots do not move while their key lives: churn between pages (other
    // keys deleted, new ones set into freed slots, overwrites with bigger
    // values) never makes a key present throughout missed or repeated.
    let (s, _) = store_with(LocalConfig {
        max_entries: Some(100_000),
        ..LocalConfig::default()
    });
    for i in 0..3000 {
        set(&s, &format!("stable:{i}"), "v");
        set(&s, &format!("doomed:{i}"), "v");
    }
    let mut cursor = 0;
    let mut seen = std::collections::HashMap::new();
    let mut page = 0;
    loop {
        let (next, keys) = s.scan(cursor, Some(b"stable:*"), 100).unwrap();
        for k in keys {
            *seen.entry(k).or_insert(0) += 1;
        }
        for j in 0..20 {
            let i = page * 20 + j;
            s.del(&[format!("doomed:{i}")]);
            set(&s, &format!("new:{i}"), "v");
            set(&s, &format!("stable:{}", (i * 7) % 3000), &"x".repeat(100));
        }
        page += 1;
        if next == 0 {
            break;
        }
        cursor = next;
    }
    assert_eq!(seen.len(), 3000);
    assert!(seen.values().all(|&n| n == 1), "each stable key exactly once");
}

#[test]
fn scan_work_per_call_is_bounded_by_count_and_by_cost() {
    let (s, _) = store();
    for i in 0..500 {
        set(&s, &format!("k{i}"), "v");
    }
    // COUNT bounds live keys looked at (with MATCH, fewer come back).
    let (_, keys) = s.scan(0, None, 7).unwrap();
    assert_eq!(keys.len(), 7);
    let (all, calls) = scan_all(&s, Some(b"k1*"), 50);
    assert_eq!(all.len(), 111);
    assert!(calls >= 10, "{calls}");

    // A huge COUNT over huge keys and a costly pattern: many short calls.
    let (s, _) = store();
    for i in 0..40 {
        let key = format!("{}{i:02}", "a".repeat(crate::core::local::MAX_KEY_BYTES - 2));
        set(&s, &key, "v");
    }
    let mut attack = vec![b'*'];
    attack.extend(std::iter::repeat_n(b'a', crate::core::glob::MAX_PATTERN_BYTES - 2));
    attack.push(b'b');
    let (found, calls) = scan_all(&s, Some(&attack), usize::MAX);
    assert!(found.is_empty());
    assert!(
        calls >= 40 / 2,
        "each call stops after its share of matching work: {calls} calls"
    );
    let (found, _) = scan_all(&s, Some(b"*9"), usize::MAX);
    assert_eq!(found.len(), 4);
}

#[test]
fn scan_refuses_cursors_it_never_handed_out() {
    let (s, _) = store();
    set(&s, "k", "v");
    for raw in [1, 12345, u64::MAX] {
        assert_eq!(s.scan(raw, None, 10).err(), Some(CommandError::InvalidCursor), "{raw}");
    }
}

#[test]
fn flush_and_dbsize() {
    let (s, _) = store();
    for i in 0..10 {
        set(&s, &format!("k{i}"), "v");
    }
    assert_eq!(s.dbsize(), 10);
    s.flush();
    assert_eq!(s.dbsize(), 0);
    assert_eq!(get(&s, "k1"), None);
    assert_eq!(s.stats().bytes, 0);
}

#[test]
fn bounded_by_entry_count() {
    let (s, _) = store_with(LocalConfig {
        max_entries: Some(100),
        ..Default::default()
    });
    for i in 0..1000 {
        set(&s, &format!("k{i}"), "v");
    }
    s.purge_expired();
    assert!(s.dbsize() <= 100, "dbsize {}", s.dbsize());
    assert!(s.stats().evictions_size >= 900);
}

#[test]
fn bounded_by_bytes() {
    let max_bytes = 64 * 1024;
    let (s, _) = store_with(LocalConfig {
        max_bytes,
        ..Default::default()
    });
    let value = "x".repeat(1000);
    for i in 0..1000 {
        set(&s, &format!("k{i}"), &value);
    }
    s.purge_expired();
    let stats = s.stats();
    assert!(stats.bytes <= max_bytes, "bytes {}", stats.bytes);
    assert!(stats.entries <= max_bytes / 1000);
    assert!(stats.evictions_size > 0);
}

#[test]
fn oversized_and_empty_keys_and_values_are_refused() {
    let (s, _) = store_with(LocalConfig {
        max_value_bytes: 10,
        ..Default::default()
    });
    let err = s.set(b"k", &[0u8; 11], Kind::Raw, SetOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ValueTooLarge);
    let err = s.set(b"", b"v", Kind::Raw, SetOptions::default()).unwrap_err();
    assert_eq!(err, CommandError::EmptyKey);
    let long = vec![b'k'; MAX_KEY_BYTES + 1];
    let err = s.set(&long, b"v", Kind::Raw, SetOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyTooLarge);
}

#[test]
fn stats_count_reads_writes_and_bytes() {
    let (s, _) = store();
    set(&s, "a", "12345");
    set(&s, "a", "123");
    get(&s, "a");
    get(&s, "missing");
    s.del(&["a"]);
    s.purge_expired();
    let st = s.stats();
    assert_eq!((st.hits, st.misses, st.sets, st.deletes), (1, 1, 2, 1));
    assert_eq!(st.bytes, 0);
    set(&s, "b", "123");
    s.purge_expired();
    assert_eq!(s.stats().bytes, 1 + 3 + ENTRY_OVERHEAD_BYTES);
}

#[test]
fn removal_sinks_hear_expirations_and_evictions() {
    let (s, clock) = store_with(LocalConfig {
        max_entries: Some(10),
        ..Default::default()
    });
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = Arc::clone(&heard);
    let id = s.add_removal_sink(Arc::new(move |k: &[u8], r| h.lock().unwrap().push((k.to_vec(), r))));
    set_with(
        &s,
        "short",
        "v",
        SetOptions {
            expiry: SetExpiry::At(T0 + 10),
            ..Default::default()
        },
    );
    clock.advance(10);
    assert_eq!(get(&s, "short"), None);
    s.purge_expired();
    assert!(heard
        .lock()
        .unwrap()
        .contains(&(b"short".to_vec(), RemovalReason::Expired)));
    for i in 0..100 {
        set(&s, &format!("k{i}"), "v");
    }
    s.purge_expired();
    assert!(heard.lock().unwrap().iter().any(|(_, r)| *r == RemovalReason::Size));
    s.remove_removal_sink(id);
}

#[test]
fn fronts_are_bumped_except_the_origin() {
    let (s, _) = store();
    let mine = Arc::new(FrontEpoch::default());
    let theirs = Arc::new(FrontEpoch::default());
    s.add_front(Arc::clone(&mine));
    s.add_front(Arc::clone(&theirs));
    s.changed(Some(&mine));
    assert_eq!((mine.load(), theirs.load()), (0, 1));
    s.remove_front(&theirs);
    s.changed(None);
    assert_eq!((mine.load(), theirs.load()), (1, 1));
}

#[test]
fn concurrent_incr_is_atomic() {
    let (s, _) = store();
    let s = Arc::new(s);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    s.incr_by(b"counter", 1).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(get(&s, "counter").as_deref(), Some("4000"));
}

/// Hits of an exact LRU cache of `cap` entries on `keys` (the reference).
fn lru_hits(keys: &[&[u8]], cap: usize) -> u64 {
    use std::collections::{BTreeMap, HashMap};
    let mut stamp_of: HashMap<&[u8], u64> = HashMap::new();
    let mut by_stamp: BTreeMap<u64, &[u8]> = BTreeMap::new();
    let mut hits = 0;
    for (now, k) in keys.iter().enumerate() {
        let now = now as u64;
        if let Some(old) = stamp_of.insert(k, now) {
            by_stamp.remove(&old);
            hits += 1;
        } else if stamp_of.len() > cap {
            let (_, victim) = by_stamp.pop_first().unwrap();
            stamp_of.remove(victim);
        }
        by_stamp.insert(now, k);
    }
    hits
}

/// Hit ratio on a trace file (one integer key per line, gzip): run with
/// `TRACE=/path/x.trace.gz cargo test --release --lib trace_hit_ratio -- --ignored --nocapture`.
#[test]
#[ignore]
fn trace_hit_ratio() {
    let path = std::env::var("TRACE").expect("TRACE=path to a .trace.gz");
    let out = std::process::Command::new("zcat").arg(&path).output().unwrap();
    let keys: Vec<&[u8]> = out.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    let distinct = keys.iter().collect::<std::collections::HashSet<_>>().len();
    for pct in [1, 5, 10, 25] {
        let cap = (distinct * pct / 100).max(1) as u64;
        let (s, _) = store_with(LocalConfig {
            max_entries: Some(cap),
            ..Default::default()
        });
        let mut hits = 0;
        for k in &keys {
            if s.get(k).is_some() {
                hits += 1;
            } else {
                s.set(k, b"v", Kind::Raw, SetOptions::default()).unwrap();
            }
        }
        let lru = lru_hits(&keys, cap as usize);
        println!(
            "{path} {pct}% ({cap}): {:.2}% (LRU {:.2}%)",
            hits as f64 * 100.0 / keys.len() as f64,
            lru as f64 * 100.0 / keys.len() as f64
        );
    }
}

/// A small deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn check_all_invariants(s: &LocalStore) {
    for shard in s.shards.iter() {
        shard.lock().unwrap().check_invariants();
    }
}

/// Without eviction pressure the store must behave exactly like a map with
/// deadlines: a model-based test over random commands and time steps.
#[test]
fn random_commands_match_a_simple_model() {
    use std::collections::HashMap;
    let (s, clock) = store();
    let mut model: HashMap<String, (String, u64)> = HashMap::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut now = T0;
    for step in 0..20_000 {
        let key = format!("k{}", rng.below(64));
        model.retain(|_, (_, d)| *d == NO_EXPIRY || *d > now);
        match rng.below(8) {
            0 | 1 => {
                let v = format!("v{step}");
                let ttl = rng.below(3);
                let deadline = if ttl == 0 { NO_EXPIRY } else { now + 1 + rng.below(50) };
                let expiry = if deadline == NO_EXPIRY {
                    SetExpiry::Default
                } else {
                    SetExpiry::At(deadline)
                };
                set_with(
                    &s,
                    &key,
                    &v,
                    SetOptions {
                        expiry,
                        ..Default::default()
                    },
                );
                model.insert(key, (v, deadline));
            }
            2 => {
                let expected = model.get(&key).map(|(v, _)| v.clone());
                assert_eq!(get(&s, &key), expected, "get {key} at step {step}");
            }
            3 => {
                let existed = model.remove(&key).is_some();
                assert_eq!(s.del(&[key.as_bytes()]), existed as u64, "del at step {step}");
            }
            4 => {
                let r = s.incr_by(key.as_bytes(), 1);
                match model.get_mut(&key) {
                    None => {
                        assert_eq!(r, Ok(1));
                        model.insert(key, ("1".into(), NO_EXPIRY));
                    }
                    Some((v, _)) => match v.parse::<i64>() {
                        Ok(n) => {
                            assert_eq!(r, Ok(n + 1));
                            *v = (n + 1).to_string();
                        }
                        Err(_) => assert_eq!(r, Err(CommandError::NotInteger)),
                    },
                }
            }
            5 => {
                let deadline = now + 1 + rng.below(30);
                let applied = s.expire(key.as_bytes(), deadline, ExpireCondition::Always);
                assert_eq!(applied, model.contains_key(&key));
                if let Some((_, d)) = model.get_mut(&key) {
                    *d = deadline;
                }
            }
            6 => {
                let expected = match model.get(&key) {
                    None => -2,
                    Some((_, d)) if *d == NO_EXPIRY => -1,
                    Some((_, d)) => (*d - now) as i64,
                };
                assert_eq!(s.pttl(key.as_bytes()), expected, "pttl at step {step}");
            }
            _ => {
                let dt = rng.below(5);
                clock.advance(dt);
                now += dt;
            }
        }
        if step % 500 == 0 {
            check_all_invariants(&s);
            model.retain(|_, (_, d)| *d == NO_EXPIRY || *d > now);
            assert_eq!(s.dbsize(), model.len() as u64, "dbsize at step {step}");
        }
    }
    check_all_invariants(&s);
}

/// Under eviction pressure, with values of random sizes: the structure stays
/// sound and both bounds hold after every operation.
#[test]
fn random_load_keeps_invariants_and_bounds() {
    let max_bytes = 16 * 1024;
    let (s, clock) = store_with(LocalConfig {
        max_entries: Some(50),
        max_bytes,
        ..Default::default()
    });
    let mut rng = Rng(42);
    for step in 0..30_000 {
        let key = format!("key{}", rng.below(400));
        match rng.below(6) {
            0..=2 => {
                let len = 1 + rng.below(600) as usize;
                let expiry = if rng.below(4) == 0 {
                    SetExpiry::At(T0 + 1 + rng.below(10_000))
                } else {
                    SetExpiry::Default
                };
                s.set(
                    key.as_bytes(),
                    &vec![b'x'; len],
                    Kind::Raw,
                    SetOptions {
                        expiry,
                        ..Default::default()
                    },
                )
                .unwrap();
            }
            3 => {
                s.get(key.as_bytes());
            }
            4 => {
                s.del(&[key.as_bytes()]);
            }
            _ => clock.advance(rng.below(20)),
        }
        if step % 100 == 0 {
            check_all_invariants(&s);
            let st = s.stats();
            assert!(st.entries <= 50, "entries {} at step {step}", st.entries);
            assert!(st.bytes <= max_bytes, "bytes {} at step {step}", st.bytes);
        }
    }
}

#[test]
fn a_key_just_set_is_readable_even_when_full() {
    let (s, _) = store_with(LocalConfig {
        max_entries: Some(10),
        ..Default::default()
    });
    // Make the resident keys popular, then write cold new ones: each new key
    // must still be readable right after its set (it enters the window).
    for round in 0..20 {
        for i in 0..10 {
            set(&s, &format!("hot{i}"), "v");
            get(&s, &format!("hot{i}"));
        }
        let k = format!("new{round}");
        set(&s, &k, "v");
        assert_eq!(get(&s, &k).as_deref(), Some("v"), "round {round}");
    }
}

#[test]
fn sharded_store_holds_exactly_max_entries() {
    let (s, _) = store_with(LocalConfig {
        max_entries: Some(40_000),
        max_bytes: 1 << 30,
        ..Default::default()
    });
    assert!(s.shards.len() > 1, "this test is about a sharded store");
    for i in 0..80_000 {
        set(&s, &format!("key:{i}"), "v");
    }
    assert_eq!(s.dbsize(), 40_000, "keys hash unevenly, the budget still fills exactly");
    check_all_invariants(&s);
}

#[test]
fn entry_bound_holds_with_a_huge_byte_budget() {
    // max_bytes / max_entries does not fit 32 bits: weights must not be clamped.
    let (s, _) = store_with(LocalConfig {
        max_entries: Some(10),
        max_bytes: 64 << 30,
        ..Default::default()
    });
    for i in 0..100 {
        set(&s, &format!("k{i}"), "v");
    }
    assert_eq!(s.dbsize(), 10);
}

#[test]
fn a_seal_refuses_later_puts_and_retimes_and_keeps_the_remaining_ttl() {
    use crate::core::sealed::SealedAction::{Put, Retime, Seal};
    let (s, clock) = store();
    let seal = b"sealed";
    // Sealing an absent key writes nothing.
    assert!(!s.sealed(Seal, b"k", b"", Kind::Raw, seal, 5_000).unwrap());
    assert!(s.get(b"k").is_none());
    assert!(s.sealed(Put, b"k", b"{}", Kind::Json, seal, 60_000).unwrap());
    assert_eq!(s.pttl(b"k"), 60_000);
    clock.advance(10_000);
    assert!(s.sealed(Retime, b"k", b"", Kind::Raw, seal, 60_000).unwrap());
    assert_eq!(s.pttl(b"k"), 60_000);
    clock.advance(20_000);
    assert!(s.sealed(Seal, b"k", b"", Kind::Raw, seal, 5_000).unwrap());
    // The seal keeps the record's remaining lifetime (not the bound given).
    assert_eq!(s.pttl(b"k"), 40_000);
    assert_eq!(get(&s, "k").as_deref(), Some("sealed"));
    assert!(!s.sealed(Put, b"k", b"{}", Kind::Json, seal, 60_000).unwrap());
    assert!(!s.sealed(Retime, b"k", b"", Kind::Raw, seal, 60_000).unwrap());
    assert_eq!(s.pttl(b"k"), 40_000);
    // A value equal to the seal but stored as an object is no seal.
    assert!(s.sealed(Put, b"j", seal, Kind::Json, seal, 1_000).unwrap());
    assert!(s.sealed(Put, b"j", b"{}", Kind::Json, seal, 1_000).unwrap());
    // A record without expiry gets the bound.
    set(&s, "forever", "v");
    assert!(s.sealed(Seal, b"forever", b"", Kind::Raw, seal, 5_000).unwrap());
    assert_eq!(s.pttl(b"forever"), 5_000);
    // Once the seal expired, the key is free again.
    clock.advance(40_000);
    assert!(s.sealed(Put, b"k", b"{}", Kind::Json, seal, 60_000).unwrap());
}
