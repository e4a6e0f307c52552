//! Object constructors with a repeated key: `{ a = 1, a = 2 }`.
//!
//! Terraform accepts them and keeps the last value: HCL's `ObjectConsExpr.Value` (hashicorp/hcl,
//! `hclsyntax/expression.go`) evaluates the items in order into a map, so a later item overwrites an
//! earlier one with the same key (only object `for` expressions reject duplicates, as the HCL spec
//! says). hcl-edit 0.10 rejects the whole file instead ("expected unique object key; found redefined
//! object key") and has no option to do otherwise.
//!
//! So a file that fails that way is parsed again from a copy in which every earlier item of a repeated
//! key is blanked out with spaces (newlines kept): the copy has the same length and the same bytes
//! everywhere else, so every span of the tree is a span of the original file, and the tree holds the
//! items Terraform keeps. To find the earlier items, the later keys are first renamed to placeholders
//! of the same length (which makes the file parse), and the tree of that copy is searched.

use hcl_edit::Span;
use hcl_edit::expr::{Object, ObjectKey, ObjectValue};
use hcl_edit::parser::{Error, parse_body};
use hcl_edit::structure::Body;
use hcl_edit::visit::{Visit, visit_object};
use std::collections::BTreeSet;
use std::ops::Range;

/// The bytes parsed, over all rounds, to find the repeated keys of one file (each round parses the
/// whole file and finds one key, or tries another placeholder): a file made of repeated keys costs
/// a bounded amount of parsing, whatever its size. A file under 2 MiB gets at least 32 rounds, none
/// more than [`MAX_ROUNDS`]; a huge file at least one.
const PARSE_BUDGET: usize = 64 << 20;
const MAX_ROUNDS: usize = 4_096;

/// Whether hcl-edit rejected the file for a repeated object key.
pub fn is_repeated_key(error: &Error) -> bool {
    error.message().contains("redefined object key")
}

/// Parses `text`, keeping the last item of each repeated object key as Terraform does. When the file
/// has another error, that error is returned (its offset is the same in the original); when its
/// repeated keys cannot be resolved (past the parse budget, or keys that are expressions), `first`.
pub fn parse_keeping_last(text: &str, first: Error) -> Result<Body, Error> {
    let (probe_body, later_keys) = match placeholders(text, &first) {
        Ok(found) => found,
        Err(other) => return Err(other.unwrap_or(first)),
    };
    let mut finder = EarlierItems {
        original: text,
        later_keys: &later_keys,
        blank: Vec::new(),
    };
    finder.visit_body(&probe_body);
    if finder.blank.is_empty() {
        return Err(first);
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in &finder.blank {
        for b in bytes.get_mut(range.clone()).into_iter().flatten() {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    // Whole characters were replaced byte by byte with spaces, so the text is still UTF-8.
    let Ok(blanked) = String::from_utf8(bytes) else {
        return Err(first);
    };
    parse_body(&blanked).map_err(|_| first)
}

/// Renames each later repeated key to a placeholder of the same length until the file parses.
/// Returns the tree of that copy and the byte ranges of the renamed keys; else the file's other
/// error, or `None` when the repeated keys cannot be resolved.
fn placeholders(text: &str, first: &Error) -> Result<(Body, Vec<Range<usize>>), Option<Error>> {
    let mut copy = text.to_string();
    let mut later: Vec<Range<usize>> = Vec::new();
    let mut tried: Vec<(usize, usize)> = Vec::new();
    let mut error_offset = first.location().offset();
    let rounds = (PARSE_BUDGET / text.len().max(1)).clamp(1, MAX_ROUNDS);
    for _ in 0..rounds {
        let key = key_at(text, error_offset).ok_or(None)?;
        let attempt = tried
            .iter()
            .find(|(at, _)| *at == key.start)
            .map_or(0, |(_, n)| n + 1);
        let name = placeholder(&text[key.clone()], attempt).ok_or(None)?;
        copy.replace_range(key.clone(), &name);
        match tried.iter_mut().find(|(at, _)| *at == key.start) {
            Some(entry) => entry.1 = attempt,
            None => tried.push((key.start, attempt)),
        }
        if !later.contains(&key) {
            later.push(key);
        }
        match parse_body(&copy) {
            Ok(body) => return Ok((body, later)),
            Err(e) if is_repeated_key(&e) => error_offset = e.location().offset(),
            Err(e) => return Err(Some(e)),
        }
    }
    Err(None)
}

/// The byte range of the object key that starts at `at`: an identifier or a quoted string without
/// interpolation. Other keys (expressions in parentheses) are not renamed.
fn key_at(text: &str, at: usize) -> Option<Range<usize>> {
    let rest = text.get(at..)?;
    let first = rest.chars().next()?;
    if first == '"' {
        let mut escaped = false;
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '$' | '%' if rest[i + 1..].starts_with('{') => return None,
                '"' => return Some(at..at + i + 1),
                '\n' => return None,
                _ => {}
            }
        }
        return None;
    }
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    let len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    Some(at..at + len)
}

/// The `attempt`-th placeholder for a key written as `key`: the same number of bytes, a different
/// name. Quoted keys keep their quotes.
fn placeholder(key: &str, attempt: usize) -> Option<String> {
    const FILL: &[u8] = b"_zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA";
    let (quoted, inner) = match key.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
        Some(inner) => (true, inner),
        None => (false, key),
    };
    if inner.is_empty() {
        return None;
    }
    let name = FILL
        .iter()
        .map(|&c| (c as char).to_string().repeat(inner.len()))
        .filter(|name| name != inner)
        .nth(attempt)?;
    Some(if quoted { format!("\"{name}\"") } else { name })
}

/// Finds, in the objects that hold a renamed key, every item of a repeated key but the last.
struct EarlierItems<'a> {
    original: &'a str,
    later_keys: &'a [Range<usize>],
    blank: Vec<Range<usize>>,
}

impl EarlierItems<'_> {
    /// The item's bytes from its key to its value, and a comma right after it.
    fn item_range(&self, key: &ObjectKey, value: &ObjectValue) -> Option<Range<usize>> {
        let start = key.span()?.start;
        let end = value.expr().span()?.end;
        let after = self.original.get(end..)?;
        let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
        let end = if after[spaces..].starts_with(',') {
            end + spaces + 1
        } else {
            end
        };
        Some(start..end)
    }
}

impl Visit for EarlierItems<'_> {
    fn visit_object(&mut self, node: &Object) {
        let keys: Vec<Option<Range<usize>>> = node.iter().map(|(k, _)| k.span()).collect();
        if keys.iter().flatten().any(|k| self.later_keys.contains(k)) {
            // Items are compared by their keys as written in the original file; of those written
            // alike, all but the last are dropped.
            let written: Vec<Option<&str>> = keys
                .iter()
                .map(|k| k.clone().and_then(|k| self.original.get(k)))
                .collect();
            let mut seen_later: BTreeSet<&str> = BTreeSet::new();
            let items: Vec<(&ObjectKey, &ObjectValue)> = node.iter().collect();
            for (i, (key, value)) in items.iter().enumerate().rev() {
                let Some(name) = written[i] else { continue };
                if !seen_later.insert(name)
                    && let Some(range) = self.item_range(key, value)
                {
                    self.blank.push(range);
                }
            }
        }
        visit_object(self, node);
    }
}

/// What the error of a file whose repeated keys could not be resolved says.
pub const UNRESOLVED: &str = "an object repeats a key in a way passrole does not resolve (too many \
     repeated keys in one file, or keys written as expressions); Terraform keeps the last value, \
     passrole skips the file";

#[cfg(test)]
mod tests {
    use super::*;
    use hcl_edit::expr::Expression;

    fn parse(text: &str) -> Result<Body, Error> {
        parse_body(text).or_else(|e| {
            if is_repeated_key(&e) {
                parse_keeping_last(text, e)
            } else {
                Err(e)
            }
        })
    }

    fn object_of(body: &Body, name: &str) -> Object {
        match &body.get_attribute(name).expect("attribute").value {
            Expression::Object(o) => o.clone(),
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn keeps_the_last_value_with_its_span() {
        let text = "x = { a = 1, b = 2, a = \"three\" }\n";
        let body = parse(text).expect("parses");
        let object = object_of(&body, "x");
        let items: Vec<_> = object.iter().collect();
        assert_eq!(items.len(), 2);
        let a = items
            .iter()
            .find(|(k, _)| k.as_ident().map(|i| i.as_str()) == Some("a"))
            .expect("a is kept");
        let span = a.1.expr().span().expect("span");
        assert_eq!(&text[span], "\"three\"");
    }

    #[test]
    fn several_repeats_across_objects_and_quoted_keys() {
        let text = "x = {\n  \"k\" = 1\n  k2 = { a = 1, a = 2, a = 3 }\n  \"k\" = 4\n}\ny = { _ = 1, _ = 2 }\n";
        let body = parse(text).expect("parses");
        let x = object_of(&body, "x");
        assert_eq!(x.len(), 2);
        let k = x.iter().last().expect("an item");
        assert_eq!(&text[k.1.expr().span().expect("span")], "4");
        let Expression::Object(inner) = x.iter().next().expect("k2").1.expr() else {
            panic!("k2 is an object")
        };
        assert_eq!(inner.len(), 1);
        let a = inner.iter().next().expect("a");
        assert_eq!(&text[a.1.expr().span().expect("span")], "3");
        assert_eq!(object_of(&body, "y").len(), 1);
    }

    #[test]
    fn repeated_expression_keys_stay_an_error() {
        let err = parse("x = { (var.a) = 1, (var.a) = 2 }\n").expect_err("not resolved");
        assert!(is_repeated_key(&err), "{}", err.message());
    }

    #[test]
    fn other_errors_are_kept() {
        let text = "x = { a = 1, a = 2 }\ny = (\n";
        let err = parse(text).expect_err("still invalid");
        // The error reported is the one Terraform would report too, on line 2.
        assert!(!is_repeated_key(&err), "{}", err.message());
        assert_eq!(err.location().line(), 2);
    }
}
