use super::*;

/// A small deterministic generator (xorshift64*): the tests need no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, max: u64) -> Vec<u8> {
        let len = self.below(max + 1);
        // CR and LF often: they are what a parser gets wrong.
        (0..len)
            .map(|_| match self.below(8) {
                0 => b'\r',
                1 => b'\n',
                _ => self.below(256) as u8,
            })
            .collect()
    }
    fn word(&mut self, max: u64) -> String {
        let len = self.below(max + 1);
        (0..len).map(|_| (b'a' + self.below(26) as u8) as char).collect()
    }
}

/// A generated reply's bytes, as redis-server would write them.
fn reply(rng: &mut Rng, depth: u32, out: &mut Vec<u8>) {
    let leaf = depth >= 4 || rng.below(3) > 0;
    let kind = if leaf { rng.below(12) } else { 12 + rng.below(5) };
    match kind {
        0 => out.extend_from_slice(b"+OK\r\n"),
        1 => out.extend_from_slice(format!("+{}\r\n", rng.word(12)).as_bytes()),
        2 => {
            let code = ["ERR", "WRONGTYPE", "NOSCRIPT", "MOVED", "EXECABORT", "BUSY"][rng.below(6) as usize];
            out.extend_from_slice(format!("-{code} {}\r\n", rng.word(20)).as_bytes());
        }
        3 => out.extend_from_slice(format!(":{}\r\n", rng.next() as i64).as_bytes()),
        4 => {
            let data = rng.bytes(40);
            out.extend_from_slice(format!("${}\r\n", data.len()).as_bytes());
            out.extend_from_slice(&data);
            out.extend_from_slice(b"\r\n");
        }
        5 => out.extend_from_slice(if rng.below(2) == 0 { b"$-1\r\n" } else { b"*-1\r\n" }),
        6 => out.extend_from_slice(b"_\r\n"),
        7 => {
            let d = ["1.5", "-0.25", "inf", "-inf", "3", "1e300"][rng.below(6) as usize];
            out.extend_from_slice(format!(",{d}\r\n").as_bytes());
        }
        8 => out.extend_from_slice(if rng.below(2) == 0 { b"#t\r\n" } else { b"#f\r\n" }),
        9 => out.extend_from_slice(b"(3492890328409238509324850943850943825024385\r\n"),
        10 => {
            let body = format!("{}:{}", ["txt", "mkd", "raw"][rng.below(3) as usize], rng.word(15));
            out.extend_from_slice(format!("={}\r\n{body}\r\n", body.len()).as_bytes());
        }
        11 => {
            let body = format!("SYNTAX {}", rng.word(10));
            out.extend_from_slice(format!("!{}\r\n{body}\r\n", body.len()).as_bytes());
        }
        12 | 13 => {
            let n = rng.below(5);
            out.extend_from_slice(format!("{}{n}\r\n", if kind == 12 { '*' } else { '~' }).as_bytes());
            for _ in 0..n {
                reply(rng, depth + 1, out);
            }
        }
        14 => {
            let n = rng.below(4);
            out.extend_from_slice(format!("%{n}\r\n").as_bytes());
            for _ in 0..n * 2 {
                reply(rng, depth + 1, out);
            }
        }
        15 => {
            // A push, as tracking sends them (only at the top in practice).
            let key = rng.word(8);
            out.extend_from_slice(format!(">2\r\n$10\r\ninvalidate\r\n*1\r\n${}\r\n{key}\r\n", key.len()).as_bytes());
        }
        _ => {
            out.extend_from_slice(b"|1\r\n+key-popularity\r\n*1\r\n:7\r\n");
            reply(rng, depth + 1, out);
        }
    }
}

/// What the `redis` crate makes of each reply in `stream`, one by one.
fn reference(replies: &[Vec<u8>]) -> Vec<Value> {
    replies
        .iter()
        .map(|r| redis::parse_redis_value(r).expect("the reference parses a generated reply"))
        .collect()
}

/// Feeds `stream` in pieces cut where `cut` says; every reply taken.
fn decode_in_pieces(stream: &[u8], mut cut: impl FnMut(usize) -> usize) -> Vec<Value> {
    let mut decoder = Decoder::new();
    let mut values = Vec::new();
    let mut at = 0;
    while at < stream.len() {
        let n = cut(stream.len() - at).clamp(1, stream.len() - at);
        decoder.feed(&stream[at..at + n]);
        at += n;
        while let Some(v) = decoder.next_value().expect("a generated reply decodes") {
            values.push(v);
        }
    }
    assert_eq!(decoder.buffered(), 0, "bytes left over");
    values
}

#[test]
fn generated_replies_decode_as_the_redis_crate_parses_them_however_they_are_cut() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..400 {
        let replies: Vec<Vec<u8>> = (0..1 + rng.below(8))
            .map(|_| {
                let mut out = Vec::new();
                reply(&mut rng, 0, &mut out);
                out
            })
            .collect();
        let stream = replies.concat();
        let expected = reference(&replies);
        assert_eq!(
            decode_in_pieces(&stream, |left| left),
            expected,
            "round {round}: at once"
        );
        assert_eq!(
            decode_in_pieces(&stream, |_| 1),
            expected,
            "round {round}: a byte at a time"
        );
        let mut pieces = Rng(round + 1);
        assert_eq!(
            decode_in_pieces(&stream, |_| 1 + pieces.below(20) as usize),
            expected,
            "round {round}: random pieces"
        );
    }
}

#[test]
fn resp2_nils_ok_and_errors_keep_their_meaning() {
    let mut decoder = Decoder::new();
    decoder.feed(b"$-1\r\n*-1\r\n+OK\r\n-NOSCRIPT No matching script\r\n:-12\r\n");
    let values: Vec<Value> = std::iter::from_fn(|| decoder.next_value().unwrap()).collect();
    assert_eq!(values[0], Value::Nil);
    assert_eq!(values[1], Value::Nil);
    assert_eq!(values[2], Value::Okay);
    match &values[3] {
        Value::ServerError(e) => assert_eq!(e.code(), "NOSCRIPT"),
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(values[4], Value::Int(-12));
}

#[test]
fn a_large_reply_in_small_reads_is_scanned_once() {
    // 20,000 elements arriving 7 bytes at a time: rescanning from the start
    // at each read would be ~10^9 steps; the kept place makes it linear.
    let mut stream = b"*20000\r\n".to_vec();
    for i in 0..20_000 {
        let item = format!("member:{i}");
        stream.extend_from_slice(format!("${}\r\n{item}\r\n", item.len()).as_bytes());
    }
    let started = std::time::Instant::now();
    let values = decode_in_pieces(&stream, |_| 7);
    match &values[..] {
        [Value::Array(items)] => assert_eq!(items.len(), 20_000),
        other => panic!("expected one array, got {} values", other.len()),
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "decoding took {:?}",
        started.elapsed()
    );
}

#[test]
fn nesting_deeper_than_the_bound_is_refused_not_overflowed() {
    let mut decoder = Decoder::new();
    decoder.feed(&b"*1\r\n".repeat(MAX_DEPTH + 2));
    decoder.feed(b":1\r\n");
    assert!(decoder.next_value().is_err());
    let mut ok = Decoder::new();
    ok.feed(&b"*1\r\n".repeat(MAX_DEPTH - 1));
    ok.feed(b":1\r\n");
    assert!(ok.next_value().unwrap().is_some());
}

#[test]
fn garbage_is_an_error_never_a_panic() {
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let mut decoder = Decoder::new();
        let mut stream = Vec::new();
        // Often a valid prefix, then damage.
        if rng.below(2) == 0 {
            reply(&mut rng, 0, &mut stream);
            let keep = rng.below(stream.len() as u64 + 1) as usize;
            stream.truncate(keep);
        }
        stream.extend(rng.bytes(12));
        decoder.feed(&stream);
        for _ in 0..4 {
            match decoder.next_value() {
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => break,
            }
        }
    }
}

#[test]
fn a_huge_declared_length_waits_for_bytes_instead_of_allocating() {
    let mut decoder = Decoder::new();
    decoder.feed(b"$9999999999999\r\nabc");
    assert_eq!(decoder.next_value().unwrap(), None);
    let mut decoder = Decoder::new();
    decoder.feed(b"*9999999999999\r\n:1\r\n");
    assert_eq!(decoder.next_value().unwrap(), None);
}

#[test]
fn reads_go_straight_into_the_buffer() {
    let stream = b"+PONG\r\n$5\r\nhello\r\n".to_vec();
    let mut source = &stream[..];
    let mut decoder = Decoder::new();
    while decoder.read_from(&mut source).unwrap().0 > 0 {}
    assert_eq!(decoder.next_value().unwrap(), Some(Value::SimpleString("PONG".into())));
    assert_eq!(
        decoder.next_value().unwrap(),
        Some(Value::BulkString(b"hello".to_vec()))
    );
    assert_eq!(decoder.next_value().unwrap(), None);
}
