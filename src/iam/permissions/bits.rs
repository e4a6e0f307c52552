//! Bit rows for the glob dynamic programs: one bit per position of the second pattern, so each row of
//! a table costs |q|/64 word operations instead of |q| cell updates.

use std::collections::HashMap;

use super::glob::Sym;

/// A row of boolean cells, cell `j` in bit `j % 64` of word `j / 64`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// `len` cells, all false.
    pub(super) fn new(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// `len` cells, only cell `at` true (none when `at` is out of range).
    pub(super) fn single(len: usize, at: usize) -> Bits {
        let mut bits = Bits::new(len);
        bits.set(at);
        bits
    }

    pub(super) fn set(&mut self, at: usize) {
        if at < self.len
            && let Some(word) = self.words.get_mut(at / 64)
        {
            *word |= 1 << (at % 64);
        }
    }

    pub(super) fn get(&self, at: usize) -> bool {
        at < self.len
            && self
                .words
                .get(at / 64)
                .is_some_and(|word| word & (1 << (at % 64)) != 0)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Cell `j` true where both rows are (rows of different lengths: the shorter one decides).
    pub(super) fn and(&self, other: &Bits) -> Bits {
        Bits {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a & b)
                .collect(),
            len: self.len.min(other.len),
        }
    }

    /// Sets every cell that is true in `other`.
    pub(super) fn or_assign(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Each true cell `j` moved to `j + 1`; the last cell falls off.
    pub(super) fn shifted_up(&self) -> Bits {
        let mut carry = 0u64;
        let mut words: Vec<u64> = self
            .words
            .iter()
            .map(|&w| {
                let shifted = (w << 1) | carry;
                carry = w >> 63;
                shifted
            })
            .collect();
        trim(&mut words, self.len);
        Bits {
            words,
            len: self.len,
        }
    }

    /// Every cell from the first true one to the end (nothing when none is true).
    pub(super) fn filled_from_first(&self) -> Bits {
        let mut out = Bits::new(self.len);
        let first = self
            .words
            .iter()
            .position(|&w| w != 0)
            .and_then(|at| Some(at * 64 + self.words.get(at)?.trailing_zeros() as usize));
        if let Some(first) = first {
            for (index, word) in out.words.iter_mut().enumerate() {
                let start = index * 64;
                *word = if start + 64 <= first {
                    0
                } else if start >= first {
                    u64::MAX
                } else {
                    u64::MAX << (first - start)
                };
            }
            trim(&mut out.words, self.len);
        }
        out
    }
}

/// Clears the bits of the last word past `len`.
fn trim(words: &mut [u64], len: usize) {
    let used = len % 64;
    if used != 0
        && let Some(last) = words.last_mut()
    {
        *last &= (1u64 << used) - 1;
    }
}

/// Where each kind of symbol stands in a pattern `q`, as rows of |q| + 1 cells (cell `j` is about
/// `q[j]`; the last cell, past the end, is never set).
pub(super) struct Masks {
    pub(super) star: Bits,
    pub(super) not_star: Bits,
    pub(super) one: Bits,
    literals: HashMap<char, Bits>,
    empty: Bits,
}

impl Masks {
    pub(super) fn of(q: &[Sym]) -> Masks {
        let width = q.len() + 1;
        let mut masks = Masks {
            star: Bits::new(width),
            not_star: Bits::new(width),
            one: Bits::new(width),
            literals: HashMap::new(),
            empty: Bits::new(width),
        };
        for (j, sym) in q.iter().enumerate() {
            match sym {
                Sym::Star => masks.star.set(j),
                Sym::One => {
                    masks.one.set(j);
                    masks.not_star.set(j);
                }
                Sym::Lit(c) => {
                    masks.not_star.set(j);
                    masks
                        .literals
                        .entry(*c)
                        .or_insert_with(|| Bits::new(width))
                        .set(j);
                }
            }
        }
        masks
    }

    /// Where `q` has the literal `c` (an empty row when nowhere).
    pub(super) fn literal(&self, c: char) -> &Bits {
        self.literals.get(&c).unwrap_or(&self.empty)
    }
}
