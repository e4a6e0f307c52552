//! Unit tests of the glob algebra: hand-picked tables, brute force on every small pattern, randomized
//! checks past one 64-bit word, and hostile 10,000-character patterns.

use super::glob::{Sym, common_example, symbols};
use super::{intersects, matches, subsumes};
use crate::iam::action::wildcard_match_case_sensitive;

const APP_ROLES: &str = "arn:aws:iam::*:role/app/*";

/// The string a symbol sequence made only of literals spells (wildcards, if any, are left out).
fn spell(syms: &[Sym]) -> String {
    syms.iter()
        .filter_map(|s| match s {
            Sym::Lit(c) => Some(*c),
            Sym::One | Sym::Star => None,
        })
        .collect()
}

#[test]
fn subsumption_table() {
    let cases = [
        ("*", "anything", true),
        ("*", "*", true),
        ("*", "?", true),
        ("*", "", true),
        ("s3:*", "s3:Get*", true),
        ("s3:Get*", "s3:*", false),
        ("a?c", "abc", true),
        ("a?c", "a?c", true),
        ("a?c", "a*c", false),
        ("a*c", "a?c", true),
        ("abc", "a?c", false),
        (APP_ROLES, "arn:aws:iam::123:role/app/x", true),
        (APP_ROLES, "arn:aws:iam::123:role/app/*", true),
        (APP_ROLES, "arn:aws:iam::123:role/*", false),
        ("arn:aws:iam::123:role/*", APP_ROLES, false),
        // Runs of wildcards are normalised: `*?` and `?*` are the same language.
        ("?*", "*?", true),
        ("*?", "?*", true),
        ("**a**", "*a", true),
        ("?*", "", false),
        ("", "", true),
        ("", "*", false),
        // Letter case is exact here; action queries lowercase both sides first.
        ("s3:get*", "s3:GetObject", false),
        ("héllo*", "héllo wörld", true),
    ];
    for (p, q, expected) in cases {
        assert_eq!(subsumes(p, q), expected, "subsumes({p:?}, {q:?})");
    }
}

#[test]
fn intersection_table() {
    let cases = [
        ("s3:Get*", "s3:*Object", true),
        ("ec2:*", "s3:*", false),
        ("*", "", true),
        ("?", "", false),
        ("a*", "*b", true),
        ("a?", "?b", true),
        ("a", "b", false),
        ("*a*", "*b*", true),
        ("ab*", "a?c", true),
        ("ab*", "ac*", false),
        (
            "arn:aws:kms:*:*:key/*",
            "arn:aws:kms:us-east-1:1:key/k",
            true,
        ),
        ("arn:aws:kms:*:*:key/*", "arn:aws:s3:::*", false),
        // A `*` that ends an ARN segment may expand past the colon (AWS documents it for `Resource`), so
        // these share `arn:aws:kms:r:a:alias/x:key/y`.
        ("arn:aws:kms:*:*:key/*", "arn:aws:kms:*:*:alias/*", true),
    ];
    for (p, q, expected) in cases {
        assert_eq!(intersects(p, q), expected, "intersects({p:?}, {q:?})");
        assert_eq!(intersects(q, p), expected, "intersects({q:?}, {p:?})");
    }
}

/// Every glob over `a`, `b`, `?`, `*` of at most `len` symbols.
fn small_globs(len: usize) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut frontier = vec![String::new()];
    for _ in 0..len {
        frontier = frontier
            .iter()
            .flat_map(|g| ['a', 'b', '?', '*'].map(|c| format!("{g}{c}")))
            .collect();
        all.extend(frontier.iter().cloned());
    }
    all
}

/// Every string over `a`, `b` of at most `len` characters.
fn small_strings(len: usize) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut frontier = vec![String::new()];
    for _ in 0..len {
        frontier = frontier
            .iter()
            .flat_map(|s| ['a', 'b'].map(|c| format!("{s}{c}")))
            .collect();
        all.extend(frontier.iter().cloned());
    }
    all
}

#[test]
fn glob_algebra_agrees_with_brute_force_on_small_patterns() {
    let globs = small_globs(3);
    // Two globs of at most 3 symbols that share a string share one of at most 6 characters.
    let strings = small_strings(6);
    let mut contained_pairs = 0;
    for p in &globs {
        for s in &strings {
            assert_eq!(
                matches(p, s),
                wildcard_match_case_sensitive(p, s),
                "{p:?} {s:?}"
            );
        }
        for q in &globs {
            let both = strings.iter().any(|s| matches(p, s) && matches(q, s));
            assert_eq!(intersects(p, q), both, "intersects({p:?}, {q:?})");
            let example = common_example(&symbols(p), &symbols(q)).map(|e| spell(&e));
            match example {
                Some(text) => assert!(matches(p, &text) && matches(q, &text), "{p} {q} {text}"),
                None => assert!(!both, "no example for {p:?} and {q:?}"),
            }
            if subsumes(p, q) {
                contained_pairs += 1;
                for s in strings.iter().filter(|s| matches(q, s)) {
                    assert!(matches(p, s), "subsumes({p:?}, {q:?}) but {s:?}");
                }
            }
        }
    }
    // The symbolic check is not vacuous: it proves a good share of containments.
    assert!(contained_pairs > 500, "{contained_pairs}");
}

/// A deterministic pseudo-random generator (a linear congruential one), so the test needs no crate.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }

    fn text(&mut self, alphabet: &[char], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }
}

#[test]
fn bit_rows_agree_with_plain_matching_past_one_word() {
    let mut rng = Lcg(7);
    let (mut matched, mut shared) = (0, 0);
    for _ in 0..300 {
        let len = 60 + rng.below(140);
        let p = rng.text(&['a', 'b', 'a', 'b', '?', '*'], len);
        // Half the texts are made to match: p with each `*` read as a random run and each `?` as `a`.
        let text: String = if rng.below(2) == 0 {
            let len = 60 + rng.below(140);
            rng.text(&['a', 'b'], len)
        } else {
            let mut text = String::new();
            for c in p.chars() {
                match c {
                    '*' => {
                        let run = rng.below(4);
                        text.push_str(&rng.text(&['a', 'b'], run));
                    }
                    '?' => text.push('a'),
                    c => text.push(c),
                }
            }
            text
        };
        let expected = wildcard_match_case_sensitive(&p, &text);
        matched += usize::from(expected);
        assert_eq!(matches(&p, &text), expected, "{p} {text}");
        assert_eq!(subsumes(&p, &text), expected, "{p} {text}");
        assert_eq!(intersects(&p, &text), expected, "{p} {text}");
        assert_eq!(intersects(&text, &p), expected, "{text} {p}");
        let len = 60 + rng.below(140);
        let q = rng.text(&['a', 'b', '?', '*', '*'], len);
        let example = common_example(&symbols(&p), &symbols(&q)).map(|e| spell(&e));
        assert_eq!(intersects(&p, &q), example.is_some(), "{p} {q}");
        if let Some(example) = example {
            shared += 1;
            assert!(
                matches(&p, &example) && matches(&q, &example),
                "{p} {q} {example}"
            );
        }
    }
    // Both answers occur often, so the comparison is not vacuous.
    assert!((30..270).contains(&matched), "{matched}");
    assert!((30..270).contains(&shared), "{shared}");
}

#[test]
fn long_and_hostile_patterns_stay_polynomial() {
    let stars = "*".repeat(10_000);
    let alternating = "*a".repeat(5_000);
    let literal_a = "a".repeat(10_000);
    let almost = format!("{}b", "a".repeat(9_999));
    assert!(subsumes(&stars, &alternating));
    assert!(subsumes(&alternating, &literal_a));
    assert!(!subsumes(&alternating, &almost));
    assert!(!subsumes(&literal_a, &alternating));
    assert!(!intersects(&alternating, &almost));
    assert!(intersects(&alternating, &stars));
    let unicode = "é?*".repeat(3_400);
    assert!(subsumes(&stars, &unicode));
    assert!(!intersects(&unicode, &literal_a));
    // The example search refuses tables this large instead of allocating them.
    assert!(common_example(&symbols(&alternating), &symbols(&literal_a)).is_none());
}
