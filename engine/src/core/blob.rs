//! `blob`: content-addressed storage of programs and other data.
//!
//! A blob is a dict of fields; its hash is blake2b-256 of the dict's
//! canonical bytes. A program blob has the fields `v` (VM type) and `p`
//! (program binary), and optionally `d` (description).
//!
//! State layout: `f` + hash + field name → field value; `s` + hash → total
//! size (`u32` LE).

use super::{NativeContract, hash_param, string_param};
use crate::Hname;
use crate::chain::store::Store;
use crate::codec::Dict;
use crate::ids::Hash;
use crate::vm::{EntryPointInfo, FieldInfo, Sandbox, VmError, VmType};

pub(crate) const NAME: &str = "blob";
/// Field holding a program's VM type.
pub(crate) const FIELD_VM_TYPE: &str = "v";
/// Field holding a program's binary.
pub(crate) const FIELD_PROGRAM: &str = "p";
/// Field holding a description.
pub(crate) const FIELD_DESCRIPTION: &str = "d";

pub(crate) fn hname() -> Hname {
    // `Hname::of(NAME)`, known (the chain asks for it on every request;
    // `core::tests` checks it).
    Hname::from_u32(0xfd91bc63)
}

pub(crate) fn contract() -> NativeContract {
    let hash = || FieldInfo::new("hash", "Hash");
    NativeContract::new(NAME, "Blob Contract")
        .with(
            EntryPointInfo::func("storeBlob")
                .params([
                    FieldInfo::optional(FIELD_VM_TYPE, "String"),
                    FieldInfo::optional(FIELD_PROGRAM, "Bytes"),
                    FieldInfo::optional(FIELD_DESCRIPTION, "String"),
                ])
                .results([hash()]),
            store_blob,
        )
        .with(
            EntryPointInfo::view("getBlobInfo")
                .params([hash()])
                .results([FieldInfo::new("this", "map[String]Int32")]),
            |ctx| {
                let hash = hash_param(ctx, "hash")?;
                let fields = ctx.state_prefix(&field_prefix(&hash))?;
                if fields.is_empty() {
                    return Err(not_found(&hash));
                }
                Ok(fields
                    .into_iter()
                    .map(|(key, value)| {
                        (
                            key[33..].to_vec(),
                            (value.len() as u32).to_le_bytes().to_vec(),
                        )
                    })
                    .collect())
            },
        )
        .with(
            EntryPointInfo::view("getBlobField")
                .params([hash(), FieldInfo::new("field", "String")])
                .results([FieldInfo::new("bytes", "Bytes")]),
            |ctx| {
                let hash = hash_param(ctx, "hash")?;
                let field = string_param(ctx, "field")?;
                let value = ctx
                    .state_get(&field_key(&hash, field.as_bytes()))?
                    .ok_or_else(|| {
                        VmError::param("field", format!("blob {hash} has no field `{field}`"))
                    })?;
                Ok(Dict::new().with("bytes", value))
            },
        )
        .with(
            EntryPointInfo::view("listBlobs").results([FieldInfo::new("this", "map[Hash]Int32")]),
            |ctx| {
                Ok(ctx
                    .state_prefix(b"s")?
                    .into_iter()
                    .map(|(key, size)| (key[1..].to_vec(), size))
                    .collect())
            },
        )
}

fn store_blob(ctx: &mut dyn Sandbox) -> Result<Dict, VmError> {
    let fields = ctx.params().clone();
    if fields.is_empty() {
        return Err(VmError::param("p", "a blob needs at least one field"));
    }
    let bytes = fields.to_bytes();
    let max = ctx.limits().max_blob_size;
    if bytes.len() as u64 > u64::from(max) {
        return Err(VmError::limit(format!(
            "a blob of {} bytes exceeds the chain's maximum of {max} (governance's max_blob_size)",
            bytes.len()
        )));
    }
    // The bytes are paid for as the state they are written to, once.
    let hash = Hash::blake2b(&bytes);
    let size: usize = fields.iter().map(|(_, value)| value.len()).sum();
    for (field, value) in fields.iter() {
        ctx.state_set(&field_key(&hash, field), value)?;
    }
    ctx.state_set(&size_key(&hash), &(size as u32).to_le_bytes())?;
    ctx.event("blob.stored", hash.as_bytes())?;
    Ok(Dict::new().with("hash", hash.as_bytes().to_vec()))
}

/// A blob that is not in the state.
fn not_found(hash: &Hash) -> VmError {
    VmError::param("hash", format!("blob {hash} not found"))
}

/// A program blob that is not in the state (named by the deploy param `ph`).
pub(crate) fn missing_program(hash: &Hash) -> VmError {
    VmError::param("ph", format!("blob {hash} not found"))
}

/// The hash `storeBlob` gives a program blob of `vm` and `program`.
pub(crate) fn program_hash(vm: &VmType, program: &[u8]) -> Hash {
    let fields = Dict::new()
        .with(FIELD_VM_TYPE, vm.as_str())
        .with(FIELD_PROGRAM, program);
    Hash::blake2b(&fields.to_bytes())
}

/// Whether a blob is stored under `hash`.
pub(crate) fn exists(store: &Store, hash: &Hash) -> bool {
    store.get(hname(), &size_key(hash)).is_some()
}

fn field_prefix(hash: &Hash) -> Vec<u8> {
    let mut key = b"f".to_vec();
    key.extend_from_slice(hash.as_bytes());
    key
}

fn field_key(hash: &Hash, field: &[u8]) -> Vec<u8> {
    let mut key = field_prefix(hash);
    key.extend_from_slice(field);
    key
}

fn size_key(hash: &Hash) -> Vec<u8> {
    let mut key = b"s".to_vec();
    key.extend_from_slice(hash.as_bytes());
    key
}

/// The program stored under `hash`: its VM type and binary.
///
/// # Errors
/// [`VmError::Param`] if there is no such blob or it is not a program.
pub(crate) fn program(store: &Store, hash: &Hash) -> Result<(VmType, Vec<u8>), VmError> {
    if !exists(store, hash) {
        return Err(missing_program(hash));
    }
    let field = |name: &str| store.get(hname(), &field_key(hash, name.as_bytes()));
    let vm = field(FIELD_VM_TYPE)
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .ok_or_else(|| VmError::param("ph", format!("blob {hash} has no VM type field `v`")))?;
    let binary = field(FIELD_PROGRAM)
        .ok_or_else(|| VmError::param("ph", format!("blob {hash} has no program field `p`")))?;
    Ok((VmType::new(vm), binary.to_vec()))
}
