//! A bit-exact copy of CPython's `random.Random` generator (MT19937), so that seeded
//! OSTEP homework runs can be reproduced: same seeding, same `random()`,
//! `getrandbits()`, `randrange()` and `randint()`.
//!
//! Facts reproduced (CPython `Modules/_randommodule.c`, `Lib/random.py`, 3.11):
//! - `seed(n)` for an int uses `abs(n)` split into 32-bit words, least significant
//!   first (at least one word, `[0]` for zero), fed to `init_by_array`;
//! - `random()` combines two outputs: `((a >> 5) * 2**26 + (b >> 6)) / 2**53`;
//! - `getrandbits(k)` for k <= 32 is one output shifted right by `32 - k`;
//! - `randrange(n)` is `_randbelow(n)`: draw `getrandbits(n.bit_length())` until < n.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// CPython-compatible Mersenne Twister.
#[derive(Clone)]
pub struct PyRandom {
    mt: Box<[u32; N]>,
    index: usize,
}

impl std::fmt::Debug for PyRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyRandom")
            .field("index", &self.index)
            .finish()
    }
}

impl PyRandom {
    /// Same state as Python's `random.seed(seed)` for an integer seed.
    pub fn new(seed: i64) -> Self {
        let n = seed.unsigned_abs();
        let lo = n as u32;
        let hi = (n >> 32) as u32;
        let key: Vec<u32> = if hi == 0 { vec![lo] } else { vec![lo, hi] };
        let mut r = PyRandom {
            mt: Box::new([0; N]),
            index: N,
        };
        r.init_by_array(&key);
        r
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..N {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
        }
        self.mt[0] = 0x8000_0000;
    }

    fn twist(&mut self) {
        for k in 0..N {
            let y = (self.mt[k] & UPPER_MASK) | (self.mt[(k + 1) % N] & LOWER_MASK);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// One raw 32-bit output (`genrand_uint32`).
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random.random()`: a float in [0, 1) with 53 random bits.
    pub fn random(&mut self) -> f64 {
        let a = u64::from(self.next_u32() >> 5);
        let b = u64::from(self.next_u32() >> 6);
        (a * 67_108_864 + b) as f64 / 9_007_199_254_740_992.0
    }

    /// `random.getrandbits(k)` for k <= 64 (words are combined least significant first).
    pub fn getrandbits(&mut self, k: u32) -> u64 {
        match k {
            0 => 0,
            1..=32 => u64::from(self.next_u32() >> (32 - k)),
            _ => {
                let k = k.min(64);
                let lo = u64::from(self.next_u32());
                let hi = u64::from(self.next_u32() >> (64 - k));
                lo | (hi << 32)
            }
        }
    }

    /// `random.randrange(n)` (`_randbelow`); returns 0 for n == 0.
    pub fn randbelow(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let k = 64 - n.leading_zeros();
        loop {
            let r = self.getrandbits(k);
            if r < n {
                return r;
            }
        }
    }

    /// `random.randint(a, b)`, both ends included; `a` if the range is empty.
    pub fn randint(&mut self, a: i64, b: i64) -> i64 {
        if b < a {
            return a;
        }
        let width = (b as i128 - a as i128 + 1) as u64;
        (a as i128 + self.randbelow(width) as i128) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by CPython 3.11: `random.seed(s); random.random()` etc.
    #[test]
    fn matches_cpython_random() {
        let mut r = PyRandom::new(0);
        assert_eq!(r.random(), 0.8444218515250481);
        assert_eq!(r.random(), 0.7579544029403025);
        let mut r = PyRandom::new(42);
        assert_eq!(r.random(), 0.6394267984578837);
        let mut r = PyRandom::new(-5);
        assert_eq!(r.random(), PyRandom::new(5).random());
    }

    #[test]
    fn matches_cpython_randint_and_bits() {
        let mut r = PyRandom::new(1);
        let v: Vec<i64> = (0..5).map(|_| r.randint(1, 100)).collect();
        assert_eq!(v, vec![18, 73, 98, 9, 33]);
        let mut r = PyRandom::new(7);
        assert_eq!(r.getrandbits(32), 1_390_851_128);
        let mut r = PyRandom::new(1 << 40);
        assert_eq!(r.random(), 0.1036394562812375);
    }
}
