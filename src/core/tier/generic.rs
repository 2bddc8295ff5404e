//! Replies of the generic command path, in the shapes ioredis gives over
//! RESP2. The tier's connection speaks RESP3 (it needs server-assisted
//! invalidation), while ioredis users, and the JS reply transformers written
//! for ioredis (HGETALL's flat array into an object, …), expect RESP2: maps
//! become flat arrays, sets arrays, doubles and big numbers bulk strings,
//! booleans 1 or nil (as Lua's true/false over RESP2), and the few commands
//! whose RESP3 reply nests pairs that RESP2 sends flat are flattened.

use redis::Value;

use super::error::TierError;

/// A reply in RESP2's types.
#[derive(Debug, Clone, PartialEq)]
pub enum Resp2 {
    Null,
    Int(i64),
    /// A bulk string (also a double, big number or verbatim text).
    Bulk(Vec<u8>),
    /// A simple string ("OK", "PONG", "QUEUED", …).
    Status(String),
    Array(Vec<Resp2>),
    /// An error reply inside an array (EXEC's, a script's table): the
    /// top-level error reply fails the command instead.
    Error(String),
}

/// Commands whose RESP3 reply is an array of pairs where RESP2's is one
/// flat array (member, score, member, score, …): WITHSCORES / WITHVALUES
/// forms, and ZPOPMIN/ZPOPMAX with a count.
const FLAT_PAIRS_IN_RESP2: &[&[u8]] = &[
    b"ZRANGE",
    b"ZRANGEBYSCORE",
    b"ZRANGEBYLEX",
    b"ZREVRANGE",
    b"ZREVRANGEBYSCORE",
    b"ZREVRANGEBYLEX",
    b"ZUNION",
    b"ZINTER",
    b"ZDIFF",
    b"ZRANDMEMBER",
    b"ZPOPMIN",
    b"ZPOPMAX",
    b"HRANDFIELD",
];

/// Commands whose RESP3 map reply is, over RESP2, an array of
/// `[key, value]` pairs rather than one flat array.
const PAIRS_FOR_MAP_IN_RESP2: &[&[u8]] = &[b"XREAD", b"XREADGROUP"];

fn is(command: &[u8], list: &[&[u8]]) -> bool {
    list.iter().any(|c| c.eq_ignore_ascii_case(command))
}

/// The RESP2 reply of `command` (its name, any case) for Redis's RESP3
/// reply `v`; a top-level error reply is the command's error.
pub fn resp2_reply(command: &[u8], v: Value) -> Result<Resp2, TierError> {
    let v = match v {
        Value::ServerError(e) => return Err(TierError::from_redis(&e.into())),
        Value::Map(pairs) if is(command, PAIRS_FOR_MAP_IN_RESP2) => {
            return Ok(Resp2::Array(
                pairs
                    .into_iter()
                    .map(|(k, v)| Resp2::Array(vec![resp2(k), resp2(v)]))
                    .collect(),
            ))
        }
        v => resp2(v),
    };
    Ok(match v {
        Resp2::Array(items)
            if is(command, FLAT_PAIRS_IN_RESP2) && items.iter().all(|i| matches!(i, Resp2::Array(_))) =>
        {
            Resp2::Array(
                items
                    .into_iter()
                    .flat_map(|i| match i {
                        Resp2::Array(pair) => pair,
                        other => vec![other],
                    })
                    .collect(),
            )
        }
        v => v,
    })
}

/// The reply of a transaction (see `Op::Transaction`) from Redis's replies
/// to MULTI, the commands `names` and EXEC, in order: a two-item array of
/// the queueing replies (QUEUED, or the error refusing the command) and
/// EXEC's reply: each command's reply in its RESP2 shape, an error in its
/// slot; or EXEC's error (EXECABORT), or nil.
pub fn transaction_reply(names: &[Vec<u8>], mut values: Vec<Value>) -> Resp2 {
    let exec = if values.len() >= 2 { values.pop() } else { None }.unwrap_or(Value::Nil);
    // values[0] is MULTI's OK; then one queueing reply per command.
    let queued: Vec<Resp2> = values.into_iter().skip(1).map(resp2).collect();
    let exec = match exec {
        Value::Array(items) => Resp2::Array(
            items
                .into_iter()
                .zip(names.iter())
                .map(|(v, name)| resp2_reply(name, v).unwrap_or_else(|e| Resp2::Error(e.to_string())))
                .collect(),
        ),
        other => resp2(other),
    };
    Resp2::Array(vec![Resp2::Array(queued), exec])
}

/// One RESP3 value in RESP2's types.
pub fn resp2(v: Value) -> Resp2 {
    match v {
        Value::Nil => Resp2::Null,
        Value::Int(n) => Resp2::Int(n),
        Value::BulkString(b) => Resp2::Bulk(b),
        Value::SimpleString(s) => Resp2::Status(s),
        Value::Okay => Resp2::Status("OK".into()),
        Value::Array(items) | Value::Set(items) => Resp2::Array(items.into_iter().map(resp2).collect()),
        Value::Map(pairs) => Resp2::Array(pairs.into_iter().flat_map(|(k, v)| [resp2(k), resp2(v)]).collect()),
        Value::Attribute { data, .. } => resp2(*data),
        Value::Double(d) => Resp2::Bulk(double_text(d).into_bytes()),
        Value::Boolean(true) => Resp2::Int(1),
        Value::Boolean(false) => Resp2::Null,
        Value::VerbatimString { text, .. } => Resp2::Bulk(text.into_bytes()),
        Value::BigNumber(n) => Resp2::Bulk(n),
        Value::Push { data, .. } => Resp2::Array(data.into_iter().map(resp2).collect()),
        Value::ServerError(e) => Resp2::Error(TierError::from_redis(&e.into()).to_string()),
        // A type a later redis-rs adds: say so rather than guess its RESP2 form.
        other => Resp2::Error(format!("ERR tiercache cannot convert the reply {other:?}")),
    }
}

/// A double as Redis writes it over RESP2: the shortest round-trip digits
/// (Redis 7.2's `fpconv_dtoa`), placed as `%.17g` places them, which is what
/// Redis's fpconv was changed to follow: plain decimal while the decimal
/// exponent X is in -4..17, else exponent form with a sign and at least two
/// digits ("1e+20", "1.5e-05"). Not JavaScript's rule (plain up to 1e21):
/// ZINCRBY to 1e20 replies "1e+20" from Redis. "inf", "-inf", "-0" as Redis.
pub fn double_text(d: f64) -> String {
    if d.is_nan() {
        return "nan".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d == 0.0 {
        return format!("{d}");
    }
    // Rust's `{:e}` is the shortest round-trip mantissa and its exponent X.
    let s = format!("{d:e}");
    let Some((mantissa, exp)) = s.split_once('e') else {
        return s;
    };
    let x: i32 = exp.parse().unwrap_or(0);
    if (-4..17).contains(&x) {
        return format!("{d}");
    }
    if x < 0 {
        format!("{mantissa}e-{:0>2}", -x)
    } else {
        format!("{mantissa}e+{x:0>2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Resp2 {
        Resp2::Bulk(s.as_bytes().to_vec())
    }

    fn v(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    /// An error reply as Redis sends it (`-CODE detail`).
    fn server_error(text: &str) -> Value {
        redis::parse_redis_value(format!("-{text}\r\n").as_bytes()).unwrap()
    }

    #[test]
    fn a_transaction_gives_its_queueing_replies_and_each_command_reply_in_its_resp2_shape() {
        let names = vec![b"HGETALL".to_vec(), b"INCR".to_vec(), b"ZRANGE".to_vec()];
        let values = vec![
            Value::Okay,
            Value::SimpleString("QUEUED".into()),
            Value::SimpleString("QUEUED".into()),
            Value::SimpleString("QUEUED".into()),
            Value::Array(vec![
                Value::Map(vec![(v("f"), v("a"))]),
                server_error("WRONGTYPE Operation against a key holding the wrong kind of value"),
                Value::Array(vec![Value::Array(vec![v("m"), Value::Double(1.0)])]),
            ]),
        ];
        let queued = Resp2::Status("QUEUED".into());
        assert_eq!(
            transaction_reply(&names, values),
            Resp2::Array(vec![
                Resp2::Array(vec![queued.clone(), queued.clone(), queued]),
                Resp2::Array(vec![
                    Resp2::Array(vec![bulk("f"), bulk("a")]),
                    Resp2::Error("WRONGTYPE Operation against a key holding the wrong kind of value".into()),
                    Resp2::Array(vec![bulk("m"), bulk("1")]),
                ]),
            ])
        );
    }

    #[test]
    fn an_aborted_transaction_gives_the_queueing_error_and_execabort() {
        let names = vec![b"SET".to_vec()];
        let values = vec![
            Value::Okay,
            server_error("ERR wrong number of arguments for 'set' command"),
            server_error("EXECABORT Transaction discarded because of previous errors."),
        ];
        match transaction_reply(&names, values) {
            Resp2::Array(parts) => {
                assert!(
                    matches!(&parts[0], Resp2::Array(q) if matches!(&q[0], Resp2::Error(e) if e.contains("wrong number")))
                );
                assert!(matches!(&parts[1], Resp2::Error(e) if e.starts_with("EXECABORT")));
            }
            other => panic!("not an array: {other:?}"),
        }
        // Short replies (a broken transport) never panic.
        assert_eq!(
            transaction_reply(&names, vec![]),
            Resp2::Array(vec![Resp2::Array(vec![]), Resp2::Null])
        );
    }

    #[test]
    fn maps_become_flat_arrays_as_hgetall_over_resp2() {
        let map = Value::Map(vec![(v("f1"), v("a")), (v("f2"), v("b"))]);
        assert_eq!(
            resp2_reply(b"HGETALL", map).unwrap(),
            Resp2::Array(vec![bulk("f1"), bulk("a"), bulk("f2"), bulk("b")])
        );
    }

    #[test]
    fn sets_doubles_booleans_and_verbatim_take_their_resp2_types() {
        assert_eq!(resp2(Value::Set(vec![v("x")])), Resp2::Array(vec![bulk("x")]));
        assert_eq!(resp2(Value::Double(1.5)), bulk("1.5"));
        assert_eq!(resp2(Value::Double(3.0)), bulk("3"));
        assert_eq!(resp2(Value::Boolean(true)), Resp2::Int(1));
        assert_eq!(resp2(Value::Boolean(false)), Resp2::Null);
        assert_eq!(resp2(Value::Okay), Resp2::Status("OK".into()));
        assert_eq!(resp2(Value::Nil), Resp2::Null);
        assert_eq!(
            resp2(Value::BigNumber(b"12345678901234567890".to_vec())),
            bulk("12345678901234567890")
        );
        assert_eq!(
            resp2(Value::VerbatimString {
                format: redis::VerbatimFormat::Text,
                text: "hello".into()
            }),
            bulk("hello")
        );
    }

    #[test]
    fn doubles_are_written_as_redis_writes_them() {
        for (d, text) in [
            (0.0, "0"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (-0.0, "-0"),
            // %.17g's switch to exponent form at 1e17 and below 1e-4 (found
            // by __test__/l2/differential-families.test.js: ZINCRBY 1e20).
            (1e16, "10000000000000000"),
            (1.5e16, "15000000000000000"),
            (1e17, "1e+17"),
            (1e20, "1e+20"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (1.2345e300, "1.2345e+300"),
            (0.0001, "0.0001"),
            (0.00015, "0.00015"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (2.5e-300, "2.5e-300"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(double_text(d), text, "{d}");
        }
    }

    #[test]
    fn withscores_pairs_are_flattened_only_for_the_commands_that_nest_them() {
        let nested = || {
            Value::Array(vec![
                Value::Array(vec![v("a"), Value::Double(1.0)]),
                Value::Array(vec![v("b"), Value::Double(2.5)]),
            ])
        };
        assert_eq!(
            resp2_reply(b"zrange", nested()).unwrap(),
            Resp2::Array(vec![bulk("a"), bulk("1"), bulk("b"), bulk("2.5")])
        );
        // Another command's nested arrays are its real shape (SCAN, XRANGE, …).
        assert!(matches!(&resp2_reply(b"XRANGE", nested()).unwrap(), Resp2::Array(items) if items.len() == 2));
    }

    #[test]
    fn xread_maps_become_arrays_of_pairs() {
        let reply = Value::Map(vec![(v("s"), Value::Array(vec![]))]);
        assert_eq!(
            resp2_reply(b"XREAD", reply).unwrap(),
            Resp2::Array(vec![Resp2::Array(vec![bulk("s"), Resp2::Array(vec![])])])
        );
    }

    #[test]
    fn a_top_level_error_fails_the_command_and_a_nested_one_is_a_value() {
        let wrongtype = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        let err = resp2_reply(b"HGET", redis::parse_redis_value(wrongtype).unwrap()).unwrap_err();
        assert_eq!(
            err,
            TierError::Reply("WRONGTYPE Operation against a key holding the wrong kind of value".into())
        );
        let exec = redis::parse_redis_value(b"*2\r\n+OK\r\n-ERR boom\r\n").unwrap();
        assert_eq!(
            resp2_reply(b"EXEC", exec).unwrap(),
            Resp2::Array(vec![Resp2::Status("OK".into()), Resp2::Error("ERR boom".into())])
        );
    }
}
