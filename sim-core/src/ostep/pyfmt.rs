//! Python formatting rules the tools' output depends on.
//!
//! `%.2f` and `%3d` on integers agree with Rust's `{:.2}` and `{:>3}` (both round
//! the exact binary value half-to-even), so only `str(float)` and `%d` of a float
//! need helpers.

/// Python `repr(float)` / `str(float)`: shortest round-trip digits, fixed notation
/// for decimal exponents -4..16, else `1e+16` style, always with a `.0` or exponent.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let sci = format!("{x:e}");
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (sci.clone(), 0),
    };
    if (-4..16).contains(&exp) {
        let fixed = format!("{x}");
        if fixed.contains('.') {
            fixed
        } else {
            format!("{fixed}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// Python `'%d' % x` for a float: truncation toward zero.
pub fn trunc(x: f64) -> i64 {
    x.trunc() as i64
}

/// Python `float(text)` for the decimal forms people type (whitespace and `_`
/// separators allowed); `None` for anything else.
pub fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let cleaned: String = t.chars().filter(|&c| c != '_').collect();
    let lower = cleaned.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if !matches!(body, "inf" | "infinity" | "nan")
        && !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-'))
    {
        return None;
    }
    cleaned.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_like_python() {
        assert_eq!(float_repr(100.0), "100.0");
        assert_eq!(float_repr(0.1), "0.1");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1.5e-7), "1.5e-07");
        assert_eq!(float_repr(123456789012345.6), "123456789012345.6");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(-0.0), "-0.0");
        assert_eq!(trunc(-2.7), -2);
        assert_eq!(parse_float(" 1_0.5 "), Some(10.5));
        assert_eq!(parse_float("abc"), None);
    }
}
