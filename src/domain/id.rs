//! Stripe-shaped id generation.
//!
//! v1 ids are `prefix` + `1` + 23 base62 characters (24 after the prefix's `_`), v2 ids are
//! `prefix` + `61` + 42 base62 characters, as in Stripe's documented examples. The generator is a
//! lock-free splitmix64 sequence: seeded from the OS in normal runs, from a fixed seed in
//! deterministic mode so that the same requests produce the same ids.

use std::sync::atomic::{AtomicU64, Ordering};

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Generates ids from a seeded sequence.
#[derive(Debug)]
pub struct IdGen {
    state: AtomicU64,
}

impl IdGen {
    /// A generator seeded from the operating system's randomness.
    pub fn random() -> Self {
        let seed = uuid::Uuid::new_v4().as_u64_pair().0;
        Self::seeded(seed)
    }

    /// A generator that produces the same sequence for the same seed.
    pub fn seeded(seed: u64) -> Self {
        IdGen {
            state: AtomicU64::new(seed),
        }
    }

    /// Restarts the sequence at `seed`.
    pub fn reseed(&self, seed: u64) {
        self.state.store(seed, Ordering::Relaxed);
    }

    /// The next `n` draws of the sequence, taken with one atomic step (the same values as `n`
    /// steps of one draw each).
    fn reserve(&self, n: u64) -> impl Iterator<Item = u64> {
        let start = self
            .state
            .fetch_add(GOLDEN.wrapping_mul(n), Ordering::Relaxed);
        (1..=n).map(move |i| mix(start.wrapping_add(GOLDEN.wrapping_mul(i))))
    }

    /// `len` random base62 characters.
    pub fn base62(&self, len: usize) -> String {
        self.token("", len)
    }

    /// `prefix` followed by `len` base62 characters.
    pub fn token(&self, prefix: &str, len: usize) -> String {
        self.id(prefix, "", len)
    }

    /// A v1 id: `prefix` + `1` + 23 base62 characters.
    pub fn v1(&self, prefix: &str) -> String {
        self.id(prefix, "1", 23)
    }

    /// A v2 id: `prefix` + `61` + 42 base62 characters.
    pub fn v2(&self, prefix: &str) -> String {
        self.id(prefix, "61", 42)
    }

    fn id(&self, prefix: &str, marker: &str, len: usize) -> String {
        let mut out = Vec::with_capacity(prefix.len() + marker.len() + len);
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(marker.as_bytes());
        let mut left = len;
        for bits in self.reserve(len.div_ceil(10) as u64) {
            let digits = ten_digits(bits);
            if left >= 10 {
                out.extend_from_slice(&digits);
                left -= 10;
            } else {
                // The first `left` of the ten: as 62 divides 62², an odd count's last digit is
                // the draw's remainder by 62, the digit it always was.
                out.extend_from_slice(&digits[..left]);
            }
        }
        // Prefix, marker and digits are all ASCII, so this never falls back.
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The ten base62 digits of one draw (59.5 of its 64 bits), taken from the low end. Each
/// digit indexes the 62-byte alphabet, which stays in the first-level cache between requests
/// where a table of digit pairs (7.7 KB) was mostly evicted by the time the next id was drawn.
fn ten_digits(mut bits: u64) -> [u8; 10] {
    let mut digits = [0; 10];
    for digit in &mut digits {
        *digit = ALPHABET[(bits % 62) as usize];
        bits /= 62;
    }
    digits
}

/// splitmix64's output function (finalizer): every input bit reaches every output bit.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_ids_have_the_documented_shape() {
        let id = IdGen::random().v1("in_");
        assert!(id.starts_with("in_1"));
        assert_eq!(id.len(), 3 + 24);
        assert!(id[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn a_seed_gives_the_same_ids_as_before_draws_were_batched() {
        // Deterministic mode promises the same ids for the same requests across versions.
        let g = IdGen::seeded(42);
        assert_eq!(
            g.v2("bilint_"),
            "bilint_61PMuFU3l3WIxuaJmYYEuVsUg2MPOyd7iywVhMSO1Zo0"
        );
        assert_eq!(g.v1("in_"), "in_1KlqWkBXM75xnZP8a4FcncFX");
        assert_eq!(g.token("req_", 14), "req_TYpu30dVDTMeE0");
        assert_eq!(g.base62(3), "DDV");
    }

    #[test]
    fn v2_ids_have_the_documented_shape() {
        let id = IdGen::random().v2("bilint_");
        assert!(id.starts_with("bilint_61"));
        assert_eq!(id.len(), 7 + 44);
    }

    #[test]
    fn seeded_generators_repeat() {
        let a = IdGen::seeded(7);
        let b = IdGen::seeded(7);
        assert_eq!(a.v1("cus_"), b.v1("cus_"));
        assert_ne!(a.v1("cus_"), IdGen::seeded(8).v1("cus_"));
    }

    #[test]
    fn ids_do_not_repeat_in_a_sequence() {
        let g = IdGen::seeded(1);
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| g.v1("x_")).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
