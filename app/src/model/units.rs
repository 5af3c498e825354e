//! The base token and its units. Balances on the chain are counted in
//! base tokens, the smallest unit of the chain's token (IOTA, 6
//! decimals: 1 000 000 base tokens = 1 IOTA). The EVM counts in wei with
//! 18 decimals, so 1 base token = 10^12 wei and 1 IOTA is worth 1 "ether".

use std::fmt;

/// The chain's token, as its ERC-20 names it.
pub const TOKEN: &str = "IOTA";
/// Base tokens per whole token.
pub const BASE_PER_TOKEN: u64 = 1_000_000;
/// Wei per base token.
pub const WEI_PER_BASE: u128 = 1_000_000_000_000;

/// A unit a value can be typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// The chain's own unit.
    Base,
    /// 10^-18 ether.
    Wei,
    /// 10^-9 ether.
    Gwei,
    /// 10^18 wei: one whole token.
    Ether,
}

impl Unit {
    /// Every unit, the chain's first.
    pub const ALL: [Unit; 4] = [Unit::Base, Unit::Wei, Unit::Gwei, Unit::Ether];

    /// Its name, as typed in a select.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Base => "base tokens",
            Unit::Wei => "wei",
            Unit::Gwei => "gwei",
            Unit::Ether => "ether",
        }
    }

    /// The unit named `name`.
    pub fn from_name(name: &str) -> Option<Unit> {
        Self::ALL.into_iter().find(|unit| unit.name() == name)
    }

    /// Decimal places from wei.
    fn wei_decimals(self) -> u32 {
        match self {
            Unit::Base => 12,
            Unit::Wei => 0,
            Unit::Gwei => 9,
            Unit::Ether => 18,
        }
    }
}

/// Why a typed amount is not a number of base tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a decimal number.
    #[error("\"{0}\" is not a number")]
    NotANumber(String),
    /// More decimals than the unit has.
    #[error("\"{text}\" has more decimals than {unit} allow")]
    TooPrecise {
        /// As typed.
        text: String,
        /// The unit's name.
        unit: &'static str,
    },
    /// Not a whole number of base tokens (10^12 wei each).
    #[error("{text} {unit} is not a whole number of base tokens (1 base token = 10^12 wei)")]
    Fraction {
        /// As typed.
        text: String,
        /// The unit's name.
        unit: &'static str,
    },
    /// Past what an account can hold.
    #[error("\"{0}\" is more than an account can hold")]
    TooLarge(String),
}

/// `text` (digits, an optional decimal point; `_` and spaces ignored) in
/// `unit`, as base tokens. Empty is 0.
///
/// # Errors
/// [`AmountError`] naming what is wrong.
pub fn to_base(text: &str, unit: Unit) -> Result<u64, AmountError> {
    let typed = text.trim();
    let clean: String = typed.chars().filter(|c| *c != '_' && *c != ' ').collect();
    if clean.is_empty() {
        return Ok(0);
    }
    let (whole, fraction) = clean.split_once('.').unwrap_or((&clean, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || (whole.is_empty() && fraction.is_empty()) {
        return Err(AmountError::NotANumber(typed.to_owned()));
    }
    let decimals = unit.wei_decimals();
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > decimals as usize {
        return Err(AmountError::TooPrecise {
            text: typed.to_owned(),
            unit: unit.name(),
        });
    }
    let too_large = || AmountError::TooLarge(typed.to_owned());
    let parse = |part: &str| -> Result<u128, AmountError> {
        if part.is_empty() {
            Ok(0)
        } else {
            part.parse::<u128>().map_err(|_| too_large())
        }
    };
    let scale = 10u128.pow(decimals);
    let fraction_scale = 10u128.pow(decimals - fraction.len() as u32);
    let wei = parse(whole)?
        .checked_mul(scale)
        .and_then(|w| w.checked_add(parse(fraction).ok()? * fraction_scale))
        .ok_or_else(too_large)?;
    if wei % WEI_PER_BASE != 0 {
        return Err(AmountError::Fraction {
            text: typed.to_owned(),
            unit: unit.name(),
        });
    }
    u64::try_from(wei / WEI_PER_BASE).map_err(|_| too_large())
}

/// `base` base tokens as whole tokens, e.g. `10.5 IOTA`.
pub fn tokens(base: u64) -> Tokens {
    Tokens(base)
}

/// A base-token amount shown in whole tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tokens(pub u64);

impl fmt::Display for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / BASE_PER_TOKEN;
        let fraction = self.0 % BASE_PER_TOKEN;
        if fraction == 0 {
            write!(f, "{whole} {TOKEN}")
        } else {
            let fraction = format!("{fraction:06}");
            write!(f, "{whole}.{} {TOKEN}", fraction.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_every_unit_become_base_tokens() {
        assert_eq!(to_base("", Unit::Ether), Ok(0));
        assert_eq!(to_base("1_000", Unit::Base), Ok(1000));
        assert_eq!(to_base("1", Unit::Ether), Ok(1_000_000));
        assert_eq!(to_base("0.000001", Unit::Ether), Ok(1));
        assert_eq!(to_base("1.5", Unit::Ether), Ok(1_500_000));
        assert_eq!(to_base("1000", Unit::Gwei), Ok(1));
        assert_eq!(to_base("1000000000000", Unit::Wei), Ok(1));
        assert_eq!(to_base("2.000", Unit::Base), Ok(2));
    }

    #[test]
    fn amounts_that_are_not_base_tokens_say_why() {
        assert!(matches!(
            to_base("1", Unit::Wei),
            Err(AmountError::Fraction { .. })
        ));
        assert!(matches!(
            to_base("1.5", Unit::Base),
            Err(AmountError::Fraction { .. })
        ));
        assert!(matches!(
            to_base("0.0000001", Unit::Ether),
            Err(AmountError::Fraction { .. })
        ));
        assert!(matches!(
            to_base("0.0000000000000000001", Unit::Ether),
            Err(AmountError::TooPrecise { .. })
        ));
        assert!(matches!(
            to_base("abc", Unit::Ether),
            Err(AmountError::NotANumber(_))
        ));
        assert!(matches!(
            to_base(".", Unit::Ether),
            Err(AmountError::NotANumber(_))
        ));
        assert!(matches!(
            to_base("-1", Unit::Ether),
            Err(AmountError::NotANumber(_))
        ));
        assert!(matches!(
            to_base("99999999999999999999999999", Unit::Ether),
            Err(AmountError::TooLarge(_))
        ));
        assert!(matches!(
            to_base(&u64::MAX.to_string(), Unit::Ether),
            Err(AmountError::TooLarge(_))
        ));
        assert_eq!(
            to_base("1", Unit::Wei).expect_err("fraction").to_string(),
            "1 wei is not a whole number of base tokens (1 base token = 10^12 wei)"
        );
    }

    #[test]
    fn base_tokens_show_as_whole_tokens() {
        assert_eq!(tokens(10_000_000).to_string(), "10 IOTA");
        assert_eq!(tokens(1_500_000).to_string(), "1.5 IOTA");
        assert_eq!(tokens(1).to_string(), "0.000001 IOTA");
    }
}
