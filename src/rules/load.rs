//! Loading rule files: the built-in ones, and a user directory (`--rules DIR`), which may come from the
//! pull request being checked.
//!
//! A user directory is read through a [`Reader`] confined to the directory itself (a link out of it, a
//! named pipe, a device are each an `errors` entry, never a read), and every file stands alone: a
//! malformed metadata file, an unreadable or too deeply nested rule drops that rule only, and the
//! built-in rules and the other user rules still run.

use super::check::check_guard;
use super::{BUILTIN, DECIDED, DECIDED_ORIGIN, Example, Rule, RuleMeta, Severity};
use crate::source::reader::{ReadError, Reader};
use crate::source::{ErrorKind, InputError, Position, display_path};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Size limit of one rule or metadata file. Rules are a few hundred bytes; cfn-guard parses and
/// evaluates a rule's whole text, so a huge one only costs time.
pub const MAX_RULE_BYTES: u64 = 1024 * 1024;

/// The built-in rules. Their metadata is checked by tests, so a parse error here is a build bug.
pub fn builtin() -> Vec<Rule> {
    BUILTIN
        .iter()
        .map(|rule| {
            let mut meta: RuleMeta = toml::from_str(rule.meta)
                .unwrap_or_else(|e| panic!("built-in rule {}: {e}", rule.id));
            meta.examples = documented_examples(rule.examples);
            Rule {
                meta,
                guard: rule.guard.to_string(),
                origin: "builtin".into(),
            }
        })
        .collect()
}

/// Metadata whose `[example]` is its documented example (user rules, and the rules passrole
/// decides, which have no folder of examples).
fn with_own_example(mut meta: RuleMeta) -> RuleMeta {
    meta.examples = meta
        .example
        .iter()
        .cloned()
        .map(|mut e| {
            e.format = Example::format_of(&e.file).to_string();
            e
        })
        .collect();
    meta
}

/// The examples the documentation shows: each format's `<format>-fail` and `<format>-pass`
/// folders (the other folders are further cases the tests run). The first input file of each.
fn documented_examples(examples: &[(&str, &[(&str, &str)])]) -> Vec<Example> {
    let find = |name: String| examples.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
    ["terraform", "cloudformation", "plan"]
        .iter()
        .filter_map(|format| {
            let bad = find(format!("{format}-fail"))?.first()?;
            let good = find(format!("{format}-pass"))?.first()?;
            Some(Example {
                file: bad.0.to_string(),
                bad: bad.1.to_string(),
                good: good.1.to_string(),
                format: Example::format_of(bad.0).to_string(),
            })
        })
        .collect()
}

/// The rules passrole decides itself (suppression problems): no Guard text, origin `passrole`.
pub fn decided() -> Vec<Rule> {
    DECIDED
        .iter()
        .map(|(id, meta)| Rule {
            meta: with_own_example(
                toml::from_str(meta).unwrap_or_else(|e| panic!("built-in rule {id}: {e}")),
            ),
            guard: String::new(),
            origin: DECIDED_ORIGIN.into(),
        })
        .collect()
}

/// Loads the `*.guard` files of a directory, each with an optional `.toml` metadata file beside it;
/// without metadata the rule ID is the file stem and the severity `warning`. Returns the rules that
/// could be loaded and one error per file that could not.
pub fn load_dir(dir: &Path) -> (Vec<Rule>, Vec<InputError>) {
    let mut reader = Reader::new(dir);
    reader.max_file_bytes = MAX_RULE_BYTES;
    let entries = match reader.read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return (
                Vec::new(),
                vec![e.to_input_error(dir, "the rules directory")],
            );
        }
    };
    let builtin_ids: HashSet<&str> = BUILTIN
        .iter()
        .map(|r| r.id)
        .chain(DECIDED.iter().map(|(id, _)| *id))
        .collect();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for path in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "guard"))
    {
        let rule = match load_one(&reader, path) {
            Ok(rule) => rule,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let id = rule.meta.id.clone();
        let clash = if builtin_ids.contains(id.as_str()) {
            Some("a built-in rule".to_string())
        } else {
            seen.get(&id).cloned()
        };
        if let Some(other) = clash {
            errors.push(rule_error(
                &rule.origin,
                format!("the rule id {id} is already taken by {other}: this rule is not loaded"),
                None,
            ));
            continue;
        }
        seen.insert(id, rule.origin.clone());
        rules.push(rule);
    }
    (rules, errors)
}

/// One rule file and its metadata.
fn load_one(reader: &Reader, path: &Path) -> Result<Rule, InputError> {
    let shown = display_path(path);
    let guard = reader
        .read_text(path)
        .map_err(|e| e.to_input_error(path, "the rule file"))?;
    check_guard(&guard).map_err(|(message, position)| rule_error(&shown, message, position))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let meta_path = path.with_extension("toml");
    let meta = match reader.read_text(&meta_path) {
        // A link to nowhere is not "no metadata": `symlink_metadata` sees the link itself.
        Err(ReadError::NotFound) if meta_path.symlink_metadata().is_err() => default_meta(&stem),
        Err(e) => return Err(e.to_input_error(&meta_path, "the rule metadata")),
        Ok(text) => toml::from_str::<RuleMeta>(&text).map_err(|e| {
            let position = e.span().map(|s| position_of(&text, s.start));
            rule_error(
                &display_path(&meta_path),
                format!("invalid rule metadata: {}", e.message().trim_end()),
                position,
            )
        })?,
    };
    let meta = with_own_example(meta);
    Ok(Rule {
        meta,
        guard,
        origin: shown,
    })
}

fn default_meta(stem: &str) -> RuleMeta {
    RuleMeta {
        id: stem.to_string(),
        severity: Severity::Warning,
        title: format!("custom rule {stem}"),
        message: format!("{{resource}} fails the custom rule {stem}"),
        related: Vec::new(),
        why: String::new(),
        fix: String::new(),
        example: None,
        examples: Vec::new(),
        links: Vec::new(),
    }
}

fn rule_error(file: &str, message: String, position: Option<Position>) -> InputError {
    InputError {
        file: file.to_string(),
        kind: ErrorKind::Rule,
        message,
        position,
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn position_of(text: &str, offset: usize) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_rules_pass_the_check() {
        for rule in BUILTIN {
            let checked = check_guard(rule.guard);
            assert!(checked.is_ok(), "{}: {checked:?}", rule.id);
        }
    }

    #[test]
    fn toml_errors_have_a_position() {
        assert_eq!(position_of("a\nbé = x", 7), Position { line: 2, column: 5 });
    }
}
