//! A cheap scan of a Guard rule text, before cfn-guard parses it, for what makes cfn-guard recurse
//! without bound: it parses and evaluates nested blocks, named rules that use each other and
//! variables defined by other variables recursively, with no depth limit and no cycle check, so a
//! hostile rule file overflows the stack and aborts the process (the whole report is lost).

use crate::source::Position;
use std::collections::HashMap;

/// Deepest nesting of `{`, `[` and `(` accepted in a Guard rule file. cfn-guard parses and evaluates
/// nested blocks recursively: about a thousand levels overflow the stack, which aborts the process
/// and loses the whole report. Real rules nest a handful of levels.
pub const MAX_GUARD_NESTING: usize = 64;

/// Longest chain of rules that depend on each other (`rule a when b`, `b` used as a clause), or of
/// variables defined by each other (`let a = %b`), accepted in one rule file. cfn-guard resolves
/// both recursively, with no cycle check: a cycle, two thousand rules or two hundred variables in a
/// chain overflow the stack; and from about 20 rules on, its evaluation record nests deeper than the
/// JSON reader accepts (128 levels), so the rule could not be read back anyway.
pub const MAX_RULE_CHAIN: usize = 16;

/// Refuses a rule text that cfn-guard could not handle without overflowing its stack: nesting deeper
/// than [`MAX_GUARD_NESTING`], or named rules or variables using each other in a cycle or a chain
/// longer than [`MAX_RULE_CHAIN`]. A cheap scan of the text, done before cfn-guard parses it.
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
    for regex in [true, false] {
        let words = scan_guard(text, regex).words;
        longest_chain(&rule_graph(&words), "rules")?;
        longest_chain(&variable_graph(&words), "variables")?;
    }
    Ok(())
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

/// Named things of a rule file (rules, variables) and which of them each one uses.
#[derive(Default)]
struct Graph<'t> {
    index: HashMap<&'t str, usize>,
    declared: Vec<(&'t str, Position)>,
    uses: Vec<Vec<usize>>,
}

impl<'t> Graph<'t> {
    /// The node of `name`, declared at `at` the first time.
    fn declare(&mut self, name: &'t str, at: Position) -> usize {
        *self.index.entry(name).or_insert_with(|| {
            self.declared.push((name, at));
            self.uses.push(Vec::new());
            self.declared.len() - 1
        })
    }
}

/// The named rules of one file (each `rule NAME` at the top level) and the other rules' names used
/// in each one's text (not as a field `.name`, a variable `%name`, or a query root `name.x` /
/// `name[...]`).
fn rule_graph<'t>(words: &[Word<'t>]) -> Graph<'t> {
    let mut graph = Graph::default();
    for pair in words.windows(2) {
        if pair[0].text == "rule" && pair[0].depth == 0 && pair[1].depth == 0 {
            graph.declare(pair[1].text, pair[1].at);
        }
    }
    let mut current: Option<usize> = None;
    let mut previous = "";
    for w in words {
        if previous == "rule" && w.depth == 0 {
            current = graph.index.get(w.text).copied();
        } else if let (Some(from), Some(&to)) = (current, graph.index.get(w.text))
            && !matches!(w.before, Some('.' | '%'))
            && !matches!(w.after, Some('.' | '['))
        {
            graph.uses[from].push(to);
        }
        previous = w.text;
    }
    graph
}

/// The variables of one file (`let NAME = value`) and the variables (`%other`) each one's value
/// uses. A value ends at the first line break outside the brackets it opened.
fn variable_graph<'t>(words: &[Word<'t>]) -> Graph<'t> {
    let mut graph = Graph::default();
    let mut values: Vec<(usize, &[Word<'t>])> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(name) = words.get(i + 1) else { break };
        if w.text != "let" || matches!(w.before, Some('.' | '%')) {
            continue;
        }
        let node = graph.declare(name.text, name.at);
        let rest = &words[i + 2..];
        // The value's first word belongs to it wherever it is (`let a =` may end a line).
        let mut line = rest.first().map_or(0, |v| v.at.line);
        let end = rest
            .iter()
            .skip(1)
            .position(|v| {
                let inside = v.depth > w.depth || v.at.line == line;
                line = v.at.line;
                !inside
            })
            .map_or(rest.len(), |p| p + 1);
        values.push((node, &rest[..end]));
    }
    for (node, value) in values {
        for v in value.iter().filter(|v| v.before == Some('%')) {
            if let Some(&to) = graph.index.get(v.text) {
                graph.uses[node].push(to);
            }
        }
    }
    graph
}

/// Refuses a cycle, or a chain longer than [`MAX_RULE_CHAIN`], of `what` (`rules`, `variables`)
/// using each other. Longest chains by relaxation over a topological order (Kahn): no recursion,
/// so a hostile file cannot overflow this check either.
fn longest_chain(graph: &Graph, what: &str) -> Result<(), (String, Option<Position>)> {
    let n = graph.declared.len();
    let mut indegree = vec![0usize; n];
    for to in graph.uses.iter().flatten() {
        indegree[*to] += 1;
    }
    let mut queue: Vec<usize> = (0..n).filter(|i| indegree[*i] == 0).collect();
    let mut chain = vec![1usize; n];
    let mut done = 0;
    while let Some(from) = queue.pop() {
        done += 1;
        for &to in &graph.uses[from] {
            chain[to] = chain[to].max(chain[from] + 1);
            if chain[to] > MAX_RULE_CHAIN {
                let (name, at) = graph.declared[to];
                return Err((
                    format!(
                        "{what} of this file use each other in a chain longer than \
                         {MAX_RULE_CHAIN} (at {name}): not loaded"
                    ),
                    Some(at),
                ));
            }
            indegree[to] -= 1;
            if indegree[to] == 0 {
                queue.push(to);
            }
        }
    }
    if done < n {
        let (name, at) = graph.declared[(0..n).find(|i| indegree[*i] > 0).unwrap_or(0)];
        return Err((
            format!("{name} uses itself, directly or through other {what} (a cycle): not loaded"),
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
    fn variable_cycles_and_long_chains_are_refused() {
        let (message, at) = check_guard("let a = %a\nrule s { %a.kind != 1 }\n").unwrap_err();
        assert!(message.contains("a uses itself"), "{message}");
        assert_eq!(at.map(|p| p.line), Some(1));
        let cycle = "let a = %b[*]\nlet b = units[\n  %a\n]\nrule s { %a.x == 1 }\n";
        assert!(check_guard(cycle).is_err());
        assert!(check_guard("let a =\n  %a\nrule s { %a.x == 1 }\n").is_err());
        let chain: String = (0..40)
            .map(|i| format!("let v{i} = %v{}\n", i + 1))
            .collect::<String>()
            + "let v40 = units[*]\nrule l { %v0.kind != 1 }\n";
        let (message, _) = check_guard(&chain).unwrap_err();
        assert!(message.contains("variables"), "{message}");
        // A variable used by the clauses after it, in a rule or at the top level, is no cycle.
        let uses = "let a = units[*]\nrule r {\n  let b = %a[ kind exists ]\n  %b.kind != 1\n  %a.kind != 2\n}\n";
        assert!(check_guard(uses).is_ok(), "{:?}", check_guard(uses));
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
}
