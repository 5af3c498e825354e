//! The utility functions WasmLib asks the host for: bech32 addresses and
//! Ed25519 signatures.

use crate::ids::Hash;
use crate::vm::VmError;
use bech32::{Bech32, Hrp};

/// The human-readable part of the playground's bech32 addresses (IOTA's
/// test-network prefix, as Solo uses).
pub const BECH32_HRP: &str = "tst";

/// Address type byte of an Ed25519 address.
const ADDRESS_ED25519: u8 = 0;

/// Decodes a bech32 address into WasmLib's address bytes (type byte first).
///
/// # Errors
/// [`VmError::Param`] if the text is not a bech32 address with prefix `tst`.
pub fn bech32_decode(text: &str) -> Result<Vec<u8>, VmError> {
    let (hrp, data) = bech32::decode(text).map_err(|err| VmError::param("bech32", err))?;
    if hrp.as_str() != BECH32_HRP {
        return Err(VmError::param(
            "bech32",
            format!("prefix `{hrp}` is not this network's `{BECH32_HRP}`"),
        ));
    }
    Ok(data)
}

/// Encodes WasmLib's address bytes as bech32 with prefix `tst`.
///
/// # Errors
/// [`VmError::Param`] on an empty address.
pub fn bech32_encode(address: &[u8]) -> Result<String, VmError> {
    if address.is_empty() {
        return Err(VmError::param("address", "empty"));
    }
    let hrp = Hrp::parse(BECH32_HRP).map_err(|err| VmError::param("bech32", err))?;
    bech32::encode::<Bech32>(hrp, address).map_err(|err| VmError::param("address", err))
}

/// The Ed25519 address of a 32-byte public key: type byte 0, then
/// blake2b-256 of the key.
///
/// # Errors
/// [`VmError::Param`] unless the key is 32 bytes.
pub fn ed25519_address(public_key: &[u8]) -> Result<Vec<u8>, VmError> {
    if public_key.len() != 32 {
        return Err(VmError::param(
            "pubKey",
            "an Ed25519 public key is 32 bytes",
        ));
    }
    let mut address = vec![ADDRESS_ED25519];
    address.extend_from_slice(Hash::blake2b(public_key).as_bytes());
    Ok(address)
}

/// Whether `signature` is a valid Ed25519 signature of `data` by `public_key`
/// (malformed keys and signatures are simply not valid).
pub fn ed25519_valid(data: &[u8], public_key: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = <[u8; 32]>::try_from(public_key) else {
        return false;
    };
    let Ok(signature) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key) else {
        return false;
    };
    key.verify_strict(data, &ed25519_dalek::Signature::from_bytes(&signature))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bech32_round_trips_and_checks_the_prefix() {
        let address = ed25519_address(&[7; 32]).expect("32-byte key");
        let text = bech32_encode(&address).expect("encodes");
        assert!(text.starts_with("tst1"), "{text}");
        assert_eq!(bech32_decode(&text), Ok(address));
        assert!(bech32_decode("smr1qqqqqqqqqq").is_err());
        assert!(bech32_decode("not bech32").is_err());
    }

    #[test]
    fn ed25519_accepts_only_the_right_signature() {
        use ed25519_dalek::{Signer, SigningKey};
        let key = SigningKey::from_bytes(&[42; 32]);
        let public = key.verifying_key().to_bytes();
        let signature = key.sign(b"hello").to_bytes();
        assert!(ed25519_valid(b"hello", &public, &signature));
        assert!(!ed25519_valid(b"hellO", &public, &signature));
        assert!(!ed25519_valid(b"hello", &public[..31], &signature));
    }
}
