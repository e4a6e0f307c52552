//! Comments and constructs of YAML text (CloudFormation templates), from the spanned node tree.
//!
//! A `#` starts a comment when it begins a line or follows a space or tab, outside every scalar
//! (plain scalars cannot hold ` #`; quoted and block scalars can, and their spans cover them). The
//! constructs are the mapping entries (key to the end of the value) and the sequence items: a
//! suppression on the line of a resource's logical id covers the whole resource.

use super::Lexed;
use crate::source::cloudformation::yaml;
use crate::value::{FileId, Node, NodeKind};
use std::ops::Range;

pub fn lex(text: &str) -> Lexed {
    let Ok(root) = yaml::parse(text, FileId(0)) else {
        // The template's own parse error is reported by the scan; its comments suppress nothing.
        return Lexed::default();
    };
    let mut scalars = Vec::new();
    let mut out = Lexed::default();
    walk(text, &root, &mut scalars, &mut out.constructs);
    scalars.sort_by_key(|r| r.start);
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'#'
            && (i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r'))
            && !inside(&scalars, i)
        {
            let end = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| i + n);
            out.comments.push(i..end);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn walk(
    text: &str,
    node: &Node,
    scalars: &mut Vec<Range<usize>>,
    constructs: &mut Vec<Range<usize>>,
) {
    let span = node.span.start as usize..node.span.end as usize;
    match &node.kind {
        NodeKind::Map(entries) => {
            for (key, value) in entries {
                let key_span = key.span.start as usize..key.span.end as usize;
                scalars.push(scalar_extent(text, key_span.clone()));
                if value.span.end > key.span.start {
                    constructs.push(key_span.start..value.span.end as usize);
                }
                walk(text, value, scalars, constructs);
            }
        }
        NodeKind::List(items) => {
            for item in items {
                constructs.push(item.span.start as usize..item.span.end as usize);
                walk(text, item, scalars, constructs);
            }
        }
        _ => scalars.push(scalar_extent(text, span)),
    }
}

/// The text a scalar really covers. The parser's span of a scalar can run on over a comment after
/// it (`'x' # note`): a quoted scalar ends at its closing quote, a one-line plain scalar before
/// ` #`. Block scalars (and multi-line plain ones) keep their span: their lines are content.
fn scalar_extent(text: &str, span: Range<usize>) -> Range<usize> {
    let Some(s) = text.get(span.clone()) else {
        return span;
    };
    // Tags (`!Sub`) and anchors (`&a`) before the value.
    let mut off = 0;
    while s[off..].starts_with(['!', '&']) {
        let word = s[off..].find(char::is_whitespace).unwrap_or(s.len() - off);
        off += word;
        off += s[off..].len() - s[off..].trim_start().len();
    }
    let body = &s[off..];
    let end = match body.chars().next() {
        Some('\'') => closing(
            body,
            |b, i| (b[i] == b'\'' && b.get(i + 1) == Some(&b'\'')).then_some(2),
            b'\'',
        ),
        Some('"') => closing(body, |b, i| (b[i] == b'\\').then_some(2), b'"'),
        _ if !body.contains('\n') => [" #", "\t#"]
            .iter()
            .filter_map(|m| body.find(m))
            .min()
            .unwrap_or(body.len()),
        _ => body.len(),
    };
    span.start..span.start + off + end
}

/// The offset after the closing `quote` of a quoted scalar that starts at 0; `escape` says how
/// many bytes an escape at an offset takes.
fn closing(body: &str, escape: impl Fn(&[u8], usize) -> Option<usize>, quote: u8) -> usize {
    let b = body.as_bytes();
    let mut i = 1;
    while i < b.len() {
        if let Some(n) = escape(b, i) {
            i += n;
        } else if b[i] == quote {
            return i + 1;
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Whether `offset` lies inside one of the sorted, possibly overlapping `ranges`.
fn inside(ranges: &[Range<usize>], offset: usize) -> bool {
    // Scalars and keys do not nest (an alias repeats its anchor's span): the few last ranges
    // starting before `offset` are the only ones that can hold it.
    let n = ranges.partition_point(|r| r.start <= offset);
    ranges[..n].iter().rev().take(8).any(|r| offset < r.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(text: &str) -> Vec<&str> {
        lex(text)
            .comments
            .iter()
            .map(|r| &text[r.clone()])
            .collect()
    }

    #[test]
    fn only_real_comments_count() {
        let text = "# head\na: 'x # no' # yes\nb: \"y #no\\\" #\" # q\nc: d#e # p\nf: |\n  # in a block\n  text\ng: !Sub 'it''s # x' # end\n";
        assert_eq!(comments(text), ["# head", "# yes", "# q", "# p", "# end"]);
    }

    #[test]
    fn an_unparsable_file_has_no_comments() {
        assert!(comments("a: [\n# c\n").is_empty());
    }
}
