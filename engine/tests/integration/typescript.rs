//! The TypeScript WasmLib (`contracts/ts/wasmlib`, compiled with
//! AssemblyScript) against the Rust crate: each TypeScript example
//! (`contracts/ts/<name>.ts`, committed build in `public/examples`) and
//! its Rust twin, deployed under the same name on two chains and given the
//! same requests, end every request alike — the same results or error,
//! events, log lines, call tree and posted requests, and the same contract
//! state. Only the gas differs: the two programs are different code.
//! What the twins do not reach, the library's own checks
//! (`contracts/ts/tswasmlib.ts`, committed build in
//! `engine/tests/fixtures/ts/`) give the Rust side's values to compare.

use crate::{
    alice, bob, builtin_chain, deploy_inccounter, deploy_program, store_wasm_blob, wasm_example,
};
use isc_engine::codec::i64_from_bytes;
use isc_engine::{AgentId, CallTrace, Chain, Dict, Hname, Receipt, Request, VmType};

/// What the twin test compares of a receipt: all but the gas and the
/// request ids (a deploy's id covers the program's bytes, and every later
/// id follows from the ones before).
fn comparable(receipt: &Receipt) -> impl PartialEq + std::fmt::Debug {
    fn without_gas(trace: &CallTrace) -> CallTrace {
        let mut trace = trace.clone();
        trace.gas_burned = 0;
        trace.calls = trace.calls.iter().map(without_gas).collect();
        trace
    }
    (
        receipt.block_index,
        receipt.posted_by.is_some(),
        receipt.results.clone(),
        receipt.error.as_ref().map(ToString::to_string),
        receipt.events.clone(),
        receipt.logs.clone(),
        without_gas(&receipt.trace),
    )
}

/// Builds a request for the contract named.
type MakeRequest<'a> = Box<dyn Fn(&str) -> Request + 'a>;

/// Two chains, one with the Rust example and one with its TypeScript twin
/// deployed as `name`.
struct Twins {
    name: &'static str,
    rust: Chain,
    ts: Chain,
}

impl Twins {
    fn deploy(name: &'static str, rust: &str, ts: &str, init: Dict) -> Self {
        let mut twins = Twins {
            name,
            rust: builtin_chain(),
            ts: builtin_chain(),
        };
        let deploy = |chain: &mut Chain, example: &str| {
            deploy_program(
                chain,
                name,
                &VmType::WASM,
                &wasm_example(example),
                init.clone(),
            )
        };
        let (r, t) = (deploy(&mut twins.rust, rust), deploy(&mut twins.ts, ts));
        assert_eq!(comparable(&r), comparable(&t), "init");
        twins
    }

    /// Posts the request `make` builds for the contract to both chains;
    /// both end it alike. Returns the Rust one's receipt.
    fn post(&mut self, make: impl Fn(&str) -> Request) -> Receipt {
        let request = make(self.name);
        let what = format!("{:?} {:?}", request.entry, request.params);
        let r = self.rust.post(request).expect("accepted");
        let t = self.ts.post(make(self.name)).expect("accepted");
        assert_eq!(comparable(&r), comparable(&t), "{what}");
        self.same_state();
        r
    }

    /// Runs a block of the queued requests on both chains; both end them
    /// alike.
    fn run_block(&mut self) -> Vec<Receipt> {
        let r = self.rust.run_block().expect("one is ready");
        let t = self.ts.run_block().expect("one is ready");
        assert_eq!(
            r.iter().map(comparable).collect::<Vec<_>>(),
            t.iter().map(comparable).collect::<Vec<_>>()
        );
        self.same_state();
        r
    }

    fn view(&mut self, entry: &str, params: Dict) -> Result<Dict, String> {
        let r = self.rust.call_view(self.name, entry, params.clone());
        let t = self.ts.call_view(self.name, entry, params);
        let (r, t) = (r.map_err(|e| e.to_string()), t.map_err(|e| e.to_string()));
        assert_eq!(r, t, "view {entry}");
        r
    }

    fn same_state(&self) {
        let hname = Hname::of(self.name);
        assert_eq!(
            self.rust.contract_state(hname),
            self.ts.contract_state(hname)
        );
        // The requests it posted, waiting in the queue. (Not the
        // contract's balance: a request it posted pays its gas from it.)
        let queued = |chain: &Chain| {
            chain
                .pending()
                .into_iter()
                .map(|p| {
                    (
                        p.request.entry,
                        p.request.params,
                        p.request.tokens,
                        p.unlock_time,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(queued(&self.rust), queued(&self.ts));
    }
}

fn counter(twins: &mut Twins) -> i64 {
    let results = twins.view("getCounter", Dict::new()).expect("the view");
    i64_from_bytes(results.get("counter").unwrap_or_default()).expect("an Int64")
}

#[test]
fn the_typescript_counter_ends_every_request_as_the_rust_one() {
    let mut twins = Twins::deploy(
        "counter",
        "inccounter",
        "tscounter",
        Dict::new().with("counter", 5i64.to_le_bytes()),
    );
    let requests: Vec<fn(&str) -> Request> = vec![
        |c| Request::new(alice(), c, "increment"),
        |c| Request::new(alice(), c, "increment"),
        |c| Request::new(alice(), c, "incrementBy").param("amount", 10i64.to_le_bytes()),
        |c| Request::new(alice(), c, "incrementBy").param("amount", (-3i64).to_le_bytes()),
        // The mandatory param missing, then of a wrong length: the
        // contract's own panic, then the decoder's.
        |c| Request::new(alice(), c, "incrementBy"),
        |c| Request::new(alice(), c, "incrementBy").param("amount", vec![1, 2]),
        // Nested calls to itself through the sandbox.
        |c| Request::new(alice(), c, "callIncrement"),
        |c| Request::new(alice(), c, "callIncrementRecurse5x"),
        |c| Request::new(alice(), c, "getCounter"),
        |c| Request::new(alice(), c, "nosuchentry"),
    ];
    for make in requests {
        twins.post(make);
    }
    assert_eq!(counter(&mut twins), 5 + 1 + 1 + 10 - 3 + 2 + 1);

    // Requests the contract posts to itself, carrying tokens it took from
    // the allowance: the same requests queued, then run alike.
    let posted = twins.post(|c| {
        Request::new(bob(), c, "repeatMany")
            .param("numRepeats", 2i64.to_le_bytes())
            .allowance(1_000_000)
    });
    assert!(posted.is_success(), "{:?}", posted.error);
    assert_eq!(twins.rust.pending().len(), 1);
    twins.run_block();
    twins.run_block();
    twins.post(|c| {
        Request::new(bob(), c, "incrementWithDelay")
            .param("delay", 5u32.to_le_bytes())
            .allowance(1_000_000)
    });
    twins.post(|c| Request::new(bob(), c, "incrementWithDelay").allowance(1_000_000));
    twins.rust.advance_time(10).expect("advances");
    twins.ts.advance_time(10).expect("advances");
    twins.run_block();
    assert_eq!(counter(&mut twins), 17 + 3 + 1);

    // A failed request takes back what it wrote, on both.
    let before = twins.rust.contract_state(Hname::of("counter"));
    let failed = twins.post(|c| Request::new(alice(), c, "incrementBy"));
    let error = failed.error.expect("no amount: a panic").to_string();
    assert!(error.contains("missing mandatory param: amount"), "{error}");
    assert_eq!(twins.ts.contract_state(Hname::of("counter")), before);
}

#[test]
fn the_typescript_token_ends_every_request_as_the_rust_one() {
    let carol = AgentId::user("carol");
    let mut twins = Twins::deploy(
        "token",
        "erc20",
        "tserc20",
        Dict::new()
            .with("supply", 1_000_000u64.to_le_bytes())
            .with("owner", alice().to_bytes()),
    );
    let agent = |who: &AgentId| who.to_bytes();
    let account = AgentId::Contract {
        chain: twins.rust.chain_id(),
        hname: Hname::of("token"),
    };
    let requests: Vec<MakeRequest<'_>> = vec![
        Box::new(|c| {
            Request::new(alice(), c, "transfer")
                .param("account", agent(&bob()))
                .param("amount", 300u64.to_le_bytes())
        }),
        // To a contract's account and to an Ethereum account: other kinds
        // of agent id, in keys and in the events' text.
        Box::new(move |c| {
            Request::new(alice(), c, "transfer")
                .param("account", agent(&account))
                .param("amount", 7u64.to_le_bytes())
        }),
        Box::new(|c| {
            Request::new(alice(), c, "transfer")
                .param("account", agent(&AgentId::Ethereum([0xff; 20])))
                .param("amount", 5u64.to_le_bytes())
        }),
        Box::new(move |c| {
            Request::new(bob(), c, "approve")
                .param("delegation", agent(&carol))
                .param("amount", 100u64.to_le_bytes())
        }),
        Box::new(move |c| {
            Request::new(carol, c, "transferFrom")
                .param("account", agent(&bob()))
                .param("recipient", agent(&carol))
                .param("amount", 60u64.to_le_bytes())
        }),
        // Refused: overspending, over the allowance, a zero amount, a
        // missing param, a malformed agent id.
        Box::new(move |c| {
            Request::new(bob(), c, "transfer")
                .param("account", agent(&carol))
                .param("amount", 241u64.to_le_bytes())
        }),
        Box::new(move |c| {
            Request::new(carol, c, "transferFrom")
                .param("account", agent(&bob()))
                .param("recipient", agent(&carol))
                .param("amount", 41u64.to_le_bytes())
        }),
        Box::new(move |c| {
            Request::new(bob(), c, "transfer")
                .param("account", agent(&carol))
                .param("amount", 0u64.to_le_bytes())
        }),
        Box::new(|c| Request::new(bob(), c, "transfer").param("amount", 1u64.to_le_bytes())),
        Box::new(|c| {
            Request::new(bob(), c, "transfer")
                .param("account", vec![1, 2, 3])
                .param("amount", 1u64.to_le_bytes())
        }),
        Box::new(|c| {
            Request::new(bob(), c, "transfer")
                .param("account", vec![9, 0])
                .param("amount", 1u64.to_le_bytes())
        }),
    ];
    let mut failures = 0;
    for make in &requests {
        if !twins.post(make).is_success() {
            failures += 1;
        }
    }
    assert_eq!(failures, 6);

    let amount = |twins: &mut Twins, view: &str, params: Dict| {
        twins.view(view, params).expect("runs").u64("amount")
    };
    let balance = |twins: &mut Twins, who: &AgentId| {
        amount(
            twins,
            "balanceOf",
            Dict::new().with("account", who.to_bytes()),
        )
    };
    assert_eq!(balance(&mut twins, &bob()), Ok(240));
    assert_eq!(balance(&mut twins, &carol), Ok(60));
    assert_eq!(balance(&mut twins, &account), Ok(7));
    let allowance = Dict::new()
        .with("account", bob().to_bytes())
        .with("delegation", carol.to_bytes());
    assert_eq!(amount(&mut twins, "allowance", allowance), Ok(40));
    let supply = twins.view("totalSupply", Dict::new()).expect("runs");
    assert_eq!(supply.u64("supply"), Ok(1_000_000));
    twins
        .view("balanceOf", Dict::new())
        .expect_err("no account: a panic");
}

#[test]
fn the_typescript_testcore_ends_every_request_as_the_rust_one() {
    let mut twins = Twins::deploy("testcore", "testcore", "tstestcore", Dict::new());
    // The counter it calls, and a program it can deploy, on both chains.
    let mut hashes = Vec::new();
    for chain in [&mut twins.rust, &mut twins.ts] {
        deploy_inccounter(chain);
        hashes.push(store_wasm_blob(chain, wasm_example("inccounter")));
    }
    assert_eq!(hashes[0], hashes[1]);
    let hash = hashes[0].clone();
    let plain = [
        "testPanic",
        "testCaller",
        "testChainOwner",
        "testTimestamp",
        "testEvent",
        "testCallIncrement",
        "testCallPanic",
        "testAccountsBalance",
        "testDeepRecursion",
        "testPost",
        "testGrowMemory",
        "testFibonacci",
        "nosuchentry",
    ];
    for entry in plain {
        twins.post(|c| Request::new(alice(), c, entry));
    }
    // The entropy follows from the chain's state, which covers the
    // programs' bytes: 32 bytes on each, not the same.
    for chain in [&mut twins.rust, &mut twins.ts] {
        let receipt = chain
            .post(Request::new(alice(), "testcore", "testEntropy"))
            .expect("accepted");
        let entropy = receipt
            .results
            .and_then(|r| r.get("entropy").map(<[u8]>::len));
        assert_eq!(entropy, Some(32));
    }
    let mut failures = 0;
    let requests: Vec<MakeRequest<'_>> = vec![
        Box::new(|c| Request::new(alice(), c, "testEndlessLoop").gas_budget(2_000_000)),
        Box::new(|c| {
            Request::new(alice(), c, "testGrowMemory").param("megabytes", 2u32.to_le_bytes())
        }),
        Box::new(|c| Request::new(alice(), c, "testFibonacci").param("n", 20u32.to_le_bytes())),
        Box::new(|c| Request::new(alice(), c, "testFibonacci").param("n", 41u32.to_le_bytes())),
        Box::new(|c| Request::new(alice(), c, "testFibonacci").param("n", vec![1])),
        Box::new(|c| {
            Request::new(bob(), c, "testTakeAllowance")
                .param("amount", 1_500_000u64.to_le_bytes())
                .allowance(2_000_000)
        }),
        Box::new(|c| {
            Request::new(bob(), c, "testSendToCaller").param("amount", 200u64.to_le_bytes())
        }),
        Box::new(|c| Request::new(alice(), c, "testAccountsBalance")),
        // With 1.5 Mi in its account, the post can be paid (the posted
        // request runs in the same block).
        Box::new(|c| Request::new(alice(), c, "testPost")),
        Box::new(|c| {
            Request::new(alice(), c, "testHashes").param("data", "hello, world".as_bytes().to_vec())
        }),
        Box::new(move |c| {
            Request::new(alice(), c, "testDeploy")
                .param("programHash", hash.clone())
                .param("name", "counter2")
        }),
        Box::new(|c| Request::new(alice(), c, "testDeploy").param("name", "counter3")),
    ];
    for make in &requests {
        if !twins.post(make).is_success() {
            failures += 1;
        }
    }
    assert_eq!(
        failures, 4,
        "the loop, fibonacci(41), a 1-byte n, no program"
    );
    let info = twins.view("getSandboxInfo", Dict::new()).expect("runs");
    assert_eq!(info.hname("contract"), Ok(Some(Hname::of("testcore"))));
    twins
        .view("testViewWrite", Dict::new())
        .expect_err("views cannot write");
}

/// The number `random(8) + 1` draws from the entropy of the block after
/// `previous` (WasmLib's `random`: the entropy's first 8 bytes, as a
/// little-endian u64, modulo `max`).
fn drawn(previous: isc_engine::StateHash, block: u32) -> u16 {
    let input = [previous.as_bytes().as_slice(), &block.to_le_bytes()].concat();
    let entropy = isc_engine::Hash::blake2b(&input);
    let mut first = [0u8; 8];
    first.copy_from_slice(&entropy.as_bytes()[..8]);
    (u64::from_le_bytes(first) % 8 + 1) as u16
}

#[test]
fn the_typescript_roulette_ends_every_request_as_the_rust_one() {
    let mut twins = Twins::deploy("roulette", "fairroulette", "tsfairroulette", Dict::new());
    // Two bets on every number, so every draw has two winners to share
    // the pot in proportion to their stakes (rounded down).
    let mut stakes = Vec::new();
    for number in 1..=8u16 {
        for (who, stake) in [
            (alice(), 1_000 + 7 * u64::from(number)),
            (bob(), 333 * u64::from(number)),
        ] {
            twins.post(|c| {
                Request::new(who, c, "placeBet")
                    .param("number", number.to_le_bytes())
                    .allowance(stake)
            });
            stakes.push((number, stake));
        }
    }
    // Refused: a number out of range, no stake, a malformed number.
    for make in [
        |c: &str| {
            Request::new(alice(), c, "placeBet")
                .param("number", 9u16.to_le_bytes())
                .allowance(5)
        },
        |c: &str| Request::new(alice(), c, "placeBet").param("number", 3u16.to_le_bytes()),
        |c: &str| {
            Request::new(alice(), c, "placeBet")
                .param("number", vec![3])
                .allowance(5)
        },
    ] {
        assert!(!twins.post(make).is_success());
    }
    let bets = twins.view("getBets", Dict::new()).expect("runs");
    let pot: u64 = stakes.iter().map(|(_, stake)| stake).sum();
    assert_eq!(bets.u64("pot"), Ok(pot));

    // The draw follows from each chain's entropy, which covers its own
    // programs: each chain's number is the one its entropy gives, and
    // each pays that number's two bets.
    for chain in [&mut twins.rust, &mut twins.ts] {
        let receipt = chain
            .post(Request::new(
                AgentId::user("carol"),
                "roulette",
                "payWinners",
            ))
            .expect("accepted");
        assert!(receipt.is_success(), "{:?}", receipt.error);
        let previous = chain
            .state_hash_at(receipt.block_index - 1)
            .expect("the block before");
        let winning = drawn(previous, receipt.block_index);
        let number = chain
            .call_view("roulette", "lastWinningNumber", Dict::new())
            .expect("runs")
            .get("lastWinningNumber")
            .map(<[u8]>::to_vec);
        assert_eq!(number, Some(winning.to_le_bytes().to_vec()));
        let winners: Vec<u64> = stakes
            .iter()
            .filter(|(n, _)| *n == winning)
            .map(|(_, stake)| *stake)
            .collect();
        let staked: u64 = winners.iter().sum();
        let paid: u64 = winners
            .iter()
            .map(|stake| (u128::from(pot) * u128::from(*stake) / u128::from(staked)) as u64)
            .sum();
        let round = receipt.events[0].text().expect("text");
        assert!(round.ends_with(&format!("|{winning}|2|{paid}")), "{round}");
        assert_eq!(receipt.trace.calls.len(), 2, "two transferAllowanceTo");
        assert_eq!(
            chain.balance(&chain.contract_agent("roulette")),
            pot - paid,
            "what rounding left"
        );
    }
    // No bets left: both refuse another round alike.
    let errors: Vec<_> = [&mut twins.rust, &mut twins.ts]
        .into_iter()
        .map(|chain| {
            let receipt = chain
                .post(Request::new(bob(), "roulette", "payWinners"))
                .expect("accepted");
            receipt.error.map(|err| err.to_string())
        })
        .collect();
    assert_eq!(errors[0], errors[1]);
    assert!(
        errors[0]
            .as_deref()
            .is_some_and(|e| e.contains("fairroulette: no bets to settle")),
        "{errors:?}"
    );
}

/// The TypeScript WasmLib's own checks (`contracts/ts/tswasmlib.ts`,
/// committed build in `engine/tests/fixtures/ts/`).
fn wasmlib_checks() -> Chain {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ts/tswasmlib.wasm"
    );
    let wasm = std::fs::read(path).unwrap_or_else(|err| panic!("{path}: {err}"));
    let mut chain = builtin_chain();
    deploy_program(&mut chain, "tswasmlib", &VmType::WASM, &wasm, Dict::new());
    chain
}

#[test]
fn the_typescript_wasmlib_reads_and_writes_agent_ids_as_the_crate_does() {
    use isc_engine::wasmvm::utils::bech32_encode;
    let mut chain = wasmlib_checks();
    let contract = AgentId::Contract {
        chain: chain.chain_id(),
        hname: Hname::of("tswasmlib"),
    };
    let user = |agent: &AgentId| bech32_encode(&agent.to_bytes()[1..]).expect("bech32");
    let chain_address = {
        let mut address = vec![8u8];
        address.extend_from_slice(&chain.chain_id().0);
        bech32_encode(&address).expect("bech32")
    };
    let cases = [
        (alice(), user(&alice())),
        (
            contract,
            format!("{}@{chain_address}", Hname::of("tswasmlib")),
        ),
        (
            AgentId::Ethereum([0xab; 20]),
            format!("0x{}", "ab".repeat(20)),
        ),
        (AgentId::Nil, "-".to_owned()),
    ];
    for (agent, text) in cases {
        let receipt = chain
            .post(Request::new(bob(), "tswasmlib", "agent").param("agent", agent.to_bytes()))
            .expect("accepted");
        let results = receipt
            .result()
            .unwrap_or_else(|err| panic!("{agent:?}: {err}"))
            .clone();
        assert_eq!(results.string("text"), Ok(text.clone()), "{agent:?}");
        assert_eq!(results.get("bytes"), Some(agent.to_bytes().as_slice()));
        assert_eq!(
            results.get("parsed"),
            Some(agent.to_bytes().as_slice()),
            "{text}"
        );
        assert_eq!(results.string("caller"), Ok(user(&bob())));
    }
}

#[test]
fn the_typescript_wasmlib_keys_arrays_and_maps_and_encodes_as_the_crate_does() {
    let mut chain = wasmlib_checks();
    let receipt = chain
        .post(Request::new(alice(), "tswasmlib", "array").param("items", 200u32.to_le_bytes()))
        .expect("accepted");
    let results = receipt.result().expect("runs").clone();
    assert_eq!(results.u64("sum"), Ok((0..200u64).map(|i| i * 7).sum()));
    // An array's length is a variable-length integer at its key.
    assert_eq!(results.get("length"), Some([0xc8, 0x01].as_slice()));
    // The keys as the crate names them: `list` (the length), `list`, `#`,
    // the index as a variable-length integer; `map`, `.`, the key's bytes.
    let keys: Vec<Vec<u8>> = chain
        .contract_state(Hname::of("tswasmlib"))
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    let mut expected = vec![b"list".to_vec()];
    for index in 0..200u32 {
        let mut key = b"list#".to_vec();
        key.push((index & 0x7f) as u8 | if index > 0x7f { 0x80 } else { 0 });
        if index > 0x7f {
            key.push((index >> 7) as u8);
        }
        expected.push(key);
    }
    expected.push(b"map.x".to_vec());
    expected.push([b"map.".as_slice(), &alice().to_bytes()].concat());
    expected.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, expected);
    // Cleared: nothing of the array or the map is left.
    let receipt = chain
        .post(Request::new(alice(), "tswasmlib", "clear"))
        .expect("accepted");
    assert!(receipt.is_success(), "{:?}", receipt.error);
    assert!(chain.contract_state(Hname::of("tswasmlib")).is_empty());

    let bytes = vec![0u8, 0xab, 0xff, 0x10];
    let results = chain
        .call_view(
            "tswasmlib",
            "codec",
            Dict::new().with("bytes", bytes.clone()),
        )
        .expect("runs");
    let mut vlu = vec![0x00, 0x7f, 0x80, 0x01, 0xac, 0x02];
    vlu.extend([0xff; 9]);
    vlu.push(0x01);
    vlu.push(4);
    vlu.extend(&bytes);
    assert_eq!(results.get("vlu"), Some(vlu.as_slice()));
    assert_eq!(results.string("hex"), Ok("0x00abff10".to_owned()));
    assert_eq!(results.get("unhex"), Some(bytes.as_slice()));
    assert_eq!(results.string("big"), Ok("18446744073709551621".to_owned()));
    assert_eq!(results.string("max"), Ok(u64::MAX.to_string()));
    assert_eq!(results.hname("hname"), Ok(Some(Hname::of("inccounter"))));
    assert_eq!(results.string("hnameText"), Ok("af2438e9".to_owned()));
}
