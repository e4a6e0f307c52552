//! Sets of strings described by globs: the union of some globs (an `Action` list) or everything but
//! that union (a `NotAction` list), with the three questions the queries ask: does one set certainly
//! contain another, are two sets certainly disjoint, do they certainly share a string.
//!
//! Unions are not decided exactly (that is costly in general): each answer is a sufficient condition,
//! so "yes" is always right and "no" means "not shown". Callers pick the question whose "not shown"
//! errs on the side of no false alarm.

use super::glob::{Sym, common_example, examples, intersects_syms, subsumes_syms, symbols};

/// The most example strings tried when looking for a string in one set and outside others.
const MAX_EXAMPLES: usize = 16;

/// A set of strings: the union of `globs`, or (with `except`) every string none of them matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct GlobSet {
    except: bool,
    globs: Vec<Vec<Sym>>,
}

/// The glob `*` as symbols.
fn is_everything(glob: &[Sym]) -> bool {
    glob == [Sym::Star]
}

impl GlobSet {
    /// The union of some globs (none: the empty set).
    pub(super) fn union<'a>(globs: impl IntoIterator<Item = &'a str>) -> GlobSet {
        GlobSet {
            except: false,
            globs: globs.into_iter().map(symbols).collect(),
        }
    }

    /// Every string that none of these globs matches (none: every string).
    pub(super) fn except<'a>(globs: impl IntoIterator<Item = &'a str>) -> GlobSet {
        GlobSet {
            except: true,
            globs: globs.into_iter().map(symbols).collect(),
        }
    }

    /// The set holding one concrete string (its `*` and `?` stand for themselves).
    pub(super) fn single(text: Vec<Sym>) -> GlobSet {
        GlobSet {
            except: false,
            globs: vec![text],
        }
    }

    /// Whether the set is shown to hold nothing: no glob, or everything but `*`.
    pub(super) fn is_certainly_empty(&self) -> bool {
        if self.except {
            self.globs.iter().any(|g| is_everything(g))
        } else {
            self.globs.is_empty()
        }
    }

    /// Whether the concrete string `text` (all literals) is in the set.
    pub(super) fn contains_text(&self, text: &[Sym]) -> bool {
        let matched = self.globs.iter().any(|g| subsumes_syms(g, text));
        matched != self.except
    }

    /// Whether every string of `inner` is certainly in `self`.
    pub(super) fn contains(&self, inner: &GlobSet) -> bool {
        if inner.is_certainly_empty() {
            return true;
        }
        match (self.except, inner.except) {
            // Each glob of the inner union lies inside one glob of the outer union.
            (false, false) => inner
                .globs
                .iter()
                .all(|q| self.globs.iter().any(|p| subsumes_syms(p, q))),
            // A complement is infinite unless a glob of its own is `*`; only `*` surely holds it.
            (false, true) => self.globs.iter().any(|p| is_everything(p)),
            // No excluded glob shares a string with the inner union (exact).
            (true, false) => self
                .globs
                .iter()
                .all(|p| inner.globs.iter().all(|q| !intersects_syms(p, q))),
            // Everything but Q inside everything but P: P lies inside Q.
            (true, true) => self
                .globs
                .iter()
                .all(|p| inner.globs.iter().any(|q| subsumes_syms(q, p))),
        }
    }

    /// Whether the two sets certainly share no string.
    pub(super) fn disjoint(&self, other: &GlobSet) -> bool {
        if self.is_certainly_empty() || other.is_certainly_empty() {
            return true;
        }
        match (self.except, other.except) {
            (false, false) => self
                .globs
                .iter()
                .all(|p| other.globs.iter().all(|q| !intersects_syms(p, q))),
            // A union outside a complement: each of its globs lies inside one excluded glob.
            (false, true) => self.inside_union_of(other),
            (true, false) => other.inside_union_of(self),
            // Two complements share everything outside both unions: only a `*` leaves nothing.
            (true, true) => self
                .globs
                .iter()
                .chain(&other.globs)
                .any(|g| is_everything(g)),
        }
    }

    /// Whether each glob of `self` lies inside one glob of `other` (so inside their union).
    fn inside_union_of(&self, other: &GlobSet) -> bool {
        self.globs
            .iter()
            .all(|p| other.globs.iter().any(|q| subsumes_syms(q, p)))
    }

    /// Whether the two sets certainly share a string: two unions exactly, otherwise when an example
    /// string is found in both.
    pub(super) fn overlaps_certainly(&self, other: &GlobSet) -> bool {
        if !self.except && !other.except {
            return self
                .globs
                .iter()
                .any(|p| other.globs.iter().any(|q| intersects_syms(p, q)));
        }
        let hints: Vec<&[Sym]> = other.globs.iter().map(Vec::as_slice).collect();
        self.examples(&hints, MAX_EXAMPLES)
            .iter()
            .any(|text| other.contains_text(text))
    }

    /// Up to `limit` concrete strings of this set (none when none is found), steered towards the
    /// `hints` (globs whose strings matter to the caller): for a union, strings each glob shares with
    /// each hint; for a complement, strings of the hints that no excluded glob matches. Candidates are
    /// made lazily, so the search stops as soon as `limit` are found.
    pub(super) fn examples(&self, hints: &[&[Sym]], limit: usize) -> Vec<Vec<Sym>> {
        let everything: &[Sym] = &[Sym::Star];
        let candidates: Box<dyn Iterator<Item = Vec<Sym>> + '_> = if self.except {
            Box::new(
                std::iter::once(everything)
                    .chain(hints.iter().copied())
                    .flat_map(examples),
            )
        } else {
            Box::new(self.globs.iter().flat_map(move |glob| {
                examples(glob)
                    .into_iter()
                    .chain(hints.iter().filter_map(move |h| common_example(glob, h)))
            }))
        };
        let mut out: Vec<Vec<Sym>> = Vec::new();
        for candidate in candidates {
            if out.len() >= limit {
                break;
            }
            if !out.contains(&candidate) && self.contains_text(&candidate) {
                out.push(candidate);
            }
        }
        out
    }

    /// The globs of the set, for steering examples of another set.
    pub(super) fn globs(&self) -> impl Iterator<Item = &[Sym]> {
        self.globs.iter().map(Vec::as_slice)
    }
}
