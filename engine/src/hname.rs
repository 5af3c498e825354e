//! ISC's hashed names.

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use std::fmt;

/// Blake2b with a 256-bit output, as ISC uses it.
pub(crate) type Blake2b256 = Blake2b<U32>;

/// An ISC "hashed name": the first 4 bytes of blake2b-256 of a name, read as a
/// little-endian `u32`. Contracts and their entry points are addressed by it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hname(u32);

impl Hname {
    /// The hname of `name`.
    pub fn of(name: &str) -> Self {
        let digest = Blake2b256::digest(name.as_bytes());
        Self(u32::from_le_bytes([
            digest[0], digest[1], digest[2], digest[3],
        ]))
    }

    /// Wraps a raw hname value.
    pub const fn from_u32(value: u32) -> Self {
        Self(value)
    }

    /// The raw value.
    pub const fn as_u32(self) -> u32 {
        self.0
    }

    /// The WasmLib encoding: 4 bytes, little-endian.
    pub const fn to_bytes(self) -> [u8; 4] {
        self.0.to_le_bytes()
    }
}

impl fmt::Display for Hname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

impl fmt::Debug for Hname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hname({:#010x})", self.0)
    }
}

/// Serialized as its eight hex digits.
impl serde::Serialize for Hname {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Hname {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let digits = text.strip_prefix("0x").unwrap_or(&text);
        if digits.len() != 8 {
            return Err(serde::de::Error::custom(format!(
                "hname `{text}` must be 8 hex digits"
            )));
        }
        u32::from_str_radix(digits, 16)
            .map(Self)
            .map_err(|_| serde::de::Error::custom(format!("hname `{text}` is not hex")))
    }
}

#[cfg(test)]
mod tests {
    use super::Hname;

    /// The core contracts' hnames as ISC publishes them.
    #[test]
    fn core_contract_hnames_match_isc() {
        for (name, expected) in [
            ("root", 0xcebf5908),
            ("accounts", 0x3c4b5e02),
            ("blob", 0xfd91bc63),
            ("blocklog", 0xf538ef2b),
            ("governance", 0x17cf909f),
            ("errors", 0x8f3a8bb3),
            ("evm", 0x07cb02c1),
        ] {
            assert_eq!(Hname::of(name).as_u32(), expected, "hname of `{name}`");
        }
    }

    #[test]
    fn display_is_eight_hex_digits_and_bytes_are_little_endian() {
        let h = Hname::from_u32(0x07cb02c1);
        assert_eq!(h.to_string(), "07cb02c1");
        assert_eq!(h.to_bytes(), [0xc1, 0x02, 0xcb, 0x07]);
    }
}
