//! Recovery for under-indented flow collections and quoted scalars.
//!
//! YAML wants every line of a flow collection (`[ … ]`, `{ … }`) and of a multi-line quoted scalar to be
//! indented more than the block it sits in, and `saphyr-parser` enforces that. PyYAML, which the AWS CLI
//! (`aws cloudformation package`/`deploy`), SAM and cfn-lint use, does not, and CloudFormation accepts
//! what they send. So templates like
//!
//! ```yaml
//!       ManagedPolicyArns: [
//!         arn:aws:iam::aws:policy/ReadOnlyAccess,
//!     ]
//!       Description: "a description
//!       continued at the key's indentation"
//! ```
//!
//! are deployed every day. Rather than fork the parser, a template that fails with "invalid indentation"
//! is read a second time from a copy in which each such continuation line is indented one column past
//! the line that opened the collection or the quote. The extra spaces change no value (flow collections
//! ignore indentation; a quoted scalar's line folding drops leading spaces) and every offset is mapped
//! back to the original file. Only continuation lines are touched, and only when the first parse
//! failed, so a template that parses as it is never goes through here.

/// A copy of the template with spaces added at the start of some lines.
pub struct Padded {
    pub text: String,
    /// `(offset in the copy where a line's added spaces start, where its original text starts,
    /// spaces added up to and including this line)`, ascending.
    inserts: Vec<(usize, usize, usize)>,
}

impl Padded {
    /// The offset in the original file of a byte offset in the copy (added spaces map to the start
    /// of their line).
    pub fn original(&self, offset: usize) -> usize {
        let i = self.inserts.partition_point(|&(pad, _, _)| pad <= offset);
        match i.checked_sub(1).and_then(|i| self.inserts.get(i)) {
            Some(&(_, at, added)) => offset.max(at) - added,
            None => offset,
        }
    }
}

/// What the lines being read are inside of.
#[derive(Default)]
struct State {
    flow_depth: usize,
    /// The quote character of an open quoted scalar.
    quote: Option<char>,
    /// Continuation lines must start at this column or later (set when a flow or quote opens).
    required: usize,
    /// The indentation a block scalar's (`|`, `>`) content is deeper than, while in one.
    block_scalar: Option<usize>,
}

/// The copy with continuation lines indented enough, or `None` when no line needs it (then the
/// failure has another cause) or when padding would more than double the file (hostile input).
pub fn pad_continuations(text: &str) -> Option<Padded> {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut inserts = Vec::new();
    let mut added = 0usize;
    let mut state = State::default();
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if let Some(parent) = state.block_scalar {
            if blank || indent > parent {
                out.push_str(line);
                continue;
            }
            state.block_scalar = None;
        }
        let continuing = state.flow_depth > 0 || state.quote.is_some();
        if continuing && !blank && indent < state.required {
            let pad = state.required - indent;
            added += pad;
            if added > text.len() {
                return None;
            }
            let pad_start = out.len();
            out.extend(std::iter::repeat_n(' ', pad));
            inserts.push((pad_start, out.len(), added));
        }
        out.push_str(line);
        scan_line(line, indent, &mut state);
    }
    (!inserts.is_empty()).then_some(Padded { text: out, inserts })
}

/// The column where a line's content starts, past its indentation and any `- ` sequence entries.
fn content_column(line: &str, indent: usize) -> usize {
    let mut col = indent;
    let bytes = line.as_bytes();
    while bytes.get(col) == Some(&b'-') && matches!(bytes.get(col + 1), Some(b' ')) {
        col += 2;
        while bytes.get(col) == Some(&b' ') {
            col += 1;
        }
    }
    col
}

/// Updates the state with one line: quotes, flow brackets, comments and block scalar headers.
fn scan_line(line: &str, indent: usize, state: &mut State) {
    let opened_here = state.flow_depth == 0 && state.quote.is_none();
    let required = content_column(line, indent) + 1;
    // At the start of a value: a quote or a bracket here opens a scalar or a collection.
    let mut value_start = true;
    let mut last_token = String::new();
    // The token before the last whitespace: a block scalar header followed by a comment.
    let mut previous_token = String::new();
    let mut chars = line.trim_end_matches(['\n', '\r']).chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = state.quote {
            match (q, c) {
                ('"', '\\') => {
                    chars.next();
                }
                ('\'', '\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                }
                (q, c) if q == c => {
                    state.quote = None;
                    value_start = false;
                    last_token.clear();
                    last_token.push(c);
                }
                _ => {}
            }
            continue;
        }
        match c {
            ' ' | '\t' => {
                // A tag or anchor (`!Sub `, `&name `) is followed by the value it applies to.
                if last_token.starts_with(['!', '&']) {
                    value_start = true;
                }
                if !last_token.is_empty() {
                    previous_token = std::mem::take(&mut last_token);
                }
                continue;
            }
            '#' if last_token.is_empty() => break,
            '"' | '\'' if value_start => {
                if opened_here && state.flow_depth == 0 {
                    state.required = required;
                }
                state.quote = Some(c);
                continue;
            }
            '[' | '{' if value_start || state.flow_depth > 0 => {
                if state.flow_depth == 0 && opened_here {
                    state.required = required;
                }
                state.flow_depth += 1;
                value_start = true;
                last_token.clear();
                continue;
            }
            ']' | '}' if state.flow_depth > 0 => {
                state.flow_depth -= 1;
                value_start = false;
            }
            ',' if state.flow_depth > 0 => value_start = true,
            ':' | '-' | '?' if matches!(chars.peek(), None | Some(' ')) => value_start = true,
            _ => value_start = false,
        }
        last_token.push(c);
    }
    let last = if last_token.is_empty() {
        previous_token
    } else {
        last_token
    };
    let header = last.trim_start_matches(['|', '>']);
    let is_block_header = last.starts_with(['|', '>'])
        && header.len() <= 2
        && header
            .chars()
            .all(|c| c == '+' || c == '-' || c.is_ascii_digit());
    if is_block_header && state.flow_depth == 0 && state.quote.is_none() {
        state.block_scalar = Some(indent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closing_bracket_left_of_its_key_is_moved_right_and_offsets_map_back() {
        let text = "A:\n  B: [\n    x,\n  ]\n  C: 1\n";
        let padded = pad_continuations(text).expect("padded");
        assert_eq!(padded.text, "A:\n  B: [\n    x,\n   ]\n  C: 1\n");
        let bracket = padded.text.find(']').expect("bracket");
        assert_eq!(padded.original(bracket), text.find(']').expect("bracket"));
        let c = padded.text.find("C:").expect("C");
        assert_eq!(padded.original(c), text.find("C:").expect("C"));
        // The added space (first on the line) maps to the start of its line.
        let line_start = text.find(']').expect("bracket") - 2;
        assert_eq!(padded.original(bracket - 3), line_start);
        assert_eq!(padded.original(bracket - 2), line_start);
    }

    #[test]
    fn a_quoted_scalar_continued_at_its_keys_indentation_is_padded() {
        let text = "R:\n  P:\n    D: \"one\n    two\"\n    E: 'it''s\n    x'\n";
        let padded = pad_continuations(text).expect("padded");
        assert_eq!(
            padded.text,
            "R:\n  P:\n    D: \"one\n     two\"\n    E: 'it''s\n     x'\n"
        );
    }

    #[test]
    fn sequence_entries_count_toward_the_opening_column() {
        let text = "L:\n  - K: [\n  a]\n";
        let padded = pad_continuations(text).expect("padded");
        assert_eq!(padded.text, "L:\n  - K: [\n     a]\n");
    }

    #[test]
    fn quotes_brackets_inside_plain_scalars_comments_and_block_scalars_do_not_count() {
        let text = "A: it's [fine\nB: x # \"no\n\
                    C: |\n  [ \"not a flow\n  D: x\nE: 5\nF: >- # folded\n  'not a quote\nG: 6\n";
        assert!(pad_continuations(text).is_none());
    }

    #[test]
    fn padding_is_bounded() {
        let mut text = format!("{}K: [\n", " ".repeat(4000));
        text.push_str(&"a,\n".repeat(2000));
        text.push(']');
        assert!(pad_continuations(&text).is_none());
    }
}
