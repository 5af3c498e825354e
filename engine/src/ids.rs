//! Identities as ISC encodes them: chain ids, agent ids, request ids, hashes.
//!
//! The byte forms are those of the `wasmlib` crate's `wasmtypes` (0.1.0), so a
//! WasmLib contract decodes what the host hands it:
//! - chain id: 32 bytes;
//! - agent id: a kind byte, then — user (`1`): a 33-byte address (type byte
//!   `0` for Ed25519, then 32 bytes); contract (`2`): 32-byte chain id and
//!   4-byte little-endian hname; Ethereum (`3`): 21 bytes (`0x20`, then the
//!   20-byte address); nil (`0`) alone;
//! - request id: 34 bytes (32-byte transaction id, 2-byte output index);
//! - hash: 32 bytes.

use crate::Hname;
use crate::hname::Blake2b256;
use blake2::Digest;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A fixed-size byte identifier with hex `Display`, `Debug` and serde.
macro_rules! byte_id {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// The length of the byte form.
            pub const LENGTH: usize = $len;

            /// The bytes, as WasmLib encodes them.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// Decodes the byte form.
            ///
            /// # Errors
            /// [`IdError::Length`] if `bytes` is not exactly the right length.
            pub fn from_bytes(bytes: &[u8]) -> Result<Self, IdError> {
                bytes.try_into().map(Self).map_err(|_| IdError::Length {
                    kind: stringify!($name),
                    expected: $len,
                    found: bytes.len(),
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "0x{}", const_hex::encode(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                let bytes = parse_hex(text)?;
                Self::from_bytes(&bytes)
            }
        }

        impl Serialize for $name {
            /// Its `Display` form, written at once (not through `fmt`).
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&const_hex::encode_prefixed(self.0))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

byte_id!(
    /// A chain's id: 32 bytes (the alias address without its type byte).
    ChainId,
    32
);
byte_id!(
    /// A 32-byte hash (blake2b-256 unless said otherwise).
    Hash,
    32
);
byte_id!(
    /// A request's id: a 32-byte transaction id and a 2-byte output index.
    RequestId,
    34
);

impl Hash {
    /// blake2b-256 of `data`.
    pub fn blake2b(data: &[u8]) -> Self {
        Self(Blake2b256::digest(data).into())
    }
}

/// Why an id could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The byte form has the wrong length.
    #[error("invalid {kind}: expected {expected} bytes, found {found}")]
    Length {
        /// The kind of id.
        kind: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it had.
        found: usize,
    },
    /// The agent id's kind byte is unknown.
    #[error("invalid agent id: unknown kind {0}")]
    AgentKind(u8),
    /// Not hexadecimal.
    #[error("invalid hex `{0}`")]
    Hex(String),
}

fn parse_hex(text: &str) -> Result<Vec<u8>, IdError> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    hex::decode(digits).map_err(|_| IdError::Hex(text.to_owned()))
}

/// Who holds an account or sends a request: a user, a contract or an
/// Ethereum address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgentId {
    /// No agent.
    Nil,
    /// A user: a 32-byte Ed25519 address.
    User([u8; 32]),
    /// A contract on a chain.
    Contract {
        /// The chain.
        chain: ChainId,
        /// The contract's hname.
        hname: Hname,
    },
    /// A 20-byte Ethereum address.
    Ethereum([u8; 20]),
}

const KIND_NIL: u8 = 0;
const KIND_ADDRESS: u8 = 1;
const KIND_CONTRACT: u8 = 2;
const KIND_ETHEREUM: u8 = 3;
const ADDRESS_ED25519: u8 = 0;
const ADDRESS_ETH: u8 = 32;

impl AgentId {
    /// A deterministic user address derived from a name (the playground's
    /// users have no keys: `AgentId::user("alice")`).
    pub fn user(name: &str) -> Self {
        Self::User(Hash::blake2b(format!("user:{name}").as_bytes()).0)
    }

    /// The byte form, as WasmLib's `agent_id_to_bytes` writes it.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Self::Nil => vec![KIND_NIL],
            Self::User(address) => {
                let mut out = vec![KIND_ADDRESS, ADDRESS_ED25519];
                out.extend_from_slice(address);
                out
            }
            Self::Contract { chain, hname } => {
                let mut out = vec![KIND_CONTRACT];
                out.extend_from_slice(&chain.0);
                out.extend_from_slice(&hname.to_bytes());
                out
            }
            Self::Ethereum(address) => {
                let mut out = vec![KIND_ETHEREUM, ADDRESS_ETH];
                out.extend_from_slice(address);
                out
            }
        }
    }

    /// Decodes the byte form, as WasmLib's `agent_id_from_bytes` reads it
    /// (an empty slice is the nil agent).
    ///
    /// # Errors
    /// [`IdError`] on a wrong length or an unknown kind.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, IdError> {
        let Some((&kind, rest)) = bytes.split_first() else {
            return Ok(Self::Nil);
        };
        let length = |expected: usize| IdError::Length {
            kind: "AgentId",
            expected: expected + 1,
            found: bytes.len(),
        };
        match kind {
            KIND_NIL if rest.is_empty() => Ok(Self::Nil),
            KIND_NIL => Err(length(0)),
            KIND_ADDRESS => match rest {
                [ADDRESS_ED25519, address @ ..] => {
                    address.try_into().map(Self::User).map_err(|_| length(33))
                }
                _ => Err(length(33)),
            },
            KIND_CONTRACT => {
                if rest.len() != 36 {
                    return Err(length(36));
                }
                let (chain, hname) = rest.split_at(32);
                let hname: [u8; 4] = hname.try_into().map_err(|_| length(36))?;
                Ok(Self::Contract {
                    chain: ChainId::from_bytes(chain)?,
                    hname: Hname::from_u32(u32::from_le_bytes(hname)),
                })
            }
            KIND_ETHEREUM => match rest {
                [ADDRESS_ETH, address @ ..] => address
                    .try_into()
                    .map(Self::Ethereum)
                    .map_err(|_| length(21)),
                _ => Err(length(21)),
            },
            other => Err(IdError::AgentKind(other)),
        }
    }

    /// The contract's hname if this is a contract agent on `chain`.
    pub fn contract_on(&self, chain: ChainId) -> Option<Hname> {
        match self {
            Self::Contract { chain: on, hname } if *on == chain => Some(*hname),
            _ => None,
        }
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Nil => f.write_str("-"),
            Self::User(address) => write!(f, "0x{}", const_hex::encode(address)),
            Self::Contract { chain, hname } => write!(f, "{hname}@{chain}"),
            Self::Ethereum(address) => write!(f, "0x{}", const_hex::encode(address)),
        }
    }
}

impl fmt::Debug for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgentId({self})")
    }
}

impl Serialize for AgentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&const_hex::encode_prefixed(self.to_bytes()))
    }
}

impl<'de> Deserialize<'de> for AgentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_hex(&text)
            .and_then(|bytes| Self::from_bytes(&bytes))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_length_ids_serialize_as_they_display() {
        let bytes: Vec<u8> = (0u8..=255).step_by(7).collect();
        let check = |json: String, shown: String| assert_eq!(json, format!("\"{shown}\""));
        let chain = ChainId::from_bytes(&bytes[..32]).expect("32 bytes");
        check(
            serde_json::to_string(&chain).expect("json"),
            chain.to_string(),
        );
        let request = RequestId::from_bytes(&bytes[1..35]).expect("34 bytes");
        check(
            serde_json::to_string(&request).expect("json"),
            request.to_string(),
        );
        let hash = Hash::from_bytes(&bytes[2..34]).expect("32 bytes");
        check(
            serde_json::to_string(&hash).expect("json"),
            hash.to_string(),
        );
        assert_eq!(
            serde_json::from_str::<RequestId>(&serde_json::to_string(&request).expect("json"))
                .expect("parses back"),
            request
        );
    }

    #[test]
    fn agent_ids_round_trip_in_wasmlib_form() {
        let chain = ChainId([7; 32]);
        for agent in [
            AgentId::Nil,
            AgentId::user("alice"),
            AgentId::Contract {
                chain,
                hname: Hname::of("accounts"),
            },
            AgentId::Ethereum([9; 20]),
        ] {
            let bytes = agent.to_bytes();
            assert_eq!(AgentId::from_bytes(&bytes), Ok(agent), "{agent}");
        }
        assert_eq!(AgentId::from_bytes(&[]), Ok(AgentId::Nil));
    }

    #[test]
    fn agent_id_bytes_have_wasmlib_lengths_and_layout() {
        assert_eq!(AgentId::user("bob").to_bytes().len(), 1 + 33);
        let contract = AgentId::Contract {
            chain: ChainId([1; 32]),
            hname: Hname::from_u32(0x3c4b5e02),
        };
        let bytes = contract.to_bytes();
        assert_eq!(bytes.len(), 1 + 32 + 4);
        assert_eq!(bytes[0], 2);
        assert_eq!(&bytes[33..], &[0x02, 0x5e, 0x4b, 0x3c]);
        let eth = AgentId::Ethereum([0xab; 20]).to_bytes();
        assert_eq!((eth.len(), eth[0], eth[1]), (22, 3, 0x20));
    }

    #[test]
    fn malformed_agent_ids_are_errors() {
        assert!(matches!(
            AgentId::from_bytes(&[2, 1, 2]),
            Err(IdError::Length { .. })
        ));
        assert_eq!(AgentId::from_bytes(&[9]), Err(IdError::AgentKind(9)));
        assert!(AgentId::from_bytes(&[1, 8, 0]).is_err());
    }

    #[test]
    fn ids_parse_from_their_display() {
        let id = RequestId([3; 34]);
        assert_eq!(id.to_string().parse::<RequestId>(), Ok(id));
        assert!("0x12".parse::<ChainId>().is_err());
        assert!("zz".parse::<Hash>().is_err());
    }
}
