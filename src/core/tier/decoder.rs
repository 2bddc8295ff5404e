//! Redis replies (RESP2 and RESP3) decoded as their bytes arrive.
//!
//! This is the reading half of the transport of our own that the plan in
//! `docs/internals.md` ("The transport") calls for: the thread that reads the
//! socket — in the end the JS thread, polled by libuv — feeds whatever bytes
//! it got and takes every reply they complete, in order. A reply split over
//! many reads is never scanned twice: the scan keeps its place (an offset
//! and, per open aggregate, how many elements are still to come), so a large
//! reply arriving in many pieces costs one pass, not one per piece. Only a
//! complete reply is turned into a [`Value`], in one more pass.
//!
//! # Guarantees
//! - The values are those the `redis` crate's own parser gives for the same
//!   bytes (the rest of the tier is written against them); the tests compare
//!   the two on generated replies cut at every offset.
//! - Malformed input is an error, never a panic; after one the stream cannot
//!   be trusted and the connection is dropped by its owner.
//! - Nesting deeper than [`MAX_DEPTH`] is refused (a Lua script can return
//!   arbitrarily nested tables; the build recurses once per level). redis-rs,
//!   used before, refused past 100.

use redis::{Value, VerbatimFormat};

/// Nested aggregates allowed in one reply.
pub const MAX_DEPTH: usize = 128;
/// Bytes read at most per `read_from` (the buffer grows past it only for a
/// reply larger than it).
const READ_CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed reply from Redis: {}", self.0)
    }
}

fn bad(what: impl Into<String>) -> DecodeError {
    DecodeError(what.into())
}

/// One element's header, as far as the scan needs it.
enum Header {
    /// Complete once its line is: `+ - : _ , # (`.
    Line,
    /// A length-prefixed body follows: `$ ! =` (None: `$-1`, a nil).
    Blob(Option<usize>),
    /// That many elements follow: `* ~ >`, `%` (twice its count), `|` (twice
    /// its count, then the value it annotates).
    Aggregate(usize),
}

#[derive(Default)]
pub struct Decoder {
    /// Bytes read: `buf[start..end]` are not yet decoded. Kept at its full
    /// length (zeroed once) so reads go straight into it.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Where the scan of the reply at `start` has got to.
    scanned: usize,
    /// Per open aggregate of that reply, the elements still to come.
    open: Vec<usize>,
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes held that no complete reply has used yet.
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Appends `bytes` (for callers that read elsewhere).
    pub fn feed(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        self.buf[self.end..self.end + bytes.len()].copy_from_slice(bytes);
        self.end += bytes.len();
    }

    /// Reads once from `source` into the buffer: how many bytes came (0 is
    /// the end of the stream) and whether they filled the room offered (then
    /// more may be waiting).
    pub fn read_from<R: std::io::Read>(&mut self, source: &mut R) -> std::io::Result<(usize, bool)> {
        self.reserve(READ_CHUNK);
        let room = self.buf.len() - self.end;
        let n = source.read(&mut self.buf[self.end..])?;
        self.end += n;
        Ok((n, n == room))
    }

    /// Makes room for `more` bytes after `end`: first by moving the undecoded
    /// bytes to the front, then by growing.
    fn reserve(&mut self, more: usize) {
        if self.buf.len() - self.end >= more {
            return;
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.scanned -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < more {
            let wanted = (self.end + more).max(self.buf.len() * 2);
            self.buf.resize(wanted, 0);
        }
    }

    /// The next complete reply, or None until more bytes arrive.
    pub fn next_value(&mut self) -> Result<Option<Value>, DecodeError> {
        if !self.scan()? {
            return Ok(None);
        }
        let (value, end) = build(&self.buf[..self.scanned], self.start, 0)?;
        debug_assert_eq!(end, self.scanned);
        self.start = self.scanned;
        if self.start == self.end {
            // Everything used: start again at the front (no copy later).
            self.start = 0;
            self.end = 0;
            self.scanned = 0;
        }
        Ok(Some(value))
    }

    /// Advances the scan; true once the reply at `start` is complete (it then
    /// ends at `scanned`).
    fn scan(&mut self) -> Result<bool, DecodeError> {
        if self.start == self.end {
            return Ok(false);
        }
        loop {
            let bytes = &self.buf[..self.end];
            let Some((header, body)) = header(bytes, self.scanned)? else {
                return Ok(false);
            };
            let after = match header {
                Header::Line => body,
                Header::Blob(None) => body,
                Header::Blob(Some(len)) => {
                    let end = body
                        .checked_add(len)
                        .and_then(|e| e.checked_add(2))
                        .ok_or_else(|| bad("length"))?;
                    if end > bytes.len() {
                        return Ok(false);
                    }
                    end
                }
                Header::Aggregate(count) => {
                    self.scanned = body;
                    if count > 0 {
                        if self.open.len() >= MAX_DEPTH {
                            return Err(bad("nested too deeply"));
                        }
                        self.open.push(count);
                        continue;
                    }
                    body
                }
            };
            self.scanned = after;
            // One element done: close every aggregate it completes.
            loop {
                match self.open.last_mut() {
                    None => return Ok(true),
                    Some(left) if *left > 1 => {
                        *left -= 1;
                        break;
                    }
                    Some(_) => {
                        self.open.pop();
                    }
                }
            }
        }
    }
}

/// The line starting at `at` (without its CRLF) and where the next one starts.
fn line(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let rest = bytes.get(at..)?;
    let mut from = 0;
    loop {
        let cr = rest[from..].iter().position(|&b| b == b'\r')? + from;
        if rest.get(cr + 1) == Some(&b'\n') {
            return Some((&rest[..cr], at + cr + 2));
        }
        if cr + 1 >= rest.len() {
            return None;
        }
        from = cr + 1;
    }
}

fn number(digits: &[u8]) -> Result<i64, DecodeError> {
    std::str::from_utf8(digits)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("not a number: {:?}", String::from_utf8_lossy(digits))))
}

/// A count or length: negative ones are nils (RESP2's `$-1`, `*-1`).
fn length(digits: &[u8]) -> Result<Option<usize>, DecodeError> {
    let n = number(digits)?;
    Ok(usize::try_from(n).ok())
}

/// The header of the element at `at` and where its body starts, or None if
/// its line is not complete yet.
fn header(bytes: &[u8], at: usize) -> Result<Option<(Header, usize)>, DecodeError> {
    let Some(&kind) = bytes.get(at) else {
        return Ok(None);
    };
    let Some((text, body)) = line(bytes, at + 1) else {
        return Ok(None);
    };
    let header = match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Header::Line,
        b'$' | b'!' | b'=' => Header::Blob(length(text)?),
        b'*' | b'~' | b'>' => Header::Aggregate(length(text)?.unwrap_or(0)),
        b'%' | b'|' => {
            let pairs = length(text)?.unwrap_or(0);
            let elements = pairs.checked_mul(2).ok_or_else(|| bad("count"))?;
            Header::Aggregate(if kind == b'|' { elements + 1 } else { elements })
        }
        other => return Err(bad(format!("unknown type byte {other:#04x}"))),
    };
    Ok(Some((header, body)))
}

fn text(bytes: &[u8]) -> Result<String, DecodeError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| bad("text that is not UTF-8"))
}

/// Builds the complete element at `at`; returns it and where it ends.
fn build(bytes: &[u8], at: usize, depth: usize) -> Result<(Value, usize), DecodeError> {
    if depth > MAX_DEPTH {
        return Err(bad("nested too deeply"));
    }
    let kind = bytes[at];
    let (head, body) = line(bytes, at + 1).ok_or_else(|| bad("cut short"))?;
    let blob = |len: usize| -> Result<(&[u8], usize), DecodeError> {
        let end = body + len;
        match bytes.get(end..end + 2) {
            Some(b"\r\n") => Ok((&bytes[body..end], end + 2)),
            _ => Err(bad("a string without its CRLF")),
        }
    };
    let many = |count: usize| -> Result<(Vec<Value>, usize), DecodeError> {
        let mut items = Vec::with_capacity(count.min(4096));
        let mut next = body;
        for _ in 0..count {
            let (item, end) = build(bytes, next, depth + 1)?;
            items.push(item);
            next = end;
        }
        Ok((items, next))
    };
    Ok(match kind {
        b'+' if head == b"OK" => (Value::Okay, body),
        b'+' => (Value::SimpleString(text(head)?), body),
        b':' => (Value::Int(number(head)?), body),
        b'_' => (Value::Nil, body),
        b'#' => match head {
            b"t" => (Value::Boolean(true), body),
            b"f" => (Value::Boolean(false), body),
            _ => return Err(bad("a boolean that is neither t nor f")),
        },
        b',' => {
            let double = std::str::from_utf8(head)
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .ok_or_else(|| bad("a double that does not parse"))?;
            (Value::Double(double), body)
        }
        b'(' => (Value::BigNumber(head.to_vec()), body),
        b'$' => match length(head)? {
            None => (Value::Nil, body),
            Some(len) => {
                let (data, end) = blob(len)?;
                (Value::BulkString(data.to_vec()), end)
            }
        },
        b'=' => {
            let (data, end) = blob(length(head)?.ok_or_else(|| bad("a nil verbatim string"))?)?;
            let whole = text(data)?;
            let (format, rest) = whole
                .split_once(':')
                .ok_or_else(|| bad("a verbatim string without format"))?;
            let format = match format {
                "txt" => VerbatimFormat::Text,
                "mkd" => VerbatimFormat::Markdown,
                other => VerbatimFormat::Unknown(other.to_string()),
            };
            (
                Value::VerbatimString {
                    format,
                    text: rest.to_string(),
                },
                end,
            )
        }
        b'*' | b'~' => match length(head)? {
            None => (Value::Nil, body),
            Some(count) => {
                let (items, end) = many(count)?;
                (
                    if kind == b'*' {
                        Value::Array(items)
                    } else {
                        Value::Set(items)
                    },
                    end,
                )
            }
        },
        b'%' => {
            let (items, end) = many(length(head)?.unwrap_or(0) * 2)?;
            let mut pairs = Vec::with_capacity(items.len() / 2);
            let mut items = items.into_iter();
            while let (Some(k), Some(v)) = (items.next(), items.next()) {
                pairs.push((k, v));
            }
            (Value::Map(pairs), end)
        }
        // Errors, pushes and attributes: rare, and their values carry the
        // `redis` crate's own classifications (error kinds, push kinds),
        // which have no public constructors. The crate's parser builds them
        // from the element's bytes, so they are exactly what it would give.
        b'-' | b'!' | b'>' | b'|' => {
            let end = match kind {
                b'-' => body,
                b'!' => blob(length(head)?.ok_or_else(|| bad("a nil error"))?)?.1,
                b'>' => many(length(head)?.unwrap_or(0))?.1,
                _ => many(length(head)?.unwrap_or(0) * 2 + 1)?.1,
            };
            let value = redis::parse_redis_value(&bytes[at..end]).map_err(|e| bad(e.to_string()))?;
            (value, end)
        }
        other => return Err(bad(format!("unknown type byte {other:#04x}"))),
    })
}

#[cfg(test)]
#[path = "decoder_tests.rs"]
mod tests;
