//! `ringside-split split IN.wasm FIRST_LOAD.txt PRIMARY.wasm REST.wasm`: split the
//! page's wasm (tools/env.sh runs it after `trunk build`).
//! `ringside-split instrument IN.wasm OUT.wasm NAMES.txt`: a build that records which
//! functions run (tools/first-load-profile makes FIRST_LOAD.txt with it).

use anyhow::{bail, Context, Result};
use std::collections::HashSet;
use std::fs;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["split", input, list, primary, rest] => {
            let wasm = fs::read(input).with_context(|| format!("reading {input}"))?;
            let text = fs::read_to_string(list).with_context(|| format!("reading {list}"))?;
            let keep: HashSet<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect();
            let split = ringside_split::split(&wasm, &keep)?;
            fs::write(primary, &split.primary)?;
            fs::write(rest, &split.rest)?;
            println!(
                "split: {} functions kept ({} bytes), {} moved ({} bytes), before wasm-opt",
                split.kept,
                split.primary.len(),
                split.moved,
                split.rest.len()
            );
        }
        ["instrument", input, output, names] => {
            let wasm = fs::read(input).with_context(|| format!("reading {input}"))?;
            let (out, list) = ringside_split::instrument(&wasm)?;
            fs::write(output, out)?;
            fs::write(names, list.join("\n") + "\n")?;
        }
        _ => bail!(
            "usage: ringside-split split IN.wasm FIRST_LOAD.txt PRIMARY.wasm REST.wasm\n\
             \x20      ringside-split instrument IN.wasm OUT.wasm NAMES.txt"
        ),
    }
    Ok(())
}
