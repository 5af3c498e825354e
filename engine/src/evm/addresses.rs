//! The magic contract's addresses: a leaf the EVM database and the magic
//! contract both read (the database shows them code; the inspector answers
//! calls to them).

use revm::primitives::{Address, address};

/// The ISC sandbox's magic address.
pub(crate) const MAGIC_ADDRESS: Address = address!("1074000000000000000000000000000000000000");

/// The ERC-20 view of the chain's base token.
pub(crate) const BASE_TOKEN_ADDRESS: Address = address!("1074010000000000000000000000000000000000");

/// Whether `address` is one of the magic addresses answered here.
pub(crate) fn is_magic(address: &Address) -> bool {
    *address == MAGIC_ADDRESS || *address == BASE_TOKEN_ADDRESS
}

/// [`MAGIC_ADDRESS`] as text.
pub const MAGIC_ADDRESS_HEX: &str = "0x1074000000000000000000000000000000000000";

/// The code the magic address appears to have, so that Solidity's
/// `extcodesize` check passes: `INVALID` (it never runs).
pub(crate) const MAGIC_CODE: [u8; 1] = [0xfe];
