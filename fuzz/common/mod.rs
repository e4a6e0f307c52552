//! Checks shared by the parser targets.

use passrole::source::json::LineIndex;
use passrole::value::{Node, NodeKind, Span};

/// Every span of a parsed tree (nodes and keys) lies inside the text, in order, on char boundaries:
/// reports slice the text with them.
pub fn check_spans(root: &Node, text: &str) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        check_span(node.span, text);
        match &node.kind {
            NodeKind::List(items) => stack.extend(items),
            NodeKind::Map(entries) => {
                for (key, value) in entries {
                    check_span(key.span, text);
                    stack.push(value);
                }
            }
            _ => {}
        }
    }
}

fn check_span(span: Span, text: &str) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(start <= end, "span {start}..{end} is reversed");
    assert!(
        end <= text.len(),
        "span {start}..{end} ends past {}",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "span {start}..{end} splits a char"
    );
}

/// The line index agrees with a plain count of line breaks (`\n`, `\r\n`, lone `\r`) at every char
/// boundary; for short texts only, since the count is quadratic.
pub fn check_line_index(text: &str) {
    if text.len() > 512 {
        return;
    }
    let index = LineIndex::new(text);
    let bytes = text.as_bytes();
    let (mut line, mut column) = (1, 1);
    for (i, c) in text.char_indices() {
        assert_eq!(index.position(i), (line, column), "offset {i}");
        let breaks = c == '\n' || (c == '\r' && bytes.get(i + 1) != Some(&b'\n'));
        if breaks {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    assert_eq!(index.position(text.len()), (line, column), "the end");
}
