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
        format!("0x{}", hex::encode(shown))
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

    /// A host call the last recorded instruction made.
    pub(crate) fn host(&mut self, call: HostCall) {
        if self.total as usize == self.steps.len()
            && let Some(step) = self.steps.last_mut()
        {
            step.host.push(call);
        }
    }

    /// The index of the last recorded step, if it is the last executed.
    pub(crate) fn last_step(&self) -> Option<u32> {
        (self.total as usize == self.steps.len())
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

/// The instruction at `offset` in `wasm`, in the text format's words
/// (`i32.add`, `local.get 2`, `call $name`, `i32.load offset=8`).
pub(crate) fn mnemonic(wasm: &[u8], offset: u32, names: &BTreeMap<u32, String>) -> String {
    let Some(rest) = wasm.get(offset as usize..) else {
        return "?".into();
    };
    let mut reader = OperatorsReader::new(BinaryReader::new(rest, u64::from(offset)));
    let Ok(op) = reader.read() else {
        return "?".into();
    };
    let debug = format!("{op:?}");
    let head = debug.split([' ', '{', '(']).next().unwrap_or_default();
    let name = text_name(head);
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
        _ => match debug.split_once("offset: ") {
            // A load or store: its static offset, when it has one.
            Some((_, after)) => {
                let offset: String = after.chars().take_while(char::is_ascii_digit).collect();
                if offset.is_empty() || offset == "0" {
                    name
                } else {
                    format!("{name} offset={offset}")
                }
            }
            None => name,
        },
    }
}

/// wasmparser's operator name (`I32Load8U`) in the text format
/// (`i32.load8_u`).
fn text_name(head: &str) -> String {
    const PREFIXES: [&str; 18] = [
        "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2", "V128", "I32", "I64", "F32", "F64",
        "Local", "Global", "Memory", "Table", "Ref", "Data", "Elem",
    ];
    let snake = |words: &str| {
        let mut out = String::new();
        for (i, c) in words.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    };
    for prefix in PREFIXES {
        if let Some(rest) = head.strip_prefix(prefix)
            && rest.starts_with(|c: char| c.is_ascii_uppercase())
        {
            return format!("{}.{}", prefix.to_ascii_lowercase(), snake(rest));
        }
    }
    snake(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_read_in_the_text_formats_words() {
        for (head, text) in [
            ("I32Add", "i32.add"),
            ("I32Load8U", "i32.load8_u"),
            ("I64ExtendI32S", "i64.extend_i32_s"),
            ("BrIf", "br_if"),
            ("CallIndirect", "call_indirect"),
            ("MemoryGrow", "memory.grow"),
            ("LocalTee", "local.tee"),
            ("I32x4Add", "i32x4.add"),
            ("RefIsNull", "ref.is_null"),
            ("End", "end"),
        ] {
            assert_eq!(text_name(head), text, "{head}");
        }
        let wasm = wat::parse_str(
            r#"(module (memory 1)
                (func $first (param i32) (result i32)
                    local.get 0 i32.load offset=8 i32.const -3 i32.add call $first))"#,
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
                "end"
            ]
        );
        assert_eq!(show(b"counter"), "\"counter\"");
        assert_eq!(show(&[0, 1]), "0x0001");
        assert_eq!(show(&[]), "(empty)");
        assert!(show(&[7; 100]).ends_with("… (100 bytes)"));
    }
}
