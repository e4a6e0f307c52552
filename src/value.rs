//! Format-neutral values with source spans.
//!
//! Every source (Terraform, CloudFormation, plan JSON) lowers the parts of its input that can end up in a
//! finding to a [`Node`] tree. Policy documents are read from `Node`s, so the IAM code never knows which
//! format a policy came from, and every element it reports on still knows where it was written.

use std::fmt;

/// Index of a file in the scan's [`crate::source::SourceMap`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
}

/// A string whose parts may be unknown until apply time (`"arn:aws:iam::${var.account}:role/app/*"`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Text {
    pub parts: Vec<TextPart>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextPart {
    /// Literal characters.
    Lit(String),
    /// A piece that cannot be known statically; the string says what it is (`var.account`).
    Unknown(String),
}

impl Text {
    pub fn lit(s: impl Into<String>) -> Text {
        Text {
            parts: vec![TextPart::Lit(s.into())],
        }
    }

    pub fn unknown(what: impl Into<String>) -> Text {
        Text {
            parts: vec![TextPart::Unknown(what.into())],
        }
    }

    /// The whole string, when every part is literal.
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                TextPart::Lit(s) => out.push_str(s),
                TextPart::Unknown(_) => return None,
            }
        }
        Some(out)
    }

    pub fn is_known(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, TextPart::Lit(_)))
    }

    /// Appends a part, merging neighbouring literals.
    pub fn push(&mut self, part: TextPart) {
        match (self.parts.last_mut(), part) {
            (Some(TextPart::Lit(prev)), TextPart::Lit(s)) => prev.push_str(&s),
            (_, TextPart::Lit(s)) if s.is_empty() => {}
            (_, p) => self.parts.push(p),
        }
    }

    pub fn append(&mut self, other: Text) {
        for p in other.parts {
            self.push(p);
        }
    }

    /// The first unknown part's description.
    pub fn first_unknown(&self) -> Option<&str> {
        self.parts.iter().find_map(|p| match p {
            TextPart::Unknown(w) => Some(w.as_str()),
            TextPart::Lit(_) => None,
        })
    }
}

impl fmt::Display for Text {
    /// Literal parts as written, unknown parts as `${what}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            match p {
                TextPart::Lit(s) => f.write_str(s)?,
                TextPart::Unknown(w) => write!(f, "${{{w}}}")?,
            }
        }
        Ok(())
    }
}

/// A map key with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

/// A value with the span of the source that wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    /// A number as written.
    Number(String),
    Str(Text),
    List(Vec<Node>),
    /// Entries in source order; duplicate keys are kept (the parser decides whether they are errors).
    Map(Vec<(Key, Node)>),
    /// A value that cannot be known statically, with the reason.
    Unknown(String),
}

impl Node {
    pub fn new(kind: NodeKind, span: Span) -> Node {
        Node { kind, span }
    }

    pub fn str(s: impl Into<String>, span: Span) -> Node {
        Node::new(NodeKind::Str(Text::lit(s)), span)
    }

    /// Looks up a map entry by key, case-sensitively; the last entry wins, as in JSON parsers.
    pub fn get(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.name == key)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The value as JSON, for the facts document: an unknown value (or unknown part of a string) is
    /// `null`, a number that JSON cannot hold stays a string.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null | NodeKind::Unknown(_) => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Number(n) => serde_json::from_str::<serde_json::Number>(n)
                .map(Value::Number)
                .unwrap_or_else(|_| Value::String(n.clone())),
            NodeKind::Str(t) => t.as_literal().map_or(Value::Null, Value::String),
            NodeKind::List(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Points every span of the value (keys included) at `span`: for a value parsed from a string
    /// whose own positions are unknown.
    pub fn set_spans(&mut self, span: Span) {
        self.span = span;
        match &mut self.kind {
            NodeKind::List(items) => items.iter_mut().for_each(|n| n.set_spans(span)),
            NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.span = span;
                v.set_spans(span)
            }),
            _ => {}
        }
    }

    pub fn as_text(&self) -> Option<&Text> {
        match &self.kind {
            NodeKind::Str(t) => Some(t),
            _ => None,
        }
    }

    /// The node as a list: lists are themselves, anything else is a list of one (IAM allows both).
    pub fn as_list(&self) -> Vec<&Node> {
        match &self.kind {
            NodeKind::List(items) => items.iter().collect(),
            _ => vec![self],
        }
    }
}

/// Drops every entry of a mapping whose key is written again later: the last value wins, as in
/// CloudFormation (JSON and YAML templates alike). Linear, whatever the number of repeats.
pub fn keep_last_entries(entries: &mut Vec<(Key, Node)>) {
    let mut seen = std::collections::HashSet::new();
    let mut keep: Vec<bool> = entries
        .iter()
        .rev()
        .map(|(k, _)| seen.insert(k.name.clone()))
        .collect();
    keep.reverse();
    let mut keep = keep.into_iter();
    entries.retain(|_| keep.next().unwrap_or(true));
}
