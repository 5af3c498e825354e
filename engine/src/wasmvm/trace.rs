//! Recording what a Wasm call executes, for the debugger.
//!
//! A call asked to record (see [`crate::vm::Sandbox::trace_steps`]) runs
//! the module as [`super::meter::instrument_traced`] rewrote it: before
//! each instruction that executes, the module calls the step import with
//! the instruction's [`Site`], and [`Tracer::step`] keeps it with the gas
//! left before it and the call depth. Host calls are kept with the
//! instruction that made them (the `call` of `hostStateGet` or
//! `hostStateSet`), decoded: which sandbox function, its arguments and its
//! result. The trace node's detail then holds `wasm_steps` (each `{depth,
//! pc, op, gas, func, host?}` — `pc` the byte offset in the module),
//! `wasm_functions` (names from the name section, else the exports) and
//! `wasm_steps_total`. Recording changes neither the fuel nor anything the
//! contract sees.

use super::meter::Site;
use crate::vm::GAS;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasmparser::{BinaryReader, Operator, OperatorsReader, Parser, Payload};

/// What a host call did, as the debugger shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostCall {
    /// `FN_PARAMS`, `state get`, `state set`, …
    pub(crate) name: String,
    pub(crate) args: String,
    pub(crate) result: String,
}

impl HostCall {
    pub(crate) fn new(name: impl Into<String>, args: String, result: String) -> Self {
        Self {
            name: name.into(),
            args,
            result,
        }
    }
}

/// The most bytes of a host call's argument or result shown.
const SHOWN_BYTES: usize = 64;

/// Bytes for people: printable ASCII as a quoted string, else `0x` hex;
/// long ones cut with their length noted.
pub(crate) fn show(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty)".into();
    }
    let shown = &bytes[..bytes.len().min(SHOWN_BYTES)];
    let text = if shown.iter().all(|b| (0x20..0x7f).contains(b)) {
        format!("\"{}\"", String::from_utf8_lossy(shown))
    } else {
        const_hex::encode_prefixed(shown)
    };
    if bytes.len() > SHOWN_BYTES {
        format!("{text}… ({} bytes)", bytes.len())
    } else {
        text
    }
}

struct Step {
    site: u32,
    gas: u64,
    depth: u32,
    host: Vec<HostCall>,
}

/// The steps one Wasm call records.
pub(crate) struct Tracer {
    sites: Rc<[Site]>,
    /// The module as deployed: what the sites point into.
    wasm: Rc<[u8]>,
    /// How many steps this call may record.
    room: u32,
    steps: Vec<Step>,
    /// Instructions executed, recorded or not.
    total: u64,
    depth: u32,
    /// Fuel burned since the host last set the guest's fuel.
    burned: u64,
    /// Steps already counted against the request's budget.
    reported: u32,
}

impl Tracer {
    pub(crate) fn new(sites: Rc<[Site]>, wasm: Rc<[u8]>, room: u32) -> Self {
        Self {
            sites,
            wasm,
            room,
            steps: Vec::new(),
            total: 0,
            depth: 0,
            burned: 0,
            reported: 0,
        }
    }

    /// Instruction `site` is about to run; the guest had `fuel` when the
    /// host last set it.
    pub(crate) fn step(&mut self, site: u32, fuel: u64) {
        let Some(found) = self.sites.get(site as usize).copied() else {
            return;
        };
        if found.entry {
            self.depth += 1;
        }
        let gas = fuel
            .saturating_sub(self.burned)
            .saturating_mul(GAS.wasm_instruction);
        self.burned += u64::from(found.cost);
        self.total += 1;
        if self.steps.len() < self.room as usize {
            self.steps.push(Step {
                site,
                gas,
                depth: self.depth.saturating_sub(1),
                host: Vec::new(),
            });
        }
        if found.leaves {
            self.depth = self.depth.saturating_sub(1);
        }
    }

    /// The host has set the guest's fuel: count from there.
    pub(crate) fn synced(&mut self) {
        self.burned = 0;
    }

    /// Whether the instruction executed last was recorded (not past the
    /// budget).
    fn last_recorded(&self) -> bool {
        self.total as usize == self.steps.len()
    }

    /// A host call the last recorded instruction made.
    pub(crate) fn host(&mut self, call: HostCall) {
        if self.last_recorded()
            && let Some(step) = self.steps.last_mut()
        {
            step.host.push(call);
        }
    }

    /// The index of the last recorded step, if it is the last executed.
    pub(crate) fn last_step(&self) -> Option<u32> {
        self.last_recorded()
            .then(|| self.steps.len().checked_sub(1))
            .flatten()
            .and_then(|i| u32::try_from(i).ok())
    }

    /// Steps recorded since the last report (and counts them reported).
    pub(crate) fn unreported(&mut self) -> u32 {
        let recorded = u32::try_from(self.steps.len()).unwrap_or(u32::MAX);
        let new = recorded.saturating_sub(self.reported);
        self.reported = recorded;
        new
    }

    /// The request's budget left `room` more steps (after a nested call).
    pub(crate) fn resize(&mut self, room: u32) {
        self.room = u32::try_from(self.steps.len())
            .unwrap_or(u32::MAX)
            .saturating_add(room);
    }

    /// The trace node's detail.
    pub(crate) fn detail(&self) -> serde_json::Value {
        let wasm = &self.wasm[..];
        let names = function_names(wasm);
        let mut texts: BTreeMap<u32, String> = BTreeMap::new();
        let mut functions = serde_json::Map::new();
        let steps: Vec<serde_json::Value> = self
            .steps
            .iter()
            .filter_map(|step| {
                let site = self.sites.get(step.site as usize)?;
                let op = texts
                    .entry(site.offset)
                    .or_insert_with(|| mnemonic(wasm, site.offset, &names))
                    .clone();
                functions
                    .entry(site.func.to_string())
                    .or_insert_with(|| name_of(&names, site.func).into());
                let mut value = serde_json::json!({
                    "depth": step.depth,
                    "pc": site.offset,
                    "op": op,
                    "gas": step.gas,
                    "func": site.func,
                });
                if !step.host.is_empty() {
                    value["host"] = step
                        .host
                        .iter()
                        .map(|call| {
                            serde_json::json!({
                                "name": call.name,
                                "args": call.args,
                                "result": call.result,
                            })
                        })
                        .collect();
                }
                Some(value)
            })
            .collect();
        serde_json::json!({
            "wasm_steps": steps,
            "wasm_functions": functions,
            "wasm_steps_total": self.total,
        })
    }
}

/// Function names: the name section's, else an export's.
fn function_names(wasm: &[u8]) -> BTreeMap<u32, String> {
    let mut names = BTreeMap::new();
    let mut exported = BTreeMap::new();
    for payload in Parser::new(0).parse_all(wasm).flatten() {
        match payload {
            Payload::ExportSection(exports) => {
                for export in exports.into_iter().flatten() {
                    if export.kind == wasmparser::ExternalKind::Func {
                        exported
                            .entry(export.index)
                            .or_insert_with(|| export.name.to_owned());
                    }
                }
            }
            Payload::CustomSection(custom) => {
                if let wasmparser::KnownCustom::Name(reader) = custom.as_known() {
                    for name in reader.into_iter().flatten() {
                        if let wasmparser::Name::Function(map) = name {
                            for naming in map.into_iter().flatten() {
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (index, name) in exported {
        names.entry(index).or_insert(name);
    }
    names
}

fn name_of(names: &BTreeMap<u32, String>, func: u32) -> String {
    names
        .get(&func)
        .cloned()
        .unwrap_or_else(|| format!("func {func}"))
}

/// The one-byte opcodes' names in the text format, by opcode (empty:
/// none).
#[rustfmt::skip]
const SINGLE: [&str; 0xd3] = [
    "unreachable",
    "nop",
    "block",
    "loop",
    "if",
    "else",
    "try",
    "catch",
    "throw",
    "rethrow",
    "throw_ref",
    "end",
    "br",
    "br_if",
    "br_table",
    "return",
    "call",
    "call_indirect",
    "return_call",
    "return_call_indirect",
    "call_ref",
    "return_call_ref",
    "",
    "",
    "delegate",
    "catch_all",
    "drop",
    "select",
    "select",
    "",
    "",
    "try_table",
    "local.get",
    "local.set",
    "local.tee",
    "global.get",
    "global.set",
    "table.get",
    "table.set",
    "",
    "i32.load",
    "i64.load",
    "f32.load",
    "f64.load",
    "i32.load8_s",
    "i32.load8_u",
    "i32.load16_s",
    "i32.load16_u",
    "i64.load8_s",
    "i64.load8_u",
    "i64.load16_s",
    "i64.load16_u",
    "i64.load32_s",
    "i64.load32_u",
    "i32.store",
    "i64.store",
    "f32.store",
    "f64.store",
    "i32.store8",
    "i32.store16",
    "i64.store8",
    "i64.store16",
    "i64.store32",
    "memory.size",
    "memory.grow",
    "i32.const",
    "i64.const",
    "f32.const",
    "f64.const",
    "i32.eqz",
    "i32.eq",
    "i32.ne",
    "i32.lt_s",
    "i32.lt_u",
    "i32.gt_s",
    "i32.gt_u",
    "i32.le_s",
    "i32.le_u",
    "i32.ge_s",
    "i32.ge_u",
    "i64.eqz",
    "i64.eq",
    "i64.ne",
    "i64.lt_s",
    "i64.lt_u",
    "i64.gt_s",
    "i64.gt_u",
    "i64.le_s",
    "i64.le_u",
    "i64.ge_s",
    "i64.ge_u",
    "f32.eq",
    "f32.ne",
    "f32.lt",
    "f32.gt",
    "f32.le",
    "f32.ge",
    "f64.eq",
    "f64.ne",
    "f64.lt",
    "f64.gt",
    "f64.le",
    "f64.ge",
    "i32.clz",
    "i32.ctz",
    "i32.popcnt",
    "i32.add",
    "i32.sub",
    "i32.mul",
    "i32.div_s",
    "i32.div_u",
    "i32.rem_s",
    "i32.rem_u",
    "i32.and",
    "i32.or",
    "i32.xor",
    "i32.shl",
    "i32.shr_s",
    "i32.shr_u",
    "i32.rotl",
    "i32.rotr",
    "i64.clz",
    "i64.ctz",
    "i64.popcnt",
    "i64.add",
    "i64.sub",
    "i64.mul",
    "i64.div_s",
    "i64.div_u",
    "i64.rem_s",
    "i64.rem_u",
    "i64.and",
    "i64.or",
    "i64.xor",
    "i64.shl",
    "i64.shr_s",
    "i64.shr_u",
    "i64.rotl",
    "i64.rotr",
    "f32.abs",
    "f32.neg",
    "f32.ceil",
    "f32.floor",
    "f32.trunc",
    "f32.nearest",
    "f32.sqrt",
    "f32.add",
    "f32.sub",
    "f32.mul",
    "f32.div",
    "f32.min",
    "f32.max",
    "f32.copysign",
    "f64.abs",
    "f64.neg",
    "f64.ceil",
    "f64.floor",
    "f64.trunc",
    "f64.nearest",
    "f64.sqrt",
    "f64.add",
    "f64.sub",
    "f64.mul",
    "f64.div",
    "f64.min",
    "f64.max",
    "f64.copysign",
    "i32.wrap_i64",
    "i32.trunc_f32_s",
    "i32.trunc_f32_u",
    "i32.trunc_f64_s",
    "i32.trunc_f64_u",
    "i64.extend_i32_s",
    "i64.extend_i32_u",
    "i64.trunc_f32_s",
    "i64.trunc_f32_u",
    "i64.trunc_f64_s",
    "i64.trunc_f64_u",
    "f32.convert_i32_s",
    "f32.convert_i32_u",
    "f32.convert_i64_s",
    "f32.convert_i64_u",
    "f32.demote_f64",
    "f64.convert_i32_s",
    "f64.convert_i32_u",
    "f64.convert_i64_s",
    "f64.convert_i64_u",
    "f64.promote_f32",
    "i32.reinterpret_f32",
    "i64.reinterpret_f64",
    "f32.reinterpret_i32",
    "f64.reinterpret_i64",
    "i32.extend8_s",
    "i32.extend16_s",
    "i64.extend8_s",
    "i64.extend16_s",
    "i64.extend32_s",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "ref.null",
    "ref.is_null",
    "ref.func",
];

/// The `0xfc`-prefixed opcodes' names, by their second number.
#[rustfmt::skip]
const PREFIXED_FC: [&str; 18] = [
    "i32.trunc_sat_f32_s",
    "i32.trunc_sat_f32_u",
    "i32.trunc_sat_f64_s",
    "i32.trunc_sat_f64_u",
    "i64.trunc_sat_f32_s",
    "i64.trunc_sat_f32_u",
    "i64.trunc_sat_f64_s",
    "i64.trunc_sat_f64_u",
    "memory.init",
    "data.drop",
    "memory.copy",
    "memory.fill",
    "table.init",
    "elem.drop",
    "table.copy",
    "table.grow",
    "table.size",
    "table.fill",
];

/// The instruction at `offset` in `wasm`, in the text format's words
/// (`i32.add`, `local.get 2`, `call $name`, `i32.load offset=8`).
pub(crate) fn mnemonic(wasm: &[u8], offset: u32, names: &BTreeMap<u32, String>) -> String {
    let Some(rest) = wasm.get(offset as usize..) else {
        return "?".into();
    };
    let Some(&opcode) = rest.first() else {
        return "?".into();
    };
    let name = match opcode {
        0xfc => {
            let mut reader = BinaryReader::new(&rest[1..], 0);
            match reader.read_var_u32() {
                Ok(sub) => PREFIXED_FC
                    .get(sub as usize)
                    .map_or_else(|| format!("0xfc {sub}"), |name| (*name).to_owned()),
                Err(_) => "?".into(),
            }
        }
        0xfd => "(a SIMD instruction)".into(),
        _ => match SINGLE.get(usize::from(opcode)) {
            Some(name) if !name.is_empty() => (*name).to_owned(),
            _ => format!("0x{opcode:02x}"),
        },
    };
    // A load or store: its static offset, when it has one.
    if (0x28..=0x3e).contains(&opcode) {
        let mut reader = BinaryReader::new(&rest[1..], 0);
        let offset = reader.read_var_u32().and_then(|flags| {
            if flags & 0x40 != 0 {
                reader.read_var_u32()?;
            }
            reader.read_var_u64()
        });
        return match offset {
            Ok(0) | Err(_) => name,
            Ok(offset) => format!("{name} offset={offset}"),
        };
    }
    let mut reader = OperatorsReader::new(BinaryReader::new(rest, u64::from(offset)));
    let Ok(op) = reader.read() else {
        return name;
    };
    match op {
        Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
            format!("{name} ${}", name_of(names, function_index))
        }
        Operator::LocalGet { local_index }
        | Operator::LocalSet { local_index }
        | Operator::LocalTee { local_index } => format!("{name} {local_index}"),
        Operator::GlobalGet { global_index } | Operator::GlobalSet { global_index } => {
            format!("{name} {global_index}")
        }
        Operator::I32Const { value } => format!("{name} {value}"),
        Operator::I64Const { value } => format!("{name} {value}"),
        Operator::F32Const { value } => format!("{name} {}", f32::from_bits(value.bits())),
        Operator::F64Const { value } => format!("{name} {}", f64::from_bits(value.bits())),
        Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
            format!("{name} {relative_depth}")
        }
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_read_in_the_text_formats_words() {
        let wasm = wat::parse_str(
            r#"(module (memory 1)
                (func $first (param i32) (result i32)
                    local.get 0 i32.load offset=8 i32.const -3 i32.add call $first
                    i64.extend_i32_u i32.wrap_i64 i32.load8_u i32.trunc_sat_f32_s drop
                    memory.size))"#,
        )
        .expect("WAT");
        let names = function_names(&wasm);
        assert_eq!(names.get(&0).map(String::as_str), Some("first"));
        // The body's instructions, by offset.
        let mut texts = Vec::new();
        for payload in Parser::new(0).parse_all(&wasm).flatten() {
            if let Payload::CodeSectionEntry(body) = payload {
                let mut ops = body.get_operators_reader().expect("ops");
                while !ops.eof() {
                    let offset = u32::try_from(ops.original_position()).expect("small");
                    ops.read().expect("op");
                    texts.push(mnemonic(&wasm, offset, &names));
                }
            }
        }
        assert_eq!(
            texts,
            [
                "local.get 0",
                "i32.load offset=8",
                "i32.const -3",
                "i32.add",
                "call $first",
                "i64.extend_i32_u",
                "i32.wrap_i64",
                "i32.load8_u",
                "i32.trunc_sat_f32_s",
                "drop",
                "memory.size",
                "end"
            ]
        );
        assert_eq!(show(b"counter"), "\"counter\"");
        assert_eq!(show(&[0, 1]), "0x0001");
        assert_eq!(show(&[]), "(empty)");
        assert!(show(&[7; 100]).ends_with("… (100 bytes)"));
    }
}
