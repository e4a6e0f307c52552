//! JSON string literals of the plan decoded with a map back to the plan's bytes, so that a policy
//! written as a JSON string inside the plan (`"policy": "{\"Statement\": ...}"`) is parsed with spans
//! pointing at the exact characters of the plan that wrote each element.

use crate::source::json;
use crate::value::{FileId, Node, NodeKind, Span};

/// A decoded string literal and where its bytes came from.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// `(decoded offset, file offset)` at the start and after every escape, increasing.
    marks: Vec<(usize, usize)>,
    /// The span of the whole literal, quotes included.
    pub span: Span,
}

impl Decoded {
    /// The file offset of decoded byte `d`. A byte produced by an escape maps to its backslash.
    pub fn offset(&self, d: usize) -> usize {
        let i = self.marks.partition_point(|&(dec, _)| dec <= d);
        match i.checked_sub(1).and_then(|i| self.marks.get(i)) {
            Some(&(dec, raw)) => raw + (d - dec),
            None => self.span.start as usize,
        }
    }

    /// A span of the decoded text as a span of the file.
    pub fn map_span(&self, s: Span) -> Span {
        Span::new(
            self.span.file,
            self.offset(s.start as usize),
            self.offset(s.end as usize),
        )
    }
}

fn hex4(b: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(b.get(..4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// Decodes the JSON string literal `raw` (quotes included) found at byte `base` of `file`.
/// None when `raw` is not a string literal.
pub fn decode(raw: &str, file: FileId, base: usize) -> Option<Decoded> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let span = Span::new(file, base, base + raw.len());
    let mut text = String::with_capacity(inner.len());
    let mut marks = vec![(0, base + 1)];
    let bytes = inner.as_bytes();
    let mut i = 0;
    let mut run = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        text.push_str(inner.get(run..i)?);
        let (ch, len) = match bytes.get(i + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let hi = hex4(bytes.get(i + 2..)?)?;
                if (0xD800..0xDC00).contains(&hi) {
                    if bytes.get(i + 6..i + 8)? != b"\\u" {
                        return None;
                    }
                    let lo = hex4(bytes.get(i + 8..)?)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    (char::from_u32(c)?, 12)
                } else {
                    (char::from_u32(hi)?, 6)
                }
            }
            _ => return None,
        };
        text.push(ch);
        i += len;
        run = i;
        marks.push((text.len(), base + 1 + i));
    }
    text.push_str(inner.get(run..)?);
    Some(Decoded { text, marks, span })
}

/// Parses a decoded string as JSON, with every span pointing into the plan.
pub fn parse_json(decoded: &Decoded) -> Result<Node, (Span, String)> {
    match json::parse(&decoded.text, decoded.span.file, 0) {
        Ok(mut node) => {
            remap(&mut node, decoded);
            Ok(node)
        }
        Err(e) => {
            let at = decoded.offset(e.offset);
            Err((Span::new(decoded.span.file, at, at + 1), e.message))
        }
    }
}

fn remap(node: &mut Node, d: &Decoded) {
    node.span = d.map_span(node.span);
    match &mut node.kind {
        NodeKind::List(items) => items.iter_mut().for_each(|n| remap(n, d)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            k.span = d.map_span(k.span);
            remap(v, d)
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_skip_escapes() {
        let file = r#"{"p": "{\"Resource\":\"*\"}"}"#;
        let start = file.find("\"{").unwrap();
        let end = file.rfind('"').unwrap() + 1;
        let raw = &file[start..end];
        let d = decode(raw, FileId(0), start).unwrap();
        assert_eq!(d.text, r#"{"Resource":"*"}"#);
        let node = parse_json(&d).unwrap();
        let (k, v) = node.get("Resource").unwrap();
        assert_eq!(
            &file[k.span.start as usize..k.span.end as usize],
            r#"\"Resource\""#
        );
        assert_eq!(
            &file[v.span.start as usize..v.span.end as usize],
            r#"\"*\""#
        );
    }

    #[test]
    fn unicode_escapes_and_bad_input() {
        let d = decode(r#""a\u00e9\ud83d\ude00b""#, FileId(0), 0).unwrap();
        assert_eq!(d.text, "aé😀b");
        assert_eq!(d.offset(d.text.len() - 1), 20);
        assert!(decode(r#""\ud83d""#, FileId(0), 0).is_none());
        assert!(decode(r#""\x""#, FileId(0), 0).is_none());
        assert!(decode(r#""\u12""#, FileId(0), 0).is_none());
        assert!(decode("nope", FileId(0), 0).is_none());
    }
}
