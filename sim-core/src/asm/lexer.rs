//! Lexer: source text to located tokens, one token list per statement.
//!
//! GNU as rules implemented here: `#` starts a comment to end of line, `/* */` may span
//! lines, `;` separates statements on one line, `%name` is a register, `1b`/`1f` refer to
//! local numeric labels, `'c` (and `'c'`) is a character constant.

use super::error::AsmError;

/// Punctuation and operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Punct {
    Dollar,
    LParen,
    RParen,
    Comma,
    Colon,
    Star,
    Plus,
    Minus,
    Slash,
    Percent,
    Shl,
    Shr,
    Amp,
    Pipe,
    Caret,
    Tilde,
    Eq,
    Bang,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    Ident(String),
    /// Register name without the `%`, lower-cased.
    Reg(String),
    Num(i64),
    Str(Vec<u8>),
    /// `1b` (forward = false) or `1f` (forward = true).
    LocalRef {
        label: u64,
        forward: bool,
    },
    Punct(Punct),
}

/// A token and its 1-based column (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub col: u32,
}

/// The tokens of one statement (text between `;` separators on one line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub line: u32,
    pub tokens: Vec<Token>,
}

/// Replaces `/* ... */` comments by spaces, keeping newlines so line numbers stay right.
pub(super) fn strip_block_comments(src: &str, errors: &mut Vec<AsmError>) -> Vec<char> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    let mut in_str = false;
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            if c == '\\' && i + 1 < chars.len() && chars[i + 1] != '\n' {
                out.push(c);
                out.push(chars[i + 1]);
                i += 2;
                col += 2;
                continue;
            }
            if c == '"' || c == '\n' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        } else if c == '#' || (c == '\'' && i + 1 < chars.len() && chars[i + 1] != '\n') {
            // A line comment, or a character constant whose char must not open a comment.
            let stop = if c == '#' { '\n' } else { '\0' };
            if c == '#' {
                while i < chars.len() && chars[i] != stop {
                    out.push(chars[i]);
                    i += 1;
                }
                continue;
            }
            out.push(c);
            out.push(chars[i + 1]);
            i += 2;
            col += 2;
            continue;
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let (start_line, start_col) = (line, col);
            i += 2;
            out.push(' ');
            out.push(' ');
            let mut closed = false;
            while i < chars.len() {
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    out.push(' ');
                    out.push(' ');
                    i += 2;
                    col += 2;
                    closed = true;
                    break;
                }
                if chars[i] == '\n' {
                    out.push('\n');
                    line += 1;
                    col = 1;
                } else {
                    out.push(' ');
                    col += 1;
                }
                i += 1;
            }
            if !closed {
                errors.push(AsmError::new(
                    start_line,
                    start_col,
                    "unterminated /* comment",
                ));
            }
            continue;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Splits the source into statements. Lexical errors are collected; the offending
/// statement is dropped so later passes do not report follow-on errors for it.
pub fn lex(src: &str, errors: &mut Vec<AsmError>) -> Vec<Statement> {
    let chars = strip_block_comments(src, errors);
    let mut stmts = Vec::new();
    for (idx, line) in chars.split(|&c| c == '\n').enumerate() {
        let line_no = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        lex_line(line, line_no, &mut stmts, errors);
    }
    stmts
}

fn lex_line(chars: &[char], line: u32, out: &mut Vec<Statement>, errors: &mut Vec<AsmError>) {
    let mut cur = Vec::new();
    let mut bad = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if c == '#' {
            break;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == ';' {
            push_stmt(out, line, &mut cur, &mut bad);
            i += 1;
            continue;
        }
        match lex_token(chars, &mut i) {
            Ok(tok) => cur.push(Token { tok, col }),
            Err(msg) => {
                errors.push(AsmError::new(line, col, msg));
                bad = true;
                // Skip to the next statement separator.
                while i < chars.len() && chars[i] != ';' {
                    i += 1;
                }
            }
        }
    }
    push_stmt(out, line, &mut cur, &mut bad);
}

fn push_stmt(out: &mut Vec<Statement>, line: u32, cur: &mut Vec<Token>, bad: &mut bool) {
    if !cur.is_empty() && !*bad {
        out.push(Statement {
            line,
            tokens: std::mem::take(cur),
        });
    }
    cur.clear();
    *bad = false;
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '.'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$'
}

pub(super) fn lex_token(chars: &[char], i: &mut usize) -> Result<Tok, String> {
    let c = chars[*i];
    let next = chars.get(*i + 1).copied();
    if is_ident_start(c) {
        let start = *i;
        while *i < chars.len() && is_ident_char(chars[*i]) {
            *i += 1;
        }
        return Ok(Tok::Ident(chars[start..*i].iter().collect()));
    }
    if c.is_ascii_digit() {
        return lex_number(chars, i);
    }
    if c == '%' && next.is_some_and(|n| n.is_ascii_alphabetic()) {
        *i += 1;
        let start = *i;
        while *i < chars.len() && chars[*i].is_ascii_alphanumeric() {
            *i += 1;
        }
        let name: String = chars[start..*i].iter().collect();
        return Ok(Tok::Reg(name.to_ascii_lowercase()));
    }
    if c == '"' {
        return lex_string(chars, i).map(Tok::Str);
    }
    if c == '\'' {
        *i += 1;
        let v = lex_char_in_quotes(chars, i)?;
        if chars.get(*i) == Some(&'\'') {
            *i += 1;
        }
        return Ok(Tok::Num(i64::from(v)));
    }
    let mut two = |p| {
        *i += 2;
        Ok(Tok::Punct(p))
    };
    match (c, next) {
        ('<', Some('<')) => return two(Punct::Shl),
        ('>', Some('>')) => return two(Punct::Shr),
        _ => {}
    }
    let p = match c {
        '$' => Punct::Dollar,
        '(' => Punct::LParen,
        ')' => Punct::RParen,
        ',' => Punct::Comma,
        ':' => Punct::Colon,
        '*' => Punct::Star,
        '+' => Punct::Plus,
        '-' => Punct::Minus,
        '/' => Punct::Slash,
        '%' => Punct::Percent,
        '&' => Punct::Amp,
        '|' => Punct::Pipe,
        '^' => Punct::Caret,
        '~' => Punct::Tilde,
        '=' => Punct::Eq,
        '!' => Punct::Bang,
        other => return Err(format!("unexpected character '{other}'")),
    };
    *i += 1;
    Ok(Tok::Punct(p))
}

fn lex_number(chars: &[char], i: &mut usize) -> Result<Tok, String> {
    let start = *i;
    while *i < chars.len() && chars[*i].is_ascii_alphanumeric() {
        *i += 1;
    }
    let text: String = chars[start..*i].iter().collect();
    let lower = text.to_ascii_lowercase();
    // `1b` / `1f`: local label reference (but `0b101` is binary).
    if let Some(last) = lower.chars().last() {
        let digits = &lower[..lower.len() - 1];
        if (last == 'b' || last == 'f')
            && !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
        {
            let label = digits
                .parse::<u64>()
                .map_err(|_| format!("local label number too large in '{text}'"))?;
            return Ok(Tok::LocalRef {
                label,
                forward: last == 'f',
            });
        }
    }
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h, 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() {
        return Err(format!("invalid number '{text}'"));
    }
    u64::from_str_radix(digits, radix)
        .map(|v| Tok::Num(v as i64))
        .map_err(|e| match e.kind() {
            std::num::IntErrorKind::PosOverflow => format!("number '{text}' is too large"),
            _ => format!("invalid number '{text}'"),
        })
}

/// Reads one (possibly escaped) character of a string or character constant.
fn lex_char_in_quotes(chars: &[char], i: &mut usize) -> Result<u8, String> {
    let c = *chars.get(*i).ok_or("missing character after quote")?;
    *i += 1;
    if c != '\\' {
        if !c.is_ascii() {
            return Err(format!("non-ASCII character '{c}' (use \\x escapes)"));
        }
        return Ok(c as u8);
    }
    let e = *chars.get(*i).ok_or("unfinished escape sequence")?;
    *i += 1;
    Ok(match e {
        'n' => b'\n',
        't' => b'\t',
        'r' => b'\r',
        'b' => 8,
        'f' => 12,
        'v' => 11,
        'a' => 7,
        'e' => 27,
        '\\' => b'\\',
        '"' => b'"',
        '\'' => b'\'',
        '0'..='7' => {
            let mut v = e as u32 - '0' as u32;
            for _ in 0..2 {
                match chars.get(*i) {
                    Some(&d @ '0'..='7') => {
                        v = v * 8 + (d as u32 - '0' as u32);
                        *i += 1;
                    }
                    _ => break,
                }
            }
            (v & 0xff) as u8
        }
        'x' | 'X' => {
            let mut v = 0u32;
            let mut n = 0;
            while let Some(d) = chars.get(*i).and_then(|d| d.to_digit(16)) {
                v = (v << 4 | d) & 0xff;
                *i += 1;
                n += 1;
            }
            if n == 0 {
                return Err("\\x escape needs hex digits".into());
            }
            v as u8
        }
        other if other.is_ascii() => other as u8,
        other => return Err(format!("non-ASCII character '{other}'")),
    })
}

fn lex_string(chars: &[char], i: &mut usize) -> Result<Vec<u8>, String> {
    *i += 1;
    let mut out = Vec::new();
    loop {
        match chars.get(*i) {
            None => return Err("unterminated string".into()),
            Some('"') => {
                *i += 1;
                return Ok(out);
            }
            Some(_) => out.push(lex_char_in_quotes(chars, i)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Vec<Tok>> {
        let mut errs = Vec::new();
        let s = lex(src, &mut errs);
        assert!(errs.is_empty(), "{errs:?}");
        s.into_iter()
            .map(|s| s.tokens.into_iter().map(|t| t.tok).collect())
            .collect()
    }

    #[test]
    fn registers_numbers_and_punct() {
        let t = toks("movl $0x10, 8(%EBP,%ecx,4)");
        assert_eq!(t[0][0], Tok::Ident("movl".into()));
        assert_eq!(t[0][1], Tok::Punct(Punct::Dollar));
        assert_eq!(t[0][2], Tok::Num(16));
        assert_eq!(t[0][6], Tok::Reg("ebp".into()));
        assert_eq!(
            toks("0b101 017 1b 2f")[0][..],
            [
                Tok::Num(5),
                Tok::Num(15),
                Tok::LocalRef {
                    label: 1,
                    forward: false
                },
                Tok::LocalRef {
                    label: 2,
                    forward: true
                }
            ]
        );
    }

    #[test]
    fn comments_and_separators() {
        let t = toks("nop # c ; x\n/* a\n b */ hlt ; ret\n");
        assert_eq!(t.len(), 3);
        let mut errs = Vec::new();
        let s = lex("/* a\n b */ hlt", &mut errs);
        assert_eq!((s[0].line, s[0].tokens[0].col), (2, 7));
    }

    #[test]
    fn strings_and_chars() {
        let t = toks(r#".ascii "a\n\t\\\"\0\101\x41" 'a '#' '\n'"#);
        assert_eq!(t[0][1], Tok::Str(b"a\n\t\\\"\0AA".to_vec()));
        assert_eq!(t[0][2], Tok::Num(97));
        assert_eq!(t[0][3], Tok::Num(35));
        assert_eq!(t[0][4], Tok::Num(10));
    }

    #[test]
    fn errors_are_located() {
        let mut errs = Vec::new();
        lex("nop\n  mov @, %eax\n\"abc", &mut errs);
        assert_eq!(errs.len(), 2);
        assert_eq!((errs[0].line, errs[0].column), (2, 7));
        assert_eq!(errs[1].line, 3);
        lex("0x 99999999999999999999", &mut errs);
        assert!(errs.len() == 3);
    }
}
