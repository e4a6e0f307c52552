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
#[path = "json_tests.rs"]
mod tests;
