//! How Deny statements cut down the roles an Allow of `iam:PassRole` covers.
//!
//! IAM evaluates every policy of a principal together, and an explicit Deny wins over any Allow. So an
//! Allow of PassRole on `*` next to a Deny of PassRole on `*` grants nothing, and next to a Deny with
//! `NotResource: role/app/*` it grants only the roles under `/app/`. This module answers the set
//! questions that takes, on resource patterns that may be partly unknown:
//!
//! * does a Deny pattern cover every role an Allow pattern covers ([`covers`])?
//! * what is left of an Allow pattern inside a Deny's `NotResource` pattern ([`intersect`])?
//!
//! Every answer errs on the side of the grant: a pattern that cannot be read exactly, an overlap that
//! cannot be decided, or a comparison past the work budget leaves the Allow as it was, so a Deny can
//! only remove a finding when it provably removes the roles the finding is about.
//!
//! Patterns are compared one ARN field at a time, as IAM matches them (see [`crate::iam::arn`]): a
//! wildcard never spans a `:`, and `*` alone matches every resource.

use crate::iam::arn::{RoleScope, classify_passrole_resource};
use crate::value::{Text, TextPart};

/// The number of colon-separated fields in an ARN; the last one keeps any further colons.
const ARN_FIELDS: usize = 6;

/// Symbols of a field longer than this are not compared (a role ARN is at most about 2,100
/// characters; anything longer is hostile or broken), which leaves the grant as it is.
const MAX_FIELD_LEN: usize = 2_100;

/// One symbol of a resource glob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sym {
    Char(char),
    /// `*`: any run of characters within the field, also none.
    Star,
    /// `?`: exactly one character.
    One,
}

/// A resource pattern as IAM matches it against role ARNs.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pattern {
    /// `*` (or any run of wildcards with a `*`): every resource.
    Everything,
    /// An ARN: exactly [`ARN_FIELDS`] globs.
    Arn(Vec<Vec<Sym>>),
    /// A known value that is not an ARN: it matches no role.
    NoRole,
}

/// How unknown parts of a value are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reading {
    /// As `*`: the pattern read covers at least what the value covers, whatever the unknown is.
    Superset,
    /// Not at all: the value must be known for the answer to hold.
    Exact,
}

/// A work budget for the comparisons of one scan unit: each comparison spends the cells of its table.
/// A hostile policy with thousands of long patterns on both sides cannot make the scan quadratic in
/// its size times its count; once spent, comparisons answer "cannot tell", which keeps the grant.
#[derive(Debug)]
pub struct Budget {
    cells: usize,
}

impl Budget {
    pub fn new(cells: usize) -> Budget {
        Budget { cells }
    }

    /// Spends `cells`; false (and nothing left) when there were not that many.
    pub fn spend(&mut self, cells: usize) -> bool {
        match self.cells.checked_sub(cells) {
            Some(rest) => {
                self.cells = rest;
                true
            }
            None => {
                self.cells = 0;
                false
            }
        }
    }
}

/// The default budget of one unit: about a second of comparisons at worst.
pub const UNIT_BUDGET: usize = 200_000_000;

fn pattern(text: &Text, reading: Reading) -> Option<Pattern> {
    let mut syms = Vec::new();
    for part in &text.parts {
        match part {
            TextPart::Lit(s) => syms.extend(s.chars().map(|c| match c {
                '*' => Sym::Star,
                '?' => Sym::One,
                c => Sym::Char(c),
            })),
            TextPart::Unknown(_) if reading == Reading::Superset => syms.push(Sym::Star),
            TextPart::Unknown(_) => return None,
        }
    }
    let all_wild = syms.iter().all(|s| matches!(s, Sym::Star | Sym::One));
    if all_wild && syms.contains(&Sym::Star) {
        return Some(Pattern::Everything);
    }
    let arn: Vec<Sym> = "arn:".chars().map(Sym::Char).collect();
    if !syms.starts_with(&arn) {
        // A value that starts with an unknown part may still become an ARN or `*`.
        return match syms.first() {
            Some(Sym::Star) if reading == Reading::Superset => Some(Pattern::Everything),
            _ if text.is_known() => Some(Pattern::NoRole),
            _ => None,
        };
    }
    let mut fields: Vec<Vec<Sym>> = Vec::with_capacity(ARN_FIELDS);
    let mut current = Vec::new();
    for sym in syms {
        if sym == Sym::Char(':') && fields.len() + 1 < ARN_FIELDS {
            fields.push(std::mem::take(&mut current));
        } else {
            current.push(sym);
        }
    }
    fields.push(current);
    if fields.len() < ARN_FIELDS {
        // Too few fields: IAM rejects it, unless an unknown part supplies the missing ones.
        return if text.is_known() {
            Some(Pattern::NoRole)
        } else if reading == Reading::Superset {
            Some(Pattern::Everything)
        } else {
            None
        };
    }
    Some(Pattern::Arn(fields))
}

/// Whether every string `inner` matches is matched by `outer` (both globs of one field).
///
/// A sufficient test, exact for the patterns policies use: a `*` of `outer` may take any symbols of
/// `inner` (wildcards included), a `?` any one character or `?`, a character only itself. `None`
/// when the budget is spent or the field is too long.
fn glob_covers(outer: &[Sym], inner: &[Sym], budget: &mut Budget) -> Option<bool> {
    if outer.len() > MAX_FIELD_LEN || inner.len() > MAX_FIELD_LEN {
        return None;
    }
    if !budget.spend((outer.len() + 1) * (inner.len() + 1)) {
        return None;
    }
    // row[j]: outer[i..] covers inner[j..], for the current i, from the last row up.
    let n = inner.len();
    let mut next = vec![false; n + 1];
    next[n] = true;
    for o in outer.iter().rev() {
        let mut row = vec![false; n + 1];
        for j in (0..=n).rev() {
            row[j] = match (o, inner.get(j)) {
                (Sym::Star, Some(_)) => next[j] || row[j + 1],
                (Sym::Star, None) => next[j],
                (Sym::One, Some(Sym::Char(_) | Sym::One)) => next[j + 1],
                (Sym::Char(c), Some(Sym::Char(d))) => c == d && next[j + 1],
                _ => false,
            };
        }
        next = row;
    }
    Some(next[0])
}

/// The known characters before the first wildcard, and after the last one.
fn literal_ends(field: &[Sym]) -> (Vec<char>, Vec<char>) {
    let chars = |s: &Sym| match s {
        Sym::Char(c) => Some(*c),
        _ => None,
    };
    let head: Vec<char> = field.iter().map_while(chars).collect();
    let mut tail: Vec<char> = field.iter().rev().map_while(chars).collect();
    tail.reverse();
    (head, tail)
}

/// Whether two globs of one field can match no common string: their literal starts (or ends)
/// disagree before either reaches a wildcard.
fn fields_disjoint(a: &[Sym], b: &[Sym]) -> bool {
    let (a_head, a_tail) = literal_ends(a);
    let (b_head, b_tail) = literal_ends(b);
    let a_wild = a_head.len() < a.len();
    let b_wild = b_head.len() < b.len();
    if !a_wild && !b_wild {
        return a_head != b_head;
    }
    let head_clash = a_head.iter().zip(&b_head).any(|(x, y)| x != y)
        || (!a_wild && a_head.len() < b_head.len())
        || (!b_wild && b_head.len() < a_head.len());
    let tail_clash = a_tail
        .iter()
        .rev()
        .zip(b_tail.iter().rev())
        .any(|(x, y)| x != y);
    head_clash || tail_clash
}

/// Whether the Deny pattern `deny` covers every role the Allow pattern `allow` covers. The Allow's
/// unknown parts are read as `*` (it may be anything); a Deny with unknown parts covers nothing unless
/// it is the same value, so the same unknown, as the Allow.
pub fn covers(deny: &Text, allow: &Text, budget: &mut Budget) -> bool {
    if !budget.spend(1) {
        return false;
    }
    if deny == allow {
        return true;
    }
    let (Some(outer), Some(inner)) = (
        pattern(deny, Reading::Exact),
        pattern(allow, Reading::Superset),
    ) else {
        return false;
    };
    pattern_covers(&outer, &inner, budget) == Some(true)
}

fn pattern_covers(outer: &Pattern, inner: &Pattern, budget: &mut Budget) -> Option<bool> {
    match (outer, inner) {
        (Pattern::Everything, _) | (_, Pattern::NoRole) => Some(true),
        (Pattern::NoRole, _) | (Pattern::Arn(_), Pattern::Everything) => Some(false),
        (Pattern::Arn(o), Pattern::Arn(i)) => {
            for (of, inf) in o.iter().zip(i) {
                if !glob_covers(of, inf, budget)? {
                    return Some(false);
                }
            }
            Some(true)
        }
    }
}

/// What is left of an Allow pattern inside one `NotResource` pattern of a Deny (the Deny denies every
/// resource but those, so only the overlap stays allowed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlap {
    /// The Allow pattern lies inside the `NotResource` pattern, or the overlap cannot be told: the
    /// Allow pattern stays as it is.
    Keep,
    /// The `NotResource` pattern lies inside the Allow pattern, or is a path-scoped bound of an
    /// overlap that cannot be told exactly: what stays is (at most) the `NotResource` pattern.
    Narrow,
    /// They share no role: nothing of the Allow pattern stays.
    Nothing,
}

/// The overlap of an Allow pattern with a `NotResource` pattern of a Deny. Unknown parts of both are
/// read as `*`: the overlap lies inside both whatever they are.
pub fn intersect(allow: &Text, not_resource: &Text, budget: &mut Budget) -> Overlap {
    if !budget.spend(1) {
        return Overlap::Keep;
    }
    let (Some(a), Some(n)) = (
        pattern(allow, Reading::Superset),
        pattern(not_resource, Reading::Superset),
    ) else {
        return Overlap::Keep;
    };
    if a == Pattern::NoRole || pattern_covers(&n, &a, budget) == Some(true) {
        return Overlap::Keep;
    }
    if n == Pattern::NoRole {
        return Overlap::Nothing;
    }
    // A `NotResource` value with unknown parts is read wider than it is: it may bound the overlap
    // but it is not itself what stays unless it is known.
    if not_resource.is_known() && pattern_covers(&a, &n, budget) == Some(true) {
        return Overlap::Narrow;
    }
    if let (Pattern::Arn(af), Pattern::Arn(nf)) = (&a, &n)
        && af.iter().zip(nf).any(|(x, y)| fields_disjoint(x, y))
    {
        return Overlap::Nothing;
    }
    // The overlap lies inside the `NotResource` pattern: when that one is scoped to a path or a role,
    // so is whatever the Allow keeps.
    match classify_passrole_resource(not_resource) {
        RoleScope::Exact | RoleScope::Path => Overlap::Narrow,
        _ => Overlap::Keep,
    }
}

/// How broad a scope is, for choosing what a finding reports when a Deny leaves several patterns:
/// the broadest decides.
pub fn breadth(scope: RoleScope) -> u8 {
    match scope {
        RoleScope::All => 7,
        RoleScope::AccountRoles => 6,
        RoleScope::NamePrefix => 5,
        RoleScope::InnerWildcard => 4,
        RoleScope::Unknown => 3,
        RoleScope::Path => 2,
        RoleScope::Exact => 1,
        RoleScope::NotRole => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Text {
        Text::lit(s)
    }

    fn budget() -> Budget {
        Budget::new(UNIT_BUDGET)
    }

    const APP: &str = "arn:aws:iam::123456789012:role/app/*";

    #[test]
    fn star_covers_everything_and_only_star_covers_star() {
        let b = &mut budget();
        assert!(covers(&t("*"), &t(APP), b));
        assert!(covers(&t("*"), &t("*"), b));
        assert!(!covers(&t(APP), &t("*"), b));
        assert!(!covers(&t("arn:aws:iam::*:role/*"), &t("*"), b));
    }

    #[test]
    fn wider_patterns_cover_narrower_ones_field_by_field() {
        let b = &mut budget();
        assert!(covers(
            &t("arn:aws:iam::*:role/*"),
            &t("arn:aws:iam::123456789012:role/app/x"),
            b
        ));
        assert!(covers(&t("arn:aws:iam::123456789012:role/*"), &t(APP), b));
        assert!(!covers(&t(APP), &t("arn:aws:iam::123456789012:role/*"), b));
        // Another account's roles are not these.
        assert!(!covers(
            &t("arn:aws:iam::111111111111:role/*"),
            &t("arn:aws:iam::*:role/app/*"),
            b
        ));
        // `?` covers one character, not a `*`.
        assert!(!covers(
            &t("arn:aws:iam::123456789012:role/a?"),
            &t("arn:aws:iam::123456789012:role/a*"),
            b
        ));
    }

    #[test]
    fn unknown_parts_are_wide_in_the_allow_and_cover_nothing_in_the_deny() {
        let b = &mut budget();
        let mut allow = Text::lit("arn:aws:iam::");
        allow.push(TextPart::Unknown("var.account".into()));
        allow.push(TextPart::Lit(":role/app/*".into()));
        assert!(covers(&t("arn:aws:iam::*:role/app/*"), &allow, b));
        assert!(!covers(&t(APP), &allow, b));
        assert!(covers(&allow, &allow, b));
        assert!(covers(&t("*"), &Text::unknown("var.arn"), b));
        assert!(!covers(&Text::unknown("var.arn"), &t(APP), b));
    }

    #[test]
    fn not_resource_overlaps() {
        let b = &mut budget();
        assert_eq!(intersect(&t("*"), &t(APP), b), Overlap::Narrow);
        assert_eq!(
            intersect(&t("arn:aws:iam::123456789012:role/app/x"), &t(APP), b),
            Overlap::Keep
        );
        assert_eq!(
            intersect(&t("arn:aws:iam::123456789012:role/ci/*"), &t(APP), b),
            Overlap::Nothing
        );
        assert_eq!(
            intersect(&t("arn:aws:iam::123456789012:role/Dev*"), &t(APP), b),
            Overlap::Nothing
        );
        // `role/*-admin` and `role/app/*` overlap in a way not told exactly: the path bounds it.
        assert_eq!(
            intersect(&t("arn:aws:iam::123456789012:role/*-admin"), &t(APP), b),
            Overlap::Narrow
        );
        // An unknown Allow inside a path-scoped NotResource is bounded by the path.
        assert_eq!(
            intersect(&Text::unknown("var.arn"), &t(APP), b),
            Overlap::Narrow
        );
        // An unknown NotResource keeps the Allow.
        assert_eq!(
            intersect(&t("*"), &Text::unknown("var.arn"), b),
            Overlap::Keep
        );
    }

    #[test]
    fn a_spent_budget_keeps_the_grant() {
        let b = &mut Budget::new(10);
        assert!(!covers(
            &t("arn:aws:iam::*:role/*"),
            &t("arn:aws:iam::123456789012:role/app/x"),
            b
        ));
        assert_eq!(intersect(&t("*"), &t(APP), b), Overlap::Keep);
    }
}
