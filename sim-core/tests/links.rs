//! Share links (`scenario::link`): the frozen fixtures in `tests/data/links/`
//! still decode to what they decoded to when they were made (links are
//! forever), hostile links fail with their expected kind, `decode` never
//! panics, and random valid scenarios round-trip.
//!
//! The fixtures were written once by the ignored test `generate_fixtures`
//! (see `tests/data/links/README.md`); it only ever adds missing files.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{json, Value};
use sim_core::scenario::link::{self, decode, encode, Share, MAX_PAYLOAD_CHARS};
use sim_core::scenario::{builtin, builtins, Scenario, BUILTIN_NAMES};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/links")
}

/// `label<TAB>expect<TAB>input` lines of a fixture file.
fn lines(file: &str) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(dir().join(file)).expect("fixture file exists");
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut f = l.splitn(3, '\t');
            let mut next = || f.next().expect("three tab-separated fields").to_string();
            (next(), next(), next())
        })
        .collect()
}

/// base64url without padding (RFC 4648 §5), for hand-made payloads.
fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=c.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Any text packed as a payload, unchecked.
fn pack(json: &str) -> String {
    format!(
        "1.{}",
        b64(&miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10))
    )
}

/// What an `ok` fixture must decode to, as stored in `LABEL.json`.
fn expected(share: &Share) -> String {
    let scenario: Value = serde_json::from_str(&share.scenario.to_json()).expect("JSON");
    let v = json!({"scenario": scenario, "cycle": share.cycle, "panels": share.panels});
    serde_json::to_string_pretty(&v).expect("JSON") + "\n"
}

/// Checks `decode(input)` against `LABEL.json`, read without the codec.
fn assert_decodes_to_frozen(label: &str, input: &str) {
    let path = dir().join(format!("{label}.json"));
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("frozen JSON parses");
    let scenario = Scenario::from_json(&want["scenario"].to_string()).expect("frozen scenario");
    let got = decode(input).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_eq!(got.scenario, scenario, "{label}");
    assert_eq!(got.cycle, want["cycle"].as_u64(), "{label}");
    let panels: Option<Vec<String>> =
        serde_json::from_value(want["panels"].clone()).expect("panels");
    assert_eq!(got.panels, panels, "{label}");
}

#[test]
fn every_frozen_builtin_link_decodes_to_its_frozen_scenario() {
    // builtins-2.txt: the lessons added after the first fixtures.
    let mut fixtures = lines("builtins.txt");
    fixtures.extend(lines("builtins-2.txt"));
    for name in BUILTIN_NAMES {
        assert!(
            fixtures.iter().any(|(l, _, _)| l == name),
            "{name} has no frozen link: run the generator (it only adds)"
        );
    }
    for (label, expect, payload) in &fixtures {
        assert_eq!(expect, "ok", "{label}");
        assert_decodes_to_frozen(label, payload);
    }
}

#[test]
fn every_hostile_fixture_gives_its_expected_result() {
    let fixtures = lines("hostile.txt");
    assert!(fixtures.len() >= 15);
    for (label, expect, input) in &fixtures {
        if expect == "ok" {
            assert_decodes_to_frozen(label, input);
            continue;
        }
        match decode(input) {
            Ok(_) => panic!("{label}: accepted, expected {expect}"),
            Err(e) => {
                assert_eq!(e.kind(), expect, "{label}: {e}");
                assert!(!e.to_string().is_empty());
                let detail = match label.as_str() {
                    "bad-base64-char" => "character 41 of the payload, '!'",
                    "bad-base64-non-ascii" => "character 41 of the payload, 'é'",
                    "program-does-not-assemble" => "$.programs[0].source:3:5: ",
                    "unknown-version-99" => "version is 99",
                    "decompression-bomb" => "more than 1048576 bytes",
                    _ => "",
                };
                assert!(e.to_string().contains(detail), "{label}: {e}");
            }
        }
    }
}

#[test]
fn builtin_link_sizes() {
    println!("{:<24} {:>9} {:>9}", "built-in", "JSON", "#s= link");
    let mut sizes = Vec::new();
    for (name, s) in builtins() {
        let json = serde_json::to_string(&s).expect("JSON").len();
        let frag = format!("#{}", link::fragment(&Share::new(s)));
        println!("{name:<24} {json:>9} {:>9}", frag.len());
        sizes.push(frag.len());
    }
    sizes.sort_unstable();
    println!("median fragment: {} characters", sizes[sizes.len() / 2]);
    assert!(sizes[sizes.len() / 2] < 2_000, "{sizes:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = decode(&text);
        let _ = decode(&format!("#s=1.{text}"));
        let _ = decode(&format!("https://h/p?q#a=b&s={text}"));
    }

    #[test]
    fn arbitrary_bytes_as_base64url_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let e = decode(&format!("1.{}", b64(&bytes))).expect_err("not a link");
        prop_assert!(matches!(e.kind(), "bad-deflate" | "bad-json" | "unknown-version" | "invalid-scenario"), "{}", e);
    }

    #[test]
    fn arbitrary_bytes_deflated_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let packed = miniz_oxide::deflate::compress_to_vec(&bytes, 6);
        let e = decode(&format!("1.{}", b64(&packed))).expect_err("not a link");
        prop_assert!(matches!(e.kind(), "bad-json" | "unknown-version" | "invalid-scenario"), "{}", e);
    }

    #[test]
    fn envelope_like_text_never_panics(
        v in prop_oneof![Just("1".to_string()), "[0-9]{1,3}", Just("null".to_string())],
        scenario in "\\PC{0,80}",
        rest in "\\PC{0,40}",
    ) {
        let _ = decode(&pack(&format!("{{\"v\":{v},\"scenario\":{scenario}{rest}")));
    }

    #[test]
    fn valid_tweaks_of_builtins_round_trip(
        which in 0..BUILTIN_NAMES.len(),
        title in "\\PC{0,60}",
        seed in any::<i64>(),
        max_cycles in 1u64..=1_000_000_000,
        timer in 100u32..100_000,
        cycle in prop::option::of(any::<u64>()),
        panels in prop::option::of(prop::collection::vec("\\PC{0,12}", 0..5)),
        input_form in 0..3usize,
    ) {
        let mut s = builtin(BUILTIN_NAMES[which]).expect("built-in");
        s.title = title;
        s.seed = seed;
        s.max_cycles = max_cycles;
        s.timer_interval = timer;
        let share = Share { scenario: s, cycle, panels };
        let p = encode(&share);
        let input = match input_form {
            0 => p,
            1 => format!("#s={p}"),
            _ => format!("http://127.0.0.1:8080/?scenario=x#s={p}"),
        };
        prop_assert_eq!(decode(&input), Ok(share));
    }
}

/// Writes the fixtures that do not exist yet; never rewrites one. Run with
/// `cargo test -p sim-core --test links -- --ignored generate_fixtures`.
#[test]
#[ignore]
fn generate_fixtures() {
    let d = dir();
    std::fs::create_dir_all(&d).expect("mkdir");
    let write_new = |name: &str, text: &str| {
        let path = d.join(name);
        if path.exists() {
            println!("kept    {name}");
        } else {
            std::fs::write(&path, text).expect("write");
            println!("written {name}");
        }
    };

    let mut text = String::new();
    for (name, s) in builtins() {
        let share = Share::new(s);
        text += &format!("{name}\tok\t{}\n", encode(&share));
        write_new(&format!("{name}.json"), &expected(&share));
    }
    write_new("builtins.txt", &text);
    // Lessons added later get their frozen links in builtins-2.txt.
    let first = std::fs::read_to_string(d.join("builtins.txt")).unwrap_or_default();
    let mut later = String::new();
    for line in text.lines() {
        let name = line.split('\t').next().unwrap_or("");
        if !first.lines().any(|l| l.split('\t').next() == Some(name)) {
            later += line;
            later += "\n";
        }
    }
    write_new("builtins-2.txt", &later);

    let good = encode(&Share::new(builtin("syscall-read").expect("built-in")));
    let body = &good[2..];
    let mut rows: Vec<(&str, &str, String)> = Vec::new();
    let ok = |label: &'static str, share: Share, input: String| {
        write_new(&format!("{label}.json"), &expected(&share));
        (label, "ok", input)
    };

    // Valid apart from the markup: must decode, text verbatim.
    let mut s = builtin("convoy-fifo").expect("built-in");
    s.title = "<script>alert(1)</script>".into();
    s.lesson =
        "Before <script>alert(1)</script> after; </textarea><script>alert(2)</script>".into();
    s.programs[0].source = format!("# <script>alert(1)</script>\n{}", s.programs[0].source);
    let share = Share::new(s);
    let p = encode(&share);
    rows.push(ok("html-script", share, p));

    let mut s = builtin("syscall-read").expect("built-in");
    let evil = "<img src=x onerror=alert(1)>";
    s.title = evil.into();
    s.lesson = format!("{evil} \"quoted\" 'single' & ampersand");
    s.programs[0].name = evil.into();
    s.processes[0].program = evil.into();
    s.console_input = format!("{evil}\n");
    let share = Share {
        scenario: s,
        cycle: Some(1234),
        panels: Some(vec!["cpu".into(), "<svg onload=alert(1)>".into()]),
    };
    let p = encode(&share);
    rows.push(ok("html-img-onerror", share, p));

    let share = Share {
        scenario: builtin("rr-response").expect("built-in"),
        cycle: Some(50_000),
        panels: Some(vec!["cpu".into(), "gantt".into()]),
    };
    let p = encode(&share);
    rows.push(ok(
        "full-url-with-cycle-and-panels",
        share,
        format!("https://example.org/ringside/?scenario=x#panel=cpu&s={p}"),
    ));

    rows.push((
        "url-without-s",
        "not-a-link",
        "https://example.org/ringside/#scenario=convoy-fifo".into(),
    ));
    rows.push(("empty-s", "not-a-link", "#s=".into()));
    rows.push(("no-version-prefix", "not-a-link", format!("s={body}")));
    rows.push((
        "bad-base64-char",
        "bad-base64",
        format!("{}!{}", &good[..40], &good[40..]),
    ));
    rows.push((
        "bad-base64-non-ascii",
        "bad-base64",
        format!("{}é{}", &good[..40], &good[40..]),
    ));
    let mut odd = good.clone();
    while (odd.len() - 2) % 4 != 1 {
        odd.push('A');
    }
    rows.push(("bad-base64-length", "bad-base64", odd));
    let packed = miniz_oxide::deflate::compress_to_vec(
        serde_json::to_string(&json!({"v": 1, "scenario": builtin("syscall-read")}))
            .expect("JSON")
            .as_bytes(),
        10,
    );
    rows.push((
        "truncated-deflate",
        "bad-deflate",
        format!("1.{}", b64(&packed[..packed.len() / 2])),
    ));
    rows.push(("corrupt-deflate", "bad-deflate", "1.____".into()));
    // 8 MiB of JSON (a valid envelope start, then spaces) in a few KiB.
    let mut bomb = String::from("{\"v\":1,\"scenario\":{\"title\":\"");
    bomb += &" ".repeat(8 << 20);
    bomb += "\"}}";
    let bomb = pack(&bomb);
    assert!(bomb.len() < 16_000, "{}", bomb.len());
    rows.push(("decompression-bomb", "too-large", bomb));
    rows.push((
        "oversize-payload",
        "payload-too-long",
        format!("1.{}", "A".repeat(MAX_PAYLOAD_CHARS)),
    ));
    rows.push((
        "unknown-version-99",
        "unknown-version",
        pack(r#"{"v":99,"scenario":{"title":"from the future"},"layout":"new"}"#),
    ));
    rows.push((
        "unknown-encoding-9",
        "unknown-version",
        format!("#s=9.{body}"),
    ));
    rows.push(("not-json", "bad-json", pack("hello, world")));
    rows.push(("json-not-an-envelope", "bad-json", pack("[1,2,3]")));
    rows.push((
        "envelope-unknown-field",
        "bad-json",
        pack(&format!(
            "{{\"v\":1,\"scenario\":{},\"colour\":\"red\"}}",
            builtin("syscall-read").expect("built-in").to_json()
        )),
    ));
    rows.push((
        "json-not-a-scenario",
        "invalid-scenario",
        pack(r#"{"v":1,"scenario":{"hello":"world"}}"#),
    ));
    let mut s = builtin("syscall-read").expect("built-in");
    s.programs[0].source = "main:\n    movl $1, %eax\n    frobnicate %eax\n".into();
    rows.push((
        "program-does-not-assemble",
        "invalid-scenario",
        encode(&Share::new(s)),
    ));
    let mut s = builtin("syscall-read").expect("built-in");
    s.processes[0].program = "<script>alert(1)</script>".into();
    rows.push((
        "process-names-missing-program-with-markup",
        "invalid-scenario",
        encode(&Share::new(s)),
    ));

    let text: String = rows
        .iter()
        .map(|(l, e, p)| format!("{l}\t{e}\t{p}\n"))
        .collect();
    write_new("hostile.txt", &text);
}
