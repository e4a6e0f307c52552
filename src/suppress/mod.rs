//! Suppressions written beside the code: `passrole:ignore` comments (Terraform and CloudFormation
//! YAML) and CloudFormation resource `Metadata: {passrole: {ignore: [...]}}`.
//!
//! A suppression names rules and gives a reason. It silences the named rules' findings on what it
//! covers (a comment: its line or the next, and the whole block opened there; a `Metadata` entry:
//! its resource), and the finding is kept, marked with the suppression, for JSON and SARIF.
//! Suppressions that cannot work are findings of their own, decided by passrole (no Guard file):
//! PR090 (no reason or no rule), PR091 (matches nothing, with `--report-unused-ignores`) and
//! PR092 (names a rule that does not exist).

mod directive;
mod hcl;
mod metadata;
mod yaml;

pub use directive::{MARKER, Parsed, parse_body, parse_comment};
pub use metadata::metadata_directives;

use crate::facts::unit_of;
use crate::findings::{self, Finding, Location, Suppression, SuppressionKind};
use crate::rules::Rule;
use crate::source::SourceMap;
use crate::value::{FileId, Span};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

/// Rule ids decided by passrole itself about suppressions.
pub const NO_REASON: &str = "PR090";
pub const UNUSED: &str = "PR091";
pub const UNKNOWN_RULE: &str = "PR092";

/// What a lexer found in a file: its comments and the bracketed constructs (blocks, lists,
/// heredocs, mapping entries) a suppression on their first line covers.
#[derive(Debug, Default)]
pub struct Lexed {
    pub comments: Vec<Range<usize>>,
    pub constructs: Vec<Range<usize>>,
}

/// One suppression as written.
#[derive(Clone, Debug)]
pub struct Directive {
    pub kind: SuppressionKind,
    /// The rule ids as written (matched without regard to case).
    pub rules: Vec<String>,
    /// Empty when none is given: then the directive suppresses nothing.
    pub reason: String,
    /// The comment or the `Metadata` entry.
    pub location: Location,
    pub scope: Scope,
    /// The resource the directive's own findings name: the `Metadata` resource, or the file.
    pub resource: String,
    /// The directive's text, for its own findings' fingerprints.
    pub text: String,
}

/// What a directive covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Findings whose primary location starts in this byte range of this file.
    Range(Span),
    /// Findings of this resource of this unit (the index of the unit in the facts document).
    Resource { unit: usize, address: String },
}

/// The `passrole:ignore` comments of every file of the scan that can hold comments: Terraform
/// (`.tf`, `.tfvars`) and YAML. JSON has no comments (CloudFormation JSON uses `Metadata`), and
/// synthesized files (Terraform JSON rewritten as HCL) are not what the user wrote.
pub fn inline_directives(sources: &SourceMap) -> Vec<Directive> {
    let mut out = Vec::new();
    for i in 0..sources.len() {
        let id = FileId(i as u32);
        let Some(file) = sources.get(id) else {
            continue;
        };
        let name = file.path.to_string_lossy().to_ascii_lowercase();
        let hcl = [".tf", ".tfvars", ".hcl"].iter().any(|x| name.ends_with(x));
        // JSON (a `.json` name, or a document that starts as one: a plan of any name, a JSON
        // template) has no comments; a large plan is not worth searching.
        let json = name.ends_with(".json") || file.text.trim_start().starts_with(['{', '[']);
        if file.origin.is_some() || (json && !hcl) || !file.text.contains(MARKER) {
            continue;
        }
        let lexed = if hcl {
            hcl::lex(&file.text)
        } else {
            yaml::lex(&file.text)
        };
        let lines = directive::Lines::new(&file.text, &lexed);
        for comment in &lexed.comments {
            let text = &file.text[comment.clone()];
            let Some(parsed) = parse_comment(text) else {
                continue;
            };
            let covered = lines.cover(comment);
            out.push(Directive {
                kind: SuppressionKind::Inline,
                rules: parsed.rules,
                reason: parsed.reason,
                location: Location::of(sources, Span::new(id, comment.start, comment.end)),
                scope: Scope::Range(Span::new(id, covered.start, covered.end)),
                resource: file.display.clone(),
                text: text.trim_end().to_string(),
            });
        }
    }
    out
}

/// Marks the findings the directives cover (a finding already suppressed keeps its suppression)
/// and returns the directives' own findings: PR090, PR092, and PR091 when `report_unused`.
/// `rules` are the rules this scan runs (passrole's own included); `known` every rule id there is,
/// run or not (a rule switched off in passrole.toml is still a rule): a directive naming another id
/// is PR092; one naming a rule that does not run is never "unused".
pub fn apply(
    findings: &mut [Finding],
    directives: &[Directive],
    rules: &[Rule],
    known: &[String],
    report_unused: bool,
    root: &Path,
    sources: &SourceMap,
) -> Vec<Finding> {
    let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    let mut by_resource: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, d) in directives.iter().enumerate() {
        match &d.scope {
            Scope::Range(span) => by_file.entry(span.file).or_default().push(i),
            Scope::Resource { unit, address } => {
                by_resource.entry((*unit, address)).or_default().push(i)
            }
        }
    }
    let by_file: HashMap<FileId, Ranges> = by_file
        .into_iter()
        .map(|(file, list)| (file, Ranges::new(directives, list)))
        .collect();
    let mut used: Vec<Vec<bool>> = directives
        .iter()
        .map(|d| vec![false; d.rules.len()])
        .collect();
    for f in findings.iter_mut().filter(|f| !f.is_suppressed()) {
        let unit = unit_of(&f.pointer);
        let at = f.location.span;
        let mut candidates: Vec<usize> = by_file
            .get(&at.file)
            .map(|r| r.holding(at.start))
            .unwrap_or_default();
        candidates.extend(
            unit.and_then(|u| by_resource.get(&(u, f.resource.as_str())))
                .into_iter()
                .flatten(),
        );
        for i in candidates {
            let d = &directives[i];
            if d.reason.is_empty() || !covers(&d.scope, f) {
                continue;
            }
            let Some(r) = d.rules.iter().position(|r| r.eq_ignore_ascii_case(&f.rule)) else {
                continue;
            };
            used[i][r] = true;
            if f.suppression.is_none() {
                f.suppression = Some(Suppression {
                    kind: d.kind,
                    reason: d.reason.clone(),
                    location: Some(d.location.clone()),
                });
            }
        }
    }
    let mut out = Vec::new();
    for (d, used) in directives.iter().zip(&used) {
        for (rule, message) in problems(d, used, rules, known, report_unused) {
            if let Some(rule) = rules.iter().find(|r| r.meta.id == rule) {
                out.push(directive_finding(d, rule, message, root, sources));
            }
        }
    }
    out
}

/// The range directives of one file, sorted by start, with the farthest end reached so far: the
/// directives holding an offset are found without looking at every directive of the file.
struct Ranges {
    /// (start, end, directive index), sorted.
    sorted: Vec<(u32, u32, usize)>,
    /// `reach[i]`: the largest end of `sorted[..=i]`.
    reach: Vec<u32>,
}

impl Ranges {
    fn new(directives: &[Directive], list: Vec<usize>) -> Ranges {
        let mut sorted: Vec<(u32, u32, usize)> = list
            .into_iter()
            .filter_map(|i| match directives[i].scope {
                Scope::Range(span) => Some((span.start, span.end, i)),
                Scope::Resource { .. } => None,
            })
            .collect();
        sorted.sort_unstable();
        let reach = sorted
            .iter()
            .scan(0, |max, &(_, end, _)| {
                *max = end.max(*max);
                Some(*max)
            })
            .collect();
        Ranges { sorted, reach }
    }

    /// The directives whose range holds `offset`.
    fn holding(&self, offset: u32) -> Vec<usize> {
        let n = self
            .sorted
            .partition_point(|&(start, _, _)| start <= offset);
        (0..n)
            .rev()
            .take_while(|&i| self.reach[i] > offset)
            .filter(|&i| self.sorted[i].1 > offset)
            .map(|i| self.sorted[i].2)
            .collect()
    }
}

/// Whether a directive's scope holds a finding (the finding is known to be in its file or resource).
fn covers(scope: &Scope, f: &Finding) -> bool {
    match scope {
        Scope::Range(span) => {
            let at = f.location.span;
            at.file == span.file && span.start <= at.start && at.start < span.end
        }
        Scope::Resource { .. } => true,
    }
}

/// What is wrong with a directive: (rule id, message) for each problem.
fn problems(
    d: &Directive,
    used: &[bool],
    rules: &[Rule],
    known: &[String],
    report_unused: bool,
) -> Vec<(&'static str, String)> {
    let example = match d.kind {
        SuppressionKind::Metadata => "`{rule: PR010, reason: \"...\"}`",
        _ => "`passrole:ignore PR010 <reason>`",
    };
    let mut out = Vec::new();
    if d.rules.is_empty() {
        out.push((
            NO_REASON,
            format!("this suppression names no rule, so it suppresses nothing: write {example}"),
        ));
        return out;
    }
    let ids = d.rules.join(", ");
    if d.reason.is_empty() {
        out.push((
            NO_REASON,
            format!(
                "this suppression of {ids} gives no reason, so it suppresses nothing: write {example}"
            ),
        ));
    }
    for (rule, used) in d.rules.iter().zip(used) {
        let runs = rules.iter().any(|r| r.meta.id.eq_ignore_ascii_case(rule));
        if !known.iter().any(|k| k.eq_ignore_ascii_case(rule)) {
            out.push((
                UNKNOWN_RULE,
                format!(
                    "this suppression names {rule}, which is not a rule of this scan (`passrole rules list`), so it suppresses nothing"
                ),
            ));
        } else if report_unused && runs && !used && !d.reason.is_empty() {
            out.push((
                UNUSED,
                format!("this suppression of {rule} matches no finding: remove it"),
            ));
        }
    }
    out
}

fn directive_finding(
    d: &Directive,
    rule: &Rule,
    message: String,
    root: &Path,
    sources: &SourceMap,
) -> Finding {
    let place = findings::fingerprint_place(sources, d.location.span.file, root);
    Finding {
        rule: rule.meta.id.clone(),
        severity: rule.meta.severity,
        fingerprint: findings::fingerprint(
            &rule.meta.id,
            &place,
            &d.resource,
            "suppression",
            &format!("{} {}", d.text, message),
        ),
        message,
        location: d.location.clone(),
        resource: d.resource.clone(),
        related: Vec::new(),
        help: rule.meta.fix.trim().to_string(),
        suppression: None,
        pointer: String::new(),
    }
}
