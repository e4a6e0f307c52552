//! Loading rule files: the built-in ones, and a user directory (`--rules DIR`), which may come from the
//! pull request being checked.
//!
//! A user directory is read through a [`Reader`] confined to the directory itself (a link out of it, a
//! named pipe, a device are each an `errors` entry, never a read), and every file stands alone: a
//! malformed metadata file, an unreadable or too deeply nested rule drops that rule only, and the
//! built-in rules and the other user rules still run.

use super::{BUILTIN, Rule, RuleMeta, Severity};
use crate::source::reader::{ReadError, Reader};
use crate::source::{ErrorKind, InputError, Position, display_path};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Size limit of one rule or metadata file. Rules are a few hundred bytes; cfn-guard parses and
/// evaluates a rule's whole text, so a huge one only costs time.
pub const MAX_RULE_BYTES: u64 = 1024 * 1024;

/// Deepest nesting of `{`, `[` and `(` accepted in a Guard rule file. cfn-guard parses and evaluates
/// nested blocks recursively: about a thousand levels overflow the stack, which aborts the process
/// and loses the whole report. Real rules nest a handful of levels.
pub const MAX_GUARD_NESTING: usize = 64;

/// Longest chain of rules that depend on each other (`rule a when b`, `b` used as a clause)
/// accepted in one rule file. cfn-guard evaluates a named rule recursively, with no cycle check: a
/// cycle or a chain of about two thousand rules overflows the stack; and from about 20 rules on, its
/// evaluation record nests deeper than the JSON reader accepts (128 levels), so the rule could not
/// be read back anyway.
pub const MAX_RULE_CHAIN: usize = 16;

/// The built-in rules. Their metadata is checked by tests, so a parse error here is a build bug.
pub fn builtin() -> Vec<Rule> {
    BUILTIN
        .iter()
        .map(|(id, guard, meta)| Rule {
            meta: toml::from_str(meta).unwrap_or_else(|e| panic!("built-in rule {id}: {e}")),
            guard: guard.to_string(),
            origin: "builtin".into(),
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
    let builtin_ids: HashSet<&str> = BUILTIN.iter().map(|(id, _, _)| *id).collect();
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

/// Refuses a rule text that cfn-guard could not handle without overflowing its stack: nesting deeper
/// than [`MAX_GUARD_NESTING`], or named rules depending on each other in a cycle or a chain longer
/// than [`MAX_RULE_CHAIN`]. A cheap scan of the text, done before cfn-guard parses it.
pub fn check_guard(text: &str) -> Result<(), (String, Option<Position>)> {
    // Regular expressions (`/.../`) may hold unbalanced brackets; whether a `/` starts one is not
    // known without parsing, so the text is scanned both ways and the deeper reading counts: brackets
    // in a regex cannot hide nesting from both.
    for regex in [true, false] {
        let scan = scan_guard(text, regex);
        if let Some(at) = scan.too_deep {
            return Err((
                format!(
                    "the rule nests deeper than {MAX_GUARD_NESTING} levels of {{, [ or (: not loaded"
                ),
                Some(at),
            ));
        }
    }
    rule_chain(&scan_guard(text, true).words)
}

/// An identifier of a rule text, with what surrounds it.
struct Word<'t> {
    text: &'t str,
    at: Position,
    /// The nesting depth where it is.
    depth: usize,
    /// The characters before and after it, spaces skipped.
    before: Option<char>,
    after: Option<char>,
}

struct GuardScan<'t> {
    too_deep: Option<Position>,
    words: Vec<Word<'t>>,
}

/// Brackets and identifiers of a Guard text, outside strings and comments (`#` to the end of the
/// line); `regex`: whether `/.../` is skipped as a regular expression.
fn scan_guard(text: &str, regex: bool) -> GuardScan<'_> {
    let mut out = GuardScan {
        too_deep: None,
        words: Vec::new(),
    };
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut chars = text.char_indices().peekable();
    let mut last: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        column += 1;
        match c {
            '\n' => (line, column) = (line + 1, 0),
            '#' => while chars.next_if(|(_, c)| *c != '\n').is_some() {},
            '"' | '\'' => skip_quoted(&mut chars, c, &mut line, &mut column),
            '/' if regex => skip_quoted(&mut chars, c, &mut line, &mut column),
            '{' | '[' | '(' => {
                depth += 1;
                if depth > MAX_GUARD_NESTING && out.too_deep.is_none() {
                    out.too_deep = Some(Position { line, column });
                }
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            c if c.is_alphanumeric() || c == '_' => {
                let mut end = i + c.len_utf8();
                while let Some((j, d)) = chars.next_if(|(_, d)| d.is_alphanumeric() || *d == '_') {
                    end = j + d.len_utf8();
                    column += 1;
                }
                let after = text[end..].chars().find(|c| !c.is_whitespace());
                out.words.push(Word {
                    text: &text[i..end],
                    at: Position {
                        line,
                        column: column - text[i..end].chars().count() + 1,
                    },
                    depth,
                    before: last,
                    after,
                });
                last = text[..end].chars().next_back();
                continue;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            last = Some(c);
        }
    }
    out
}

/// Skips to the end of a string or regex opened by `quote` (backslash escapes honoured).
fn skip_quoted(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    quote: char,
    line: &mut usize,
    column: &mut usize,
) {
    let mut escaped = false;
    for (_, c) in chars.by_ref() {
        *column += 1;
        if c == '\n' {
            (*line, *column) = (*line + 1, 0);
        }
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, c) if c == quote => return,
            _ => {}
        }
    }
}

/// Checks the dependencies between the named rules of one file: each `rule NAME` at the top level,
/// and the other rules' names used in its text (not as a field `.name`, a variable `%name`, or a
/// query root `name.x` / `name[...]`).
fn rule_chain(words: &[Word]) -> Result<(), (String, Option<Position>)> {
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut declared: Vec<(&str, Position)> = Vec::new();
    for pair in words.windows(2) {
        if pair[0].text == "rule" && pair[0].depth == 0 && pair[1].depth == 0 {
            names.entry(pair[1].text).or_insert(declared.len());
            declared.push((pair[1].text, pair[1].at));
        }
    }
    let mut uses: Vec<Vec<usize>> = vec![Vec::new(); declared.len()];
    let mut current: Option<usize> = None;
    let mut previous = "";
    for w in words {
        if previous == "rule" && w.depth == 0 {
            current = names.get(w.text).copied();
        } else if let (Some(from), Some(&to)) = (current, names.get(w.text))
            && !matches!(w.before, Some('.' | '%'))
            && !matches!(w.after, Some('.' | '['))
        {
            uses[from].push(to);
        }
        previous = w.text;
    }
    // Longest chain by repeated relaxation over a topological order (Kahn): no recursion, so a
    // hostile file cannot overflow this check either.
    let n = declared.len();
    let mut indegree = vec![0usize; n];
    for to in uses.iter().flatten() {
        indegree[*to] += 1;
    }
    let mut queue: Vec<usize> = (0..n).filter(|i| indegree[*i] == 0).collect();
    let mut chain = vec![1usize; n];
    let mut done = 0;
    while let Some(from) = queue.pop() {
        done += 1;
        for &to in &uses[from] {
            chain[to] = chain[to].max(chain[from] + 1);
            if chain[to] > MAX_RULE_CHAIN {
                return Err((
                    format!(
                        "rules of this file depend on each other in a chain longer than \
                         {MAX_RULE_CHAIN} rules (at rule {}): not loaded",
                        declared[to].0
                    ),
                    Some(declared[to].1),
                ));
            }
            indegree[to] -= 1;
            if indegree[to] == 0 {
                queue.push(to);
            }
        }
    }
    if done < n {
        let (name, at) = declared[(0..n).find(|i| indegree[*i] > 0).unwrap_or(0)];
        return Err((
            format!("rule {name} depends on itself through other rules (a cycle): not loaded"),
            Some(at),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_strings_comments_and_regexes() {
        let ok = "rule r { x == \"{{{{\" # ((((\n y == /[[[[/ }";
        assert!(check_guard(ok).is_ok());
        let deep = format!(
            "rule r {{\n{}x == 1{}\n}}",
            "a {".repeat(100),
            "}".repeat(100)
        );
        let (message, at) = check_guard(&deep).unwrap_err();
        assert!(message.contains("deeper than 64"), "{message}");
        assert_eq!(at.map(|p| p.line), Some(2));
        // Closing brackets in a regex do not hide the depth.
        let hidden = format!(
            "rule r {{ x == /{}/ {} }}",
            "}".repeat(100),
            "a {".repeat(100)
        );
        assert!(check_guard(&hidden).is_err());
    }

    #[test]
    fn rule_cycles_and_long_chains_are_refused() {
        let cycle = "rule a when b { x == 1 }\nrule b when a { x == 1 }\n";
        let (message, _) = check_guard(cycle).unwrap_err();
        assert!(message.contains("cycle"), "{message}");
        let chain: String = (0..100)
            .map(|i| format!("rule c{i} when c{} {{ x == 1 }}\n", i + 1))
            .collect::<String>()
            + "rule c100 { x == 1 }\n";
        let (message, _) = check_guard(&chain).unwrap_err();
        assert!(message.contains("chain longer than 16"), "{message}");
        // A field or variable named like a rule is not a use of it.
        let fields = "let service = units[*]\nrule service { %service.service == 1 units[*].service != 2 }\n";
        assert!(check_guard(fields).is_ok());
        let uses = "rule a { x == 1 }\nrule b when a { a }\n";
        assert!(check_guard(uses).is_ok());
    }

    #[test]
    fn the_builtin_rules_pass_the_check() {
        for (id, guard, _) in BUILTIN {
            assert!(check_guard(guard).is_ok(), "{id}: {:?}", check_guard(guard));
        }
    }

    #[test]
    fn toml_errors_have_a_position() {
        assert_eq!(position_of("a\nbé = x", 7), Position { line: 2, column: 5 });
    }
}
