//! The host side of the WasmLib ABI: `hostStateGet`, `hostStateSet` and the
//! sandbox functions multiplexed through them, as Wasp implements them (the
//! `wasmlib` crate 0.1.0's `host.rs` and `sandbox.rs` are the reference).
//!
//! Every guest pointer and length is bounds-checked; a bad one is a failed
//! call, never a host panic. Every host call first charges the fuel the guest
//! burned since the last one, then its own cost (a sandbox call plus the
//! bytes moved), then hands the guest the fuel that is left.

use super::WasmLimits;
use super::runtime;
use super::trace::{HostCall, Tracer, show};
use crate::Hname;
use crate::codec::{Assets, Decoder, Dict, string_from_bytes, u64_to_bytes};
use crate::ids::{AgentId, ChainId, Hash};
use crate::vm::{GAS, NestedCall, Post, Sandbox, TimeLock, VmError};
use wasmi::{Caller, Extern, ResourceLimiter};
use wasmi_core::LimiterError;

/// The most names `on_load` may export.
const MAX_EXPORTS: usize = 4096;
/// The longest exported name, in bytes.
const MAX_EXPORT_NAME_BYTES: usize = 1024;

/// The per-call state of a Wasm contract's store. It is also the store's
/// resource limiter: every byte of linear memory the instance gets is
/// reserved from the request's memory budget through the sandbox.
pub(crate) struct HostState<'a> {
    sandbox: Option<&'a mut dyn Sandbox>,
    max_memory_bytes: usize,
    max_table_elements: usize,
    max_results_bytes: usize,
    /// Linear-memory bytes reserved from the sandbox so far.
    reserved: u64,
    /// The one-slot cache of the last value read or sandbox result.
    cached: Option<Vec<u8>>,
    /// What `FN_RESULTS` set.
    pub(crate) results: Option<Dict>,
    /// What `on_load` exported: (index, name).
    pub(crate) exports: Vec<(i32, String)>,
    /// The language tag `on_load` exported (`WASM::RUST`, `WASM::GO`, …).
    pub(crate) language: Option<String>,
    /// The real reason a host call or a growth failed (wasmi only carries text).
    pub(crate) error: Option<VmError>,
    /// Fuel the guest had after the last synchronisation.
    pub(crate) fuel_mark: u64,
    /// Whether a nested call suspends the guest (it runs resumably:
    /// `on_call`) rather than run on the host's stack (a start function).
    pub(crate) suspends: bool,
    /// The nested call the guest suspended for.
    pub(crate) pending: Option<NestedCall>,
    /// What the call executes, when it is recorded for a debugger.
    pub(crate) tracer: Option<Box<Tracer>>,
    /// Whether it runs on a [`WasmRuntime`](super::runtime::WasmRuntime),
    /// which hands a nested call back to wasmi.
    pub(crate) on_runtime: bool,
    /// Why the run on a runtime handed the request back to wasmi.
    pub(crate) gave_up: Option<&'static str>,
}

impl<'a> HostState<'a> {
    pub(crate) fn new(sandbox: Option<&'a mut dyn Sandbox>, limits: &WasmLimits) -> Self {
        Self {
            sandbox,
            max_memory_bytes: limits.max_memory_bytes,
            max_table_elements: limits.max_table_elements,
            max_results_bytes: limits.max_results_bytes,
            reserved: 0,
            cached: None,
            results: None,
            exports: Vec::new(),
            language: None,
            error: None,
            fuel_mark: 0,
            suspends: false,
            pending: None,
            tracer: None,
            on_runtime: false,
            gave_up: None,
        }
    }

    /// The guest's fuel was set to `fuel`: the mark fuel burned is
    /// counted from.
    pub(crate) fn set_mark(&mut self, fuel: u64) {
        self.fuel_mark = fuel;
        if let Some(tracer) = self.tracer.as_deref_mut() {
            tracer.synced();
        }
    }

    /// While tracing: keeps what a host call did with the instruction
    /// that made it.
    fn note(&mut self, call: impl FnOnce() -> HostCall) {
        if let Some(tracer) = self.tracer.as_deref_mut() {
            tracer.host(call());
        }
    }

    /// Lends the store the sandbox for a run (a start or a resume).
    pub(crate) fn lend(&mut self, sandbox: &'a mut dyn Sandbox) {
        self.sandbox = Some(sandbox);
    }

    /// Takes the sandbox back: the call is over, or waits for a nested one.
    pub(crate) fn take_back(&mut self) -> Option<&'a mut dyn Sandbox> {
        self.sandbox.take()
    }

    fn sandbox(&mut self) -> Result<&mut dyn Sandbox, VmError> {
        match self.sandbox.as_deref_mut() {
            Some(sandbox) => Ok(sandbox),
            None => Err(VmError::panic(
                "the sandbox is not available during on_load",
            )),
        }
    }

    /// Charges the fuel burned down to `left` as gas.
    pub(crate) fn charge_fuel(&mut self, left: u64) -> Result<(), VmError> {
        let used = self.fuel_mark.saturating_sub(left);
        self.set_mark(left);
        match self.sandbox.as_deref_mut() {
            Some(sandbox) => sandbox.burn_gas(used.saturating_mul(GAS.wasm_instruction)),
            None => Ok(()),
        }
    }

    /// Burns what is left of the budget, and more: out of gas.
    pub(crate) fn exhaust(&mut self) -> VmError {
        match self.sandbox.as_deref_mut() {
            Some(sandbox) => sandbox
                .burn_gas(u64::MAX)
                .err()
                .unwrap_or(VmError::OutOfGas { budget: 0 }),
            None => VmError::OutOfGas { budget: 0 },
        }
    }

    /// Gives the instance's memory back to the request's budget.
    pub(crate) fn release(&mut self) {
        let reserved = std::mem::take(&mut self.reserved);
        if let Some(sandbox) = self.sandbox.as_deref_mut() {
            sandbox.release_memory(reserved);
        }
    }

    /// Keeps `error` as the reason of the trap wasmi is about to raise.
    fn refuse(&mut self, error: VmError) -> Result<bool, LimiterError> {
        self.error.get_or_insert(error);
        Err(LimiterError::ResourceLimiterDeniedAllocation)
    }
}

impl ResourceLimiter for HostState<'_> {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        if desired > self.max_memory_bytes {
            let max = self.max_memory_bytes;
            return self.refuse(VmError::limit(format!(
                "Wasm linear memory may not grow past {} pages ({max} bytes)",
                max / 65536
            )));
        }
        let more = desired.saturating_sub(current) as u64;
        if let Some(sandbox) = self.sandbox.as_deref_mut()
            && let Err(err) = sandbox.reserve_memory(more)
        {
            return self.refuse(err);
        }
        self.reserved = self.reserved.saturating_add(more);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        if desired > self.max_table_elements {
            let max = self.max_table_elements;
            return self.refuse(VmError::limit(format!(
                "Wasm tables may not grow past {max} elements (asked for {desired})"
            )));
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        4
    }

    fn memories(&self) -> usize {
        1
    }
}

type Ctx<'c, 'a> = Caller<'c, HostState<'a>>;

/// What the host functions need of a running instance, whichever engine
/// runs it: its host state, its linear memory and its fuel counter.
pub(crate) trait Guest<'a> {
    fn state(&mut self) -> &mut HostState<'a>;
    fn state_ref(&self) -> &HostState<'a>;
    /// The linear memory's size in bytes.
    fn memory_len(&self) -> Result<usize, VmError>;
    /// The bytes in `range` (within the memory: checked by the caller).
    fn load(&self, range: std::ops::Range<usize>) -> Result<Vec<u8>, VmError>;
    /// Writes `bytes` at `at` (within the memory: checked by the caller).
    fn store(&mut self, at: usize, bytes: &[u8]) -> Result<(), VmError>;
    /// The metered module's fuel counter ([`super::meter::FUEL_GLOBAL`]).
    fn fuel(&self) -> i64;
    fn set_fuel(&mut self, fuel: i64) -> Result<(), VmError>;
}

impl<'a> Guest<'a> for Ctx<'_, 'a> {
    fn state(&mut self) -> &mut HostState<'a> {
        self.data_mut()
    }

    fn state_ref(&self) -> &HostState<'a> {
        self.data()
    }

    fn memory_len(&self) -> Result<usize, VmError> {
        Ok(memory(self)?.data(self).len())
    }

    fn load(&self, range: std::ops::Range<usize>) -> Result<Vec<u8>, VmError> {
        Ok(memory(self)?.data(self)[range].to_vec())
    }

    fn store(&mut self, at: usize, bytes: &[u8]) -> Result<(), VmError> {
        memory(self)?.data_mut(&mut *self)[at..at + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    fn fuel(&self) -> i64 {
        self.get_export(super::meter::FUEL_GLOBAL)
            .and_then(Extern::into_global)
            .map_or(0, |global| match global.get(self) {
                wasmi::Val::I64(left) => left,
                _ => 0,
            })
    }

    fn set_fuel(&mut self, fuel: i64) -> Result<(), VmError> {
        let global = self
            .get_export(super::meter::FUEL_GLOBAL)
            .and_then(Extern::into_global)
            .ok_or_else(|| VmError::panic("the module is not metered"))?;
        global
            .set(self, wasmi::Val::I64(fuel))
            .map_err(|err| VmError::panic(format!("fuel: {err}")))
    }
}

/// A guest on a [`WasmRuntime`](super::runtime::WasmRuntime): the imports'
/// calls reach the host functions through it.
pub(crate) struct OnRuntime<'s, 'a> {
    pub(crate) state: &'s mut HostState<'a>,
}

impl runtime::Host for OnRuntime<'_, '_> {
    fn call(
        &mut self,
        import: runtime::Import,
        [a, b, c, d]: [i32; 4],
        instance: &mut dyn runtime::Instance,
    ) -> Result<i32, runtime::Stop> {
        let mut guest = RuntimeGuest {
            state: &mut *self.state,
            instance,
        };
        let result = match import {
            runtime::Import::HostStateGet => state_get(&mut guest, a, b, c, d),
            runtime::Import::HostStateSet => state_set(&mut guest, a, b, c, d).map(|()| 0),
            runtime::Import::FdWrite => tinygo_panic(&mut guest, b, c),
            runtime::Import::Abort => assemblyscript_abort(&mut guest, a, b, c, d).map(|()| 0),
        };
        result.map_err(|err| {
            self.state.error = Some(err);
            runtime::Stop
        })
    }
}

struct RuntimeGuest<'s, 'a> {
    state: &'s mut HostState<'a>,
    instance: &'s mut dyn runtime::Instance,
}

impl<'a> Guest<'a> for RuntimeGuest<'_, 'a> {
    fn state(&mut self) -> &mut HostState<'a> {
        self.state
    }

    fn state_ref(&self) -> &HostState<'a> {
        self.state
    }

    fn memory_len(&self) -> Result<usize, VmError> {
        Ok(self.instance.memory_len())
    }

    fn load(&self, range: std::ops::Range<usize>) -> Result<Vec<u8>, VmError> {
        let mut bytes = vec![0; range.len()];
        self.instance.read(range.start, &mut bytes);
        Ok(bytes)
    }

    fn store(&mut self, at: usize, bytes: &[u8]) -> Result<(), VmError> {
        self.instance.write(at, bytes);
        Ok(())
    }

    fn fuel(&self) -> i64 {
        self.instance.fuel()
    }

    fn set_fuel(&mut self, fuel: i64) -> Result<(), VmError> {
        self.instance.set_fuel(fuel);
        Ok(())
    }
}

/// `hostStateGet(key_ref, key_len, val_ref, val_len) -> i32`.
pub(crate) fn host_state_get(
    mut caller: Ctx<'_, '_>,
    key_ref: i32,
    key_len: i32,
    val_ref: i32,
    val_len: i32,
) -> Result<i32, wasmi::Error> {
    if key_len == FN_CALL && caller.state_ref().suspends {
        return suspend(&mut caller, val_ref, val_len);
    }
    guarded(&mut caller, |caller| {
        state_get(caller, key_ref, key_len, val_ref, val_len)
    })
}

/// `hostStateGet`'s work, on any engine.
pub(crate) fn state_get<'a>(
    caller: &mut dyn Guest<'a>,
    key_ref: i32,
    key_len: i32,
    val_ref: i32,
    val_len: i32,
) -> Result<i32, VmError> {
    {
        if key_len < 0 {
            // A sandbox call: key_len is the function number.
            let params = read(caller, val_ref, val_len)?;
            let result = sandbox_call(caller, key_len, &params);
            caller.state().note(|| {
                let shown = match &result {
                    Ok(bytes) => show(bytes),
                    Err(err) => format!("failed: {err}"),
                };
                HostCall::new(sandbox_name(key_len), show(&params), shown)
            });
            let result = result?;
            let len = result.len();
            caller.state().cached = Some(result);
            return to_i32(len);
        }
        if val_len < 0 {
            let key = read(caller, key_ref, key_len)?;
            let found = with_sandbox(caller, |sandbox| sandbox.state_get(&key))?;
            caller.state().note(|| {
                let answer = if found.is_some() { "yes" } else { "no" };
                HostCall::new("state exists", show(&key), answer.into())
            });
            return Ok(if found.is_some() { 0 } else { -1 });
        }
        if key_len > 0 {
            let key = read(caller, key_ref, key_len)?;
            let value = with_sandbox(caller, |sandbox| sandbox.state_get(&key))?;
            caller.state().note(|| {
                let shown = value.as_deref().map_or_else(|| "(none)".into(), show);
                HostCall::new("state get", show(&key), shown)
            });
            caller.state().cached = value;
        }
        let Some(cached) = caller.state().cached.take() else {
            return Ok(-1);
        };
        let len = cached.len();
        let copy = usize::try_from(val_len).unwrap_or(0).min(len);
        let written = write(caller, val_ref, &cached[..copy]);
        if key_len == 0 {
            caller
                .state()
                .note(|| HostCall::new("copy result", String::new(), show(&cached[..copy])));
        }
        caller.state().cached = Some(cached);
        written?;
        to_i32(len)
    }
}

/// `hostStateSet(key_ref, key_len, val_ref, val_len)`.
pub(crate) fn host_state_set(
    mut caller: Ctx<'_, '_>,
    key_ref: i32,
    key_len: i32,
    val_ref: i32,
    val_len: i32,
) -> Result<(), wasmi::Error> {
    guarded(&mut caller, |caller| {
        state_set(caller, key_ref, key_len, val_ref, val_len)
    })
}

/// `hostStateSet`'s work, on any engine.
pub(crate) fn state_set<'a>(
    caller: &mut dyn Guest<'a>,
    key_ref: i32,
    key_len: i32,
    val_ref: i32,
    val_len: i32,
) -> Result<(), VmError> {
    {
        if key_ref == 0 {
            return export_name(caller, key_len, val_ref, val_len);
        }
        let key = read(caller, key_ref, key_len)?;
        if val_len < 0 {
            with_sandbox(caller, |sandbox| sandbox.state_delete(&key))?;
            caller
                .state()
                .note(|| HostCall::new("state delete", show(&key), String::new()));
            return Ok(());
        }
        let value = read(caller, val_ref, val_len)?;
        with_sandbox(caller, |sandbox| sandbox.state_set(&key, &value))?;
        caller
            .state()
            .note(|| HostCall::new("state set", show(&key), show(&value)));
        Ok(())
    }
}

/// The most iovecs a TinyGo panic's `fd_write` is read from.
const MAX_IOVECS: usize = 16;
/// The most bytes read of one AssemblyScript string (`env.abort`).
const MAX_ABORT_STRING_BYTES: usize = 4 * 1024;

/// `wasi_snapshot_preview1.fd_write(fd, iovs, iovs_len, nwritten) -> i32`,
/// which TinyGo builds call only to print a panic: as on Wasp, the text
/// the iovecs hold, without a leading `panic: `, is the contract's panic.
pub(crate) fn fd_write(
    mut caller: Ctx<'_, '_>,
    _fd: i32,
    iovs: i32,
    iovs_len: i32,
    _nwritten: i32,
) -> Result<i32, wasmi::Error> {
    guarded(&mut caller, |caller| tinygo_panic(caller, iovs, iovs_len))
}

/// `fd_write`'s work, on any engine: always the contract's panic.
pub(crate) fn tinygo_panic<'a>(
    caller: &mut dyn Guest<'a>,
    iovs: i32,
    iovs_len: i32,
) -> Result<i32, VmError> {
    {
        let count = usize::try_from(iovs_len).unwrap_or(0).min(MAX_IOVECS);
        let table = read(caller, iovs, i32::try_from(count * 8).unwrap_or(0))?;
        let mut text = Vec::new();
        for iovec in table.chunks_exact(8) {
            let word = |at: usize| {
                i32::from_le_bytes([iovec[at], iovec[at + 1], iovec[at + 2], iovec[at + 3]])
            };
            text.extend(read(caller, word(0), word(4))?);
        }
        let text = String::from_utf8_lossy(&text).into_owned();
        let text = text.strip_prefix("panic: ").unwrap_or(&text).to_owned();
        Err(VmError::panic(text))
    }
}

/// `env.abort(message, file, line, column)`, AssemblyScript's failed
/// assertion: as on Wasp, the contract's panic `message (file line:column)`,
/// each string read as UTF-16LE up to its first zero code unit (a null
/// pointer reads as empty).
pub(crate) fn abort(
    mut caller: Ctx<'_, '_>,
    message: i32,
    file: i32,
    line: i32,
    column: i32,
) -> Result<(), wasmi::Error> {
    guarded(&mut caller, |caller| {
        assemblyscript_abort(caller, message, file, line, column)
    })
}

/// `env.abort`'s work, on any engine: always the contract's panic.
pub(crate) fn assemblyscript_abort<'a>(
    caller: &mut dyn Guest<'a>,
    message: i32,
    file: i32,
    line: i32,
    column: i32,
) -> Result<(), VmError> {
    let message = utf16_string(caller, message)?;
    let file = utf16_string(caller, file)?;
    Err(VmError::panic(format!(
        "{message} ({file} {line}:{column})"
    )))
}

/// An AssemblyScript string at `ptr`: UTF-16LE code units up to the first
/// zero one, the end of memory, or [`MAX_ABORT_STRING_BYTES`].
fn utf16_string<'a>(caller: &mut dyn Guest<'a>, ptr: i32) -> Result<String, VmError> {
    if ptr == 0 {
        return Ok(String::new());
    }
    let size = caller.memory_len()?;
    let start = usize::try_from(ptr)
        .ok()
        .filter(|start| *start < size)
        .ok_or_else(|| out_of_range(ptr, 2))?;
    let len = (size - start).min(MAX_ABORT_STRING_BYTES) & !1;
    let bytes = read(caller, ptr, i32::try_from(len).unwrap_or(0))?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .take_while(|unit| *unit != 0)
        .collect();
    Ok(String::from_utf16_lossy(&units))
}

/// `export_name(index, name)`, allowed only in `on_load`: `index` < 0 is
/// the language tag, otherwise an entry point's index.
fn export_name<'a>(
    caller: &mut dyn Guest<'a>,
    index: i32,
    ptr: i32,
    len: i32,
) -> Result<(), VmError> {
    if caller.state_ref().sandbox.is_some() {
        return Err(VmError::Trap {
            vm: crate::vm::VmType::WASM,
            message: "a contract may export names only during on_load".into(),
        });
    }
    if usize::try_from(len).is_ok_and(|len| len > MAX_EXPORT_NAME_BYTES) {
        return Err(VmError::limit(format!(
            "an exported name of {len} bytes; at most {MAX_EXPORT_NAME_BYTES}"
        )));
    }
    if caller.state_ref().exports.len() >= MAX_EXPORTS {
        return Err(VmError::limit(format!(
            "more than {MAX_EXPORTS} exported entry points"
        )));
    }
    let name = string_from_bytes(&read(caller, ptr, len)?)?;
    if index >= 0 {
        caller.state().exports.push((index, name));
    } else {
        caller.state().language = Some(name);
    }
    Ok(())
}

/// Runs `body`; a [`VmError`] is kept in the state and becomes a trap.
fn guarded<'a, R>(
    caller: &mut Ctx<'_, 'a>,
    body: impl FnOnce(&mut dyn Guest<'a>) -> Result<R, VmError>,
) -> Result<R, wasmi::Error> {
    body(caller).map_err(|err| {
        let message = err.to_string();
        caller.state().error = Some(err);
        wasmi::Error::new(message)
    })
}

/// Burns `gas` for host work: from the request's budget (after charging
/// the fuel the guest burned since the last host call, and handing the
/// guest what is left), or, during `on_load`, from its fuel.
fn burn<'a>(caller: &mut dyn Guest<'a>, gas: u64) -> Result<(), VmError> {
    if gas == 0 {
        return Ok(());
    }
    let left = fuel_left(caller);
    if caller.state_ref().sandbox.is_none() {
        let rest = left
            .checked_sub(gas / GAS.wasm_instruction)
            .ok_or_else(|| {
                VmError::limit("on_load ran out of its fuel budget (copying bytes costs fuel too)")
            })?;
        return set_fuel(caller, rest);
    }
    let state = caller.state();
    state.charge_fuel(left)?;
    state.sandbox()?.burn_gas(gas)?;
    refill(caller)
}

/// Hands the guest the fuel the request's gas still pays for.
fn refill<'a>(caller: &mut dyn Guest<'a>) -> Result<(), VmError> {
    let state = caller.state();
    let fuel = state.sandbox()?.gas_remaining() / GAS.wasm_instruction;
    state.set_mark(fuel);
    set_fuel(caller, fuel)
}

/// The fuel the guest has left: the metered module's own counter (see
/// `meter.rs`); below zero (a run that went past it since the last check)
/// reads as none.
fn fuel_left<'a>(caller: &dyn Guest<'a>) -> u64 {
    u64::try_from(caller.fuel()).unwrap_or(0)
}

fn set_fuel<'a>(caller: &mut dyn Guest<'a>, fuel: u64) -> Result<(), VmError> {
    caller.set_fuel(i64::try_from(fuel).unwrap_or(i64::MAX))
}

/// Synchronises fuel, charges a sandbox call, runs `op` on the sandbox and
/// hands the guest the fuel left. (The bytes the call moves are charged
/// as they are copied: see [`read`] and [`write`].)
fn with_sandbox<'a, R>(
    caller: &mut dyn Guest<'a>,
    op: impl FnOnce(&mut dyn Sandbox) -> Result<R, VmError>,
) -> Result<R, VmError> {
    burn(caller, GAS.sandbox_call)?;
    let result = op(caller.state().sandbox()?)?;
    refill(caller)?;
    Ok(result)
}

fn to_i32(len: usize) -> Result<i32, VmError> {
    i32::try_from(len).map_err(|_| VmError::limit(format!("a value of {len} bytes is too large")))
}

fn memory(caller: &Ctx<'_, '_>) -> Result<wasmi::Memory, VmError> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| VmError::panic("the module has no `memory` export"))
}

fn out_of_range(ptr: i32, len: i32) -> VmError {
    VmError::Trap {
        vm: crate::vm::VmType::WASM,
        message: format!(
            "host call with an out-of-range pointer: {len} bytes at {ptr} are outside linear memory"
        ),
    }
}

/// The range `ptr .. ptr + len` of the guest's memory, checked.
fn range<'a>(
    caller: &dyn Guest<'a>,
    ptr: i32,
    len: usize,
) -> Result<std::ops::Range<usize>, VmError> {
    let size = caller.memory_len()?;
    let shown = i32::try_from(len).unwrap_or(i32::MAX);
    let start = usize::try_from(ptr).map_err(|_| out_of_range(ptr, shown))?;
    let end = start
        .checked_add(len)
        .filter(|end| *end <= size)
        .ok_or_else(|| out_of_range(ptr, shown))?;
    Ok(start..end)
}

/// Copies `len` bytes at `ptr` out of the guest's memory, after checking
/// the range and charging `per_byte` for each byte.
fn read<'a>(caller: &mut dyn Guest<'a>, ptr: i32, len: i32) -> Result<Vec<u8>, VmError> {
    let Ok(len) = usize::try_from(len) else {
        return Ok(Vec::new());
    };
    if len == 0 {
        return Ok(Vec::new());
    }
    let range = range(caller, ptr, len)?;
    burn(caller, GAS.per_byte.saturating_mul(len as u64))?;
    caller.load(range)
}

/// Copies `bytes` into the guest's memory at `ptr`, after checking the
/// range and charging `per_byte` for each byte.
fn write<'a>(caller: &mut dyn Guest<'a>, ptr: i32, bytes: &[u8]) -> Result<(), VmError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let range = range(caller, ptr, bytes.len())?;
    burn(caller, GAS.per_byte.saturating_mul(bytes.len() as u64))?;
    caller.store(range.start, bytes)
}

/// `isc-playground.step(site)`, which only a traced module imports: the
/// instruction at `site` is about to run (see `trace.rs`).
pub(crate) fn trace_step(mut caller: Ctx<'_, '_>, site: i32) {
    let state = caller.state();
    let fuel = state.fuel_mark;
    if let (Some(tracer), Ok(site)) = (state.tracer.as_deref_mut(), u32::try_from(site)) {
        tracer.step(site, fuel);
    }
}

// --- the sandbox functions (`wasmlib::sandbox::FN_*`) ------------------------

/// The sandbox functions' names, by number (−1 first).
const SANDBOX_NAMES: [&str; 38] = [
    "FN_ACCOUNT_ID",
    "FN_ALLOWANCE",
    "FN_BALANCE",
    "FN_BALANCES",
    "FN_BLOCK_CONTEXT",
    "FN_CALL",
    "FN_CALLER",
    "FN_CHAIN_ID",
    "FN_CHAIN_OWNER_ID",
    "FN_CONTRACT",
    "FN_DEPLOY_CONTRACT",
    "FN_ENTROPY",
    "FN_ESTIMATE_STORAGE_DEPOSIT",
    "FN_EVENT",
    "FN_LOG",
    "FN_MINTED",
    "FN_PANIC",
    "FN_PARAMS",
    "FN_POST",
    "FN_REQUEST",
    "FN_REQUEST_ID",
    "FN_REQUEST_SENDER",
    "FN_RESULTS",
    "FN_SEND",
    "FN_STATE_ANCHOR",
    "FN_TIMESTAMP",
    "FN_TRACE",
    "FN_TRANSFER_ALLOWED",
    "FN_UTILS_BECH32_DECODE",
    "FN_UTILS_BECH32_ENCODE",
    "FN_UTILS_BLS_ADDRESS",
    "FN_UTILS_BLS_AGGREGATE",
    "FN_UTILS_BLS_VALID",
    "FN_UTILS_ED25519_ADDRESS",
    "FN_UTILS_ED25519_VALID",
    "FN_UTILS_HASH_BLAKE2B",
    "FN_UTILS_HASH_NAME",
    "FN_UTILS_HASH_SHA3",
];

/// Sandbox function `func`'s name (`FN_PARAMS`), or its number.
fn sandbox_name(func: i32) -> String {
    usize::try_from(-i64::from(func) - 1)
        .ok()
        .and_then(|i| SANDBOX_NAMES.get(i))
        .map_or_else(
            || format!("sandbox function {func}"),
            |name| (*name).to_owned(),
        )
}

/// The least a posted request's transfer carries, in base tokens, when it
/// carries any: Wasp's host raises a smaller one to it.
const MIN_POST_TRANSFER: u64 = 1_000_000;

const FN_ACCOUNT_ID: i32 = -1;
const FN_ALLOWANCE: i32 = -2;
const FN_BALANCE: i32 = -3;
const FN_BALANCES: i32 = -4;
const FN_BLOCK_CONTEXT: i32 = -5;
const FN_CALL: i32 = -6;
const FN_CALLER: i32 = -7;
const FN_CHAIN_ID: i32 = -8;
const FN_CHAIN_OWNER_ID: i32 = -9;
const FN_CONTRACT: i32 = -10;
const FN_DEPLOY_CONTRACT: i32 = -11;
const FN_ENTROPY: i32 = -12;
const FN_ESTIMATE_STORAGE_DEPOSIT: i32 = -13;
const FN_EVENT: i32 = -14;
const FN_LOG: i32 = -15;
const FN_MINTED: i32 = -16;
const FN_PANIC: i32 = -17;
const FN_PARAMS: i32 = -18;
const FN_POST: i32 = -19;
const FN_REQUEST: i32 = -20;
const FN_REQUEST_ID: i32 = -21;
const FN_REQUEST_SENDER: i32 = -22;
const FN_RESULTS: i32 = -23;
const FN_SEND: i32 = -24;
const FN_STATE_ANCHOR: i32 = -25;
const FN_TIMESTAMP: i32 = -26;
const FN_TRACE: i32 = -27;
const FN_TRANSFER_ALLOWED: i32 = -28;
const FN_UTILS_BECH32_DECODE: i32 = -29;
const FN_UTILS_BECH32_ENCODE: i32 = -30;
const FN_UTILS_BLS_ADDRESS: i32 = -31;
const FN_UTILS_BLS_AGGREGATE: i32 = -32;
const FN_UTILS_BLS_VALID: i32 = -33;
const FN_UTILS_ED25519_ADDRESS: i32 = -34;
const FN_UTILS_ED25519_VALID: i32 = -35;
const FN_UTILS_HASH_BLAKE2B: i32 = -36;
const FN_UTILS_HASH_NAME: i32 = -37;
const FN_UTILS_HASH_SHA3: i32 = -38;

fn unsupported(what: &str) -> VmError {
    VmError::unsupported(what.to_owned())
}

/// Runs sandbox function `func` with `params` and returns its result bytes,
/// encoded as the `wasmlib` crate's `sandbox.rs`/`sandboxutils.rs` decode them.
fn sandbox_call<'a>(
    caller: &mut dyn Guest<'a>,
    func: i32,
    params: &[u8],
) -> Result<Vec<u8>, VmError> {
    if func == FN_LOG || func == FN_TRACE || func == FN_PANIC {
        let text = String::from_utf8_lossy(params).into_owned();
        if func == FN_PANIC {
            return Err(VmError::panic(text));
        }
        return match caller.state().sandbox.as_deref_mut() {
            // Logging during on_load goes nowhere: there is no request yet.
            None => Ok(Vec::new()),
            Some(_) => with_sandbox(caller, |sandbox| {
                if func == FN_LOG {
                    sandbox.log(&text);
                } else {
                    sandbox.trace(&text);
                }
                Ok(Vec::new())
            }),
        };
    }
    if func == FN_RESULTS {
        let max = caller.state().max_results_bytes;
        if params.len() > max {
            return Err(VmError::limit(format!(
                "results of {} bytes exceed the maximum of {max}",
                params.len()
            )));
        }
        let results = Dict::from_bytes(params)?;
        with_sandbox(caller, |_| Ok(()))?;
        caller.state().results = Some(results);
        return Ok(Vec::new());
    }
    if caller.state_ref().on_runtime && (func == FN_CALL || func == FN_DEPLOY_CONTRACT) {
        // The browser's engine cannot set a guest aside for a nested call.
        caller.state().gave_up = Some("the contract makes a nested call");
        return Err(VmError::panic("a nested call: handed back to wasmi"));
    }
    if func == FN_CALL {
        // Out of the big match: a nested call keeps only a small frame on
        // the host's stack.
        return with_sandbox(caller, |sandbox| nested_call(sandbox, params));
    }
    with_sandbox(caller, |sandbox| run_sandbox(sandbox, func, params))
}

/// `FN_CALL` in a resumable run: charges the sandbox call, decodes the
/// request and keeps it in the state, then stops the guest with a host
/// error — the processor sees `pending` and hands the call to the chain
/// ([`crate::vm::Step::Calls`]); [`resumed`] finishes the host call.
fn suspend(caller: &mut Ctx<'_, '_>, val_ref: i32, val_len: i32) -> Result<i32, wasmi::Error> {
    let call = guarded(caller, |caller| {
        let params = read(caller, val_ref, val_len)?;
        burn(caller, GAS.sandbox_call)?;
        call_request(&params)
    })?;
    let state = caller.state();
    state.note(|| {
        let args = format!(
            "contract {} entry {} params {}",
            call.contract,
            call.entry,
            show(&call.params.to_bytes())
        );
        HostCall::new("FN_CALL", args, "(a nested call: its own trace)".into())
    });
    // The callee's trace node names the instruction that called it.
    let at = state.tracer.as_deref().and_then(Tracer::last_step);
    if let Some(sandbox) = state.sandbox.as_deref_mut() {
        sandbox.mark_step(at);
    }
    caller.state().pending = Some(call);
    Err(wasmi::Error::new("waiting for a nested call"))
}

/// The end of a suspended `FN_CALL`, given the nested call's results: keeps
/// their bytes for the guest to fetch, hands it the fuel the request's gas
/// still pays for, and gives `hostStateGet`'s return value (their length).
pub(crate) fn resumed(
    store: &mut wasmi::Store<HostState<'_>>,
    fuel_global: wasmi::Global,
    results: &Dict,
) -> Result<i32, VmError> {
    let bytes = results.to_bytes();
    let len = to_i32(bytes.len())?;
    let state = store.data_mut();
    state.cached = Some(bytes);
    let fuel = state.sandbox()?.gas_remaining() / GAS.wasm_instruction;
    state.set_mark(fuel);
    fuel_global
        .set(
            &mut *store,
            wasmi::Val::I64(i64::try_from(fuel).unwrap_or(i64::MAX)),
        )
        .map_err(|err| VmError::panic(format!("fuel: {err}")))?;
    Ok(len)
}

/// wasmlib's `CallRequest`: allowance, contract, function, params.
fn call_request(params: &[u8]) -> Result<NestedCall, VmError> {
    let mut dec = Decoder::new(params);
    let allowance = Assets::from_bytes(dec.bytes()?)?;
    let contract = hname(dec.fixed(4, "contract hname")?);
    let entry = hname(dec.fixed(4, "function hname")?);
    let params = Dict::from_bytes(dec.bytes()?)?;
    Ok(NestedCall {
        contract,
        entry,
        params,
        allowance,
    })
}

/// `FN_CALL` run on the host's stack (from a start function): its
/// results' bytes.
#[inline(never)]
fn nested_call(sandbox: &mut dyn Sandbox, params: &[u8]) -> Result<Vec<u8>, VmError> {
    let call = call_request(params)?;
    Ok(sandbox
        .call(call.contract, call.entry, call.params, call.allowance)?
        .to_bytes())
}

#[inline(never)]
fn run_sandbox(sandbox: &mut dyn Sandbox, func: i32, params: &[u8]) -> Result<Vec<u8>, VmError> {
    Ok(match func {
        FN_ACCOUNT_ID => sandbox.account_id().to_bytes(),
        FN_ALLOWANCE => sandbox.allowance().to_bytes(),
        // No native tokens exist on the playground chain.
        FN_BALANCE => u64_to_bytes(0),
        FN_BALANCES => {
            let own = sandbox.account_id();
            sandbox.balance_of(&own)?.to_bytes()
        }
        FN_BLOCK_CONTEXT => {
            return Err(unsupported("block contexts (FN_BLOCK_CONTEXT)"));
        }
        FN_CALL => nested_call(sandbox, params)?,
        FN_CALLER => sandbox.caller().to_bytes(),
        FN_CHAIN_ID => sandbox.chain_id().as_bytes().to_vec(),
        FN_CHAIN_OWNER_ID => sandbox.chain_owner().to_bytes(),
        FN_CONTRACT => sandbox.contract().to_bytes().to_vec(),
        FN_DEPLOY_CONTRACT => {
            let mut dec = Decoder::new(params);
            let description = string_from_bytes(dec.bytes()?)?;
            let name = string_from_bytes(dec.bytes()?)?;
            let mut init = Dict::from_bytes(dec.bytes()?)?;
            let program = Hash::from_bytes(dec.fixed(32, "program hash")?)
                .map_err(crate::codec::CodecError::from)?;
            init.set("ph", program.as_bytes().to_vec());
            init.set("nm", name);
            init.set("ds", description);
            sandbox.call(
                Hname::of("root"),
                Hname::of("deployContract"),
                init,
                Assets::default(),
            )?;
            Vec::new()
        }
        FN_ENTROPY => sandbox.entropy().as_bytes().to_vec(),
        FN_ESTIMATE_STORAGE_DEPOSIT => {
            return Err(unsupported(
                "storage deposits: the playground chain has no L1 outputs",
            ));
        }
        FN_EVENT => {
            let text = string_from_bytes(params)?;
            let topic = text.split('|').next().unwrap_or_default().to_owned();
            sandbox.event(&topic, params)?;
            Vec::new()
        }
        // Nothing is ever minted: there are no foundries.
        FN_MINTED => Assets::default().to_bytes(),
        FN_PARAMS => sandbox.params().to_bytes(),
        FN_POST => {
            // wasmlib's `PostRequest`, fields in alphabetical order.
            let mut dec = Decoder::new(params);
            let allowance = Assets::from_bytes(dec.bytes()?)?;
            let chain = ChainId::from_bytes(dec.fixed(32, "chain id")?)
                .map_err(crate::codec::CodecError::from)?;
            let contract = hname(dec.fixed(4, "contract hname")?);
            let delay = u32::try_from(dec.vlu(32)?).unwrap_or(u32::MAX);
            let entry = hname(dec.fixed(4, "function hname")?);
            let post_params = Dict::from_bytes(dec.bytes()?)?;
            let transfer = Assets::from_bytes(dec.bytes()?)?;
            // As Wasp's host: no allowance means the transfer, and a
            // transfer carries at least 1 Mi base tokens (its storage
            // deposit and gas).
            let allowance = if allowance.is_empty() {
                transfer
            } else {
                allowance
            };
            let mut transfer = transfer;
            if !transfer.is_empty() {
                transfer.base_tokens = transfer.base_tokens.max(MIN_POST_TRANSFER);
            }
            sandbox.post(Post {
                chain,
                on_behalf_of: None,
                contract,
                entry,
                params: post_params,
                transfer,
                allowance,
                gas_budget: None,
                time_lock: match delay {
                    0 => TimeLock::None,
                    delay => TimeLock::After(delay),
                },
            })?;
            Vec::new()
        }
        FN_REQUEST => return Err(unsupported("the raw request (FN_REQUEST)")),
        FN_REQUEST_ID => sandbox.request_id().as_bytes().to_vec(),
        FN_REQUEST_SENDER => sandbox.request_sender().to_bytes(),
        FN_SEND => {
            let mut dec = Decoder::new(params);
            let address = dec.fixed(33, "address")?.to_vec();
            let assets = Assets::from_bytes(dec.bytes()?)?;
            let target = address_to_agent(&address)?;
            sandbox.send_to_l1(&target, assets)?;
            Vec::new()
        }
        FN_STATE_ANCHOR => {
            return Err(unsupported("the state anchor: there is no L1 alias output"));
        }
        FN_TIMESTAMP => u64_to_bytes(sandbox.timestamp()),
        FN_TRANSFER_ALLOWED => {
            let mut dec = Decoder::new(params);
            let target =
                AgentId::from_bytes(dec.bytes()?).map_err(crate::codec::CodecError::from)?;
            let assets = Assets::from_bytes(dec.bytes()?)?;
            sandbox.transfer_allowed(&target, assets)?;
            Vec::new()
        }
        FN_UTILS_BECH32_DECODE => {
            sandbox.burn_gas(GAS.bech32_coding(params.len()))?;
            super::utils::bech32_decode(&string_from_bytes(params)?)?
        }
        FN_UTILS_BECH32_ENCODE => {
            sandbox.burn_gas(GAS.bech32_coding(params.len()))?;
            super::utils::bech32_encode(params)?.into_bytes()
        }
        FN_UTILS_BLS_ADDRESS | FN_UTILS_BLS_AGGREGATE | FN_UTILS_BLS_VALID => {
            return Err(unsupported("BLS signatures"));
        }
        FN_UTILS_ED25519_ADDRESS => {
            sandbox.burn_gas(GAS.ed25519_address)?;
            super::utils::ed25519_address(params)?
        }
        FN_UTILS_ED25519_VALID => {
            sandbox.burn_gas(GAS.ed25519_valid)?;
            let mut dec = Decoder::new(params);
            let data = dec.bytes()?;
            let key = dec.bytes()?;
            let signature = dec.bytes()?;
            vec![u8::from(super::utils::ed25519_valid(data, key, signature))]
        }
        FN_UTILS_HASH_BLAKE2B => sandbox.blake2b(params)?.as_bytes().to_vec(),
        FN_UTILS_HASH_NAME => sandbox
            .hname(&string_from_bytes(params)?)?
            .to_bytes()
            .to_vec(),
        FN_UTILS_HASH_SHA3 => sandbox.sha3(params)?.as_bytes().to_vec(),
        other => {
            return Err(VmError::panic(format!("unknown sandbox function {other}")));
        }
    })
}

fn hname(bytes: &[u8]) -> Hname {
    let mut raw = [0; 4];
    raw.copy_from_slice(bytes);
    Hname::from_u32(u32::from_le_bytes(raw))
}

/// A WasmLib address (33 bytes, type byte first) as the agent it names.
fn address_to_agent(address: &[u8]) -> Result<AgentId, VmError> {
    match address.split_first() {
        Some((0, key)) => {
            let mut user = [0; 32];
            user.copy_from_slice(key);
            Ok(AgentId::User(user))
        }
        Some((8, _)) => Err(unsupported(
            "sending to a chain address: there is one chain here",
        )),
        Some((32, _)) => Err(unsupported("sending to an Ethereum address on L1")),
        _ => Err(VmError::codec("invalid address type")),
    }
}

#[cfg(test)]
mod names_tests {
    use super::*;

    #[test]
    fn sandbox_functions_are_named_as_wasmlib_names_them() {
        for (func, name) in [
            (FN_ACCOUNT_ID, "FN_ACCOUNT_ID"),
            (FN_CALL, "FN_CALL"),
            (FN_PARAMS, "FN_PARAMS"),
            (FN_RESULTS, "FN_RESULTS"),
            (FN_TRACE, "FN_TRACE"),
            (FN_UTILS_HASH_SHA3, "FN_UTILS_HASH_SHA3"),
        ] {
            assert_eq!(sandbox_name(func), name);
        }
        assert_eq!(sandbox_name(-39), "sandbox function -39");
        assert_eq!(sandbox_name(0), "sandbox function 0");
    }
}
