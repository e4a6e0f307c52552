//! Unit tests of the permission comparison: glob algebra checked against brute force, and the queries
//! on small hand-written policies.

use super::glob::{Sym, common_example, symbols};
use super::*;
use crate::iam::action::wildcard_match_case_sensitive;

// ---------------------------------------------------------------------------------------------------
// Builders: an item with `${...}` is a partial value whose `over` glob reads each `${...}` as `*`.

fn pattern(item: &str) -> Pattern {
    if !item.contains("${") {
        return Pattern::Glob(item.to_owned());
    }
    let mut over = String::new();
    let mut rest = item;
    while let Some(start) = rest.find("${") {
        over.push_str(&rest[..start]);
        over.push('*');
        rest = rest[start..]
            .find('}')
            .map_or("", |end| &rest[start + end + 1..]);
    }
    over.push_str(rest);
    Pattern::Partial { over }
}

fn list(items: &[&str]) -> PatternList {
    PatternList {
        negated: false,
        items: items.iter().map(|i| pattern(i)).collect(),
    }
}

fn statement(allow: bool, actions: &[&str], resources: &[&str]) -> PermissionStatement {
    PermissionStatement {
        allow,
        actions: list(actions),
        resources: list(resources),
        conditioned: false,
        origin: 0,
    }
}

fn allow(actions: &[&str], resources: &[&str]) -> PermissionStatement {
    statement(true, actions, resources)
}

fn deny(actions: &[&str], resources: &[&str]) -> PermissionStatement {
    statement(false, actions, resources)
}

fn conditioned(mut s: PermissionStatement) -> PermissionStatement {
    s.conditioned = true;
    s
}

fn not_action(mut s: PermissionStatement) -> PermissionStatement {
    s.actions.negated = true;
    s
}

fn not_resource(mut s: PermissionStatement) -> PermissionStatement {
    s.resources.negated = true;
    s
}

/// Permissions whose statements' origins are their indexes.
fn perms(statements: Vec<PermissionStatement>) -> Permissions {
    Permissions {
        statements: statements
            .into_iter()
            .enumerate()
            .map(|(origin, s)| PermissionStatement { origin, ..s })
            .collect(),
    }
}

fn excess(origin: usize, action: &str, resource: &str) -> Excess {
    Excess {
        origin,
        action: action.to_owned(),
        resource: resource.to_owned(),
    }
}

/// The string a symbol sequence made only of literals spells (wildcards, if any, are left out).
fn spell(syms: &[Sym]) -> String {
    syms.iter()
        .filter_map(|s| match s {
            Sym::Lit(c) => Some(*c),
            Sym::One | Sym::Star => None,
        })
        .collect()
}

const APP_ROLES: &str = "arn:aws:iam::*:role/app/*";

// ---------------------------------------------------------------------------------------------------
// Glob algebra

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

// ---------------------------------------------------------------------------------------------------
// Certain allows and denies

#[test]
fn certainly_allows_action_table() {
    let cases: Vec<(&str, Vec<PermissionStatement>, &str, Option<usize>)> = vec![
        (
            "plain allow",
            vec![allow(&["lambda:*"], &["*"])],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "case of actions",
            vec![allow(&["LAMBDA:create*"], &["*"])],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "other service",
            vec![allow(&["ec2:*"], &["*"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "conditioned allow",
            vec![conditioned(allow(&["*"], &["*"]))],
            "lambda:CreateFunction",
            None,
        ),
        (
            "no resource",
            vec![allow(&["*"], &[])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "partial action",
            vec![allow(&["lambda:${var.x}"], &["*"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "partial resource names something",
            vec![allow(&["lambda:*"], &["${var.arn}"])],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "deny everywhere",
            vec![allow(&["*"], &["*"]), deny(&["lambda:*"], &["*"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "deny on one function leaves the others",
            vec![
                allow(&["*"], &["*"]),
                deny(&["lambda:*"], &["arn:aws:lambda:*:*:function:prod"]),
            ],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "conditioned deny may apply",
            vec![
                allow(&["*"], &["*"]),
                conditioned(deny(&["lambda:*"], &["*"])),
            ],
            "lambda:CreateFunction",
            None,
        ),
        (
            "deny with unknown resource may be everything",
            vec![allow(&["*"], &["*"]), deny(&["lambda:*"], &["${var.arn}"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "deny of another action",
            vec![allow(&["*"], &["*"]), deny(&["lambda:Delete*"], &["*"])],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "deny on the only resource granted",
            vec![allow(&["*"], &["arn:x"]), deny(&["*"], &["arn:x"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "second allow survives",
            vec![
                allow(&["lambda:*"], &["arn:x"]),
                deny(&["*"], &["arn:x"]),
                allow(&["lambda:CreateFunction"], &["*"]),
            ],
            "lambda:CreateFunction",
            Some(2),
        ),
        (
            "NotAction excludes another service",
            vec![not_action(allow(&["iam:*"], &["*"]))],
            "s3:GetObject",
            Some(0),
        ),
        (
            "NotAction excludes it",
            vec![not_action(allow(&["iam:*"], &["*"]))],
            "iam:PassRole",
            None,
        ),
        (
            "NotAction with a partial item is not certain",
            vec![not_action(allow(&["iam:*", "${var.extra}"], &["*"]))],
            "s3:GetObject",
            None,
        ),
        (
            "NotResource * names nothing",
            vec![not_resource(allow(&["*"], &["*"]))],
            "s3:GetObject",
            None,
        ),
        (
            "NotResource leaves others",
            vec![not_resource(allow(&["*"], &["arn:x"]))],
            "s3:GetObject",
            Some(0),
        ),
    ];
    for (name, statements, action, expected) in cases {
        assert_eq!(
            perms(statements).certainly_allows_action(action),
            expected,
            "{name}"
        );
    }
}

#[test]
fn certainly_allows_and_denies_table() {
    let role_a = "arn:aws:iam::123:role/app/a";
    let admin = "arn:aws:iam::123:role/admin";
    let p = perms(vec![
        allow(&["iam:PassRole"], &[APP_ROLES]),
        deny(&["iam:PassRole"], &["arn:aws:iam::123:role/app/secret"]),
    ]);
    assert_eq!(p.certainly_allows("iam:passrole", role_a), Some(0));
    assert_eq!(p.certainly_allows("iam:PassRole", admin), None);
    assert_eq!(
        p.certainly_allows("iam:PassRole", "arn:aws:iam::123:role/app/secret"),
        None
    );
    // A glob must be covered whole and no Deny may touch it.
    assert_eq!(p.certainly_allows("iam:PassRole", APP_ROLES), None);
    assert_eq!(
        p.certainly_allows("iam:PassRole", "arn:aws:iam::1:role/app/web/*"),
        Some(0)
    );
    assert_eq!(
        p.certainly_denies("iam:PassRole", "arn:aws:iam::123:role/app/secret"),
        Some(1)
    );
    assert_eq!(p.certainly_denies("iam:PassRole", role_a), None);
    assert_eq!(
        p.certainly_denies("iam:PassRole", "arn:aws:iam::*:role/app/secret"),
        None
    );
    assert_eq!(
        p.certainly_denies("iam:GetRole", "arn:aws:iam::123:role/app/secret"),
        None
    );

    let cancels =
        |s: PermissionStatement| perms(vec![s]).certainly_denies("iam:PassRole", APP_ROLES);
    assert_eq!(cancels(deny(&["iam:*"], &["*"])), Some(0));
    assert_eq!(
        cancels(deny(&["IAM:Pass*"], &["arn:aws:iam::*:role/*"])),
        Some(0)
    );
    assert_eq!(
        cancels(deny(&["iam:PassRole"], &["arn:aws:iam::*:role/app/a"])),
        None
    );
    assert_eq!(cancels(conditioned(deny(&["iam:*"], &["*"]))), None);
    assert_eq!(cancels(deny(&["iam:*"], &["${var.arn}"])), None);
    assert_eq!(cancels(not_action(deny(&["s3:*"], &["*"]))), Some(0));
    assert_eq!(cancels(not_action(deny(&["iam:*"], &["*"]))), None);
    assert_eq!(
        cancels(not_resource(deny(&["*"], &["arn:aws:s3:::*"]))),
        Some(0)
    );
    assert_eq!(cancels(allow(&["*"], &["*"])), None);
}

// ---------------------------------------------------------------------------------------------------
// Differences

type Role = Vec<PermissionStatement>;
type Principal = Vec<PermissionStatement>;

#[test]
fn exceeds_table() {
    let admin = || vec![allow(&["*"], &["*"])];
    let cases: Vec<(&str, Role, Principal, Vec<Excess>)> = vec![
        (
            "administrator role vs ec2 user",
            admin(),
            vec![
                allow(&["ec2:*"], &["*"]),
                allow(&["iam:PassRole"], &[APP_ROLES]),
            ],
            vec![excess(0, "*", "*")],
        ),
        (
            "role within the principal",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::bucket/*"])],
            vec![allow(&["s3:*"], &["*"])],
            vec![],
        ),
        (
            "principal deny takes the iam part away",
            admin(),
            vec![allow(&["*"], &["*"]), deny(&["iam:*"], &["*"])],
            vec![excess(0, "*", "*")],
        ),
        (
            "conditioned role allow",
            vec![conditioned(allow(&["*"], &["*"]))],
            vec![],
            vec![],
        ),
        (
            "role deny covering its own allow",
            vec![allow(&["s3:*"], &["*"]), deny(&["*"], &["*"])],
            vec![],
            vec![],
        ),
        (
            "role partial resource vs principal lacking the action",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::${var.bucket}/*"])],
            vec![allow(&["ec2:*"], &["*"])],
            vec![excess(0, "s3:GetObject", "arn:aws:s3:::*/*")],
        ),
        (
            "role partial resource vs principal with the action somewhere",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::${var.bucket}/*"])],
            vec![allow(&["s3:Get*"], &["arn:aws:s3:::logs/*"])],
            vec![],
        ),
        (
            "role partial resource vs principal denied that action",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::${var.bucket}/*"])],
            vec![allow(&["*"], &["*"]), deny(&["s3:*"], &["*"])],
            vec![excess(0, "s3:GetObject", "arn:aws:s3:::*/*")],
        ),
        (
            "principal conditioned allow of everything",
            admin(),
            vec![conditioned(allow(&["*"], &["*"]))],
            vec![],
        ),
        (
            "principal allow with unknown parts read at most",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::data/*"])],
            vec![allow(
                &["s3:${var.verb}"],
                &["arn:aws:s3:::${var.bucket}/*"],
            )],
            vec![],
        ),
        (
            "principal conditioned deny does not subtract",
            admin(),
            vec![allow(&["*"], &["*"]), conditioned(deny(&["iam:*"], &["*"]))],
            vec![],
        ),
        (
            "principal deny with unknown parts does not subtract",
            admin(),
            vec![allow(&["*"], &["*"]), deny(&["iam:*"], &["${var.arn}"])],
            vec![],
        ),
        (
            "merged per statement: s3:* on * once",
            vec![allow(
                &["s3:*"],
                &["arn:aws:s3:::a", "*", "arn:aws:s3:::b/*"],
            )],
            vec![allow(&["ec2:*"], &["*"])],
            vec![excess(0, "s3:*", "*")],
        ),
        (
            "one difference per uncovered action item",
            vec![allow(
                &["s3:GetObject", "kms:Decrypt", "ec2:Describe*"],
                &["*"],
            )],
            vec![allow(&["ec2:*"], &["*"])],
            vec![
                excess(0, "s3:GetObject", "*"),
                excess(0, "kms:Decrypt", "*"),
            ],
        ),
        (
            "case of actions",
            vec![allow(&["S3:GETOBJECT"], &["*"])],
            vec![allow(&["s3:get*"], &["*"])],
            vec![],
        ),
        (
            "principal's resources narrower than the role's",
            vec![allow(&["s3:GetObject"], &["*"])],
            vec![allow(&["s3:*"], &["arn:aws:s3:::bucket/*"])],
            vec![excess(0, "s3:GetObject", "*")],
        ),
        (
            "role NotAction as a whole",
            vec![not_action(allow(&["iam:*", "organizations:*"], &["*"]))],
            vec![allow(&["s3:*"], &["*"])],
            vec![excess(0, "NotAction iam:*, organizations:*", "*")],
        ),
        (
            "role NotAction within a principal NotAction",
            vec![not_action(allow(&["iam:*"], &["*"]))],
            vec![not_action(allow(&["iam:*"], &["*"]))],
            vec![],
        ),
        (
            "role NotAction * allows nothing",
            vec![not_action(allow(&["*"], &["*"]))],
            vec![],
            vec![],
        ),
        (
            "principal NotAction lacks what the role has",
            admin(),
            vec![not_action(allow(&["iam:*"], &["*"]))],
            vec![excess(0, "*", "*")],
        ),
        (
            "role NotResource",
            vec![not_resource(allow(&["s3:*"], &["arn:aws:s3:::secret/*"]))],
            vec![allow(&["s3:*"], &["arn:aws:s3:::public/*"])],
            vec![excess(0, "s3:*", "NotResource arn:aws:s3:::secret/*")],
        ),
    ];
    for (name, role, principal, expected) in cases {
        assert_eq!(exceeds(&perms(role), &perms(principal)), expected, "{name}");
    }
}

#[test]
fn role_denies_over_part_of_a_request_need_a_concrete_difference() {
    let role = perms(vec![allow(&["*"], &["*"]), deny(&["iam:*"], &["*"])]);
    // The principal lacks exactly what the role denies itself: no difference.
    let same_gap = perms(vec![allow(&["*"], &["*"]), deny(&["iam:*"], &["*"])]);
    assert_eq!(exceeds(&role, &same_gap), vec![]);
    // The principal lacks more: the role's `*` still exceeds it.
    let ec2_only = perms(vec![allow(&["ec2:*"], &["*"])]);
    assert_eq!(exceeds(&role, &ec2_only), vec![excess(0, "*", "*")]);
    let wider_gap = perms(vec![
        allow(&["*"], &["*"]),
        deny(&["iam:*", "s3:*"], &["*"]),
    ]);
    assert_eq!(exceeds(&role, &wider_gap), vec![excess(0, "*", "*")]);
    // A conditioned role Deny over everything may apply: nothing is certain.
    let role = perms(vec![
        allow(&["*"], &["*"]),
        conditioned(deny(&["*"], &["*"])),
    ]);
    assert_eq!(exceeds(&role, &ec2_only), vec![]);
}

#[test]
fn exceeds_keeps_origins_merges_across_statements_and_caps() {
    let role = perms(vec![
        allow(&["s3:GetObject"], &["arn:aws:s3:::a/*"]),
        deny(&["kms:*"], &["*"]),
        allow(&["s3:*"], &["*"]),
    ]);
    // The later `s3:*` on `*` covers the earlier, narrower difference.
    assert_eq!(exceeds(&role, &perms(vec![])), vec![excess(2, "s3:*", "*")]);

    let actions: Vec<String> = (0..40).map(|i| format!("svc{i}:Act")).collect();
    let action_refs: Vec<&str> = actions.iter().map(String::as_str).collect();
    let many = perms(vec![allow(&action_refs, &["*"])]);
    let found = exceeds(&many, &perms(vec![]));
    assert_eq!(found.len(), 20);
    assert_eq!(found.first(), Some(&excess(0, "svc0:Act", "*")));
}

#[test]
fn describe_texts() {
    assert_eq!(describe(&[], 3), "nothing");
    assert_eq!(
        describe(&[excess(0, "*", "*")], 3),
        "every action (`*`) on `*`"
    );
    assert_eq!(describe(&[excess(0, "s3:*", "*")], 3), "`s3:*` on `*`");
    let five = [
        excess(0, "s3:*", "*"),
        excess(1, "kms:Decrypt", "arn:aws:kms:*:*:key/*"),
        excess(1, "a:B", "*"),
        excess(1, "c:D", "*"),
        excess(1, "e:F", "*"),
    ];
    assert_eq!(
        describe(&five, 2),
        "`s3:*` on `*`, `kms:Decrypt` on `arn:aws:kms:*:*:key/*` and 3 more"
    );
    assert_eq!(
        describe(&five[..2], 2),
        "`s3:*` on `*`, `kms:Decrypt` on `arn:aws:kms:*:*:key/*`"
    );
    assert_eq!(describe(&five, 0), "`s3:*` on `*` and 4 more");
    assert_eq!(
        describe(
            &[excess(0, "NotAction iam:*, sts:*", "NotResource arn:x")],
            1
        ),
        "every action except `iam:*, sts:*` on every resource except `arn:x`"
    );
}

#[test]
fn pattern_accessors() {
    let partial = pattern("arn:aws:s3:::${var.b}/${var.k}");
    assert_eq!(partial.over(), "arn:aws:s3:::*/*");
    assert_eq!(partial.known(), None);
    assert_eq!(Pattern::Glob("s3:*".into()).known(), Some("s3:*"));
}
