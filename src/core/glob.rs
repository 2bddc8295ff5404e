//! Redis glob matching (`KEYS`/`SCAN MATCH`), with the semantics of Redis's
//! `stringmatchlen`: `*`, `?`, `[abc]`, `[^abc]`, `[a-z]` and `\` escapes.

/// Whether `text` matches the Redis glob `pattern`.
///
/// Iterative matching with one backtrack point (the last `*`), so the cost is
/// O(pattern × text) whatever the pattern: a hostile `*a*a*a…` pattern cannot
/// make it exponential (the KEYS pattern DoS of CVE-2022-36021).
pub fn matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after it, text index it absorbed up to).
    let mut resume: Option<(usize, usize)> = None;
    while ti < text.len() {
        if pi < pattern.len() {
            if pattern[pi] == b'*' {
                pi += 1;
                resume = Some((pi, ti));
                continue;
            }
            if let Some(next) = match_one(pattern, pi, text[ti]) {
                pi = next;
                ti += 1;
                continue;
            }
        }
        match resume {
            Some((rp, rt)) => {
                pi = rp;
                ti = rt + 1;
                resume = Some((rp, rt + 1));
            }
            None => return false,
        }
    }
    while pi < pattern.len() && pattern[pi] == b'*' {
        pi += 1;
    }
    pi == pattern.len()
}

/// Matches one text byte against the single-byte token at `pattern[pi]`
/// (`?`, a class, an escape or a literal). Returns the index after the token.
fn match_one(pattern: &[u8], pi: usize, c: u8) -> Option<usize> {
    match pattern[pi] {
        b'?' => Some(pi + 1),
        b'[' => {
            let (matched, rest) = match_class(&pattern[pi + 1..], c);
            matched.then(|| pattern.len() - rest.len())
        }
        b'\\' if pi + 1 < pattern.len() => (pattern[pi + 1] == c).then_some(pi + 2),
        literal => (literal == c).then_some(pi + 1),
    }
}

/// Matches `c` against a class whose body starts at `p` (just after `[`).
/// Returns whether it matched and the pattern after the closing `]`.
fn match_class(mut p: &[u8], c: u8) -> (bool, &[u8]) {
    let negate = p.first() == Some(&b'^');
    if negate {
        p = &p[1..];
    }
    let mut matched = false;
    loop {
        match p {
            [] => break, // unterminated class: Redis treats the end as `]`
            [b']', rest @ ..] => {
                p = rest;
                break;
            }
            [b'\\', esc, rest @ ..] => {
                if *esc == c {
                    matched = true;
                }
                p = rest;
            }
            [lo, b'-', hi, rest @ ..] if *hi != b']' => {
                let (lo, hi) = if lo <= hi { (*lo, *hi) } else { (*hi, *lo) };
                if (lo..=hi).contains(&c) {
                    matched = true;
                }
                p = rest;
            }
            [one, rest @ ..] => {
                if *one == c {
                    matched = true;
                }
                p = rest;
            }
        }
    }
    (matched != negate, p)
}

/// Escapes the glob metacharacters of `literal`, so that it matches only itself.
pub fn escape(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    for ch in literal.chars() {
        if matches!(ch, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        matches(p.as_bytes(), s.as_bytes())
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
    fn escaped_literal_matches_only_itself() {
        for lit in ["a*b", "[x]", "q?", "back\\slash", "plain"] {
            let pat = escape(lit);
            assert!(m(&pat, lit), "{pat} should match {lit}");
            assert!(!m(&pat, &format!("{lit}x")));
        }
        assert!(!m(&escape("a*"), "abc"));
    }

    #[test]
    fn pathological_pattern_terminates() {
        let p = "*a".repeat(40);
        let s = "a".repeat(30);
        // Forty `a`s cannot fit in thirty: false, and quickly (a naive
        // recursive matcher takes exponential time here).
        assert!(!m(&p, &s));
        assert!(m(&p, &"a".repeat(40)));
    }
}
