//! The default report for people: each finding with its location, a code line, related locations and
//! a `help:` line. Plain text, no colour.

use crate::findings::{Finding, Location};
use crate::scan::ScanResult;
use crate::source::SourceMap;
use std::fmt::Write;

pub fn render(result: &ScanResult) -> String {
    let mut out = String::new();
    for f in &result.findings {
        finding(&mut out, f, &result.sources);
    }
    for e in &result.errors {
        let _ = writeln!(out, "error[{}]: {e}\n", e.kind.as_str());
    }
    let count = |s: &str| {
        result
            .findings
            .iter()
            .filter(|f| f.severity.as_str() == s)
            .count()
    };
    let _ = writeln!(
        out,
        "{} files scanned: {} errors, {} warnings, {} notes; {} input errors",
        result.files,
        count("error"),
        count("warning"),
        count("note"),
        result.errors.len()
    );
    out
}

fn finding(out: &mut String, f: &Finding, sources: &SourceMap) {
    let _ = writeln!(out, "{}[{}]: {}", f.severity.as_str(), f.rule, f.message);
    let _ = writeln!(
        out,
        "  --> {}:{}:{} ({})",
        f.location.file, f.location.start.line, f.location.start.column, f.resource
    );
    code_line(out, &f.location, sources);
    for r in &f.related {
        let _ = writeln!(
            out,
            "  = related: {}:{}:{}: {}",
            r.location.file, r.location.start.line, r.location.start.column, r.message
        );
    }
    if !f.help.is_empty() {
        let help = f.help.lines().next().unwrap_or("");
        let _ = writeln!(out, "  = help: {help}");
    }
    out.push('\n');
}

/// The first line of the span with a caret underline.
fn code_line(out: &mut String, loc: &Location, sources: &SourceMap) {
    let Some(file) = sources.get(loc.span.file) else {
        return;
    };
    let Some(line) = file.text.lines().nth(loc.start.line.saturating_sub(1)) else {
        return;
    };
    let width = if loc.end.line == loc.start.line {
        loc.end.column.saturating_sub(loc.start.column).max(1)
    } else {
        line.chars()
            .count()
            .saturating_sub(loc.start.column - 1)
            .max(1)
    };
    let n = loc.start.line.to_string();
    let pad = " ".repeat(n.len());
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{n} | {line}");
    let _ = writeln!(
        out,
        "{pad} | {}{}",
        " ".repeat(loc.start.column - 1),
        "^".repeat(width.min(120))
    );
}
