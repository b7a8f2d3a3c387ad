//! Splits the page's wasm in two: the functions the first load runs stay in the
//! module the browser fetches first; every other function moves to a second module
//! (`rest`) that the page fetches after it is interactive, or at once if something
//! needs it sooner.
//!
//! Each moved function leaves behind, at its own index, a trampoline: if its slot in
//! a new table (`__split_table`) is still empty it calls the loader (an import the
//! page declares, see `src/split.js`), then calls the slot. Function pointers, exports
//! and calls keep their indices, so any partition runs the same program; the list of
//! kept functions only decides what the first load carries. The rest module imports
//! the memory, globals, tables and functions it uses from the first module's exports
//! and fills the slots when it is instantiated; its data stays in the first module.

use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use walrus::ir::{dfs_in_order, dfs_pre_order_mut, RefFunc, Visitor, VisitorMut};
use walrus::{
    ConstExpr, ElementItems, ElementKind, ExportItem, FunctionId, FunctionKind, GlobalId,
    ImportKind, MemoryId, Module, ModuleConfig, RefType, TableId, ValType,
};

/// The import the trampolines call: the page's `js_name` for the loader, which
/// wasm-bindgen imports under that name straight from the snippet (`src/split.js`).
pub const LOADER: &str = "ringsideSplitLoad";
/// The namespace the rest module imports everything from.
pub const PRIMARY: &str = "primary";
/// The table the rest module fills, one slot per moved function.
pub const TABLE: &str = "__split_table";
/// An `i32` that changes with the input, so a cached rest never meets a new first module.
pub const ID: &str = "__split_id";

/// The two modules and what went where.
pub struct Split {
    pub primary: Vec<u8>,
    pub rest: Vec<u8>,
    pub kept: usize,
    pub moved: usize,
}

/// A function's name without what changes from one build to the next, so a list
/// made from one build matches the next: rustc's hashes (`::h` and 16 hex digits),
/// LLVM's numbers for same-named copies (`.123` at the end) and wasm-bindgen's
/// closure shim numbers (`shim_idx: 70`).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find("::h") {
        let hash = rest.get(at + 3..at + 19).unwrap_or("");
        let ends = rest
            .as_bytes()
            .get(at + 19)
            .is_none_or(|b| !b.is_ascii_alphanumeric());
        out.push_str(&rest[..at]);
        if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && ends {
            rest = &rest[at + 19..];
        } else {
            out.push_str("::h");
            rest = &rest[at + 3..];
        }
    }
    out.push_str(rest);
    if let Some(dot) = out.rfind('.') {
        if dot + 1 < out.len() && out[dot + 1..].bytes().all(|b| b.is_ascii_digit()) {
            out.truncate(dot);
        }
    }
    let mut from = 0;
    while let Some(found) = out[from..].find("shim_idx: ") {
        let at = from + found + 10;
        let digits = out[at..].bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            out.replace_range(at..at + digits, "_");
        }
        from = at;
    }
    out
}

fn parse(wasm: &[u8]) -> Result<Module> {
    let mut config = ModuleConfig::new();
    config.generate_producers_section(false);
    config
        .parse(wasm)
        .context("the input is not a valid wasm module")
}

fn local_body(module: &Module, id: FunctionId) -> &walrus::LocalFunction {
    match &module.funcs.get(id).kind {
        FunctionKind::Local(f) => f,
        _ => unreachable!("only local functions are split"),
    }
}

/// What the moved functions' bodies refer to, in index order.
#[derive(Default)]
struct Refs {
    funcs: BTreeSet<FunctionId>,
    ref_funcs: BTreeSet<FunctionId>,
    globals: BTreeSet<GlobalId>,
    tables: BTreeSet<TableId>,
    memories: BTreeSet<MemoryId>,
    unsupported: Option<&'static str>,
}

impl<'i> Visitor<'i> for Refs {
    fn visit_function_id(&mut self, f: &FunctionId) {
        self.funcs.insert(*f);
    }
    fn visit_ref_func(&mut self, r: &RefFunc) {
        self.ref_funcs.insert(r.func);
    }
    fn visit_global_id(&mut self, g: &GlobalId) {
        self.globals.insert(*g);
    }
    fn visit_table_id(&mut self, t: &TableId) {
        self.tables.insert(*t);
    }
    fn visit_memory_id(&mut self, m: &MemoryId) {
        self.memories.insert(*m);
    }
    // Data and element segments stay in the first module; a body that reads them
    // directly could not move.
    fn visit_data_id(&mut self, _: &walrus::DataId) {
        self.unsupported = Some("memory.init or data.drop");
    }
    fn visit_element_id(&mut self, _: &walrus::ElementId) {
        self.unsupported = Some("table.init or elem.drop");
    }
}

/// The moved functions (in index order) and what they refer to. Both modules are
/// parsed from the same bytes, so this gives the same answer, index for index, on each.
fn plan(module: &Module, keep: &HashSet<String>) -> Result<(Vec<FunctionId>, Refs)> {
    let mut moved: Vec<FunctionId> = module
        .funcs
        .iter_local()
        .filter(|(id, _)| match &module.funcs.get(*id).name {
            // Unnamed functions cannot be matched from one build to the next: kept.
            None => false,
            Some(name) => !keep.contains(&normalize(name)),
        })
        .map(|(id, _)| id)
        .collect();
    moved.sort_by_key(|id| id.index());
    let mut refs = Refs::default();
    for id in &moved {
        let body = local_body(module, *id);
        dfs_in_order(&mut refs, body, body.entry_block());
        if let Some(what) = refs.unsupported {
            bail!(
                "{} uses {what}",
                module.funcs.get(*id).name.as_deref().unwrap_or("?")
            );
        }
    }
    Ok((moved, refs))
}

/// The name the first module exports an item under: its own export if it has one.
fn export_name(module: &Module, item: ExportItem, prefix: &str, index: usize) -> String {
    let same = |other: &ExportItem| match (other, &item) {
        (ExportItem::Function(a), ExportItem::Function(b)) => a == b,
        (ExportItem::Global(a), ExportItem::Global(b)) => a == b,
        (ExportItem::Table(a), ExportItem::Table(b)) => a == b,
        (ExportItem::Memory(a), ExportItem::Memory(b)) => a == b,
        _ => false,
    };
    module
        .exports
        .iter()
        .find(|e| same(&e.item))
        .map(|e| e.name.clone())
        .unwrap_or_else(|| format!("__split_{prefix}{index}"))
}

fn func_export(m: &Module, f: FunctionId) -> String {
    export_name(m, ExportItem::Function(f), "f", f.index())
}
fn global_export(m: &Module, g: GlobalId) -> String {
    export_name(m, ExportItem::Global(g), "g", g.index())
}
fn table_export(m: &Module, t: TableId) -> String {
    export_name(m, ExportItem::Table(t), "t", t.index())
}
fn memory_export(m: &Module, mem: MemoryId) -> String {
    export_name(m, ExportItem::Memory(mem), "m", mem.index())
}

/// FNV-1a of the input: the first module's `__split_id`.
fn fingerprint(wasm: &[u8]) -> i32 {
    let hash = wasm.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ *b as u32).wrapping_mul(0x0100_0193)
    });
    hash as i32
}

/// Splits `wasm`, keeping in the first module the functions whose normalized names
/// are in `keep` (and every unnamed one).
pub fn split(wasm: &[u8], keep: &HashSet<String>) -> Result<Split> {
    let primary = first_module(wasm, keep)?;
    let (rest, moved, kept) = rest_module(wasm, keep)?;
    Ok(Split {
        primary,
        rest,
        kept,
        moved,
    })
}

fn first_module(wasm: &[u8], keep: &HashSet<String>) -> Result<Vec<u8>> {
    let mut m = parse(wasm)?;
    let (moved, refs) = plan(&m, keep)?;
    let loader = m
        .imports
        .iter()
        .find_map(|i| match i.kind {
            ImportKind::Function(f) if i.name == LOADER => Some(f),
            _ => None,
        })
        .with_context(|| format!("the module imports no loader ({LOADER})"))?;
    let loader_ty = m.types.get(m.funcs.get(loader).ty());
    if !loader_ty.params().is_empty() || !loader_ty.results().is_empty() {
        bail!("the loader import must take and return nothing");
    }

    // Everything the moved bodies use from the first module, exported for the rest.
    let moved_set: HashSet<FunctionId> = moved.iter().copied().collect();
    let mut exports = Vec::new();
    for f in refs.funcs.iter().filter(|f| !moved_set.contains(f)) {
        exports.push((func_export(&m, *f), ExportItem::Function(*f)));
    }
    for g in &refs.globals {
        exports.push((global_export(&m, *g), ExportItem::Global(*g)));
    }
    for t in &refs.tables {
        exports.push((table_export(&m, *t), ExportItem::Table(*t)));
    }
    for mem in &refs.memories {
        exports.push((memory_export(&m, *mem), ExportItem::Memory(*mem)));
    }
    for (name, item) in exports {
        if m.exports.iter().all(|e| e.name != name) {
            m.exports.add(&name, item);
        }
    }

    let slots = moved.len() as u64;
    let table = m
        .tables
        .add_local(false, slots, Some(slots), RefType::FUNCREF);
    m.exports.add(TABLE, table);
    let id = m.globals.add_local(
        ValType::I32,
        false,
        false,
        ConstExpr::Value(walrus::ir::Value::I32(fingerprint(wasm))),
    );
    m.exports.add(ID, id);

    for (slot, f) in moved.iter().enumerate() {
        let ty = m.funcs.get(*f).ty();
        let FunctionKind::Local(body) = &mut m.funcs.get_mut(*f).kind else {
            unreachable!("planned functions are local")
        };
        let args = body.args.clone();
        let builder = body.builder_mut();
        let entry = builder.func_body_id();
        builder.instr_seq(entry).instrs_mut().clear();
        let mut seq = builder.func_body();
        seq.i32_const(slot as i32)
            .table_get(table)
            .ref_is_null()
            .if_else(
                None,
                |then| {
                    then.call(loader);
                },
                |_| {},
            );
        for arg in args {
            seq.local_get(arg);
        }
        seq.i32_const(slot as i32).call_indirect(ty, table);
    }
    Ok(m.emit_wasm())
}

fn rest_module(wasm: &[u8], keep: &HashSet<String>) -> Result<(Vec<u8>, usize, usize)> {
    let mut m = parse(wasm)?;
    let (moved, refs) = plan(&m, keep)?;
    let kept = m.funcs.iter_local().count() - moved.len();
    let moved_set: HashSet<FunctionId> = moved.iter().copied().collect();

    // Imports standing in for what stays in the first module.
    let mut redirect = Redirect::default();
    for f in refs.funcs.iter().filter(|f| !moved_set.contains(f)) {
        let (name, ty) = (func_export(&m, *f), m.funcs.get(*f).ty());
        redirect
            .funcs
            .insert(*f, m.add_import_func(PRIMARY, &name, ty).0);
    }
    for g in &refs.globals {
        let name = global_export(&m, *g);
        let global = m.globals.get(*g);
        let (ty, mutable, shared) = (global.ty, global.mutable, global.shared);
        redirect.globals.insert(
            *g,
            m.add_import_global(PRIMARY, &name, ty, mutable, shared).0,
        );
    }
    for t in &refs.tables {
        let name = table_export(&m, *t);
        let table = m.tables.get(*t);
        let (t64, initial, maximum, ty) = (
            table.table64,
            table.initial,
            table.maximum,
            table.element_ty,
        );
        redirect.tables.insert(
            *t,
            m.add_import_table(PRIMARY, &name, t64, initial, maximum, ty)
                .0,
        );
    }
    for mem in &refs.memories {
        let name = memory_export(&m, *mem);
        let memory = m.memories.get(*mem);
        let (shared, m64, initial, maximum, page) = (
            memory.shared,
            memory.memory64,
            memory.initial,
            memory.maximum,
            memory.page_size_log2,
        );
        let new = m
            .add_import_memory(PRIMARY, &name, shared, m64, initial, maximum, page)
            .0;
        redirect.memories.insert(*mem, new);
    }
    for f in &moved {
        let FunctionKind::Local(body) = &mut m.funcs.get_mut(*f).kind else {
            unreachable!("planned functions are local")
        };
        let entry = body.entry_block();
        dfs_pre_order_mut(&mut redirect, body, entry);
    }

    // Nothing of the first module's own runs again: no exports, no start, no data
    // (it would overwrite live memory), no table initialisation.
    let exports: Vec<_> = m.exports.iter().map(|e| e.id()).collect();
    exports.into_iter().for_each(|e| m.exports.delete(e));
    m.start = None;
    let data: Vec<_> = m.data.iter().map(|d| d.id()).collect();
    data.into_iter().for_each(|d| m.data.delete(d));
    m.memories
        .iter_mut()
        .for_each(|mem| mem.data_segments.clear());
    let elements: Vec<_> = m.elements.iter().map(|e| e.id()).collect();
    elements.into_iter().for_each(|e| m.elements.delete(e));
    m.tables.iter_mut().for_each(|t| t.elem_segments.clear());

    let slots = moved.len() as u64;
    let table = m
        .add_import_table(PRIMARY, TABLE, false, slots, Some(slots), RefType::FUNCREF)
        .0;
    let offset = ConstExpr::Value(walrus::ir::Value::I32(0));
    let fill = m.elements.add(
        ElementKind::Active { table, offset },
        ElementItems::Functions(moved.clone()),
    );
    m.tables.get_mut(table).elem_segments.insert(fill);
    // `ref.func` of an imported function needs a declaration; moved ones are declared
    // by the table's segment.
    let declared: Vec<FunctionId> = refs
        .ref_funcs
        .iter()
        .filter_map(|f| redirect.funcs.get(f).copied())
        .collect();
    if !declared.is_empty() {
        m.elements
            .add(ElementKind::Declared, ElementItems::Functions(declared));
    }
    walrus::passes::gc::run(&mut m);
    Ok((m.emit_wasm(), moved.len(), kept))
}

#[derive(Default)]
struct Redirect {
    funcs: BTreeMap<FunctionId, FunctionId>,
    globals: BTreeMap<GlobalId, GlobalId>,
    tables: BTreeMap<TableId, TableId>,
    memories: BTreeMap<MemoryId, MemoryId>,
}

impl VisitorMut for Redirect {
    fn visit_function_id_mut(&mut self, f: &mut FunctionId) {
        if let Some(new) = self.funcs.get(f) {
            *f = *new;
        }
    }
    fn visit_global_id_mut(&mut self, g: &mut GlobalId) {
        if let Some(new) = self.globals.get(g) {
            *g = *new;
        }
    }
    fn visit_table_id_mut(&mut self, t: &mut TableId) {
        if let Some(new) = self.tables.get(t) {
            *t = *new;
        }
    }
    fn visit_memory_id_mut(&mut self, mem: &mut MemoryId) {
        if let Some(new) = self.memories.get(mem) {
            *mem = *new;
        }
    }
}

/// For making the list: every local function sets its own exported global
/// (`__hit<i>`) when it runs. Returns the module and each `i`'s normalized name.
pub fn instrument(wasm: &[u8]) -> Result<(Vec<u8>, Vec<String>)> {
    let mut m = parse(wasm)?;
    let mut ids: Vec<FunctionId> = m.funcs.iter_local().map(|(id, _)| id).collect();
    ids.sort_by_key(|id| id.index());
    let mut names = Vec::with_capacity(ids.len());
    for (i, f) in ids.iter().enumerate() {
        let hit = m.globals.add_local(
            ValType::I32,
            true,
            false,
            ConstExpr::Value(walrus::ir::Value::I32(0)),
        );
        m.exports.add(&format!("__hit{i}"), hit);
        let func = m.funcs.get_mut(*f);
        names.push(func.name.as_deref().map(normalize).unwrap_or_default());
        let FunctionKind::Local(body) = &mut func.kind else {
            unreachable!()
        };
        let entry = body.builder_mut().func_body_id();
        let mut seq = body.builder_mut().instr_seq(entry);
        seq.instr_at(0, walrus::ir::GlobalSet { global: hit });
        seq.instr_at(
            0,
            walrus::ir::Const {
                value: walrus::ir::Value::I32(1),
            },
        );
    }
    Ok((m.emit_wasm(), names))
}
