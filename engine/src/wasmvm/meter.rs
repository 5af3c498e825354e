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
//!
//! [`instrument_traced`] does the same and also records what runs, for a
//! debugger: before each instruction that executes it calls an added
//! import, [`TRACE_MODULE`].[`TRACE_STEP`]`(site)`, where `site` indexes
//! the [`Site`]s it returns. The import comes after the module's own, so
//! every defined function's index moves up by one in the traced module
//! (calls, exports, elements and `ref.func` follow; the name section is
//! left out — read names from the module as deployed). The fuel count is
//! the same: the added calls are not metered.

use std::ops::Range;
use wasm_encoder::{BlockType, ConstExpr, Encode, ExportKind, GlobalType, Instruction, ValType};
use wasmparser::{Operator, Parser, Payload, TypeRef};

/// The module of the import a traced module calls before each instruction.
pub(crate) const TRACE_MODULE: &str = "isc-playground";
/// Its name: `step(site: i32)`.
pub(crate) const TRACE_STEP: &str = "step";

/// One instruction of a traced module: what a recorded step points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Site {
    /// Its function, by index in the module as deployed.
    pub(crate) func: u32,
    /// Its byte offset in the module as deployed.
    pub(crate) offset: u32,
    /// The fuel it burns (a function's first instruction also carries the
    /// function's own 1).
    pub(crate) cost: u8,
    /// The function's first instruction: the call entered it.
    pub(crate) entry: bool,
    /// It leaves the function: its final `end`, `return`, a tail call.
    pub(crate) leaves: bool,
}

/// The tracing half of a traced rewrite.
struct Tracing {
    /// Functions the module imports (the step import's index).
    imported: u32,
    /// The function whose body is being rewritten.
    func: u32,
    sites: Vec<Site>,
}

/// Function `func` of a module importing `imported` functions, in its
/// traced rewrite: defined functions move up one, past the step import.
fn shifted(func: u32, imported: u32) -> u32 {
    if func >= imported { func + 1 } else { func }
}

impl Tracing {
    fn shift(&self, func: u32) -> u32 {
        Refs::Traced(self.imported).func(func)
    }

    /// Writes `op` (read as `raw`), its function index shifted.
    fn emit(&self, out: &mut Vec<u8>, op: &Operator<'_>, raw: &[u8]) {
        match *op {
            Operator::Call { function_index } => {
                Instruction::Call(self.shift(function_index)).encode(out);
            }
            Operator::ReturnCall { function_index } => {
                Instruction::ReturnCall(self.shift(function_index)).encode(out);
            }
            Operator::RefFunc { function_index } => {
                Instruction::RefFunc(self.shift(function_index)).encode(out);
            }
            _ => out.extend_from_slice(raw),
        }
    }
}

/// How a rewrite renumbers what refers to a function (exports, tables,
/// `ref.func`, the start function).
#[derive(Clone, Copy)]
enum Refs<'g> {
    /// As deployed.
    Same,
    /// Past the step import, the module importing this many functions.
    Traced(u32),
    /// To each defined function's wrapper.
    Guarded(&'g Guard),
}

impl Refs<'_> {
    fn func(self, func: u32) -> u32 {
        match self {
            Self::Same => func,
            Self::Traced(imported) => shifted(func, imported),
            Self::Guarded(guard) => guard.wrapper(func),
        }
    }
}

/// Constant expressions and element segments with function references
/// renumbered (`ref.func`, function lists).
struct Shift<'w, 'g> {
    wasm: &'w [u8],
    refs: Refs<'g>,
}

impl Shift<'_, '_> {
    fn func(&self, func: u32) -> u32 {
        self.refs.func(func)
    }

    /// `expr` re-encoded (without its `end`), `ref.func` shifted.
    fn const_expr(&self, expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, String> {
        let mut reader = expr.get_operators_reader();
        let mut bytes = Vec::new();
        loop {
            let start = reader.original_position();
            let op = reader.read().map_err(|e| e.to_string())?;
            match op {
                Operator::End => break,
                Operator::RefFunc { function_index } => {
                    Instruction::RefFunc(self.func(function_index)).encode(&mut bytes);
                }
                _ => bytes.extend_from_slice(slice(self.wasm, start..reader.original_position())?),
            }
        }
        Ok(ConstExpr::raw(bytes))
    }

    /// A global section's content: each global's type as it was, its
    /// initialiser shifted.
    fn globals(
        &self,
        reader: &wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(u32, Vec<u8>), String> {
        let mut out = Vec::new();
        for global in reader.clone().into_iter_with_offsets() {
            let (offset, global) = global.map_err(|e| e.to_string())?;
            let init = global.init_expr.get_binary_reader().original_position();
            out.extend_from_slice(slice(self.wasm, offset..init)?);
            self.const_expr(&global.init_expr)?.encode(&mut out);
        }
        Ok((reader.count(), out))
    }

    /// An element section, function indices shifted.
    fn elements(
        &self,
        reader: &wasmparser::ElementSectionReader<'_>,
    ) -> Result<wasm_encoder::ElementSection, String> {
        use std::borrow::Cow;
        use wasm_encoder::{Elements, RefType};
        let mut section = wasm_encoder::ElementSection::new();
        for element in reader.clone() {
            let element = element.map_err(|e| e.to_string())?;
            let items = match element.items {
                wasmparser::ElementItems::Functions(funcs) => {
                    let funcs = funcs
                        .into_iter()
                        .map(|f| f.map(|f| self.func(f)))
                        .collect::<Result<Vec<u32>, _>>()
                        .map_err(|e| e.to_string())?;
                    Elements::Functions(Cow::Owned(funcs))
                }
                wasmparser::ElementItems::Expressions(ty, exprs) => {
                    let ty = if ty == wasmparser::RefType::FUNCREF {
                        RefType::FUNCREF
                    } else if ty == wasmparser::RefType::EXTERNREF {
                        RefType::EXTERNREF
                    } else {
                        return Err(format!("an element segment of {ty:?}"));
                    };
                    let exprs = exprs
                        .into_iter()
                        .map(|e| {
                            e.map_err(|e| e.to_string())
                                .and_then(|e| self.const_expr(&e))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Elements::Expressions(ty, Cow::Owned(exprs))
                }
            };
            match element.kind {
                wasmparser::ElementKind::Passive => section.passive(items),
                wasmparser::ElementKind::Declared => section.declared(items),
                wasmparser::ElementKind::Active {
                    table_index,
                    offset_expr,
                } => section.active(table_index, &self.const_expr(&offset_expr)?, items),
            };
        }
        Ok(section)
    }
}

/// The exported global holding the fuel left (`i64`, mutable).
pub const FUEL_GLOBAL: &str = "isc-playground:fuel";
/// The exported global set to 1 when a check finds no fuel left (`i32`).
pub const OUT_OF_FUEL_GLOBAL: &str = "isc-playground:out-of-fuel";
/// The module's start function, exported instead of run at instantiation.
pub const START_EXPORT: &str = "isc-playground:start";
/// What the host's call into an export costs besides the function itself:
/// wasmtime's fuel.wast counts an empty start function as 3 (1 for the
/// function, 2 for being called).
pub(crate) const CALL_FROM_HOST: u64 = 2;

const TYPE_SECTION: u8 = 1;
const IMPORT_SECTION: u8 = 2;
const FUNCTION_SECTION: u8 = 3;
const GLOBAL_SECTION: u8 = 6;
const EXPORT_SECTION: u8 = 7;
const START_SECTION: u8 = 8;
const ELEMENT_SECTION: u8 = 9;
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

/// Where the fuel count lives while a function body runs.
#[derive(Clone, Copy)]
struct Globals {
    /// The fuel counter global ([`FUEL_GLOBAL`], an `i64`).
    fuel: u32,
    out_of_fuel: u32,
    /// The guarded form keeps the count in this param of the function
    /// (an `i64`, passed and returned by direct calls): written to the
    /// global before a call to the host or through a table and read
    /// back after it. A host function or the host then sees the count as
    /// the global alone would hold it, and every check the same number.
    local: Option<u32>,
}

impl Globals {
    fn get(self) -> Instruction<'static> {
        self.local
            .map_or(Instruction::GlobalGet(self.fuel), Instruction::LocalGet)
    }

    fn set(self) -> Instruction<'static> {
        self.local
            .map_or(Instruction::GlobalSet(self.fuel), Instruction::LocalSet)
    }

    /// `fuel -= cost` (nothing for 0).
    fn charge(self, out: &mut Vec<u8>, cost: u64) {
        if cost == 0 {
            return;
        }
        for instruction in [
            self.get(),
            Instruction::I64Const(i64::try_from(cost).unwrap_or(i64::MAX)),
            Instruction::I64Sub,
            self.set(),
        ] {
            instruction.encode(out);
        }
    }

    /// `if fuel <= 0 { out_of_fuel = 1; unreachable }`.
    fn check(self, out: &mut Vec<u8>) {
        for instruction in [
            self.get(),
            Instruction::I64Const(0),
            Instruction::I64LeS,
            Instruction::If(BlockType::Empty),
        ] {
            instruction.encode(out);
        }
        self.save(out);
        for instruction in [
            Instruction::I32Const(1),
            Instruction::GlobalSet(self.out_of_fuel),
            Instruction::Unreachable,
            Instruction::End,
        ] {
            instruction.encode(out);
        }
    }

    /// The local's count into the global (nothing without a local).
    fn save(self, out: &mut Vec<u8>) {
        if let Some(local) = self.local {
            Instruction::LocalGet(local).encode(out);
            Instruction::GlobalSet(self.fuel).encode(out);
        }
    }

    /// The global's count into the local (nothing without a local).
    fn load(self, out: &mut Vec<u8>) {
        if let Some(local) = self.local {
            Instruction::GlobalGet(self.fuel).encode(out);
            Instruction::LocalSet(local).encode(out);
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

/// A function body being rewritten in the guarded form: where its fuel
/// and frames params are.
#[derive(Clone, Copy)]
struct Guarded<'g> {
    guard: &'g Guard,
    /// The function's own params (its fuel param's index).
    params: u32,
}

impl Guarded<'_> {
    fn fuel(self) -> u32 {
        self.params
    }

    fn frames(self) -> u32 {
        self.params + 1
    }

    /// A local's index past the two added params.
    fn local(self, index: u32) -> u32 {
        if index >= self.params {
            index + 2
        } else {
            index
        }
    }

    /// Writes `op` (read as `raw`) as the guarded form has it: locals past
    /// the added params, references to functions through their wrappers,
    /// a direct call with the fuel and the callee's frames as arguments
    /// and the fuel it leaves taken back.
    fn emit(self, out: &mut Vec<u8>, op: &Operator<'_>, raw: &[u8]) {
        match *op {
            Operator::LocalGet { local_index } => {
                Instruction::LocalGet(self.local(local_index)).encode(out);
            }
            Operator::LocalSet { local_index } => {
                Instruction::LocalSet(self.local(local_index)).encode(out);
            }
            Operator::LocalTee { local_index } => {
                Instruction::LocalTee(self.local(local_index)).encode(out);
            }
            Operator::RefFunc { function_index } => {
                Instruction::RefFunc(self.guard.wrapper(function_index)).encode(out);
            }
            Operator::Call { function_index } if self.guard.direct(function_index) => {
                let frame = self.guard.frame(op).unwrap_or(0);
                for instruction in [
                    Instruction::LocalGet(self.fuel()),
                    Instruction::LocalGet(self.frames()),
                    Instruction::I32Const(frame),
                    Instruction::I32Add,
                    Instruction::Call(function_index),
                    Instruction::LocalSet(self.fuel()),
                ] {
                    instruction.encode(out);
                }
            }
            _ => out.extend_from_slice(raw),
        }
    }
}

/// One function body, metered: its locals as they were, then its
/// operators with the fuel charges and checks between them.
fn body(
    wasm: &[u8],
    function: &wasmparser::FunctionBody<'_>,
    globals: Globals,
    mut trace: Option<&mut Tracing>,
    guard: Option<(&Guard, u32)>,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut operators = function.get_operators_reader().map_err(|e| e.to_string())?;
    let range = function.range();
    let locals_end = operators.original_position();
    // The locals as declared (the guarded form's two more are params).
    out.extend_from_slice(slice(wasm, range.start..locals_end)?);
    let guarded = match guard {
        Some((guard, func)) => Some((
            Guarded {
                guard,
                params: guard.params(func)?,
            },
            func,
        )),
        None => None,
    };
    let globals = Globals {
        local: guarded.map(|(guarded, _)| guarded.fuel()),
        ..globals
    };
    // The function's own cost, then the entry check.
    globals.charge(&mut out, 1);
    globals.check(&mut out);
    // The guarded form's body is a block of the function's results, so
    // that the fuel can be put after them wherever it ends.
    if let Some((guarded, func)) = guarded {
        Instruction::Block(guarded.guard.block_type(func)?).encode(&mut out);
    }
    let guarded = guarded.map(|(guarded, _)| guarded);
    let mut pending = 0u64;
    // While unreachable: how many blocks deep into the dead code we are.
    let mut dead: Option<u32> = None;
    // How many blocks deep the live code is (0: the function's own).
    let mut depth = 0u32;
    let mut first = true;
    let emit =
        |out: &mut Vec<u8>, trace: &Option<&mut Tracing>, op: &Operator<'_>, raw: &[u8]| match (
            trace, guarded,
        ) {
            (Some(trace), _) => trace.emit(out, op, raw),
            (None, Some(guarded)) => guarded.emit(out, op, raw),
            (None, None) => out.extend_from_slice(raw),
        };
    // After the body's last `end` (which closes the guarded form's block):
    // the fuel, the function's own `end`.
    let close = |out: &mut Vec<u8>| {
        if let Some(guarded) = guarded {
            Instruction::LocalGet(guarded.fuel()).encode(out);
            Instruction::End.encode(out);
        }
    };
    while !operators.eof() {
        let (op, start) = operators.read_with_offset().map_err(|e| e.to_string())?;
        let raw = slice(wasm, start..operators.original_position())?;
        let opens = matches!(
            op,
            Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::TryTable { .. }
        );
        let last = matches!(op, Operator::End) && depth == 0;
        if let Some(dead_depth) = dead.as_mut() {
            match op {
                _ if opens => *dead_depth += 1,
                Operator::Else if *dead_depth == 0 => dead = None,
                Operator::End if *dead_depth == 0 => {
                    dead = None;
                    depth = depth.saturating_sub(1);
                }
                Operator::End => *dead_depth -= 1,
                _ => {}
            }
            emit(&mut out, &trace, &op, raw);
            if last && dead.is_none() {
                close(&mut out);
            }
            continue;
        }
        if let Some(trace) = trace.as_deref_mut() {
            let site = Site {
                func: trace.func,
                offset: u32::try_from(start).map_err(|_| "offset")?,
                cost: u8::try_from(cost(&op)).unwrap_or(1) + u8::from(first),
                entry: first,
                leaves: matches!(
                    op,
                    Operator::Return
                        | Operator::ReturnCall { .. }
                        | Operator::ReturnCallIndirect { .. }
                ) || last,
            };
            let id = i32::try_from(trace.sites.len()).map_err(|_| "too many instructions")?;
            trace.sites.push(site);
            Instruction::I32Const(id).encode(&mut out);
            Instruction::Call(trace.imported).encode(&mut out);
        }
        first = false;
        if opens {
            depth += 1;
        } else if matches!(op, Operator::End) {
            depth = depth.saturating_sub(1);
        }
        pending += cost(&op);
        if ends_run(&op) {
            globals.charge(&mut out, std::mem::take(&mut pending));
        }
        // A call the guarded form makes through the globals: into the
        // host, or through a table (to a wrapper).
        let through_globals = match op {
            Operator::Call { function_index } => {
                guarded.is_some_and(|guarded| !guarded.guard.direct(function_index))
            }
            Operator::CallIndirect { .. } => true,
            _ => false,
        };
        let frame = guarded.and_then(|guarded| guarded.guard.frame(&op));
        if let Some(guarded) = guarded {
            if let Some(frame) = frame {
                if through_globals {
                    guarded.guard.enter(&mut out, guarded.frames(), frame);
                } else {
                    Guard::check_budget(&mut out, guarded.frames(), frame);
                }
            }
            if matches!(op, Operator::MemoryGrow { .. }) {
                guarded.guard.growing(&mut out);
            }
            // And before `unreachable`: a trap leaves the count exact.
            if through_globals || matches!(op, Operator::Unreachable) {
                globals.save(&mut out);
            }
            if matches!(op, Operator::Return) {
                Instruction::LocalGet(guarded.fuel()).encode(&mut out);
            }
        }
        emit(&mut out, &trace, &op, raw);
        if let Some(guarded) = guarded
            && through_globals
        {
            globals.load(&mut out);
            if frame.is_some() {
                guarded.guard.leave(&mut out, guarded.frames());
            }
        }
        if last {
            close(&mut out);
        }
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
    rewrite(wasm, &census(wasm)?, None, None)
}

/// [`instrument`], and each instruction that executes first calls the
/// step import with its [`Site`]'s index (see the module documentation).
///
/// # Errors
/// As [`instrument`].
pub(crate) fn instrument_traced(wasm: &[u8]) -> Result<(Vec<u8>, Vec<Site>), String> {
    let mut tracing = Tracing {
        imported: 0,
        func: 0,
        sites: Vec::new(),
    };
    let module = rewrite(wasm, &census(wasm)?, Some(&mut tracing), None)?;
    Ok((module, tracing.sites))
}

/// The limits a module run on the host's own engine must keep as wasmi
/// keeps them: the host does not see that engine's `memory.grow`, so the
/// module checks them itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct GuardLimits {
    /// The most pages a memory may have (wasmi's limiter refuses more).
    pub(crate) max_pages: u64,
    /// The most elements a table may have.
    pub(crate) max_table_elements: u64,
}

/// The budget of the stack guard: a frame costs its function's
/// [`frame_cost`], and a call that would take the count past this traps.
/// Half of what wasmi allows (1 024 frames, 256 KiB of value stack, 8
/// bytes a slot), so wasmi never overflows where the guard lets a call
/// through.
pub(crate) const GUARD_BUDGET: u32 = 16 * 1024;

/// What a frame of a function costs the stack guard: at least 16 (so
/// 1 024 frames exceed [`GUARD_BUDGET`]), plus its locals (params
/// included) and twice its deepest operand stack (wasmi's slots for
/// temporaries, with room to spare).
fn frame_cost(locals: u32, operands: u32) -> u32 {
    16u32
        .saturating_add(locals)
        .saturating_add(operands.saturating_mul(2))
}

/// The stack guard of a module run on the host's own engine (see
/// [`instrument_guarded`]).
struct Guard {
    /// Each function's frame cost, by function index (imports: none).
    costs: Vec<u32>,
    /// The highest cost: what `call_indirect` charges.
    max: u32,
    /// Each function's params, by function index (imports: 0): its fuel
    /// and frames params come after them.
    params: Vec<u32>,
    /// The frames' count global.
    global: u32,
    limits: GuardLimits,
    /// Functions the module imports.
    imported: u32,
    /// Types the module declares (the added ones come after).
    types: u32,
    /// Each defined function's type.
    func_types: Vec<u32>,
    /// Each type's params and results.
    signatures: Vec<Signature>,
}

impl Guard {
    /// The count a call from the host starts from: the entry's frame.
    fn first(&self) -> i32 {
        i32::try_from(self.max).unwrap_or(i32::MAX)
    }

    /// The frame `op` opens, if it is a call into the module.
    fn frame(&self, op: &Operator<'_>) -> Option<i32> {
        let cost = match op {
            Operator::Call { function_index } => {
                *self.costs.get(usize::try_from(*function_index).ok()?)?
            }
            Operator::CallIndirect { .. } => self.max,
            _ => return None,
        };
        (cost > 0).then(|| i32::try_from(cost).unwrap_or(i32::MAX))
    }

    /// Before a call: `if frames + frame > budget { unreachable }`, then
    /// the global count is `frames + frame` — what the callee reads on
    /// entry into its own `frames` local.
    fn enter(&self, out: &mut Vec<u8>, frames: u32, frame: i32) {
        Self::check_budget(out, frames, frame);
        for instruction in [
            Instruction::LocalGet(frames),
            Instruction::I32Const(frame),
            Instruction::I32Add,
            Instruction::GlobalSet(self.global),
        ] {
            instruction.encode(out);
        }
    }

    /// Before `memory.grow`: traps if the memory would grow past
    /// `limits.max_pages`, where wasmi's limiter fails the call (the module's
    /// own maximum, below it, still gives −1 on both engines).
    fn growing(&self, out: &mut Vec<u8>) {
        let scratch = self.global + 1;
        let max = i64::try_from(self.limits.max_pages).unwrap_or(i64::MAX);
        for instruction in [
            Instruction::GlobalSet(scratch),
            Instruction::GlobalGet(scratch),
            Instruction::I64ExtendI32U,
            Instruction::MemorySize(0),
            Instruction::I64ExtendI32U,
            Instruction::I64Add,
            Instruction::I64Const(max),
            Instruction::I64GtU,
            Instruction::If(BlockType::Empty),
            Instruction::Unreachable,
            Instruction::End,
            Instruction::GlobalGet(scratch),
        ] {
            instruction.encode(out);
        }
    }

    /// After a call returned: the global count is this function's again
    /// (so the host's next call into the module starts where the last
    /// one did).
    fn leave(&self, out: &mut Vec<u8>, frames: u32) {
        Instruction::LocalGet(frames).encode(out);
        Instruction::GlobalSet(self.global).encode(out);
    }

    /// Before a direct call: `if frames + frame > budget { unreachable }`.
    fn check_budget(out: &mut Vec<u8>, frames: u32, frame: i32) {
        let budget = i32::try_from(GUARD_BUDGET).unwrap_or(i32::MAX);
        for instruction in [
            Instruction::LocalGet(frames),
            Instruction::I32Const(frame),
            Instruction::I32Add,
            Instruction::I32Const(budget),
            Instruction::I32GtU,
            Instruction::If(BlockType::Empty),
            Instruction::Unreachable,
            Instruction::End,
        ] {
            instruction.encode(out);
        }
    }

    /// Function `func`'s params: its fuel param's index.
    fn params(&self, func: u32) -> Result<u32, String> {
        usize::try_from(func)
            .ok()
            .and_then(|func| self.params.get(func))
            .copied()
            .ok_or_else(|| format!("no function {func}"))
    }

    /// Whether `func` is the module's own: called directly, with the
    /// fuel and frames as params and the fuel returned.
    fn direct(&self, func: u32) -> bool {
        func >= self.imported
    }

    /// Functions the module defines.
    fn defined(&self) -> u32 {
        u32::try_from(self.func_types.len()).unwrap_or(u32::MAX)
    }

    /// What stands for `func` wherever the module or the host refers to
    /// it (exports, tables, `ref.func`, the start function): its wrapper,
    /// which keeps the signature as deployed and the count in the globals.
    fn wrapper(&self, func: u32) -> u32 {
        if self.direct(func) {
            func + self.defined()
        } else {
            func
        }
    }

    /// Defined function `func`'s type (by function index).
    fn type_of(&self, func: u32) -> Result<u32, String> {
        func.checked_sub(self.imported)
            .and_then(|i| self.func_types.get(usize::try_from(i).ok()?))
            .copied()
            .ok_or_else(|| format!("no function {func}"))
    }

    /// The block that holds a body in the guarded form: the function's
    /// results (a branch to the function's own label leaves through it).
    fn block_type(&self, func: u32) -> Result<BlockType, String> {
        let ty = self.type_of(func)?;
        let results = usize::try_from(ty)
            .ok()
            .and_then(|ty| self.signatures.get(ty))
            .map(|signature| &signature.results)
            .ok_or_else(|| format!("no type {ty}"))?;
        Ok(match results.as_slice() {
            [] => BlockType::Empty,
            [one] => BlockType::Result(*one),
            _ => BlockType::FunctionType(2 * self.types + ty),
        })
    }

    /// The types the guarded form adds after the module's own: for each
    /// type `t`, the direct form `t + types` (params, fuel `i64`, frames
    /// `i32` → results, fuel `i64`), then the block type `t + 2 × types`
    /// (→ results).
    fn added_types(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for signature in &self.signatures {
            let params = [signature.params.as_slice(), &[ValType::I64, ValType::I32]].concat();
            let results = [signature.results.as_slice(), &[ValType::I64]].concat();
            Signature::encode(&params, &results, &mut out);
        }
        for signature in &self.signatures {
            Signature::encode(&[], &signature.results, &mut out);
        }
        out
    }

    /// The function section: each defined function with its direct type,
    /// then its wrapper with the type as deployed.
    fn function_section(&self) -> Vec<u8> {
        let mut out = Vec::new();
        (2 * self.defined()).encode(&mut out);
        for ty in &self.func_types {
            (ty + self.types).encode(&mut out);
        }
        for ty in &self.func_types {
            ty.encode(&mut out);
        }
        out
    }

    /// Each wrapper's body: its params, the fuel and the frames from the
    /// globals, the call, the fuel back into its global.
    fn wrappers(&self, globals: Globals, out: &mut Vec<u8>) -> Result<(), String> {
        for func in self.imported..self.imported + self.defined() {
            let mut body = vec![0u8];
            for param in 0..self.params(func)? {
                Instruction::LocalGet(param).encode(&mut body);
            }
            for instruction in [
                Instruction::GlobalGet(globals.fuel),
                Instruction::GlobalGet(self.global),
                Instruction::Call(func),
                Instruction::GlobalSet(globals.fuel),
                Instruction::End,
            ] {
                instruction.encode(&mut body);
            }
            body.as_slice().encode(out);
        }
        Ok(())
    }
}

/// [`instrument`], for a module that runs on the host's own WebAssembly
/// engine (a browser's), where the host sees neither the call stack nor
/// the growth of memories and tables. Such a run must end as it would on
/// wasmi, or hand the request back to wasmi; so the module also
/// - counts its frames: each call adds the callee's [`frame_cost`] to an
///   added global and traps (`unreachable`) past [`GUARD_BUDGET`] — a
///   trap the host answers by running the request again on wasmi, which
///   decides exactly where its own stack ends;
/// - traps before `memory.grow` would pass `limits.max_pages`, where
///   wasmi's limiter fails the call (handed back as well);
/// - passes its fuel count and its frames' count from function to
///   function instead of keeping them in globals: each defined function
///   takes two more params (the fuel left, an `i64`; the frames with its
///   own, an `i32`) and returns the fuel left after its own results, so
///   an engine keeps both in registers across a direct call. (A count in
///   a global costs a store and a reload at every charge — 4× a
///   call-heavy run on V8 —, and one synced with a local around every
///   call still 4.4× the module as deployed on a recursive fib; passed
///   along, 1.4×.) Its locals move up by two past its params, and its
///   body becomes a block of its results, so that wherever it ends the
///   fuel can follow them. Wherever the host or the module refers to a
///   function rather than calling it directly — exports, the start
///   function, tables (so `call_indirect`), `ref.func` — a wrapper
///   stands in, with the signature as deployed: it reads both counts
///   from the globals, calls the function and writes the fuel back; a
///   call to the host or through a table writes the globals before and
///   reads the fuel after. So every check, host function and the host
///   itself sees the same count as in [`instrument`]'s form, and the
///   global holds it whenever the guest is not running (and before
///   `unreachable` and an out-of-fuel trap).
///
/// `None` if the module uses what this does not handle (tail calls,
/// exceptions, `table.grow`, several memories, 64-bit or shared memory,
/// more than four tables, initial sizes past the limits): it runs on
/// wasmi only.
///
/// # Errors
/// As [`instrument`].
pub(crate) fn instrument_guarded(
    wasm: &[u8],
    limits: GuardLimits,
) -> Result<Option<Vec<u8>>, String> {
    let Some((costs, params)) = frame_costs(wasm, limits)? else {
        return Ok(None);
    };
    let census = census(wasm)?;
    let Some(signatures) = census
        .signatures
        .iter()
        .cloned()
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    let max = costs.iter().copied().max().unwrap_or(0);
    let guard = Guard {
        costs,
        max,
        params,
        global: 0,
        limits,
        imported: census.imported_funcs,
        types: census.types,
        func_types: census.func_types.clone(),
        signatures,
    };
    rewrite(wasm, &census, None, Some(guard)).map(Some)
}

/// Each function's frame cost, from the validator's operand stack
/// heights, and its params (imports: 0 and 0); `None` if the module uses
/// what the guard does not handle.
#[allow(clippy::type_complexity)]
fn frame_costs(wasm: &[u8], limits: GuardLimits) -> Result<Option<(Vec<u32>, Vec<u32>)>, String> {
    use wasmparser_validate::{
        FuncValidatorAllocations, Operator as Op, Parser as ValidParser, Payload as ValidPayload,
        TypeRef as ValidTypeRef, ValidPayload as Valid, Validator, WasmFeatures,
    };
    let mut validator = Validator::new_with_features(WasmFeatures::all());
    let mut costs = Vec::new();
    let mut params = Vec::new();
    let mut allocations = FuncValidatorAllocations::default();
    let (mut memories, mut tables) = (0u32, 0u32);
    for payload in ValidParser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| e.to_string())?;
        match &payload {
            ValidPayload::ImportSection(imports) => {
                for import in imports.clone() {
                    match import.map_err(|e| e.to_string())?.ty {
                        ValidTypeRef::Func(_) => {
                            costs.push(0);
                            params.push(0);
                        }
                        // A WasmLib contract imports functions only.
                        _ => return Ok(None),
                    }
                }
            }
            ValidPayload::MemorySection(reader) => {
                for memory in reader.clone() {
                    let memory = memory.map_err(|e| e.to_string())?;
                    memories += 1;
                    if memory.memory64 || memory.shared || memory.initial > limits.max_pages {
                        return Ok(None);
                    }
                }
            }
            ValidPayload::TableSection(reader) => {
                for table in reader.clone() {
                    let table = table.map_err(|e| e.to_string())?;
                    tables += 1;
                    if table.ty.table64
                        || table.ty.initial > limits.max_table_elements
                        || !matches!(table.init, wasmparser_validate::TableInit::RefNull)
                    {
                        return Ok(None);
                    }
                }
            }
            ValidPayload::TagSection(_) => return Ok(None),
            _ => {}
        }
        if memories > 1 || tables > 4 {
            return Ok(None);
        }
        let Valid::Func(func, body) = validator.payload(&payload).map_err(|e| e.to_string())?
        else {
            continue;
        };
        let mut func = func.into_validator(std::mem::take(&mut allocations));
        let mut reader = body.get_binary_reader();
        params.push(func.len_locals());
        func.read_locals(&mut reader).map_err(|e| e.to_string())?;
        let mut deepest = 0u32;
        let mut operators = body.get_operators_reader().map_err(|e| e.to_string())?;
        while !operators.eof() {
            let (op, offset) = operators.read_with_offset().map_err(|e| e.to_string())?;
            if matches!(
                op,
                Op::ReturnCall { .. }
                    | Op::ReturnCallIndirect { .. }
                    | Op::ReturnCallRef { .. }
                    | Op::CallRef { .. }
                    | Op::Throw { .. }
                    | Op::ThrowRef
                    | Op::TryTable { .. }
                    | Op::Try { .. }
                    | Op::Rethrow { .. }
                    | Op::Delegate { .. }
                    | Op::TableGrow { .. }
            ) {
                return Ok(None);
            }
            func.op(offset, &op).map_err(|e| e.to_string())?;
            deepest = deepest.max(func.operand_stack_height());
        }
        costs.push(frame_cost(func.len_locals(), deepest));
        allocations = func.into_allocations();
    }
    Ok(Some((costs, params)))
}

/// What a module has, read before it is rewritten.
#[derive(Default)]
struct Census {
    imported_globals: u32,
    defined_globals: u32,
    imported_funcs: u32,
    types: u32,
    start: Option<u32>,
    /// Each type's params and results, `None` for what is not a function
    /// type the guarded form can write again.
    signatures: Vec<Option<Signature>>,
    /// Each defined function's type index.
    func_types: Vec<u32>,
}

/// A function type's params and results.
#[derive(Clone)]
struct Signature {
    params: Vec<ValType>,
    results: Vec<ValType>,
}

impl Signature {
    fn of(ty: &wasmparser::SubType) -> Option<Self> {
        let wasmparser::CompositeInnerType::Func(func) = &ty.composite_type.inner else {
            return None;
        };
        let values = |types: &[wasmparser::ValType]| -> Option<Vec<ValType>> {
            types.iter().map(|ty| value_type(*ty)).collect()
        };
        Some(Self {
            params: values(func.params())?,
            results: values(func.results())?,
        })
    }

    /// A type section entry: `(func (param ...) (result ...))`.
    fn encode(params: &[ValType], results: &[ValType], out: &mut Vec<u8>) {
        out.push(0x60);
        for list in [params, results] {
            list.len().encode(out);
            for ty in list {
                ty.encode(out);
            }
        }
    }
}

/// A value type as `wasm_encoder` writes it (MVP types and the two
/// nullable reference types a WasmLib build may use).
fn value_type(ty: wasmparser::ValType) -> Option<ValType> {
    use wasmparser::ValType as V;
    Some(match ty {
        V::I32 => ValType::I32,
        V::I64 => ValType::I64,
        V::F32 => ValType::F32,
        V::F64 => ValType::F64,
        V::V128 => ValType::V128,
        V::Ref(r) if r == wasmparser::RefType::FUNCREF => ValType::FUNCREF,
        V::Ref(r) if r == wasmparser::RefType::EXTERNREF => ValType::EXTERNREF,
        V::Ref(_) => return None,
    })
}

fn census(wasm: &[u8]) -> Result<Census, String> {
    let mut census = Census::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(types) => {
                for group in types {
                    let group = group.map_err(|e| e.to_string())?;
                    census.types += u32::try_from(group.types().len()).map_err(|_| "types")?;
                    census.signatures.extend(group.types().map(Signature::of));
                }
            }
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    match import.map_err(|e| e.to_string())?.ty {
                        TypeRef::Global(_) => census.imported_globals += 1,
                        TypeRef::Func(_) => census.imported_funcs += 1,
                        _ => {}
                    }
                }
            }
            Payload::GlobalSection(globals) => census.defined_globals = globals.count(),
            Payload::FunctionSection(funcs) => {
                for ty in funcs {
                    census.func_types.push(ty.map_err(|e| e.to_string())?);
                }
            }
            Payload::StartSection { func, .. } => census.start = Some(func),
            _ => {}
        }
    }
    Ok(census)
}

/// The sections a rewrite adds to, each written once: merged into the
/// module's own, or on its own where the module has none.
struct Added {
    /// Per section id: its new entries and how many.
    entries: Vec<(u8, u32, Vec<u8>)>,
    written: Vec<u8>,
}

impl Added {
    fn new() -> Self {
        Self {
            entries: Vec::new(),
            written: Vec::new(),
        }
    }

    fn add(&mut self, id: u8, count: u32, bytes: Vec<u8>) {
        self.entries.push((id, count, bytes));
    }

    fn get(&self, id: u8) -> Option<(u32, &[u8])> {
        self.entries
            .iter()
            .find(|(i, _, _)| *i == id)
            .map(|(_, count, bytes)| (*count, bytes.as_slice()))
    }

    /// Writes section `id` from the module's entries (`count`, `rest`)
    /// and the added ones.
    fn merge(&mut self, out: &mut Vec<u8>, id: u8, count: u32, rest: &[u8]) {
        let (more, bytes) = self.get(id).unwrap_or((0, &[]));
        let mut merged = Vec::new();
        (count + more).encode(&mut merged);
        merged.extend_from_slice(rest);
        merged.extend_from_slice(bytes);
        section(out, id, &merged);
        self.written.push(id);
    }

    /// Writes the added sections the module lacks that go before a
    /// section of rank `before`.
    fn fill(&mut self, out: &mut Vec<u8>, before: u8) {
        let mut ids: Vec<u8> = self.entries.iter().map(|(id, _, _)| *id).collect();
        ids.sort_by_key(|id| rank(*id));
        for id in ids {
            if !self.written.contains(&id) && before > rank(id) {
                self.merge(out, id, 0, &[]);
            }
        }
    }
}

/// `wasm` rewritten: metered, and traced or guarded if asked (`census`
/// is what [`census`] read of it).
fn rewrite(
    wasm: &[u8],
    census: &Census,
    mut trace: Option<&mut Tracing>,
    mut guard: Option<Guard>,
) -> Result<Vec<u8>, String> {
    let first_new = census.imported_globals + census.defined_globals;
    if let Some(guard) = guard.as_mut() {
        guard.global = first_new + 2;
    }
    let guard = guard;
    let globals = Globals {
        fuel: first_new,
        out_of_fuel: first_new + 1,
        local: None,
    };
    let mut func = census.imported_funcs;
    let traced = trace.is_some();
    let refs = match (&trace, &guard) {
        (Some(_), _) => Refs::Traced(census.imported_funcs),
        (None, Some(guard)) => Refs::Guarded(guard),
        (None, None) => Refs::Same,
    };
    let remaps = !matches!(refs, Refs::Same);
    let shift = |func: u32| refs.func(func);
    let mut added = Added::new();
    let fuel = (ValType::I64, ConstExpr::i64_const(0));
    let new_globals = [fuel, (ValType::I32, ConstExpr::i32_const(0))].map(|(val_type, init)| {
        let ty = GlobalType {
            val_type,
            mutable: true,
            shared: false,
        };
        (ty, init)
    });
    {
        let mut out = Vec::new();
        for (ty, init) in &new_globals {
            ty.encode(&mut out);
            init.encode(&mut out);
        }
        let mut count = 2;
        if let Some(guard) = &guard {
            // The frames' count: the host's call into the module is one.
            let ty = GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            };
            ty.encode(&mut out);
            ConstExpr::i32_const(guard.first()).encode(&mut out);
            // A scratch slot for `memory.grow`'s operand.
            ty.encode(&mut out);
            ConstExpr::i32_const(0).encode(&mut out);
            count += 2;
        }
        added.add(GLOBAL_SECTION, count, out);
    }
    {
        let mut out = Vec::new();
        let mut export = |name: &str, kind: ExportKind, index: u32| {
            name.encode(&mut out);
            kind.encode(&mut out);
            index.encode(&mut out);
        };
        export(FUEL_GLOBAL, ExportKind::Global, globals.fuel);
        export(OUT_OF_FUEL_GLOBAL, ExportKind::Global, globals.out_of_fuel);
        if let Some(func) = census.start {
            export(START_EXPORT, ExportKind::Func, shift(func));
        }
        added.add(EXPORT_SECTION, 2 + u32::from(census.start.is_some()), out);
    }
    if let Some(trace) = trace.as_deref_mut() {
        trace.imported = census.imported_funcs;
        trace.func = census.imported_funcs;
        // `(func (param i32))`, after the module's own types.
        added.add(TYPE_SECTION, 1, vec![0x60, 1, 0x7f, 0]);
        let mut import = Vec::new();
        TRACE_MODULE.encode(&mut import);
        TRACE_STEP.encode(&mut import);
        import.push(0x00);
        census.types.encode(&mut import);
        added.add(IMPORT_SECTION, 1, import);
    }
    if let Some(guard) = &guard {
        added.add(TYPE_SECTION, 2 * census.types, guard.added_types());
    }

    let shift_table = Shift { wasm, refs };
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    let mut code: Option<(Vec<u8>, u32)> = None;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| e.to_string())?;
        if let Payload::CodeSectionEntry(function) = &payload {
            let (bodies, count) = code
                .as_mut()
                .ok_or("a function body outside the code section")?;
            bodies.extend(body(
                wasm,
                function,
                globals,
                trace.as_deref_mut(),
                guard.as_ref().map(|guard| (guard, func)),
            )?);
            func += 1;
            if let Some(trace) = trace.as_deref_mut() {
                trace.func += 1;
            }
            *count -= 1;
            if *count == 0 {
                let (mut content, _) = code.take().unwrap_or_default();
                if let Some(guard) = &guard {
                    guard.wrappers(globals, &mut content)?;
                }
                section(&mut out, CODE_SECTION, &content);
            }
            continue;
        }
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        let content = slice(wasm, range.clone())?;
        if id != 0 {
            added.fill(&mut out, rank(id));
        }
        match (id, &payload) {
            (TYPE_SECTION | IMPORT_SECTION | GLOBAL_SECTION, _)
                if !remaps || id != GLOBAL_SECTION =>
            {
                let (count, rest) = entries(content, range.start)?;
                added.merge(&mut out, id, count, rest);
            }
            // Traced or guarded: `ref.func` in initialisers follows.
            (GLOBAL_SECTION, Payload::GlobalSection(reader)) => {
                let (count, rest) = shift_table.globals(reader)?;
                added.merge(&mut out, id, count, &rest);
            }
            (EXPORT_SECTION, Payload::ExportSection(reader)) if remaps => {
                let mut rest = Vec::new();
                for export in reader.clone() {
                    let export = export.map_err(|e| e.to_string())?;
                    export.name.encode(&mut rest);
                    let (kind, index) = match export.kind {
                        wasmparser::ExternalKind::Func => (ExportKind::Func, shift(export.index)),
                        wasmparser::ExternalKind::Table => (ExportKind::Table, export.index),
                        wasmparser::ExternalKind::Memory => (ExportKind::Memory, export.index),
                        wasmparser::ExternalKind::Global => (ExportKind::Global, export.index),
                        wasmparser::ExternalKind::Tag => (ExportKind::Tag, export.index),
                        other => return Err(format!("an export of kind {other:?}")),
                    };
                    kind.encode(&mut rest);
                    index.encode(&mut rest);
                }
                added.merge(&mut out, id, reader.count(), &rest);
            }
            (EXPORT_SECTION, _) => {
                let (count, rest) = entries(content, range.start)?;
                added.merge(&mut out, id, count, rest);
            }
            (ELEMENT_SECTION, Payload::ElementSection(reader)) if remaps => {
                out.push(ELEMENT_SECTION);
                shift_table.elements(reader)?.encode(&mut out);
            }
            // Names index the module as deployed; a traced module goes
            // without (its reader takes them from the deployed one).
            (0, Payload::CustomSection(custom)) if traced && custom.name() == "name" => {}
            // Run by the host, after it sets the fuel.
            (START_SECTION, _) => {}
            // Guarded: each defined function's direct type, then its
            // wrapper's.
            (FUNCTION_SECTION, _) if guard.is_some() => {
                let functions = guard
                    .as_ref()
                    .map(Guard::function_section)
                    .unwrap_or_default();
                section(&mut out, id, &functions);
            }

            (CODE_SECTION, _) => {
                let Payload::CodeSectionStart { count, .. } = payload else {
                    return Err("a code section without its count".into());
                };
                // The section is written whole once its last body is read.
                let mut header = Vec::new();
                // Guarded: the wrappers follow the module's own bodies.
                let written = if guard.is_some() { 2 * count } else { count };
                written.encode(&mut header);
                if count == 0 {
                    section(&mut out, CODE_SECTION, &header);
                } else {
                    code = Some((header, count));
                }
            }
            _ => section(&mut out, id, content),
        }
    }
    added.fill(&mut out, u8::MAX);
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
        fuel_of(&metered)
    }

    const LIMITS: GuardLimits = GuardLimits {
        max_pages: 256,
        max_table_elements: 10_000,
    };

    /// [`fuel`] of the module [`instrument_guarded`] makes (its count in
    /// locals, its calls guarded).
    fn guarded_fuel(wat: &str) -> u64 {
        let wasm = wat::parse_str(wat).expect("test WAT");
        let guarded = instrument_guarded(&wasm, LIMITS)
            .expect("instruments")
            .expect("a module the guard handles");
        fuel_of(&guarded)
    }

    /// `metered` (an instrumented module) instantiated on wasmi without
    /// wasmi's own fuel, its fuel counter set to `fuel`.
    fn with_fuel(metered: &[u8], fuel: i64) -> (Store<()>, wasmi::Instance, wasmi::Global) {
        let engine = Engine::new(Config::default().consume_fuel(false));
        let module = Module::new(&engine, metered).expect("the metered module is valid");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .expect("instantiates");
        let global = instance
            .get_global(&store, FUEL_GLOBAL)
            .expect("fuel global");
        global.set(&mut store, Val::I64(fuel)).expect("set");
        (store, instance, global)
    }

    fn fuel_of(metered: &[u8]) -> u64 {
        let budget = 1_000_000i64;
        let (mut store, instance, global) = with_fuel(metered, budget);
        let Some(start) = instance.get_func(&store, START_EXPORT) else {
            return 0;
        };
        // A trap (the cases ending in `unreachable`) still burned fuel.
        let _ = start.call(&mut store, &[], &mut []);
        let left = match global.get(&store) {
            Val::I64(left) => left,
            other => panic!("fuel global is {other:?}"),
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

    /// The fuel.wast cases where `fuel_of` counts otherwise than wasmtime.
    fn fuel_wast_mismatches(fuel_of: fn(&str) -> u64) -> Vec<String> {
        FUEL_WAST
            .iter()
            .filter_map(|(expected, body)| {
                let found = fuel_of(&format!("(module {body})"));
                (found != *expected).then(|| format!("{body}: {found}, wasmtime {expected}"))
            })
            .collect()
    }

    #[test]
    fn every_case_of_wasmtimes_fuel_wast_burns_the_same_fuel() {
        assert_eq!(fuel("(module)"), 0);
        let wrong = fuel_wast_mismatches(fuel);
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn a_guarded_module_burns_the_same_fuel_counting_in_locals() {
        let wrong = fuel_wast_mismatches(guarded_fuel);
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// The guarded form's calling convention (the fuel and the frames as
    /// params of each defined function, the fuel returned after its
    /// results; wrappers with the signatures as deployed wherever the host
    /// or a table refers to a function) where it is hardest: a
    /// multi-value function left by `br`, `br_if`, `br_table` and
    /// `return`, dead code calling and touching locals, an export called
    /// again, a table, `ref.func` in a global and in code, a host import.
    /// Every export returns what the metered form returns, for the same
    /// fuel, and the globals hold the count between calls.
    #[test]
    fn the_guarded_calling_convention_returns_and_burns_as_the_metered_form() {
        let wat = r#"(module
            (import "env" "host" (func $host (param i64) (result i64)))
            (type $pair (func (param i32) (result i32 i64)))
            (table 2 funcref)
            (elem (i32.const 0) $pair $leaf)
            (elem declare func $leaf)
            (global $ref (mut funcref) (ref.func $pair))
            (func $pair (type $pair) (local $x i64)
                (local.set $x (i64.extend_i32_u (local.get 0)))
                (block $b
                    (br_if $b (i32.eqz (local.get 0)))
                    (if (i32.eq (local.get 0) (i32.const 1))
                        (then (return (i32.const 10) (local.get $x))))
                    (if (i32.eq (local.get 0) (i32.const 2))
                        (then (br 2 (i32.const 20) (local.get $x))))
                    (block $c (result i32 i64)
                        (i32.const 30) (local.get $x)
                        (br_table $c 2 (i32.sub (local.get 0) (i32.const 3))))
                    (drop) (drop))
                (i32.const 7) (call $host (local.get $x)))
            (func $leaf (param i64) (result i64)
                (i64.add (local.get 0) (i64.const 1))
                return
                (call $pair (i32.const 0)) (drop) (drop)
                (local.set 0 (i64.const 9))
                (local.get 0))
            (func $sum (param $n i32) (result i64) (local $acc i64) (local $i i32)
                (loop $l
                    (local.set $acc (i64.add (local.get $acc)
                        (call_indirect (type $pair) (local.get $i) (i32.const 0)) (drop) (i64.extend_i32_u)))
                    (local.set $acc (i64.add (local.get $acc) (call $leaf (local.get $acc))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
                (drop (ref.func $leaf))
                (local.get $acc))
            (func (export "pair") (param i32) (result i32 i64) (call $pair (local.get 0)))
            (func (export "sum") (param i32) (result i64) (call $sum (local.get 0)))
            (func (export "leaf") (param i64) (result i64)
                (call_indirect (param i64) (result i64) (local.get 0) (i32.const 1))))"#;
        let wasm = wat::parse_str(wat).expect("test WAT");
        let metered = instrument(&wasm).expect("instruments");
        let guarded = instrument_guarded(&wasm, LIMITS)
            .expect("instruments")
            .expect("a module the guard handles");
        let run = |module: &[u8]| {
            let engine = Engine::new(Config::default().consume_fuel(false));
            let module = Module::new(&engine, module).expect("valid");
            let mut store = Store::new(&engine, ());
            let mut linker = Linker::new(&engine);
            linker
                .func_wrap("env", "host", |x: i64| x * 3)
                .expect("links");
            let instance = linker
                .instantiate_and_start(&mut store, &module)
                .expect("instantiates");
            let fuel = instance.get_global(&store, FUEL_GLOBAL).expect("fuel");
            fuel.set(&mut store, Val::I64(1_000_000)).expect("set");
            let mut seen = Vec::new();
            let calls: [(&str, Vec<Val>, usize); 9] = [
                ("pair", vec![Val::I32(0)], 2),
                ("pair", vec![Val::I32(1)], 2),
                ("pair", vec![Val::I32(2)], 2),
                ("pair", vec![Val::I32(3)], 2),
                ("pair", vec![Val::I32(4)], 2),
                ("pair", vec![Val::I32(9)], 2),
                ("sum", vec![Val::I32(6)], 1),
                ("leaf", vec![Val::I64(41)], 1),
                ("sum", vec![Val::I32(2)], 1),
            ];
            for (name, params, results) in calls {
                let func = instance.get_func(&store, name).expect("export");
                let mut out = vec![Val::I64(0); results];
                func.call(&mut store, &params, &mut out).expect("runs");
                let left = fuel.get(&store).i64().expect("i64");
                seen.push((name, format!("{out:?}"), left));
            }
            seen
        };
        let (metered, guarded) = (run(&metered), run(&guarded));
        assert_eq!(metered, guarded);
        // Not the same answer throughout: the calls did reach every path.
        assert_eq!(metered[1].1, "[I32(10), I64(1)]");
        assert_eq!(metered[2].1, "[I32(20), I64(2)]");
        assert_eq!(metered[0].1, "[I32(7), I64(0)]");
        assert_eq!(metered[3].1, "[I32(7), I64(9)]");
        assert_eq!(metered[4].1, "[I32(30), I64(4)]");
        assert_eq!(metered[7].1, "[I64(42)]");
    }

    /// Runs the start function of `wat` as [`instrument_guarded`] makes
    /// it, with ample fuel, on wasmi: whether it finished.
    fn start_guarded(text: &str) -> (bool, Store<()>, wasmi::Instance) {
        let wasm = wat::parse_str(text).expect("test WAT");
        let guarded = instrument_guarded(&wasm, LIMITS)
            .expect("instruments")
            .expect("handled");
        let (mut store, instance, _) = with_fuel(&guarded, 1_000_000_000);
        let start = instance.get_func(&store, START_EXPORT).expect("start");
        let ok = start.call(&mut store, &[], &mut []).is_ok();
        (ok, store, instance)
    }

    #[test]
    fn the_stack_guard_traps_past_its_budget_and_lets_what_fits_through() {
        // Each frame of $f costs 16 + 1 local + 2 × 2 operands = 21: a
        // budget of 16 384 lets 779 nested frames through (the entry's own
        // cost counted first).
        let wat = |depth: u32| {
            format!(
                r#"(module
                    (func $f (param i32) (if (local.get 0) (then (call $f (i32.sub (local.get 0) (i32.const 1))))))
                    (func $start (call $f (i32.const {depth})))
                    (start $start))"#
            )
        };
        let run = |depth: u32| start_guarded(&wat(depth)).0;
        assert!(run(778), "779 frames of $f");
        assert!(!run(779), "780 frames of $f");
        // The start function leaves the count as it found it: the host's
        // next call into the same instance has the whole budget again.
        let (ok, mut store, instance) = start_guarded(
            r#"(module
                (func $f (param i32) (if (local.get 0) (then (call $f (i32.sub (local.get 0) (i32.const 1))))))
                (func $start (call $f (i32.const 778)))
                (func (export "again") (call $f (i32.const 777)))
                (start $start))"#,
        );
        assert!(ok);
        let again = instance.get_func(&store, "again").expect("again");
        assert!(again.call(&mut store, &[], &mut []).is_ok());
        // Growth past the limit traps; within the module's maximum, -1.
        let grow = |pages: u32, max: u32| {
            let (ok, store, instance) = start_guarded(&format!(
                r#"(module (memory 1 {max}) (global $g (mut i32) (i32.const 0))
                    (func $s (global.set $g (memory.grow (i32.const {pages})))) (start $s)
                    (export "g" (global $g)))"#
            ));
            let g = instance.get_global(&store, "g").expect("g").get(&store);
            (ok, g.i32())
        };
        assert_eq!(grow(10, 300), (true, Some(1)));
        assert_eq!(grow(300, 400), (false, Some(0)), "past 256 pages: a trap");
        assert_eq!(grow(100, 50), (true, Some(-1)), "past its own maximum: -1");
        // Tail calls are left to wasmi.
        let tail =
            wat::parse_str("(module (func $f (return_call $f)) (func (export \"x\") (call $f)))")
                .expect("test WAT");
        assert_eq!(instrument_guarded(&tail, LIMITS), Ok(None));
    }

    #[test]
    fn a_loop_without_end_stops_at_a_check_with_the_flag_set() {
        let wasm =
            wat::parse_str("(module (func (export \"run\") (loop $l (br $l))))").expect("WAT");
        let metered = instrument(&wasm).expect("instruments");
        let (mut store, instance, fuel) = with_fuel(&metered, 1_000);
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

#[cfg(test)]
mod traced_tests {
    use super::*;

    #[test]
    fn every_example_traces_and_guards_into_a_valid_module() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/examples");
        let limits = GuardLimits {
            max_pages: 256,
            max_table_elements: 10_000,
        };
        for name in [
            "inccounter",
            "testcore",
            "erc20",
            "fairroulette",
            "tscounter",
            "tserc20",
            "tsfairroulette",
            "tstestcore",
        ] {
            let wasm = std::fs::read(dir.join(name).join(format!("{name}.wasm"))).expect("example");
            let (traced, sites) = instrument_traced(&wasm).expect("traces");
            assert!(!sites.is_empty());
            wasmi::Module::validate(&wasmi::Engine::default(), &traced)
                .unwrap_or_else(|err| panic!("{name}: {err}"));
            // And into the form the browser's engine runs.
            let guarded = instrument_guarded(&wasm, limits)
                .unwrap_or_else(|err| panic!("{name}: {err}"))
                .unwrap_or_else(|| panic!("{name}: the guard handles every example"));
            wasmi::Module::validate(&wasmi::Engine::default(), &guarded)
                .unwrap_or_else(|err| panic!("{name} guarded: {err}"));
        }
    }

    /// Runs export `run(arg)` of `wasm` metered (traced or not): its
    /// result, the fuel it burned and the sites the step import saw.
    fn run(wasm: &[u8], traced: bool, arg: i32) -> (i32, i64, Vec<i32>) {
        use wasmi::{Caller, Config, Engine, Linker, Module, Store, Val};
        let module = if traced {
            instrument_traced(wasm).expect("traces").0
        } else {
            instrument(wasm).expect("meters")
        };
        let engine = Engine::new(Config::default().consume_fuel(false));
        let module = Module::new(&engine, &module[..]).expect("valid");
        let mut store = Store::new(&engine, Vec::<i32>::new());
        let mut linker = Linker::new(&engine);
        linker.func_wrap("env", "f", |x: i32| x + 1).expect("links");
        linker
            .func_wrap(
                TRACE_MODULE,
                TRACE_STEP,
                |mut caller: Caller<'_, Vec<i32>>, site: i32| {
                    caller.data_mut().push(site);
                },
            )
            .expect("links");
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .expect("instantiates");
        let fuel = instance.get_global(&store, FUEL_GLOBAL).expect("fuel");
        fuel.set(&mut store, Val::I64(1_000_000)).expect("set");
        let run = instance
            .get_typed_func::<i32, i32>(&store, "run")
            .expect("run");
        let result = run.call(&mut store, arg).expect("runs");
        let Val::I64(left) = fuel.get(&store) else {
            panic!("i64");
        };
        (result, 1_000_000 - left, store.into_data())
    }

    #[test]
    fn a_traced_module_calls_through_tables_and_references_as_before_for_the_same_fuel() {
        let wasm = wat::parse_str(
            r#"(module
                (import "env" "f" (func $imp (param i32) (result i32)))
                (type $ret (func (result i32)))
                (table $t 3 funcref)
                (elem (table $t) (i32.const 0) func $a $b)
                (elem (table $t) (i32.const 2) funcref (ref.func $c))
                (elem declare func $c)
                (global $g funcref (ref.func $c))
                (func $a (result i32) i32.const 7)
                (func $b (result i32) i32.const 9 call $imp)
                (func $c (result i32) i32.const 11)
                (func (export "run") (param i32) (result i32)
                    local.get 0 call_indirect $t (type $ret)))"#,
        )
        .expect("WAT");
        for (arg, expected) in [(0, 7), (1, 10), (2, 11)] {
            let (plain, plain_fuel, none) = run(&wasm, false, arg);
            let (traced, traced_fuel, sites) = run(&wasm, true, arg);
            assert_eq!((plain, traced), (expected, expected), "run({arg})");
            assert_eq!(plain_fuel, traced_fuel, "the same fuel");
            assert!(none.is_empty());
            // run's instructions and the callee's.
            assert!(sites.len() >= 5, "{sites:?}");
        }
        // The sites name the functions as deployed: `run` is function 4.
        let (_, sites) = instrument_traced(&wasm).expect("traces");
        assert_eq!(sites.first().map(|s| (s.func, s.entry)), Some((1, true)));
        assert!(sites.iter().any(|s| s.func == 4 && s.leaves));
    }
}
