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

    fn next_u64(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(GOLDEN, Ordering::Relaxed)
            .wrapping_add(GOLDEN);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `len` random base62 characters.
    pub fn base62(&self, len: usize) -> String {
        self.token("", len)
    }

    /// `prefix` followed by `len` base62 characters.
    pub fn token(&self, prefix: &str, len: usize) -> String {
        let mut out = String::with_capacity(prefix.len() + len);
        out.push_str(prefix);
        push_base62(self, &mut out, len);
        out
    }

    /// A v1 id: `prefix` + `1` + 23 base62 characters.
    pub fn v1(&self, prefix: &str) -> String {
        let mut out = String::with_capacity(prefix.len() + 24);
        out.push_str(prefix);
        out.push('1');
        push_base62(self, &mut out, 23);
        out
    }

    /// A v2 id: `prefix` + `61` + 42 base62 characters.
    pub fn v2(&self, prefix: &str) -> String {
        let mut out = String::with_capacity(prefix.len() + 44);
        out.push_str(prefix);
        out.push_str("61");
        push_base62(self, &mut out, 42);
        out
    }
}

fn push_base62(source: &IdGen, out: &mut String, len: usize) {
    let mut remaining = len;
    while remaining > 0 {
        // 10 base62 digits use 59.5 bits of a 64-bit draw.
        let mut bits = source.next_u64();
        for _ in 0..remaining.min(10) {
            out.push(char::from(ALPHABET[(bits % 62) as usize]));
            bits /= 62;
        }
        remaining = remaining.saturating_sub(10);
    }
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
