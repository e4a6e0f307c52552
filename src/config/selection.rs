//! Which rules run and at which severity: `select`, `ignore` and `[severity]` from `passrole.toml`,
//! then `--select` / `--ignore` from the command line.
//!
//! As in ruff, a selector is a rule id (`PR010`) or a prefix of ids (`PR01` is PR010-PR016).
//! Settings come in layers (the file, then the flags). Within a layer, the most specific selector
//! that matches a rule decides (a longer prefix wins; on a tie `ignore` wins); a layer with a
//! `select` list starts from nothing, a layer without one starts from the previous layer's result.

use super::raw::{Level, closest};
use crate::rules::Rule;
use crate::source::{ErrorKind, InputError, Position};

/// Where a setting was written: a file and position, or a flag (`--select`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub position: Option<Position>,
}

impl Origin {
    pub fn flag(name: &str) -> Origin {
        Origin {
            file: name.to_string(),
            position: None,
        }
    }

    /// An error about this setting.
    pub fn error(&self, message: String) -> InputError {
        InputError {
            file: self.file.clone(),
            kind: ErrorKind::Config,
            message,
            position: self.position,
        }
    }
}

/// A rule id or prefix, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub code: String,
    pub origin: Origin,
}

impl Selector {
    fn matches(&self, id: &str) -> bool {
        id.len() >= self.code.len()
            && id.is_char_boundary(self.code.len())
            && id[..self.code.len()].eq_ignore_ascii_case(&self.code)
    }
}

/// One layer of rule selection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SelectionLayer {
    /// `Some`: only what these select runs (before `ignore`); `None`: the previous layer's rules.
    pub select: Option<Vec<Selector>>,
    pub ignore: Vec<Selector>,
}

/// A `[severity]` entry: one rule id's severity, or `off`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeverityOverride {
    pub rule: String,
    pub level: Level,
    pub origin: Origin,
}

/// Rule selection and severities for a scan; the default runs every rule at its own severity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSettings {
    pub layers: Vec<SelectionLayer>,
    pub severity: Vec<SeverityOverride>,
}

impl RuleSettings {
    /// The rules to run, with their configured severities. A selector or severity key that names
    /// no rule (built-in or `--rules`) is an error naming the closest id; the rules still run.
    pub fn apply(&self, rules: Vec<Rule>, errors: &mut Vec<InputError>) -> Vec<Rule> {
        let ids: Vec<String> = rules.iter().map(|r| r.meta.id.clone()).collect();
        self.check_ids(&ids, errors);
        let mut enabled = vec![true; rules.len()];
        for layer in &self.layers {
            for (on, id) in enabled.iter_mut().zip(&ids) {
                let best = |selectors: &[Selector]| {
                    selectors
                        .iter()
                        .filter(|s| s.matches(id))
                        .map(|s| s.code.len())
                        .max()
                };
                let selected = best(layer.select.as_deref().unwrap_or_default());
                *on = match (selected, best(&layer.ignore)) {
                    (Some(s), Some(i)) => s > i,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => layer.select.is_none() && *on,
                };
            }
        }
        rules
            .into_iter()
            .zip(enabled)
            .filter(|(_, on)| *on)
            .filter_map(|(mut rule, _)| {
                let level = self
                    .severity
                    .iter()
                    .rev()
                    .find(|s| s.rule.eq_ignore_ascii_case(&rule.meta.id))
                    .map(|s| s.level);
                rule.meta.severity = match level {
                    None => rule.meta.severity,
                    Some(Level::Off) => return None,
                    Some(Level::Error) => crate::rules::Severity::Error,
                    Some(Level::Warning) => crate::rules::Severity::Warning,
                    Some(Level::Note) => crate::rules::Severity::Note,
                };
                Some(rule)
            })
            .collect()
    }

    fn check_ids(&self, ids: &[String], errors: &mut Vec<InputError>) {
        let suggest = |given: &str| match closest(given, ids.iter().map(String::as_str)) {
            Some(best) => format!(", did you mean `{best}`?"),
            None => " (`passrole rules list` shows the rules)".to_string(),
        };
        for layer in &self.layers {
            let selectors = layer.select.iter().flatten().chain(&layer.ignore);
            for s in selectors {
                if s.code.is_empty() {
                    errors.push(s.origin.error("an empty rule selector".into()));
                } else if !ids.iter().any(|id| s.matches(id)) {
                    let hint = suggest(&s.code);
                    errors.push(s.origin.error(format!(
                        "`{}` is not a rule id or prefix of one{hint}",
                        s.code
                    )));
                }
            }
        }
        for s in &self.severity {
            if !ids.iter().any(|id| id.eq_ignore_ascii_case(&s.rule)) {
                let hint = suggest(&s.rule);
                errors.push(
                    s.origin
                        .error(format!("`{}` is not a rule id{hint}", s.rule)),
                );
            }
        }
    }
}

/// Selectors from a comma-separated flag value, repeated or not (`--select PR010,PR011`).
pub fn flag_selectors(values: &[String], flag: &str) -> Vec<Selector> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        // `--select PR010,` : a trailing comma selects nothing more.
        .filter(|code| !code.trim().is_empty())
        .map(|code| Selector {
            code: code.trim().to_string(),
            origin: Origin::flag(flag),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(codes: &[&str]) -> Vec<Selector> {
        codes
            .iter()
            .map(|c| Selector {
                code: (*c).to_string(),
                origin: Origin::flag("test"),
            })
            .collect()
    }

    fn run(settings: &RuleSettings) -> (Vec<String>, Vec<String>) {
        let mut errors = Vec::new();
        let rules = settings.apply(crate::rules::builtin(), &mut errors);
        (
            rules.into_iter().map(|r| r.meta.id).collect(),
            errors.into_iter().map(|e| e.message).collect(),
        )
    }

    #[test]
    fn more_specific_selector_wins() {
        let settings = RuleSettings {
            layers: vec![SelectionLayer {
                select: Some(sel(&["PR01", "PR015"])),
                ignore: sel(&["PR01"]),
            }],
            severity: Vec::new(),
        };
        assert_eq!(run(&settings), (vec!["PR015".to_string()], vec![]));
    }

    #[test]
    fn a_later_layer_without_select_only_removes() {
        let settings = RuleSettings {
            layers: vec![
                SelectionLayer {
                    select: Some(sel(&["PR00"])),
                    ignore: vec![],
                },
                SelectionLayer {
                    select: None,
                    ignore: sel(&["PR005", "pr004"]),
                },
            ],
            severity: Vec::new(),
        };
        let (ids, errors) = run(&settings);
        assert_eq!(ids, ["PR001", "PR002", "PR003"]);
        assert!(errors.is_empty());
    }

    #[test]
    fn unknown_ids_name_the_closest() {
        let settings = RuleSettings {
            layers: vec![SelectionLayer {
                select: None,
                ignore: sel(&["PR100"]),
            }],
            severity: vec![SeverityOverride {
                rule: "PR01".into(),
                level: Level::Off,
                origin: Origin::flag("test"),
            }],
        };
        let (ids, errors) = run(&settings);
        assert_eq!(ids.len(), 14);
        assert_eq!(
            errors,
            [
                "`PR100` is not a rule id or prefix of one (`passrole rules list` shows the rules)",
                "`PR01` is not a rule id, did you mean `PR001`?"
            ]
        );
    }
}
