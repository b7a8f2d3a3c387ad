//! Numbers as fixed-point decimal text (`12.34`): what the page shows and
//! writes into attributes. Rounded through an integer, so core's float
//! formatting (Grisu and Dragon4, ~8 KB of wasm) stays out of the first load.

/// `x` with `places` digits after the point, rounded half away from zero
/// (`{:.N}` rounds exact halves to even: the two differ only there).
/// Magnitudes beyond 2^64 / 10^places saturate (u64 keeps 128-bit
/// division out of the wasm too); NaN and infinities are
/// spelt as Rust spells them.
pub fn fixed(x: f64, places: u32) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let scale = 10u64.pow(places.min(18));
    let n = (x.abs() * scale as f64).round() as u64;
    let mut s = String::new();
    if x < 0.0 && n > 0 {
        s.push('-');
    }
    s.push_str(&(n / scale).to_string());
    if places > 0 {
        let frac = (n % scale).to_string();
        s.push('.');
        s.extend(std::iter::repeat_n('0', places as usize - frac.len()));
        s.push_str(&frac);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::fixed;

    #[test]
    fn fixed_point_text_matches_rusts_own_away_from_exact_halves() {
        for &x in &[
            0.0,
            1.0,
            -1.0,
            0.004,
            0.005_1,
            2.675_01,
            12.345_678,
            -0.333_3,
            999.996,
            1e9 + 0.3,
            86.0,
            120.553_79,
            0.987_654_321,
            3.0e12,
        ] {
            for places in 0..=6 {
                let ours = fixed(x, places);
                let rust = format!("{x:.*}", places as usize);
                // Rust keeps the sign of a negative rounded to zero ("-0.00").
                let rust = match rust.strip_prefix('-') {
                    Some(r) if r.chars().all(|c| c == '0' || c == '.') => r.to_string(),
                    _ => rust,
                };
                assert_eq!(ours, rust, "{x} to {places}");
            }
        }
        assert_eq!(fixed(-0.004, 2), "0.00");
        // An exact half rounds away from zero (Rust rounds it to even).
        assert_eq!(fixed(0.125, 2), "0.13");
        assert_eq!(fixed(f64::NAN, 1), "NaN");
        assert_eq!(fixed(f64::INFINITY, 1), "inf");
        assert_eq!(fixed(f64::NEG_INFINITY, 0), "-inf");
        assert_eq!(fixed(1e300, 0), u64::MAX.to_string());
    }
}
