//! Signed Ethereum transactions (`eth_sendRawTransaction`): decoded with
//! `alloy-consensus` (legacy, EIP-2930, EIP-1559), the signer recovered
//! from the signature (secp256k1, `k256`). The chain then runs what the
//! transaction asks as a request from the signer's Ethereum account; the
//! signature is checked here and not kept.

use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{Transaction, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use revm::primitives::TxKind;

/// What a signed transaction asks, and who signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTransaction {
    /// Its hash (keccak-256 of its encoding), as Ethereum names it.
    pub hash: [u8; 32],
    /// The signer's address.
    pub from: [u8; 20],
    /// The recipient; `None` creates a contract.
    pub to: Option<[u8; 20]>,
    /// Calldata, or creation code.
    pub input: Vec<u8>,
    /// Value in wei.
    pub value_wei: u128,
    /// The signer's nonce it was signed for.
    pub nonce: u64,
    /// The chain id it was signed for (`None`: a legacy transaction
    /// without replay protection).
    pub chain_id: Option<u64>,
}

/// Why a signed transaction is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedError {
    /// The bytes are not a transaction.
    #[error("not a signed transaction: {0}")]
    Decode(String),
    /// The signature does not recover a signer.
    #[error("the signature is not valid: {0}")]
    Signature(String),
    /// A kind the playground does not run.
    #[error("{0} transactions are not supported: send legacy, EIP-2930 or EIP-1559 ones")]
    Kind(&'static str),
    /// The value does not fit.
    #[error("the value is too large")]
    Value,
}

/// Decodes `raw` (EIP-2718 bytes) and recovers its signer.
///
/// # Errors
/// [`SignedError`]: malformed bytes, a bad signature, a blob or EIP-7702
/// transaction.
pub fn signed_transaction(raw: &[u8]) -> Result<SignedTransaction, SignedError> {
    let envelope =
        TxEnvelope::decode_2718_exact(raw).map_err(|err| SignedError::Decode(err.to_string()))?;
    match &envelope {
        TxEnvelope::Eip4844(_) => return Err(SignedError::Kind("blob (EIP-4844)")),
        TxEnvelope::Eip7702(_) => return Err(SignedError::Kind("EIP-7702")),
        _ => {}
    }
    let from = envelope
        .recover_signer()
        .map_err(|err| SignedError::Signature(err.to_string()))?;
    let to = match envelope.kind() {
        TxKind::Call(to) => Some(to.0.0),
        TxKind::Create => None,
    };
    Ok(SignedTransaction {
        hash: envelope.tx_hash().0,
        from: from.0.0,
        to,
        input: envelope.input().to_vec(),
        value_wei: u128::try_from(envelope.value()).map_err(|_| SignedError::Value)?,
        nonce: envelope.nonce(),
        chain_id: envelope.chain_id(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An EIP-1559 transaction signed by ethers 6.17 with key 0x42…42:
    /// chain 1074, nonce 3, 5·10^12 wei and calldata `deadbeef` to 0x11…11.
    const RAW: &str = "02f86f820432030101830186a094111111111111111111111111111111111111111186048c2739500084deadbeefc001a05affa38980b0e7eb40f79cf6915a5593aecf96498122d88dc890e22baabdf681a0204ac0c99b02e8500184cc63b7398d321d3777a6405218ce99177d95a9b799b9";

    #[test]
    fn a_transaction_signed_elsewhere_decodes_with_its_signer_and_hash() {
        let tx = signed_transaction(&hex::decode(RAW).expect("hex")).expect("decodes");
        assert_eq!(
            const_hex::encode(tx.from),
            "17c5185167401ed00cf5f5b2fc97d9bbfdb7d025"
        );
        assert_eq!(
            const_hex::encode(tx.hash),
            "4f59e60eb02d8dfbd3e16f4c12e6c9315e396bd27b602a6da9387deaac5a0e32"
        );
        assert_eq!(tx.to, Some([0x11; 20]));
        assert_eq!(tx.input, [0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(tx.value_wei, 5_000_000_000_000);
        assert_eq!((tx.nonce, tx.chain_id), (3, Some(1074)));
    }

    #[test]
    fn malformed_or_tampered_bytes_are_refused() {
        assert!(matches!(
            signed_transaction(&[1, 2, 3]),
            Err(SignedError::Decode(_))
        ));
        let mut raw = hex::decode(RAW).expect("hex");
        let last = raw.len() - 1;
        raw[last] ^= 1;
        // Another signature recovers another signer, or none: never 0x17c5…
        match signed_transaction(&raw) {
            Ok(tx) => assert_ne!(
                const_hex::encode(tx.from),
                "17c5185167401ed00cf5f5b2fc97d9bbfdb7d025"
            ),
            Err(err) => assert!(matches!(err, SignedError::Signature(_)), "{err}"),
        }
    }
}
