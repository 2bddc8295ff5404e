//! A count-min sketch of 4-bit counters: how often keys were seen lately.
//!
//! TinyLFU's memory of popularity. Four counters per key, the minimum is the
//! estimate; when the number of increments reaches the sample size, every
//! counter is halved, so the sketch forgets old popularity (aging). A key's
//! four counters all sit in one 64-byte block, so a lookup costs one cache
//! miss rather than four (as in Caffeine's blocked sketch).

const SEEDS: [u64; 4] = [
    0xc3a5_c85c_97cb_3127,
    0xb492_b66f_be98_f273,
    0x9ae1_6a3b_2f90_404f,
    0xcbf2_9ce4_8422_2325,
];
const RESET_MASK: u64 = 0x7777_7777_7777_7777;

#[derive(Debug, Clone)]
pub struct FrequencySketch {
    /// Sixteen 4-bit counters per word.
    table: Vec<u64>,
    /// Increments since the last halving.
    additions: u64,
    /// Increments that trigger a halving.
    sample_size: u64,
}

/// u64 words per block: one cache line.
const BLOCK_WORDS: usize = 8;

impl FrequencySketch {
    /// A sketch sized for about `expected_keys` distinct keys.
    pub fn new(expected_keys: usize) -> Self {
        let words = (expected_keys.max(16).next_power_of_two() / 4).max(BLOCK_WORDS);
        Self {
            table: vec![0; words],
            additions: 0,
            sample_size: 10 * expected_keys.max(16) as u64,
        }
    }

    /// Counters this sketch was sized for.
    pub fn expected_keys(&self) -> usize {
        self.table.len() * 4
    }

    /// The word and bit offset of `hash`'s counter in `row`: the block comes
    /// from the hash, the word and nibble within it from the row's rehash.
    #[inline]
    fn slot(&self, hash: u64, row: usize) -> (usize, u32) {
        // Mixed first: the store picks shards by hash bits, so raw bits would
        // leave most blocks of a shard's sketch unused.
        let spread = hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 29;
        let block = (spread as usize).wrapping_mul(BLOCK_WORDS) & (self.table.len() - 1);
        let mut h = hash.wrapping_add(SEEDS[row]).wrapping_mul(SEEDS[(row + 1) & 3]);
        h ^= h >> 29;
        let word = block + (h as usize & (BLOCK_WORDS - 1));
        (word, (((h >> 3) & 15) * 4) as u32)
    }

    /// The estimated frequency of `hash` (0..=15).
    pub fn frequency(&self, hash: u64) -> u8 {
        (0..4)
            .map(|row| {
                let (word, shift) = self.slot(hash, row);
                ((self.table[word] >> shift) & 15) as u8
            })
            .min()
            .unwrap_or(0)
    }

    /// Records one occurrence of `hash`.
    pub fn increment(&mut self, hash: u64) {
        let mut added = false;
        for row in 0..4 {
            let (word, shift) = self.slot(hash, row);
            if (self.table[word] >> shift) & 15 < 15 {
                self.table[word] += 1 << shift;
                added = true;
            }
        }
        if added {
            self.additions += 1;
            if self.additions >= self.sample_size {
                self.halve();
            }
        }
    }

    fn halve(&mut self) {
        for w in &mut self.table {
            *w = (*w >> 1) & RESET_MASK;
        }
        self.additions /= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_saturate_at_fifteen_and_age() {
        let mut s = FrequencySketch::new(1024);
        for _ in 0..20 {
            s.increment(42);
        }
        assert_eq!(s.frequency(42), 15);
        assert!(s.frequency(43) <= 1, "collisions are rare in a roomy sketch");
        s.halve();
        assert_eq!(s.frequency(42), 7);
    }

    #[test]
    fn frequent_keys_outrank_rare_ones() {
        let mut s = FrequencySketch::new(4096);
        for i in 0..4000u64 {
            s.increment(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            if i % 4 == 0 {
                for _ in 0..3 {
                    s.increment(7);
                }
            }
        }
        assert!(s.frequency(7) > s.frequency(12345u64.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
    }
}
