//! Findings: rule failures mapped to source locations, with stable fingerprints.

use crate::facts::{Facts, RelatedTag};
use crate::rules::{Failure, Rule, Severity, render_message};
use crate::source::{Position, SourceMap};
use crate::value::{FileId, Span};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// A location as reports show it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: String,
    pub start: Position,
    pub end: Position,
    #[serde(skip)]
    pub span: Span,
}

impl Location {
    pub fn of(sources: &SourceMap, span: Span) -> Location {
        let span = sources.original(span);
        let (file, start, end) = match sources.get(span.file) {
            Some(f) => (
                f.display.clone(),
                f.position(span.start as usize),
                f.position(span.end as usize),
            ),
            None => (
                String::new(),
                Position { line: 1, column: 1 },
                Position { line: 1, column: 1 },
            ),
        };
        Location {
            file,
            start,
            end,
            span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RelatedLocation {
    pub message: String,
    pub location: Location,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    pub resource: String,
    pub related: Vec<RelatedLocation>,
    pub fingerprint: String,
    pub help: String,
    /// Present on a suppressed finding: kept in JSON and SARIF, left out of the human, gcc and
    /// GitHub output and of the exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// The facts pointer of the failing fact (`/units/0/grants/3/resources/0`): what suppressions
    /// and configured exceptions match against.
    #[serde(skip)]
    pub pointer: String,
}

impl Finding {
    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }
}

/// Why a finding is not reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    /// The reason given with the suppression (never empty: a suppression without one suppresses
    /// nothing).
    pub reason: String,
    /// Where the suppression is written: the comment, the `Metadata` entry, the `passrole.toml`
    /// `[[allow]]` entry or the baseline file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// Where a suppression comes from. SARIF calls the first two `inSource`, the others `external`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    /// A `passrole:ignore` comment.
    Inline,
    /// CloudFormation resource `Metadata: {passrole: {ignore: [...]}}`.
    Metadata,
    /// An `[[allow]]` exception in `passrole.toml`.
    Config,
    /// A fingerprint in the `--baseline` file.
    Baseline,
}

impl SuppressionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Inline => "inline",
            SuppressionKind::Metadata => "metadata",
            SuppressionKind::Config => "config",
            SuppressionKind::Baseline => "baseline",
        }
    }

    /// Written in the source (SARIF `inSource`) rather than beside it (`external`).
    pub fn in_source(self) -> bool {
        matches!(self, SuppressionKind::Inline | SuppressionKind::Metadata)
    }
}

/// Where in which file a span is, whichever copy of the file it was read from: a plan's module
/// configuration read again (`.terraform/modules/...`) has other file ids than the `.tf` units, and
/// the same expression must still be one finding.
type Place = (String, u32, u32);

fn place(sources: &SourceMap, span: Span) -> Place {
    let span = sources.original(span);
    let file = sources
        .get(span.file)
        .map(|f| crate::source::reader::lexical_normalize(&f.path))
        .unwrap_or_default();
    (file.to_string_lossy().into_owned(), span.start, span.end)
}

/// The rules whose findings say that something could not be checked (design.md: coverage notes).
const COVERAGE_RULES: [&str; 3] = ["PR005", "PR016", "PR021"];

/// Builds findings from rule failures: one per (rule, source location), sorted by file and position.
/// `root` is the scan root: fingerprints name files relative to it.
pub fn build(
    failures: &[Failure],
    rules: &[Rule],
    facts: &Facts,
    sources: &SourceMap,
    root: &Path,
) -> Vec<Finding> {
    let mut places: HashMap<FileId, String> = HashMap::new();
    let mut by_location: BTreeMap<(String, Place, Option<String>), Finding> = BTreeMap::new();
    let is_plan = |u: usize| facts.document.unit_kind(u) == Some("plan");
    // `.tf` expressions a plan of the scan has a value for (its facts are mapped to the `.tf`).
    let planned: HashSet<Place> = facts
        .locations
        .spans_of_units(is_plan)
        .into_iter()
        .map(|span| place(sources, span))
        .collect();
    for failure in failures {
        let Some(rule) = rules.get(failure.rule) else {
            continue;
        };
        let Some((_, fact)) = facts.locations.lookup(&failure.pointer) else {
            continue;
        };
        // A `.tf` coverage note ("cannot be evaluated statically") on an expression the plan has
        // the value of is replaced by what the plan says there: its finding, or none.
        let from_plan = crate::facts::unit_of(&failure.pointer).is_some_and(is_plan);
        let at = place(sources, fact.span);
        if !from_plan && COVERAGE_RULES.contains(&rule.meta.id.as_str()) && planned.contains(&at) {
            continue;
        }
        let key = (rule.meta.id.clone(), at, fact.about.clone());
        if let Some(first) = by_location.get_mut(&key) {
            // The same source expression failed twice (a policy used by two resources, a
            // `count` resource, a `.tf` and its plan): one finding per source location, which
            // also shows where the plan has it.
            for r in fact.related.iter().filter(|r| r.tag == RelatedTag::Plan) {
                let related = RelatedLocation {
                    message: r.message.clone(),
                    location: Location::of(sources, r.span),
                };
                if !first.related.contains(&related) {
                    first.related.push(related);
                }
            }
            continue;
        }
        let related = fact
            .related
            .iter()
            // Where a finding made from a plan is in the plan is always shown.
            .filter(|r| r.tag == RelatedTag::Plan || rule.meta.related.contains(&r.tag))
            .map(|r| RelatedLocation {
                message: r.message.clone(),
                location: Location::of(sources, r.span),
            })
            .collect();
        let location = Location::of(sources, fact.span);
        let place = places
            .entry(location.span.file)
            .or_insert_with(|| fingerprint_place(sources, location.span.file, root));
        let snippet = match &fact.about {
            None => sources.snippet(fact.span).to_string(),
            Some(about) => format!("{} {about}", sources.snippet(fact.span)),
        };
        let fingerprint = fingerprint(&rule.meta.id, place, &fact.resource, fact.kind, &snippet);
        by_location.insert(
            key,
            Finding {
                rule: rule.meta.id.clone(),
                severity: rule.meta.severity,
                message: render_message(&rule.meta.message, &facts.document, &failure.pointer),
                location,
                resource: fact.resource.clone(),
                related,
                fingerprint,
                help: rule.meta.fix.trim().to_string(),
                suppression: None,
                pointer: failure.pointer.clone(),
            },
        );
    }
    let mut findings: Vec<Finding> = by_location.into_values().collect();
    sort(&mut findings);
    disambiguate_fingerprints(&mut findings);
    findings
}

/// Report order: by file, position and rule.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.location.file, a.location.start, &a.rule).cmp(&(
            &b.location.file,
            b.location.start,
            &b.rule,
        ))
    });
}

/// A fingerprint that survives unrelated edits: it hashes what the finding is about (rule, place,
/// resource, kind of element, the element's text), never a line number. The text is compared
/// without whitespace and quote characters, so reformatting (`terraform fmt` alignment, a policy
/// re-indented, `'*'` written `"*"` in YAML) keeps the fingerprint; changing the text does not.
pub fn fingerprint(rule: &str, place: &str, resource: &str, kind: &str, snippet: &str) -> String {
    let normalized: String = snippet
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
        .collect();
    let mut h = Sha256::new();
    for part in [rule, place, resource, kind, &normalized] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

/// Where a finding is, as its fingerprint names it: for Terraform files (`.tf`, `.tf.json`,
/// `.tfvars`) the module directory, so a resource moved to another file of its module keeps its
/// fingerprints (a Terraform address is unique in its module); for templates and plans the file,
/// which is the unit (a moved template is a new one). Paths are relative to the scan root (the
/// Git work tree by default), so the directory passrole runs from does not matter.
pub fn fingerprint_place(sources: &SourceMap, file: FileId, root: &Path) -> String {
    let Some(f) = sources.get(file) else {
        return String::new();
    };
    let relative = f
        .path
        .canonicalize()
        .ok()
        .and_then(|p| {
            p.strip_prefix(root)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .unwrap_or_else(|| f.display.clone());
    let name = relative.to_ascii_lowercase();
    let terraform = [".tf", ".tf.json", ".tfvars", ".tfvars.json"]
        .iter()
        .any(|x| name.ends_with(x));
    if terraform {
        let dir = relative.rfind('/').map_or("", |i| &relative[..i]);
        format!("module:{dir}")
    } else {
        format!("file:{relative}")
    }
}

/// Two findings with the same fingerprint (the same text twice in one resource) get an occurrence
/// suffix, in source order, so every fingerprint is unique.
pub fn disambiguate_fingerprints(findings: &mut [Finding]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for f in findings.iter_mut() {
        let n = seen.entry(f.fingerprint.clone()).or_insert(0);
        if *n > 0 {
            f.fingerprint = format!("{}-{}", f.fingerprint, n);
        }
        *n += 1;
    }
}
