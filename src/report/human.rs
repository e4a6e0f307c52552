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

/// Chars shown before and after the start of a span on a long line.
const BEFORE: usize = 40;
const AFTER: usize = 120;

/// The line of the span's start with a caret underline. Only a window of the line around the span is
/// read and shown, so a one-line plan of 100 MB costs no more than a short line.
fn code_line(out: &mut String, loc: &Location, sources: &SourceMap) {
    let Some(file) = sources.get(loc.span.file) else {
        return;
    };
    let text = file.text.as_str();
    let boundary = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let at = boundary(loc.span.start as usize);
    let back = boundary(at.saturating_sub(BEFORE * 4));
    let ahead = boundary(at + AFTER * 4);
    let (Some(before), Some(after)) = (text.get(back..at), text.get(at..ahead)) else {
        return;
    };
    let (before, line_started) = match before.rfind('\n') {
        Some(i) => (&before[i + 1..], true),
        None => (before, back == 0),
    };
    let (after, cut_after) = match after.find('\n') {
        Some(i) => (&after[..i], false),
        None => (
            after,
            ahead < text.len() && !text[ahead..].starts_with('\n'),
        ),
    };
    let before_chars: Vec<char> = before.chars().collect();
    let skip = before_chars.len().saturating_sub(BEFORE);
    let cut_before = skip > 0 || !line_started;
    let mut shown: String = before_chars[skip..].iter().collect();
    let mut caret = before_chars.len() - skip;
    if cut_before {
        shown.insert(0, '…');
        caret += 1;
    }
    let after_chars: Vec<char> = after.chars().collect();
    shown.extend(after_chars.iter().take(AFTER));
    if cut_after || after_chars.len() > AFTER {
        shown.push('…');
    }
    let shown = shown.trim_end_matches('\r');
    let width = if loc.end.line == loc.start.line {
        loc.end.column.saturating_sub(loc.start.column).max(1)
    } else {
        after_chars.len().max(1)
    };
    let n = loc.start.line.to_string();
    let pad = " ".repeat(n.len());
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{n} | {shown}");
    let _ = writeln!(
        out,
        "{pad} | {}{}",
        " ".repeat(caret),
        "^".repeat(width.min(120))
    );
}
