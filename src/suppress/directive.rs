//! Suppression comments: what `passrole:ignore` says, and which part of the file it covers.

use super::Lexed;
use std::ops::Range;

/// The words that start a suppression comment.
pub const MARKER: &str = "passrole:ignore";

/// A parsed `passrole:ignore ID[,ID...] reason`.
#[derive(Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The rule ids as written.
    pub rules: Vec<String>,
    /// The reason, trimmed; empty when none is given.
    pub reason: String,
}

/// The directive in a comment's text (marker included), or None when the comment is not one.
pub fn parse_comment(comment: &str) -> Option<Parsed> {
    let body = if let Some(b) = comment.strip_prefix("/*") {
        b.strip_suffix("*/").unwrap_or(b)
    } else if let Some(b) = comment.strip_prefix("//") {
        b
    } else {
        comment.strip_prefix('#')?
    };
    parse_body(body)
}

/// Parses the text after the comment marker.
pub fn parse_body(body: &str) -> Option<Parsed> {
    let rest = body.trim_start().strip_prefix(MARKER)?;
    // `passrole:ignored` or `passrole:ignore-all` are other words, not this directive.
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let mut rest = rest.trim_start();
    let mut rules = Vec::new();
    loop {
        let n = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        if n == 0 {
            break;
        }
        rules.push(rest[..n].to_string());
        rest = &rest[n..];
        match rest.trim_start().strip_prefix(',') {
            Some(more) => rest = more.trim_start(),
            None => break,
        }
    }
    // `PR010: reason` and `PR010 -- reason` read as `PR010 reason`.
    let reason = rest
        .trim()
        .trim_start_matches([':', '-', '\u{2014}'])
        .trim()
        .to_string();
    Some(Parsed { rules, reason })
}

/// The lines of a file, with what a suppression on each of them covers, computed once per file so
/// that a file of many comments and brackets costs linear time.
pub struct Lines<'a> {
    text: &'a str,
    /// The offset of each line's first byte.
    starts: Vec<usize>,
    /// Per line: the farthest end of a construct opened on it (0 when none is).
    reach: Vec<usize>,
    /// Per line: the first line from it on that is not only a comment (None: none is).
    next_code: Vec<Option<usize>>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str, lexed: &Lexed) -> Lines<'a> {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut lines = Lines {
            text,
            reach: vec![0; starts.len()],
            next_code: vec![None; starts.len() + 1],
            starts,
        };
        for c in &lexed.constructs {
            let l = lines.line_of(c.start);
            lines.reach[l] = lines.reach[l].max(c.end);
        }
        for l in (0..lines.starts.len()).rev() {
            lines.next_code[l] = if lines.comment_only(lexed, l) {
                lines.next_code[l + 1]
            } else {
                Some(l)
            };
        }
        lines
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// A line's bytes, without its `\n`.
    fn range(&self, line: usize) -> Range<usize> {
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next.saturating_sub(1));
        self.starts[line]..end
    }

    /// Whether a line holds nothing but (the start of) a comment.
    fn comment_only(&self, lexed: &Lexed, line: usize) -> bool {
        let range = self.range(line);
        let Some(first) = self.text[range.clone()].find(|c: char| !c.is_whitespace()) else {
            return false;
        };
        let at = range.start + first;
        lexed
            .comments
            .binary_search_by_key(&at, |c| c.start)
            .is_ok()
    }

    /// The byte range a suppression comment covers.
    ///
    /// A comment after code covers its own line; a comment alone on its line covers the next line
    /// (other comment lines in between are skipped, so stacked suppressions all apply; a blank line
    /// ends the search). When the covered line opens a block, list, call or heredoc that it does
    /// not close, the range extends to its end: a suppression on a resource's opening line (or
    /// just above it) covers the whole resource.
    pub fn cover(&self, comment: &Range<usize>) -> Range<usize> {
        let first = self.line_of(comment.start);
        let last = self.line_of(comment.end.saturating_sub(1).max(comment.start));
        let last_line = self.range(last);
        let code_before = !self.text[self.starts[first]..comment.start]
            .trim()
            .is_empty();
        let code_after = !self.text[comment.end.min(last_line.end)..last_line.end]
            .trim()
            .is_empty();
        let target = if code_before {
            Some(first)
        } else if code_after {
            Some(last)
        } else {
            self.next_code.get(last + 1).copied().flatten()
        };
        let Some(target) = target else {
            return comment.end..comment.end;
        };
        let line = self.range(target);
        if self.text[line.clone()].trim().is_empty() {
            return line.start..line.start;
        }
        line.start..self.reach[target].max(line.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_and_reason() {
        let p = parse_comment("# passrole:ignore PR010, PR015 deploy role: reviewed").unwrap();
        assert_eq!(p.rules, ["PR010", "PR015"]);
        assert_eq!(p.reason, "deploy role: reviewed");
        let p = parse_comment("/* passrole:ignore PR010: reviewed */").unwrap();
        assert_eq!(
            (p.rules, p.reason.as_str()),
            (vec!["PR010".into()], "reviewed")
        );
        let p = parse_comment("// passrole:ignore PR010").unwrap();
        assert_eq!(p.reason, "");
        let p = parse_comment("#passrole:ignore").unwrap();
        assert!(p.rules.is_empty());
    }

    #[test]
    fn other_comments_are_not_directives() {
        assert_eq!(parse_comment("# see passrole:ignore PR010 x"), None);
        assert_eq!(parse_comment("# passrole:ignored PR010 x"), None);
        assert_eq!(parse_comment("# nothing"), None);
    }

    fn covered<'a>(text: &'a str, comment: &str) -> &'a str {
        let lexed = super::super::hcl::lex(text);
        let at = text.find(comment).unwrap();
        let c = lexed.comments.iter().find(|c| c.start == at).unwrap();
        &text[Lines::new(text, &lexed).cover(c)]
    }

    #[test]
    fn a_trailing_comment_covers_its_line_and_what_it_opens() {
        let text = "a = 1 # x\nr \"t\" \"n\" { # y\n  b = 2\n}\nc = 3\n";
        assert_eq!(covered(text, "# x"), "a = 1 # x");
        assert_eq!(covered(text, "# y"), "r \"t\" \"n\" { # y\n  b = 2\n}");
    }

    #[test]
    fn a_comment_alone_covers_the_next_code_line() {
        let text = "# x\n# other\nr {\n  b = 2\n}\n# z\n\nc = 3\n";
        assert_eq!(covered(text, "# x"), "r {\n  b = 2\n}");
        assert_eq!(covered(text, "# z"), "");
    }

    #[test]
    fn broken_and_odd_text_never_panics() {
        let cases = [
            "#",
            "# passrole:ignore",
            "\"\\",
            "a = \"${",
            "}}]) # passrole:ignore PR010 x",
            "<<",
            "<<EOF",
            "p = <<EOF\n# passrole:ignore PR010 x",
            "/* passrole:ignore PR010 x",
            "é = \"ü\" # passrole:ignore PR010 ü\r\n{ # passrole:ignore PR010 y",
            "# passrole:ignore PR010 x\n# passrole:ignore PR015 y",
            "x = \"$${\" # passrole:ignore PR010 z\n",
        ];
        for text in cases {
            for lexed in [super::super::hcl::lex(text), super::super::yaml::lex(text)] {
                let lines = Lines::new(text, &lexed);
                for c in &lexed.comments {
                    let r = lines.cover(c);
                    assert!(r.start <= r.end && r.end <= text.len(), "{text:?}");
                    let _ = parse_comment(&text[c.clone()]);
                }
            }
        }
    }

    /// Random text made of the characters the lexers treat specially (a small deterministic
    /// generator: the same cases on every run).
    #[test]
    fn random_special_text_never_panics() {
        let pieces = [
            "#",
            "//",
            "/*",
            "*/",
            "\"",
            "'",
            "\\",
            "${",
            "%{",
            "$${",
            "{",
            "}",
            "[",
            "]",
            "(",
            ")",
            "<<EOF",
            "<<-EOF",
            "EOF",
            "\n",
            "\r\n",
            " ",
            ": ",
            "- ",
            "|",
            ">",
            "é",
            "a",
            " passrole:ignore PR010 x",
            "passrole:ignore",
            ",",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            for lexed in [
                super::super::hcl::lex(&text),
                super::super::yaml::lex(&text),
            ] {
                let lines = Lines::new(&text, &lexed);
                for c in &lexed.comments {
                    let r = lines.cover(c);
                    assert!(r.start <= r.end && r.end <= text.len(), "{text:?}");
                    let _ = parse_comment(&text[c.clone()]);
                }
            }
        }
    }
}
