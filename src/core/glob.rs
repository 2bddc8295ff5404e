//! Redis glob matching (`KEYS`, `SCAN … MATCH`), with exactly the semantics
//! of Redis's `stringmatchlen`: `*`, `?`, `[abc]`, `[^abc]`, `[a-z]`, `\`
//! escapes, and its corner cases (an unterminated class runs to the end of
//! the pattern; `[a-]` is the range `]`..`a`; range bounds compare as C's
//! `char`, which is signed on x86-64, where Redis mostly runs; an empty key
//! matches only the empty pattern and `*`).
//!
//! # Guarantees
//! - **Bounded cost.** A pattern is at most [`MAX_PATTERN_BYTES`] long and
//!   is compiled once into a bit-parallel automaton (one bit per pattern
//!   token, a `*` a self-loop), so matching a key of `n` bytes costs at most
//!   `n × ⌈(tokens + 1) / 64⌉` word operations, whatever the pattern:
//!   neither the exponential blow-up of naive backtracking (the KEYS pattern
//!   DoS, CVE-2022-36021) nor the `n × m` of Redis's own matcher
//!   (`*aaaa…b` against long keys). [`Glob::cost`] gives that bound to the
//!   callers that budget their work per call (SCAN).
//! - **Early exits.** A key stops being read once no state is alive (a
//!   literal prefix that differs) or once the end is reached before a
//!   trailing `*` (a prefix that matches).

use super::error::CommandError;

/// Longest pattern accepted, in bytes. Real patterns are a key prefix and a
/// `*` (`user:42:*`), escaped namespaces, a few classes: far shorter. 1 KiB
/// keeps a 64 KiB key's match near 17 words × 64 Ki bytes (~1 ms) in L1, and
/// bounds what a hostile pattern costs the Redis server it is sent to
/// (Redis's matcher is `pattern × key` in the worst case). Below 2,000 bytes
/// a pattern also never reaches Redis's recursion limit (1,000 nested `*`),
/// so L1 and Redis agree on every accepted pattern.
pub const MAX_PATTERN_BYTES: usize = 1024;

/// The set of bytes one pattern token accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct ByteSet([u64; 4]);

impl ByteSet {
    const EMPTY: ByteSet = ByteSet([0; 4]);
    const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    fn one(b: u8) -> Self {
        let mut s = Self::EMPTY;
        s.add(b);
        s
    }

    fn add(&mut self, b: u8) {
        self.0[(b >> 6) as usize] |= 1 << (b & 63);
    }

    fn contains(&self, b: u8) -> bool {
        self.0[(b >> 6) as usize] & (1 << (b & 63)) != 0
    }

    fn negated(self) -> Self {
        ByteSet(self.0.map(|w| !w))
    }
}

/// A compiled glob.
#[derive(Clone, Debug)]
pub struct Glob {
    /// 64-bit words per state set: states are 0..=tokens.
    words: usize,
    /// `accept[c * words + w]`: bit `j + 1` is set when token `j` accepts byte
    /// `c` (the step from state `j` to `j + 1`).
    accept: Box<[u64]>,
    /// Bit `j`: a `*` follows the first `j` tokens (state `j` loops on any byte).
    stars: Box<[u64]>,
    /// The accepting state (the number of tokens).
    last: usize,
    /// What an empty key gets: Redis matches it only with "" and "*".
    matches_empty: bool,
}

impl Glob {
    /// Compiles `pattern`; refuses one longer than [`MAX_PATTERN_BYTES`].
    pub fn new(pattern: &[u8]) -> Result<Self, CommandError> {
        if pattern.len() > MAX_PATTERN_BYTES {
            return Err(CommandError::PatternTooLong { max: MAX_PATTERN_BYTES });
        }
        let (tokens, star_after) = tokenize(pattern);
        let last = tokens.len();
        let words = (last + 1).div_ceil(64);
        let mut accept = vec![0u64; 256 * words].into_boxed_slice();
        for (j, set) in tokens.iter().enumerate() {
            let bit = j + 1;
            for c in 0..=255u8 {
                if set.contains(c) {
                    accept[c as usize * words + bit / 64] |= 1 << (bit % 64);
                }
            }
        }
        let mut stars = vec![0u64; words].into_boxed_slice();
        for (j, _) in star_after.iter().enumerate().filter(|(_, s)| **s) {
            stars[j / 64] |= 1 << (j % 64);
        }
        Ok(Glob {
            words,
            accept,
            stars,
            last,
            matches_empty: pattern.is_empty() || pattern == b"*",
        })
    }

    /// An upper bound of the work [`Glob::matches`] does on a key of
    /// `len` bytes, in word operations.
    pub fn cost(&self, len: usize) -> u64 {
        (len as u64).saturating_mul(self.words as u64)
    }

    /// Whether `text` matches.
    pub fn matches(&self, text: &[u8]) -> bool {
        if text.is_empty() {
            return self.matches_empty;
        }
        if self.words == 1 {
            self.matches_one_word(text)
        } else {
            self.matches_wide(text)
        }
    }

    fn state_bit(&self, state: usize) -> (usize, u64) {
        (state / 64, 1 << (state % 64))
    }

    /// Patterns of fewer than 64 tokens: the state set is one word.
    fn matches_one_word(&self, text: &[u8]) -> bool {
        let stars = self.stars[0];
        let end = 1u64 << self.last;
        let open_end = end & stars != 0;
        let mut d = 1u64;
        for &c in text {
            d = ((d << 1) & self.accept[c as usize]) | (d & stars);
            if d == 0 {
                return false;
            }
            if open_end && d & end != 0 {
                return true;
            }
        }
        d & end != 0
    }

    fn matches_wide(&self, text: &[u8]) -> bool {
        let w = self.words;
        let (end_word, end_bit) = self.state_bit(self.last);
        let open_end = self.stars[end_word] & end_bit != 0;
        let mut d = vec![0u64; w];
        d[0] = 1;
        for &c in text {
            let accept = &self.accept[c as usize * w..(c as usize + 1) * w];
            let mut carry = 0;
            let mut alive = 0;
            for ((state, &acc), &star) in d.iter_mut().zip(accept).zip(self.stars.iter()) {
                let x = *state;
                let next = (((x << 1) | carry) & acc) | (x & star);
                carry = x >> 63;
                *state = next;
                alive |= next;
            }
            if alive == 0 {
                return false;
            }
            if open_end && d[end_word] & end_bit != 0 {
                return true;
            }
        }
        d[end_word] & end_bit != 0
    }
}

/// The pattern as tokens (each accepts one byte) and, for each state
/// 0..=tokens, whether a `*` follows it. Mirrors `stringmatchlen`'s reading
/// of the pattern, which does not depend on the text.
fn tokenize(p: &[u8]) -> (Vec<ByteSet>, Vec<bool>) {
    let mut tokens = Vec::new();
    let mut star_after = vec![false];
    let mut i = 0;
    while i < p.len() {
        let token = match p[i] {
            b'*' => {
                star_after[tokens.len()] = true;
                i += 1;
                continue;
            }
            b'?' => {
                i += 1;
                ByteSet::ALL
            }
            b'[' => {
                let (set, next) = class(p, i + 1);
                i = next;
                set
            }
            // A trailing backslash is a literal one.
            b'\\' if p.len() - i >= 2 => {
                i += 2;
                ByteSet::one(p[i - 1])
            }
            literal => {
                i += 1;
                ByteSet::one(literal)
            }
        };
        tokens.push(token);
        star_after.push(false);
    }
    (tokens, star_after)
}

/// The bytes a class accepts, its body starting at `p[i]` (just after `[`),
/// and the index after it. Follows Redis's loop step by step, reading past
/// the end as C reads the string's terminating NUL.
fn class(p: &[u8], mut i: usize) -> (ByteSet, usize) {
    let at = |i: usize| p.get(i).copied().unwrap_or(0);
    let negate = at(i) == b'^';
    if negate {
        i += 1;
    }
    let mut set = ByteSet::EMPTY;
    loop {
        let left = p.len() - i;
        if at(i) == b'\\' && left >= 2 {
            i += 1;
            set.add(p[i]);
        } else if at(i) == b']' {
            break;
        } else if left == 0 {
            // Unterminated: the class ends with the pattern.
            i -= 1;
            break;
        } else if left >= 3 && p[i + 1] == b'-' {
            // Bounds compare as (signed) C chars, and may come in either order.
            let (a, b) = (p[i] as i8, p[i + 2] as i8);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            for c in 0..=255u8 {
                if (lo..=hi).contains(&(c as i8)) {
                    set.add(c);
                }
            }
            i += 2;
        } else {
            set.add(p[i]);
        }
        i += 1;
    }
    (if negate { set.negated() } else { set }, i + 1)
}

/// Whether `text` matches the Redis glob `pattern` (compiled for this one
/// call; a pattern too long matches nothing).
pub fn matches(pattern: &[u8], text: &[u8]) -> bool {
    Glob::new(pattern).is_ok_and(|g| g.matches(text))
}

/// Escapes the glob metacharacters of `literal`, so that it matches only
/// itself (the `keyPrefix` put before KEYS and SCAN patterns sent to Redis).
pub fn escape(literal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(literal.len());
    for &b in literal {
        if matches!(b, b'*' | b'?' | b'[' | b']' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn m(p: &str, s: &str) -> bool {
        matches(p.as_bytes(), s.as_bytes())
    }

    /// Redis's `stringmatchlen_impl` (src/util.c, Redis 7), transcribed line
    /// by line, recursion limit and `skipLongerMatches` included; the
    /// pattern and the string are NUL-terminated as in C. Exponential in
    /// the worst case: for small inputs only.
    fn redis_reference(pattern: &[u8], string: &[u8]) -> bool {
        fn at(s: &[u8], i: usize) -> u8 {
            s.get(i).copied().unwrap_or(0)
        }
        fn imp(p: &[u8], mut pi: usize, s: &[u8], mut si: usize, skip_longer: &mut bool, nesting: u32) -> bool {
            if nesting > 1000 {
                return false;
            }
            let (mut plen, mut slen) = (p.len() - pi, s.len() - si);
            while plen > 0 && slen > 0 {
                match p[pi] {
                    b'*' => {
                        while plen > 0 && at(p, pi + 1) == b'*' {
                            pi += 1;
                            plen -= 1;
                        }
                        if plen == 1 {
                            return true;
                        }
                        while slen > 0 {
                            if imp(p, pi + 1, s, si, skip_longer, nesting + 1) {
                                return true;
                            }
                            if *skip_longer {
                                return false;
                            }
                            si += 1;
                            slen -= 1;
                        }
                        *skip_longer = true;
                        return false;
                    }
                    b'?' => {
                        si += 1;
                        slen -= 1;
                    }
                    b'[' => {
                        pi += 1;
                        plen -= 1;
                        let not = at(p, pi) == b'^';
                        if not {
                            pi += 1;
                            plen -= 1;
                        }
                        let mut matched = false;
                        loop {
                            if at(p, pi) == b'\\' && plen >= 2 {
                                pi += 1;
                                plen -= 1;
                                if p[pi] == s[si] {
                                    matched = true;
                                }
                            } else if at(p, pi) == b']' {
                                break;
                            } else if plen == 0 {
                                pi -= 1;
                                plen += 1;
                                break;
                            } else if plen >= 3 && p[pi + 1] == b'-' {
                                let mut start = p[pi] as i8 as i32;
                                let mut end = p[pi + 2] as i8 as i32;
                                let c = s[si] as i8 as i32;
                                if start > end {
                                    std::mem::swap(&mut start, &mut end);
                                }
                                pi += 2;
                                plen -= 2;
                                if c >= start && c <= end {
                                    matched = true;
                                }
                            } else if p[pi] == s[si] {
                                matched = true;
                            }
                            pi += 1;
                            plen -= 1;
                        }
                        if not {
                            matched = !matched;
                        }
                        if !matched {
                            return false;
                        }
                        si += 1;
                        slen -= 1;
                    }
                    c => {
                        let c = if c == b'\\' && plen >= 2 {
                            pi += 1;
                            plen -= 1;
                            p[pi]
                        } else {
                            c
                        };
                        if c != s[si] {
                            return false;
                        }
                        si += 1;
                        slen -= 1;
                    }
                }
                pi += 1;
                plen -= 1;
                if slen == 0 {
                    while at(p, pi) == b'*' {
                        pi += 1;
                        plen -= 1;
                    }
                    break;
                }
            }
            plen == 0 && slen == 0
        }
        // KEYS and SCAN treat the pattern "*" as "every key".
        pattern == b"*" || imp(pattern, 0, string, 0, &mut false, 0)
    }

    /// A small deterministic generator (xorshift64*): no dependency, and a
    /// failure prints its seed.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick(&mut self, from: &[u8]) -> u8 {
            from[self.below(from.len() as u64) as usize]
        }
    }

    /// Pattern bytes: the metacharacters often, a small alphabet (so that
    /// matches happen), and now and then any byte (signed ranges, NUL).
    fn pattern_byte(r: &mut Rng) -> u8 {
        match r.below(10) {
            0..=3 => r.pick(b"*?[]^-\\"),
            4..=8 => r.pick(b"abc"),
            _ => r.below(256) as u8,
        }
    }

    fn text_byte(r: &mut Rng) -> u8 {
        match r.below(10) {
            0..=7 => r.pick(b"abc"),
            8 => r.pick(b"*?[]^-\\"),
            _ => r.below(256) as u8,
        }
    }

    #[test]
    fn agrees_with_redis_on_generated_patterns() {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        let mut matched = 0;
        for case in 0..200_000 {
            let plen = r.below(11) as usize;
            let slen = r.below(13) as usize;
            let p: Vec<u8> = (0..plen).map(|_| pattern_byte(&mut r)).collect();
            let s: Vec<u8> = (0..slen).map(|_| text_byte(&mut r)).collect();
            let want = redis_reference(&p, &s);
            matched += want as u32;
            assert_eq!(
                matches(&p, &s),
                want,
                "case {case}: pattern {:?} text {:?}",
                String::from_utf8_lossy(&p),
                String::from_utf8_lossy(&s)
            );
        }
        // The generator must exercise both answers.
        assert!(matched > 3_000, "{matched} matches");
    }

    #[test]
    fn agrees_with_redis_on_texts_derived_from_the_pattern() {
        // Texts built by expanding a pattern match far more often than
        // random ones: the accepting paths get tested too.
        let mut r = Rng(0x0123_4567_89ab_cdef);
        for case in 0..100_000 {
            let plen = 1 + r.below(12) as usize;
            let p: Vec<u8> = (0..plen).map(|_| pattern_byte(&mut r)).collect();
            let mut s = Vec::new();
            for &b in &p {
                match b {
                    b'*' => (0..r.below(3)).for_each(|_| s.push(text_byte(&mut r))),
                    b'?' | b'[' | b']' | b'^' | b'-' => s.push(text_byte(&mut r)),
                    b'\\' => {}
                    other => s.push(other),
                }
            }
            assert_eq!(
                matches(&p, &s),
                redis_reference(&p, &s),
                "case {case}: pattern {:?} text {:?}",
                String::from_utf8_lossy(&p),
                String::from_utf8_lossy(&s)
            );
        }
    }

    #[test]
    fn wide_patterns_agree_with_the_one_word_path() {
        // 70+ tokens take the multi-word path; the same pattern shortened
        // by a literal prefix that both texts share must answer alike.
        let mut r = Rng(42);
        for _ in 0..2_000 {
            let body: Vec<u8> = (0..r.below(8)).map(|_| pattern_byte(&mut r)).collect();
            let text: Vec<u8> = (0..r.below(10)).map(|_| text_byte(&mut r)).collect();
            let prefix = b"x".repeat(70);
            let mut wide = prefix.clone();
            wide.extend_from_slice(&body);
            let mut long_text = prefix.clone();
            long_text.extend_from_slice(&text);
            assert!(Glob::new(&wide).unwrap().words > 1);
            assert_eq!(
                matches(&wide, &long_text),
                redis_reference(&wide, &long_text),
                "{:?} / {:?}",
                String::from_utf8_lossy(&body),
                String::from_utf8_lossy(&text)
            );
        }
    }

    #[test]
    fn redis_documentation_examples() {
        // From the KEYS documentation.
        assert!(m("h?llo", "hello") && m("h?llo", "hallo") && m("h?llo", "hxllo"));
        assert!(m("h*llo", "hllo") && m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hello") && m("h[ae]llo", "hallo") && !m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo") && m("h[^e]llo", "hbllo") && !m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hallo") && m("h[a-b]llo", "hbllo") && !m("h[a-b]llo", "hcllo"));
    }

    #[test]
    fn stars_and_escapes() {
        assert!(m("*", "") && m("*", "anything"));
        assert!(m("a*b*c", "aXXbYYc") && !m("a*b*c", "aXXbYY"));
        assert!(m("user:\\*", "user:*") && !m("user:\\*", "user:1"));
        assert!(m("a\\?b", "a?b") && !m("a\\?b", "axb"));
        assert!(m("[z-a]", "m"), "reversed ranges work as in Redis");
        assert!(!m("abc", "ab") && !m("ab", "abc"));
        assert!(m("[\\]]", "]"));
    }

    #[test]
    fn redis_corner_cases() {
        // An empty key matches only "" and "*" (KEYS's special case), not "**".
        assert!(m("", "") && m("*", "") && !m("**", "") && !m("?", ""));
        // `[a-]` is the range ']'..'a' (Redis reads "a-]" as a range).
        assert!(m("[a-]", "^") && m("[a-]", "]") && !m("[a-]", "-"));
        // An unterminated class runs to the end of the pattern.
        assert!(m("[ab", "b") && !m("[ab", "ab") && !m("[", "x") && m("[^", "x"));
        // A trailing backslash is a literal backslash, in and out of classes.
        assert!(m("a\\", "a\\") && m("[\\", "\\"));
        // Range bounds are signed chars: 'a'..'\xC3' spans 0xC3..=0xFF and 0..='a'.
        assert!(matches(b"[a-\xC3]", b"\xFF") && matches(b"[a-\xC3]", b"0") && !matches(b"[a-\xC3]", b"b"));
    }

    #[test]
    fn escaped_literal_matches_only_itself() {
        for lit in ["a*b", "[x]", "q?", "back\\slash", "plain"] {
            let pat = escape(lit.as_bytes());
            assert!(matches(&pat, lit.as_bytes()), "{pat:?} should match {lit}");
            assert!(!matches(&pat, format!("{lit}x").as_bytes()));
        }
        assert!(!matches(&escape(b"a*"), b"abc"));
    }

    #[test]
    fn patterns_longer_than_the_limit_are_refused() {
        assert!(Glob::new(&[b'a'; MAX_PATTERN_BYTES]).is_ok());
        assert_eq!(
            Glob::new(&[b'a'; MAX_PATTERN_BYTES + 1]).err(),
            Some(CommandError::PatternTooLong { max: MAX_PATTERN_BYTES })
        );
    }

    #[test]
    fn pathological_patterns_cost_what_the_bound_says() {
        // Forty `a`s cannot fit in thirty: false (a naive recursive matcher
        // takes exponential time here).
        assert!(!m(&"*a".repeat(40), &"a".repeat(30)));
        assert!(m(&"*a".repeat(40), &"a".repeat(40)));
        // The attack on Redis's n × m matcher: the longest pattern of `a`s
        // ending in `b`, against 64 KiB of `a`. 17 words × 64 Ki bytes.
        let mut p = vec![b'*'];
        p.extend(std::iter::repeat_n(b'a', MAX_PATTERN_BYTES - 2));
        p.push(b'b');
        let g = Glob::new(&p).unwrap();
        let text = vec![b'a'; 64 * 1024];
        let t = Instant::now();
        for _ in 0..10 {
            assert!(!g.matches(&text));
        }
        // ~1 ms each in release, a few in a debug build: far from the
        // seconds of a quadratic matcher (1 Gi byte comparisons).
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        assert_eq!(g.cost(text.len()), 64 * 1024 * 16);
    }
}
