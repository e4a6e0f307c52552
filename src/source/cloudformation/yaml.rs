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
//! - YAML 1.1 merge keys (`<<: *base`, `<<: [*a, *b]`) are expanded, because `aws cloudformation
//!   package` and `sam deploy` expand them before CloudFormation sees the template: a resource built
//!   from a merge must be scanned like one written out. Keys written in the mapping win over merged
//!   ones, and an earlier mapping of a merge list wins over a later one. Merged entries keep the spans
//!   of the anchored mapping they were written in.

use super::yaml_indent::{self, Padded};
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

/// What a finished node is as YAML, for merge keys: only a mapping, or a sequence of mappings, can be
/// merged. A short-form tag turns a scalar into a `Map` node (`!Ref X` → `{"Ref": "X"}`), so the node
/// kind alone cannot tell.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Mapping,
    MappingList,
    Other,
}

/// A sequence or mapping whose end has not been read yet.
enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Node>,
        /// Every item is a mapping (so the sequence can be a merge list).
        all_maps: bool,
        /// Where the last item is written (an aliased item's span is the anchor's).
        last_end: Option<usize>,
    },
    Map {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        entries: Vec<(Key, Node)>,
        key: Option<Key>,
        seen: HashSet<String>,
        /// The mapping has a merge key `<<` whose value is being read.
        merging: bool,
        /// A merge key has been read (a second one is a duplicate key).
        merge_seen: bool,
        /// Mappings to merge at the end, in order of precedence.
        merges: Vec<Node>,
        /// Where the last value is written (an aliased value's span is the anchor's).
        last_end: Option<usize>,
    },
}

/// A finished node, with its scalar text when it was a plain untagged scalar (for use as a key).
struct Built {
    node: Node,
    key_text: Option<String>,
    /// Nodes in the subtree (for the alias bound).
    size: usize,
    shape: Shape,
    /// A plain, untagged `<<`: the merge key (a quoted `"<<"` is an ordinary key).
    merge_key: bool,
    /// Byte offset where the node's text ends in the file (for an alias, the alias itself).
    end: usize,
}

struct Builder<'a> {
    file: FileId,
    chars: CharIndex<'a>,
    /// Set when `chars` is a padded copy of the file: offsets are mapped back to the file.
    padding: Option<&'a Padded>,
    stack: Vec<Frame>,
    /// Sizes of the subtrees under construction, parallel to `stack`.
    sizes: Vec<usize>,
    /// Anchored nodes with their size and shape.
    anchors: HashMap<usize, (Node, usize, Shape)>,
    alias_nodes: usize,
    root: Option<Node>,
    documents: usize,
}

/// Parses a CloudFormation YAML template into a spanned node tree.
///
/// A template rejected for its indentation is read once more with under-indented flow and quoted
/// continuation lines padded ([`super::yaml_indent`]), since the AWS CLI and CloudFormation accept
/// them; when that fails too, the first error is the one reported.
pub fn parse(text: &str, file: FileId) -> Result<Node, YamlError> {
    let first = guarded_parse(text, file, None);
    match &first {
        Err(e) if e.kind == ErrorKind::Parse && e.message.contains("invalid indentation") => {
            match yaml_indent::pad_continuations(text) {
                Some(padded) => guarded_parse(&padded.text, file, Some(&padded)).or(first),
                None => first,
            }
        }
        _ => first,
    }
}

fn guarded_parse(text: &str, file: FileId, padding: Option<&Padded>) -> Result<Node, YamlError> {
    // saphyr-parser is third-party code on untrusted input: a panic in it must not end the scan.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parse_inner(text, file, padding)
    }));
    match result {
        Ok(r) => r,
        Err(_) => Err(YamlError {
            kind: ErrorKind::Parse,
            offset: 0,
            message: "the YAML parser failed on this file".into(),
        }),
    }
}

fn parse_inner(text: &str, file: FileId, padding: Option<&Padded>) -> Result<Node, YamlError> {
    let mut b = Builder {
        file,
        chars: CharIndex::new(text),
        padding,
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
            let offset = b.offset(e.marker().index());
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
        let start = b.offset(span.start.index());
        let end = b.offset(span.end.index());
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
                    all_maps: true,
                    last_end: None,
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
                    merging: false,
                    merge_seen: false,
                    merges: Vec::new(),
                    last_end: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (Some(frame), Some(size)) = (b.stack.pop(), b.sizes.pop()) else {
                    continue;
                };
                b.close(frame, size, start, end)?;
            }
            Event::Alias(id) => {
                let Some((node, size, shape)) = b.anchors.get(&id) else {
                    return Err(YamlError {
                        kind: ErrorKind::Parse,
                        offset: start,
                        message: "an alias to an unknown anchor".into(),
                    });
                };
                // Every copy of an anchored node counts here, whether it is used as a value or
                // merged with `<<`: merging only ever copies what an alias brought in, so this one
                // bound also holds an alias bomb built from merge keys.
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
                    shape: *shape,
                    merge_key: false,
                    end,
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
    /// The byte offset in the file of a character index of the parsed text.
    fn offset(&self, char_index: usize) -> usize {
        let byte = self.chars.byte(char_index);
        self.padding.map_or(byte, |p| p.original(byte))
    }

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
        let merge_key = plain && tag.is_none() && value == "<<";
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
            shape: Shape::Other,
            merge_key,
            end,
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
        let (start, anchor, tag, kind, last_end, shape) = match frame {
            Frame::Seq {
                start,
                anchor,
                tag,
                items,
                all_maps,
                last_end,
            } => {
                let shape = if all_maps {
                    Shape::MappingList
                } else {
                    Shape::Other
                };
                (start, anchor, tag, NodeKind::List(items), last_end, shape)
            }
            Frame::Map {
                start,
                anchor,
                tag,
                mut entries,
                key,
                merging,
                merges,
                last_end,
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
                if merging {
                    return Err(YamlError {
                        kind: ErrorKind::Parse,
                        offset: start,
                        message: "the merge key << has no value".into(),
                    });
                }
                merge_into(&mut entries, merges);
                (
                    start,
                    anchor,
                    tag,
                    NodeKind::Map(entries),
                    last_end,
                    Shape::Mapping,
                )
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
        let mut shape = shape;
        if let Some(name) = tag.as_deref().and_then(long_form) {
            node = intrinsic(name, node, span);
            size += 2;
            shape = Shape::Other;
        }
        self.finish(
            Built {
                node,
                key_text: None,
                size,
                shape,
                merge_key: false,
                end,
            },
            anchor,
            start,
        )
    }

    /// Hands a finished node to its parent (or makes it the document).
    fn finish(&mut self, built: Built, anchor: usize, start: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors
                .insert(anchor, (built.node.clone(), built.size, built.shape));
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
            Some(Frame::Seq {
                items,
                all_maps,
                last_end,
                ..
            }) => {
                *all_maps &= built.shape == Shape::Mapping;
                *last_end = Some(built.end);
                items.push(built.node);
            }
            Some(Frame::Map {
                merging,
                merges,
                last_end,
                ..
            }) if *merging => {
                *merging = false;
                *last_end = Some(built.end);
                match (built.shape, built.node.kind) {
                    (Shape::Mapping, kind) => merges.push(Node::new(kind, built.node.span)),
                    (Shape::MappingList, NodeKind::List(items)) => merges.extend(items),
                    _ => {
                        return Err(YamlError {
                            kind: ErrorKind::Parse,
                            offset: start,
                            message: "a merge key << takes a mapping or a list of mappings".into(),
                        });
                    }
                }
            }
            Some(Frame::Map {
                entries,
                key,
                seen,
                merging,
                merge_seen,
                last_end,
                ..
            }) => match key.take() {
                Some(k) => {
                    *last_end = Some(built.end);
                    entries.push((k, built.node));
                }
                None if built.merge_key => {
                    if *merge_seen {
                        return Err(YamlError {
                            kind: ErrorKind::Parse,
                            offset: start,
                            message: "the merge key << is written twice in one mapping".into(),
                        });
                    }
                    *merge_seen = true;
                    *merging = true;
                }
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

/// Adds the entries of `merges` (YAML 1.1 merge keys) to a mapping's written `entries`: a key
/// already present wins, so written keys beat merged ones and an earlier merged mapping beats a later
/// one. Merging copies only what the mapping already holds, so it adds no work beyond the alias bound.
fn merge_into(entries: &mut Vec<(Key, Node)>, merges: Vec<Node>) {
    if merges.is_empty() {
        return;
    }
    let mut present: HashSet<String> = entries.iter().map(|(k, _)| k.name.clone()).collect();
    for source in merges {
        let NodeKind::Map(merged) = source.kind else {
            continue;
        };
        for (k, v) in merged {
            if present.insert(k.name.clone()) {
                entries.push((k, v));
            }
        }
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

    fn lit(node: &Node, key: &str) -> String {
        match node.get(key) {
            Some((_, v)) => v.as_text().and_then(Text::as_literal).unwrap_or_default(),
            None => panic!("no key {key}"),
        }
    }

    #[test]
    fn merge_key_adds_the_anchored_entries_and_written_keys_win() {
        // `B` is written after the merge and `C` before it: both beat the merged values.
        let text = "base: &b {A: a0, B: b0, C: c0}
m:
  C: c1
  <<: *b
  B: b1
";
        let root = p(text);
        let (_, m) = root.get("m").unwrap();
        assert_eq!(lit(m, "A"), "a0");
        assert_eq!(lit(m, "B"), "b1");
        assert_eq!(lit(m, "C"), "c1");
        let NodeKind::Map(entries) = &m.kind else {
            panic!()
        };
        // One entry per key: the merged `B` and `C` are dropped, not shadowed, and `<<` is gone.
        let mut names: Vec<_> = entries.iter().map(|(k, _)| k.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["A", "B", "C"]);
        // A merged value keeps the span where it is written: in the anchored mapping.
        let (k, a) = m.get("A").unwrap();
        assert_eq!(&text[..k.span.start as usize], "base: &b {");
        assert_eq!(snippet(text, a.span), "a0");
        assert_eq!(&text[..a.span.start as usize], "base: &b {A: ");
    }

    #[test]
    fn earlier_mappings_of_a_merge_list_win() {
        let text = "a: &a {K: a, X: a}
b: &b {K: b, L: b, X: b}
m:
  <<: [*a, *b]
  X: m
";
        let root = p(text);
        let (_, m) = root.get("m").unwrap();
        assert_eq!(lit(m, "K"), "a");
        assert_eq!(lit(m, "L"), "b");
        assert_eq!(lit(m, "X"), "m");
        // Reversed order, reversed winner.
        let root = p("a: &a {K: a}
b: &b {K: b}
m: {<<: [*b, *a]}
");
        assert_eq!(lit(root.get("m").unwrap().1, "K"), "b");
    }

    #[test]
    fn merges_nest_and_take_inline_mappings() {
        let text = "a: &a {A: 1, K: a}
b: &b {<<: *a, K: b}
m: {<<: [*b, {I: i}]}
";
        let root = p(text);
        let (_, m) = root.get("m").unwrap();
        assert!(matches!(m.get("A").unwrap().1.kind, NodeKind::Number(_)));
        assert_eq!(lit(m, "K"), "b");
        assert_eq!(lit(m, "I"), "i");
    }

    #[test]
    fn block_mapping_of_only_a_merge_ends_at_the_alias() {
        let text = "a: &a
  K: v
m:
  <<: *a
n: 1
";
        let root = p(text);
        let (_, m) = root.get("m").unwrap();
        assert_eq!(snippet(text, m.span), "<<: *a");
        assert_eq!(lit(m, "K"), "v");
    }

    #[test]
    fn quoted_merge_key_is_an_ordinary_key() {
        let root = p("a: &a {K: v}
m: {'<<': *a}
");
        let (_, m) = root.get("m").unwrap();
        assert!(m.get("<<").is_some());
        assert!(m.get("K").is_none());
    }

    #[test]
    fn merge_of_a_non_mapping_is_an_error() {
        for text in [
            "s: &s text
m:
  <<: *s
",
            "m:
  <<: text
",
            "a: &a {K: v}
m:
  <<: [*a, text]
",
            "a: &a {K: v}
m:
  <<: [[*a]]
",
            // A short-form tag is a mapping only after it is read as an intrinsic function.
            "m:
  <<: !Ref X
",
            "m:
  <<: !If [c, {A: 1}, {A: 2}]
",
            "r: &r !GetAtt R.Arn
m:
  <<: *r
",
        ] {
            let e = parse(text, FileId(0)).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Parse, "{text}");
            assert!(e.message.contains("merge key"), "{text}: {}", e.message);
            assert!(text[e.offset..].starts_with(['*', 't', '[', '!']), "{text}");
        }
    }

    #[test]
    fn merge_key_twice_is_an_error() {
        let e = parse(
            "a: &a {K: v}
m:
  <<: *a
  <<: *a
",
            FileId(0),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Parse);
        assert_eq!(e.offset, 27);
    }

    #[test]
    fn merge_bomb_is_a_limit_error() {
        // Each level merges the previous one and adds nine more copies of it under new keys.
        let mut text = String::from(
            "a0: &a0 {k0: x, k1: x, k2: x, k3: x, k4: x}
",
        );
        for i in 1..12 {
            let prev = i - 1;
            let copies: String = (0..9).map(|j| format!(", c{i}_{j}: *a{prev}")).collect();
            text.push_str(&format!(
                "a{i}: &a{i} {{<<: *a{prev}{copies}}}
"
            ));
        }
        let e = parse(&text, FileId(0)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
        // Merge lists count every alias in them.
        let mut text = String::from(
            "a0: &a0 {k: x}
",
        );
        for i in 1..40 {
            let prev = i - 1;
            let list = vec![format!("*a{prev}"); 10].join(", ");
            text.push_str(&format!(
                "a{i}: &a{i} {{<<: [{list}], n{i}: *a{prev}}}
"
            ));
        }
        let e = parse(&text, FileId(0)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
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
