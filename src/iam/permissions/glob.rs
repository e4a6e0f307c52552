//! Set questions on IAM globs (`*` any run of characters, `?` exactly one): does one glob match every
//! string another matches ([`subsumes`]), do two globs share a string ([`intersects`]), and which
//! concrete strings show it ([`common_example`], [`examples`]).
//!
//! These algorithms are written for this module, not taken from a library. Each is a dynamic program
//! over the two patterns, O(|p|·|q|) time and O(|q|) memory (the example search keeps a full table, so it
//! is capped), iterative, on `char`s: long runs of `*`, non-ASCII text and 10,000-character patterns stay
//! polynomial and never panic. Comparison is exact (case-sensitive); callers lowercase action names first.

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

/// The string a symbol sequence made only of literals spells (wildcards, if any, are left out).
pub(super) fn spell(syms: &[Sym]) -> String {
    syms.iter()
        .filter_map(|s| match s {
            Sym::Lit(c) => Some(*c),
            Sym::One | Sym::Star => None,
        })
        .collect()
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
/// `row[j]`: the first `i` symbols of `p` match the first `j` symbols of `q`.
pub(super) fn subsumes_syms(p: &[Sym], q: &[Sym]) -> bool {
    if p == [Sym::Star] || p == q {
        return true;
    }
    let mut row = vec![false; q.len() + 1];
    let mut next = vec![false; q.len() + 1];
    if let Some(first) = row.first_mut() {
        *first = true;
    }
    for &ps in p {
        let mut left = ps == Sym::Star && row.first() == Some(&true);
        if let Some(first) = next.first_mut() {
            *first = left;
        }
        let mut any = left;
        for ((&qs, window), slot) in q.iter().zip(row.windows(2)).zip(next.iter_mut().skip(1)) {
            let (diagonal, above) = (window[0], window[1]);
            let value = match ps {
                Sym::Star => above || left,
                Sym::One => diagonal && qs != Sym::Star,
                Sym::Lit(c) => diagonal && qs == Sym::Lit(c),
            };
            *slot = value;
            left = value;
            any |= value;
        }
        if !any {
            return false;
        }
        std::mem::swap(&mut row, &mut next);
    }
    row.last() == Some(&true)
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

/// Reachability in the product of the two glob automata, one row of states at a time.
pub(super) fn intersects_syms(p: &[Sym], q: &[Sym]) -> bool {
    let width = q.len() + 1;
    let mut current = vec![false; width];
    if let Some(first) = current.first_mut() {
        *first = true;
    }
    for i in 0..=p.len() {
        let mut below = vec![false; width];
        let mut any = false;
        for j in 0..width {
            if !current.get(j).copied().unwrap_or(false) {
                continue;
            }
            any = true;
            let (right, down, diagonal) = moves(p, q, i, j);
            if right && let Some(slot) = current.get_mut(j + 1) {
                *slot = true;
            }
            if down && let Some(slot) = below.get_mut(j) {
                *slot = true;
            }
            if diagonal && let Some(slot) = below.get_mut(j + 1) {
                *slot = true;
            }
        }
        if i == p.len() {
            return current.last() == Some(&true);
        }
        if !any {
            return false;
        }
        current = below;
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
