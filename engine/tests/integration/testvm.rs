//! A fourth VM, defined entirely in this test crate: its programs are JSON
//! lists of operations. That it runs contracts — nested calls, tokens, gas —
//! proves that adding a VM needs no chain code.

use isc_engine::{
    Assets, Dict, EntryPointInfo, Hname, Processor, ProcessorFactory, Sandbox, VmError, VmType,
};
use serde::Deserialize;

pub(crate) const VM: VmType = VmType::new_static("testvm");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Program {
    pub(crate) funcs: Vec<EntryPoint>,
    #[serde(default)]
    pub(crate) views: Vec<EntryPoint>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct EntryPoint {
    pub(crate) name: String,
    pub(crate) ops: Vec<Op>,
}

/// One operation. Values are UTF-8 text.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Op {
    /// `state[key] = value`.
    Set { key: String, value: String },
    /// Deletes `state[key]`.
    Delete { key: String },
    /// Adds 1 to the u64 under `key`.
    Increment { key: String },
    /// `results[key] = state[key]`.
    Get { key: String },
    /// `results[key] = value`.
    Result { key: String, value: String },
    /// `results[key] = params[key]`, and `state[key] = params[key]`.
    StoreParam { key: String },
    /// Calls another contract; with `catch`, a failure is recorded in
    /// `state["caught"]` instead of failing this call.
    Call {
        contract: String,
        entry: String,
        #[serde(default)]
        allowance: u64,
        #[serde(default)]
        catch: bool,
    },
    /// Fails the call.
    Panic { message: String },
    /// Burns gas in a loop until the budget runs out.
    Spin,
    /// Moves `amount` from the caller's allowance to the user `to`.
    TakeAllowance { to: String, amount: u64 },
    /// Sends `amount` from this contract's account to the user `to`.
    Send { to: String, amount: u64 },
    /// Emits an event.
    Event { topic: String },
    /// Logs a line.
    Log { message: String },
}

pub(crate) struct TestFactory;

impl ProcessorFactory for TestFactory {
    fn vm_type(&self) -> VmType {
        VM
    }

    fn load(&self, program: &[u8]) -> Result<Box<dyn Processor>, VmError> {
        let program: Program =
            serde_json::from_slice(program).map_err(|err| VmError::InvalidProgram {
                vm: VM,
                message: err.to_string(),
            })?;
        let entry_points = program
            .funcs
            .iter()
            .map(|ep| EntryPointInfo::func(&ep.name))
            .chain(
                program
                    .views
                    .iter()
                    .map(|ep| EntryPointInfo::view(&ep.name)),
            )
            .collect();
        Ok(Box::new(TestProcessor {
            program,
            entry_points,
        }))
    }
}

struct TestProcessor {
    program: Program,
    entry_points: Vec<EntryPointInfo>,
}

impl Processor for TestProcessor {
    fn vm_type(&self) -> VmType {
        VM
    }

    fn entry_points(&self) -> &[EntryPointInfo] {
        &self.entry_points
    }

    fn call(&self, ctx: &mut dyn Sandbox, entry: Hname) -> Result<Dict, VmError> {
        let ep = self
            .program
            .funcs
            .iter()
            .chain(&self.program.views)
            .find(|ep| Hname::of(&ep.name) == entry)
            .ok_or_else(|| VmError::panic("no such entry point"))?;
        let mut results = Dict::new();
        for op in &ep.ops {
            ctx.burn_gas(1)?;
            run(ctx, op, &mut results)?;
        }
        Ok(results)
    }
}

fn run(ctx: &mut dyn Sandbox, op: &Op, results: &mut Dict) -> Result<(), VmError> {
    match op {
        Op::Set { key, value } => ctx.state_set(key.as_bytes(), value.as_bytes()),
        Op::Delete { key } => ctx.state_delete(key.as_bytes()),
        Op::Increment { key } => {
            let old = ctx.state_get(key.as_bytes())?.unwrap_or_default();
            let old = isc_engine::codec::u64_from_bytes(&old)?;
            ctx.state_set(key.as_bytes(), &(old + 1).to_le_bytes())
        }
        Op::Get { key } => {
            let value = ctx.state_get(key.as_bytes())?.unwrap_or_default();
            results.set(key, value);
            Ok(())
        }
        Op::Result { key, value } => {
            results.set(key, value.as_bytes());
            Ok(())
        }
        Op::StoreParam { key } => {
            let value = ctx.params().get(key).unwrap_or_default().to_vec();
            ctx.state_set(key.as_bytes(), &value)?;
            results.set(key, value);
            Ok(())
        }
        Op::Call {
            contract,
            entry,
            allowance,
            catch,
        } => {
            let outcome = ctx.call(
                Hname::of(contract),
                Hname::of(entry),
                Dict::new(),
                Assets::base(*allowance),
            );
            match outcome {
                Ok(inner) => {
                    for (key, value) in inner.iter() {
                        results.set(key, value);
                    }
                    Ok(())
                }
                Err(err) if *catch => ctx.state_set(b"caught", err.to_string().as_bytes()),
                Err(err) => Err(err),
            }
        }
        Op::Panic { message } => Err(ctx.panic(message)),
        Op::Spin => loop {
            ctx.burn_gas(1_000)?;
        },
        Op::TakeAllowance { to, amount } => {
            ctx.transfer_allowed(&isc_engine::AgentId::user(to), Assets::base(*amount))
        }
        Op::Send { to, amount } => ctx.send(&isc_engine::AgentId::user(to), Assets::base(*amount)),
        Op::Event { topic } => ctx.event(topic, topic.as_bytes()),
        Op::Log { message } => {
            ctx.log(message);
            Ok(())
        }
    }
}
