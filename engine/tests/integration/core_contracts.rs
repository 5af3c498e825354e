//! The native core contracts, through requests and views.

use crate::{alice, bob, failed, new_chain, ok, post};
use isc_engine::codec::{map_key, u32_from_bytes};
use isc_engine::{AgentId, ContractRecord, Dict, FeePolicy, Hash, Hname, Request, VmError};

#[test]
fn core_contracts_have_isc_names_and_hnames() {
    let chain = new_chain();
    let mut hnames: Vec<(String, u32)> = chain
        .contracts()
        .into_iter()
        .map(|record| (record.name, record.hname.as_u32()))
        .collect();
    hnames.sort();
    assert_eq!(
        hnames,
        [
            ("accounts".to_owned(), 0x3c4b5e02),
            ("blob".to_owned(), 0xfd91bc63),
            ("blocklog".to_owned(), 0xf538ef2b),
            ("errors".to_owned(), 0x8f3a8bb3),
            ("evm".to_owned(), 0x07cb02c1),
            ("governance".to_owned(), 0x17cf909f),
            ("root".to_owned(), 0xcebf5908),
        ]
    );
}

#[test]
fn root_finds_contracts_and_lists_records() {
    let mut chain = new_chain();
    let found = chain
        .call_view(
            "root",
            "findContract",
            Dict::new().with("hn", Hname::of("blob").to_bytes()),
        )
        .expect("view runs");
    assert_eq!(found.get("cf"), Some(&[1u8][..]));
    let record = ContractRecord::from_bytes(found.get("dt").unwrap_or_default()).expect("decodes");
    assert_eq!(record.name, "blob");

    let missing = chain
        .call_view(
            "root",
            "findContract",
            Dict::new().with("hn", Hname::of("x").to_bytes()),
        )
        .expect("view runs");
    assert_eq!(missing.get("cf"), Some(&[0u8][..]));

    let records = chain
        .call_view("root", "getContractRecords", Dict::new())
        .expect("runs");
    assert!(
        records
            .get(map_key("r", &Hname::of("accounts").to_bytes()))
            .is_some()
    );
    // ISC's seven core contracts, `evm` among them.
    assert_eq!(records.len(), 7);
}

#[test]
fn accounts_deposit_withdraw_and_views() {
    let mut chain = new_chain();
    let l1 = chain.l1_balance(&alice());
    let l2 = chain.balance(&alice());
    let total = chain.total_assets();

    let receipt = chain
        .post(Request::new(alice(), "accounts", "deposit").tokens(1_000))
        .expect("accepted");
    ok(&receipt);
    assert_eq!(chain.balance(&alice()), l2 + 1_000 - receipt.gas_fee);
    assert_eq!(chain.total_assets(), total + 1_000);

    let l2 = chain.balance(&alice());
    let receipt = chain
        .post(Request::new(alice(), "accounts", "withdraw").allowance(400))
        .expect("accepted");
    ok(&receipt);
    assert_eq!(chain.l1_balance(&alice()), l1 - 1_000 + 400);
    assert_eq!(chain.balance(&alice()), l2 - 400 - receipt.gas_fee);

    let receipt = post(&mut chain, "accounts", "withdraw");
    assert!(failed(&receipt).to_string().contains("nothing to withdraw"));

    let nonce = chain
        .call_view(
            "accounts",
            "getAccountNonce",
            Dict::new().with("a", alice().to_bytes()),
        )
        .expect("runs");
    assert_eq!(nonce.u64("n"), Ok(3));
    let balance = chain
        .call_view(
            "accounts",
            "balanceBaseToken",
            Dict::new().with("a", alice().to_bytes()),
        )
        .expect("runs");
    assert_eq!(balance.u64("B"), Ok(chain.balance(&alice())));
    let total = chain
        .call_view("accounts", "totalAssets", Dict::new())
        .expect("runs");
    assert_eq!(total.u64("B"), Ok(chain.total_assets()));
    let all = chain
        .call_view("accounts", "accounts", Dict::new())
        .expect("runs");
    assert!(all.get(bob().to_bytes()).is_some());
    assert!(all.get(chain.owner().to_bytes()).is_some());
}

#[test]
fn what_needs_l1_answers_not_supported() {
    let mut chain = new_chain();
    for (contract, entry) in [
        ("accounts", "foundryCreateNew"),
        ("accounts", "harvest"),
        ("governance", "rotateStateController"),
        ("root", "subscribeBlockContext"),
    ] {
        let err = failed(&post(&mut chain, contract, entry));
        assert!(
            matches!(err, VmError::Unsupported { .. }),
            "{contract}.{entry}: {err}"
        );
        assert!(
            err.to_string()
                .starts_with("not supported in the playground: ")
        );
    }
    let err = chain
        .call_view("accounts", "balanceNativeToken", Dict::new())
        .expect_err("unsupported");
    assert!(matches!(err, VmError::Unsupported { .. }));
}

#[test]
fn blob_stores_fields_by_hash() {
    let mut chain = new_chain();
    let receipt = chain
        .post(
            Request::new(alice(), "blob", "storeBlob")
                .param("d", "hello")
                .param("x", [1, 2, 3]),
        )
        .expect("accepted");
    let hash = ok(&receipt)
        .hash("hash")
        .expect("decodes")
        .expect("present");
    assert_eq!(
        hash,
        Hash::blake2b(
            &Dict::new()
                .with("d", "hello")
                .with("x", [1, 2, 3])
                .to_bytes()
        )
    );

    let info = chain
        .call_view(
            "blob",
            "getBlobInfo",
            Dict::new().with("hash", hash.as_bytes().to_vec()),
        )
        .expect("runs");
    assert_eq!(info.get("x").map(u32_from_bytes), Some(Ok(3)));
    let field = chain
        .call_view(
            "blob",
            "getBlobField",
            Dict::new()
                .with("hash", hash.as_bytes().to_vec())
                .with("field", "d"),
        )
        .expect("runs");
    assert_eq!(field.get("bytes"), Some(&b"hello"[..]));
    let list = chain
        .call_view("blob", "listBlobs", Dict::new())
        .expect("runs");
    assert_eq!(list.get(hash.as_bytes()).map(u32_from_bytes), Some(Ok(8)));
    let err = chain
        .call_view("blob", "getBlobInfo", Dict::new().with("hash", vec![0; 32]))
        .expect_err("no such blob");
    assert!(err.to_string().contains("not found"));
}

#[test]
fn blocklog_keeps_blocks_receipts_and_events() {
    let mut chain = new_chain();
    let receipt = chain
        .post(Request::new(alice(), "blob", "storeBlob").param("d", "x"))
        .expect("accepted");
    assert_eq!(receipt.events.len(), 1);

    let info = chain
        .call_view("blocklog", "getBlockInfo", Dict::new())
        .expect("latest block");
    assert_eq!(info.get("n").map(u32_from_bytes), Some(Ok(1)));

    let id = receipt.request_id.as_bytes().to_vec();
    let processed = chain
        .call_view(
            "blocklog",
            "isRequestProcessed",
            Dict::new().with("u", id.clone()),
        )
        .expect("runs");
    assert_eq!(processed.get("p"), Some(&[1u8][..]));
    let stored = chain
        .call_view(
            "blocklog",
            "getRequestReceipt",
            Dict::new().with("u", id.clone()),
        )
        .expect("runs");
    let stored = stored.get("d").unwrap_or_default();
    assert_eq!(stored.first(), Some(&0x02), "the compact form");
    let decoded = isc_engine::Receipt::from_stored(stored).expect("a stored receipt");
    assert_eq!(decoded, receipt);

    let events = chain
        .call_view("blocklog", "getEventsForRequest", Dict::new().with("u", id))
        .expect("runs");
    assert_eq!(events.get("e"), Some(&[1u8][..]), "array length 1");
    let by_contract = chain
        .call_view(
            "blocklog",
            "getEventsForContract",
            Dict::new().with("h", Hname::of("blob").to_bytes()),
        )
        .expect("runs");
    assert_eq!(by_contract.get("e"), Some(&[1u8][..]));
}

#[test]
fn governance_reports_chain_info_and_guards_the_fee_policy() {
    let mut chain = new_chain();
    let info = chain
        .call_view("governance", "getChainInfo", Dict::new())
        .expect("runs");
    assert_eq!(info.get("c"), Some(&chain.chain_id().as_bytes()[..]));
    assert_eq!(info.agent_id("o"), Ok(Some(chain.owner())));

    let cheap = FeePolicy {
        gas_per_token: 1_000,
        min_fee: 1,
    };
    let receipt = chain
        .post(Request::new(alice(), "governance", "setFeePolicy").param("g", cheap.to_bytes()))
        .expect("accepted");
    assert!(matches!(failed(&receipt), VmError::Unauthorized { .. }));

    let owner = chain.owner();
    let receipt = chain
        .post(Request::new(owner, "governance", "setFeePolicy").param("g", cheap.to_bytes()))
        .expect("accepted");
    ok(&receipt);
    let receipt = post(&mut chain, "accounts", "deposit");
    assert_eq!(receipt.gas_fee, receipt.gas_burned.div_ceil(1_000));

    // Ownership moves by delegate and claim.
    let receipt = chain
        .post(
            Request::new(owner, "governance", "delegateChainOwnership")
                .param("o", bob().to_bytes()),
        )
        .expect("accepted");
    ok(&receipt);
    ok(&chain
        .post(Request::new(bob(), "governance", "claimChainOwnership"))
        .expect("accepted"));
    assert_eq!(chain.owner(), bob());
    assert!(matches!(
        failed(&post(&mut chain, "governance", "claimChainOwnership")),
        VmError::Unauthorized { .. }
    ));
}

#[test]
fn errors_registers_formats_once() {
    let mut chain = new_chain();
    let register = |chain: &mut isc_engine::Chain| {
        let receipt = chain
            .post(Request::new(alice(), "errors", "registerError").param("m", "too many %d"))
            .expect("accepted");
        ok(&receipt).get("c").map(<[u8]>::to_vec).expect("code")
    };
    let code = register(&mut chain);
    assert_eq!(register(&mut chain), code);
    let format = chain
        .call_view(
            "errors",
            "getErrorMessageFormat",
            Dict::new().with("c", code),
        )
        .expect("runs");
    assert_eq!(format.string("m"), Ok("too many %d".to_owned()));
}

#[test]
fn requests_from_contracts_or_paupers_are_refused() {
    let mut chain = new_chain();
    let contract = AgentId::Contract {
        chain: chain.chain_id(),
        hname: Hname::of("blob"),
    };
    assert!(
        chain
            .post(Request::new(contract, "accounts", "deposit"))
            .is_err()
    );
    let pauper = AgentId::user("nobody");
    let err = chain
        .post(Request::new(pauper, "accounts", "deposit"))
        .expect_err("no funds");
    assert!(err.to_string().contains("minimum fee"), "{err}");
}

#[test]
fn the_minimum_gas_is_a_floor_not_an_addition() {
    let mut chain = new_chain();
    // A deposit burns far less than the minimum: it is charged the
    // minimum, the same every time (as on Wasp).
    for _ in 0..2 {
        let receipt = ok_receipt(&mut chain, Request::new(alice(), "accounts", "deposit"));
        assert_eq!(receipt.gas_burned, 10_000);
        assert_eq!(receipt.gas_fee, 100);
    }
    // The evm core contract answers ISC's getChainID.
    let id = chain
        .call_view("evm", "getChainID", Dict::new())
        .expect("the view runs");
    assert_eq!(id.get("r"), Some(&1074u16.to_le_bytes()[..]));
}

fn ok_receipt(chain: &mut isc_engine::Chain, request: Request) -> isc_engine::Receipt {
    let receipt = chain.post(request).expect("accepted");
    ok(&receipt);
    receipt
}

/// A blob's bytes are paid for once, as the state they are written to (ISC
/// charges storage by what it writes; storeBlob used to add its own
/// per-byte cost on top).
#[test]
fn a_blobs_bytes_are_charged_once() {
    let mut chain = new_chain();
    let mut gas = |size: usize, tag: u8| {
        let receipt = ok_receipt(
            &mut chain,
            Request::new(alice(), "blob", "storeBlob").param("d", vec![tag; size]),
        );
        receipt.gas_burned
    };
    let (small, large) = (gas(20_000, 1), gas(40_000, 2));
    let per_byte = isc_engine::vm::GAS.per_byte_written;
    assert_eq!(large - small, per_byte * 20_000, "{small} → {large}");
}
