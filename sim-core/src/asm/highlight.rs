//! Syntax classes for an editor, from the assembler's own lexer: what the
//! page colours is exactly what the assembler will read.

use serde::Serialize;

use super::lexer::{lex_token, strip_block_comments, Tok};

/// What a stretch of source text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    Plain,
    Comment,
    /// The first word of a statement: an instruction.
    Mnemonic,
    /// The first word of a statement when it starts with `.`.
    Directive,
    /// A name followed by `:`, or a local label `1:`.
    Label,
    Register,
    Number,
    String,
    Punct,
    /// Text the lexer rejects (the diagnostics say why).
    Error,
}

/// A stretch of one line: characters `start..end` (0-based, in chars).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: SpanKind,
}

/// The spans of every line of `src`; together they cover each line exactly.
pub fn highlight(src: &str) -> Vec<Vec<Span>> {
    let original: Vec<char> = src.chars().collect();
    // Block comments become spaces (newlines kept), so lines still line up.
    let stripped = strip_block_comments(src, &mut Vec::new());
    let mut out = Vec::new();
    let (mut at, mut line_start) = (0usize, 0usize);
    for line in stripped.split(|&c| c == '\n') {
        let orig = &original[line_start..(line_start + line.len()).min(original.len())];
        out.push(line_spans(line, orig));
        at += line.len() + 1;
        line_start = at;
    }
    out
}

fn line_spans(chars: &[char], orig: &[char]) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    let mut push = |start: usize, end: usize, kind: SpanKind| {
        if end <= start {
            return;
        }
        match spans.last_mut() {
            Some(last) if last.kind == kind && last.end == start => last.end = end,
            _ => spans.push(Span { start, end, kind }),
        }
    };
    let mut i = 0;
    let mut first_word = true;
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            push(i, chars.len(), SpanKind::Comment);
            break;
        }
        if c.is_whitespace() {
            // Spaces the comment stripper left where `/* */` was.
            let kind = if orig.get(i).is_some_and(|o| !o.is_whitespace()) {
                SpanKind::Comment
            } else {
                SpanKind::Plain
            };
            push(i, i + 1, kind);
            i += 1;
            continue;
        }
        if c == ';' {
            push(i, i + 1, SpanKind::Punct);
            first_word = true;
            i += 1;
            continue;
        }
        let start = i;
        let kind = match lex_token(chars, &mut i) {
            Ok(Tok::Ident(name)) => {
                let label = next_non_space(chars, i) == Some(':');
                if label {
                    SpanKind::Label
                } else if first_word {
                    first_word = false;
                    if name.starts_with('.') {
                        SpanKind::Directive
                    } else {
                        SpanKind::Mnemonic
                    }
                } else {
                    SpanKind::Plain
                }
            }
            Ok(Tok::Num(_)) if first_word && next_non_space(chars, i) == Some(':') => {
                SpanKind::Label
            }
            Ok(Tok::Reg(_)) => SpanKind::Register,
            Ok(Tok::Num(_) | Tok::LocalRef { .. }) => SpanKind::Number,
            Ok(Tok::Str(_)) => SpanKind::String,
            Ok(Tok::Punct(_)) => SpanKind::Punct,
            Err(_) => {
                // Mark the rest of the statement, as the lexer skips it.
                while i < chars.len() && chars[i] != ';' && chars[i] != '#' {
                    i += 1;
                }
                SpanKind::Error
            }
        };
        // Never stall, whatever the lexer did.
        i = i.max(start + 1).min(chars.len());
        push(start, i, kind);
    }
    spans
}

fn next_non_space(chars: &[char], from: usize) -> Option<char> {
    chars[from.min(chars.len())..]
        .iter()
        .copied()
        .find(|c| !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(String, SpanKind)> {
        let chars: Vec<char> = line.chars().collect();
        highlight(line)[0]
            .iter()
            .filter(|s| s.kind != SpanKind::Plain)
            .map(|s| (chars[s.start..s.end].iter().collect(), s.kind))
            .collect()
    }

    #[test]
    fn classes_follow_the_lexer() {
        use SpanKind::*;
        assert_eq!(
            kinds("main: movl $6, %eax # read"),
            vec![
                ("main".into(), Label),
                (":".into(), Punct),
                ("movl".into(), Mnemonic),
                ("$".into(), Punct),
                ("6".into(), Number),
                (",".into(), Punct),
                ("%eax".into(), Register),
                ("# read".into(), Comment),
            ]
        );
        assert_eq!(kinds(".asciz \"hi\"")[1], ("\"hi\"".into(), String));
        assert_eq!(kinds(".long 1")[0], (".long".into(), Directive));
        assert_eq!(kinds("1: jmp 1b")[0], ("1".into(), Label));
    }

    #[test]
    fn spans_cover_every_line_exactly() {
        let src = "a: /* x\n y */ movl %eax, %ebx ; int $64\n\t\"open\n@@ ok\n";
        let lines: Vec<&str> = src.split('\n').collect();
        let hl = highlight(src);
        assert_eq!(hl.len(), lines.len());
        for (spans, line) in hl.iter().zip(&lines) {
            let mut at = 0;
            for s in spans {
                assert_eq!(s.start, at, "{line:?}: {spans:?}");
                at = s.end;
            }
            assert_eq!(at, line.chars().count(), "{line:?}");
        }
        assert!(hl[1].iter().any(|s| s.kind == SpanKind::Comment));
    }
}
