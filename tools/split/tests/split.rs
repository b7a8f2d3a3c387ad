//! Runs a module and its two halves side by side (wasmi): the split program computes
//! what the original does, fetches the rest exactly once, and only when a moved
//! function is first reached.

use std::collections::HashSet;
use wasmi::{Caller, Engine, Extern, Instance, Linker, Module, Store};

/// A first-load function calling into code that moves: a global (a stack pointer),
/// memory, a kept helper, a host import, a function pointer through table 0, and
/// a moved function calling another moved one.
const PROGRAM: &str = r#"
(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (import "./snippets/split.js" "ringsideSplitLoad" (func $load))
  (memory (export "memory") 1)
  (global $sp (mut i32) (i32.const 1024))
  (table 2 funcref)
  (elem (i32.const 0) $kept_helper $moved_b)
  (data (i32.const 16) "\2a\00\00\00")
  (func $kept_main (export "run") (param $x i32) (result i32)
    (call $moved_a (local.get $x)))
  (func $kept_helper (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 3)))
  (func $moved_a (param $x i32) (result i32)
    (global.set $sp (i32.sub (global.get $sp) (i32.const 16)))
    (i32.store (global.get $sp) (local.get $x))
    (i32.add
      (i32.add (i32.load (i32.const 16)) (call $kept_helper (i32.load (global.get $sp))))
      (i32.add (call $host (local.get $x))
               (call_indirect (param i32) (result i32) (local.get $x) (i32.const 1)))))
  (func $moved_b (param i32) (result i32)
    (call $moved_c (i32.add (local.get 0) (i32.const 100))))
  (func $moved_c (param i32) (result i32)
    (i32.add (local.get 0) (global.get $sp)))
  (func (export "sp") (result i32) (global.get $sp))
)
"#;

struct State {
    primary: Option<Instance>,
    rest: Option<Module>,
    loads: u32,
}

fn host(_: Caller<'_, State>, x: i32) -> i32 {
    x * 1000
}

/// Instantiates `first` (and, when the loader is called, `rest` against its exports).
fn instantiate(first: &[u8], rest: Option<&[u8]>) -> (Store<State>, Instance) {
    let engine = Engine::default();
    let rest = rest.map(|r| Module::new(&engine, r).expect("the rest validates"));
    let mut store = Store::new(
        &engine,
        State {
            primary: None,
            rest,
            loads: 0,
        },
    );
    let mut linker = Linker::<State>::new(&engine);
    linker.func_wrap("env", "host", host).unwrap();
    linker
        .func_wrap(
            "./snippets/split.js",
            "ringsideSplitLoad",
            |mut caller: Caller<'_, State>| {
                caller.data_mut().loads += 1;
                let primary = caller.data().primary.expect("installed");
                let rest = caller.data().rest.clone().expect("a split build");
                let mut link = Linker::<State>::new(caller.engine());
                let exports: Vec<(String, Extern)> = primary
                    .exports(&caller)
                    .map(|e| (e.name().to_string(), e.into_extern()))
                    .collect();
                for (name, item) in exports {
                    link.define("primary", &name, item).unwrap();
                }
                link.instantiate(&mut caller, &rest)
                    .unwrap()
                    .ensure_no_start(&mut caller)
                    .unwrap();
            },
        )
        .unwrap();
    let module = Module::new(&engine, first).expect("the first part validates");
    let instance = linker
        .instantiate(&mut store, &module)
        .unwrap()
        .ensure_no_start(&mut store)
        .unwrap();
    store.data_mut().primary = Some(instance);
    (store, instance)
}

fn call(store: &mut Store<State>, instance: Instance, name: &str, args: &[i32]) -> i32 {
    let f = instance.get_func(&*store, name).unwrap();
    let params: Vec<wasmi::Val> = args.iter().map(|a| wasmi::Val::I32(*a)).collect();
    let mut out = [wasmi::Val::I32(0)];
    f.call(&mut *store, &params, &mut out).unwrap();
    out[0].i32().unwrap()
}

fn keep(names: &[&str]) -> HashSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_split_program_computes_what_the_original_does_and_loads_the_rest_once() {
    let wasm = wat::parse_str(PROGRAM).unwrap();
    let split = ringside_split::split(&wasm, &keep(&["kept_main", "kept_helper"])).unwrap();
    assert_eq!(split.moved, 3, "moved_a, moved_b, moved_c");

    let (mut whole, original) = instantiate(&wasm, None);
    let (mut parts, first) = instantiate(&split.primary, Some(&split.rest));
    assert_eq!(parts.data().loads, 0, "nothing loads at start");
    assert_eq!(
        call(&mut parts, first, "sp", &[]),
        1024,
        "a kept function needs no load"
    );
    assert_eq!(parts.data().loads, 0);
    for x in [5, -7, 1 << 20] {
        assert_eq!(
            call(&mut parts, first, "run", &[x]),
            call(&mut whole, original, "run", &[x])
        );
    }
    assert_eq!(
        parts.data().loads,
        1,
        "the rest is fetched once, at the first moved call"
    );
    assert_eq!(
        call(&mut parts, first, "sp", &[]),
        call(&mut whole, original, "sp", &[])
    );
}

#[test]
fn keeping_everything_moves_nothing_and_never_loads() {
    let wasm = wat::parse_str(PROGRAM).unwrap();
    let all = keep(&["kept_main", "kept_helper", "moved_a", "moved_b", "moved_c"]);
    let split = ringside_split::split(&wasm, &all).unwrap();
    assert_eq!(split.moved, 0);
    let (mut parts, first) = instantiate(&split.primary, Some(&split.rest));
    assert_eq!(
        call(&mut parts, first, "run", &[5]),
        42 + 15 + 5000 + 105 + 1008
    );
    assert_eq!(parts.data().loads, 0);
}

#[test]
fn a_build_without_the_loader_import_is_refused() {
    let wasm = wat::parse_str("(module (func $f (export \"f\")))").unwrap();
    let err = ringside_split::split(&wasm, &keep(&[]))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("no loader"), "{err}");
}

#[test]
fn instrumented_functions_record_that_they_ran() {
    let wasm = wat::parse_str(PROGRAM).unwrap();
    let (instrumented, names) = ringside_split::instrument(&wasm).unwrap();
    let (mut store, instance) = instantiate(&instrumented, None);
    call(&mut store, instance, "sp", &[]);
    let hit = |store: &Store<State>, name: &str| {
        let i = names.iter().position(|n| n == name).unwrap();
        instance
            .get_global(store, &format!("__hit{i}"))
            .unwrap()
            .get(store)
            .i32()
            .unwrap()
    };
    assert_eq!(hit(&store, "kept_main"), 0, "not run yet");
    call(&mut store, instance, "run", &[1]);
    for name in ["kept_main", "kept_helper", "moved_a", "moved_b", "moved_c"] {
        assert_eq!(hit(&store, name), 1, "{name} ran");
    }
}

#[test]
fn names_lose_only_what_changes_between_builds() {
    use ringside_split::normalize;
    assert_eq!(
        normalize("sim_core::cpu::step::h0123456789abcdef"),
        "sim_core::cpu::step"
    );
    assert_eq!(
        normalize("web_sys::Node::parent::__wbg_parentNode_fe15::hf7583083e5a766df externref shim"),
        "web_sys::Node::parent::__wbg_parentNode_fe15 externref shim"
    );
    assert_eq!(
        normalize("<alloc[3ca501edff3f0c7c]::alloc::Global>::alloc_impl.1341"),
        "<alloc[3ca501edff3f0c7c]::alloc::Global>::alloc_impl"
    );
    assert_eq!(
        normalize("<T as Clone>::clone::h8911cd44d70a4223.1797"),
        "<T as Clone>::clone"
    );
    assert_eq!(
        normalize("Closure(Function { shim_idx: 70, ret: Unit }, shim_idx: 3) shim"),
        "Closure(Function { shim_idx: _, ret: Unit }, shim_idx: _) shim"
    );
    // Not hashes: too short, not hex, or longer.
    assert_eq!(normalize("a::h0123"), "a::h0123");
    assert_eq!(normalize("a::hxyz3456789abcdef"), "a::hxyz3456789abcdef");
    assert_eq!(normalize("a::h0123456789abcdef0"), "a::h0123456789abcdef0");
    assert_eq!(normalize("f64.0x"), "f64.0x");
    assert_eq!(normalize("log10"), "log10");
    assert_eq!(
        normalize("shim_idx: _ shim_idx: x"),
        "shim_idx: _ shim_idx: x"
    );
}
