//! Set questions on IAM globs (`*` any run of characters, `?` exactly one): does one glob match every
//! string another matches ([`subsumes`]), do two globs share a string ([`intersects`]), and which
//! concrete strings show it ([`common_example`], [`examples`]).
//!
//! These algorithms are written for this module, not taken from a library. Each is a dynamic program
//! over the two patterns, O(|p|·|q|) time (divided by 64 for the two set questions, whose table rows
//! are bit sets) and O(|q|) memory (the example search keeps a full table, so it is capped), iterative,
//! on `char`s: long runs of `*`, non-ASCII text and 10,000-character patterns stay polynomial and never
//! panic. Comparison is exact (case-sensitive); callers lowercase action names first.

use super::bits::{Bits, Masks};

/// One symbol of a glob after normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Sym {
    /// A character that matches itself only.
    Lit(char),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters, also none.
    Star,
}

/// The character an example string puts where a glob leaves the choice free.
const FREE_CHAR: char = 'x';

/// A character unlikely to appear in any pattern, for examples that must avoid other globs.
const RARE_CHAR: char = '\u{7f}';

/// Above this many table cells, [`common_example`] gives up (answers `None`): its table is kept whole.
const MAX_EXAMPLE_CELLS: usize = 1 << 22;

/// The symbols of a glob, normalised so that equal languages look alike more often: inside each run of
/// wildcards the `?`s come first and several `*` become one (`*?*` and `?*` match the same strings).
pub(super) fn symbols(glob: &str) -> Vec<Sym> {
    let mut out = Vec::with_capacity(glob.len());
    let mut ones = 0usize;
    let mut star = false;
    let flush = |out: &mut Vec<Sym>, ones: &mut usize, star: &mut bool| {
        out.extend(std::iter::repeat_n(Sym::One, *ones));
        if *star {
            out.push(Sym::Star);
        }
        *ones = 0;
        *star = false;
    };
    for c in glob.chars() {
        match c {
            '*' => star = true,
            '?' => ones += 1,
            c => {
                flush(&mut out, &mut ones, &mut star);
                out.push(Sym::Lit(c));
            }
        }
    }
    flush(&mut out, &mut ones, &mut star);
    out
}

/// A concrete string as symbols: every character, `*` and `?` included, stands for itself.
pub(super) fn literal(text: &str) -> Vec<Sym> {
    text.chars().map(Sym::Lit).collect()
}

/// Whether every string glob `q` matches is matched by glob `p`: L(q) ⊆ L(p).
pub fn subsumes(p: &str, q: &str) -> bool {
    subsumes_syms(&symbols(p), &symbols(q))
}

/// Whether some string is matched by both globs: L(p) ∩ L(q) ≠ ∅.
pub fn intersects(p: &str, q: &str) -> bool {
    intersects_syms(&symbols(p), &symbols(q))
}

/// Whether the glob `p` matches the concrete string `text`.
pub fn matches(p: &str, text: &str) -> bool {
    subsumes_syms(&symbols(p), &literal(text))
}

/// Subsumption read symbolically: `q`'s wildcards are symbols that `p` must match. `p`'s `*` takes any
/// run of `q`'s symbols (its wildcards too), `p`'s `?` one symbol that is not `*` (a literal or `?`), and
/// a literal of `p` only the same literal. When this says yes, L(q) ⊆ L(p) holds; a few exotic pairs
/// that are contained are missed (callers treat "no" as "not shown", never as "shown not").
///
/// Row `i` of the table has cell `j` true when the first `i` symbols of `p` match the first `j`
/// symbols of `q`; rows are bit sets, so a row costs |q|/64 word operations.
pub(super) fn subsumes_syms(p: &[Sym], q: &[Sym]) -> bool {
    if p == [Sym::Star] || p == q {
        return true;
    }
    let masks = Masks::of(q);
    let mut row = Bits::single(q.len() + 1, 0);
    for &ps in p {
        row = match ps {
            // `*` matches the empty run and then any further run: every cell from the first reached.
            Sym::Star => row.filled_from_first(),
            Sym::One => row.and(&masks.not_star).shifted_up(),
            Sym::Lit(c) => row.and(masks.literal(c)).shifted_up(),
        };
        if row.is_empty() {
            return false;
        }
    }
    row.get(q.len())
}

/// Whether two symbols, neither `*`, can consume the same character.
fn compatible(a: Sym, b: Sym) -> bool {
    match (a, b) {
        (Sym::Star, _) | (_, Sym::Star) => false,
        (Sym::Lit(x), Sym::Lit(y)) => x == y,
        _ => true,
    }
}

/// The moves of the product automaton from state (i, j) (positions in `p` and `q`): each target has
/// a larger i + j, so a row-major sweep visits states after everything that leads to them.
/// Returns (to (i, j+1), to (i+1, j), to (i+1, j+1)).
fn moves(p: &[Sym], q: &[Sym], i: usize, j: usize) -> (bool, bool, bool) {
    let (ps, qs) = (p.get(i).copied(), q.get(j).copied());
    // Skip q's `*` (empty run), or let p's `*` absorb a character q's symbol consumes.
    let right = qs.is_some() && (qs == Some(Sym::Star) || ps == Some(Sym::Star));
    let down = ps.is_some() && (ps == Some(Sym::Star) || qs == Some(Sym::Star));
    let diagonal = matches!((ps, qs), (Some(a), Some(b)) if compatible(a, b));
    (right, down, diagonal)
}

/// Reachability in the product of the two glob automata, one row (a position in `p`) at a time, each
/// row a bit set over the positions in `q`. `q` is normalised, so no two `*` are adjacent and skipping
/// one `*` of `q` is a single step.
pub(super) fn intersects_syms(p: &[Sym], q: &[Sym]) -> bool {
    let masks = Masks::of(q);
    let mut row = Bits::single(q.len() + 1, 0);
    for i in 0..=p.len() {
        let ps = p.get(i).copied();
        // Moves within the row: p's `*` absorbs whatever q's symbols consume; q's `*` may match nothing.
        if ps == Some(Sym::Star) {
            row = row.filled_from_first();
        } else {
            let skipped = row.and(&masks.star).shifted_up();
            row.or_assign(&skipped);
        }
        let Some(ps) = ps else {
            return row.get(q.len());
        };
        // Moves to the next row: p's `*` may match nothing; p's other symbols consume a character that
        // q's `*` absorbs, or that q's own symbol consumes too.
        let next = match ps {
            Sym::Star => row.clone(),
            Sym::One => {
                let mut next = row.and(&masks.star);
                next.or_assign(&row.and(&masks.not_star).shifted_up());
                next
            }
            Sym::Lit(c) => {
                let mut next = row.and(&masks.star);
                next.or_assign(&row.and(masks.literal(c)).shifted_up());
                next.or_assign(&row.and(&masks.one).shifted_up());
                next
            }
        };
        if next.is_empty() {
            return false;
        }
        row = next;
    }
    false
}

/// A concrete string (all literals) that both globs match, or `None` when there is none or the two
/// patterns are too long to search (more than [`MAX_EXAMPLE_CELLS`] states).
pub(super) fn common_example(p: &[Sym], q: &[Sym]) -> Option<Vec<Sym>> {
    let width = q.len() + 1;
    let cells = (p.len() + 1).checked_mul(width)?;
    if cells > MAX_EXAMPLE_CELLS {
        return None;
    }
    // done[i * width + j]: from state (i, j) the end state (|p|, |q|) can be reached.
    let mut done = vec![false; cells];
    for i in (0..=p.len()).rev() {
        for j in (0..width).rev() {
            let (right, down, diagonal) = moves(p, q, i, j);
            let at = |i: usize, j: usize| done.get(i * width + j).copied().unwrap_or(false);
            let value = (i == p.len() && j == q.len())
                || (right && at(i, j + 1))
                || (down && at(i + 1, j))
                || (diagonal && at(i + 1, j + 1));
            if let Some(slot) = done.get_mut(i * width + j) {
                *slot = value;
            }
        }
    }
    let at = |i: usize, j: usize| done.get(i * width + j).copied().unwrap_or(false);
    if !at(0, 0) {
        return None;
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < p.len() || j < q.len() {
        let (ps, qs) = (p.get(i).copied(), q.get(j).copied());
        let (right, down, diagonal) = moves(p, q, i, j);
        if diagonal && at(i + 1, j + 1) {
            out.push(Sym::Lit(chosen_char(ps, qs)));
            (i, j) = (i + 1, j + 1);
        } else if right && at(i, j + 1) {
            // Consumes a character only when q's symbol is not a skipped `*`.
            if qs != Some(Sym::Star) {
                out.push(Sym::Lit(chosen_char(None, qs)));
            }
            j += 1;
        } else if down && at(i + 1, j) {
            if ps != Some(Sym::Star) {
                out.push(Sym::Lit(chosen_char(ps, None)));
            }
            i += 1;
        } else {
            // Unreachable when `done` is consistent; stop rather than loop.
            return None;
        }
    }
    Some(out)
}

/// The character consumed by symbols that agree on it: a literal's own, else a free choice.
fn chosen_char(a: Option<Sym>, b: Option<Sym>) -> char {
    match (a, b) {
        (Some(Sym::Lit(c)), _) | (_, Some(Sym::Lit(c))) => c,
        _ => FREE_CHAR,
    }
}

/// A few concrete strings a glob matches, for searching one that also avoids other globs: each `*`
/// read as nothing, as one free character, and as one rare character (`?` always one character).
pub(super) fn examples(glob: &[Sym]) -> Vec<Vec<Sym>> {
    let fill = |star: Option<char>, one: char| -> Vec<Sym> {
        glob.iter()
            .filter_map(|s| match *s {
                Sym::Lit(c) => Some(Sym::Lit(c)),
                Sym::One => Some(Sym::Lit(one)),
                Sym::Star => star.map(Sym::Lit),
            })
            .collect()
    };
    let mut out = vec![
        fill(None, FREE_CHAR),
        fill(Some(FREE_CHAR), FREE_CHAR),
        fill(Some(RARE_CHAR), RARE_CHAR),
    ];
    out.dedup();
    out
}
