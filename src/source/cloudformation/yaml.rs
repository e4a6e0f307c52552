//! CloudFormation YAML to spanned [`Node`]s.
//!
//! Built on `saphyr-parser`'s event API, which reports tags and positions. What this front-end adds:
//! - CloudFormation's short-form tags become the long form (`!GetAtt A.Arn` → `{"Fn::GetAtt": ["A",
//!   "Arn"]}`, `!Ref X` → `{"Ref": "X"}`), so the lowering reads one shape for YAML and JSON.
//! - Byte spans: saphyr counts characters; offsets are converted to bytes, so spans stay right after
//!   non-ASCII text.
//! - Limits, since inputs are untrusted: aliases are expanded (CloudFormation has no aliases of its own)
//!   with a bound on the nodes they add, so a "billion laughs" template is an error instead of an OOM;
//!   nesting is bounded, so 10,000 nested sequences are an error instead of a deep tree.
//! - A key written twice in one mapping is an error at the second key (CloudFormation rejects it).

use crate::source::ErrorKind;
use crate::value::{FileId, Key, Node, NodeKind, Span, Text};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::collections::{HashMap, HashSet};

/// Deepest nesting of sequences and mappings accepted (the JSON parser's limit).
pub const MAX_DEPTH: usize = crate::source::json::MAX_DEPTH;

/// Most nodes that alias expansion may add to a document. Real templates use a handful of aliases, if
/// any (CloudFormation's own YAML reader does not accept them); this bounds memory for hostile input.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// Mappings with fewer entries than this are checked for duplicate keys by a linear scan.
const LINEAR_DUPLICATE_SCAN: usize = 16;

/// Why a YAML document could not be read, and where (byte offset in the file).
#[derive(Clone, Debug, PartialEq)]
pub struct YamlError {
    pub kind: ErrorKind,
    pub offset: usize,
    pub message: String,
}

/// The intrinsic function a short-form tag stands for (`!Ref` → `Ref`, `!GetAtt` → `Fn::GetAtt`).
fn long_form(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "GetAtt" => "Fn::GetAtt",
        "Sub" => "Fn::Sub",
        "Join" => "Fn::Join",
        "If" => "Fn::If",
        "Select" => "Fn::Select",
        "FindInMap" => "Fn::FindInMap",
        "ImportValue" => "Fn::ImportValue",
        "Split" => "Fn::Split",
        "Base64" => "Fn::Base64",
        "Equals" => "Fn::Equals",
        "Not" => "Fn::Not",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "GetAZs" => "Fn::GetAZs",
        "Cidr" => "Fn::Cidr",
        "Transform" => "Fn::Transform",
        "Length" => "Fn::Length",
        "ToJsonString" => "Fn::ToJsonString",
        _ => return None,
    })
}

/// Character index → byte offset, for saphyr's character-counted marks. ASCII text maps 1:1; other
/// text keeps a byte offset every [`CharIndex::STRIDE`] characters and walks from there.
struct CharIndex<'a> {
    text: &'a str,
    ascii: bool,
    checkpoints: Vec<usize>,
}

impl<'a> CharIndex<'a> {
    const STRIDE: usize = 256;

    fn new(text: &'a str) -> CharIndex<'a> {
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(Self::STRIDE)
                .map(|(b, _)| b)
                .collect()
        };
        CharIndex {
            text,
            ascii,
            checkpoints,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        let Some(&base) = self.checkpoints.get(char_index / Self::STRIDE) else {
            return self.text.len();
        };
        let rest = self.text.get(base..).unwrap_or("");
        match rest.char_indices().nth(char_index % Self::STRIDE) {
            Some((b, _)) => base + b,
            None => self.text.len(),
        }
    }
}

/// A sequence or mapping whose end has not been read yet.
enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        entries: Vec<(Key, Node)>,
        key: Option<Key>,
        seen: HashSet<String>,
    },
}

/// A finished node, with its scalar text when it was a plain untagged scalar (for use as a key).
struct Built {
    node: Node,
    key_text: Option<String>,
    /// Nodes in the subtree (for the alias bound).
    size: usize,
}

struct Builder<'a> {
    file: FileId,
    chars: CharIndex<'a>,
    stack: Vec<Frame>,
    /// Sizes of the subtrees under construction, parallel to `stack`.
    sizes: Vec<usize>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    root: Option<Node>,
    documents: usize,
}

/// Parses a CloudFormation YAML template into a spanned node tree.
pub fn parse(text: &str, file: FileId) -> Result<Node, YamlError> {
    // saphyr-parser is third-party code on untrusted input: a panic in it must not end the scan.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse_inner(text, file)));
    match result {
        Ok(r) => r,
        Err(_) => Err(YamlError {
            kind: ErrorKind::Parse,
            offset: 0,
            message: "the YAML parser failed on this file".into(),
        }),
    }
}

fn parse_inner(text: &str, file: FileId) -> Result<Node, YamlError> {
    let mut b = Builder {
        file,
        chars: CharIndex::new(text),
        stack: Vec::new(),
        sizes: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        root: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(ev) = parser.next_event() {
        let (event, span) = ev.map_err(|e| {
            let offset = b.chars.byte(e.marker().index());
            // The scanner's own bound on flow nesting.
            if e.info().contains("recursion limit") {
                YamlError {
                    kind: ErrorKind::Limit,
                    offset,
                    message: "flow sequences and mappings nest too deeply".into(),
                }
            } else {
                YamlError {
                    kind: ErrorKind::Parse,
                    offset,
                    message: format!("invalid YAML: {}", e.info()),
                }
            }
        })?;
        let start = b.chars.byte(span.start.index());
        let end = b.chars.byte(span.end.index());
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                b.documents += 1;
                if b.documents > 1 {
                    return Err(YamlError {
                        kind: ErrorKind::Parse,
                        offset: start,
                        message: "a template must be a single YAML document".into(),
                    });
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let built = b.scalar(&value, style, tag.as_deref(), start, end);
                b.finish(built, anchor, start)?;
            }
            Event::SequenceStart(anchor, tag) => {
                b.open(start)?;
                b.stack.push(Frame::Seq {
                    start,
                    anchor,
                    tag: tag_name(tag.as_deref()),
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                b.open(start)?;
                b.stack.push(Frame::Map {
                    start,
                    anchor,
                    tag: tag_name(tag.as_deref()),
                    entries: Vec::new(),
                    key: None,
                    seen: HashSet::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (Some(frame), Some(size)) = (b.stack.pop(), b.sizes.pop()) else {
                    continue;
                };
                b.close(frame, size, start, end)?;
            }
            Event::Alias(id) => {
                let Some((node, size)) = b.anchors.get(&id) else {
                    return Err(YamlError {
                        kind: ErrorKind::Parse,
                        offset: start,
                        message: "an alias to an unknown anchor".into(),
                    });
                };
                b.alias_nodes = b.alias_nodes.saturating_add(*size);
                if b.alias_nodes > MAX_ALIAS_NODES {
                    return Err(YamlError {
                        kind: ErrorKind::Limit,
                        offset: start,
                        message: format!(
                            "YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)"
                        ),
                    });
                }
                let built = Built {
                    node: node.clone(),
                    key_text: None,
                    size: *size,
                };
                b.finish(built, 0, start)?;
            }
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    b.root.ok_or_else(|| YamlError {
        kind: ErrorKind::Parse,
        offset: 0,
        message: "the YAML document is empty".into(),
    })
}

/// `!Ref` → `Some("Ref")`; core tags (`!!str`) → `Some("!!str")`; no tag → None.
fn tag_name(tag: Option<&Tag>) -> Option<String> {
    let tag = tag?;
    if tag.handle == "!" {
        Some(tag.suffix.clone())
    } else if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
        Some(format!("!!{}", tag.suffix))
    } else {
        Some(format!("{}{}", tag.handle, tag.suffix))
    }
}

/// A plain scalar's type under the YAML core schema.
fn plain_kind(value: &str) -> NodeKind {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        v if is_number(v) => NodeKind::Number(v.to_string()),
        v => NodeKind::Str(Text::lit(v)),
    }
}

fn is_number(v: &str) -> bool {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if digits.is_empty() {
        return false;
    }
    if let Some(hex) = digits.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = digits.strip_prefix("0o") {
        return !oct.is_empty() && oct.chars().all(|c| ('0'..='7').contains(&c));
    }
    // Decimal with an optional fraction and exponent.
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (digits, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let ok_mantissa = all_digits(int)
        && frac.is_none_or(all_digits)
        && !(int.is_empty() && frac.is_none_or(str::is_empty));
    let ok_exponent = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    ok_mantissa && ok_exponent
}

/// `{"<name>": value}` spanned at `span`, the long form of a short-form tag.
fn intrinsic(name: &str, value: Node, span: Span) -> Node {
    Node::new(
        NodeKind::Map(vec![(
            Key {
                name: name.to_string(),
                span,
            },
            value,
        )]),
        span,
    )
}

impl Builder<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn open(&mut self, start: usize) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                kind: ErrorKind::Limit,
                offset: start,
                message: format!("sequences and mappings nest deeper than {MAX_DEPTH} levels"),
            });
        }
        self.sizes.push(1);
        Ok(())
    }

    fn scalar(
        &self,
        value: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Built {
        let span = self.span(start, end);
        let tag = tag_name(tag);
        let plain = style == ScalarStyle::Plain;
        let kind = match tag.as_deref() {
            None if plain => plain_kind(value),
            _ => NodeKind::Str(Text::lit(value)),
        };
        let key_text = tag.is_none().then(|| value.to_string());
        let node = match tag.as_deref() {
            None | Some("!!str") => Node::new(kind, span),
            Some("GetAtt") => {
                // `!GetAtt Res.Attr.Sub` → ["Res", "Attr.Sub"].
                let parts = match value.split_once('.') {
                    Some((res, attr)) => vec![Node::str(res, span), Node::str(attr, span)],
                    None => vec![Node::str(value, span)],
                };
                intrinsic("Fn::GetAtt", Node::new(NodeKind::List(parts), span), span)
            }
            Some(t) => match long_form(t) {
                Some(name) => intrinsic(name, Node::new(kind, span), span),
                // Other tags (`!!int`, custom ones) keep the value as written.
                None => Node::new(kind, span),
            },
        };
        let size = if matches!(node.kind, NodeKind::Map(_)) {
            3
        } else {
            1
        };
        Built {
            node,
            key_text,
            size,
        }
    }

    fn close(
        &mut self,
        frame: Frame,
        size: usize,
        end_start: usize,
        end: usize,
    ) -> Result<(), YamlError> {
        // Flow collections end at their closing bracket; block collections end at their last child.
        let closing = end > end_start;
        let (start, anchor, tag, kind, last_end) = match frame {
            Frame::Seq {
                start,
                anchor,
                tag,
                items,
            } => {
                let last = items.last().map(|n| n.span.end as usize);
                (start, anchor, tag, NodeKind::List(items), last)
            }
            Frame::Map {
                start,
                anchor,
                tag,
                entries,
                key,
                ..
            } => {
                if let Some(k) = key {
                    // A key without a value (cannot happen with a well-formed event stream).
                    return Err(YamlError {
                        kind: ErrorKind::Parse,
                        offset: k.span.start as usize,
                        message: format!("the key {} has no value", k.name),
                    });
                }
                let last = entries.last().map(|(_, n)| n.span.end as usize);
                (start, anchor, tag, NodeKind::Map(entries), last)
            }
        };
        let end = if closing {
            end
        } else {
            last_end.unwrap_or(end_start).max(start)
        };
        let span = self.span(start, end);
        let mut node = Node::new(kind, span);
        let mut size = size;
        if let Some(name) = tag.as_deref().and_then(long_form) {
            node = intrinsic(name, node, span);
            size += 2;
        }
        self.finish(
            Built {
                node,
                key_text: None,
                size,
            },
            anchor,
            start,
        )
    }

    /// Hands a finished node to its parent (or makes it the document).
    fn finish(&mut self, built: Built, anchor: usize, start: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors
                .insert(anchor, (built.node.clone(), built.size));
        }
        if let Some(s) = self.sizes.last_mut() {
            *s = s.saturating_add(built.size);
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(built.node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(built.node),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                Some(k) => entries.push((k, built.node)),
                None => {
                    let Some(name) = built.key_text.or_else(|| match &built.node.kind {
                        NodeKind::Str(t) => t.as_literal(),
                        _ => None,
                    }) else {
                        return Err(YamlError {
                            kind: ErrorKind::Parse,
                            offset: start,
                            message: "a mapping key must be a plain string".into(),
                        });
                    };
                    let duplicate = if entries.len() < LINEAR_DUPLICATE_SCAN {
                        entries.iter().any(|(k, _)| k.name == name)
                    } else {
                        if seen.is_empty() {
                            seen.extend(entries.iter().map(|(k, _)| k.name.clone()));
                        }
                        !seen.insert(name.clone())
                    };
                    if duplicate {
                        return Err(YamlError {
                            kind: ErrorKind::Parse,
                            offset: start,
                            message: format!("the key {name} is written twice in one mapping"),
                        });
                    }
                    *key = Some(Key {
                        name,
                        span: built.node.span,
                    });
                }
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Node {
        match parse(text, FileId(0)) {
            Ok(n) => n,
            Err(e) => panic!("parse failed: {e:?}"),
        }
    }

    fn snippet(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn short_form_tags_become_long_form() {
        let text = "A: !GetAtt Role.Arn\nB: !Ref X\nC: !If [c, a, b]\nD: !Sub 'x-${Y}'\nE: !GetAtt [R, Arn]\n";
        let root = p(text);
        let (_, a) = root.get("A").unwrap();
        let (k, v) = a.get("Fn::GetAtt").unwrap();
        assert_eq!(k.name, "Fn::GetAtt");
        let NodeKind::List(parts) = &v.kind else {
            panic!()
        };
        assert_eq!(parts[0].as_text().unwrap().as_literal().unwrap(), "Role");
        assert_eq!(parts[1].as_text().unwrap().as_literal().unwrap(), "Arn");
        assert_eq!(snippet(text, a.span), "!GetAtt Role.Arn");
        let (_, b) = root.get("B").unwrap();
        assert!(b.get("Ref").is_some());
        let (_, c) = root.get("C").unwrap();
        let (_, args) = c.get("Fn::If").unwrap();
        assert!(matches!(&args.kind, NodeKind::List(l) if l.len() == 3));
        let (_, d) = root.get("D").unwrap();
        assert!(d.get("Fn::Sub").is_some());
        let (_, e) = root.get("E").unwrap();
        assert!(e.get("Fn::GetAtt").is_some());
    }

    #[test]
    fn block_tagged_sequence() {
        let text = "V: !If\n  - c\n  - !Ref A\n  - !Ref AWS::NoValue\n";
        let root = p(text);
        let (_, v) = root.get("V").unwrap();
        let (_, args) = v.get("Fn::If").unwrap();
        let NodeKind::List(items) = &args.kind else {
            panic!()
        };
        assert_eq!(items.len(), 3);
        assert_eq!(snippet(text, items[1].span), "!Ref A");
    }

    #[test]
    fn spans_are_bytes_after_non_ascii() {
        let text = "a: \"é€😀\"\nb: value\n";
        let root = p(text);
        let (k, v) = root.get("b").unwrap();
        assert_eq!(snippet(text, k.span), "b");
        assert_eq!(snippet(text, v.span), "value");
        let (_, a) = root.get("a").unwrap();
        assert_eq!(snippet(text, a.span), "\"é€😀\"");
    }

    #[test]
    fn long_non_ascii_file_keeps_spans() {
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(&format!("k{i}: \"ü{i}ü\"\n"));
        }
        let root = p(&text);
        let (k, v) = root.get("k399").unwrap();
        assert_eq!(snippet(&text, k.span), "k399");
        assert_eq!(snippet(&text, v.span), "\"ü399ü\"");
    }

    #[test]
    fn scalar_types() {
        let root = p("a: 1\nb: true\nc: '1'\nd: 2012-10-17\ne: ~\nf: 1.5e3\n");
        assert!(matches!(root.get("a").unwrap().1.kind, NodeKind::Number(_)));
        assert!(matches!(
            root.get("b").unwrap().1.kind,
            NodeKind::Bool(true)
        ));
        assert!(matches!(root.get("c").unwrap().1.kind, NodeKind::Str(_)));
        assert!(matches!(root.get("d").unwrap().1.kind, NodeKind::Str(_)));
        assert!(matches!(root.get("e").unwrap().1.kind, NodeKind::Null));
        assert!(matches!(root.get("f").unwrap().1.kind, NodeKind::Number(_)));
    }

    #[test]
    fn block_mapping_span_covers_its_entries() {
        let text = "R:\n  Type: T\n  Properties:\n    X: 1\n\n# c\nS: 2\n";
        let root = p(text);
        let (_, r) = root.get("R").unwrap();
        assert_eq!(snippet(text, r.span), "Type: T\n  Properties:\n    X: 1");
    }

    #[test]
    fn aliases_expand() {
        let root = p("a: &x {k: v}\nb: *x\n");
        let (_, b) = root.get("b").unwrap();
        assert!(b.get("k").is_some());
    }

    #[test]
    fn alias_bomb_is_a_limit_error() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let e = parse(&text, FileId(0)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
    }

    #[test]
    fn deep_nesting_is_a_limit_error() {
        let text = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse(&text, FileId(0)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
        let block: String = (0..10_000)
            .map(|i| format!("{}- \n", " ".repeat(i)))
            .collect();
        assert!(parse(&block, FileId(0)).is_err());
    }

    #[test]
    fn duplicate_key_is_an_error_at_the_second() {
        let text = "a: 1\nb: 2\na: 3\n";
        let e = parse(text, FileId(0)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Parse);
        assert_eq!(e.offset, 10);
    }

    #[test]
    fn syntax_error_has_a_position() {
        let text = "a: 1\nb: [1, 2\nc: 3\n";
        let e = parse(text, FileId(0)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Parse);
        assert!(e.offset > 0);
    }

    #[test]
    fn literal_block_span_starts_at_content() {
        let text = "P: |\n  {\"a\": 1}\nQ: 2\n";
        let root = p(text);
        let (_, v) = root.get("P").unwrap();
        assert!(snippet(text, v.span).starts_with("{\"a\": 1}"));
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "",
            "---",
            "- a\n- b",
            "? [a]\n: b",
            "!Ref",
            "*x",
            "a: *x",
            "&a",
            "{",
            "]",
            "a: !GetAtt",
            "\t- x",
            "%YAML 1.2\n---\na: 1\n--- \nb: 2",
            "a: |\n\tb",
            "a: 'unterminated",
        ] {
            let _ = parse(text, FileId(0));
        }
    }
}
