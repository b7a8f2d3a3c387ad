//! The JSON path (`$.processes[1].tickets`) of a serde_json error, found by
//! re-reading the text up to the error's line and column. serde_json knows
//! where it failed but not in which field; this small scanner recovers the
//! field without a path-tracking deserializer (which doubles the size of the
//! deserializing code in the page's wasm).

/// Where the scanner is inside one container.
enum Frame {
    /// In an object: the last key read, and whether its value is complete.
    Object { key: Option<String>, done: bool },
    /// In an array: the index of the current element, and whether it started.
    Array { index: usize, started: bool },
}

/// The path of the value serde_json was reading when it raised `error` on
/// `text`. A missing field belongs to the object that lacks it.
pub fn error_path(text: &str, error: &serde_json::Error) -> String {
    let end = byte_offset(text, error.line(), error.column());
    let missing = error.to_string().starts_with("missing field");
    let mut stack = scan(&text[..end]);
    // serde_json reports a missing field just before the object's `}`.
    let next = text[end..].trim_start().chars().next();
    if missing && next == Some('}') {
        if let Some(Frame::Object { key, .. }) = stack.last_mut() {
            *key = None;
        }
    }
    render(&stack)
}

/// Byte offset of the end of (1-based) `column` bytes into `line`.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    // serde_json counts the column in bytes, not characters: a lesson text
    // with "·" or "—" before the error would otherwise put the end too far.
    let mut end = (start + column).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// The containers open at the end of `prefix`, innermost last.
fn scan(prefix: &str) -> Vec<Frame> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut chars = prefix.chars();
    // A value starts: inside an array it is the current element.
    fn begin(stack: &mut [Frame]) {
        if let Some(Frame::Array { started, .. }) = stack.last_mut() {
            *started = true;
        }
    }
    fn end(stack: &mut [Frame]) {
        if let Some(Frame::Object { done, .. }) = stack.last_mut() {
            *done = true;
        }
    }
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                begin(&mut stack);
                stack.push(Frame::Object {
                    key: None,
                    done: false,
                });
            }
            '[' => {
                begin(&mut stack);
                stack.push(Frame::Array {
                    index: 0,
                    started: false,
                });
            }
            '}' | ']' => {
                stack.pop();
                end(&mut stack);
            }
            ',' => match stack.last_mut() {
                Some(Frame::Array { index, started }) => {
                    *index += 1;
                    *started = false;
                }
                Some(Frame::Object { key, done }) => {
                    *key = None;
                    *done = false;
                }
                None => {}
            },
            '"' => {
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => s.extend(chars.next()),
                        c => s.push(c),
                    }
                }
                match stack.last_mut() {
                    // A string where a key is expected is the key.
                    Some(Frame::Object { key: k @ None, .. }) => *k = Some(s),
                    _ => {
                        begin(&mut stack);
                        end(&mut stack);
                    }
                }
            }
            c if c.is_whitespace() || c == ':' => {}
            _ => begin(&mut stack),
        }
    }
    stack
}

fn render(stack: &[Frame]) -> String {
    let mut path = String::from("$");
    for frame in stack {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                path.push('.');
                path.push_str(k);
            }
            Frame::Array {
                index,
                started: true,
            } => path.push_str(&format!("[{index}]")),
            _ => {}
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of<T: serde::de::DeserializeOwned>(text: &str) -> String {
        let e = serde_json::from_str::<T>(text).err().expect("an error");
        error_path(text, &e)
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Job {
        len: u32,
        name: String,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Doc {
        jobs: Vec<Job>,
        watch: Vec<u32>,
    }

    #[test]
    fn names_the_field_that_failed() {
        let ok = r#"{"len": 1, "name": "a"}"#;
        assert_eq!(
            path_of::<Doc>(&format!(
                r#"{{"jobs": [{ok}, {{"len": -1, "name": "b"}}], "watch": []}}"#
            )),
            "$.jobs[1].len"
        );
        assert_eq!(
            path_of::<Doc>(r#"{"jobs": [], "watch": [1, "x"]}"#),
            "$.watch[1]"
        );
        assert_eq!(
            path_of::<Doc>("{\"jobs\": [{\"len\": 1,\n \"nam\\\"e\": 2}], \"watch\": []}"),
            "$.jobs[0].nam\"e"
        );
    }

    #[test]
    fn a_missing_field_belongs_to_its_object() {
        assert_eq!(
            path_of::<Doc>(r#"{"jobs": [{"len": 1}], "watch": []}"#),
            "$.jobs[0]"
        );
        assert_eq!(path_of::<Doc>(r#"{"jobs": []}"#), "$");
    }

    #[test]
    fn strings_with_brackets_do_not_confuse_it() {
        assert_eq!(
            path_of::<Doc>(r#"{"jobs": [{"len": 1, "name": "{[,]}"}], "watch": {}}"#),
            "$.watch"
        );
    }

    #[test]
    fn any_text_any_position_is_safe() {
        for text in ["", "{", "[[[", "\"", "{\"a\":", "é\n\n", "}}]]"] {
            for line in 0..4 {
                for column in 0..6 {
                    let end = byte_offset(text, line, column);
                    render(&scan(&text[..end]));
                }
            }
        }
    }
}
