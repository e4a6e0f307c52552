//! Policy documents of a template: objects as written, JSON strings parsed with their spans.

use super::eval::{MAX_DEPTH, Template, intrinsic, same_shape, unknown};
use crate::source::{ErrorKind, json};
use crate::value::{Key, Node, NodeKind, Span};

impl Template<'_> {
    /// A policy document's possible values: objects as they are, JSON strings parsed with spans.
    pub fn policy_nodes(&self, node: &Node) -> Vec<Node> {
        if let Some(doc) = self.sub_json_policy(node) {
            return vec![doc];
        }
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

    /// A policy written as JSON in an `Fn::Sub` template (`!Sub '{"Statement": [...
    /// "Resource": "arn:aws:sqs:${AWS::Region}:..."}]}'`): the template is parsed as JSON with its
    /// spans, then each string holding a `${..}` is substituted on its own, so an unknown variable is
    /// an unknown part of that one value, not of the whole policy. `None` when the template is not a
    /// JSON document as written (a variable outside a string), which is then evaluated as a string.
    fn sub_json_policy(&self, node: &Node) -> Option<Node> {
        let (name, args) = intrinsic(node)?;
        if name != "Fn::Sub" {
            return None;
        }
        let (template, vars) = match &args.kind {
            NodeKind::List(items) if !items.is_empty() && items.len() <= 2 => {
                (&items[0], items.get(1))
            }
            NodeKind::Str(_) => (args, None),
            _ => return None,
        };
        let text = template.as_text()?.as_literal()?;
        if !text.contains("${") || !text.trim_start().starts_with('{') {
            return None;
        }
        json::parse(&text, template.span.file, 0).ok()?;
        let mut doc = self.string_policy(&text, template.span);
        self.substitute_strings(&mut doc, vars, 0);
        Some(doc)
    }

    /// Every string of a parsed `Fn::Sub` template with its variables evaluated (several possible
    /// values become a list of them, as elsewhere in policies).
    fn substitute_strings(&self, node: &mut Node, vars: Option<&Node>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match &mut node.kind {
            NodeKind::List(items) => items
                .iter_mut()
                .for_each(|n| self.substitute_strings(n, vars, depth + 1)),
            NodeKind::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, v)| self.substitute_strings(v, vars, depth + 1)),
            NodeKind::Str(t) => {
                let Some(s) = t.as_literal().filter(|s| s.contains("${")) else {
                    return;
                };
                let span = node.span;
                let key = Key {
                    name: "Fn::Sub".into(),
                    span,
                };
                let mut args = vec![Node::str(s, span)];
                args.extend(vars.cloned());
                let sub = Node::new(
                    NodeKind::Map(vec![(key, Node::new(NodeKind::List(args), span))]),
                    span,
                );
                let mut values = self.eval(&sub, depth + 1);
                values.iter_mut().for_each(|v| v.span = span);
                *node = match values.len() {
                    1 => values.remove(0),
                    _ => Node::new(NodeKind::List(values), span),
                };
            }
            _ => {}
        }
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
