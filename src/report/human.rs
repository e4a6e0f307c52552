//! The default report for people: each finding as a miette diagnostic (rule code, message, the code
//! frame of the offending expression with a label, related locations as their own frames, and a
//! `help:`), then input errors and a summary line. Colour and width: `super::style`.
//!
//! Code frames show one line, and of a long line only a window around the span, so a one-line plan
//! of 100 MB costs no more than a short line.

use super::style::{ColorChoice, Style};
use crate::findings::{Finding, Location};
use crate::rules::Severity;
use crate::scan::ScanResult;
use crate::source::SourceMap;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt::{self, Write};

/// Renders the report for standard output, in colour and at the width that
/// [`Style::detect`] finds there with `--color auto`.
pub fn render(result: &ScanResult) -> String {
    render_with(result, &Style::detect(ColorChoice::Auto, true))
}

/// Renders the report in `style`.
pub fn render_with(result: &ScanResult, style: &Style) -> String {
    let theme = if style.colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_show_related_as_nested(true)
        .with_width(style.width);
    let mut out = String::new();
    for f in super::reported(result) {
        // The label under the offending expression says what is wrong: the rule's title.
        let title = result
            .rules
            .iter()
            .find(|r| r.meta.id == f.rule)
            .map_or_else(|| "here".to_string(), |r| r.meta.title.clone());
        let diagnostic = FindingDiagnostic::new(f, &result.sources, title);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            // A frame that cannot be drawn must not lose the finding.
            let _ = writeln!(out, "{}[{}]: {}", f.severity.as_str(), f.rule, f.message);
        }
        out.push('\n');
    }
    for e in &result.errors {
        let _ = writeln!(out, "error[{}]: {e}\n", e.kind.as_str());
    }
    let count = |s: Severity| super::reported(result).filter(|f| f.severity == s).count();
    out.push_str(&summary_line(&Counts {
        files: result.files,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        notes: count(Severity::Note),
        suppressed: super::suppressed(result),
        input_errors: result.errors.len(),
    }));
    out
}

/// What the summary line counts.
struct Counts {
    files: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    suppressed: usize,
    input_errors: usize,
}

/// `2 files scanned: 1 error, 0 warnings, 1 note (2 suppressed); 0 input errors`, with a newline.
/// Every count is always there (a script may read the line); the suppressed count only when some are.
fn summary_line(c: &Counts) -> String {
    let suppressed = if c.suppressed > 0 {
        format!(" ({} suppressed)", c.suppressed)
    } else {
        String::new()
    };
    format!(
        "{} scanned: {}, {}, {}{suppressed}; {}\n",
        counted(c.files, "file"),
        counted(c.errors, "error"),
        counted(c.warnings, "warning"),
        counted(c.notes, "note"),
        counted(c.input_errors, "input error"),
    )
}

/// `1 note`, `0 notes`, `2 notes`.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A finding as miette sees it.
#[derive(Debug)]
struct FindingDiagnostic {
    code: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    frame: Option<Frame>,
    related: Vec<RelatedDiagnostic>,
}

/// A related location, shown as its own frame under the finding.
#[derive(Debug)]
struct RelatedDiagnostic {
    message: String,
    frame: Option<Frame>,
}

impl FindingDiagnostic {
    fn new(f: &Finding, sources: &SourceMap, label: String) -> FindingDiagnostic {
        FindingDiagnostic {
            // The severity as a word, as rustc and gcc print it: without colour, miette's symbols
            // (×, ⚠, ☞) are the only other sign of it, and words can be searched for.
            code: format!("{}[{}]", f.severity.as_str(), f.rule),
            severity: f.severity,
            message: format!("{} ({})", f.message, f.resource),
            help: f.help.lines().next().map(str::to_string),
            frame: Frame::of(&f.location, sources, label),
            related: f
                .related
                .iter()
                .map(|r| RelatedDiagnostic {
                    message: r.message.clone(),
                    frame: Frame::of(&r.location, sources, String::new()),
                })
                .collect(),
        }
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        frame_source(&self.frame)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        frame_labels(&self.frame)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

impl fmt::Display for RelatedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedDiagnostic {}

impl Diagnostic for RelatedDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        frame_source(&self.frame)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        frame_labels(&self.frame)
    }
}

fn frame_source(frame: &Option<Frame>) -> Option<&dyn SourceCode> {
    frame.as_ref().map(|f| f as &dyn SourceCode)
}

fn frame_labels(frame: &Option<Frame>) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
    frame
        .as_ref()
        .map(|f| Box::new(std::iter::once(f.label())) as Box<dyn Iterator<Item = _>>)
}

/// Chars shown before and after the start of a span on a long line.
const BEFORE: usize = 40;
const AFTER: usize = 120;

/// One line of a file around a span, clipped to a window on long lines: the source code miette
/// draws a frame from. Offsets of `label` are into `text`.
#[derive(Debug)]
struct Frame {
    name: String,
    text: String,
    /// 0-based line and column of the span's start in the file.
    line: usize,
    column: usize,
    label: (usize, usize),
    label_text: String,
}

impl Frame {
    fn of(loc: &Location, sources: &SourceMap, label_text: String) -> Option<Frame> {
        let file = sources.get(loc.span.file)?;
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
        let (before, after) = (text.get(back..at)?, text.get(at..ahead)?);
        // Lines end where the line index ends them: at `\n`, `\r\n` or a lone `\r` (YAML's breaks).
        const BREAKS: [char; 2] = ['\n', '\r'];
        let (before, line_started) = match before.rfind(BREAKS) {
            Some(i) => (&before[i + 1..], true),
            None => (before, back == 0),
        };
        let (after, cut_after) = match after.find(BREAKS) {
            Some(i) => (&after[..i], false),
            None => (
                after,
                ahead < text.len() && !text[ahead..].starts_with(BREAKS),
            ),
        };
        let before_chars: Vec<char> = before.chars().collect();
        let skip = before_chars.len().saturating_sub(BEFORE);
        let mut shown = String::new();
        if skip > 0 || !line_started {
            shown.push('…');
        }
        shown.extend(&before_chars[skip..]);
        let label_start = shown.len();
        let after_chars: Vec<char> = after.chars().collect();
        shown.extend(after_chars.iter().take(AFTER));
        if cut_after || after_chars.len() > AFTER {
            shown.push('…');
        }
        // A span over several lines is labelled on its first line.
        let end_in_line = (loc.span.end as usize)
            .saturating_sub(at)
            .min(after.len())
            .min(shown.len() - label_start);
        let label_len = end_in_line.max(1).min(shown.len() - label_start);
        Some(Frame {
            name: loc.file.clone(),
            text: shown,
            line: loc.start.line.saturating_sub(1),
            column: loc.start.column.saturating_sub(1),
            label: (label_start, label_len),
            label_text,
        })
    }

    fn label(&self) -> LabeledSpan {
        let text = (!self.label_text.is_empty()).then(|| self.label_text.clone());
        LabeledSpan::new(text, self.label.0, self.label.1)
    }
}

impl SourceCode for Frame {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette asks once without context for the header (`[file:line:column]`, which must be the
        // position in the file) and once with context for the frame (the whole line).
        let header = before == 0 && after == 0 && span.offset() == self.label.0;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            SourceSpan::from((0, self.text.len())),
            self.line,
            if header { self.column } else { 0 },
            1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::value::Span;
    use std::path::PathBuf;

    fn frame_of(text: &str, start: usize, end: usize) -> Frame {
        let mut sources = SourceMap::default();
        let id = sources.add(SourceFile::new(PathBuf::from("main.tf"), text.to_string()));
        let loc = Location::of(&sources, Span::new(id, start, end));
        Frame::of(&loc, &sources, "here".into()).unwrap()
    }

    fn counts(files: usize, each: usize, suppressed: usize) -> Counts {
        Counts {
            files,
            errors: each,
            warnings: each,
            notes: each,
            suppressed,
            input_errors: each,
        }
    }

    #[test]
    fn the_summary_line_says_one_in_the_singular() {
        assert_eq!(
            summary_line(&counts(1, 1, 1)),
            "1 file scanned: 1 error, 1 warning, 1 note (1 suppressed); 1 input error\n"
        );
        assert_eq!(
            summary_line(&counts(0, 0, 0)),
            "0 files scanned: 0 errors, 0 warnings, 0 notes; 0 input errors\n"
        );
        assert_eq!(
            summary_line(&counts(2, 3, 4)),
            "2 files scanned: 3 errors, 3 warnings, 3 notes (4 suppressed); 3 input errors\n"
        );
    }

    #[test]
    fn a_frame_is_the_line_of_the_span() {
        let text = "a = 1\nrole = aws_iam_role.x.arn\nb = 2\n";
        let start = text.find("aws_iam_role").unwrap();
        let f = frame_of(text, start, start + "aws_iam_role.x.arn".len());
        assert_eq!(f.text, "role = aws_iam_role.x.arn");
        assert_eq!(
            &f.text[f.label.0..f.label.0 + f.label.1],
            "aws_iam_role.x.arn"
        );
        assert_eq!((f.line, f.column), (1, 7));
    }

    #[test]
    fn a_frame_ends_at_crlf_and_lone_cr() {
        for eol in ["\r\n", "\r"] {
            let text = ["a: 1", "Role: !GetAtt R.Arn", "b: 2", ""].join(eol);
            let start = text.find("!GetAtt").unwrap();
            let f = frame_of(&text, start, start + "!GetAtt R.Arn".len());
            assert_eq!(f.text, "Role: !GetAtt R.Arn", "{eol:?}");
            assert_eq!((f.line, f.column), (1, 6), "{eol:?}");
        }
    }

    #[test]
    fn a_long_line_is_clipped_around_the_span() {
        let text = format!(
            "{{\"a\": \"{}\", \"Resource\": \"*\"}}",
            "x".repeat(100_000)
        );
        let start = text.find("\"*\"").unwrap();
        let f = frame_of(&text, start, start + 3);
        assert!(f.text.len() < 400, "{}", f.text.len());
        assert!(f.text.starts_with('…'));
        assert_eq!(&f.text[f.label.0..f.label.0 + f.label.1], "\"*\"");
        assert_eq!(f.column, start);
    }

    #[test]
    fn a_multi_line_span_is_labelled_on_its_first_line() {
        let text = "resource \"aws_iam_role\" \"x\" {\n  name = \"x\"\n}\n";
        let f = frame_of(text, 0, text.len());
        assert_eq!(f.text, "resource \"aws_iam_role\" \"x\" {");
        assert_eq!(f.label, (0, f.text.len()));
    }
}
