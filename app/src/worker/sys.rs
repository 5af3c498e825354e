//! The one place the app touches platform glue.

/// The randomness backend for wasm32: always fails.
///
/// Nothing in the engine may use randomness (a session must replay to the same
/// state hash everywhere); revm's dependency tree merely links `getrandom`.
/// If anything ever calls it, the caller gets an error instead of entropy.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)] // The macro defines the `#[no_mangle]` hook getrandom links against.
mod no_randomness {
    use std::num::NonZeroU32;

    fn refuse(_dest: &mut [u8]) -> Result<(), getrandom::Error> {
        // The first code getrandom reserves for custom backends.
        Err(NonZeroU32::new(getrandom::Error::CUSTOM_START)
            .map_or(getrandom::Error::UNSUPPORTED, getrandom::Error::from))
    }

    getrandom::register_custom_getrandom!(refuse);
}
