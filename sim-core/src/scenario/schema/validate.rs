//! A validator for the subset of JSON Schema 2020-12 that [`super::json_schema`]
//! uses (tests only): `type`, `const`, `enum`, `properties`, `required`,
//! `additionalProperties`, `items`, `minItems`, `maxItems`, `minimum`,
//! `maximum`, `oneOf` and local `$ref`. Annotations (`title`, `description`,
//! `default`, `$schema`, `$id`, `$defs`) are ignored. Unknown keywords are an
//! error, so the schema cannot silently use something this does not check.
//!
//! `integer` means what serde accepts: a JSON number without a fraction or
//! exponent (draft 2020-12 would also accept `1.0`).

use serde_json::{Map, Value};

const ANNOTATIONS: [&str; 6] = ["title", "description", "default", "$schema", "$id", "$defs"];

/// Checks `value` against `schema` (whose `$ref`s point into itself).
pub fn validate(schema: &Value, value: &Value) -> Result<(), String> {
    check(schema, schema, value, "$")
}

fn check(root: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let Value::Object(s) = schema else {
        return Err(format!("{at}: schema is not an object"));
    };
    for (key, rule) in s {
        match key.as_str() {
            "$ref" => {
                let target = rule
                    .as_str()
                    .and_then(|r| r.strip_prefix('#'))
                    .and_then(|p| root.pointer(p))
                    .ok_or_else(|| format!("{at}: unresolved $ref {rule}"))?;
                check(root, target, v, at)?;
            }
            "type" => check_type(rule, v, at)?,
            "const" if rule != v => return Err(format!("{at}: {v} is not {rule}")),
            "enum" => {
                let options = rule.as_array().map(Vec::as_slice).unwrap_or_default();
                if !options.contains(v) {
                    return Err(format!("{at}: {v} is not one of {rule}"));
                }
            }
            "minimum" | "maximum" => check_bound(key, rule, v, at)?,
            "minItems" | "maxItems" => {
                if let (Some(a), Some(n)) = (v.as_array(), rule.as_u64()) {
                    let len = a.len() as u64;
                    if (key == "minItems" && len < n) || (key == "maxItems" && len > n) {
                        return Err(format!("{at}: {len} items violates {key} {n}"));
                    }
                }
            }
            "items" => {
                for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                    check(root, rule, item, &format!("{at}[{i}]"))?;
                }
            }
            "required" => {
                if let Value::Object(o) = v {
                    for name in rule.as_array().into_iter().flatten() {
                        let name = name.as_str().unwrap_or_default();
                        if !o.contains_key(name) {
                            return Err(format!("{at}: missing required `{name}`"));
                        }
                    }
                }
            }
            "properties" => check_properties(root, rule, v, at)?,
            "additionalProperties" => check_additional(root, s, rule, v, at)?,
            "oneOf" => {
                let options = rule.as_array().map(Vec::as_slice).unwrap_or_default();
                let results: Vec<_> = options.iter().map(|o| check(root, o, v, at)).collect();
                let passed = results.iter().filter(|r| r.is_ok()).count();
                if passed != 1 {
                    let why: Vec<String> = results.into_iter().filter_map(Result::err).collect();
                    return Err(format!(
                        "{at}: matches {passed} of {} oneOf alternatives ({})",
                        options.len(),
                        why.join("; ")
                    ));
                }
            }
            "const" => {}
            k if ANNOTATIONS.contains(&k) => {}
            k => return Err(format!("{at}: keyword `{k}` is not supported")),
        }
    }
    Ok(())
}

fn check_type(rule: &Value, v: &Value, at: &str) -> Result<(), String> {
    let names: Vec<&str> = match rule {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return Err(format!("{at}: bad `type` {rule}")),
    };
    let is = |t: &str| match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        _ => false,
    };
    if names.iter().any(|t| is(t)) {
        Ok(())
    } else {
        Err(format!("{at}: {v} is not of type {rule}"))
    }
}

/// Bounds compared exactly on integers (u64 and i64 extremes included).
fn check_bound(key: &str, rule: &Value, v: &Value, at: &str) -> Result<(), String> {
    let as_i128 = |x: &Value| {
        x.as_i64()
            .map(i128::from)
            .or_else(|| x.as_u64().map(i128::from))
    };
    let (Some(bound), Some(x)) = (as_i128(rule), as_i128(v)) else {
        return Ok(());
    };
    let ok = if key == "minimum" {
        x >= bound
    } else {
        x <= bound
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{at}: {x} violates {key} {bound}"))
    }
}

fn check_properties(root: &Value, rule: &Value, v: &Value, at: &str) -> Result<(), String> {
    let (Value::Object(props), Value::Object(o)) = (rule, v) else {
        return Ok(());
    };
    for (name, sub) in props {
        if let Some(x) = o.get(name) {
            check(root, sub, x, &format!("{at}.{name}"))?;
        }
    }
    Ok(())
}

fn check_additional(
    root: &Value,
    s: &Map<String, Value>,
    rule: &Value,
    v: &Value,
    at: &str,
) -> Result<(), String> {
    let Value::Object(o) = v else {
        return Ok(());
    };
    let known = |k: &str| {
        s.get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key(k))
    };
    for (k, x) in o.iter().filter(|(k, _)| !known(k)) {
        match rule {
            Value::Bool(false) => return Err(format!("{at}: unknown field `{k}`")),
            Value::Bool(true) => {}
            sub => check(root, sub, x, &format!("{at}.{k}"))?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_subset_behaves() {
        let s = json!({
            "type": "object", "required": ["a"], "additionalProperties": false,
            "properties": {"a": {"type": "integer", "minimum": 0, "maximum": 3}, "b": {"$ref": "#/$defs/b"}},
            "$defs": {"b": {"oneOf": [{"enum": ["x"]}, {"type": "array", "maxItems": 1}]}}
        });
        assert!(validate(&s, &json!({"a": 3, "b": "x"})).is_ok());
        assert!(validate(&s, &json!({"a": 4})).is_err());
        assert!(validate(&s, &json!({"a": 1.0})).is_err());
        assert!(validate(&s, &json!({"b": "x"})).is_err());
        assert!(validate(&s, &json!({"a": 1, "c": 0})).is_err());
        assert!(validate(&s, &json!({"a": 1, "b": [1, 2]})).is_err());
        assert!(validate(&json!({"pattern": "x"}), &json!("x")).is_err());
    }
}
