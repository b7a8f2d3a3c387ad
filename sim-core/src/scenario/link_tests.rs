//! Tests of the share-link codec.

use super::*;
use crate::scenario::builtins;

fn share(name: &str) -> Share {
    Share::new(crate::scenario::builtin(name).expect("built-in"))
}

/// A payload of arbitrary envelope text (bypassing `encode`).
fn pack(json: &str) -> String {
    let mut out = String::from("1.");
    base64url_encode(
        &miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10),
        &mut out,
    );
    out
}

#[test]
fn base64url_matches_rfc4648_vectors() {
    let cases: [(&[u8], &str); 8] = [
        (b"", ""),
        (b"f", "Zg"),
        (b"fo", "Zm8"),
        (b"foo", "Zm9v"),
        (b"foob", "Zm9vYg"),
        (b"fooba", "Zm9vYmE"),
        (b"foobar", "Zm9vYmFy"),
        (&[0xfb, 0xff, 0xfe], "-__-"),
    ];
    for (bytes, text) in cases {
        let mut out = String::new();
        base64url_encode(bytes, &mut out);
        assert_eq!(out, text);
        assert_eq!(base64url_decode(text).expect("decodes"), bytes);
    }
    assert_eq!(
        base64url_decode("Zm8=").expect("padding is tolerated"),
        b"fo"
    );
    let all: Vec<u8> = (0..=255).collect();
    let mut out = String::new();
    base64url_encode(&all, &mut out);
    assert_eq!(base64url_decode(&out).expect("decodes"), all);
}

#[test]
fn every_builtin_round_trips_in_every_input_form() {
    for (name, s) in builtins() {
        let mut sh = Share::new(s);
        let p = encode(&sh);
        assert!(p.starts_with("1."), "{name}");
        assert!(p[2..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(decode(&p).as_ref(), Ok(&sh), "{name}");
        assert_eq!(decode(&fragment(&sh)).as_ref(), Ok(&sh), "{name}");
        assert_eq!(decode(&format!("#s={p}")).as_ref(), Ok(&sh), "{name}");
        assert_eq!(
            decode(&format!("https://example.org/ringside/?scenario=x#s={p}\n")).as_ref(),
            Ok(&sh),
            "{name}"
        );
        sh.cycle = Some(12_345);
        sh.panels = Some(vec!["cpu".into(), "gantt".into()]);
        let p = encode(&sh);
        assert_eq!(decode(&format!("#panel=x&s={p}&y=1")), Ok(sh), "{name}");
    }
}

#[test]
fn markup_passes_through_verbatim() {
    let mut s = share("convoy-fifo");
    s.scenario.title = "<script>alert(1)</script> & \"quotes\" ünïcode ✓".into();
    s.scenario.lesson = "<img src=x onerror=alert(1)>".into();
    s.scenario.programs[0].source = format!(
        "# <script>alert(1)</script>\n{}",
        s.scenario.programs[0].source
    );
    s.panels = Some(vec!["<b>cpu</b>".into()]);
    assert_eq!(decode(&encode(&s)), Ok(s));
}

fn kind(input: &str) -> &'static str {
    match decode(input) {
        Ok(_) => "ok",
        Err(e) => {
            assert!(!e.to_string().is_empty());
            e.kind()
        }
    }
}

#[test]
fn each_error_case_has_its_kind_and_message() {
    let good = encode(&share("syscall-read"));
    assert_eq!(kind(""), "not-a-link");
    assert_eq!(kind("https://example.org/#x=1"), "not-a-link");
    assert_eq!(kind("https://example.org/?s=1.abc"), "not-a-link");
    assert_eq!(kind("#s="), "not-a-link");
    assert_eq!(kind("hello world"), "not-a-link");
    assert_eq!(kind("s=abc"), "not-a-link");
    assert_eq!(kind(&"A".repeat(MAX_PAYLOAD_CHARS + 1)), "payload-too-long");
    assert_eq!(kind(&format!("2.{}", &good[2..])), "unknown-version");

    let e = decode(&format!("{}!{}", &good[..10], &good[10..])).unwrap_err();
    assert_eq!(
        e,
        LinkError::BadBase64 {
            position: 11,
            found: Some('!')
        }
    );
    assert!(e.to_string().contains("character 11"), "{e}");
    assert_eq!(kind(&format!("{good}é")), "bad-base64");
    let mut odd = good.clone();
    while (odd.len() - 2) % 4 != 1 {
        odd.push('A');
    }
    assert_eq!(
        decode(&odd),
        Err(LinkError::BadBase64 {
            position: odd.len(),
            found: None
        })
    );

    let cut = &good[..good.len() / 2];
    let cut = &cut[..cut.len() - (cut.len() - 2) % 4];
    assert_eq!(kind(cut), "bad-deflate");
    assert_eq!(kind("1."), "bad-deflate");
    assert_eq!(kind("1.____"), "bad-deflate");

    let bomb = pack(&format!(
        "{{\"v\":1,\"scenario\":{{\"title\":\"{}\"}}}}",
        " ".repeat(4 * MAX_JSON_BYTES)
    ));
    assert!(bomb.len() < 10_000, "{}", bomb.len());
    assert_eq!(kind(&bomb), "too-large");

    assert_eq!(kind(&pack("{\"v\":1,")), "bad-json");
    assert_eq!(kind(&pack("[1,2]")), "bad-json");
    assert_eq!(kind(&pack("{\"scenario\":{}}")), "bad-json");
    let mut not_utf8 = String::from("1.");
    base64url_encode(
        &miniz_oxide::deflate::compress_to_vec(b"{\"v\":1,\xff}", 6),
        &mut not_utf8,
    );
    assert_eq!(kind(&not_utf8), "bad-json");

    let e = decode(&pack("{\"v\":99,\"anything\":[]}")).unwrap_err();
    assert_eq!(e.kind(), "unknown-version");
    assert!(e.to_string().contains("99") && e.to_string().contains("version 1"));
    assert_eq!(kind(&pack("{\"v\":\"1\"}")), "unknown-version");

    let sc = share("syscall-read").scenario.to_json();
    assert_eq!(
        kind(&pack(&format!("{{\"v\":1,\"scenario\":{sc},\"extra\":1}}"))),
        "bad-json"
    );
    assert_eq!(
        kind(&pack(&format!(
            "{{\"v\":1,\"scenario\":{sc},\"cycle\":-1}}"
        ))),
        "bad-json"
    );
    assert_eq!(
        kind(&pack(&format!(
            "{{\"v\":1,\"scenario\":{sc},\"cycle\":null,\"panels\":[\"cpu\"]}}"
        ))),
        "ok"
    );
    assert_eq!(
        kind(&pack("{\"v\":1,\"scenario\":{\"hello\":1}}")),
        "invalid-scenario"
    );
}

#[test]
fn scenario_errors_are_the_engines_own() {
    let mut s = share("syscall-read");
    s.scenario.programs[0].source = "main:\n    frobnicate %eax\n".into();
    let e = decode(&encode(&s)).unwrap_err();
    let LinkError::InvalidScenario { errors } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(errors[0].path, "$.programs[0].source");
    assert_eq!((errors[0].line, errors[0].column), (Some(2), Some(5)));
    assert!(e.to_string().contains("$.programs[0].source:2:5: "), "{e}");

    let mut s = share("syscall-read");
    s.scenario.processes[0].program = "nosuch".into();
    let e = decode(&encode(&s)).unwrap_err();
    assert!(e.to_string().contains("$.processes[0].program"), "{e}");
}
