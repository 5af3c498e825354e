//! `errors`: error message formats that contracts register.
//!
//! An error code is the registering contract's hname (4 bytes LE) followed by
//! a `u16` id (LE), as ISC's `VMErrorCode`. State layout: `e` + code → the
//! format string; `n` + contract hname → the next id (`u16` LE).

use super::NativeContract;
use crate::Hname;
use crate::codec::Dict;
use crate::vm::{EntryPointInfo, FieldInfo, Sandbox, VmError};

pub(crate) const NAME: &str = "errors";

pub(crate) fn contract() -> NativeContract {
    NativeContract::new(NAME, "Error message format registry")
        .with(
            EntryPointInfo::func("registerError")
                .params([FieldInfo::new("m", "String")])
                .results([FieldInfo::new("c", "Bytes")]),
            register_error,
        )
        .with(
            EntryPointInfo::view("getErrorMessageFormat")
                .params([FieldInfo::new("c", "Bytes")])
                .results([FieldInfo::new("m", "String")]),
            |ctx| {
                let code = ctx.params().get("c").unwrap_or_default().to_vec();
                if code.len() != 6 {
                    return Err(VmError::param(
                        "c",
                        "an error code is 6 bytes: hname and id",
                    ));
                }
                let format = ctx
                    .state_get(&[b"e".as_slice(), &code].concat())?
                    .ok_or_else(|| {
                        VmError::param(
                            "c",
                            format!("no error registered as 0x{}", const_hex::encode(&code)),
                        )
                    })?;
                Ok(Dict::new().with("m", format))
            },
        )
}

fn register_error(ctx: &mut dyn Sandbox) -> Result<Dict, VmError> {
    let format = ctx
        .params()
        .string("m")
        .map_err(|err| VmError::param("m", err))?;
    if format.is_empty() {
        return Err(VmError::param("m", "missing"));
    }
    let contract = match ctx.caller() {
        crate::ids::AgentId::Contract { hname, .. } => hname,
        // A user registers errors under the nil hname, as ISC does for
        // requests that come from outside.
        _ => Hname::from_u32(0),
    };
    // The same format registered twice gets the same code.
    let prefix = [b"e".as_slice(), &contract.to_bytes()].concat();
    for (key, existing) in ctx.state_prefix(&prefix)? {
        if existing == format.as_bytes() {
            return Ok(Dict::new().with("c", key[1..].to_vec()));
        }
    }
    let counter_key = [b"n".as_slice(), &contract.to_bytes()].concat();
    let next = ctx
        .state_get(&counter_key)?
        .and_then(|bytes| <[u8; 2]>::try_from(bytes.as_slice()).ok())
        .map_or(0, u16::from_le_bytes);
    let id = next
        .checked_add(1)
        .ok_or_else(|| VmError::limit("too many registered errors"))?;
    ctx.state_set(&counter_key, &id.to_le_bytes())?;
    let code = [contract.to_bytes().as_slice(), &next.to_le_bytes()].concat();
    ctx.state_set(&[b"e".as_slice(), &code].concat(), format.as_bytes())?;
    Ok(Dict::new().with("c", code))
}
