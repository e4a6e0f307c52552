//! Terraform's JSON syntax (`.tf.json`) rewritten as native HCL, so that one evaluator serves both.
//!
//! Every JSON token that can end up in a finding (strings, numbers, keys) is copied byte for byte into
//! the HCL text, and a [`Segment`] records where it came from; the source map reports spans of the
//! HCL text at the JSON file's positions. JSON strings are HCL templates already (`"${aws_iam_role.x.arn}"`
//! means the same in both), and their escapes are HCL escapes too, except `\/`, which is rewritten.
//!
//! Which objects are nested blocks and which are object values is known to Terraform from the provider
//! schema; here, keys that name the blocks passrole reads (`statement`, `principals`, the nested blocks
//! of the passer catalog, ...) are written as blocks, everything else as values.

use crate::source::Segment;
use crate::source::json::{self, JsonError};
use crate::value::{FileId, Node, NodeKind, Span};
use std::collections::HashSet;

/// Top-level keys whose entries are `KEY "LABEL" ... { body }` blocks, with how many labels.
const LABELED: &[(&str, usize)] = &[
    ("resource", 2),
    ("data", 2),
    ("module", 1),
    ("variable", 1),
    ("output", 1),
];

/// Nested block names of the resources passrole reads, beside those of the passer catalog.
const BLOCKS: &[&str] = &[
    "statement",
    "principals",
    "not_principals",
    "condition",
    "inline_policy",
    "content",
];

/// Rewrites a `.tf.json` text as HCL. `blocks` are the nested block names to write as blocks.
pub fn to_hcl(
    text: &str,
    file: FileId,
    blocks: &HashSet<String>,
) -> Result<(String, Vec<Segment>), JsonError> {
    let root = json::parse(text, file, 0)?;
    let mut w = Writer {
        text,
        out: String::with_capacity(text.len() * 2),
        segments: Vec::new(),
        blocks,
    };
    for (key, value) in entries(&root) {
        if let Some((_, labels)) = LABELED.iter().find(|(k, _)| *k == key.name) {
            w.labeled(&key.name, value, *labels, &mut Vec::new());
        } else if key.name == "locals" {
            for body in maps(value) {
                w.out.push_str("locals {\n");
                w.body(body);
                w.out.push_str("}\n");
            }
        }
    }
    Ok((w.out, w.segments))
}

/// The nested block names to write as blocks: the built-in ones and the catalog's.
pub fn block_names(catalog: &crate::resolve::catalog::Catalog) -> HashSet<String> {
    let mut names: HashSet<String> = BLOCKS.iter().map(|s| s.to_string()).collect();
    for passer in &catalog.terraform {
        // The steps before the last are blocks, up to a `{json}` attribute: it and the keys inside
        // its document are not.
        let blocks = passer.path.iter().take_while(|s| !s.json);
        for step in blocks.take(passer.path.len().saturating_sub(1)) {
            names.insert(step.name.clone());
        }
    }
    names
}

fn entries(node: &Node) -> Vec<(&crate::value::Key, &Node)> {
    match &node.kind {
        NodeKind::Map(e) => e.iter().map(|(k, v)| (k, v)).collect(),
        // `{"resource": [{...}, {...}]}`: a list of objects is the same as their entries.
        NodeKind::List(items) => items.iter().flat_map(entries).collect(),
        _ => Vec::new(),
    }
}

fn maps(node: &Node) -> Vec<&Node> {
    match &node.kind {
        NodeKind::Map(_) => vec![node],
        NodeKind::List(items) => items
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Map(_)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A template as an HCL quoted string: literal parts escaped, `${...}`/`%{...}` parts as written
/// (HCL reads quotes inside an interpolation as part of its expression).
fn hcl_quoted_template(template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 2);
    out.push('"');
    let mut depth = 0usize;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if depth == 0 {
            match c {
                '$' | '%' if chars.peek() == Some(&'{') => {
                    out.push(c);
                    out.push('{');
                    chars.next();
                    depth = 1;
                }
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        } else {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// A valid HCL identifier (attribute and block names).
fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

struct Writer<'t> {
    text: &'t str,
    out: String,
    segments: Vec<Segment>,
    blocks: &'t HashSet<String>,
}

impl Writer<'_> {
    /// Copies the source bytes of a span, recording where they came from.
    fn copy(&mut self, span: Span) {
        let Some(raw) = self.text.get(span.start as usize..span.end as usize) else {
            return;
        };
        let synth = self.out.len() as u32;
        if raw.starts_with('"') && raw.contains('\\') {
            // JSON escapes are decoded before Terraform reads the template, and inside `${...}`
            // they are not HCL escapes: write the decoded template, quoted for HCL. The rewritten
            // token maps to its start.
            let decoded = json::parse(raw, FileId(0), 0)
                .ok()
                .and_then(|n| n.as_text().and_then(crate::value::Text::as_literal))
                .unwrap_or_default();
            let rewritten = hcl_quoted_template(&decoded);
            self.segments.push(Segment {
                synth,
                orig: span.start,
                synth_len: rewritten.len() as u32,
                orig_len: raw.len() as u32,
            });
            self.out.push_str(&rewritten);
            return;
        }
        self.out.push_str(raw);
        self.segments.push(Segment {
            synth,
            orig: span.start,
            synth_len: raw.len() as u32,
            orig_len: raw.len() as u32,
        });
    }

    /// `resource` → type → name → body, as `resource "type" "name" { body }`.
    fn labeled<'n>(
        &mut self,
        kind: &str,
        node: &'n Node,
        labels: usize,
        keys: &mut Vec<&'n crate::value::Key>,
    ) {
        if keys.len() == labels {
            for body in maps(node) {
                self.out.push_str(kind);
                for k in keys.iter() {
                    self.out.push(' ');
                    self.copy(k.span);
                }
                self.out.push_str(" {\n");
                self.body(body);
                self.out.push_str("}\n");
            }
            return;
        }
        for (key, value) in entries(node) {
            keys.push(key);
            self.labeled(kind, value, labels, keys);
            keys.pop();
        }
    }

    fn body(&mut self, node: &Node) {
        for (key, value) in entries(node) {
            if !is_ident(&key.name) {
                continue;
            }
            if key.name == "dynamic" {
                // `"dynamic": {"statement": {"for_each": ..., "content": {...}}}`
                for (label, body) in entries(value) {
                    for b in maps(body) {
                        self.out.push_str("dynamic ");
                        self.copy(label.span);
                        self.out.push_str(" {\n");
                        self.body(b);
                        self.out.push_str("}\n");
                    }
                }
            } else if self.blocks.contains(&key.name) && !maps(value).is_empty() {
                for b in maps(value) {
                    self.out.push_str(&key.name);
                    self.out.push_str(" {\n");
                    self.body(b);
                    self.out.push_str("}\n");
                }
            } else {
                self.out.push_str(&key.name);
                self.out.push_str(" = ");
                self.expr(value);
                self.out.push('\n');
            }
        }
    }

    fn expr(&mut self, node: &Node) {
        match &node.kind {
            NodeKind::List(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(item);
                }
                self.out.push(']');
            }
            NodeKind::Map(entries) => {
                self.out.push_str("{\n");
                for (k, v) in entries {
                    self.copy(k.span);
                    self.out.push_str(" = ");
                    self.expr(v);
                    self.out.push('\n');
                }
                self.out.push('}');
            }
            _ => self.copy(node.span),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_blocks_and_maps_tokens_back() {
        let text = r#"{"resource": {"aws_lambda_function": {"fn": {"role": "${aws_iam_role.x.arn}", "tags": {"a": "b"}}}}}"#;
        let blocks: HashSet<String> = BLOCKS.iter().map(|s| s.to_string()).collect();
        let (hcl, segments) = to_hcl(text, FileId(0), &blocks).unwrap();
        assert!(
            hcl.starts_with(
                "resource \"aws_lambda_function\" \"fn\" {\nrole = \"${aws_iam_role.x.arn}\""
            ),
            "{hcl}"
        );
        hcl_edit::parser::parse_body(&hcl).unwrap();
        let role = segments
            .iter()
            .find(|s| hcl[s.synth as usize..].starts_with("\"${"))
            .unwrap();
        assert_eq!(
            &text[role.orig as usize..(role.orig + role.orig_len) as usize],
            "\"${aws_iam_role.x.arn}\""
        );
    }

    #[test]
    fn statements_are_blocks() {
        let text = r#"{"data": {"aws_iam_policy_document": {"d": {"statement": [{"actions": ["iam:PassRole"], "resources": ["*"]}]}}}}"#;
        let blocks: HashSet<String> = BLOCKS.iter().map(|s| s.to_string()).collect();
        let (hcl, _) = to_hcl(text, FileId(0), &blocks).unwrap();
        assert!(
            hcl.contains("statement {\nactions = [\"iam:PassRole\"]"),
            "{hcl}"
        );
    }
}
