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
    /// A state read, plus `per_byte` per byte read.
    pub state_read: u64,
    /// A state write or delete, plus `per_byte_written` per byte of key and value.
    pub state_write: u64,
    /// Per byte read.
    pub per_byte: u64,
    /// Per byte of key and value written.
    pub per_byte_written: u64,
    /// A call into another contract.
    pub call: u64,
    /// An event, plus `per_byte` per payload byte.
    pub event: u64,
    /// A token transfer between accounts.
    pub transfer: u64,
    /// A hash, plus `per_byte` per input byte.
    pub hash: u64,
    /// Deploying a contract.
    pub deploy: u64,
    /// One unit of fuel: one executed Wasm operator, as wasmtime counts.
    pub wasm_instruction: u64,
    /// EVM gas per chain gas unit.
    pub evm_gas_ratio: u64,
}

/// The playground's gas schedule.
///
/// | operation | gas |
/// |---|---|
/// | request (minimum, a floor) | 10 000 |
/// | sandbox call | 10 |
/// | state read | 10 + 1/byte |
/// | state write/delete | 50 + 10/byte |
/// | call another contract | 1 000 |
/// | event | 100 + 1/byte |
/// | token transfer | 100 |
/// | hash | 50 + 1/byte |
/// | deploy | 10 000 |
/// | store blob | its state writes only |
/// | Wasm instruction (fuel unit) | 1 |
/// | EVM gas | 1 chain gas per EVM gas |
pub const GAS: GasSchedule = GasSchedule {
    request_base: 10_000,
    sandbox_call: 10,
    state_read: 10,
    state_write: 50,
    per_byte: 1,
    per_byte_written: 10,
    call: 1_000,
    event: 100,
    transfer: 100,
    hash: 50,
    deploy: 10_000,
    wasm_instruction: 1,
    evm_gas_ratio: 1,
};

impl GasSchedule {
    /// The cost of reading `bytes` bytes of state.
    pub const fn read(&self, bytes: usize) -> u64 {
        self.state_read + self.per_byte * bytes as u64
    }

    /// The cost of writing `bytes` bytes of key and value.
    pub const fn write(&self, bytes: usize) -> u64 {
        self.state_write + self.per_byte_written * bytes as u64
    }

    /// The cost of hashing `bytes` bytes.
    pub const fn hashing(&self, bytes: usize) -> u64 {
        self.hash + self.per_byte * bytes as u64
    }
}
