//! Comments and bracketed constructs of HCL text (`.tf`, `.tfvars`), found by a small lexer.
//!
//! Only real comments count as suppressions: a `# passrole:ignore` inside a quoted string, a
//! template interpolation or a heredoc is text, not a comment. The lexer knows just enough HCL for
//! that: comments (`#`, `//`, `/* */`), quoted templates with `${ }` / `%{ }` (and their `$${` /
//! `%%{` escapes), heredocs (`<<EOF`, `<<-EOF`) and brackets. It never fails: unterminated
//! constructs end at the end of the text (the parser reports them).

use super::Lexed;

/// What an open bracket on the stack is.
enum Frame {
    /// `{`, `[` or `(` in code, opened at this offset.
    Bracket(usize),
    /// `${` or `%{` inside a quoted template: its `}` returns to the template.
    Interpolation,
}

pub fn lex(text: &str) -> Lexed {
    let b = text.as_bytes();
    let mut out = Lexed::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut in_template = false;
    let mut i = 0;
    while i < b.len() {
        if in_template {
            match (b[i], b.get(i + 1), b.get(i + 2)) {
                (b'\\', _, _) => i += 2,
                (b'"', _, _) | (b'\n', _, _) => {
                    // A newline ends an unterminated template: the rest is lexed as code again.
                    in_template = false;
                    i += 1;
                }
                (b'$' | b'%', Some(&next), Some(b'{')) if next == b[i] => i += 3,
                (b'$' | b'%', Some(b'{'), _) => {
                    stack.push(Frame::Interpolation);
                    in_template = false;
                    i += 2;
                }
                _ => i += 1,
            }
            continue;
        }
        match (b[i], b.get(i + 1)) {
            (b'#', _) | (b'/', Some(b'/')) => {
                let end = line_end(b, i);
                out.comments.push(i..end);
                i = end;
            }
            (b'/', Some(b'*')) => {
                let end = find(b, i + 2, b"*/").map_or(b.len(), |e| e + 2);
                out.comments.push(i..end);
                i = end;
            }
            (b'"', _) => {
                in_template = true;
                i += 1;
            }
            (b'<', Some(b'<')) => match heredoc_end(b, i) {
                Some(end) => {
                    out.constructs.push(i..end);
                    i = end;
                }
                None => i += 2,
            },
            (b'{' | b'[' | b'(', _) => {
                stack.push(Frame::Bracket(i));
                i += 1;
            }
            (b'}' | b']' | b')', _) => {
                match stack.pop() {
                    Some(Frame::Bracket(start)) => out.constructs.push(start..i + 1),
                    Some(Frame::Interpolation) => in_template = true,
                    None => {}
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    for frame in stack {
        if let Frame::Bracket(start) = frame {
            out.constructs.push(start..b.len());
        }
    }
    out
}

/// The offset of the end of the line holding `i` (its `\n`, or the end of the text).
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |n| i + n)
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|n| from + n)
}

/// For `<<ID` / `<<-ID` at `i` followed by the end of its line, the offset after the line that
/// closes it (a line holding only `ID`, indented or not); the end of the text when none does.
/// None when `<<` does not open a heredoc.
fn heredoc_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let id_start = j;
    while b
        .get(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
    {
        j += 1;
    }
    let id = &b[id_start..j];
    let rest = &b[j..line_end(b, j)];
    if id.is_empty() || !rest.iter().all(|c| c.is_ascii_whitespace()) {
        return None;
    }
    let mut line = line_end(b, j) + 1;
    while line < b.len() {
        let end = line_end(b, line);
        if b[line..end].trim_ascii() == id {
            return Some(end);
        }
        line = end + 1;
    }
    Some(b.len())
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
    fn finds_the_three_comment_forms() {
        let text = "a = 1 # one\n// two\nb = /* three */ 2\n";
        assert_eq!(comments(text), ["# one", "// two", "/* three */"]);
    }

    #[test]
    fn markers_inside_strings_and_interpolations_are_not_comments() {
        let text = r##"a = "x # not" # yes
b = "${lookup(m, "#k", "//")} $${#} %%{x} \" #" // also
"##;
        assert_eq!(comments(text), ["# yes", "// also"]);
    }

    #[test]
    fn heredoc_content_is_not_a_comment_and_is_a_construct() {
        let text = "p = <<-EOF\n  # passrole:ignore PR010 no\n  EOF\n# after\n";
        let lexed = lex(text);
        assert_eq!(comments(text), ["# after"]);
        assert_eq!(
            &text[lexed.constructs[0].clone()],
            &text[4..text.find("# after").unwrap() - 1]
        );
    }

    #[test]
    fn brackets_are_constructs() {
        let text = "r \"a\" \"b\" {\n  x = [1, 2]\n}\n";
        let lexed = lex(text);
        let spans: Vec<&str> = lexed.constructs.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(spans, ["[1, 2]", "{\n  x = [1, 2]\n}"]);
    }
}
