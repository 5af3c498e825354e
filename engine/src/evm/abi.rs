//! ABI-aware encoding and decoding with `alloy-json-abi` / `alloy-dyn-abi`:
//! calls from user input, results, event logs and revert reasons.

use alloy_dyn_abi::{DynSolType, DynSolValue, FunctionExt, JsonAbiExt, Specifier};
use alloy_json_abi::{Function, JsonAbi, Param, StateMutability};
use serde::{Deserialize, Serialize};

/// An EVM program as the playground stores it in a blob: the ABI and the
/// creation bytecode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvmProgram {
    /// The contract's ABI.
    pub abi: JsonAbi,
    /// Creation bytecode, `0x…` hex.
    pub bytecode: String,
    /// Libraries the bytecode calls and does not have linked yet: each
    /// leaves a 40-character placeholder in `bytecode` until
    /// [`EvmProgram::link`] puts its address there. (Empty once linked;
    /// then not written, so a program's stored form is what it always was.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub libraries: Vec<Library>,
}

/// A library a program's bytecode calls, not linked yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Library {
    /// Its name, `file:Name` where the artifact says (else `Name`).
    pub name: String,
    /// What stands for its address in the bytecode: `__$<34 hex>$__`
    /// (solc ≥ 0.5) or `__<name>___…` (older).
    pub placeholder: String,
}

impl Library {
    /// The name without its file: `Name`.
    pub fn short_name(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }
}

/// Why ABI work failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbiError {
    /// The program JSON is malformed.
    #[error("invalid EVM program: {0}")]
    Program(String),
    /// No function of that name.
    #[error("the ABI has no function `{0}`")]
    NoFunction(String),
    /// Wrong number of arguments.
    #[error("`{function}` takes {expected} arguments, {found} given")]
    Arity {
        /// The function.
        function: String,
        /// Its parameter count.
        expected: usize,
        /// The arguments given.
        found: usize,
    },
    /// An argument does not parse as its Solidity type.
    #[error("argument `{name}` ({ty}): {message}")]
    Argument {
        /// The parameter's name (or position).
        name: String,
        /// Its Solidity type.
        ty: String,
        /// Why.
        message: String,
    },
    /// Data does not decode.
    #[error("cannot decode: {0}")]
    Decode(String),
}

impl EvmProgram {
    /// An interface without code, from ABI JSON (an array of entries): to
    /// call, decode and list the functions of code deployed elsewhere.
    ///
    /// # Errors
    /// [`AbiError::Program`] if it is not an ABI.
    pub fn interface(abi_json: &str) -> Result<Self, AbiError> {
        let abi = serde_json::from_str(abi_json)
            .map_err(|err| AbiError::Program(format!("the ABI is not valid: {err}")))?;
        Ok(Self {
            abi,
            bytecode: String::new(),
            libraries: Vec::new(),
        })
    }

    /// The ABI as JSON text.
    pub fn abi_json(&self) -> String {
        serde_json::to_string(&self.abi).unwrap_or_default()
    }

    /// Parses the stored JSON form.
    ///
    /// # Errors
    /// [`AbiError::Program`].
    pub fn from_json(bytes: &[u8]) -> Result<Self, AbiError> {
        let program: Self =
            serde_json::from_slice(bytes).map_err(|err| AbiError::Program(err.to_string()))?;
        program.creation_code()?;
        Ok(program)
    }

    /// The stored JSON form.
    pub fn to_json(&self) -> Vec<u8> {
        // A JsonAbi and a string always serialize.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The creation bytecode, decoded.
    ///
    /// # Errors
    /// [`AbiError::Program`] if it is not hex or empty.
    pub fn creation_code(&self) -> Result<Vec<u8>, AbiError> {
        if !self.libraries.is_empty() {
            let names: Vec<&str> = self.libraries.iter().map(|l| l.name.as_str()).collect();
            return Err(AbiError::Program(format!(
                "the bytecode calls {} not linked yet ({}): deploy each library, then give \
                 its address to link it",
                if names.len() == 1 {
                    "a library"
                } else {
                    "libraries"
                },
                names.join(", ")
            )));
        }
        let digits = self.bytecode.trim().trim_start_matches("0x");
        let code = hex::decode(digits)
            .map_err(|err| AbiError::Program(format!("bytecode is not hex: {err}")))?;
        if code.is_empty() {
            return Err(AbiError::Program(
                "the bytecode is empty (an interface or abstract contract?)".into(),
            ));
        }
        Ok(code)
    }

    /// This program with each library's address (by its name, or its short
    /// name) put where its placeholder stands.
    ///
    /// # Errors
    /// [`AbiError::Program`] naming a library `addresses` does not give.
    pub fn link(&self, addresses: &[(String, [u8; 20])]) -> Result<Self, AbiError> {
        let mut bytecode = self.bytecode.clone();
        for library in &self.libraries {
            let address = addresses
                .iter()
                .find(|(name, _)| *name == library.name || name == library.short_name())
                .map(|(_, address)| address)
                .ok_or_else(|| {
                    AbiError::Program(format!("no address given for library `{}`", library.name))
                })?;
            bytecode = bytecode.replace(&library.placeholder, &const_hex::encode(address));
        }
        let linked = Self {
            abi: self.abi.clone(),
            bytecode,
            libraries: Vec::new(),
        };
        linked.creation_code()?;
        Ok(linked)
    }

    /// The function named `name` (the first, if overloaded) or with full
    /// signature `name` (e.g. `transfer(address,uint256)`).
    ///
    /// # Errors
    /// [`AbiError::NoFunction`].
    pub fn function(&self, name: &str) -> Result<&Function, AbiError> {
        self.abi
            .functions()
            .find(|f| f.name == name || f.signature() == name)
            .ok_or_else(|| AbiError::NoFunction(name.to_owned()))
    }

    /// Constructor arguments, ABI-encoded from text.
    ///
    /// # Errors
    /// [`AbiError`] on a wrong count or unparsable argument.
    pub fn encode_constructor(&self, args: &[String]) -> Result<Vec<u8>, AbiError> {
        let Some(constructor) = &self.abi.constructor else {
            return arity("constructor", 0, args.len()).map(|()| Vec::new());
        };
        let values = coerce(&constructor.inputs, args, "constructor")?;
        constructor
            .abi_encode_input(&values)
            .map_err(|err| AbiError::Decode(err.to_string()))
    }

    /// Decodes revert data: `Error(string)`, `Panic(uint256)` with its
    /// meaning, or a custom error of this ABI; else raw hex.
    pub fn revert_reason(&self, data: &[u8]) -> String {
        revert_reason(Some(&self.abi), data)
    }
}

fn arity(function: &str, expected: usize, found: usize) -> Result<(), AbiError> {
    if expected == found {
        Ok(())
    } else {
        Err(AbiError::Arity {
            function: function.to_owned(),
            expected,
            found,
        })
    }
}

fn coerce(params: &[Param], args: &[String], function: &str) -> Result<Vec<DynSolValue>, AbiError> {
    let types: Vec<_> = params.iter().map(resolve).collect();
    coerce_typed(params, &types, args, function)
}

/// `args` as values of `params`, whose types (or why they have none) are
/// `types`: the arity first, then each argument in order.
fn coerce_typed(
    params: &[Param],
    types: &[Result<DynSolType, String>],
    args: &[String],
    function: &str,
) -> Result<Vec<DynSolValue>, AbiError> {
    arity(function, params.len(), args.len())?;
    params
        .iter()
        .zip(types)
        .zip(args)
        .enumerate()
        .map(|(i, ((param, ty), arg))| coerce_arg(i, param, ty, arg))
        .collect()
}

/// `param`'s type, or why it has none (the resolver's message).
fn resolve(param: &Param) -> Result<DynSolType, String> {
    param.resolve().map_err(|err| err.to_string())
}

/// Argument `i`, `arg`, as a value of `param`'s type `ty`.
fn coerce_arg(
    i: usize,
    param: &Param,
    ty: &Result<DynSolType, String>,
    arg: &str,
) -> Result<DynSolValue, AbiError> {
    let err = |message: String| AbiError::Argument {
        name: if param.name.is_empty() {
            format!("#{i}")
        } else {
            param.name.clone()
        },
        ty: param.ty.clone(),
        message,
    };
    let ty = ty.as_ref().map_err(|message| err(message.clone()))?;
    ty.coerce_str(arg.trim()).map_err(|e| err(e.to_string()))
}

/// A function's selector and its inputs' types, resolved once: what every
/// call of it needs before its arguments (resolving a type parses its
/// text; the selector is a keccak of the signature). A processor keeps one
/// per entry point, made on the entry point's first call.
#[derive(Debug, Clone)]
pub(crate) struct CallShape {
    selector: [u8; 4],
    inputs: Vec<Result<DynSolType, String>>,
}

impl CallShape {
    /// `function`'s shape.
    pub(crate) fn of(function: &Function) -> Self {
        let hash = super::memo::selector(function.signature());
        Self {
            selector: [hash[0], hash[1], hash[2], hash[3]],
            inputs: function.inputs.iter().map(resolve).collect(),
        }
    }

    /// Calldata for `function` (whose shape this is) with arguments given
    /// as text: what [`encode_call`] gives.
    ///
    /// # Errors
    /// [`AbiError`] on a wrong count or unparsable argument.
    pub(crate) fn encode(&self, function: &Function, args: &[String]) -> Result<Vec<u8>, AbiError> {
        let values = coerce_typed(&function.inputs, &self.inputs, args, &function.name)?;
        // The check alloy's `abi_encode_input` makes (a coerced value always
        // passes it): the same error should one ever not.
        for (ty, value) in self.inputs.iter().flatten().zip(values.iter()) {
            if !ty.matches(value) {
                let mismatch = alloy_dyn_abi::Error::TypeMismatch {
                    expected: ty.sol_type_name().into_owned(),
                    actual: value
                        .sol_type_name()
                        .unwrap_or_else(|| "<none>".into())
                        .into_owned(),
                };
                return Err(AbiError::Decode(mismatch.to_string()));
            }
        }
        let mut input = self.selector.to_vec();
        input.extend(DynSolValue::Tuple(values).abi_encode_params());
        Ok(input)
    }
}

/// Calldata for `function` with arguments given as text (`42`, `0xab…`,
/// `true`, `"text"`, `[1,2]`, `(1,0xab)`).
///
/// # Errors
/// [`AbiError`] on a wrong count or unparsable argument.
pub fn encode_call(function: &Function, args: &[String]) -> Result<Vec<u8>, AbiError> {
    CallShape::of(function).encode(function, args)
}

/// Whether `function` only reads (`view` or `pure`).
pub(crate) fn is_view(function: &Function) -> bool {
    matches!(
        function.state_mutability,
        StateMutability::View | StateMutability::Pure
    )
}

/// `function`'s return data as `name: value` pairs (names or `#i`).
///
/// # Errors
/// [`AbiError::Decode`].
pub fn decode_output(function: &Function, data: &[u8]) -> Result<Vec<(String, String)>, AbiError> {
    let values = function
        .abi_decode_output(data)
        .map_err(|err| AbiError::Decode(err.to_string()))?;
    Ok(name_values(&function.outputs, values))
}

fn name_values(params: &[Param], values: Vec<DynSolValue>) -> Vec<(String, String)> {
    params
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (param, value))| {
            let name = if param.name.is_empty() {
                format!("#{i}")
            } else {
                param.name.clone()
            };
            (name, show(&value))
        })
        .collect()
}

/// A decoded event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodedLog {
    /// The emitting contract's address.
    pub address: String,
    /// The event's name, or `""` if no ABI entry matches.
    pub event: String,
    /// Its fields by name, in declaration order.
    pub args: Vec<(String, String)>,
    /// The raw topics.
    pub topics: Vec<String>,
    /// The raw data.
    pub data: String,
}

/// Decodes a log against `abi` (by its first topic).
pub fn decode_log(
    abi: Option<&JsonAbi>,
    address: [u8; 20],
    topics: &[[u8; 32]],
    data: &[u8],
) -> DecodedLog {
    let raw_topics: Vec<String> = topics.iter().map(const_hex::encode_prefixed).collect();
    let mut log = DecodedLog {
        address: const_hex::encode_prefixed(address),
        event: String::new(),
        args: Vec::new(),
        topics: raw_topics,
        data: const_hex::encode_prefixed(data),
    };
    if let Some((event, args)) = abi.and_then(|abi| describe_log(abi, topics, data)) {
        log.event = event;
        log.args = args;
    }
    log
}

/// The event of `abi` a log is (by its first topic, and its topics and
/// data decoding as that event's): its name and fields by name.
pub(crate) fn describe_log(
    abi: &JsonAbi,
    topics: &[[u8; 32]],
    data: &[u8],
) -> Option<(String, Vec<(String, String)>)> {
    let first = topics.first()?;
    abi.events()
        .filter(|event| super::memo::selector(event.signature()).0 == *first)
        .find_map(|event| {
            let words = topics.iter().map(|t| revm::primitives::B256::from(*t));
            // The event's types parsed and its selector hashed once.
            let decoded = super::memo::event(event)?
                .decode_log_parts(words, data)
                .ok()?;
            let (mut indexed, mut body) = (decoded.indexed.into_iter(), decoded.body.into_iter());
            let args = event
                .inputs
                .iter()
                .enumerate()
                .map(|(i, input)| {
                    let value = if input.indexed {
                        indexed.next()
                    } else {
                        body.next()
                    };
                    let name = if input.name.is_empty() {
                        format!("#{i}")
                    } else {
                        input.name.clone()
                    };
                    (name, value.map(|v| show(&v)).unwrap_or_default())
                })
                .collect();
            Some((event.name.clone(), args))
        })
}

/// The meaning of a Solidity `Panic(uint256)` code.
pub fn panic_meaning(code: u64) -> &'static str {
    match code {
        0x00 => "generic compiler panic",
        0x01 => "assertion failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division or modulo by zero",
        0x21 => "invalid enum value",
        0x22 => "invalid storage byte array encoding",
        0x31 => "pop on an empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory",
        0x51 => "call to an uninitialised function",
        _ => "unknown panic code",
    }
}

/// Decodes revert data: `Error(string)`, `Panic(uint256)`, a custom error
/// of `abi`, or raw hex.
pub fn revert_reason(abi: Option<&JsonAbi>, data: &[u8]) -> String {
    const ERROR: [u8; 4] = [0x08, 0xc3, 0x79, 0xa0];
    const PANIC: [u8; 4] = [0x4e, 0x48, 0x7b, 0x71];
    let Some((selector, body)) = data.split_first_chunk::<4>() else {
        return if data.is_empty() {
            "(no reason given)".to_owned()
        } else {
            const_hex::encode_prefixed(data)
        };
    };
    if *selector == ERROR
        && let Ok(DynSolValue::String(message)) = DynSolType::String.abi_decode(body)
    {
        return message;
    }
    if *selector == PANIC
        && let Ok(DynSolValue::Uint(code, _)) = DynSolType::Uint(256).abi_decode(body)
    {
        let code: u64 = code.try_into().unwrap_or(u64::MAX);
        return format!("Panic(0x{code:02x}): {}", panic_meaning(code));
    }
    if let Some(reason) = abi.and_then(|abi| describe_error(abi, data)) {
        return reason;
    }
    const_hex::encode_prefixed(data)
}

/// The custom error of `abi` revert data is, with its arguments:
/// `Name(arg: value, …)`.
pub(crate) fn describe_error(abi: &JsonAbi, data: &[u8]) -> Option<String> {
    let (selector, body) = data.split_first_chunk::<4>()?;
    abi.errors()
        .filter(|error| super::memo::selector(error.signature())[..4] == *selector)
        .find_map(|error| {
            let values = error.abi_decode_input(body).ok()?;
            let args: Vec<String> = name_values(&error.inputs, values)
                .into_iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect();
            Some(format!("{}({})", error.name, args.join(", ")))
        })
}

/// A value as people write it: decimal integers, `0x` hex, checksummed
/// addresses, quoted strings, `[…]` arrays and `(…)` tuples.
pub(crate) fn show(value: &DynSolValue) -> String {
    match value {
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::FixedBytes(word, size) => const_hex::encode_prefixed(&word[..*size]),
        DynSolValue::Address(address) => super::memo::checksum(*address),
        DynSolValue::Function(f) => const_hex::encode_prefixed(f.as_slice()),
        DynSolValue::Bytes(bytes) => const_hex::encode_prefixed(bytes),
        DynSolValue::String(text) => format!("{text:?}"),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) => {
            format!(
                "[{}]",
                items.iter().map(show).collect::<Vec<_>>().join(", ")
            )
        }
        DynSolValue::Tuple(items) => {
            format!(
                "({})",
                items.iter().map(show).collect::<Vec<_>>().join(", ")
            )
        }
        #[allow(unreachable_patterns)]
        _ => format!("{value:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a call's calldata was before shapes: each argument coerced to
    /// its freshly resolved type, then alloy's own checked encoding with
    /// the selector.
    fn reference(function: &Function, args: &[String]) -> Result<Vec<u8>, AbiError> {
        let values = coerce(&function.inputs, args, &function.name)?;
        function
            .abi_encode_input(&values)
            .map_err(|err| AbiError::Decode(err.to_string()))
    }

    #[test]
    fn a_call_shape_encodes_what_resolving_afresh_encodes() {
        let abi: JsonAbi = serde_json::from_str(
            r#"[
            {"type":"function","name":"transfer","stateMutability":"nonpayable","outputs":[],
             "inputs":[{"name":"to","type":"address"},{"name":"amount","type":"uint256"}]},
            {"type":"function","name":"mixed","stateMutability":"nonpayable","outputs":[],
             "inputs":[{"name":"","type":"string"},{"name":"xs","type":"int8[]"},
                       {"name":"pair","type":"tuple","components":[
                           {"name":"a","type":"bytes"},{"name":"b","type":"bool[2]"}]},
                       {"name":"w","type":"bytes3"}]},
            {"type":"function","name":"broken","stateMutability":"nonpayable","outputs":[],
             "inputs":[{"name":"ok","type":"uint8"},{"name":"bad","type":"uint7"}]},
            {"type":"function","name":"none","stateMutability":"view","outputs":[],"inputs":[]}
        ]"#,
        )
        .expect("an ABI");
        let text = |args: &[&str]| args.iter().map(|arg| (*arg).to_owned()).collect::<Vec<_>>();
        let calls = [
            (
                "transfer",
                text(&["0x2222222222222222222222222222222222222222", "1000"]),
            ),
            (
                "transfer",
                text(&[" 0x2222222222222222222222222222222222222222 ", "0x10"]),
            ),
            ("transfer", text(&["not an address", "1"])),
            (
                "transfer",
                text(&["0x2222222222222222222222222222222222222222", "-1"]),
            ),
            (
                "transfer",
                text(&["0x2222222222222222222222222222222222222222"]),
            ),
            (
                "mixed",
                text(&["hello", "[1,-2,127]", "(0xabcd,[true,false])", "0x010203"]),
            ),
            ("mixed", text(&["", "[]", "(0x,[false,false])", "0x0102"])),
            (
                "mixed",
                text(&["x", "[128]", "(0x,[true,true])", "0x000000"]),
            ),
            ("broken", text(&["1", "2"])),
            ("broken", text(&["256", "2"])),
            ("none", text(&[])),
            ("none", text(&["1"])),
        ];
        for (name, args) in calls {
            let function = &abi.function(name).expect("in the ABI")[0];
            let shaped = CallShape::of(function).encode(function, &args);
            let expected = reference(function, &args);
            match (&shaped, &expected) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{name}{args:?}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}{args:?}"),
                _ => panic!("{name}{args:?}: {shaped:?} vs {expected:?}"),
            }
        }
    }
}
