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

/// Redis refuses float texts this long (`MAX_LONG_DOUBLE_CHARS`).
const MAX_FLOAT_TEXT: usize = 5 * 1024;

/// Decimal exponents beyond which an x87 `long double` overflows or
/// underflows to zero (LDBL_MAX ≈ 1.19e4932; the smallest subnormal is
/// ≈ 3.65e-4951 and anything under half of it rounds to zero).
const LDBL_MAX_DECIMAL_EXPONENT: i64 = 4932;
const LDBL_MIN_DECIMAL_EXPONENT: i64 = -4951;
/// The significant digits of LDBL_MAX (1.18973149535723176502e4932) and of
/// half the smallest subnormal (1.82259976594123730126e-4951), for values
/// at those exponents.
const LDBL_MAX_DIGITS: &[u8] = b"118973149535723176502";
const LDBL_HALF_TRUE_MIN_DIGITS: &[u8] = b"182259976594123730126";

/// Whether the digit string `a` is greater than `b`, both read as 0.ddd…
fn digits_exceed(a: &[u8], b: &[u8]) -> bool {
    let digit = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(b'0');
    for i in 0..a.len().max(b.len()) {
        match digit(a, i).cmp(&digit(b, i)) {
            std::cmp::Ordering::Equal => continue,
            ordering => return ordering == std::cmp::Ordering::Greater,
        }
    }
    false
}

/// Parses `bytes` as Redis's `string2ld` reads an INCRBYFLOAT increment or
/// stored value (glibc `strtold` on the bytes as a C string, then checks):
///
/// - refused: empty, 5 KiB or longer, a leading space (`isspace`), any text
///   `strtold` leaves unread (a trailing space, `1e`, `0b1`, `1_0`), NaN in
///   any spelling, and values a `long double` cannot hold (overflow, or an
///   underflow to zero);
/// - accepted: an optional `+` or `-`, decimal (`5`, `5.`, `.5`, `1e3`,
///   `1E+3`), hexadecimal (`0x10`, `0x1.8p1`), `inf` / `infinity` in any
///   case; and all of the text must be read (Redis checks the length, so a
///   NUL byte inside is refused too).
///
/// Returns the value as an f64: a value a `long double` holds but an f64
/// does not comes back infinite (INCRBYFLOAT then answers "increment would
/// produce NaN or Infinity" where Redis would compute it), and `inf` comes
/// back infinite as in Redis.
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    if bytes.is_empty() || bytes.len() >= MAX_FLOAT_TEXT {
        return None;
    }
    let text = bytes;
    let first = text[0];
    if matches!(first, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
        return None;
    }
    let (negative, body) = match first {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
        f64::INFINITY
    } else if body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'x' {
        parse_hex(&body[2..])?
    } else {
        parse_decimal(body)?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// A decimal `digits[.digits][e[+-]digits]` with at least one digit, read
/// wholly; None when malformed or out of `long double` range.
fn parse_decimal(body: &[u8]) -> Option<f64> {
    let mut i = 0;
    let mut digits = 0usize;
    // Position (in digits) of the first non-zero digit, and how many digits precede the point.
    let mut first_nonzero: Option<i64> = None;
    let mut before_point = 0i64;
    let mut seen_point = false;
    while i < body.len() {
        match body[i] {
            b'0'..=b'9' => {
                if body[i] != b'0' && first_nonzero.is_none() {
                    first_nonzero = Some(digits as i64);
                }
                digits += 1;
                if !seen_point {
                    before_point += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    let mut exponent = 0i64;
    if i < body.len() {
        if body[i] | 0x20 != b'e' {
            return None;
        }
        exponent = parse_exponent(&body[i + 1..])?;
    }
    // Zero in any spelling is exact: no range error.
    let Some(lead) = first_nonzero else {
        return Some(0.0);
    };
    // The decimal exponent of the leading digit: value ≈ d.ddd × 10^magnitude.
    let magnitude = exponent.saturating_add(before_point - lead - 1);
    if !(LDBL_MIN_DECIMAL_EXPONENT..=LDBL_MAX_DECIMAL_EXPONENT).contains(&magnitude) {
        return None;
    }
    if magnitude == LDBL_MAX_DECIMAL_EXPONENT || magnitude == LDBL_MIN_DECIMAL_EXPONENT {
        let significant: Vec<u8> = body[..i]
            .iter()
            .copied()
            .filter(u8::is_ascii_digit)
            .skip_while(|&d| d == b'0')
            .collect();
        let out_of_range = if magnitude == LDBL_MAX_DECIMAL_EXPONENT {
            digits_exceed(&significant, LDBL_MAX_DIGITS)
        } else {
            !digits_exceed(&significant, LDBL_HALF_TRUE_MIN_DIGITS)
        };
        if out_of_range {
            return None;
        }
    }
    // Rust reads every form above; only the magnitude is taken from it.
    let text = std::str::from_utf8(body).ok()?;
    text.parse::<f64>().ok().map(f64::abs)
}

/// `[+-]digits`, wholly; saturates far beyond any representable exponent.
fn parse_exponent(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut e = 0i64;
    for &d in digits {
        e = (e * 10 + i64::from(d - b'0')).min(1 << 40);
    }
    Some(if negative { -e } else { e })
}

/// A C99 hexadecimal float after `0x`: `hex[.hex][p[+-]digits]` with at
/// least one hex digit, read wholly; None when malformed or out of range.
fn parse_hex(body: &[u8]) -> Option<f64> {
    let mut i = 0;
    let mut mantissa = 0u64;
    let mut digits = 0usize;
    // Binary exponent adjustment: fraction digits, and digits dropped past 60 bits.
    let mut shift = 0i64;
    let mut seen_point = false;
    while i < body.len() {
        let b = body[i];
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            b'.' if !seen_point => {
                seen_point = true;
                i += 1;
                continue;
            }
            _ => break,
        };
        digits += 1;
        if mantissa >> 56 == 0 {
            mantissa = mantissa * 16 + u64::from(d);
            if seen_point {
                shift -= 4;
            }
        } else if !seen_point {
            shift += 4;
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    let mut exponent = 0i64;
    if i < body.len() {
        if body[i] | 0x20 != b'p' {
            return None;
        }
        exponent = parse_exponent(&body[i + 1..])?;
    }
    if mantissa == 0 {
        return Some(0.0);
    }
    // value = mantissa × 2^e2, whose leading bit is at 2^(e2 + bits - 1).
    let e2 = exponent.saturating_add(shift);
    let top = e2 + i64::from(64 - mantissa.leading_zeros()) - 1;
    // long double: largest exponent 16383, smallest subnormal 2^-16445.
    if !(-16446..=16383).contains(&top) {
        return None;
    }
    let mut v = mantissa as f64;
    let mut e = e2;
    // Scale in steps that stay finite and normal as long as the result is.
    while e > 0 {
        let step = e.min(1000);
        v *= 2f64.powi(step as i32);
        e -= step;
    }
    while e < 0 {
        let step = (-e).min(1000);
        v /= 2f64.powi(step as i32);
        e += step;
    }
    Some(v)
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
    let mut s = round_fraction(format!("{v}"), REDIS_FRACTION_DIGITS);
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

/// Redis prints with `%.17Lf`: at most 17 digits after the point, so a
/// result under 5e-18 reads "0".
const REDIS_FRACTION_DIGITS: usize = 17;

/// `text` (plain decimal, as `{}` prints an f64) rounded half-up to
/// `digits` places after the point.
fn round_fraction(text: String, digits: usize) -> String {
    let Some(point) = text.find('.') else {
        return text;
    };
    if text.len() - point - 1 <= digits {
        return text;
    }
    let round_up = text.as_bytes()[point + 1 + digits] >= b'5';
    let mut kept: Vec<u8> = text.as_bytes()[..point + 1 + digits].to_vec();
    if round_up {
        let mut i = kept.len();
        loop {
            if i == 0 || !kept[i - 1].is_ascii_digit() && kept[i - 1] != b'.' {
                // Carried past the first digit (9.99… → 10.0…): a new leading 1.
                kept.insert(i, b'1');
                break;
            }
            i -= 1;
            match kept[i] {
                b'.' => continue,
                b'9' => kept[i] = b'0',
                d => {
                    kept[i] = d + 1;
                    break;
                }
            }
        }
    }
    String::from_utf8(kept).unwrap_or_default()
}

fn round_away_binary_noise(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    if !rounded.is_finite() {
        // Near f64::MAX the rounding itself overflows: keep the exact value.
        return v;
    }
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
    fn floats_follow_strtold() {
        for (text, v) in [
            (&b"+5"[..], 5.0),
            (b"-5", -5.0),
            (b"5.", 5.0),
            (b".5", 0.5),
            (b"-.5e1", -5.0),
            (b"1E+3", 1000.0),
            (b"0x10", 16.0),
            (b"0X1.8p1", 3.0),
            (b"-0x.8", -0.5),
            (b"0x1p-2", 0.25),
            (b"007", 7.0),
            (b"0e99999", 0.0),
            (b"1e-400", 0.0),
            (b"1.9e-4951", 0.0),
        ] {
            assert_eq!(parse_f64(text), Some(v), "{:?}", std::str::from_utf8(text));
        }
        assert_eq!(parse_f64(b"-0").map(f64::is_sign_negative), Some(true));
        for inf in [
            &b"inf"[..],
            b"1.18e4932",
            b"-INF",
            b"Infinity",
            b"+iNfInItY",
            b"1e400",
            b"0x1p2000",
        ] {
            assert!(
                parse_f64(inf).is_some_and(f64::is_infinite),
                "{:?}",
                std::str::from_utf8(inf)
            );
        }
        for bad in [
            &b"\t5"[..],
            b"\x0b5",
            b"5\n",
            b"+",
            b"-",
            b".",
            b"e5",
            b"1e",
            b"1e+",
            b"0x",
            b"0xg",
            b"0x1p",
            b"0b101",
            b"0o7",
            b"1_000",
            b"infinit",
            b"infx",
            b"NaN",
            b"-nan",
            b"nan(1)",
            b"1e5000",
            b"1e-5000",
            b".8e4933",
            b"1.19e4932",
            b"1.8e-4951",
            b"1e-4952",
            b"0x1p20000",
            b"0x1p-20000",
            b"+-5",
            b"--5",
            b"5\0",
            b"\0",
            b"\x005",
        ] {
            assert_eq!(parse_f64(bad), None, "{:?}", std::str::from_utf8(bad));
        }
        assert_eq!(parse_f64(&vec![b'1'; 5 * 1024]), None, "5 KiB is too long");
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
        // %.17Lf: 17 places after the point at most.
        assert_eq!(format_f64(-5e-324), "0");
        assert!(
            format_f64(f64::MAX).starts_with("17976931348623157"),
            "never rounded to infinity"
        );
        assert_eq!(format_f64(4e-18), "0");
        assert_eq!(format_f64(6e-18), "0.00000000000000001");
        assert_eq!(format_f64(-0.999_999_999_999_999_999), "-1");
        assert_eq!(format_f64(1.5e-10), "0.00000000015");
    }
}
