//! `[[allow]]`: approved PassRole exceptions. An entry names a rule, a pattern for the grant's
//! resource value and optionally the policy holding the grant; a finding it matches is kept as
//! suppressed (kind `config`) with the entry's reason.

use super::raw::closest;
use super::selection::Origin;
use crate::facts::Facts;
use crate::findings::{Finding, Location, Suppression, SuppressionKind};
use crate::rules::Rule;
use crate::source::InputError;
use serde_json::Value;

/// One `[[allow]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allow {
    /// The rule id (exact, any case).
    pub rule: String,
    /// A pattern for the failing fact's `value` (the grant's resource ARN as written): `*` matches
    /// any run of characters, `?` one character.
    pub resource: String,
    /// A pattern for the policy resource holding the grant (`aws_iam_policy.ci_deploy`) or one of
    /// the resources it is attached to (`aws_iam_role.ci`).
    pub holder: Option<String>,
    pub reason: String,
    /// The entry in `passrole.toml`, for reports.
    pub location: Location,
    /// The entry's `rule` value, for errors.
    pub rule_origin: Origin,
}

impl Allow {
    /// True when this entry approves `finding`.
    pub fn matches(&self, finding: &Finding, facts: &Facts) -> bool {
        if !finding.rule.eq_ignore_ascii_case(&self.rule) {
            return false;
        }
        let Some(Value::String(value)) = field_outwards(facts, &finding.pointer, "value") else {
            return false;
        };
        if !glob_match(&self.resource, &value) {
            return false;
        }
        let Some(holder) = &self.holder else {
            return true;
        };
        let mut holders = Vec::new();
        if let Some(Value::String(r)) = field_outwards(facts, &finding.pointer, "resource") {
            holders.push(r);
        }
        if let Some(Value::Array(items)) = field_outwards(facts, &finding.pointer, "attached_to") {
            holders.extend(items.iter().filter_map(|v| v.as_str().map(str::to_string)));
        }
        holders.iter().any(|h| glob_match(holder, h))
    }
}

/// Marks the findings an entry approves as suppressed by the first entry that matches. Findings
/// already suppressed keep their suppression.
pub fn apply(allows: &[Allow], findings: &mut [Finding], facts: &Facts) {
    if allows.is_empty() {
        return;
    }
    for finding in findings.iter_mut().filter(|f| f.suppression.is_none()) {
        if let Some(allow) = allows.iter().find(|a| a.matches(finding, facts)) {
            finding.suppression = Some(Suppression {
                kind: SuppressionKind::Config,
                reason: allow.reason.clone(),
                location: Some(allow.location.clone()),
            });
        }
    }
}

/// An `[[allow]]` whose rule is not one of `rules` (built-in and `--rules`) is an error naming the
/// closest id: it would silently approve nothing.
pub fn check_allow_rules(allows: &[Allow], rules: &[Rule], errors: &mut Vec<InputError>) {
    for allow in allows {
        if rules
            .iter()
            .any(|r| r.meta.id.eq_ignore_ascii_case(&allow.rule))
        {
            continue;
        }
        let hint = match closest(&allow.rule, rules.iter().map(|r| r.meta.id.as_str())) {
            Some(best) => format!(", did you mean `{best}`?"),
            None => " (`passrole rules list` shows the rules)".to_string(),
        };
        errors.push(
            allow
                .rule_origin
                .error(format!("`{}` is not a rule id{hint}", allow.rule)),
        );
    }
}

/// `key` of the object at `pointer` or, failing that, of the nearest object around it: the
/// failing fact is a grant's resource element, the holder is on the grant.
fn field_outwards(facts: &Facts, pointer: &str, key: &str) -> Option<Value> {
    let mut p = pointer;
    loop {
        if let Some(v) = facts.document.field(p, key) {
            return Some(v);
        }
        let (parent, _) = p.rsplit_once('/')?;
        // Never past the unit: `/units/0` holds the unit's own fields.
        if parent.matches('/').count() < 3 {
            return None;
        }
        p = parent;
    }
}

/// Matches `text` against `pattern`, where `*` is any run of characters and `?` one character.
/// Wildcards in `text` are plain characters: `arn:aws:iam::*:role/*` matches the grant
/// `arn:aws:iam::123456789012:role/*` but not the broader grant `*`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matching with backtracking to the last `*`: linear space, no recursion.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob_matches_like_a_shell_pattern() {
        assert!(glob_match(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::123456789012:role/*"
        ));
        assert!(glob_match("*", "*"));
        assert!(glob_match("*", "arn:aws:iam::1:role/x"));
        assert!(!glob_match("arn:aws:iam::*:role/*", "*"));
        assert!(glob_match(
            "aws_iam_policy.ci_?eploy",
            "aws_iam_policy.ci_deploy"
        ));
        assert!(!glob_match("aws_iam_policy.ci", "aws_iam_policy.ci_deploy"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
    }
}
