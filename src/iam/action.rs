//! Matching `Action` / `NotAction` elements against `iam:PassRole`.
//!
//! IAM action names are matched with a small glob language (`*` and `?`) and, unlike ARNs, ignore ASCII
//! case. The scanner only cares about one action, so everything here answers a single question: does this
//! statement let the principal pass a role, and does it grant more than that?
//!
//! The glob helpers live here because actions are their first user; [`crate::iam::arn`] reuses them with
//! case-sensitive comparison for resource patterns.

use crate::value::{Text, TextPart};

/// The action every finding of this scanner is about.
const PASS_ROLE: &str = "iam:PassRole";

/// Whether two characters are equal under the comparison a glob uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    /// Action names: `iam:passrole` and `IAM:PASSROLE` are the same action.
    Insensitive,
    /// Resource ARNs: AWS compares them byte for byte.
    Sensitive,
}

impl Case {
    fn same(self, a: char, b: char) -> bool {
        match self {
            Case::Insensitive => a.eq_ignore_ascii_case(&b),
            Case::Sensitive => a == b,
        }
    }
}

/// IAM glob match for action names: `*` matches any run of characters (also none), `?` exactly one,
/// letters compare ASCII case-insensitively because IAM treats action names that way.
///
/// Runs in O(pattern × text) at worst, never exponentially, so a hostile policy cannot stall a scan.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    glob_match(pattern, text, Case::Insensitive)
}

/// The same glob as [`wildcard_match`] but comparing characters exactly, as IAM does for resource ARNs.
pub fn wildcard_match_case_sensitive(pattern: &str, text: &str) -> bool {
    glob_match(pattern, text, Case::Sensitive)
}

/// The classic two-pointer star algorithm: on a mismatch, go back to the most recent `*` and let it swallow
/// one more character. Only the latest `*` ever needs revisiting, which keeps the cost polynomial.
fn glob_match(pattern: &str, text: &str, case: Case) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let mut p = 0;
    let mut t = 0;
    // (index of the last `*` seen, text index that `*` would have to resume from)
    let mut last_star: Option<(usize, usize)> = None;
    while let Some(&tc) = text.get(t) {
        match pattern.get(p) {
            Some('*') => {
                last_star = Some((p, t));
                p += 1;
            }
            Some(&pc) if pc == '?' || case.same(pc, tc) => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((star, resume)) => {
                    p = star + 1;
                    t = resume + 1;
                    last_star = Some((star, resume + 1));
                }
                None => return false,
            },
        }
    }
    pattern.iter().skip(p).all(|&c| c == '*')
}

/// Whether some text that starts with `prefix` matches the case-sensitive glob `pattern`.
///
/// Used to ask "could this resource pattern name a role at all?" (`r*`, `?ole/x` could; `user/*` could
/// not) without enumerating texts. It simulates the glob as a set of pattern positions: once the prefix is
/// consumed, any live position can be completed, since the rest of a glob always matches some text.
pub(crate) fn wildcard_may_start_with(pattern: &str, prefix: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let mut live = vec![false; pattern.len() + 1];
    activate(&pattern, &mut live, 0);
    for c in prefix.chars() {
        live = step(&pattern, &live, c);
        if !live.contains(&true) {
            return false;
        }
    }
    live.contains(&true)
}

/// Marks `position` live, and every position after a run of `*` that can match nothing.
fn activate(pattern: &[char], live: &mut [bool], position: usize) {
    let mut at = position;
    while let Some(slot) = live.get_mut(at) {
        *slot = true;
        if pattern.get(at) != Some(&'*') {
            break;
        }
        at += 1;
    }
}

/// The live positions after feeding one character to every live position.
fn step(pattern: &[char], live: &[bool], c: char) -> Vec<bool> {
    let mut next = vec![false; live.len()];
    for (at, _) in live.iter().enumerate().filter(|(_, on)| **on) {
        match pattern.get(at) {
            Some('*') => activate(pattern, &mut next, at),
            Some(&pc) if pc == '?' || pc == c => activate(pattern, &mut next, at + 1),
            _ => {}
        }
    }
    next
}

/// A text as a glob in which every part that is unknown statically may be anything (`*`).
///
/// This over-approximates on purpose: if even this pattern cannot match, no value of the unknown parts can.
pub(crate) fn unknown_as_wildcard(text: &Text) -> String {
    text.parts
        .iter()
        .map(|part| match part {
            TextPart::Lit(s) => s.as_str(),
            TextPart::Unknown(_) => "*",
        })
        .collect()
}

/// Whether an `Action` value grants `iam:PassRole`. Whitespace is significant, as it is to AWS:
/// `" iam:PassRole"` names no action.
pub fn action_matches_passrole(action: &str) -> bool {
    wildcard_match(action, PASS_ROLE)
}

/// How a statement came to grant `iam:PassRole`; findings report it so that readers know what to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PassRoleMatch {
    /// The action is named: `iam:PassRole` in any letter case.
    Exact,
    /// A pattern such as `iam:*` or `iam:Pass*` covers it.
    Wildcard,
    /// A `NotAction` list does not exclude it, so the statement grants it.
    NotAction,
}

impl PassRoleMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            PassRoleMatch::Exact => "exact",
            PassRoleMatch::Wildcard => "wildcard",
            PassRoleMatch::NotAction => "not_action",
        }
    }
}

/// What an `Action` or `NotAction` list says about `iam:PassRole`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionAnalysis {
    /// How PassRole is granted; `None` when it is not, or when that depends on an unknown value.
    pub matched: Option<PassRoleMatch>,
    /// The item that grants PassRole, so findings can point at it (`None` for `NotAction`).
    pub matched_index: Option<usize>,
    /// The statement grants actions besides PassRole, so its resources are not PassRole-only.
    pub other_actions: bool,
    /// Whether PassRole is granted depends on a value that is unknown statically.
    pub unknown: bool,
}

/// Analyses the items of an `Action` list (`negated == false`) or a `NotAction` list (`negated == true`).
pub fn analyze_actions(items: &[Text], negated: bool) -> ActionAnalysis {
    if negated {
        analyze_not_action(items)
    } else {
        analyze_action(items)
    }
}

/// An `Action` list grants PassRole when any item matches it. A known match is certain; an unknown item
/// that could match only makes the answer unknown when nothing known settles it.
fn analyze_action(items: &[Text]) -> ActionAnalysis {
    let first_match = items
        .iter()
        .enumerate()
        .find_map(|(index, item)| known_passrole_match(item).map(|how| (index, how)));
    let unknown = first_match.is_none() && items.iter().any(unknown_may_match_passrole);
    ActionAnalysis {
        matched: first_match.map(|(_, how)| how),
        matched_index: first_match.map(|(index, _)| index),
        // Any item that grants something beyond PassRole widens the statement: `iam:*` does, and so may
        // an unknown item. `iam:Pass*` covers only PassRole, and read-only role look-ups that
        // consoles need beside PassRole (`iam:GetRole`, `iam:ListRoles`, ...) do not widen it.
        other_actions: items
            .iter()
            .any(|item| !is_exact_passrole(item) && !is_passrole_companion(item)),
        unknown,
    }
}

/// A `NotAction` list grants every action it does not list, so PassRole is granted unless some item
/// excludes it. A known exclusion is certain; an unknown item that could exclude it makes it unknown.
fn analyze_not_action(items: &[Text]) -> ActionAnalysis {
    let excluded = items
        .iter()
        .any(|item| known_passrole_match(item).is_some());
    let maybe_excluded = !excluded && items.iter().any(unknown_may_match_passrole);
    let granted = !excluded && !maybe_excluded;
    ActionAnalysis {
        matched: granted.then_some(PassRoleMatch::NotAction),
        matched_index: None,
        // Whatever it lists, `NotAction` grants a vast set of actions.
        other_actions: true,
        unknown: maybe_excluded,
    }
}

/// Read-only look-ups of roles and instance profiles that the AWS guide grants beside `iam:PassRole`
/// so that consoles can list the roles that may be passed.
const READ_ONLY_COMPANIONS: &[&str] = &[
    "iam:GetRole",
    "iam:ListRoles",
    "iam:GetInstanceProfile",
    "iam:ListInstanceProfiles",
    "iam:ListInstanceProfilesForRole",
];

/// An item that, beside PassRole, grants nothing that widens what the statement's Resource governs:
/// a read-only role look-up, or a pattern in the `iam:Pass` namespace (PassRole is the only IAM action
/// starting with `Pass`).
fn is_passrole_companion(item: &Text) -> bool {
    let Some(action) = item.as_literal() else {
        return false;
    };
    if READ_ONLY_COMPANIONS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(&action))
    {
        return true;
    }
    // A pattern with only `?` wildcards matches names of PassRole's length only (`iam:P?ssRole`).
    let lower = action.to_ascii_lowercase();
    action_matches_passrole(&action) && (lower.starts_with("iam:pass") || !action.contains('*'))
}

/// How a fully known item matches PassRole; `None` for unknown items and for items that do not match.
fn known_passrole_match(item: &Text) -> Option<PassRoleMatch> {
    let action = item.as_literal()?;
    if action.eq_ignore_ascii_case(PASS_ROLE) {
        Some(PassRoleMatch::Exact)
    } else if action_matches_passrole(&action) {
        Some(PassRoleMatch::Wildcard)
    } else {
        None
    }
}

/// An item with unknown parts whose known parts still allow it to match PassRole (`iam:${var.action}`,
/// but not `s3:${var.action}`).
fn unknown_may_match_passrole(item: &Text) -> bool {
    !item.is_known() && action_matches_passrole(&unknown_as_wildcard(item))
}

fn is_exact_passrole(item: &Text) -> bool {
    item.as_literal()
        .is_some_and(|action| action.eq_ignore_ascii_case(PASS_ROLE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(items: &[&str]) -> Vec<Text> {
        items.iter().map(|s| Text::lit(*s)).collect()
    }

    fn parts(parts: &[(bool, &str)]) -> Text {
        let mut text = Text::default();
        for (known, s) in parts {
            text.push(if *known {
                TextPart::Lit(s.to_string())
            } else {
                TextPart::Unknown(s.to_string())
            });
        }
        text
    }

    #[test]
    fn glob_star_matches_any_run_including_empty() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("*", "anything"));
        assert!(wildcard_match("a*", "a"));
        assert!(wildcard_match("a*c", "abbbc"));
        assert!(wildcard_match("a**c", "ac"));
        assert!(!wildcard_match("a*c", "abcd"));
        assert!(wildcard_match("*b*", "abc"));
    }

    #[test]
    fn glob_question_mark_matches_exactly_one_char() {
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(!wildcard_match("a?c", "abbc"));
        assert!(wildcard_match("?", "é"));
        assert!(!wildcard_match("?", ""));
    }

    #[test]
    fn glob_empty_pattern_matches_only_empty_text() {
        assert!(wildcard_match("", ""));
        assert!(!wildcard_match("", "a"));
    }

    #[test]
    fn glob_ignores_ascii_case_unless_asked() {
        assert!(wildcard_match("IAM:pass*", "iam:PassRole"));
        assert!(!wildcard_match_case_sensitive("role/App", "role/app"));
        assert!(wildcard_match_case_sensitive("role/a?p", "role/app"));
    }

    #[test]
    fn glob_is_not_exponential() {
        let text = "a".repeat(5_000);
        let pattern = format!("{}b", "*a".repeat(200));
        assert!(!wildcard_match(&pattern, &text));
        assert!(!wildcard_match_case_sensitive(&pattern, &text));
    }

    /// The glob written the obvious (exponential) way, as a reference for short inputs.
    fn reference_match(pattern: &[char], text: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('*', rest)) => (0..=text.len()).any(|skip| reference_match(rest, &text[skip..])),
            Some((&c, rest)) => text
                .split_first()
                .is_some_and(|(&t, more)| (c == '?' || c == t) && reference_match(rest, more)),
        }
    }

    /// Every string over `alphabet` up to `max_len` characters long.
    fn all_strings(alphabet: &[char], max_len: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..max_len {
            frontier = frontier
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            out.extend(frontier.iter().cloned());
        }
        out
    }

    #[test]
    fn glob_agrees_with_reference_on_all_short_inputs() {
        let patterns = all_strings(&['a', 'b', '*', '?'], 5);
        let texts = all_strings(&['a', 'b'], 5);
        for pattern in &patterns {
            let pc: Vec<char> = pattern.chars().collect();
            for text in &texts {
                let tc: Vec<char> = text.chars().collect();
                let expected = reference_match(&pc, &tc);
                assert_eq!(
                    wildcard_match_case_sensitive(pattern, text),
                    expected,
                    "{pattern} vs {text}"
                );
                let some_extension_matches = texts
                    .iter()
                    .filter(|t| t.starts_with(text.as_str()))
                    .any(|t| reference_match(&pc, &t.chars().collect::<Vec<_>>()));
                if some_extension_matches {
                    assert!(
                        wildcard_may_start_with(pattern, text),
                        "{pattern} from {text}"
                    );
                }
            }
        }
    }

    #[test]
    fn glob_prefix_compatibility() {
        assert!(wildcard_may_start_with("r*", "role/"));
        assert!(wildcard_may_start_with("?ole/x", "role/"));
        assert!(wildcard_may_start_with("role/x", "role/"));
        assert!(wildcard_may_start_with("*", "role/"));
        assert!(wildcard_may_start_with("anything", ""));
        assert!(!wildcard_may_start_with("ro", "role/"));
        assert!(!wildcard_may_start_with("user/*", "role/"));
        assert!(!wildcard_may_start_with("Role/*", "role/"));
        assert!(!wildcard_may_start_with("", "role/"));
    }

    #[test]
    fn unknown_parts_become_stars() {
        let text = parts(&[(true, "iam:"), (false, "var.x"), (true, "Role")]);
        assert_eq!(unknown_as_wildcard(&text), "iam:*Role");
    }

    #[test]
    fn passrole_matches() {
        for action in [
            "iam:PassRole",
            "iam:passrole",
            "IAM:PASSROLE",
            "iam:*",
            "*",
            "iam:Pass*",
            "iam:P?ssRole",
            "i*:*Role",
            "*:PassRole",
            "iam:PassRol?",
        ] {
            assert!(action_matches_passrole(action), "{action}");
        }
    }

    #[test]
    fn passrole_non_matches() {
        for action in [
            "iam:PassRoles",
            "iam:Pass",
            "s3:*",
            "iam:Get*",
            " iam:PassRole",
            "iam:PassRole ",
            "",
            "iam:P?Role",
        ] {
            assert!(!action_matches_passrole(action), "{action:?}");
        }
    }

    #[test]
    fn match_kind_names() {
        assert_eq!(PassRoleMatch::Exact.as_str(), "exact");
        assert_eq!(PassRoleMatch::Wildcard.as_str(), "wildcard");
        assert_eq!(PassRoleMatch::NotAction.as_str(), "not_action");
    }

    #[test]
    fn action_exact_alone_grants_nothing_else() {
        let a = analyze_actions(&lits(&["iam:PassRole"]), false);
        assert_eq!(
            a,
            ActionAnalysis {
                matched: Some(PassRoleMatch::Exact),
                matched_index: Some(0),
                other_actions: false,
                unknown: false,
            }
        );
    }

    #[test]
    fn action_exact_in_other_case_is_exact() {
        let a = analyze_actions(&lits(&["IAM:passrole"]), false);
        assert_eq!(a.matched, Some(PassRoleMatch::Exact));
        assert!(!a.other_actions);
    }

    #[test]
    fn action_exact_with_other_actions() {
        let a = analyze_actions(&lits(&["s3:GetObject", "iam:PassRole"]), false);
        assert_eq!(a.matched, Some(PassRoleMatch::Exact));
        assert_eq!(a.matched_index, Some(1));
        assert!(a.other_actions);
        assert!(!a.unknown);
    }

    #[test]
    fn action_wildcard_grants_other_actions() {
        let a = analyze_actions(&lits(&["iam:*"]), false);
        assert_eq!(a.matched, Some(PassRoleMatch::Wildcard));
        assert_eq!(a.matched_index, Some(0));
        assert!(a.other_actions);
    }

    #[test]
    fn action_first_match_wins() {
        let a = analyze_actions(&lits(&["s3:*", "iam:P?ssRole", "iam:PassRole"]), false);
        assert_eq!(a.matched, Some(PassRoleMatch::Wildcard));
        assert_eq!(a.matched_index, Some(1));
    }

    #[test]
    fn action_without_passrole() {
        let a = analyze_actions(&lits(&["s3:*", "iam:Get*"]), false);
        assert_eq!(a.matched, None);
        assert_eq!(a.matched_index, None);
        assert!(!a.unknown);
        assert!(a.other_actions);
    }

    #[test]
    fn action_empty_list_grants_nothing() {
        let a = analyze_actions(&[], false);
        assert_eq!(a.matched, None);
        assert!(!a.other_actions);
        assert!(!a.unknown);
    }

    #[test]
    fn action_unknown_that_may_match() {
        let items = vec![
            Text::lit("s3:GetObject"),
            parts(&[(true, "iam:"), (false, "var.action")]),
        ];
        let a = analyze_actions(&items, false);
        assert_eq!(a.matched, None);
        assert_eq!(a.matched_index, None);
        assert!(a.unknown);
        assert!(a.other_actions);
    }

    #[test]
    fn action_wholly_unknown_may_match() {
        let a = analyze_actions(&[Text::unknown("var.actions")], false);
        assert!(a.unknown);
        assert_eq!(a.matched, None);
    }

    #[test]
    fn action_known_match_settles_unknown() {
        let items = vec![Text::unknown("var.a"), Text::lit("iam:PassRole")];
        let a = analyze_actions(&items, false);
        assert_eq!(a.matched, Some(PassRoleMatch::Exact));
        assert_eq!(a.matched_index, Some(1));
        assert!(!a.unknown);
        assert!(a.other_actions);
    }

    #[test]
    fn action_unknown_that_cannot_match_counts_as_other() {
        let items = vec![
            Text::lit("iam:PassRole"),
            parts(&[(true, "s3:"), (false, "var.x")]),
        ];
        let a = analyze_actions(&items, false);
        assert_eq!(a.matched, Some(PassRoleMatch::Exact));
        assert!(a.other_actions);
        assert!(!a.unknown);

        let only = analyze_actions(&[parts(&[(true, "s3:"), (false, "var.x")])], false);
        assert_eq!(only.matched, None);
        assert!(!only.unknown);
        assert!(only.other_actions);
    }

    #[test]
    fn not_action_excluding_iam_star() {
        let a = analyze_actions(&lits(&["iam:*"]), true);
        assert_eq!(a.matched, None);
        assert!(!a.unknown);
        assert!(a.other_actions);
    }

    #[test]
    fn not_action_other_service_grants_passrole() {
        let a = analyze_actions(&lits(&["s3:*"]), true);
        assert_eq!(
            a,
            ActionAnalysis {
                matched: Some(PassRoleMatch::NotAction),
                matched_index: None,
                other_actions: true,
                unknown: false,
            }
        );
    }

    #[test]
    fn not_action_pass_star_excludes() {
        assert_eq!(analyze_actions(&lits(&["iam:Pass*"]), true).matched, None);
        assert_eq!(
            analyze_actions(&lits(&["IAM:PASSROLE"]), true).matched,
            None
        );
        assert_eq!(
            analyze_actions(&lits(&["iam:Pa?sRole"]), true).matched,
            None
        );
    }

    #[test]
    fn not_action_other_iam_actions_grant_passrole() {
        let a = analyze_actions(&lits(&["iam:Get*", "iam:List*"]), true);
        assert_eq!(a.matched, Some(PassRoleMatch::NotAction));
        assert_eq!(a.matched_index, None);
    }

    #[test]
    fn not_action_empty_grants_everything() {
        let a = analyze_actions(&[], true);
        assert_eq!(a.matched, Some(PassRoleMatch::NotAction));
    }

    #[test]
    fn not_action_unknown_may_exclude() {
        let items = vec![Text::lit("s3:*"), parts(&[(true, "iam:"), (false, "x")])];
        let a = analyze_actions(&items, true);
        assert_eq!(a.matched, None);
        assert!(a.unknown);
        assert!(a.other_actions);
    }

    #[test]
    fn not_action_known_exclusion_beats_unknown() {
        let items = vec![Text::unknown("var.x"), Text::lit("iam:*")];
        let a = analyze_actions(&items, true);
        assert_eq!(a.matched, None);
        assert!(!a.unknown);
    }

    #[test]
    fn not_action_unknown_that_cannot_exclude() {
        let items = vec![parts(&[(true, "s3:"), (false, "var.x")])];
        let a = analyze_actions(&items, true);
        assert_eq!(a.matched, Some(PassRoleMatch::NotAction));
        assert!(!a.unknown);
    }
}
