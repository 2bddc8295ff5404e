//! Redis's number rules for INCR-family commands: which stored strings count as
//! integers or floats, and how results are written back.

/// Parses `bytes` as Redis's `string2ll` does: optional `-`, no `+`, no
/// spaces, no leading zeros, within i64.
pub fn parse_i64(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || bytes.len() > 20 {
        return None;
    }
    let (negative, digits) = match bytes[0] {
        b'-' => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if digits.len() > 1 && digits[0] == b'0' {
        return None;
    }
    if negative && digits == b"0" {
        return None; // Redis rejects "-0"
    }
    let text = std::str::from_utf8(bytes).ok()?;
    text.parse::<i64>().ok()
}

/// Parses `bytes` as Redis's INCRBYFLOAT reads a stored value or increment:
/// a finite decimal or exponent form with no surrounding spaces.
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    if bytes.is_empty() || bytes[0].is_ascii_whitespace() || bytes[bytes.len() - 1].is_ascii_whitespace() {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let lower = text.to_ascii_lowercase();
    if lower.contains("nan") {
        return None;
    }
    text.parse::<f64>().ok()
}

/// Writes a float result as Redis does for INCRBYFLOAT: plain decimal
/// notation, no exponent, no trailing zeros (`10.5` + `0.1` gives `"10.6"`).
///
/// Redis adds in x87 long double and prints 17 digits of that, so the f64
/// noise of decimal sums never shows (`0.1` + `0.2` gives `"0.3"`). The same
/// answer comes from rounding to 15 significant digits when that moves the
/// f64 by at most a few units in the last place, and the exact value otherwise.
pub fn format_f64(v: f64) -> String {
    let v = round_away_binary_noise(v);
    let mut s = format!("{v}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

fn round_away_binary_noise(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    let ulp = f64::from_bits(v.abs().to_bits() + 1) - v.abs();
    if (rounded - v).abs() <= 4.0 * ulp {
        rounded
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_string2ll() {
        assert_eq!(parse_i64(b"10"), Some(10));
        assert_eq!(parse_i64(b"-5"), Some(-5));
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b"+1",
            b"01",
            b"-0",
            b"1.0",
            b"9223372036854775808",
            b"abc",
            b"-",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }

    #[test]
    fn floats_follow_incrbyfloat() {
        assert_eq!(parse_f64(b"10.50"), Some(10.5));
        assert_eq!(parse_f64(b"5.0e3"), Some(5000.0));
        assert_eq!(parse_f64(b"3"), Some(3.0));
        for bad in [&b""[..], b" 1", b"1 ", b"nan", b"abc", b"1.2.3"] {
            assert_eq!(parse_f64(bad), None);
        }
    }

    #[test]
    fn float_results_look_like_redis() {
        // INCRBYFLOAT documentation: 10.50 + 0.1 = "10.6"; 5.0e3 + 2.0e2 = "5200".
        assert_eq!(format_f64(10.5 + 0.1), "10.6");
        assert_eq!(format_f64(5.0e3 + 2.0e2), "5200");
        assert_eq!(format_f64(3.0), "3");
        assert_eq!(format_f64(-0.0), "0");
        assert_eq!(format_f64(1e20), "100000000000000000000");
        assert_eq!(format_f64(0.1 + 0.2), "0.3");
        assert_eq!(format_f64(1.0 / 3.0), "0.3333333333333333", "real precision is kept");
    }
}
