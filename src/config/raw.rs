//! `passrole.toml` as written: the serde shape, the key list derived from it, and toml's errors
//! rewritten to name the closest valid key or value.

use crate::resolve::catalog::RoleReference;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

/// The whole file. Every field is optional: an empty file is a valid configuration.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawConfig {
    pub select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<Level>>,
    pub fail_on: Option<FailOn>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    pub respect_gitignore: Option<bool>,
    pub baseline: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub passer: Vec<Spanned<RawPasser>>,
    #[serde(default, rename = "principal_set")]
    pub principal_set: Vec<Spanned<RawPrincipalSet>>,
    #[serde(default)]
    pub allow: Vec<Spanned<RawAllow>>,
}

/// A `[severity]` value: a severity, or `off` (the rule is not run).
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(try_from = "String")]
pub enum Level {
    Error,
    Warning,
    Note,
    Off,
}

impl TryFrom<String> for Level {
    type Error = String;

    fn try_from(given: String) -> Result<Level, String> {
        use Level::*;
        choose(
            &given,
            &[
                ("error", Error),
                ("warning", Warning),
                ("note", Note),
                ("off", Off),
            ],
        )
    }
}

/// The lowest severity that makes the exit code 1, or `never` (findings are reported, the exit
/// code stays 0; input errors still exit 2).
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(try_from = "String")]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl TryFrom<String> for FailOn {
    type Error = String;

    fn try_from(given: String) -> Result<FailOn, String> {
        use FailOn::*;
        choose(
            &given,
            &[
                ("error", Error),
                ("warning", Warning),
                ("note", Note),
                ("never", Never),
            ],
        )
    }
}

/// The choice spelled `given`, or an error naming the closest spelling. Parsed from a string
/// rather than as a serde enum: a number or a table then says "expected a string", not toml's
/// "wanted string or table".
fn choose<T: Copy>(given: &str, choices: &[(&str, T)]) -> Result<T, String> {
    if let Some((_, value)) = choices.iter().find(|(name, _)| *name == given) {
        return Ok(*value);
    }
    let names = choices.iter().map(|(name, _)| *name);
    Err(match closest(given, names.clone()) {
        Some(best) => format!("unknown value `{given}`, did you mean `{best}`?"),
        None => format!(
            "unknown value `{given}`, expected one of {}",
            names
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

impl FailOn {
    /// The threshold, None for `never`.
    pub fn threshold(self) -> Option<crate::rules::Severity> {
        use crate::rules::Severity;
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

/// `[[passer]]`: a catalog passer entry, with `terraform = "aws_x"` + `attribute` or
/// `cloudformation = "AWS::X::Y"` + `property` in place of the catalog's section and `resource`.
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPasser {
    #[serde(skip_serializing)]
    pub terraform: Option<String>,
    #[serde(skip_serializing)]
    pub cloudformation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    pub reference: RoleReference,
    pub principals: Vec<String>,
    pub service: String,
    #[serde(default)]
    pub list: bool,
}

/// `[[principal_set]]`, exactly as in the catalog.
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPrincipalSet {
    pub name: String,
    pub principals: Vec<String>,
    pub why: String,
}

/// `[[allow]]`: an approved PassRole exception.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAllow {
    pub rule: Spanned<String>,
    pub resource: String,
    pub holder: Option<String>,
    pub reason: String,
}

/// Every key of `passrole.toml`, derived from the structs above: top-level keys (`fail-on`) and
/// the keys of the array-of-tables entries (`allow.reason`). The documentation test and
/// `passrole init` are checked against this list.
pub fn keys() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for key in fields::<RawConfig>() {
        out.push((*key).to_string());
        let nested = match *key {
            "passer" => fields::<RawPasser>(),
            "principal_set" => fields::<RawPrincipalSet>(),
            "allow" => fields::<RawAllow>(),
            _ => &[],
        };
        out.extend(nested.iter().map(|k| format!("{key}.{k}")));
    }
    out
}

/// The field names serde's derive passes to `deserialize_struct`: the keys a struct accepts,
/// renames applied, without keeping a second list by hand.
fn fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut names));
    names
}

struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only the field names are read"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("only the field names are read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// serde's message for an unknown key or value, rewritten for people: "unknown key `fail_on`,
/// did you mean `fail-on`?". Other messages are returned as they are.
pub fn explain_serde_message(message: &str) -> String {
    let message = message.trim();
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        let Some(rest) = message.strip_prefix(prefix) else {
            continue;
        };
        let Some((given, expected)) = rest.split_once('`') else {
            continue;
        };
        let valid = backticked(expected);
        return match closest(given, valid.iter().map(String::as_str)) {
            Some(best) => format!("unknown {what} `{given}`, did you mean `{best}`?"),
            None if valid.is_empty() => format!("unknown {what} `{given}`: none is accepted here"),
            None => format!(
                "unknown {what} `{given}`, expected one of {}",
                valid
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
    }
    message.to_string()
}

/// The words between backticks: serde's list of expected names.
fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The candidate nearest to `given`, when it is near enough to be a likely typo: one edit per
/// four characters or a cut-short word, case and `-`/`_` differences counting as nothing.
pub fn closest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let given_norm = norm(given);
    candidates
        .filter_map(|c| {
            let c_norm = norm(c);
            let d = strsim::levenshtein(&given_norm, &c_norm);
            // A cut-short word (`warn` for `warning`) is a likely typo whatever its length.
            let near = d <= (given.len().max(c.len()) / 4).max(1)
                || (given_norm.len() >= 3 && c_norm.starts_with(&given_norm));
            near.then_some((d, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_structs() {
        let keys = keys();
        assert!(keys.contains(&"fail-on".to_string()));
        assert!(keys.contains(&"principal_set.why".to_string()));
        assert!(keys.contains(&"allow.holder".to_string()));
        assert!(keys.contains(&"passer.cloudformation".to_string()));
        assert!(!keys.iter().any(|k| k.contains("fail_on")));
    }

    #[test]
    fn unknown_key_names_the_closest() {
        assert_eq!(
            explain_serde_message("unknown field `fail_on`, expected one of `select`, `fail-on`"),
            "unknown key `fail_on`, did you mean `fail-on`?"
        );
        assert_eq!(
            explain_serde_message("unknown variant `loud`, expected one of `error`, `off`"),
            "unknown value `loud`, expected one of `error`, `off`"
        );
        assert_eq!(
            explain_serde_message("unknown variant `warn`, expected one of `error`, `warning`"),
            "unknown value `warn`, did you mean `warning`?"
        );
    }

    #[test]
    fn closest_ignores_far_candidates() {
        assert_eq!(
            closest("PR01", ["PR010", "PR001"].into_iter()),
            Some("PR010")
        );
        assert_eq!(closest("zzzzzz", ["PR010"].into_iter()), None);
    }
}
