//! Wasp's gas for Wasm, counted by the module itself.
//!
//! Wasp runs contracts on wasmtime with fuel metering and burns one gas per
//! unit of fuel. wasmtime's fuel counts the operators a call *executes*:
//! each costs 1, except `nop`, `drop`, `block`, `loop`, `unreachable`,
//! `return`, `else` and `end` (0); every function costs 1 on entry. The
//! count of a straight-line run is added when the run ends — before `br`,
//! `br_if`, `br_table`, `if`, `else`, `end`, `loop`, a call, `return` or
//! `unreachable` — and fuel is checked at each function's entry and at
//! each loop header: a call is out of fuel when, at a check, none is left.
//! An operator skipped by a branch, or after a trap within a run, costs
//! nothing. wasmtime's `tests/all/fuel.wast` (wasmtime 7, the one Wasp
//! used) states these rules as numbers; this module's tests check every
//! one of its cases.
//!
//! [`instrument`] rewrites a validated module so that it keeps that count
//! itself, in a global the host reads and writes ([`FUEL_GLOBAL`], the
//! fuel *left*): the same count on any engine that runs the module
//! (wasmi here; the browser's own engine later), with no fuel metering of
//! its own. At each run's end it subtracts the run's cost; at each check,
//! if no fuel is left, it sets [`OUT_OF_FUEL_GLOBAL`] and traps. A start
//! function is not run at instantiation but exported as [`START_EXPORT`],
//! so the host can set the fuel first. Nothing else changes: function,
//! global, table and memory indices stay as they were (the two globals
//! come after every other).

use std::ops::Range;
use wasm_encoder::{BlockType, ConstExpr, Encode, ExportKind, GlobalType, Instruction, ValType};
use wasmparser::{Operator, Parser, Payload, TypeRef};

/// The exported global holding the fuel left (`i64`, mutable).
pub(crate) const FUEL_GLOBAL: &str = "isc-playground:fuel";
/// The exported global set to 1 when a check finds no fuel left (`i32`).
pub(crate) const OUT_OF_FUEL_GLOBAL: &str = "isc-playground:out-of-fuel";
/// The module's start function, exported instead of run at instantiation.
pub(crate) const START_EXPORT: &str = "isc-playground:start";
/// What the host's call into an export costs besides the function itself:
/// wasmtime's fuel.wast counts an empty start function as 3 (1 for the
/// function, 2 for being called).
pub(crate) const CALL_FROM_HOST: u64 = 2;

const GLOBAL_SECTION: u8 = 6;
const EXPORT_SECTION: u8 = 7;
const START_SECTION: u8 = 8;
const CODE_SECTION: u8 = 10;

/// Where a section goes in a module (custom sections stay where they are).
fn rank(id: u8) -> u8 {
    match id {
        1..=5 => id, // type, import, function, table, memory
        13 => 6,     // tag
        6 => 7,      // global
        7 => 8,      // export
        8 => 9,      // start
        9 => 10,     // element
        12 => 11,    // data count
        10 => 12,    // code
        11 => 13,    // data
        _ => 0,
    }
}

fn section(out: &mut Vec<u8>, id: u8, content: &[u8]) {
    out.push(id);
    content.encode(out);
}

/// The indices of the two globals the instrumentation adds.
#[derive(Clone, Copy)]
struct Globals {
    fuel: u32,
    out_of_fuel: u32,
}

impl Globals {
    /// `fuel -= cost` (nothing for 0).
    fn charge(self, out: &mut Vec<u8>, cost: u64) {
        if cost == 0 {
            return;
        }
        for instruction in [
            Instruction::GlobalGet(self.fuel),
            Instruction::I64Const(i64::try_from(cost).unwrap_or(i64::MAX)),
            Instruction::I64Sub,
            Instruction::GlobalSet(self.fuel),
        ] {
            instruction.encode(out);
        }
    }

    /// `if fuel <= 0 { out_of_fuel = 1; unreachable }`.
    fn check(self, out: &mut Vec<u8>) {
        for instruction in [
            Instruction::GlobalGet(self.fuel),
            Instruction::I64Const(0),
            Instruction::I64LeS,
            Instruction::If(BlockType::Empty),
            Instruction::I32Const(1),
            Instruction::GlobalSet(self.out_of_fuel),
            Instruction::Unreachable,
            Instruction::End,
        ] {
            instruction.encode(out);
        }
    }
}

/// What an operator costs (wasmtime's fuel).
fn cost(op: &Operator<'_>) -> u64 {
    match op {
        Operator::Nop
        | Operator::Drop
        | Operator::Block { .. }
        | Operator::Loop { .. }
        | Operator::Unreachable
        | Operator::Return
        | Operator::Else
        | Operator::End => 0,
        _ => 1,
    }
}

/// Whether the run of operators ends before `op` (its cost included).
fn ends_run(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Unreachable
            | Operator::Return
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::End
            | Operator::Else
    )
}

/// Whether nothing after `op` in its block runs (until its `else`/`end`).
fn leaves_block(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Unreachable
            | Operator::Return
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::Br { .. }
            | Operator::BrTable { .. }
    )
}

/// One function body, metered: its locals as they were, then its
/// operators with the fuel charges and checks between them.
fn body(
    wasm: &[u8],
    function: &wasmparser::FunctionBody<'_>,
    globals: Globals,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut operators = function.get_operators_reader().map_err(|e| e.to_string())?;
    let range = function.range();
    let locals_end = operators.original_position();
    out.extend_from_slice(slice(wasm, range.start..locals_end)?);
    // The function's own cost, then the entry check.
    globals.charge(&mut out, 1);
    globals.check(&mut out);
    let mut pending = 0u64;
    // While unreachable: how many blocks deep into the dead code we are.
    let mut dead: Option<u32> = None;
    while !operators.eof() {
        let (op, start) = operators.read_with_offset().map_err(|e| e.to_string())?;
        let raw = slice(wasm, start..operators.original_position())?;
        if let Some(depth) = dead.as_mut() {
            match op {
                Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::TryTable { .. } => *depth += 1,
                Operator::Else if *depth == 0 => dead = None,
                Operator::End if *depth == 0 => dead = None,
                Operator::End => *depth -= 1,
                _ => {}
            }
            out.extend_from_slice(raw);
            continue;
        }
        pending += cost(&op);
        if ends_run(&op) {
            globals.charge(&mut out, std::mem::take(&mut pending));
        }
        out.extend_from_slice(raw);
        if matches!(op, Operator::Loop { .. }) {
            globals.check(&mut out);
        }
        if leaves_block(&op) {
            dead = Some(0);
        }
    }
    let mut sized = Vec::with_capacity(out.len() + 5);
    out.as_slice().encode(&mut sized);
    Ok(sized)
}

fn slice(wasm: &[u8], range: Range<u64>) -> Result<&[u8], String> {
    let start = usize::try_from(range.start).map_err(|_| "offset")?;
    let end = usize::try_from(range.end).map_err(|_| "offset")?;
    wasm.get(start..end)
        .ok_or_else(|| "a range outside the module".to_owned())
}

/// A section's entries after its count, and the count.
fn entries(content: &[u8], offset: u64) -> Result<(u32, &[u8]), String> {
    let mut reader = wasmparser::BinaryReader::new(content, offset);
    let count = reader.read_var_u32().map_err(|e| e.to_string())?;
    let skip = usize::try_from(reader.original_position() - offset).map_err(|_| "offset")?;
    Ok((count, &content[skip..]))
}

/// `wasm` (already validated) rewritten to keep Wasp's fuel count itself:
/// see the module documentation.
///
/// # Errors
/// A message if the module cannot be read (it was validated: this means a
/// construct the rewriter does not handle).
pub(crate) fn instrument(wasm: &[u8]) -> Result<Vec<u8>, String> {
    // First pass: how many globals there are, and the start function.
    let mut imported_globals = 0u32;
    let mut defined_globals = 0u32;
    let mut start = None;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(import.map_err(|e| e.to_string())?.ty, TypeRef::Global(_)) {
                        imported_globals += 1;
                    }
                }
            }
            Payload::GlobalSection(globals) => defined_globals = globals.count(),
            Payload::StartSection { func, .. } => start = Some(func),
            _ => {}
        }
    }
    let first_new = imported_globals + defined_globals;
    let globals = Globals {
        fuel: first_new,
        out_of_fuel: first_new + 1,
    };
    let new_globals = {
        let mut out = Vec::new();
        for (val_type, init) in [
            (ValType::I64, ConstExpr::i64_const(0)),
            (ValType::I32, ConstExpr::i32_const(0)),
        ] {
            let ty = GlobalType {
                val_type,
                mutable: true,
                shared: false,
            };
            ty.encode(&mut out);
            init.encode(&mut out);
        }
        out
    };
    let new_exports = {
        let mut out = Vec::new();
        let mut export = |name: &str, kind: ExportKind, index: u32| {
            name.encode(&mut out);
            kind.encode(&mut out);
            index.encode(&mut out);
        };
        export(FUEL_GLOBAL, ExportKind::Global, globals.fuel);
        export(OUT_OF_FUEL_GLOBAL, ExportKind::Global, globals.out_of_fuel);
        if let Some(func) = start {
            export(START_EXPORT, ExportKind::Func, func);
        }
        out
    };
    let added_exports = if start.is_some() { 3 } else { 2 };

    let mut out = b"\0asm\x01\0\0\0".to_vec();
    let (mut wrote_globals, mut wrote_exports) = (false, false);
    let mut code: Option<(Vec<u8>, u32)> = None;
    // Adds the globals or exports sections a module lacks, in their place.
    let fill =
        |out: &mut Vec<u8>, before: u8, wrote_globals: &mut bool, wrote_exports: &mut bool| {
            if !*wrote_globals && before > rank(GLOBAL_SECTION) {
                let mut content = Vec::new();
                2u32.encode(&mut content);
                content.extend_from_slice(&new_globals);
                section(out, GLOBAL_SECTION, &content);
                *wrote_globals = true;
            }
            if !*wrote_exports && before > rank(EXPORT_SECTION) {
                let mut content = Vec::new();
                added_exports.encode(&mut content);
                content.extend_from_slice(&new_exports);
                section(out, EXPORT_SECTION, &content);
                *wrote_exports = true;
            }
        };
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| e.to_string())?;
        if let Payload::CodeSectionEntry(function) = &payload {
            let (bodies, count) = code
                .as_mut()
                .ok_or("a function body outside the code section")?;
            bodies.extend(body(wasm, function, globals)?);
            *count -= 1;
            if *count == 0 {
                let (content, _) = code.take().unwrap_or_default();
                section(&mut out, CODE_SECTION, &content);
            }
            continue;
        }
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        let content = slice(wasm, range.clone())?;
        if id != 0 {
            fill(&mut out, rank(id), &mut wrote_globals, &mut wrote_exports);
        }
        match id {
            GLOBAL_SECTION => {
                let (count, rest) = entries(content, range.start)?;
                let mut merged = Vec::new();
                (count + 2).encode(&mut merged);
                merged.extend_from_slice(rest);
                merged.extend_from_slice(&new_globals);
                section(&mut out, GLOBAL_SECTION, &merged);
                wrote_globals = true;
            }
            EXPORT_SECTION => {
                let (count, rest) = entries(content, range.start)?;
                let mut merged = Vec::new();
                (count + added_exports).encode(&mut merged);
                merged.extend_from_slice(rest);
                merged.extend_from_slice(&new_exports);
                section(&mut out, EXPORT_SECTION, &merged);
                wrote_exports = true;
            }
            // Run by the host, after it sets the fuel.
            START_SECTION => {}
            CODE_SECTION => {
                let Payload::CodeSectionStart { count, .. } = payload else {
                    return Err("a code section without its count".into());
                };
                // The section is written whole once its last body is read.
                let mut header = Vec::new();
                count.encode(&mut header);
                if count == 0 {
                    section(&mut out, CODE_SECTION, &header);
                } else {
                    code = Some((header, count));
                }
            }
            _ => section(&mut out, id, content),
        }
    }
    fill(&mut out, u8::MAX, &mut wrote_globals, &mut wrote_exports);
    if code.is_some() {
        return Err("the code section ends before its last function body".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmi::{Config, Engine, Linker, Module, Store, Val};

    /// The fuel a module's start function burns, metered by [`instrument`]
    /// and run on wasmi without its own fuel: as wasmtime's fuel.wast
    /// measures it.
    fn fuel(wat: &str) -> u64 {
        let wasm = wat::parse_str(wat).expect("test WAT");
        let metered = instrument(&wasm).expect("instruments");
        let mut config = Config::default();
        config.consume_fuel(false);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, &metered[..]).expect("the metered module is valid");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .expect("instantiates");
        let budget = 1_000_000i64;
        let global = instance
            .get_global(&store, FUEL_GLOBAL)
            .expect("fuel global");
        global.set(&mut store, Val::I64(budget)).expect("set");
        let Some(start) = instance.get_func(&store, START_EXPORT) else {
            return 0;
        };
        // A trap (the cases ending in `unreachable`) still burned fuel.
        let _ = start.call(&mut store, &[], &mut []);
        let Val::I64(left) = global.get(&store) else {
            panic!("fuel global is i64");
        };
        u64::try_from(budget - left).expect("fuel only goes down") + CALL_FROM_HOST
    }

    /// wasmtime 7's `tests/all/fuel.wast`: each module's start function and
    /// the fuel it burns.
    const FUEL_WAST: &[(u64, &str)] = &[
        (3, "(func $f) (start $f)"),
        (4, "(func $f i32.const 0 drop) (start $f)"),
        (3, "(func $f block end) (start $f)"),
        (3, "(func $f unreachable) (start $f)"),
        (
            9,
            "(func $f i32.const 0 i32.const 0 i32.const 0 i32.const 0 i32.const 0 i32.const 0 unreachable) (start $f)",
        ),
        (
            3,
            "(func $f return i32.const 0 i32.const 0 i32.const 0 i32.const 0 i32.const 0 i32.const 0 unreachable) (start $f)",
        ),
        (5, "(func $f i32.const 0 if call $f end) (start $f)"),
        (
            6,
            "(func $f i32.const 1 if i32.const 0 drop end) (start $f)",
        ),
        (
            6,
            "(func $f i32.const 1 if i32.const 0 drop else call $f end) (start $f)",
        ),
        (
            6,
            "(func $f i32.const 0 if call $f else i32.const 0 drop end) (start $f)",
        ),
        (
            5,
            "(func $f block i32.const 1 br_if 0 i32.const 0 drop end) (start $f)",
        ),
        (
            6,
            "(func $f block i32.const 0 br_if 0 i32.const 0 drop end) (start $f)",
        ),
        (4, "(func $f i32.const 0 unreachable) (start $f)"),
        (4, "(func $f i32.const 0 return) (start $f)"),
        (5, "(func $f call $other) (func $other) (start $f)"),
        (
            7,
            "(func $f i32.const 0 call $other i32.const 0 drop) (func $other (param i32)) (start $f)",
        ),
        (
            6,
            "(func $f call $other drop) (func $other (result i32) i32.const 0) (start $f)",
        ),
        (
            6,
            "(func $f i32.const 0 call_indirect) (func $other) (table funcref (elem $other)) (start $f)",
        ),
        (3, "(func $f loop end) (start $f)"),
        (
            55,
            "(func $f (local i32) i32.const 10 local.set 0 loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end) (start $f)",
        ),
    ];

    #[test]
    fn every_case_of_wasmtimes_fuel_wast_burns_the_same_fuel() {
        assert_eq!(fuel("(module)"), 0);
        let wrong: Vec<String> = FUEL_WAST
            .iter()
            .filter_map(|(expected, body)| {
                let found = fuel(&format!("(module {body})"));
                (found != *expected).then(|| format!("{body}: {found}, wasmtime {expected}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn a_loop_without_end_stops_at_a_check_with_the_flag_set() {
        let wasm =
            wat::parse_str("(module (func (export \"run\") (loop $l (br $l))))").expect("WAT");
        let metered = instrument(&wasm).expect("instruments");
        let engine = Engine::new(Config::default().consume_fuel(false));
        let module = Module::new(&engine, &metered[..]).expect("valid");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .expect("instantiates");
        let fuel = instance.get_global(&store, FUEL_GLOBAL).expect("fuel");
        fuel.set(&mut store, Val::I64(1_000)).expect("set");
        let run = instance.get_func(&store, "run").expect("run");
        assert!(run.call(&mut store, &[], &mut []).is_err());
        let flag = instance
            .get_global(&store, OUT_OF_FUEL_GLOBAL)
            .expect("flag");
        assert!(matches!(flag.get(&store), Val::I32(1)));
        let Val::I64(left) = fuel.get(&store) else {
            panic!("i64");
        };
        assert!(left <= 0, "{left}");
    }

    #[test]
    fn modules_with_globals_exports_data_and_names_stay_valid() {
        let wasm = wat::parse_str(
            r#"(module $m
                (import "env" "g" (global $g i32))
                (global $h (mut i32) (i32.const 7))
                (memory (export "memory") 1)
                (data (i32.const 0) "hi")
                (func $f (export "f") (result i32) global.get $g global.get $h i32.add)
                (func $s) (start $s))"#,
        )
        .expect("WAT");
        let metered = instrument(&wasm).expect("instruments");
        Module::validate(&Engine::default(), &metered).expect("the metered module validates");
        // The fuel globals come after the imported and the defined one.
        let text = wasmprinter_free_check(&metered);
        assert!(text.contains(FUEL_GLOBAL) && text.contains(START_EXPORT));
    }

    /// The export names in `wasm` (a check that needs no printer).
    fn wasmprinter_free_check(wasm: &[u8]) -> String {
        let mut names = String::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Ok(Payload::ExportSection(exports)) = payload {
                for export in exports.into_iter().flatten() {
                    names.push_str(export.name);
                    names.push(' ');
                }
            }
        }
        names
    }
}
