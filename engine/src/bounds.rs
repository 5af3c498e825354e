//! The engine's hard caps, in one place. Gas pays for work a contract asks
//! for; these bound what gas cannot price well, so that no input — a
//! program, a request, a share link — can make a session's memory or time
//! unbounded. `ARCHITECTURE.md` ("Resource bounds") gives the reason for
//! each number; the bounds of a chain config are [`ChainConfig`]'s
//! associated constants, and the Wasm processor's per-instance limits are
//! [`WasmLimits`]' defaults.
//!
//! [`ChainConfig`]: crate::ChainConfig
//! [`WasmLimits`]: crate::wasmvm::WasmLimits

/// The most gas one chain — and so one session, and any replay of it —
/// may burn in all: 200 requests at the default maximum of 50 000 000.
/// Opening a share link or a session file is bounded by it.
pub const MAX_TOTAL_GAS: u64 = 10_000_000_000;

/// The most engine memory (Wasm linear memories) one request's calls may
/// hold at once: 128 MiB — 8 nested instances at the 16 MiB maximum, over
/// 100 of a typical 1.1 MiB Rust contract. It keeps the worker's memory,
/// which never shrinks, small.
pub const MAX_LIVE_MEMORY_BYTES: u64 = 128 * 1024 * 1024;

/// The most engine memory one request may allocate in all, counting every
/// instance it creates and every page it grows: 1 GiB. Creating an
/// instance costs no gas (as on Wasp), so this bounds the work of a
/// contract that calls a big module over and over.
pub const MAX_ALLOCATED_MEMORY_BYTES: u64 = 1024 * 1024 * 1024;

/// How deep nested ISC calls may go, counting every VM: 1 024 calls (the
/// request's own call is the first), as deep as the EVM lets its own
/// calls go. Wasp has no such bound — gas bounds recursion there — but
/// each waiting call holds engine memory (a Wasm instance, its stack), so
/// the chain needs one, and it must hold on every machine so that a
/// session replays the same everywhere. A Wasm contract's nested calls
/// wait off the host's stack (wasmi's resumable calls: see
/// [`crate::vm::Step`]), so Wasm contracts reach it in a browser worker
/// too. Going past it is a failed request.
pub const MAX_CALL_DEPTH: usize = 1_024;

/// How much of the host's stack nested calls may hold at once, in units:
/// a call holds its processor's [`Processor::stack_cost`] while it runs on
/// the stack (an EVM call 4, a Wasm or core call 1; a Wasm call waiting
/// for a nested one holds none). Calls through the EVM and core contracts
/// nest on the host's stack — in a browser worker about 1 MiB, where one
/// unit is about 4 KiB (measured in Chromium: 230 nested calls of a unit
/// each ran, 260 overflowed): 128 leaves half of it spare, 32 nested EVM
/// calls. Going past it is a failed request, never a crashed worker.
///
/// [`Processor::stack_cost`]: crate::Processor::stack_cost
pub const MAX_HOST_STACK: usize = 128;

/// How many call-trace nodes a receipt keeps; later calls are counted in
/// the root node's `omitted_calls`, not kept. (Gas alone would allow tens
/// of thousands of cheap nested calls, each a node in stored state.)
pub const MAX_TRACE_NODES: usize = 1_000;

/// How deep a receipt's call trace goes: calls nested deeper are counted in
/// the root's `omitted_calls`, not kept. A receipt is JSON (in state, in
/// the page's messages), and JSON readers refuse nesting past 128 levels;
/// each trace level is two.
pub const MAX_TRACE_DEPTH: usize = 40;

/// How many log lines a receipt keeps (more are counted, not kept).
pub const MAX_LOG_LINES: usize = 1_000;

/// The longest log line kept, in bytes; longer ones are cut with a marker.
pub const MAX_LOG_LINE_BYTES: usize = 1_024;

/// How many EVM call frames a receipt's trace keeps (all are counted in
/// `evm_frames_total`).
pub const MAX_EVM_FRAMES: usize = 256;

/// How many EVM logs the frames of a receipt's trace keep in all.
pub const MAX_EVM_FRAME_LOGS: usize = 256;

/// The most bytes of one frame's input, output or log data a trace keeps
/// (as hex, with the full length noted when cut).
pub const MAX_EVM_FRAME_BYTES: usize = 512;

/// The most EVM logs one request keeps as events. EVM logs are limited as
/// Ethereum limits them, by gas (375 per log and more per topic and byte):
/// within the block gas limit a transaction cannot emit this many, so the
/// cap never binds a real contract; it bounds a receipt.
pub const MAX_EVM_LOGS: usize = 100_000;

/// The most bytes of one EVM log kept as an event payload (decoded as
/// JSON); within the block gas limit no log's data comes near it.
pub const MAX_EVM_LOG_BYTES: usize = 8 * 1024 * 1024;

/// The most requests waiting in the chain's queue (posted by contracts or
/// queued by users). A contract that re-posts itself twice per run would
/// otherwise grow the queue without end; a post past the cap fails the
/// request that posts.
pub const MAX_QUEUED_REQUESTS: usize = 1_000;

/// The most requests one block takes from the queue (Solo batches the
/// requests that are ready; the rest wait for the next block).
pub const MAX_BLOCK_REQUESTS: usize = 100;

/// The furthest one "advance time" step moves the clock: 10 years, in
/// seconds (a time lock is at most `u32::MAX` seconds away).
pub const MAX_ADVANCE_SECONDS: u64 = 315_360_000;
