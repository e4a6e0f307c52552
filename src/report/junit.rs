//! `--format junit`: JUnit XML in the shape Jenkins, GitLab (`artifacts: reports: junit:`) and Azure
//! Pipelines read: `<testsuites>` → one `<testsuite>` per rule → `<testcase>`s.
//!
//! - A rule with findings has one failing test case per file (`classname` the rule ID, `name` and
//!   `file` the path); the `<failure>` lists every finding of that rule in that file as
//!   `path:line:col: severity: message` lines, with their related locations indented below.
//!   `type` is the most severe finding's severity.
//! - A rule without findings has one passing test case, `no findings`: the report shows which rules
//!   ran without a test case per scanned file and rule (thousands in a large repository).
//! - Suppressed findings of a (rule, file) without reported ones make a `<skipped>` test case whose
//!   message gives the suppressions' reasons; next to reported ones they are counted in the text.
//! - Input errors are `<error>` test cases of a last suite, `input errors`, one per error.
//!
//! Paths are those inside the repository ([`super::repository`]). The XML is written with a small
//! escaper rather than an XML crate: the document is a fixed shape of elements whose only variable
//! parts are attribute values and text, and escaping those (with characters XML 1.0 cannot hold
//! dropped) is all a writer would do here.

use crate::findings::Finding;
use crate::scan::ScanResult;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A test case: its file and what it holds.
struct Case<'a> {
    file: String,
    reported: Vec<Cow<'a, Finding>>,
    suppressed: Vec<Cow<'a, Finding>>,
}

pub fn render(result: &ScanResult) -> String {
    let suites = suites(result);
    let mut body = String::new();
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for (rule, cases) in &suites {
        let s = suite(&mut body, rule, cases);
        tests += s.0;
        failures += s.1;
        skipped += s.2;
    }
    if !result.errors.is_empty() {
        errors_suite(&mut body, result);
        tests += result.errors.len();
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"passrole\" tests=\"{tests}\" \
         failures=\"{failures}\" errors=\"{}\" skipped=\"{skipped}\">\n{body}</testsuites>\n",
        result.errors.len()
    )
}

/// The test cases of every rule: the loaded rules in load order, then rules that only appear in
/// findings (PR091, unused suppressions); each rule's cases sorted by file.
fn suites(result: &ScanResult) -> Vec<(String, Vec<Case<'_>>)> {
    let mut order: Vec<String> = Vec::new();
    let ids = result
        .rules
        .iter()
        .map(|r| r.meta.id.as_str())
        .chain(result.findings.iter().map(|f| f.rule.as_str()));
    for id in ids {
        if !order.iter().any(|o| o == id) {
            order.push(id.to_string());
        }
    }
    let mut by_rule: BTreeMap<String, BTreeMap<String, Case<'_>>> = BTreeMap::new();
    for f in &result.findings {
        let f = super::repository::in_repository(&result.sources, f);
        let file = match f.location.file.as_str() {
            "" => "(no file)".to_string(),
            file => file.to_string(),
        };
        let case = by_rule
            .entry(f.rule.clone())
            .or_default()
            .entry(file.clone())
            .or_insert_with(|| Case {
                file,
                reported: Vec::new(),
                suppressed: Vec::new(),
            });
        if f.is_suppressed() {
            case.suppressed.push(f);
        } else {
            case.reported.push(f);
        }
    }
    order
        .into_iter()
        .map(|rule| {
            let cases = by_rule
                .remove(rule.as_str())
                .map(|c| c.into_values().collect());
            (rule, cases.unwrap_or_default())
        })
        .collect()
}

/// Writes one rule's suite; returns its (tests, failures, skipped).
fn suite(out: &mut String, rule: &str, cases: &[Case]) -> (usize, usize, usize) {
    let failures = cases.iter().filter(|c| !c.reported.is_empty()).count();
    let skipped = cases.len() - failures;
    let tests = cases.len().max(1);
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" \
         skipped=\"{skipped}\">",
        escape(rule)
    );
    if cases.is_empty() {
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"no findings\"/>",
            escape(rule)
        );
    }
    for case in cases {
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\">",
            escape(rule),
            escape(&case.file),
            escape(&case.file)
        );
        if case.reported.is_empty() {
            let _ = writeln!(
                out,
                "      <skipped message=\"{}\"/>",
                escape(&skip_message(&case.suppressed))
            );
        } else {
            failure(out, case);
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n");
    (tests, failures, skipped)
}

/// `<failure message="…" type="severity">` with one line per finding.
fn failure(out: &mut String, case: &Case) {
    let worst = case.reported.iter().map(|f| f.severity).max();
    let message = match case.reported.as_slice() {
        [one] => one.message.clone(),
        many => format!("{} findings; the first: {}", many.len(), many[0].message),
    };
    let mut text = String::new();
    for f in &case.reported {
        let _ = writeln!(text, "{}", super::gcc::finding(f));
        for r in &f.related {
            let l = &r.location;
            let _ = writeln!(
                text,
                "  related {}:{}:{}: {}",
                l.file, l.start.line, l.start.column, r.message
            );
        }
    }
    if !case.suppressed.is_empty() {
        let _ = writeln!(text, "({} more suppressed)", case.suppressed.len());
    }
    let _ = writeln!(
        out,
        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
        escape(&message),
        worst.map_or("error", |s| s.as_str()),
        escape_text(&text)
    );
}

/// `suppressed (inline): reason; suppressed (baseline): reason`.
fn skip_message(suppressed: &[Cow<Finding>]) -> String {
    let reasons: Vec<String> = suppressed
        .iter()
        .filter_map(|f| f.suppression.as_ref())
        .map(|s| format!("suppressed ({}): {}", s.kind.as_str(), s.reason))
        .collect();
    reasons.join("; ")
}

fn errors_suite(out: &mut String, result: &ScanResult) {
    let n = result.errors.len();
    let _ = writeln!(
        out,
        "  <testsuite name=\"input errors\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\">"
    );
    for e in &result.errors {
        let name = if e.file.is_empty() {
            "passrole"
        } else {
            e.file.as_str()
        };
        let _ = writeln!(
            out,
            "    <testcase classname=\"input\" name=\"{}\">\n      <error message=\"{}\" \
             type=\"{}\">{}\n</error>\n    </testcase>",
            escape(name),
            escape(&e.message),
            e.kind.as_str(),
            escape_text(&super::gcc::error(e))
        );
    }
    out.push_str("  </testsuite>\n");
}

/// Text escaped for an XML 1.0 attribute value: markup characters as entities, line breaks and
/// tabs as character references (a parser would otherwise normalise them to spaces), and characters
/// XML 1.0 cannot hold at all (other control characters, U+FFFE, U+FFFF) left out.
pub fn escape(text: &str) -> String {
    escape_as(text, true)
}

/// Text escaped for element content: as [`escape`], but line breaks and tabs are kept as they are.
pub fn escape_text(text: &str) -> String {
    escape_as(text, false)
}

fn escape_as(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' if !attribute => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}\u{fffe}é"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;é"
        );
        assert_eq!(escape("x\r\n\ty"), "x&#13;&#10;&#9;y");
        assert_eq!(escape("]]>"), "]]&gt;");
        assert_eq!(escape_text("a\n\tb\r<"), "a\n\tb&#13;&lt;");
    }
}
