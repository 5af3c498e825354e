//! Ethereum's JSON-RPC over the in-page chain — what EIP-1193's
//! `request({method, params})` answers for a script, viem or ethers. Every
//! answer comes from the chain the page shows: a transaction is a request
//! (to `evm.callAddress`, or `evm.createContract` without a recipient), so
//! it lands in the session, the receipts and the state hash like a click.
//! `ARCHITECTURE.md` lists the methods and where they differ from Ethereum.

use super::Host;
use isc_engine::evm::{WEI_PER_BASE_TOKEN, account_state, agent_address, storage_slot};
use isc_engine::{AgentId, Hash, Hname, Receipt, Request, VmError};
use serde_json::{Value, json};

/// A JSON-RPC error: EIP-1193's code, a message, and (for a revert) the
/// revert data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    /// The code: -32602 bad params, -32601 unknown method, 4100 an account
    /// the page does not hold, 3 a revert, -32000 any other failure.
    pub code: i64,
    /// What went wrong.
    pub message: String,
    /// The revert data, `0x…`.
    pub data: Option<String>,
}

impl RpcError {
    fn params(message: impl Into<String>) -> Self {
        Self {
            code: -32602,
            message: message.into(),
            data: None,
        }
    }

    fn failed(message: impl ToString) -> Self {
        Self {
            code: -32000,
            message: message.to_string(),
            data: None,
        }
    }

    /// A failed call: a revert keeps its data, as nodes answer `eth_call`.
    fn vm(error: VmError) -> Self {
        match error {
            VmError::Revert { reason, data } => Self {
                code: 3,
                message: format!("execution reverted: {reason}"),
                data: Some(data),
            },
            other => Self::failed(other),
        }
    }
}

type Answer = Result<Value, RpcError>;

/// The EVM's chain id, as JSON-RPC spells numbers.
fn quantity(n: impl Into<u128>) -> Value {
    json!(format!("0x{:x}", n.into()))
}

fn hex_data(bytes: &[u8]) -> Value {
    json!(const_hex::encode_prefixed(bytes))
}

fn address_text(address: &[u8; 20]) -> String {
    const_hex::encode_prefixed(address)
}

/// Parameter `i` of `params`.
fn param(params: &Value, i: usize) -> Option<&Value> {
    params.as_array().and_then(|list| list.get(i))
}

fn parse_bytes(value: &Value, what: &str) -> Result<Vec<u8>, RpcError> {
    let text = value
        .as_str()
        .ok_or_else(|| RpcError::params(format!("{what}: a 0x hex string")))?;
    hex::decode(text.trim_start_matches("0x"))
        .map_err(|err| RpcError::params(format!("{what}: {err}")))
}

fn parse_address(value: &Value, what: &str) -> Result<[u8; 20], RpcError> {
    let bytes = parse_bytes(value, what)?;
    <[u8; 20]>::try_from(bytes).map_err(|_| RpcError::params(format!("{what}: 20 bytes")))
}

fn parse_quantity(value: &Value, what: &str) -> Result<u128, RpcError> {
    let text = value
        .as_str()
        .ok_or_else(|| RpcError::params(format!("{what}: a 0x hex quantity")))?;
    u128::from_str_radix(text.trim_start_matches("0x"), 16)
        .map_err(|err| RpcError::params(format!("{what}: {err}")))
}

/// The most reward percentiles `eth_feeHistory` answers (geth's bound).
const MAX_REWARD_PERCENTILES: usize = 100;

/// The request param that keeps a signed transaction's own hash.
const SIGNED_HASH: &str = "evm.tx";

/// A transaction's hash: a signed one's own (kept with its request), else
/// blake2b of its request's id.
fn tx_hash(receipt: &Receipt) -> String {
    match receipt
        .request
        .params
        .get(SIGNED_HASH)
        .filter(|h| h.len() == 32)
    {
        Some(hash) => const_hex::encode_prefixed(hash),
        None => format!(
            "0x{}",
            const_hex::encode(Hash::blake2b(receipt.request_id.as_bytes()).as_bytes())
        ),
    }
}

/// 256 zero bytes: no bloom filter is kept.
fn empty_bloom() -> Value {
    json!(format!("0x{}", "0".repeat(512)))
}

impl Host {
    /// Answers JSON-RPC `method` with `params` (a JSON array).
    ///
    /// # Errors
    /// [`RpcError`]: bad params, an unknown method, a failed call.
    pub fn rpc(&mut self, method: &str, params: &Value) -> Answer {
        match method {
            "eth_chainId" => Ok(quantity(isc_engine::evm::DEFAULT_CHAIN_ID)),
            "net_version" => Ok(json!(isc_engine::evm::DEFAULT_CHAIN_ID.to_string())),
            "web3_clientVersion" => {
                Ok(json!(concat!("ISC Playground/", env!("CARGO_PKG_VERSION"))))
            }
            "eth_accounts" | "eth_requestAccounts" => Ok(json!(
                self.users()
                    .iter()
                    .map(|(_, address)| address_text(address))
                    .collect::<Vec<_>>()
            )),
            "eth_blockNumber" => Ok(quantity(self.chain.block_index())),
            "eth_gasPrice" | "eth_maxPriorityFeePerGas" => Ok(quantity(0u8)),
            "eth_feeHistory" => self.fee_history(params),
            "eth_getBalance" => self.at_tag(param(params, 1), |host| {
                let address = parse_address(param(params, 0).unwrap_or(&Value::Null), "address")?;
                let account = account_state(&host.evm_state(), address);
                let wei = u128::from(host.chain.balance(&account.owner))
                    * u128::from(WEI_PER_BASE_TOKEN)
                    + u128::from(account.remainder_wei);
                Ok(quantity(wei))
            }),
            "eth_getCode" => self.at_tag(param(params, 1), |host| {
                let address = parse_address(param(params, 0).unwrap_or(&Value::Null), "address")?;
                Ok(hex_data(&account_state(&host.evm_state(), address).code))
            }),
            "eth_getTransactionCount" => self.at_tag(param(params, 1), |host| {
                let address = parse_address(param(params, 0).unwrap_or(&Value::Null), "address")?;
                Ok(quantity(account_state(&host.evm_state(), address).nonce))
            }),
            "eth_getStorageAt" => self.at_tag(param(params, 2), |host| {
                let address = parse_address(param(params, 0).unwrap_or(&Value::Null), "address")?;
                let slot = parse_quantity(param(params, 1).unwrap_or(&Value::Null), "slot")?;
                let mut key = [0u8; 32];
                key[16..].copy_from_slice(&slot.to_be_bytes());
                Ok(hex_data(&storage_slot(&host.evm_state(), address, key)))
            }),
            "eth_call" => {
                let tx = param(params, 0).cloned().unwrap_or(Value::Null);
                self.at_tag(param(params, 1), |host| host.eth_call(&tx))
            }
            "eth_estimateGas" => self.estimate_gas(param(params, 0).unwrap_or(&Value::Null)),
            "eth_sendTransaction" => {
                self.send_transaction(param(params, 0).unwrap_or(&Value::Null))
            }
            "eth_sendRawTransaction" => {
                let raw = parse_bytes(param(params, 0).unwrap_or(&Value::Null), "transaction")?;
                self.send_raw_transaction(&raw)
            }
            "eth_getTransactionReceipt" => {
                let hash = param(params, 0).and_then(Value::as_str).unwrap_or_default();
                Ok(self
                    .find_tx(hash)
                    .map_or(Value::Null, |r| self.receipt_json(&r)))
            }
            "eth_getTransactionByHash" => {
                let hash = param(params, 0).and_then(Value::as_str).unwrap_or_default();
                Ok(self.find_tx(hash).map_or(Value::Null, |r| self.tx_json(&r)))
            }
            "eth_getBlockByNumber" => {
                let full = param(params, 1).and_then(Value::as_bool).unwrap_or(false);
                match self.block_number(param(params, 0))? {
                    Some(index) => Ok(self.block_json(index, full)),
                    None => Ok(Value::Null),
                }
            }
            "eth_getBlockByHash" => {
                let hash = param(params, 0).and_then(Value::as_str).unwrap_or_default();
                let full = param(params, 1).and_then(Value::as_bool).unwrap_or(false);
                Ok((0..=self.chain.block_index())
                    .find(|i| self.block_hash(*i).eq_ignore_ascii_case(hash))
                    .map_or(Value::Null, |index| self.block_json(index, full)))
            }
            "eth_getLogs" => self.logs(param(params, 0).unwrap_or(&Value::Null)),
            "evm_snapshot" => Ok(quantity(self.chain.block_index())),
            "evm_revert" => {
                let id = parse_quantity(param(params, 0).unwrap_or(&Value::Null), "snapshot id")?;
                let block = u32::try_from(id).map_err(|_| RpcError::params("snapshot id"))?;
                if block == self.chain.block_index() {
                    return Ok(json!(true));
                }
                self.chain.revert_to(block).map_err(RpcError::failed)?;
                let names: Vec<String> =
                    self.chain.contracts().into_iter().map(|c| c.name).collect();
                self.sources.retain(|s| names.contains(&s.name));
                Ok(json!(true))
            }
            "evm_mine" => {
                if !self.chain.pending().is_empty() {
                    self.chain.run_block().map_err(RpcError::failed)?;
                }
                Ok(quantity(0u8))
            }
            "evm_increaseTime" => {
                let seconds = match param(params, 0) {
                    Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
                    Some(other) => u64::try_from(parse_quantity(other, "seconds")?)
                        .map_err(|_| RpcError::params("seconds"))?,
                    None => 0,
                };
                self.chain.advance_time(seconds).map_err(RpcError::failed)?;
                Ok(quantity(seconds))
            }
            "debug_traceTransaction" => {
                let hash = param(params, 0).and_then(Value::as_str).unwrap_or_default();
                self.trace_transaction(hash)
            }
            other => Err(RpcError {
                code: -32601,
                message: format!("the playground's node does not answer `{other}`"),
                data: None,
            }),
        }
    }

    /// The users and their EVM addresses.
    fn users(&self) -> Vec<(AgentId, [u8; 20])> {
        self.chain
            .config()
            .accounts()
            .into_iter()
            .map(|(_, agent)| (agent, agent_address(&agent)))
            .collect()
    }

    /// The user behind `from`, who must be one of the page's.
    fn signer(&self, tx: &Value) -> Result<AgentId, RpcError> {
        let Some(from) = tx.get("from") else {
            return self
                .users()
                .into_iter()
                .nth(1)
                .map(|(agent, _)| agent)
                .ok_or_else(|| RpcError::failed("the chain has no users"));
        };
        let address = parse_address(from, "from")?;
        self.users()
            .into_iter()
            .find(|(_, a)| *a == address)
            .map(|(agent, _)| agent)
            .ok_or_else(|| RpcError {
                code: 4100,
                message: format!(
                    "{} is not one of the page's accounts (eth_accounts)",
                    address_text(&address)
                ),
                data: None,
            })
    }

    fn evm_state(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.chain.contract_state(Hname::of("evm"))
    }

    /// The EVM address of `agent`: a named EVM contract's recorded
    /// address, else the agent's derived one.
    fn address_of(&self, agent: &AgentId) -> [u8; 20] {
        match agent {
            AgentId::Contract { hname, .. } => {
                isc_engine::evm::contract_address(&self.evm_state(), *hname)
                    .unwrap_or_else(|| agent_address(agent))
            }
            _ => agent_address(agent),
        }
    }

    /// Runs `answer` on the state after the block `tag` names (the latest
    /// for `latest`, `pending` or none), then puts the chain back.
    fn at_tag(&mut self, tag: Option<&Value>, answer: impl FnOnce(&mut Self) -> Answer) -> Answer {
        let latest = self.chain.block_index();
        let block = self.block_number(tag)?.unwrap_or(latest);
        if block >= latest {
            return answer(self);
        }
        let snapshot = self.chain.snapshot();
        let result = match self.chain.revert_to(block) {
            Ok(()) => answer(self),
            Err(err) => Err(RpcError::failed(err)),
        };
        self.chain.restore(&snapshot);
        result
    }

    /// The block a tag names: `None` past the latest.
    fn block_number(&self, tag: Option<&Value>) -> Result<Option<u32>, RpcError> {
        let latest = self.chain.block_index();
        let Some(tag) = tag.and_then(Value::as_str) else {
            return Ok(Some(latest));
        };
        Ok(match tag {
            "latest" | "pending" | "safe" | "finalized" => Some(latest),
            "earliest" => Some(0),
            number => {
                let n = parse_quantity(&json!(number), "block")?;
                u32::try_from(n).ok().filter(|n| *n <= latest)
            }
        })
    }

    /// The request a transaction object makes: a call of `to`, or a create.
    fn tx_request(&self, tx: &Value, sender: AgentId) -> Result<Request, RpcError> {
        let data = match tx.get("data").or_else(|| tx.get("input")) {
            Some(data) => parse_bytes(data, "data")?,
            None => Vec::new(),
        };
        let mut request = match tx.get("to") {
            Some(to) if !to.is_null() => Request::new(sender, "evm", "callAddress")
                .param("a", parse_address(to, "to")?.to_vec())
                .param("i", data),
            _ => Request::new(sender, "evm", "createContract").param("i", data),
        };
        if let Some(value) = tx.get("value") {
            let wei = parse_quantity(value, "value")?;
            let per = u128::from(WEI_PER_BASE_TOKEN);
            if wei % per != 0 {
                return Err(RpcError::params(format!(
                    "value: {wei} wei is not a whole number of base tokens (10^12 wei each)"
                )));
            }
            let base =
                u64::try_from(wei / per).map_err(|_| RpcError::params("value: too large"))?;
            if base > 0 {
                request = request.param("evm.value", base.to_le_bytes().to_vec());
            }
        }
        Ok(request)
    }

    /// Who a call or an estimate runs as: the page user at `from`, any
    /// other Ethereum account as itself, alice when none is given.
    fn caller(&self, tx: &Value) -> Result<AgentId, RpcError> {
        match tx.get("from") {
            Some(from) => {
                let address = parse_address(from, "from")?;
                Ok(self
                    .users()
                    .into_iter()
                    .find(|(_, a)| *a == address)
                    .map_or(AgentId::Ethereum(address), |(agent, _)| agent))
            }
            None => self.signer(&Value::Null),
        }
    }

    fn eth_call(&mut self, tx: &Value) -> Answer {
        let sender = self.caller(tx)?;
        let request = self.tx_request(tx, sender)?;
        if request.entry == Hname::of("createContract") {
            // A create as a call: simulated, its runtime code answered.
            let receipt = self.chain.simulate(request).map_err(RpcError::failed)?;
            return match receipt.error {
                Some(error) => Err(RpcError::vm(error)),
                None => Ok(hex_data(&[])),
            };
        }
        let results = self
            .chain
            .call_view_as(
                sender,
                Hname::of("evm"),
                Hname::of("callContract"),
                request.params,
            )
            .map_err(RpcError::vm)?;
        Ok(hex_data(results.get("o").unwrap_or_default()))
    }

    fn estimate_gas(&mut self, tx: &Value) -> Answer {
        let sender = self.caller(tx)?;
        let request = self.tx_request(tx, sender)?;
        self.chain.check_request(&request).map_err(RpcError::vm)?;
        let receipt = self.chain.simulate(request).map_err(RpcError::failed)?;
        match receipt.error {
            Some(error) => Err(RpcError::vm(error)),
            None => Ok(quantity(receipt.gas_burned)),
        }
    }

    fn send_transaction(&mut self, tx: &Value) -> Answer {
        let sender = self.signer(tx)?;
        let request = self.tx_request(tx, sender)?;
        self.chain.check_request(&request).map_err(RpcError::vm)?;
        let receipt = self.chain.post(request).map_err(RpcError::failed)?;
        Ok(json!(tx_hash(&receipt)))
    }

    /// A transaction signed elsewhere (viem's or ethers' local accounts):
    /// run as a request from the signer's Ethereum account, which pays its
    /// fee, at the nonce it was signed for, with its own hash.
    fn send_raw_transaction(&mut self, raw: &[u8]) -> Answer {
        let tx = isc_engine::evm::signed_transaction(raw).map_err(RpcError::failed)?;
        let chain_id = isc_engine::evm::DEFAULT_CHAIN_ID;
        if let Some(signed_for) = tx.chain_id.filter(|id| *id != chain_id) {
            return Err(RpcError::failed(format!(
                "the transaction is signed for chain {signed_for}; this chain's id is {chain_id}"
            )));
        }
        let nonce = account_state(&self.evm_state(), tx.from).nonce;
        if tx.nonce != nonce {
            return Err(RpcError::failed(format!(
                "nonce too {}: {} signed for nonce {}, its account is at {nonce}",
                if tx.nonce < nonce { "low" } else { "high" },
                address_text(&tx.from),
                tx.nonce
            )));
        }
        let mut fields = json!({
            "data": const_hex::encode_prefixed(&tx.input),
            "value": format!("0x{:x}", tx.value_wei),
        });
        if let Some(to) = tx.to {
            fields["to"] = json!(address_text(&to));
        }
        let request = self
            .tx_request(&fields, AgentId::Ethereum(tx.from))?
            .param(SIGNED_HASH, tx.hash.to_vec());
        self.chain.check_request(&request).map_err(RpcError::vm)?;
        self.chain.post(request).map_err(RpcError::failed)?;
        Ok(json!(const_hex::encode_prefixed(tx.hash)))
    }

    fn find_tx(&self, hash: &str) -> Option<Receipt> {
        self.chain
            .receipts()
            .into_iter()
            .find(|r| tx_hash(r).eq_ignore_ascii_case(hash))
    }

    /// Block `index`'s hash: its state hash.
    fn block_hash(&self, index: u32) -> String {
        self.chain
            .state_hash_at(index)
            .map(|hash| const_hex::encode_prefixed(hash.as_bytes()))
            .unwrap_or_else(|| format!("0x{}", "0".repeat(64)))
    }

    /// Where a request sent its transaction: the address it called, the
    /// named EVM contract, or (a create, a request to a core or Wasm
    /// contract) none.
    fn tx_to(&self, receipt: &Receipt) -> Value {
        let request = &receipt.request;
        if request.contract == Hname::of("evm") {
            return match request
                .params
                .get("a")
                .and_then(|a| <[u8; 20]>::try_from(a).ok())
            {
                Some(address) if request.entry == Hname::of("callAddress") => {
                    json!(address_text(&address))
                }
                _ => Value::Null,
            };
        }
        let agent = AgentId::Contract {
            chain: self.chain.chain_id(),
            hname: request.contract,
        };
        json!(address_text(&self.address_of(&agent)))
    }

    /// The nonce a transaction used, where it shows: a create's, found
    /// from the address it created (libraries derive the address from
    /// it); 0 for the others (no EVM nonce history is kept).
    fn tx_nonce(&self, receipt: &Receipt) -> u64 {
        let created = receipt
            .results
            .as_ref()
            .and_then(|r| r.get("o"))
            .and_then(|o| <[u8; 20]>::try_from(o).ok());
        let (Some(created), true) = (
            created,
            receipt.request.entry == Hname::of("createContract"),
        ) else {
            return 0;
        };
        let from = self.address_of(&receipt.request.sender);
        let now = account_state(&self.evm_state(), from).nonce;
        (0..=now)
            .rev()
            .find(|n| isc_engine::evm::create_address(&from, *n) == created)
            .unwrap_or(0)
    }

    fn tx_json(&self, receipt: &Receipt) -> Value {
        let request = &receipt.request;
        let value = request
            .params
            .get("evm.value")
            .and_then(|v| isc_engine::codec::u64_from_bytes(v).ok())
            .unwrap_or(0);
        json!({
            "hash": tx_hash(receipt),
            "blockHash": self.block_hash(receipt.block_index),
            "blockNumber": quantity(receipt.block_index),
            "transactionIndex": quantity(receipt.request_index),
            "from": address_text(&self.address_of(&request.sender)),
            "to": self.tx_to(receipt),
            "input": hex_data(request.params.get("i").unwrap_or_default()),
            "value": quantity(u128::from(value) * u128::from(WEI_PER_BASE_TOKEN)),
            "nonce": quantity(self.tx_nonce(receipt)),
            "gas": quantity(receipt.gas_budget),
            "gasPrice": quantity(0u8),
            "maxFeePerGas": quantity(0u8),
            "maxPriorityFeePerGas": quantity(0u8),
            "type": "0x2",
            "chainId": quantity(isc_engine::evm::DEFAULT_CHAIN_ID),
            "accessList": [],
            "v": "0x0",
            "r": "0x0",
            "s": "0x0",
            "yParity": "0x0",
        })
    }

    /// The EVM logs of a receipt, as JSON-RPC log objects; `first` is the
    /// block's log index of its first.
    fn receipt_logs(&self, receipt: &Receipt, first: usize) -> Vec<Value> {
        receipt
            .events
            .iter()
            .filter_map(|event| {
                serde_json::from_slice::<isc_engine::evm::DecodedLog>(&event.payload).ok()
            })
            .enumerate()
            .map(|(i, log)| {
                json!({
                    "address": log.address.to_lowercase(),
                    "topics": log.topics,
                    "data": log.data,
                    "blockNumber": quantity(receipt.block_index),
                    "blockHash": self.block_hash(receipt.block_index),
                    "transactionHash": tx_hash(receipt),
                    "transactionIndex": quantity(receipt.request_index),
                    "logIndex": quantity((first + i) as u64),
                    "removed": false,
                })
            })
            .collect()
    }

    /// Logs in the block before `receipt` in it.
    fn logs_before(&self, receipt: &Receipt) -> usize {
        self.chain
            .block_receipts(receipt.block_index)
            .iter()
            .filter(|r| r.request_index < receipt.request_index)
            .map(|r| self.receipt_logs(r, 0).len())
            .sum()
    }

    fn receipt_json(&self, receipt: &Receipt) -> Value {
        let created = (receipt.request.contract == Hname::of("evm")
            && receipt.request.entry == Hname::of("createContract"))
        .then(|| receipt.results.as_ref().and_then(|r| r.get("o")))
        .flatten()
        .and_then(|o| <[u8; 20]>::try_from(o).ok())
        .map_or(Value::Null, |a| json!(address_text(&a)));
        json!({
            "transactionHash": tx_hash(receipt),
            "transactionIndex": quantity(receipt.request_index),
            "blockHash": self.block_hash(receipt.block_index),
            "blockNumber": quantity(receipt.block_index),
            "from": address_text(&self.address_of(&receipt.request.sender)),
            "to": self.tx_to(receipt),
            "contractAddress": created,
            "gasUsed": quantity(receipt.gas_burned),
            "cumulativeGasUsed": quantity(receipt.gas_burned),
            "effectiveGasPrice": quantity(0u8),
            "status": if receipt.is_success() { "0x1" } else { "0x0" },
            "logs": self.receipt_logs(receipt, self.logs_before(receipt)),
            "logsBloom": empty_bloom(),
            "type": "0x2",
        })
    }

    fn block_json(&self, index: u32, full: bool) -> Value {
        let receipts = self.chain.block_receipts(index);
        let transactions: Vec<Value> = receipts
            .iter()
            .map(|r| {
                if full {
                    self.tx_json(r)
                } else {
                    json!(tx_hash(r))
                }
            })
            .collect();
        let info = self.chain.block(index);
        let zero32 = format!("0x{}", "0".repeat(64));
        json!({
            "number": quantity(index),
            "hash": self.block_hash(index),
            "parentHash": if index == 0 { zero32.clone() } else { self.block_hash(index - 1) },
            "nonce": "0x0000000000000000",
            "mixHash": zero32,
            "sha3Uncles": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
            "logsBloom": empty_bloom(),
            "transactionsRoot": zero32,
            "stateRoot": self.block_hash(index),
            "receiptsRoot": zero32,
            "miner": address_text(&[0; 20]),
            "difficulty": "0x0",
            "totalDifficulty": "0x0",
            "extraData": "0x",
            "size": "0x0",
            "gasLimit": quantity(isc_engine::evm::BLOCK_GAS_LIMIT),
            "gasUsed": quantity(info.as_ref().map_or(0, |b| b.gas_burned)),
            "timestamp": quantity(info.as_ref().map_or(0, |b| b.timestamp / 1_000_000_000)),
            "baseFeePerGas": "0x0",
            "transactions": transactions,
            "uncles": [],
        })
    }

    fn fee_history(&self, params: &Value) -> Answer {
        let count = match param(params, 0) {
            Some(Value::Number(n)) => n.as_u64().unwrap_or(1),
            Some(other) => u64::try_from(parse_quantity(other, "block count")?).unwrap_or(1),
            None => 1,
        };
        let newest = self
            .block_number(param(params, 1))?
            .unwrap_or(self.chain.block_index());
        let count = count.clamp(1, 1024).min(u64::from(newest) + 1);
        let percentiles = param(params, 2)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if percentiles > MAX_REWARD_PERCENTILES {
            return Err(RpcError::params(format!(
                "reward percentiles: at most {MAX_REWARD_PERCENTILES}, {percentiles} given"
            )));
        }
        let oldest = u64::from(newest) + 1 - count;
        Ok(json!({
            "oldestBlock": quantity(oldest),
            "baseFeePerGas": vec!["0x0"; usize::try_from(count).unwrap_or(1) + 1],
            "gasUsedRatio": vec![0.0; usize::try_from(count).unwrap_or(1)],
            "reward": vec![vec!["0x0"; percentiles]; usize::try_from(count).unwrap_or(1)],
        }))
    }

    fn logs(&self, filter: &Value) -> Answer {
        let latest = self.chain.block_index();
        let (from, to) = match filter.get("blockHash").and_then(Value::as_str) {
            Some(hash) => {
                let block = (0..=latest)
                    .find(|i| self.block_hash(*i).eq_ignore_ascii_case(hash))
                    .ok_or_else(|| RpcError::params("blockHash: no such block"))?;
                (block, block)
            }
            None => (
                self.block_number(filter.get("fromBlock"))?
                    .unwrap_or(latest),
                self.block_number(filter.get("toBlock"))?.unwrap_or(latest),
            ),
        };
        let addresses: Vec<String> = match filter.get("address") {
            Some(Value::String(a)) => vec![a.to_lowercase()],
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect(),
            _ => Vec::new(),
        };
        let topics: Vec<Option<Vec<String>>> = filter
            .get("topics")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|t| match t {
                        Value::String(one) => Some(vec![one.to_lowercase()]),
                        Value::Array(any) => Some(
                            any.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_lowercase)
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut found = Vec::new();
        for block in from..=to.min(latest) {
            let mut index = 0;
            for receipt in self.chain.block_receipts(block) {
                let logs = self.receipt_logs(&receipt, index);
                index += logs.len();
                for log in logs {
                    let address = log["address"].as_str().unwrap_or_default().to_owned();
                    if !addresses.is_empty() && !addresses.contains(&address) {
                        continue;
                    }
                    let own: Vec<String> = log["topics"]
                        .as_array()
                        .map(|t| {
                            t.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_lowercase)
                                .collect()
                        })
                        .unwrap_or_default();
                    let matches = topics.iter().enumerate().all(|(i, wanted)| match wanted {
                        None => true,
                        Some(any) => own.get(i).is_some_and(|t| any.contains(t)),
                    });
                    if matches {
                        found.push(log);
                    }
                }
            }
        }
        Ok(Value::Array(found))
    }

    /// `debug_traceTransaction`: the transaction run again on the state
    /// before its block, with its instructions recorded (geth's struct
    /// logs: pc, op, gas, depth, the top of the stack).
    fn trace_transaction(&mut self, hash: &str) -> Answer {
        let receipt = self
            .find_tx(hash)
            .ok_or_else(|| RpcError::params(format!("no transaction {hash}")))?;
        let before = receipt.block_index.saturating_sub(1);
        let snapshot = self.chain.snapshot();
        let traced = self
            .chain
            .revert_to(before)
            .map_err(RpcError::failed)
            .and_then(|()| {
                let steps = isc_engine::evm::MAX_TRACED_STEPS.to_le_bytes().to_vec();
                let request = receipt.request.clone().param("evm.steps", steps);
                self.chain.simulate(request).map_err(RpcError::failed)
            });
        self.chain.restore(&snapshot);
        let traced = traced?;
        let mut struct_logs = Vec::new();
        collect_steps(&traced.trace, &mut struct_logs);
        Ok(json!({
            "gas": receipt.gas_burned,
            "failed": !receipt.is_success(),
            "returnValue": receipt
                .results
                .as_ref()
                .and_then(|r| r.get("o"))
                .map_or(String::new(), const_hex::encode),
            "structLogs": struct_logs,
        }))
    }
}

/// The recorded EVM instructions of a trace, in order, as geth's struct
/// logs.
fn collect_steps(trace: &isc_engine::CallTrace, out: &mut Vec<Value>) {
    if let Some(steps) = trace
        .detail
        .as_ref()
        .and_then(|d| d.get("evm_steps"))
        .and_then(Value::as_array)
    {
        for step in steps {
            out.push(json!({
                "pc": step.get("pc").cloned().unwrap_or(Value::Null),
                "op": step.get("op").cloned().unwrap_or(Value::Null),
                "gas": step.get("gas").cloned().unwrap_or(Value::Null),
                "depth": step.get("depth").and_then(Value::as_u64).map_or(1, |d| d + 1),
                "stack": step.get("stack").cloned().unwrap_or(json!([])),
            }));
        }
    }
    for call in &trace.calls {
        collect_steps(call, out);
    }
}

impl Host {
    /// A dictionary helper for tests.
    #[cfg(test)]
    pub(crate) fn rpc_ok(&mut self, method: &str, params: Value) -> Value {
        self.rpc(method, &params)
            .unwrap_or_else(|err| panic!("{method}: {}", err.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Command, Reply};

    fn token() -> isc_engine::evm::EvmProgram {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public/examples/solidity/Token.json"
        ))
        .expect("Token artifact");
        isc_engine::evm::programs_from_artifact(&text).expect("artifact")[0]
            .1
            .clone()
    }

    fn call_data(program: &isc_engine::evm::EvmProgram, function: &str, args: &[&str]) -> String {
        let function = program.function(function).expect("function");
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        format!(
            "0x{}",
            const_hex::encode(isc_engine::evm::encode_call(function, &args).expect("encodes"))
        )
    }

    /// A script's walk: deploy the Token, transfer, read the log back,
    /// snapshot and revert — through JSON-RPC alone.
    #[test]
    fn a_token_deployed_transferred_and_reverted_through_json_rpc() {
        let mut host = Host::default();
        assert_eq!(host.rpc_ok("eth_chainId", json!([])), json!("0x432"));
        let accounts = host.rpc_ok("eth_accounts", json!([]));
        let alice = accounts[1].as_str().expect("alice").to_owned();
        let bob = accounts[2].as_str().expect("bob").to_owned();

        let program = token();
        let mut code = program.creation_code().expect("code");
        code.extend(
            program
                .encode_constructor(&["T".into(), "T".into(), "1000".into()])
                .expect("args"),
        );
        let hash = host.rpc_ok(
            "eth_sendTransaction",
            json!([{"from": alice, "data": const_hex::encode_prefixed(code)}]),
        );
        let receipt = host.rpc_ok("eth_getTransactionReceipt", json!([hash]));
        assert_eq!(receipt["status"], "0x1");
        let token = receipt["contractAddress"]
            .as_str()
            .expect("created")
            .to_owned();
        assert_ne!(
            host.rpc_ok("eth_getCode", json!([token, "latest"])),
            json!("0x")
        );

        let snapshot = host.rpc_ok("evm_snapshot", json!([]));
        let transfer = call_data(&program, "transfer", &[&bob, "25"]);
        let hash = host.rpc_ok(
            "eth_sendTransaction",
            json!([{"from": alice, "to": token, "data": transfer}]),
        );
        let receipt = host.rpc_ok("eth_getTransactionReceipt", json!([hash]));
        assert_eq!(receipt["status"], "0x1");
        let transfer_topic = receipt["logs"][0]["topics"][0].clone();
        let logs = host.rpc_ok(
            "eth_getLogs",
            json!([{"address": token, "topics": [transfer_topic], "fromBlock": "0x0"}]),
        );
        assert_eq!(logs.as_array().map(Vec::len), Some(2), "mint and transfer");
        assert_eq!(logs[1]["transactionHash"], hash);
        let balance = |host: &mut Host| {
            host.rpc_ok(
                "eth_call",
                json!([{"to": token, "data": call_data(&program, "balanceOf", &[&bob])}, "latest"]),
            )
        };
        assert!(
            balance(&mut host).as_str().expect("hex").ends_with("19"),
            "25 = 0x19"
        );
        // Traced again on the state before its block: the token's SSTOREs.
        let trace = host.rpc_ok("debug_traceTransaction", json!([hash]));
        let ops: Vec<&str> = trace["structLogs"]
            .as_array()
            .expect("struct logs")
            .iter()
            .filter_map(|step| step["op"].as_str())
            .collect();
        assert!(ops.contains(&"SSTORE") && ops.contains(&"LOG3"), "{ops:?}");
        assert_eq!(trace["failed"], false);
        let block = host.rpc_ok("eth_getBlockByNumber", json!(["latest", false]));
        assert_eq!(block["transactions"][0], hash);
        assert!(
            host.rpc_ok("eth_getTransactionByHash", json!([hash]))["to"]
                .as_str()
                .is_some_and(|to| to.eq_ignore_ascii_case(&token))
        );

        assert_eq!(host.rpc_ok("evm_revert", json!([snapshot])), json!(true));
        assert!(balance(&mut host).as_str().expect("hex").ends_with("00"));
        assert_eq!(
            host.rpc_ok("eth_getTransactionReceipt", json!([hash])),
            Value::Null
        );

        // A revert is error 3 with its data; an account the page does not
        // hold is 4100; an unknown method -32601.
        let too_much = call_data(&program, "transfer", &[&bob, "5000"]);
        let err = host
            .rpc(
                "eth_call",
                &json!([{"from": alice, "to": token, "data": too_much}]),
            )
            .expect_err("reverts");
        assert_eq!(err.code, 3);
        // (No deployed contract declares the error: the script's library
        // decodes the data with its ABI.)
        assert!(
            err.data
                .as_deref()
                .is_some_and(|d| d.starts_with("0xe450d38c")),
            "{err:?}"
        );
        let err = host
            .rpc(
                "eth_sendTransaction",
                &json!([{"from": format!("0x{}", "11".repeat(20)), "to": token}]),
            )
            .expect_err("not ours");
        assert_eq!(err.code, 4100);
        assert_eq!(
            host.rpc("eth_mining", &json!([]))
                .expect_err("unknown")
                .code,
            -32601
        );
    }

    /// A transaction signed by ethers (key 0x42…42, nonce 0, chain 1074):
    /// 5·10^12 wei to 0x11…11.
    const RAW: &str = "0x02f86b820432800101830186a094111111111111111111111111111111111111111186048c2739500080c001a00194b371c081c6ea8be2183c73388fee42b4f961a9a9e853382d8a13cbfc0ab6a0357ef909c402c6403f358d2551e4b28490cd5bf36e94fd8722463f8d6190e8ac";
    const SIGNER: &str = "0x17c5185167401ed00cf5f5b2fc97d9bbfdb7d025";

    /// A signed transaction runs from its signer's Ethereum account, which
    /// must first be funded, once, at its nonce, under its own hash.
    #[test]
    fn a_signed_transaction_runs_from_its_signers_account() {
        let mut host = Host::default();
        let alice = host.rpc_ok("eth_accounts", json!([]))[1]
            .as_str()
            .expect("alice")
            .to_owned();
        let err = host
            .rpc("eth_sendRawTransaction", &json!([RAW]))
            .expect_err("no funds yet");
        assert!(
            err.message.contains("fee") || err.message.contains("funds"),
            "{}",
            err.message
        );

        // 1 000 000 base tokens (10^18 wei) from alice.
        let funded = host.rpc_ok(
            "eth_sendTransaction",
            json!([{"from": alice, "to": SIGNER, "value": "0xde0b6b3a7640000"}]),
        );
        assert_eq!(
            host.rpc_ok("eth_getTransactionReceipt", json!([funded]))["status"],
            "0x1"
        );
        assert_eq!(
            host.rpc_ok("eth_getBalance", json!([SIGNER])),
            json!("0xde0b6b3a7640000")
        );

        let hash = host.rpc_ok("eth_sendRawTransaction", json!([RAW]));
        assert_eq!(
            hash,
            json!("0x23584349851014d64f46cd331a096d6227b14b2b2a28dc97168d951de53c1066")
        );
        let receipt = host.rpc_ok("eth_getTransactionReceipt", json!([hash]));
        assert_eq!(receipt["status"], "0x1");
        assert_eq!(receipt["from"], SIGNER);
        let recipient = format!("0x{}", "11".repeat(20));
        assert_eq!(
            host.rpc_ok("eth_getBalance", json!([recipient])),
            json!("0x48c27395000")
        );
        assert_eq!(
            host.rpc_ok("eth_getTransactionCount", json!([SIGNER])),
            json!("0x1")
        );
        // The same transaction again is refused: its nonce is used.
        let err = host
            .rpc("eth_sendRawTransaction", &json!([RAW]))
            .expect_err("replayed");
        assert!(err.message.contains("nonce too low"), "{}", err.message);
        // And the session replays to the same state.
        let session = host.session().to_json();
        let mut again = Host::default();
        assert!(matches!(
            again.handle(Command::Open { session }),
            Reply::Chain { .. }
        ));
        assert_eq!(again.view().state_hash, host.view().state_hash);
    }

    /// Params a script gets wrong are errors with a message, never a panic
    /// or unbounded work.
    #[test]
    fn bad_params_are_refused_by_name() {
        let mut host = Host::default();
        let many = vec![json!(50); 100_000];
        let Err(err) = host.rpc("eth_feeHistory", &json!(["0x4", "latest", many])) else {
            panic!("too many percentiles were answered");
        };
        assert_eq!(err.code, -32602);
        assert!(err.message.contains("percentiles"), "{}", err.message);
        for (method, params) in [
            ("eth_getBalance", json!(["0x12"])),
            ("eth_getBalance", json!([7])),
            (
                "eth_getStorageAt",
                json!([format!("0x{}", "11".repeat(20)), "0xzz"]),
            ),
            ("eth_call", json!([{"to": "nope"}])),
            ("eth_sendTransaction", json!([{"from": 1}])),
            ("eth_sendRawTransaction", json!(["0x0102"])),
            ("evm_revert", json!(["0xffffffffffffffffffff"])),
            ("eth_getBlockByNumber", json!(["0xgg", false])),
        ] {
            let err = host.rpc(method, &params).expect_err(method);
            assert!(!err.message.is_empty(), "{method}");
        }
        assert_eq!(
            host.rpc_ok("eth_getTransactionReceipt", json!(["0x00"])),
            Value::Null
        );
        assert_eq!(
            host.rpc_ok("eth_getBlockByNumber", json!(["0xffff", false])),
            Value::Null
        );
    }
}
