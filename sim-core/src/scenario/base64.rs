//! Standard base64 (RFC 4648 §4, with `=` padding) for ELF programs carried
//! in scenario JSON. Decoding ignores ASCII whitespace (line-wrapped output
//! of `base64 prog.elf` pastes as is) and reports the first bad character by
//! its 1-based position.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes with padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes; the error says which character (1-based) is wrong and why.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits, mut count, mut pad) = (0u32, 0u32, 0usize, 0usize);
    for (i, c) in text.chars().enumerate() {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '+' => 62,
            '/' => 63,
            '=' if count % 4 >= 2 && pad < 2 => {
                pad += 1;
                continue;
            }
            c if c.is_ascii_whitespace() => continue,
            _ => return Err(format!("character {} ({c:?}) is not base64", i + 1)),
        };
        if pad > 0 {
            return Err(format!("character {} follows the padding", i + 1));
        }
        acc = (acc << 6 | v) & 0xffff;
        bits += 6;
        count += 1;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if count % 4 == 1 {
        return Err(format!(
            "{count} base64 digits: the last group is incomplete"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..40 {
            assert_eq!(decode(&encode(&data[..n])).unwrap(), &data[..n]);
        }
        assert_eq!(encode(b"ELF"), "RUxG");
        assert_eq!(encode(b"\x7fE"), "f0U=");
        assert_eq!(decode("f0U=\n").unwrap(), b"\x7fE");
        assert_eq!(decode("RUxG\nRUxG").unwrap(), b"ELFELF");
    }

    #[test]
    fn errors_name_the_character() {
        assert_eq!(
            decode("RU*G").unwrap_err(),
            "character 3 ('*') is not base64"
        );
        assert!(decode("RUxGR").unwrap_err().contains("incomplete"));
        assert!(decode("f0U=A").unwrap_err().contains("follows the padding"));
        assert!(decode("=").is_err());
    }
}
