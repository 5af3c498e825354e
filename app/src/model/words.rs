//! Words for people: counts with the right plural.

/// `n` and `noun`, plural unless `n` is 1: `count(1, "block")` is
/// "1 block", `count(3, "block")` "3 blocks".
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1u32, "block"), "1 block");
        assert_eq!(count(0u32, "block"), "0 blocks");
        assert_eq!(count(3u64, "step"), "3 steps");
    }
}
