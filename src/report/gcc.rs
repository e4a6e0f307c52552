//! `--format gcc`: one line per finding, `path:line:col: severity: message [RULE]`, which editors'
//! `$gcc`-style problem matchers and `.github/passrole-problem-matcher.json` read. Input errors are
//! `path:line:col: error: message [kind]`, without the line and column when they are unknown.

use crate::findings::Finding;
use crate::scan::ScanResult;
use crate::source::InputError;

pub fn render(result: &ScanResult) -> String {
    let mut out = String::new();
    for f in super::reported(result) {
        out.push_str(&finding(f));
        out.push('\n');
    }
    for e in &result.errors {
        out.push_str(&error(e));
        out.push('\n');
    }
    out
}

/// `path:line:col: severity: message [RULE]`.
pub fn finding(f: &Finding) -> String {
    line(
        &f.location.file,
        Some((f.location.start.line, f.location.start.column)),
        f.severity.as_str(),
        &f.message,
        &f.rule,
    )
}

/// `path:line:col: error: message [kind]` (`path: error: ...` without a position).
pub fn error(e: &InputError) -> String {
    line(
        &e.file,
        e.position.map(|p| (p.line, p.column)),
        "error",
        &e.message,
        e.kind.as_str(),
    )
}

fn line(
    file: &str,
    position: Option<(usize, usize)>,
    severity: &str,
    message: &str,
    code: &str,
) -> String {
    let file = if file.is_empty() { "passrole" } else { file };
    let position = match position {
        Some((line, column)) => format!(":{line}:{column}"),
        None => String::new(),
    };
    format!(
        "{file}{position}: {severity}: {} [{code}]",
        one_line(message)
    )
}

/// A message on one line: line breaks and runs of whitespace become one space.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{ErrorKind, Position};

    #[test]
    fn lines_have_the_gcc_shape() {
        assert_eq!(
            line("a/main.tf", Some((3, 14)), "warning", "bad thing", "PR002"),
            "a/main.tf:3:14: warning: bad thing [PR002]"
        );
        assert_eq!(
            line("a.tf", Some((1, 1)), "note", "two\n  lines", "PR016"),
            "a.tf:1:1: note: two lines [PR016]"
        );
    }

    #[test]
    fn errors_omit_an_unknown_position() {
        let mut e = InputError {
            file: "broken.tf".into(),
            kind: ErrorKind::Parse,
            message: "unexpected `}`".into(),
            position: Some(Position { line: 4, column: 2 }),
        };
        assert_eq!(error(&e), "broken.tf:4:2: error: unexpected `}` [parse]");
        e.position = None;
        e.kind = ErrorKind::Io;
        assert_eq!(error(&e), "broken.tf: error: unexpected `}` [io]");
    }
}
