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
//! - A key written twice in one mapping keeps its last value, as CloudFormation does (its template
//!   validation accepts the template and deploys the last value; so do SAM CLI's and cfn-lint's
//!   loaders): the earlier entries are dropped, so a repeated logical id is one resource.
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
        /// A key was written twice: the earlier entries are dropped when the mapping ends.
        repeated: bool,
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
/// continuation lines padded (`yaml_indent.rs`), since the AWS CLI and CloudFormation accept
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
                    repeated: false,
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
                repeated,
                ..
            } => {
                if repeated {
                    crate::value::keep_last_entries(&mut entries);
                }
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
                repeated,
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
                    *repeated |= duplicate;
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
#[path = "yaml_tests.rs"]
mod tests;
