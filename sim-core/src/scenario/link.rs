//! Share links: a scenario (and where the viewer was) packed into a URL
//! fragment, `#s=<payload>`. One codec for the CLI (`ringside link`,
//! `ringside run URL`) and the web page.
//!
//! The payload is `1.` (the encoding version) followed by base64url without
//! padding of the raw-deflate-compressed UTF-8 JSON of an envelope:
//!
//! ```json
//! {"v":1,"scenario":{…the scenario JSON…},"cycle":1234,"panels":["cpu","gantt"]}
//! ```
//!
//! `cycle` and `panels` are optional. `v` is the envelope's format version:
//! a later format gets a new number, and its reader keeps reading (migrating)
//! the old ones, so a link once made keeps working. The frozen fixtures in
//! `sim-core/tests/data/links/` hold that promise to account.
//!
//! [`decode`] treats its input as hostile: the payload is capped at
//! [`MAX_PAYLOAD_CHARS`] before it is decoded, decompression stops at
//! [`MAX_JSON_BYTES`] of output (a small link cannot inflate into gigabytes),
//! and the scenario then goes through exactly what a scenario file goes
//! through before `ringside run` runs it ([`Scenario::from_json`], then
//! [`Scenario::build`]: validation and assembly, errors with JSON paths). It
//! never panics. Text is passed through verbatim: titles, lessons, names and
//! sources may contain markup, and escaping it is the page's job.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::base64::{self, Alphabet, Digits};
use super::{Scenario, ScenarioError, MAX_SCENARIO_BYTES};
use crate::sim::TraceLevel;

/// The encoding version this build writes and reads: the payload's prefix
/// before the `.` (raw deflate + base64url).
pub const ENCODING: &str = "1";
/// The envelope format version (`"v"`) this build writes and reads.
pub const VERSION: u64 = 1;
/// Longest payload (the text after `s=`) [`decode`] looks at.
pub const MAX_PAYLOAD_CHARS: usize = 256 * 1024;
/// Most bytes of JSON a payload may inflate to: the scenario file limit.
pub const MAX_JSON_BYTES: usize = MAX_SCENARIO_BYTES;

/// What a link carries: the scenario, and optionally the cycle the viewer was
/// at and the panels that were open (names are the page's business; the
/// codec passes them through).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    pub scenario: Scenario,
    pub cycle: Option<u64>,
    pub panels: Option<Vec<String>>,
}

impl Share {
    /// A link to `scenario` alone, at its start.
    pub fn new(scenario: Scenario) -> Share {
        Share {
            scenario,
            cycle: None,
            panels: None,
        }
    }
}

/// Why a link was refused. [`LinkError::kind`] names each case with a stable
/// keyword (used by the fixtures and the browser tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// No `s=` payload where one was expected (`reason` says what was seen).
    NotALink { reason: &'static str },
    /// The payload is longer than [`MAX_PAYLOAD_CHARS`] (in bytes).
    PayloadTooLong { len: usize },
    /// The payload's prefix names an encoding this build does not read.
    UnknownEncoding { found: String },
    /// A character outside base64url, at 1-based `position` in the payload;
    /// `found: None` means the payload's length is impossible (cut short).
    BadBase64 {
        position: usize,
        found: Option<char>,
    },
    /// The bytes are not a complete raw-deflate stream.
    BadDeflate { reason: &'static str },
    /// The payload inflates to more than [`MAX_JSON_BYTES`].
    TooLarge,
    /// The inflated text is not UTF-8, not JSON, or not an envelope.
    BadJson { message: String },
    /// The envelope's `"v"` is not one this build reads.
    UnknownVersion { found: String },
    /// The scenario is refused by the engine's own checks (JSON paths,
    /// line and column in assembly), as a scenario file would be.
    InvalidScenario { errors: Vec<ScenarioError> },
}

impl LinkError {
    /// A stable keyword for the case: `not-a-link`, `payload-too-long`,
    /// `unknown-version`, `bad-base64`, `bad-deflate`, `too-large`,
    /// `bad-json` or `invalid-scenario`.
    pub fn kind(&self) -> &'static str {
        match self {
            LinkError::NotALink { .. } => "not-a-link",
            LinkError::PayloadTooLong { .. } => "payload-too-long",
            LinkError::UnknownEncoding { .. } | LinkError::UnknownVersion { .. } => {
                "unknown-version"
            }
            LinkError::BadBase64 { .. } => "bad-base64",
            LinkError::BadDeflate { .. } => "bad-deflate",
            LinkError::TooLarge => "too-large",
            LinkError::BadJson { .. } => "bad-json",
            LinkError::InvalidScenario { .. } => "invalid-scenario",
        }
    }
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::NotALink { reason } => write!(f, "not a Ringside share link: {reason}"),
            LinkError::PayloadTooLong { len } => write!(
                f,
                "the link's payload is {len} bytes long; the limit is {MAX_PAYLOAD_CHARS}"
            ),
            LinkError::UnknownEncoding { found } => write!(
                f,
                "the link uses encoding version '{found}', which this build does not know; \
                 it reads version '{ENCODING}' (was the link made by a newer Ringside?)"
            ),
            LinkError::BadBase64 {
                position,
                found: Some(c),
            } => write!(
                f,
                "the link is damaged: character {position} of the payload, {c:?}, is not base64url"
            ),
            LinkError::BadBase64 { found: None, .. } => f.write_str(
                "the link is damaged: its payload's length is impossible (cut short when copied?)",
            ),
            LinkError::BadDeflate { reason } => write!(f, "the link is damaged: {reason}"),
            LinkError::TooLarge => write!(
                f,
                "the link's content inflates to more than {MAX_JSON_BYTES} bytes, the limit"
            ),
            LinkError::BadJson { message } => {
                write!(f, "the link's content is not a shared scenario: {message}")
            }
            LinkError::UnknownVersion { found } => write!(
                f,
                "the link's format version is {found}, which this build does not know; it reads \
                 version {VERSION} (was the link made by a newer Ringside?)"
            ),
            LinkError::InvalidScenario { errors } => {
                f.write_str("the link's scenario is not valid:")?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LinkError {}

/// The payload for `share` (without `#s=`). Does not validate: a [`Share`]
/// whose scenario came from [`Scenario::from_json`] or [`decode`] decodes
/// back to itself unless it is too large for a link (over
/// [`MAX_JSON_BYTES`] of JSON or [`MAX_PAYLOAD_CHARS`] of payload), which a
/// caller can check by decoding the result.
pub fn encode(share: &Share) -> String {
    #[derive(Serialize)]
    struct Envelope<'a> {
        v: u64,
        scenario: &'a Scenario,
        #[serde(skip_serializing_if = "Option::is_none")]
        cycle: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        panels: Option<&'a [String]>,
    }
    let json = serde_json::to_string(&Envelope {
        v: VERSION,
        scenario: &share.scenario,
        cycle: share.cycle,
        panels: share.panels.as_deref(),
    })
    .unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10);
    let mut out = String::with_capacity(ENCODING.len() + 1 + packed.len() * 4 / 3 + 4);
    out.push_str(ENCODING);
    out.push('.');
    base64url_encode(&packed, &mut out);
    out
}

/// The URL fragment for `share`, without the `#`: `s=<payload>`.
pub fn fragment(share: &Share) -> String {
    format!("s={}", encode(share))
}

/// Reads a link: a whole URL (`https://host/path?x#s=…`, also with other
/// `&`-separated fragment parameters), a fragment (`#s=…` or `s=…`) or a bare
/// payload (`1.…`). Never panics; see the module documentation for the caps.
pub fn decode(input: &str) -> Result<Share, LinkError> {
    let payload = payload_of(input)?;
    if payload.len() > MAX_PAYLOAD_CHARS {
        return Err(LinkError::PayloadTooLong { len: payload.len() });
    }
    let Some((prefix, body)) = payload.split_once('.') else {
        return Err(LinkError::NotALink {
            reason: "the payload does not start with its version ('1.')",
        });
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LinkError::NotALink {
            reason: "the payload does not start with its version ('1.')",
        });
    }
    if prefix != ENCODING {
        return Err(LinkError::UnknownEncoding {
            found: prefix.chars().take(12).collect(),
        });
    }
    let packed = base64url_decode(body).map_err(|e| match e {
        LinkError::BadBase64 { position, found } => LinkError::BadBase64 {
            position: position + prefix.len() + 1,
            found,
        },
        e => e,
    })?;
    let json = inflate(&packed)?;
    let text = std::str::from_utf8(&json).map_err(|e| LinkError::BadJson {
        message: format!("not UTF-8 text (at byte {})", e.valid_up_to()),
    })?;
    from_envelope(text)
}

/// The text after `s=` in `input` (see [`decode`]).
fn payload_of(input: &str) -> Result<&str, LinkError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(LinkError::NotALink {
            reason: "the text is empty",
        });
    }
    let fragment = if let Some((_, f)) = s.split_once('#') {
        f
    } else if s.starts_with("s=") {
        s
    } else if s.contains("://") || s.contains('/') || s.contains('?') {
        return Err(LinkError::NotALink {
            reason: "the URL has no #s= fragment",
        });
    } else {
        return Ok(s);
    };
    match fragment.split('&').find_map(|p| p.strip_prefix("s=")) {
        Some("") => Err(LinkError::NotALink {
            reason: "nothing follows s=",
        }),
        Some(p) => Ok(p),
        None => Err(LinkError::NotALink {
            reason: "the fragment has no s= parameter",
        }),
    }
}

fn inflate(packed: &[u8]) -> Result<Vec<u8>, LinkError> {
    use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
    // The output buffer never grows past the limit, whatever the input.
    decompress_to_vec_with_limit(packed, MAX_JSON_BYTES).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => LinkError::TooLarge,
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
            LinkError::BadDeflate {
                reason: "its compressed data ends early (cut short when copied?)",
            }
        }
        _ => LinkError::BadDeflate {
            reason: "its compressed data is corrupt",
        },
    })
}

/// Reads the envelope JSON: its version first (so a future format is named
/// as such, whatever its shape), then the version-1 fields.
fn from_envelope(text: &str) -> Result<Share, LinkError> {
    #[derive(Deserialize)]
    struct Probe {
        v: Option<serde_json::Value>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct EnvelopeV1<'a> {
        #[allow(dead_code)]
        v: u64,
        #[serde(borrow)]
        scenario: &'a RawValue,
        #[serde(default)]
        cycle: Option<u64>,
        #[serde(default)]
        panels: Option<Vec<String>>,
    }
    let json_error = |e: serde_json::Error| LinkError::BadJson {
        message: match e.classify() {
            serde_json::error::Category::Data => format!("not a share envelope: {e}"),
            _ => format!("not valid JSON: {e}"),
        },
    };
    let probe: Probe = serde_json::from_str(text).map_err(json_error)?;
    match probe.v {
        None => {
            return Err(LinkError::BadJson {
                message: "not a share envelope: no version field \"v\"".into(),
            })
        }
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
        Some(v) => {
            let mut found = v.to_string();
            if found.len() > 24 {
                found = format!("{}…", found.chars().take(20).collect::<String>());
            }
            return Err(LinkError::UnknownVersion { found });
        }
    }
    let env: EnvelopeV1 = serde_json::from_str(text).map_err(json_error)?;
    let invalid = |errors| LinkError::InvalidScenario { errors };
    let scenario = Scenario::from_json(env.scenario.get()).map_err(invalid)?;
    // What `ringside run` does with a file next: assemble and boot.
    scenario.build(TraceLevel::Off).map_err(invalid)?;
    Ok(Share {
        scenario,
        cycle: env.cycle,
        panels: env.panels,
    })
}

/// RFC 4648 §5 base64url, without padding.
fn base64url_encode(bytes: &[u8], out: &mut String) {
    base64::encode_into(bytes, Alphabet::Url, false, out);
}

/// Decodes base64url (padding tolerated, not required). Positions in errors
/// are 1-based characters of `text`.
fn base64url_decode(text: &str) -> Result<Vec<u8>, LinkError> {
    let unpadded = text.trim_end_matches('=');
    if text.len() - unpadded.len() > 2 {
        return Err(LinkError::BadBase64 {
            position: unpadded.chars().count() + 3,
            found: Some('='),
        });
    }
    let mut digits = Digits::default();
    for (i, c) in unpadded.chars().enumerate() {
        let Some(v) = Alphabet::Url.digit(c) else {
            return Err(LinkError::BadBase64 {
                position: i + 1,
                found: Some(c),
            });
        };
        digits.push(v);
    }
    if !digits.complete() {
        return Err(LinkError::BadBase64 {
            position: digits.count,
            found: None,
        });
    }
    Ok(digits.bytes)
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
