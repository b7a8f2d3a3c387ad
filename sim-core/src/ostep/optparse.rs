//! Just enough of Python's `optparse` to accept the OSTEP tools' command lines the
//! same way: short options with attached or separate values (`-l5:100`, `-l 5:100`),
//! clustered flags (`-cp`), long options with `=` or a separate value, unique
//! prefixes of long options (`--proc=…`), `--` ending options, and positional
//! arguments anywhere (ignored by the tools). Integers follow optparse's
//! `_parse_num`: `0x` hex, `0b` binary, a leading `0` octal, else decimal.

use super::OstepError;
use std::collections::BTreeMap;

/// Value type of an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Str,
    /// `store_true`.
    Flag,
}

/// One option: `-s`/`--seed` storing into `dest`.
#[derive(Clone, Copy, Debug)]
pub struct Opt {
    pub short: Option<char>,
    pub long: Option<&'static str>,
    pub dest: &'static str,
    pub kind: Kind,
}

/// Shorthand for the tools' option tables.
pub const fn opt(short: char, long: &'static str, dest: &'static str, kind: Kind) -> Opt {
    let long = if long.is_empty() { None } else { Some(long) };
    Opt {
        short: Some(short),
        long,
        dest,
        kind,
    }
}

/// A parsed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Str(String),
    Flag,
}

/// Parsed options (last occurrence wins, as in optparse) and positional arguments.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    values: BTreeMap<&'static str, Value>,
    pub positional: Vec<String>,
}

impl Parsed {
    pub fn int(&self, dest: &str, default: i64) -> i64 {
        match self.values.get(dest) {
            Some(Value::Int(v)) => *v,
            _ => default,
        }
    }

    pub fn str<'a>(&'a self, dest: &str, default: &'a str) -> &'a str {
        match self.values.get(dest) {
            Some(Value::Str(v)) => v,
            _ => default,
        }
    }

    pub fn flag(&self, dest: &str) -> bool {
        matches!(self.values.get(dest), Some(Value::Flag))
    }
}

/// Parses `args` against `table`.
pub fn parse(table: &[Opt], args: &[String]) -> Result<Parsed, OstepError> {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            parsed.positional.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, attached) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let o = match_long(table, name)?;
            let shown = format!("--{}", o.long.unwrap_or(name));
            let value = match (o.kind, attached) {
                (Kind::Flag, Some(_)) => {
                    return Err(usage(format!("{shown} option does not take a value")))
                }
                (Kind::Flag, None) => Value::Flag,
                (kind, Some(v)) => convert(kind, &shown, &v)?,
                (kind, None) => {
                    let Some(v) = args.get(i) else {
                        return Err(usage(format!("{shown} option requires 1 argument")));
                    };
                    i += 1;
                    convert(kind, &shown, v)?
                }
            };
            parsed.values.insert(o.dest, value);
        } else if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg.chars().skip(1).collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                let Some(o) = table.iter().find(|o| o.short == Some(c)) else {
                    return Err(usage(format!("no such option: -{c}")));
                };
                let shown = format!("-{c}");
                if o.kind == Kind::Flag {
                    parsed.values.insert(o.dest, Value::Flag);
                    continue;
                }
                let v: String = if k < chars.len() {
                    chars[k..].iter().collect()
                } else if let Some(v) = args.get(i) {
                    i += 1;
                    v.clone()
                } else {
                    return Err(usage(format!("{shown} option requires 1 argument")));
                };
                parsed.values.insert(o.dest, convert(o.kind, &shown, &v)?);
                break;
            }
        } else {
            parsed.positional.push(arg.clone());
        }
    }
    Ok(parsed)
}

fn usage(msg: String) -> OstepError {
    OstepError::Usage(msg)
}

fn match_long<'t>(table: &'t [Opt], name: &str) -> Result<&'t Opt, OstepError> {
    if let Some(o) = table.iter().find(|o| o.long == Some(name)) {
        return Ok(o);
    }
    let hits: Vec<&Opt> = table
        .iter()
        .filter(|o| o.long.is_some_and(|l| l.starts_with(name)))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(usage(format!("no such option: --{name}"))),
        many => {
            let names: Vec<String> = many
                .iter()
                .filter_map(|o| o.long.map(|l| format!("--{l}")))
                .collect();
            Err(usage(format!(
                "ambiguous option: --{name} ({}?)",
                names.join(", ")
            )))
        }
    }
}

fn convert(kind: Kind, shown: &str, v: &str) -> Result<Value, OstepError> {
    match kind {
        Kind::Flag => Ok(Value::Flag),
        Kind::Str => Ok(Value::Str(v.to_string())),
        Kind::Int => parse_num(v)
            .map(Value::Int)
            .ok_or_else(|| usage(format!("option {shown}: invalid integer value: '{v}'"))),
    }
}

/// optparse `_parse_num(val, int)`.
pub fn parse_num(v: &str) -> Option<i64> {
    let lower = v.get(..2).map(str::to_ascii_lowercase);
    let (radix, body) = match lower.as_deref() {
        Some("0x") => (16, v),
        Some("0b") => (2, if v.len() > 2 { &v[2..] } else { "0" }),
        _ if v.starts_with('0') => (8, v),
        _ => (10, v),
    };
    python_int(body, radix)
}

/// Python `int(text, radix)` for radix 2, 8, 10, 16 (sign, whitespace, `_` separators,
/// matching `0x`/`0o`/`0b` prefix).
pub fn python_int(text: &str, radix: u32) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let prefix = match radix {
        16 => "0x",
        8 => "0o",
        2 => "0b",
        _ => "",
    };
    let t = if !prefix.is_empty() && t.to_ascii_lowercase().starts_with(prefix) {
        t[2..].strip_prefix('_').unwrap_or(&t[2..])
    } else {
        t
    };
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let digits: String = t.chars().filter(|&c| c != '_').collect();
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(&digits, radix).ok()?;
    i64::try_from(if neg { -magnitude } else { magnitude }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[Opt] = &[
        opt('l', "processlist", "list", Kind::Str),
        opt('L', "iolength", "io", Kind::Int),
        opt('c', "", "solve", Kind::Flag),
        opt('p', "printstats", "stats", Kind::Flag),
        opt('P', "program", "program", Kind::Str),
    ];

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn optparse_forms() {
        let p = parse(TABLE, &args(&["-l5:100", "-cp", "--iol=07", "x"])).expect("valid");
        assert_eq!(p.str("list", ""), "5:100");
        assert!(p.flag("solve") && p.flag("stats"));
        assert_eq!(p.int("io", 5), 7);
        assert_eq!(p.positional, vec!["x".to_string()]);
        let p = parse(TABLE, &args(&["--processlist", "1:0", "-L", "0x10"])).expect("valid");
        assert_eq!((p.str("list", ""), p.int("io", 0)), ("1:0", 16));
        assert!(parse(TABLE, &args(&["--pro=1"])).is_err(), "ambiguous");
        assert!(parse(TABLE, &args(&["-L", "09"])).is_err(), "bad octal");
        assert!(parse(TABLE, &args(&["-l"])).is_err());
        assert!(parse(TABLE, &args(&["-z"])).is_err());
    }

    #[test]
    fn python_int_forms() {
        assert_eq!(parse_num("-5"), Some(-5));
        assert_eq!(parse_num("1_000"), Some(1000));
        assert_eq!(parse_num("0b101"), Some(5));
        assert_eq!(parse_num("0"), Some(0));
        assert_eq!(parse_num(" 12 "), Some(12));
        assert_eq!(parse_num("1e3"), None);
    }
}
