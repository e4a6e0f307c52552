//! Policy documents of a template: objects as written, JSON strings parsed with their spans.

use super::eval::{Template, same_shape, unknown};
use crate::source::{ErrorKind, json};
use crate::value::{Node, NodeKind, Span};

impl Template<'_> {
    /// A policy document's possible values: objects as they are, JSON strings parsed with spans.
    pub fn policy_nodes(&self, node: &Node) -> Vec<Node> {
        self.eval(node, 0)
            .into_iter()
            .map(|n| match &n.kind {
                NodeKind::Str(t) => match t.as_literal() {
                    Some(s) => self.string_policy(&s, n.span),
                    None => n,
                },
                _ => n,
            })
            .collect()
    }

    /// A policy written as a JSON string. Where the string's text appears verbatim in the file (a
    /// plain or single-quoted scalar, a `|` or `>` block), elements get their exact spans; otherwise
    /// (escapes) every element points at the whole string.
    fn string_policy(&self, s: &str, span: Span) -> Node {
        let mut node = match json::parse(s, span.file, 0) {
            Ok(n) => n,
            Err(e) => {
                self.error(
                    span,
                    ErrorKind::Parse,
                    format!("the policy string is not valid JSON: {e}"),
                );
                return unknown("the policy is not valid JSON", span);
            }
        };
        let snippet = self.sources.snippet(span);
        let base = span.start as usize;
        if let Some(pos) = snippet.find(s)
            && let Ok(exact) = json::parse(s, span.file, base + pos)
        {
            return exact;
        }
        if let (Some(a), Some(b)) = (snippet.find(['{', '[']), snippet.rfind(['}', ']']))
            && let Some(raw) = snippet.get(a..=b)
            && let Ok(exact) = json::parse(raw, span.file, base + a)
            && same_shape(&exact, &node)
        {
            return exact;
        }
        node.set_spans(span);
        node
    }
}

/// A `{"Statement": [...]}` map made of the statements of several documents.
pub fn merge_documents(docs: Vec<Node>, span: Span) -> Node {
    let mut statements = Vec::new();
    for d in docs {
        match d.kind {
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    if k.name == "Statement" {
                        match v.kind {
                            NodeKind::List(items) => statements.extend(items),
                            _ => statements.push(v),
                        }
                    }
                }
            }
            NodeKind::Str(t) => statements.push(unknown(
                format!(
                    "the policy is built from {}, which cannot be evaluated statically",
                    t.first_unknown().unwrap_or("a value")
                ),
                d.span,
            )),
            _ => statements.push(d),
        }
    }
    crate::iam::policy::statement_document(statements, span)
}
