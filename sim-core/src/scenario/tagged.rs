//! Reading an internally tagged JSON object (`{"policy": "round_robin",
//! "quantum": 10}`) by hand.
//!
//! serde's derive for `#[serde(tag = …)]` enums buffers the object into its
//! private `Content` tree and replays it per variant; for `Policy` and `Ask`
//! that machinery cost the page's wasm ~23 KB. Here the object is read as a
//! `serde_json::Value` (code the page already has), the tag picks the variant
//! and each field is taken by name, with serde's own messages ("missing field
//! `quantum`", "unknown variant `cfs`, expected one of …"), so errors read as
//! they did. `tagged_tests` checks the two agree on a corpus of objects.

use serde::de::{Deserialize, Error as _};
use serde_json::{Error, Map, Value};

/// `Deserialize` for an enum read by `from_value`: the object as a `Value`,
/// then serde_json's message carried over as the deserializer's error.
pub(crate) fn deserialize<'de, D, T>(
    d: D,
    from_value: fn(Value) -> Result<T, Error>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    from_value(Value::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// Splits `value` into its tag (the string under `key`) and the other
/// fields; `what` names the enum in serde's words for a non-object.
pub(crate) fn read(
    value: Value,
    key: &'static str,
    what: &'static str,
) -> Result<(String, Map<String, Value>), Error> {
    let Value::Object(mut fields) = value else {
        return Err(Error::invalid_type(unexpected(&value), &what));
    };
    match fields.remove(key) {
        None => Err(Error::missing_field(key)),
        Some(Value::String(tag)) => Ok((tag, fields)),
        Some(other) => Err(Error::invalid_type(
            unexpected(&other),
            &"variant identifier",
        )),
    }
}

/// Visits a variant's fields in the object's order, as serde's derive does:
/// those named in `known` go to `read`; any other is refused when `strict`
/// (`deny_unknown_fields`; serde applies it to struct variants only) and
/// skipped otherwise.
pub(crate) fn visit(
    fields: Map<String, Value>,
    known: &'static [&'static str],
    strict: bool,
    mut read: impl FnMut(&str, Value) -> Result<(), Error>,
) -> Result<(), Error> {
    for (name, v) in fields {
        if known.contains(&name.as_str()) {
            read(&name, v)?;
        } else if strict {
            return Err(Error::unknown_field(&name, known));
        }
    }
    Ok(())
}

/// Reads `v` into `slot` (a field seen).
pub(crate) fn set<T: for<'de> Deserialize<'de>>(
    slot: &mut Option<T>,
    v: Value,
) -> Result<(), Error> {
    *slot = Some(T::deserialize(v)?);
    Ok(())
}

/// A required field's value, or serde's "missing field" error.
pub(crate) fn required<T>(slot: Option<T>, name: &'static str) -> Result<T, Error> {
    slot.ok_or_else(|| Error::missing_field(name))
}

/// serde's description of a JSON value in "invalid type" messages.
fn unexpected(v: &Value) -> serde::de::Unexpected<'_> {
    use serde::de::Unexpected;
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (_, Some(i), _) => Unexpected::Signed(i),
            (_, _, Some(f)) => Unexpected::Float(f),
            _ => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}
