//! JSON parsing that keeps byte spans.
//!
//! Findings must point at the exact key or value that causes them, also inside CloudFormation JSON
//! templates, Terraform plans and policies embedded in Terraform heredocs. General-purpose JSON
//! libraries drop positions once a value is built, so this parser lowers JSON straight to the
//! span-carrying [`Node`] model.
//!
//! Robustness decisions, since inputs are untrusted files:
//! - The parser is iterative (an explicit stack of open containers), so no input can overflow the call
//!   stack; nesting is still capped at [`MAX_DEPTH`] because dropping and walking the resulting tree is
//!   recursive elsewhere.
//! - A lone UTF-16 surrogate escape (`"\uD800"`) is an error rather than being replaced with U+FFFD:
//!   silently changing a character could change what an IAM pattern matches, and a broken escape is
//!   better reported than guessed at.
//! - Strings without escapes are copied once, straight from the input; only strings with escapes are
//!   assembled piecewise.

use std::collections::HashSet;
use std::fmt;

use crate::value::{FileId, Key, Node, NodeKind, Span, Text};

/// The deepest nesting of arrays and objects accepted. Real templates and plans stay far below this;
/// anything deeper is hostile or broken, and refusing it keeps later recursive passes safe.
pub const MAX_DEPTH: usize = 512;

/// Objects with fewer entries than this are checked for duplicate keys by scanning the entries, which
/// beats hashing for the small objects that dominate IAM policies; larger objects switch to a set so
/// that a huge object cannot make last-wins parsing quadratic.
const LINEAR_DUPLICATE_SCAN: usize = 16;

/// Longest key or word quoted in an error message, in chars, so a megabyte-long token cannot turn an
/// error message into a megabyte.
const SNIPPET_CHARS: usize = 40;

/// What kind of problem stopped parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// The text is not JSON.
    Syntax,
    /// Arrays and objects nest deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// Why a document could not be parsed, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub kind: JsonErrorKind,
    /// Byte offset in the whole file (the `base` passed to the parser is included).
    pub offset: usize,
    /// What was expected and what was found, without the position (callers format that themselves).
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON document. Duplicate keys are kept, in source order (lookups take the last, as most
/// JSON consumers do).
///
/// `base` is added to every offset, so that JSON cut out of a larger file (a Terraform heredoc) gets
/// spans in that file.
pub fn parse(text: &str, file: FileId, base: usize) -> Result<Node, JsonError> {
    Parser::new(text, file, base, false).document()
}

/// Like [`parse`], but a key written twice in one object keeps only its last value, as CloudFormation
/// does (its template validation accepts such a template and deploys the last value): the earlier
/// entries are dropped, so a repeated logical id is one resource.
pub fn parse_last_wins(text: &str, file: FileId, base: usize) -> Result<Node, JsonError> {
    Parser::new(text, file, base, true).document()
}

/// Whether `key` was written before in an object (`entries`, and `seen` once it is large).
fn is_duplicate(entries: &[(Key, Node)], seen: &mut HashSet<String>, key: &Key) -> bool {
    if entries.len() < LINEAR_DUPLICATE_SCAN {
        return entries.iter().any(|(k, _)| k.name == key.name);
    }
    // Built once, the first time the object is big enough; from then on every key is inserted
    // here, so the set always holds all keys before this one.
    if seen.is_empty() {
        seen.extend(entries.iter().map(|(k, _)| k.name.clone()));
    }
    !seen.insert(key.name.clone())
}

/// An array or object whose closing bracket has not been read yet.
enum Frame {
    List {
        start: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        entries: Vec<(Key, Node)>,
        /// The key whose value is being parsed.
        key: Key,
        /// Keys seen so far, filled only in last-wins mode once the object outgrows a linear scan.
        seen: HashSet<String>,
        /// A key was written twice (last-wins mode): the earlier entries go when the object closes.
        repeated: bool,
    },
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Offset of the next unread byte, relative to `text`. It only moves past whole tokens (ASCII
    /// bytes, complete strings, the BOM), so it is always a char boundary.
    pos: usize,
    file: FileId,
    base: usize,
    /// Repeated keys keep their last value ([`parse_last_wins`]).
    last_wins: bool,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, file: FileId, base: usize, last_wins: bool) -> Parser<'a> {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            file,
            base,
            last_wins,
        }
    }

    fn document(mut self) -> Result<Node, JsonError> {
        // PowerShell and some Windows editors write a BOM; it is not part of the document, but offsets
        // still count it because they are offsets in the file.
        if self.text.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
        let mut stack: Vec<Frame> = Vec::new();
        // What the next value position accepts, for the error message when it holds something else.
        let mut want = "a value";
        loop {
            self.skip_ws();
            let mut node = match self.peek() {
                Some(b'[') => {
                    self.check_depth(stack.len())?;
                    let start = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        self.node(NodeKind::List(Vec::new()), start)
                    } else {
                        stack.push(Frame::List {
                            start,
                            items: Vec::new(),
                        });
                        want = "a value or ']'";
                        continue;
                    }
                }
                Some(b'{') => {
                    self.check_depth(stack.len())?;
                    let start = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    match self.peek() {
                        Some(b'}') => {
                            self.pos += 1;
                            self.node(NodeKind::Map(Vec::new()), start)
                        }
                        Some(b'"') => {
                            let key = self.key()?;
                            self.colon()?;
                            stack.push(Frame::Map {
                                start,
                                entries: Vec::new(),
                                key,
                                seen: HashSet::new(),
                                repeated: false,
                            });
                            want = "a value after ':'";
                            continue;
                        }
                        _ => return Err(self.expected("a string key or '}'")),
                    }
                }
                Some(b'"') => {
                    let start = self.pos;
                    let s = self.string()?;
                    self.node(NodeKind::Str(Text::lit(s)), start)
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => self.literal(want)?,
            };

            // Hand the finished value to its container; every container that closes right after it
            // becomes the finished value in turn, until one continues with ',' (or the document ends).
            loop {
                let Some(frame) = stack.last_mut() else {
                    self.skip_ws();
                    if self.pos < self.bytes.len() {
                        return Err(self.expected("the end of input after the document"));
                    }
                    return Ok(node);
                };
                match frame {
                    Frame::List { start, items } => {
                        items.push(node);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                want = "a value after ','";
                                break;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let start = *start;
                                let items = std::mem::take(items);
                                stack.pop();
                                node = self.node(NodeKind::List(items), start);
                            }
                            _ => return Err(self.expected("',' or ']' after a list element")),
                        }
                    }
                    Frame::Map {
                        start,
                        entries,
                        key,
                        seen,
                        repeated,
                    } => {
                        // The placeholder never escapes: the next key replaces it before any value
                        // is stored, and the frame is dropped when the object closes.
                        let placeholder = Key {
                            name: String::new(),
                            span: Span::default(),
                        };
                        entries.push((std::mem::replace(key, placeholder), node));
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                if self.peek() != Some(b'"') {
                                    return Err(self.expected("a string key after ','"));
                                }
                                let next = self.key()?;
                                if self.last_wins {
                                    *repeated |= is_duplicate(entries, seen, &next);
                                }
                                self.colon()?;
                                *key = next;
                                want = "a value after ':'";
                                break;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let start = *start;
                                let mut entries = std::mem::take(entries);
                                if *repeated {
                                    crate::value::keep_last_entries(&mut entries);
                                }
                                stack.pop();
                                node = self.node(NodeKind::Map(entries), start);
                            }
                            _ => return Err(self.expected("',' or '}' after an object entry")),
                        }
                    }
                }
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(
            self.file,
            self.base.saturating_add(start),
            self.base.saturating_add(end),
        )
    }

    /// A node that started at `start` and ends at the current position.
    fn node(&self, kind: NodeKind, start: usize) -> Node {
        Node::new(kind, self.span(start, self.pos))
    }

    fn error(&self, kind: JsonErrorKind, at: usize, message: String) -> JsonError {
        JsonError {
            kind,
            offset: self.base.saturating_add(at),
            message,
        }
    }

    fn syntax(&self, at: usize, message: String) -> JsonError {
        self.error(JsonErrorKind::Syntax, at, message)
    }

    /// "expected X, found Y" at the current position.
    fn expected(&self, what: &str) -> JsonError {
        self.expected_at(self.pos, what)
    }

    fn expected_at(&self, at: usize, what: &str) -> JsonError {
        let message = match self.found(at) {
            None => format!("unexpected end of input: expected {what}"),
            Some(found) => format!("expected {what}, found {found}"),
        };
        self.syntax(at, message)
    }

    /// Describes the input at `at` for an error message: a whole word when it is one (`'True'` reads
    /// better than `'T'`), otherwise one char, escaped when it would be invisible.
    fn found(&self, at: usize) -> Option<String> {
        let rest = self.text.get(at..)?;
        let word_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if word_len > 1 {
            let word = rest.get(..word_len).unwrap_or(rest);
            return Some(format!("'{}'", snippet(word)));
        }
        rest.chars().next().map(quote_char)
    }

    fn check_depth(&self, open: usize) -> Result<(), JsonError> {
        if open >= MAX_DEPTH {
            return Err(self.error(
                JsonErrorKind::TooDeep,
                self.pos,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn colon(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        if self.peek() == Some(b':') {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.expected("':' after an object key"))
        }
    }

    /// An object key; the current byte is its opening quote.
    fn key(&mut self) -> Result<Key, JsonError> {
        let start = self.pos;
        let name = self.string()?;
        Ok(Key {
            name,
            span: self.span(start, self.pos),
        })
    }

    /// Strict mode: fails if `key` (whose opening quote is at `at`) already names an entry of the
    /// object being read.
    /// A string; the current byte is its opening quote. Returns the decoded contents and leaves the
    /// position after the closing quote.
    fn string(&mut self) -> Result<String, JsonError> {
        let open = self.pos;
        let mut i = open + 1;
        // Start of the run of plain characters not yet copied to `decoded`.
        let mut run = i;
        // Allocated only at the first escape: plain strings are copied once, at the end.
        let mut decoded: Option<String> = None;
        loop {
            match self.bytes.get(i) {
                None => return Err(self.unterminated(open)),
                Some(b'"') => {
                    let tail = self.slice(run, i);
                    self.pos = i + 1;
                    return Ok(match decoded {
                        Some(mut s) => {
                            s.push_str(tail);
                            s
                        }
                        None => tail.to_owned(),
                    });
                }
                Some(b'\\') => {
                    let out = decoded.get_or_insert_with(String::new);
                    out.push_str(self.slice(run, i));
                    i = self.escape(open, i, out)?;
                    run = i;
                }
                Some(&b) if b < 0x20 => {
                    let found = self.found(i).unwrap_or_default();
                    return Err(self.syntax(
                        i,
                        format!(
                            "expected '\"' or an escaped character, found control character {found} in a string"
                        ),
                    ));
                }
                Some(_) => i += 1,
            }
        }
    }

    fn unterminated(&self, open: usize) -> JsonError {
        self.syntax(
            open,
            "unterminated string: expected a closing '\"' before the end of input".to_owned(),
        )
    }

    /// `text[start..end]`, where both ends are known to sit next to ASCII bytes. Falls back to an empty
    /// string rather than panicking if that reasoning were ever wrong.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// Decodes the escape whose backslash is at `at` into `out`; returns the offset after it.
    fn escape(&self, open: usize, at: usize, out: &mut String) -> Result<usize, JsonError> {
        let c = match self.bytes.get(at + 1) {
            None => return Err(self.unterminated(open)),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(open, at, out),
            Some(_) => {
                let shown = match self.text.get(at + 1..).and_then(|s| s.chars().next()) {
                    Some(c) if !c.is_control() && !c.is_whitespace() => format!("'\\{c}'"),
                    Some(c) => format!("'\\' followed by {}", quote_char(c)),
                    None => "'\\'".to_owned(),
                };
                return Err(self.syntax(
                    at,
                    format!(
                        "invalid escape {shown}: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
                    ),
                ));
            }
        };
        out.push(c);
        Ok(at + 2)
    }

    /// A `\uXXXX` escape at `at`, joined with a following low-surrogate escape when it is a high
    /// surrogate.
    fn unicode_escape(&self, open: usize, at: usize, out: &mut String) -> Result<usize, JsonError> {
        let unit = self.hex4(open, at + 2)?;
        let (code, end) = match unit {
            0xD800..=0xDBFF => {
                let next = at + 6;
                let low = if self.bytes.get(next) == Some(&b'\\')
                    && self.bytes.get(next + 1) == Some(&b'u')
                {
                    Some(self.hex4(open, next + 2)?)
                } else {
                    None
                };
                match low {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), next + 6)
                    }
                    _ => {
                        return Err(self.syntax(
                            at,
                            format!(
                                "lone high surrogate \\u{unit:04X}: expected a low surrogate escape \\uDC00-\\uDFFF right after it"
                            ),
                        ));
                    }
                }
            }
            0xDC00..=0xDFFF => {
                return Err(self.syntax(
                    at,
                    format!(
                        "lone low surrogate \\u{unit:04X}: expected a high surrogate escape \\uD800-\\uDBFF right before it"
                    ),
                ));
            }
            _ => (unit, at + 6),
        };
        match char::from_u32(code) {
            Some(c) => {
                out.push(c);
                Ok(end)
            }
            // Unreachable: surrogates were handled above and four hex digits (or a pair) stay below
            // U+110000. Kept as an error so that a mistake here cannot panic.
            None => Err(self.syntax(at, format!("invalid code point U+{code:X} in \\u escape"))),
        }
    }

    /// The four hex digits starting at `at`.
    fn hex4(&self, open: usize, at: usize) -> Result<u32, JsonError> {
        let mut value = 0u32;
        for i in at..at + 4 {
            let digit = match self.bytes.get(i) {
                None => return Err(self.unterminated(open)),
                Some(&b) => char::from(b).to_digit(16),
            };
            match digit {
                Some(d) => value = value * 16 + d,
                None => return Err(self.expected_at(i, "4 hex digits after \\u")),
            }
        }
        Ok(value)
    }

    /// A number, kept as written: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<Node, JsonError> {
        let start = self.pos;
        let mut i = start;
        if self.bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        match self.bytes.get(i) {
            Some(b'0') => {
                i += 1;
                if self.bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    return Err(self.expected_at(
                        i,
                        "'.', 'e' or the end of the number after a leading '0' (leading zeros are not allowed)",
                    ));
                }
            }
            Some(b'1'..=b'9') => i = self.digits(i),
            _ => return Err(self.expected_at(i, "a digit after '-'")),
        }
        if self.bytes.get(i) == Some(&b'.') {
            i += 1;
            if !self.bytes.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(self.expected_at(i, "a digit after the decimal point"));
            }
            i = self.digits(i);
        }
        if let Some(b'e' | b'E') = self.bytes.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = self.bytes.get(i) {
                i += 1;
            }
            if !self.bytes.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(self.expected_at(i, "a digit in the exponent"));
            }
            i = self.digits(i);
        }
        let literal = self.slice(start, i).to_owned();
        self.pos = i;
        Ok(self.node(NodeKind::Number(literal), start))
    }

    /// The offset after the run of ASCII digits starting at `i`.
    fn digits(&self, mut i: usize) -> usize {
        while self.bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }

    /// `true`, `false` or `null`; anything else at a value position is an error saying `want`.
    fn literal(&mut self, want: &str) -> Result<Node, JsonError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let (word, kind): (&[u8], NodeKind) = if rest.starts_with(b"true") {
            (b"true", NodeKind::Bool(true))
        } else if rest.starts_with(b"false") {
            (b"false", NodeKind::Bool(false))
        } else if rest.starts_with(b"null") {
            (b"null", NodeKind::Null)
        } else {
            return Err(self.expected(want));
        };
        let start = self.pos;
        self.pos += word.len();
        Ok(self.node(kind, start))
    }
}

/// One char in single quotes, escaped when it would be invisible or ambiguous (`'\n'`, `'\u{a0}'`).
fn quote_char(c: char) -> String {
    match c {
        // Debug escaping would write `\"`, which inside single quotes is only noise.
        '"' => "'\"'".to_owned(),
        _ => format!("'{}'", c.escape_debug()),
    }
}

/// `s`, cut to [`SNIPPET_CHARS`] chars with an ellipsis when longer.
fn snippet(s: &str) -> String {
    match s.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", s.get(..cut).unwrap_or_default()),
        None => s.to_owned(),
    }
}

/// Turns byte offsets into 1-based line and column numbers, as editors, SARIF and GitHub annotations
/// show them.
///
/// Columns count Unicode scalar values (chars), not bytes. A line ends at `\n`, `\r\n` (one break; the
/// `\r` is the last char of its line) or a lone `\r`: YAML breaks lines on all three, so a template
/// saved with old Mac line endings must get the positions its parser and the user's editor see. JSON
/// and HCL files use `\n` or `\r\n`, which count the same either way; a stray lone `\r` in them is
/// whitespace or an error, and editors show it as a break too.
///
/// Rather than keeping a copy of the text, the index remembers where each line starts and where each
/// multi-byte char sits; both lookups are binary searches, so a position in a multi-megabyte, single-line
/// (minified) file costs O(log n), not a scan of the line.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Byte offset of the first byte of every line; the first entry is 0.
    line_starts: Vec<usize>,
    /// Every char longer than one byte, in order.
    wide: Vec<WideChar>,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
struct WideChar {
    start: usize,
    len: usize,
    /// Sum of `len - 1` over all earlier wide chars: how many more bytes than chars precede this one.
    extra_before: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        let mut wide = Vec::new();
        let mut extra = 0;
        for (i, c) in text.char_indices() {
            let len = c.len_utf8();
            if c == '\n' || (c == '\r' && text.as_bytes().get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            } else if len > 1 {
                wide.push(WideChar {
                    start: i,
                    len,
                    extra_before: extra,
                });
                extra += len - 1;
            }
        }
        LineIndex {
            line_starts,
            wide,
            len: text.len(),
        }
    }

    /// The 1-based `(line, column)` of byte `offset`. Offsets past the end are clamped to the end; an
    /// offset inside a multi-byte char is that char's position.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = self.char_start(offset.min(self.len));
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let line_start = line
            .checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .copied()
            .unwrap_or(0);
        let bytes = offset - line_start.min(offset);
        let extra = self
            .extra_before(offset)
            .saturating_sub(self.extra_before(line_start));
        (line.max(1), bytes.saturating_sub(extra) + 1)
    }

    /// The last wide char starting at or before `offset`.
    fn wide_at_or_before(&self, offset: usize) -> Option<&WideChar> {
        let i = self.wide.partition_point(|w| w.start <= offset);
        i.checked_sub(1).and_then(|i| self.wide.get(i))
    }

    /// `offset`, moved back to the start of the char it falls inside.
    fn char_start(&self, offset: usize) -> usize {
        match self.wide_at_or_before(offset) {
            Some(w) if offset < w.start + w.len => w.start,
            _ => offset,
        }
    }

    /// How many more bytes than chars lie before `offset` (a char boundary).
    fn extra_before(&self, offset: usize) -> usize {
        let i = self.wide.partition_point(|w| w.start < offset);
        match i.checked_sub(1).and_then(|i| self.wide.get(i)) {
            Some(w) => w.extra_before + (w.len - 1),
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::TextPart;

    const F: FileId = FileId(7);

    fn ok(text: &str) -> Node {
        match parse(text, F, 0) {
            Ok(node) => node,
            Err(e) => panic!("{text:?} should parse, got {e:?}"),
        }
    }

    fn err(text: &str) -> JsonError {
        match parse(text, F, 0) {
            Ok(node) => panic!("{text:?} should fail, parsed {node:?}"),
            Err(e) => e,
        }
    }

    fn last_wins(text: &str) -> Node {
        parse_last_wins(text, F, 0).expect("parses")
    }

    fn keys(node: &Node) -> Vec<&str> {
        entries(node).iter().map(|(k, _)| k.name.as_str()).collect()
    }

    /// The source text a span covers.
    fn src(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    fn string_of(node: &Node) -> String {
        match &node.kind {
            NodeKind::Str(t) => t.as_literal().unwrap(),
            other => panic!("not a string: {other:?}"),
        }
    }

    fn str_value(text: &str) -> String {
        string_of(&ok(text))
    }

    fn entries(node: &Node) -> &[(Key, Node)] {
        match &node.kind {
            NodeKind::Map(entries) => entries,
            other => panic!("not a map: {other:?}"),
        }
    }

    fn items(node: &Node) -> &[Node] {
        match &node.kind {
            NodeKind::List(items) => items,
            other => panic!("not a list: {other:?}"),
        }
    }

    #[test]
    fn spans_cover_keys_values_and_brackets() {
        let text = " {\"Effect\" : \"Allow\",\n \"Action\":[\"iam:PassRole\", 1, true, null, false, {}, []], \"n\": -0.5e+10 } ";
        let doc = ok(text);
        assert_eq!(doc.span.file, F);
        assert_eq!(doc.span.start, 1);
        assert_eq!(src(text, doc.span), text.trim());

        let e = entries(&doc);
        assert_eq!(e.len(), 3);
        let (k, v) = &e[0];
        assert_eq!(k.name, "Effect");
        assert_eq!((k.span.start, k.span.end), (2, 10));
        assert_eq!(src(text, k.span), "\"Effect\"");
        assert_eq!((v.span.start, v.span.end), (13, 20));
        assert_eq!(src(text, v.span), "\"Allow\"");
        assert_eq!(v.kind, NodeKind::Str(Text::lit("Allow")));

        let (k, v) = &e[1];
        assert_eq!(src(text, k.span), "\"Action\"");
        assert_eq!(
            src(text, v.span),
            "[\"iam:PassRole\", 1, true, null, false, {}, []]"
        );
        let list = items(v);
        let tokens: Vec<&str> = list.iter().map(|n| src(text, n.span)).collect();
        assert_eq!(
            tokens,
            ["\"iam:PassRole\"", "1", "true", "null", "false", "{}", "[]"]
        );
        assert_eq!(list[1].kind, NodeKind::Number("1".into()));
        assert_eq!(list[2].kind, NodeKind::Bool(true));
        assert_eq!(list[3].kind, NodeKind::Null);
        assert_eq!(list[4].kind, NodeKind::Bool(false));
        assert_eq!(list[5].kind, NodeKind::Map(vec![]));
        assert_eq!(list[6].kind, NodeKind::List(vec![]));

        let (k, v) = &e[2];
        assert_eq!(src(text, k.span), "\"n\"");
        assert_eq!(src(text, v.span), "-0.5e+10");
        assert_eq!(v.kind, NodeKind::Number("-0.5e+10".into()));
    }

    #[test]
    fn scalar_documents() {
        assert_eq!(ok(" 42 ").kind, NodeKind::Number("42".into()));
        assert_eq!(ok("\"x\"").span, Span::new(F, 0, 3));
        assert_eq!(ok("null").kind, NodeKind::Null);
        assert_eq!(ok("\t\r\n true\n").span, Span::new(F, 4, 8));
    }

    #[test]
    fn spans_with_escapes_cover_the_source_token() {
        let text = r#"{"a\"b": "x\u00e9\n"}"#;
        let doc = ok(text);
        let (k, v) = &entries(&doc)[0];
        assert_eq!(k.name, "a\"b");
        assert_eq!(src(text, k.span), r#""a\"b""#);
        assert_eq!(string_of(v), "xé\n");
        assert_eq!(src(text, v.span), r#""x\u00e9\n""#);
    }

    #[test]
    fn base_offset_is_added_to_every_span() {
        let whole = "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Action\": [\"iam:PassRole\"]}\nEOF\n}\n";
        let start = whole.find("{\"Action").unwrap();
        let end = whole.find("\nEOF").unwrap();
        let doc = parse(&whole[start..end], F, start).unwrap();
        assert_eq!(src(whole, doc.span), "{\"Action\": [\"iam:PassRole\"]}");
        let (k, v) = doc.get("Action").unwrap();
        assert_eq!(src(whole, k.span), "\"Action\"");
        assert_eq!(src(whole, v.span), "[\"iam:PassRole\"]");
        assert_eq!(src(whole, items(v)[0].span), "\"iam:PassRole\"");

        let e = parse("[1,]", F, 1000).unwrap_err();
        assert_eq!(e.offset, 1003);
        let e = parse("", F, 50).unwrap_err();
        assert_eq!(e.offset, 50);
    }

    #[test]
    fn escapes() {
        assert_eq!(
            str_value(r#""\" \\ \/ \b \f \n \r \t""#),
            "\" \\ / \u{8} \u{c} \n \r \t"
        );
        assert_eq!(str_value(r#""\u0041\u00e9\u20AC\u0000""#), "Aé€\0");
        assert_eq!(str_value(r#""plain""#), "plain");
        assert_eq!(str_value(r#""""#), "");
        assert_eq!(str_value("\"raw é 😀\""), "raw é 😀");
        assert_eq!(str_value(r#""a\nb\\""#), "a\nb\\");
        // One literal part: the model expects a plain string, not fragments per escape.
        match ok(r#""a\nb""#).kind {
            NodeKind::Str(t) => assert_eq!(t.parts, vec![TextPart::Lit("a\nb".into())]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn surrogate_pairs() {
        assert_eq!(str_value(r#""\uD83D\uDE00""#), "😀");
        assert_eq!(str_value(r#""x\ud834\udd1ey""#), "x𝄞y");
        assert_eq!(str_value(r#""\uDBFF\uDFFF""#), "\u{10FFFF}");
    }

    #[test]
    fn lone_surrogates_are_errors() {
        let e = err(r#"["ab\uD800"]"#);
        assert_eq!(e.kind, JsonErrorKind::Syntax);
        assert_eq!(e.offset, 4);
        assert!(e.message.contains("lone high surrogate \\uD800"), "{e}");

        let e = err(r#""\uD800\u0041""#);
        assert_eq!(e.offset, 1);
        assert!(e.message.contains("lone high surrogate"), "{e}");

        let e = err(r#""\uD800x""#);
        assert_eq!(e.offset, 1);

        let e = err(r#""a\uDC00""#);
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("lone low surrogate \\uDC00"), "{e}");

        // Two high surrogates: the first has no low partner.
        let e = err(r#""\uD800\uD800""#);
        assert_eq!(e.offset, 1);
    }

    #[test]
    fn bad_escapes() {
        let e = err(r#""ab\q""#);
        assert_eq!((e.kind, e.offset), (JsonErrorKind::Syntax, 3));
        assert!(e.message.starts_with("invalid escape '\\q'"), "{e}");

        let e = err("\"\\é\"");
        assert!(e.message.starts_with("invalid escape '\\é'"), "{e}");

        let e = err("\"\\\n\"");
        assert_eq!(e.offset, 1);
        assert!(e.message.contains("'\\n'"), "{e}");

        let e = err(r#""\u12G4""#);
        assert_eq!(e.offset, 5);
        assert_eq!(e.message, "expected 4 hex digits after \\u, found 'G4'");

        let e = err(r#""\u12"#);
        assert_eq!(e.offset, 0);
        assert!(e.message.starts_with("unterminated string"), "{e}");

        let e = err(r#""abc\"#);
        assert_eq!(e.offset, 0);
        assert!(e.message.starts_with("unterminated string"), "{e}");
    }

    #[test]
    fn strings_reject_control_characters() {
        let e = err("[\"a\nb\"]");
        assert_eq!((e.kind, e.offset), (JsonErrorKind::Syntax, 3));
        assert_eq!(
            e.message,
            "expected '\"' or an escaped character, found control character '\\n' in a string"
        );
        assert_eq!(err("\"\t\"").offset, 1);
        assert_eq!(err("\"\u{1f}\"").offset, 1);
        // DEL and non-ASCII are fine unescaped.
        assert_eq!(str_value("\"\u{7f}\u{a0}\""), "\u{7f}\u{a0}");
    }

    #[test]
    fn numbers() {
        for n in [
            "0",
            "-0",
            "1",
            "-1",
            "10",
            "123456789012345678901234567890",
            "0.5",
            "-0.5e+10",
            "1e5",
            "1E5",
            "1e-5",
            "1.25E+003",
            "0e0",
        ] {
            let node = ok(n);
            assert_eq!(node.kind, NodeKind::Number(n.into()), "{n}");
            assert_eq!(node.span, Span::new(F, 0, n.len()));
        }
        let cases = [
            (
                "-",
                1,
                "unexpected end of input: expected a digit after '-'",
            ),
            ("-a", 1, "expected a digit after '-', found 'a'"),
            (
                "01",
                1,
                "expected '.', 'e' or the end of the number after a leading '0' (leading zeros are not allowed), found '1'",
            ),
            (
                "-012",
                2,
                "expected '.', 'e' or the end of the number after a leading '0' (leading zeros are not allowed), found '12'",
            ),
            (
                "1.",
                2,
                "unexpected end of input: expected a digit after the decimal point",
            ),
            (
                "1.e5",
                2,
                "expected a digit after the decimal point, found 'e5'",
            ),
            (
                "1e",
                2,
                "unexpected end of input: expected a digit in the exponent",
            ),
            (
                "1e+",
                3,
                "unexpected end of input: expected a digit in the exponent",
            ),
            ("1e+x", 3, "expected a digit in the exponent, found 'x'"),
            (".5", 0, "expected a value, found '.'"),
            ("+1", 0, "expected a value, found '+'"),
            (
                "1.5.5",
                3,
                "expected the end of input after the document, found '.'",
            ),
            (
                "[1x]",
                2,
                "expected ',' or ']' after a list element, found 'x'",
            ),
        ];
        for (text, offset, message) in cases {
            let e = err(text);
            assert_eq!(e.kind, JsonErrorKind::Syntax, "{text}");
            assert_eq!(e.offset, offset, "{text}: {e}");
            assert_eq!(e.message, message, "{text}");
        }
    }

    #[test]
    fn syntax_errors_say_what_was_expected_and_found() {
        let cases = [
            ("", 0, "unexpected end of input: expected a value"),
            ("   \n", 4, "unexpected end of input: expected a value"),
            (
                "{\"a\":1 x}",
                7,
                "expected ',' or '}' after an object entry, found 'x'",
            ),
            (
                "{\"a\":1,}",
                7,
                "expected a string key after ',', found '}'",
            ),
            (
                "{\"a\" 1}",
                5,
                "expected ':' after an object key, found '1'",
            ),
            ("{\"a\":}", 5, "expected a value after ':', found '}'"),
            ("{a:1}", 1, "expected a string key or '}', found 'a'"),
            ("{'a':1}", 1, "expected a string key or '}', found '\\''"),
            (
                "{",
                1,
                "unexpected end of input: expected a string key or '}'",
            ),
            ("[", 1, "unexpected end of input: expected a value or ']'"),
            (
                "[1",
                2,
                "unexpected end of input: expected ',' or ']' after a list element",
            ),
            ("[1,]", 3, "expected a value after ',', found ']'"),
            ("[}", 1, "expected a value or ']', found '}'"),
            (
                "[1 2]",
                3,
                "expected ',' or ']' after a list element, found '2'",
            ),
            (
                "{\"a\":1",
                6,
                "unexpected end of input: expected ',' or '}' after an object entry",
            ),
            ("True", 0, "expected a value, found 'True'"),
            ("[tru]", 1, "expected a value or ']', found 'tru'"),
            ("nul", 0, "expected a value, found 'nul'"),
            (
                "{} {}",
                3,
                "expected the end of input after the document, found '{'",
            ),
            (
                "truex",
                4,
                "expected the end of input after the document, found 'x'",
            ),
            ("\u{a0}1", 0, "expected a value, found '\\u{a0}'"),
            (
                "[\"a\" \"b\"]",
                5,
                "expected ',' or ']' after a list element, found '\"'",
            ),
            (
                "\"abc",
                0,
                "unterminated string: expected a closing '\"' before the end of input",
            ),
        ];
        for (text, offset, message) in cases {
            let e = err(text);
            assert_eq!(e.kind, JsonErrorKind::Syntax, "{text:?}");
            assert_eq!(e.offset, offset, "{text:?}: {e}");
            assert_eq!(e.message, message, "{text:?}");
            assert_eq!(e.to_string(), message);
        }
    }

    #[test]
    fn long_tokens_are_cut_in_messages() {
        let text = format!("[{}]", "x".repeat(10_000));
        let e = err(&text);
        assert!(e.message.len() < 200, "{}", e.message);
        assert!(e.message.ends_with("…'"), "{}", e.message);
    }

    #[test]
    fn error_implements_std_error() {
        let e: Box<dyn std::error::Error> = Box::new(err("[1,]"));
        assert_eq!(e.to_string(), "expected a value after ',', found ']'");
    }

    #[test]
    fn nesting_up_to_the_limit_parses() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let mut node = &ok(&text);
        let mut depth = 1;
        while let NodeKind::List(items) = &node.kind {
            match items.first() {
                Some(inner) => {
                    node = inner;
                    depth += 1;
                }
                None => break,
            }
        }
        assert_eq!(depth, MAX_DEPTH);
        let text = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        ok(&text);
    }

    #[test]
    fn too_deep_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(10_000);
        let e = err(&text);
        assert_eq!(e.kind, JsonErrorKind::TooDeep);
        assert_eq!(e.offset, MAX_DEPTH);
        assert_eq!(e.message, "nesting deeper than 512 levels");

        let text = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(err(&text).kind, JsonErrorKind::TooDeep);

        // Empty containers count too.
        let text = format!("{}{{}}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let e = err(&text);
        assert_eq!((e.kind, e.offset), (JsonErrorKind::TooDeep, MAX_DEPTH));

        let text = "{\"a\":".repeat(10_000);
        let e = err(&text);
        assert_eq!(e.kind, JsonErrorKind::TooDeep);
        assert_eq!(e.offset, MAX_DEPTH * 5);

        let e = parse_last_wins(&"[{\"k\":".repeat(5_000), F, 10).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::TooDeep);
        assert_eq!(e.offset, 10 + (MAX_DEPTH / 2) * 6);
    }

    #[test]
    fn duplicate_keys_lax_keeps_both_and_get_takes_the_last() {
        let text = r#"{"Effect": "Deny", "Action": "x", "Effect": "Allow"}"#;
        let doc = ok(text);
        let e = entries(&doc);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].0.name, "Effect");
        assert_eq!(e[2].0.name, "Effect");
        let (k, v) = doc.get("Effect").unwrap();
        assert_eq!(string_of(v), "Allow");
        assert_eq!(k.span.start as usize, text.rfind("\"Effect\"").unwrap());
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_and_place() {
        let text = r#"{"Effect": "Deny", "Action": "x",  "Effect": "Allow"}"#;
        let doc = last_wins(text);
        assert_eq!(keys(&doc), ["Action", "Effect"]);
        let (k, v) = doc.get("Effect").unwrap();
        assert_eq!(string_of(v), "Allow");
        assert_eq!(k.span.start as usize, text.rfind("\"Effect\"").unwrap());

        // Keys compare after decoding escapes.
        assert_eq!(keys(&last_wins(r#"{"a": 1, "\u0061": 2}"#)), ["a"]);

        // Keys are scoped to their own object; same names in siblings or nested objects stay.
        let fine = r#"{"a": {"a": 1, "b": 2}, "b": [{"a": 1}, {"a": 2}], "c": {"b": {"a": {}}}}"#;
        assert_eq!(last_wins(fine), ok(fine));
        let nested = last_wins(r#"{"a": {"x": 1, "y": 2, "x": 3}}"#);
        let (_, inner) = nested.get("a").unwrap();
        assert_eq!(keys(inner), ["y", "x"]);
        // Without last-wins every entry is kept, as written.
        assert_eq!(keys(&ok(r#"{"x": 1, "x": 2}"#)), ["x", "x"]);
    }

    #[test]
    fn repeated_keys_in_large_objects_are_found_past_the_linear_scan() {
        for dup in [
            0,
            5,
            LINEAR_DUPLICATE_SCAN - 1,
            LINEAR_DUPLICATE_SCAN + 3,
            99,
        ] {
            let mut text = String::from("{");
            for i in 0..100 {
                text.push_str(&format!("\"k{i}\": {i}, "));
            }
            text.push_str(&format!("\"k{dup}\": true}}"));
            let doc = last_wins(&text);
            assert_eq!(entries(&doc).len(), 100, "k{dup}");
            let (_, v) = doc.get(&format!("k{dup}")).unwrap();
            assert!(matches!(v.kind, NodeKind::Bool(true)), "k{dup}");
        }
    }

    #[test]
    fn many_repeats_of_one_key_cost_linear_time() {
        let mut text = String::from("{");
        for i in 0..100_000 {
            text.push_str(&format!("\"k\": {i}, "));
        }
        text.push_str("\"last\": 0}");
        assert_eq!(keys(&last_wins(&text)), ["k", "last"]);
    }

    #[test]
    fn leading_bom_is_skipped_but_counted_in_offsets() {
        let text = "\u{feff}{\"a\": 1}";
        let doc = ok(text);
        assert_eq!(doc.span, Span::new(F, 3, text.len()));
        assert_eq!(src(text, doc.span), "{\"a\": 1}");
        let (k, _) = doc.get("a").unwrap();
        assert_eq!(src(text, k.span), "\"a\"");

        assert_eq!(err("\u{feff}").offset, 3);
        // Only a leading BOM is special.
        let e = err("[\u{feff}1]");
        assert_eq!(e.offset, 1);
        assert_eq!(e.message, "expected a value or ']', found '\\u{feff}'");
        let e = err("\u{feff}\u{feff}1");
        assert_eq!(e.offset, 3);
    }

    #[test]
    fn line_index_lf() {
        let text = "ab\ncd\n\nef";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(1), (1, 2));
        assert_eq!(idx.position(2), (1, 3)); // the '\n' itself
        assert_eq!(idx.position(3), (2, 1));
        assert_eq!(idx.position(6), (3, 1));
        assert_eq!(idx.position(7), (4, 1));
        assert_eq!(idx.position(9), (4, 3)); // the end
        assert_eq!(idx.position(1_000_000), (4, 3));
        assert_eq!(idx.position(usize::MAX), (4, 3));
    }

    #[test]
    fn line_index_crlf_and_multibyte() {
        let text = "{\r\n  \"é€\": \"😀x\"\r\n}\r\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(1), (1, 2)); // '\r' belongs to the line it ends
        assert_eq!(idx.position(3), (2, 1));
        let key = text.find('"').unwrap();
        assert_eq!(idx.position(key), (2, 3));
        let e_acute = text.find('é').unwrap();
        assert_eq!(idx.position(e_acute), (2, 4));
        assert_eq!(idx.position(e_acute + 1), (2, 4)); // inside 'é'
        let euro = text.find('€').unwrap();
        assert_eq!(idx.position(euro), (2, 5));
        assert_eq!(idx.position(euro + 2), (2, 5));
        let colon = text.find(':').unwrap();
        assert_eq!(idx.position(colon), (2, 7));
        let smile = text.find('😀').unwrap();
        assert_eq!(idx.position(smile), (2, 10));
        assert_eq!(idx.position(smile + 3), (2, 10));
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(x), (2, 11));
        let close = text.find('}').unwrap();
        assert_eq!(idx.position(close), (3, 1));
        assert_eq!(idx.position(text.len()), (4, 1));
        assert_eq!(idx.position(text.len() + 5), (4, 1));
    }

    #[test]
    fn line_index_edge_cases() {
        let idx = LineIndex::new("");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(10), (1, 1));

        let idx = LineIndex::new("€");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(2), (1, 1));
        assert_eq!(idx.position(3), (1, 2));
        assert_eq!(idx.position(4), (1, 2));

        // A lone CR is a line break (YAML's and editors' view); the CR itself ends its line.
        let idx = LineIndex::new("a\rb\r\rc\r");
        assert_eq!(idx.position(1), (1, 2));
        assert_eq!(idx.position(2), (2, 1));
        assert_eq!(idx.position(4), (3, 1));
        assert_eq!(idx.position(5), (4, 1));
        assert_eq!(idx.position(7), (5, 1));

        // CR LF is one break, also where CRs and LFs are mixed.
        let idx = LineIndex::new("a\r\n\r\nb\n\rc\r\r\nd");
        assert_eq!(idx.position(2), (1, 3)); // the '\n' of the first CR LF
        assert_eq!(idx.position(3), (2, 1));
        assert_eq!(idx.position(5), (3, 1)); // b
        assert_eq!(idx.position(7), (4, 1)); // the lone CR after LF ends an empty line
        assert_eq!(idx.position(8), (5, 1)); // c
        assert_eq!(idx.position(12), (7, 1)); // d
    }

    #[test]
    fn line_index_agrees_with_a_naive_count() {
        let text = "ab€\r\n😀\n\nxé€y\nz\r€\r\rq\r\n";
        let idx = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let mut at = offset.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let before = &text[..at];
            // Every '\n', and every '\r' not followed by '\n', ends a line.
            let ends_line = |i: usize, b: u8| {
                b == b'\n' || (b == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n'))
            };
            let breaks: Vec<usize> = before
                .bytes()
                .enumerate()
                .filter(|&(i, b)| ends_line(i, b))
                .map(|(i, _)| i)
                .collect();
            let line = breaks.len() + 1;
            let line_start = breaks.last().map_or(0, |i| i + 1);
            let column = text[line_start..at].chars().count() + 1;
            assert_eq!(idx.position(offset), (line, column), "offset {offset}");
        }
    }

    #[test]
    fn error_offsets_map_to_lines() {
        let text = "{\r\n  \"a\": tru\r\n}";
        let e = err(text);
        assert_eq!(LineIndex::new(text).position(e.offset), (2, 8));
    }

    /// A tiny deterministic generator (Knuth's MMIX LCG), so the test needs no crates and is repeatable.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Checks what every successful parse must satisfy: spans lie inside the text, nest inside their
    /// parents, and strings and keys are spanned by their quotes.
    fn check_spans(text: &str, node: &Node, outer: (usize, usize)) {
        let (start, end) = (node.span.start as usize, node.span.end as usize);
        assert!(
            outer.0 <= start && start <= end && end <= outer.1,
            "{text:?}"
        );
        let token = text.get(start..end).unwrap();
        match &node.kind {
            NodeKind::Str(_) => assert!(token.starts_with('"') && token.ends_with('"')),
            NodeKind::List(items) => {
                assert!(token.starts_with('[') && token.ends_with(']'));
                for item in items {
                    check_spans(text, item, (start + 1, end - 1));
                }
            }
            NodeKind::Map(entries) => {
                assert!(token.starts_with('{') && token.ends_with('}'));
                for (k, v) in entries {
                    let key = text
                        .get(k.span.start as usize..k.span.end as usize)
                        .unwrap();
                    assert!(key.starts_with('"') && key.ends_with('"'));
                    check_spans(text, v, (start + 1, end - 1));
                }
            }
            NodeKind::Number(n) => assert_eq!(n, token),
            NodeKind::Bool(b) => assert_eq!(token, b.to_string()),
            NodeKind::Null => assert_eq!(token, "null"),
            NodeKind::Unknown(_) => panic!("the JSON parser never produces Unknown"),
        }
    }

    #[test]
    fn random_printable_ascii_never_panics() {
        let mut rng = Lcg(0x5eed);
        // Structural characters are over-represented so that many inputs get past the first byte.
        let alphabet: Vec<char> = (' '..='~')
            .chain("{}[]\":,\\\"0123-.eu{}[]\"\"".chars())
            .collect();
        let mut parsed = 0;
        for _ in 0..20_000 {
            let len = rng.below(40);
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            for result in [parse(&text, F, 0), parse_last_wins(&text, F, 0)] {
                match result {
                    Ok(node) => {
                        parsed += 1;
                        check_spans(&text, &node, (0, text.len()));
                    }
                    Err(e) => {
                        assert!(e.offset <= text.len(), "{text:?}: {e:?}");
                        assert!(!e.message.is_empty());
                    }
                }
            }
        }
        assert!(
            parsed > 0,
            "the generator should produce some valid documents"
        );
    }

    /// Writes a random valid document, so the round trip checks the parser on inputs that go deep into
    /// every construct, not just the error paths.
    fn random_json(rng: &mut Lcg, depth: usize, out: &mut String) {
        let choice = if depth > 6 {
            rng.below(4)
        } else {
            rng.below(7)
        };
        match choice {
            0 => out.push_str(["true", "false", "null"][rng.below(3)]),
            1 => out.push_str(["0", "-1.5", "2e10", "-0.0E-3", "12345"][rng.below(5)]),
            2 | 3 => {
                out.push('"');
                for _ in 0..rng.below(6) {
                    out.push_str(
                        ["a", "\\n", "\\u00e9", "é", "\\uD83D\\uDE00", "\\\"", " "][rng.below(7)],
                    );
                }
                out.push('"');
            }
            4 | 5 => {
                out.push('[');
                for i in 0..rng.below(4) {
                    if i > 0 {
                        out.push_str([",", " , ", ",\r\n"][rng.below(3)]);
                    }
                    random_json(rng, depth + 1, out);
                }
                out.push(']');
            }
            _ => {
                out.push_str("{ ");
                for i in 0..rng.below(4) {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&format!("\"k{i}\"\t: "));
                    random_json(rng, depth + 1, out);
                }
                out.push('}');
            }
        }
    }

    #[test]
    fn random_valid_documents_parse_with_consistent_spans() {
        let mut rng = Lcg(42);
        for _ in 0..2_000 {
            let mut text = String::from(" ");
            random_json(&mut rng, 0, &mut text);
            text.push('\n');
            let node = parse_last_wins(&text, F, 0).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
            check_spans(&text, &node, (0, text.len()));
            assert_eq!(src(&text, node.span), text.trim());

            // Every proper prefix of a valid document is incomplete, hence an error, never a panic.
            let trimmed = text.trim_end();
            for cut in (0..trimmed.len()).filter(|&c| trimmed.is_char_boundary(c)) {
                let prefix = &trimmed[..cut];
                // A number prefix can itself be a complete document ("12" of "12345").
                if let Ok(node) = parse(prefix, F, 0) {
                    assert!(matches!(node.kind, NodeKind::Number(_)), "{prefix:?}");
                }
            }
        }
    }

    #[test]
    fn large_documents_parse() {
        let mut text = String::from("{\"Statement\": [");
        for i in 0..20_000 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!(
                "{{\"Sid\": \"s{i}\", \"Effect\": \"Allow\", \"Action\": [\"iam:PassRole\", \"s3:Get\\u002a\"], \"Resource\": \"arn:aws:iam::123456789012:role/app/r{i}\"}}"
            ));
        }
        text.push_str("]}");
        let doc = parse_last_wins(&text, F, 0).unwrap();
        let (_, statements) = doc.get("Statement").unwrap();
        let list = items(statements);
        assert_eq!(list.len(), 20_000);
        let (_, last) = list[19_999].get("Resource").unwrap();
        assert_eq!(
            src(&text, last.span),
            "\"arn:aws:iam::123456789012:role/app/r19999\""
        );
        let (_, action) = list[5].get("Action").unwrap();
        assert_eq!(string_of(&items(action)[1]), "s3:Get*");
    }
}
