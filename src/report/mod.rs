//! Reports: the same scan result printed for people and for machines.

pub mod gcc;
pub mod github;
pub mod gitlab;
pub mod graph;
pub mod human;
pub mod json;
pub mod junit;
pub mod mermaid;
pub mod output;
pub mod repository;
pub mod sarif;
pub mod style;
pub mod summary;

use crate::rules::Severity;
use crate::scan::ScanResult;

/// A report format (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// miette diagnostics with code frames (the default).
    Human,
    /// The machine contract (`schemas/passrole-report.schema.json`).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// `path:line:col: severity: message [RULE]` lines for editors' problem matchers.
    Gcc,
    /// GitHub Actions workflow commands (annotations); with `GITHUB_STEP_SUMMARY` set, the job
    /// summary too.
    Github,
    /// The job summary's Markdown (counts, findings table, Mermaid diagram of the roles passed).
    Markdown,
    /// JUnit XML (Jenkins, GitLab, Azure Pipelines test reports).
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
}

/// What a report needs beyond the scan result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// SARIF `runs[0].automationDetails.id` (see [`sarif::automation_id`]); None: `passrole/`.
    pub sarif_category: Option<String>,
    /// How the human report is drawn (colour, width).
    pub style: style::Style,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Gcc,
        Format::Github,
        Format::Markdown,
        Format::Junit,
        Format::Gitlab,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Gcc => "gcc",
            Format::Github => "github",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
            Format::Gitlab => "gitlab",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Whether the format is read by a program (terraform's own output then goes to stderr).
    pub fn is_machine(self) -> bool {
        !matches!(self, Format::Human)
    }

    /// The report of `result` in this format, with the default options.
    pub fn render(self, result: &ScanResult) -> String {
        self.render_with(result, &RenderOptions::default())
    }

    /// The report of `result` in this format.
    pub fn render_with(self, result: &ScanResult, options: &RenderOptions) -> String {
        match self {
            Format::Json => pretty(&json::render(result)),
            Format::Sarif => pretty(&sarif::render_with(
                result,
                options.sarif_category.as_deref(),
            )),
            Format::Gcc => gcc::render(result),
            Format::Github => github::render(result),
            Format::Markdown => summary::render(result),
            Format::Human => human::render_with(result, &options.style),
            Format::Junit => junit::render(result),
            Format::Gitlab => pretty(&gitlab::render(result)),
        }
    }
}

/// A JSON document as written: indented, with a final newline.
fn pretty(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// Findings at or above `fail_on` that are not suppressed: they make the exit code 1.
pub fn failing(result: &ScanResult, fail_on: Severity) -> usize {
    reported(result).filter(|f| f.severity >= fail_on).count()
}

/// The findings people see (human, gcc, GitHub): every finding that is not suppressed.
pub fn reported(result: &ScanResult) -> impl Iterator<Item = &crate::findings::Finding> {
    result.findings.iter().filter(|f| !f.is_suppressed())
}

/// How many findings are suppressed (inline, metadata, config exceptions, baseline).
pub fn suppressed(result: &ScanResult) -> usize {
    result.findings.iter().filter(|f| f.is_suppressed()).count()
}
