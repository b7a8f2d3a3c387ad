//! Base64 (RFC 4648): the standard alphabet with `=` padding (§4) for ELF
//! programs carried in scenario JSON, and base64url without padding (§5) for
//! share links (`link.rs`), through one encoder and one digit accumulator.
//! Decoding standard base64 ignores ASCII whitespace (line-wrapped output of
//! `base64 prog.elf` pastes as is) and reports the first bad character by its
//! 1-based position.

/// Which 64 characters stand for the digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alphabet {
    /// `+` and `/` (§4).
    Standard,
    /// `-` and `_` (§5), safe in URLs.
    Url,
}

impl Alphabet {
    fn chars(self) -> &'static [u8; 64] {
        match self {
            Alphabet::Standard => {
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            }
            Alphabet::Url => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        }
    }

    /// The value of digit `c`, if it is one.
    pub(crate) fn digit(self, c: char) -> Option<u32> {
        let (d62, d63) = match self {
            Alphabet::Standard => ('+', '/'),
            Alphabet::Url => ('-', '_'),
        };
        Some(match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            _ if c == d62 => 62,
            _ if c == d63 => 63,
            _ => return None,
        })
    }
}

/// Appends `bytes` to `out`, padded with `=` to whole groups of 4 or not.
pub(crate) fn encode_into(bytes: &[u8], alphabet: Alphabet, pad: bool, out: &mut String) {
    let chars = alphabet.chars();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(chars[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
}

/// Bytes from 6-bit digits, in order.
#[derive(Default)]
pub(crate) struct Digits {
    acc: u32,
    bits: u32,
    pub count: usize,
    pub bytes: Vec<u8>,
}

impl Digits {
    pub(crate) fn push(&mut self, v: u32) {
        self.acc = (self.acc << 6 | v) & 0xffff;
        self.bits += 6;
        self.count += 1;
        if self.bits >= 8 {
            self.bits -= 8;
            self.bytes.push((self.acc >> self.bits) as u8);
        }
    }

    /// A last group of one digit holds no whole byte: the text was cut.
    pub(crate) fn complete(&self) -> bool {
        self.count % 4 != 1
    }
}

/// Encodes with padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    encode_into(bytes, Alphabet::Standard, true, &mut out);
    out
}

/// Decodes; the error says which character (1-based) is wrong and why.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let mut digits = Digits::default();
    let mut pad = 0usize;
    for (i, c) in text.chars().enumerate() {
        let v = match Alphabet::Standard.digit(c) {
            Some(v) => v,
            None if c == '=' && digits.count % 4 >= 2 && pad < 2 => {
                pad += 1;
                continue;
            }
            None if c.is_ascii_whitespace() => continue,
            None => return Err(format!("character {} ({c:?}) is not base64", i + 1)),
        };
        if pad > 0 {
            return Err(format!("character {} follows the padding", i + 1));
        }
        digits.push(v);
    }
    if !digits.complete() {
        return Err(format!(
            "{} base64 digits: the last group is incomplete",
            digits.count
        ));
    }
    Ok(digits.bytes)
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
