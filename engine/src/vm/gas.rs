//! The gas schedule: one table, used by the chain and every processor.

/// What each operation costs, in chain gas.
///
/// Engines add their own metering on top: the Wasm processor charges
/// `wasm_instruction` per unit of fuel as Wasp (wasmtime) counts it
/// (`wasmvm/meter.rs`), the EVM processor charges EVM
/// gas divided by `evm_gas_ratio`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GasSchedule {
    /// The least gas a request is charged: one that burned less is raised
    /// to it (a floor, as on Wasp, not an addition).
    pub request_base: u64,
    /// Every sandbox call a contract makes.
    pub sandbox_call: u64,
    /// A state read: 1, plus 1 per `read_bytes_per_gas` bytes of the
    /// value (Wasp: `len(value) / 100 + 1`); free for a key the request
    /// has written itself.
    pub state_read: u64,
    /// Bytes of a value read per unit of gas.
    pub read_bytes_per_gas: u64,
    /// Per byte of a write: the full key (with the contract's 4-byte hname
    /// prefix) and the value (Wasp). A delete is free.
    pub per_byte_written: u64,
    /// Per byte a Wasm host call copies between guest memory and the host
    /// (the playground's own charge: Wasp has none), and per byte of an
    /// event's payload and of bech32 input.
    pub per_byte: u64,
    /// A balance query (Wasp: 20).
    pub balance: u64,
    /// A call into another contract.
    pub call: u64,
    /// An event (Wasp: 10).
    pub event: u64,
    /// A token transfer between accounts.
    pub transfer: u64,
    /// A request or tokens sent out of the call: to an L1 wallet, or a
    /// request posted to the queue (Wasp: 200 per output).
    pub send: u64,
    /// A blake2b-256 hash (Wasp: 50, whatever the input).
    pub blake2b: u64,
    /// A SHA3-256 (or Keccak-256) hash (Wasp: 80).
    pub sha3: u64,
    /// An hname (Wasp: 50).
    pub hname: u64,
    /// Checking an Ed25519 signature (Wasp: 200).
    pub ed25519_valid: u64,
    /// An address from an Ed25519 public key (Wasp: 50).
    pub ed25519_address: u64,
    /// Bech32 encoding or decoding, plus `per_byte` per input byte (the
    /// playground's own).
    pub bech32: u64,
    /// Deploying a contract.
    pub deploy: u64,
    /// One unit of fuel: one executed Wasm operator, as wasmtime counts.
    pub wasm_instruction: u64,
    /// EVM gas per chain gas unit.
    pub evm_gas_ratio: u64,
}

/// The playground's gas schedule (Wasp's where the playground follows it).
///
/// | operation | gas |
/// |---|---|
/// | request (minimum, a floor) | 10 000 (Wasp) |
/// | sandbox call | 10 (Wasp) |
/// | state read | `len(value) / 100 + 1`; 0 for a key the request wrote (Wasp) |
/// | state write | 1 per byte of full key (hname prefix included) and value (Wasp) |
/// | state delete | 0 (Wasp) |
/// | balance | 20 (Wasp) |
/// | call another contract | 100 (Wasp) |
/// | event | 10 (Wasp) |
/// | token transfer | 10 (Wasp: transfer of allowance) |
/// | send to L1, post a request | 200 (Wasp: per output) |
/// | blake2b, hname | 50 (Wasp) |
/// | sha3 (and keccak) | 80 (Wasp) |
/// | Ed25519: signature check 200, address 50 | (Wasp) |
/// | bech32 encode/decode | 50 + 1/byte (the playground's own) |
/// | deploy | 10 (Wasp) |
/// | Wasm host copy | 1/byte (the playground's own) |
/// | Wasm operator (fuel unit) | 1 (Wasp: wasmtime's fuel) |
/// | EVM gas | 1 chain gas per EVM gas |
pub const GAS: GasSchedule = GasSchedule {
    request_base: 10_000,
    sandbox_call: 10,
    state_read: 1,
    read_bytes_per_gas: 100,
    per_byte_written: 1,
    per_byte: 1,
    balance: 20,
    call: 100,
    event: 10,
    transfer: 10,
    send: 200,
    blake2b: 50,
    sha3: 80,
    hname: 50,
    ed25519_valid: 200,
    ed25519_address: 50,
    bech32: 50,
    deploy: 10,
    wasm_instruction: 1,
    evm_gas_ratio: 1,
};

impl GasSchedule {
    /// The cost of reading a value of `bytes` bytes (a key the request has
    /// not written).
    pub const fn read(&self, bytes: usize) -> u64 {
        self.state_read + bytes as u64 / self.read_bytes_per_gas
    }

    /// The cost of writing `bytes` bytes of full key and value.
    pub const fn write(&self, bytes: usize) -> u64 {
        self.per_byte_written * bytes as u64
    }

    /// The cost of bech32-coding `bytes` bytes.
    pub const fn bech32_coding(&self, bytes: usize) -> u64 {
        self.bech32 + self.per_byte * bytes as u64
    }
}
