//! Rule files: CloudFormation Guard rules over the facts document, each with its metadata beside it.
//!
//! A built-in rule is the folder `rules/PR001/`: `PR001.guard` (what fails), `PR001.toml` (id,
//! severity, title, message template, why, how to fix, links) and `examples/` (failing and passing
//! inputs per format, each its own test). Built-in rules are compiled into the binary (build.rs);
//! `--rules DIR` adds user rule files (`ID.guard` with an optional `ID.toml` beside it). Each rule file is evaluated once per run over the whole scan's
//! facts document, and each failing comparison is mapped back, through its JSON pointer, to a fact
//! location.

mod check;
mod engine;
mod load;

pub use check::{MAX_GUARD_NESTING, MAX_RULE_CHAIN, check_guard};
pub use load::{MAX_RULE_BYTES, builtin, decided, load_dir};

use crate::facts::{COLLECTIONS, Document, Facts, document_value, unit_of};
use crate::source::{ErrorKind, InputError};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule's example, run as its test: the bad example must produce the rule, the good one must not.
/// A built-in rule's examples are the `<format>-fail` and `<format>-pass` folders of
/// `rules/ID/examples/`; a user rule may give one as `[example]` in its metadata.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// File name the example is written to (`main.tf`).
    pub file: String,
    pub bad: String,
    pub good: String,
    /// What the example is written in (`Terraform`, `CloudFormation`), for the documentation.
    #[serde(skip)]
    pub format: String,
}

impl Example {
    /// The format an example file is written in, by its name.
    pub fn format_of(file: &str) -> &'static str {
        match file.rsplit('.').next().unwrap_or("") {
            "tf" | "tfvars" | "hcl" => "Terraform",
            "yaml" | "yml" | "template" => "CloudFormation",
            "json" => "JSON",
            _ => "",
        }
    }
}

/// A rule's metadata (`rules/ID/ID.toml`, or `ID.toml` beside a user rule).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    /// The finding's message; `{field}` is replaced by the field of the failing fact (searched from the
    /// innermost object outwards).
    pub message: String,
    /// Tags of the related locations to show (`trust`, `profile`, `hop`, …; see [`RelatedTag`]).
    #[serde(default)]
    pub related: Vec<crate::facts::RelatedTag>,
    pub why: String,
    pub fix: String,
    /// A user rule's example; a built-in rule's come from its folder (`examples`).
    pub example: Option<Example>,
    /// The examples the documentation shows and the tests run, one per format.
    #[serde(skip)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub links: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub meta: RuleMeta,
    pub guard: String,
    /// Where the rule came from (`builtin` or the path of the guard file).
    pub origin: String,
}

/// The origin of passrole's own rules (PR090-PR092), which Rust decides rather than a Guard file.
pub const DECIDED_ORIGIN: &str = "passrole";

impl Rule {
    /// A rule passrole decides itself (suppression problems), not run by the Guard engine.
    pub fn is_decided(&self) -> bool {
        self.origin == DECIDED_ORIGIN && self.guard.is_empty()
    }
}

/// A built-in rule as compiled in: its folder's Guard file, metadata and examples (name, then the
/// example's input files as (file name, text)).
struct BuiltinRule {
    id: &'static str,
    guard: &'static str,
    meta: &'static str,
    examples: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// One rule failure: the rule and the registered fact pointer it maps to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Failure {
    pub rule: usize,
    /// The registered pointer (a fact with a location).
    pub pointer: String,
}

/// Elements of one collection (`roles`, `pass_edges`, `grants`, ...) evaluated in one Guard run.
///
/// cfn-guard's evaluation slows down and its memory grows with the document it reads: a 100 MB plan's
/// facts (thousands of roles, passes and grants) took 11 s and 1.2 GB in one run, and a repository of
/// 5,000 small directories evaluated as one document took 1.7 GB. Units whose collections are all at
/// most this long are evaluated together in batches of whole units ([`BATCH`] elements at most); a
/// larger unit is evaluated in slices of one collection, which gives the same failures for rules that
/// check elements one by one (every built-in rule) and bounds memory.
pub const CHUNK: usize = 128;

/// Elements (of every collection) of the units evaluated together in one Guard run: large enough
/// that cfn-guard's cost per run is paid rarely, small enough that memory follows the batch, not
/// the repository.
pub const BATCH: usize = 1024;

/// Where a slice's units come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// Whole units `first..first + count`.
    Units { first: usize, count: usize },
    /// Elements `start..start + CHUNK` of one collection of one unit.
    Chunk {
        unit: usize,
        collection: &'static str,
        start: usize,
    },
}

/// One document to evaluate and how its pointers map back to the facts document.
struct Slice {
    document: Value,
    origin: Origin,
}

impl Slice {
    /// `/units/K/...` of the slice → `/units/(first + K)/...` of the facts for a batch of units;
    /// `/units/0/pass_edges/3/x` → `/units/U/pass_edges/(start + 3)/x` for a chunk.
    fn map_pointer(&self, pointer: &str) -> Option<String> {
        let mut parts = pointer.split('/');
        let (Some(""), Some("units"), Some(k)) = (parts.next(), parts.next(), parts.next()) else {
            return None;
        };
        let k: usize = k.parse().ok()?;
        let (unit, chunk) = match self.origin {
            Origin::Units { first, count } if k < count => (first + k, None),
            Origin::Chunk {
                unit,
                collection,
                start,
            } if k == 0 => (unit, Some((collection, start))),
            _ => return None,
        };
        let mut out = format!("/units/{unit}");
        match (parts.next(), parts.next(), chunk) {
            (Some(c), Some(i), Some((collection, start))) if c == collection => {
                let i: usize = i.parse().ok()?;
                out.push_str(&format!("/{c}/{}", start + i));
            }
            (Some(c), Some(i), _) => out.push_str(&format!("/{c}/{i}")),
            (Some(c), None, _) => out.push_str(&format!("/{c}")),
            (None, ..) => {}
        }
        for rest in parts {
            out.push('/');
            out.push_str(rest);
        }
        Some(out)
    }
}

/// The slices to evaluate: contiguous batches of small units, and chunks of the collections of
/// each large unit (built one at a time by [`slice`], so that only the slices being evaluated are
/// in memory).
fn slices(document: &Document) -> Vec<Origin> {
    let mut out = Vec::new();
    let mut batch: Option<(usize, usize, usize)> = None; // (first, count, elements)
    for u in 0..document.unit_count() {
        let sizes = COLLECTIONS.map(|c| document.len(u, c));
        if sizes.iter().any(|n| *n > CHUNK) {
            if let Some((first, count, _)) = batch.take() {
                out.push(Origin::Units { first, count });
            }
            for (collection, n) in COLLECTIONS.into_iter().zip(sizes) {
                out.extend((0..n).step_by(CHUNK).map(|start| Origin::Chunk {
                    unit: u,
                    collection,
                    start,
                }));
            }
            continue;
        }
        let elements: usize = sizes.iter().sum();
        batch = match batch {
            Some((first, count, total)) if total + elements <= BATCH => {
                Some((first, count + 1, total + elements))
            }
            Some((first, count, _)) => {
                out.push(Origin::Units { first, count });
                Some((u, 1, elements))
            }
            None => Some((u, 1, elements)),
        };
    }
    if let Some((first, count, _)) = batch {
        out.push(Origin::Units { first, count });
    }
    out
}

/// The document of a slice: its units whole, or its unit with the chunk's elements of its
/// collection and none of the others.
fn slice(document: &Document, origin: Origin) -> Slice {
    let units = match origin {
        Origin::Units { first, count } => (first..first + count)
            .map(|u| document.unit_value(u, |_| None))
            .collect(),
        Origin::Chunk {
            unit,
            collection,
            start,
        } => vec![document.unit_value(unit, |c| {
            Some(if c == collection {
                start..(start + CHUNK).min(document.len(unit, c))
            } else {
                0..0
            })
        })],
    };
    Slice {
        document: document_value(units),
        origin,
    }
}

/// Deepest nesting of the document given to cfn-guard (the document itself is level 1, `units` 2, a
/// unit 3). cfn-guard reads its data with a YAML reader that stops at 128 levels and then fails the
/// rule for every unit at once; a template's `Metadata` is copied as written, so one hostile
/// template could switch off every custom rule that reads it. Deeper values are replaced by
/// [`CUT_MARKER`] and the cut is reported for that unit only.
pub const MAX_DATA_DEPTH: usize = 64;

/// What stands for a value nested deeper than [`MAX_DATA_DEPTH`] in the document rules read.
pub const CUT_MARKER: &str = "(passrole: nested too deeply, cut)";

/// What evaluating the rules over one slice gave: each rule's failures or error, and the pointers
/// (into the facts) of the values cut at [`MAX_DATA_DEPTH`].
type SliceOutcome = (Vec<Result<Vec<Failure>, InputError>>, Vec<String>);

/// Evaluates every rule over the facts; failures are deduplicated per (rule, fact).
pub fn evaluate(rules: &[Rule], facts: &Facts) -> (Vec<Failure>, Vec<InputError>) {
    use rayon::prelude::*;
    // Slices bound the rule engine's memory on large scans; within a slice, the engine's cost grows
    // with the document it reads, so each rule reads only what its text names (pointers stay valid:
    // units and entries keep their indices).
    let sections: Vec<Vec<&str>> = rules.iter().map(|r| sections_of(&r.guard)).collect();
    let results: Vec<SliceOutcome> = slices(&facts.document)
        .into_par_iter()
        .map(|origin| {
            let mut slice = slice(&facts.document, origin);
            let mut cuts = Vec::new();
            cap_depth(&mut slice.document, 1, &mut String::new(), &mut cuts);
            // A cut matters only where a rule reads: built-in rules never read `metadata`.
            let cuts = cuts
                .iter()
                .filter_map(|p| slice.map_pointer(p))
                .filter(|p| sections.iter().any(|s| reads(s, p)))
                .collect();
            let runs = rules
                .par_iter()
                .zip(&sections)
                .enumerate()
                .map(|(i, (rule, sections))| {
                    let data = section_document(&slice.document, sections, &rule.guard);
                    engine::evaluate_rule(rule, &data).map(|pointers| {
                        engine::to_failures(i, pointers, |p| slice.map_pointer(p), facts)
                    })
                })
                .collect::<Vec<_>>();
            (runs, cuts)
        })
        .collect();
    let mut failures = BTreeSet::new();
    // A rule that cannot be evaluated fails on every slice: report it once.
    let mut errors: Vec<InputError> = Vec::new();
    let mut cut_units = BTreeSet::new();
    for (runs, cuts) in results {
        for r in runs {
            match r {
                Ok(f) => failures.extend(f),
                Err(e) if errors.contains(&e) => {}
                Err(e) => errors.push(e),
            }
        }
        for pointer in cuts {
            if let Some(u) = unit_of(&pointer)
                && cut_units.insert(u)
            {
                errors.push(cut_error(&facts.document, u, &pointer));
            }
        }
    }
    (failures.into_iter().collect(), errors)
}

/// Replaces the arrays and objects of `value` (at nesting `depth`) that lie deeper than
/// [`MAX_DATA_DEPTH`] with [`CUT_MARKER`], recording the JSON pointer of each cut. Recursion stops at
/// the limit, so this cannot overflow either.
fn cap_depth(value: &mut Value, depth: usize, pointer: &mut String, cuts: &mut Vec<String>) {
    let is_container = matches!(value, Value::Array(_) | Value::Object(_));
    if is_container && depth > MAX_DATA_DEPTH {
        cuts.push(pointer.clone());
        *value = Value::String(CUT_MARKER.to_string());
        return;
    }
    let len = pointer.len();
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                pointer.push_str(&format!("/{i}"));
                cap_depth(item, depth + 1, pointer, cuts);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                cap_depth(item, depth + 1, pointer, cuts);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Whether a rule that reads `sections` of each unit (all of the document when none) reads the
/// value at `pointer`.
fn reads(sections: &[&str], pointer: &str) -> bool {
    sections.is_empty()
        || pointer
            .split('/')
            .nth(3)
            .is_some_and(|s| sections.contains(&s))
}

/// The error that says a unit's facts were cut for the rules.
fn cut_error(document: &Document, unit: usize, pointer: &str) -> InputError {
    let name = document
        .field(&format!("/units/{unit}"), "name")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("unit {unit}"));
    // Where, shortly: the first segments say which resource's value it was.
    let mut shown: String = pointer.chars().take(120).collect();
    if shown.len() < pointer.len() {
        shown.push('…');
    }
    InputError {
        file: name,
        kind: ErrorKind::Limit,
        message: format!(
            "a value of this input nests deeper than {MAX_DATA_DEPTH} levels in the facts (at \
             {shown}): rules see it cut there, the rest of the input is checked as usual"
        ),
        position: None,
    }
}

/// The unit sections a rule reads; all of them when its text names none (a rule that uses other
/// queries must see the whole document).
fn sections_of(guard: &str) -> Vec<&'static str> {
    let named: Vec<&'static str> = COLLECTIONS
        .into_iter()
        .filter(|s| guard.contains(s))
        .collect();
    if named.is_empty() { Vec::new() } else { named }
}

/// The facts document as a rule needs it: only the `sections` it names in each unit, and in their
/// entries only the fields whose names appear in the rule's text. Array indices are kept, so every
/// pointer into this document is a pointer into the full one.
fn section_document(document: &Value, sections: &[&str], guard: &str) -> String {
    if sections.is_empty() {
        return document.to_string();
    }
    let words: HashSet<&str> = guard
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let every_field = guard.contains(".*");
    let units: Vec<Value> = document
        .get("units")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|u| {
            let mut kept = serde_json::Map::new();
            for key in sections {
                if let Some(v) = u.get(*key) {
                    // A rule reading every field (`.*`) cannot be trimmed to the fields it names.
                    let v = if every_field {
                        v.clone()
                    } else {
                        only_fields(v, &words)
                    };
                    kept.insert(key.to_string(), v);
                }
            }
            // The unit's own fields a rule filters on (`units[ kind == "terraform" ]`): without
            // them such a rule silently matched nothing.
            for (key, v) in u.as_object().into_iter().flatten() {
                if !COLLECTIONS.contains(&key.as_str()) && words.contains(key.as_str()) {
                    kept.insert(key.clone(), v.clone());
                }
            }
            Value::Object(kept)
        })
        .collect();
    serde_json::json!({ "version": document.get("version"), "units": units }).to_string()
}

/// `value` with object fields not named in `words` removed, at every depth.
fn only_fields(value: &Value, words: &HashSet<&str>) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| only_fields(v, words)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| words.contains(k.as_str()))
                .map(|(k, v)| (k.clone(), only_fields(v, words)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Fills `{field}` placeholders of a message template from the facts document, looking the field up in
/// the object at `pointer` and then in its ancestors. Arrays are joined with ", ".
pub fn render_message(template: &str, document: &Document, pointer: &str) -> String {
    let mut ancestors = vec![pointer];
    let mut p = pointer;
    while let Some(cut) = p.rfind('/') {
        p = &p[..cut];
        ancestors.push(p);
    }
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                let key = &after[..close];
                let value = ancestors.iter().find_map(|p| document.field(p, key));
                out.push_str(
                    &value
                        .as_ref()
                        .map(show)
                        .unwrap_or_else(|| format!("{{{key}}}")),
                );
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".into(),
        Value::Array(items) if items.is_empty() => "nothing".into(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The `passrole rules explain ID` page, generated from the rule's metadata.
pub fn explain(meta: &RuleMeta) -> String {
    let mut out = format!(
        "{} ({}): {}\n\n",
        meta.id,
        meta.severity.as_str(),
        meta.title
    );
    out.push_str("## Why is this bad\n\n");
    out.push_str(meta.why.trim());
    out.push_str("\n\n## How to fix it\n\n");
    out.push_str(meta.fix.trim());
    out.push('\n');
    for ex in &meta.examples {
        out.push_str(&format!(
            "\n## Example that fails ({}, {})\n\n",
            ex.format, ex.file
        ));
        out.push_str(ex.bad.trim_end());
        out.push_str(&format!(
            "\n\n## Example that passes ({}, {})\n\n",
            ex.format, ex.file
        ));
        out.push_str(ex.good.trim_end());
        out.push('\n');
    }
    if !meta.links.is_empty() {
        out.push_str("\n## Links\n\n");
        for l in &meta.links {
            out.push_str(&format!("- {l}\n"));
        }
    }
    out
}

/// The rule's page as Markdown, from its metadata and examples: the SARIF help and
/// `docs/rules/ID.md` (generated; a test fails when it is stale).
pub fn markdown(meta: &RuleMeta) -> String {
    let mut out = format!("**{}**: {}\n\n", meta.id, meta.title.trim());
    if !meta.why.trim().is_empty() {
        out.push_str("## Why is this bad\n\n");
        out.push_str(meta.why.trim());
        out.push_str("\n\n");
    }
    if !meta.fix.trim().is_empty() {
        out.push_str("## How to fix it\n\n");
        out.push_str(meta.fix.trim());
        out.push_str("\n\n");
    }
    for ex in &meta.examples {
        let lang = code_language(&ex.file);
        out.push_str(&format!(
            "## Example that fails ({}, `{}`)\n\n```{lang}\n{}\n```\n\n",
            ex.format,
            ex.file,
            ex.bad.trim_matches('\n')
        ));
        out.push_str(&format!(
            "## Example that passes ({}, `{}`)\n\n```{lang}\n{}\n```\n\n",
            ex.format,
            ex.file,
            ex.good.trim_matches('\n')
        ));
    }
    if !meta.links.is_empty() {
        out.push_str("## Links\n\n");
        for l in &meta.links {
            out.push_str(&format!("- <{l}>\n"));
        }
    }
    out.trim_end().to_string() + "\n"
}

/// The fenced code block language of an example file.
fn code_language(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "tf" | "tfvars" | "hcl" => "hcl",
        "yaml" | "yml" => "yaml",
        "json" => "json",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template with `roles` roles.
    fn template(roles: usize) -> String {
        let mut t = String::from("Resources:\n");
        for r in 0..roles {
            t.push_str(&format!(
                "  R{r}:\n    Type: AWS::IAM::Role\n    Properties:\n      \
                 AssumeRolePolicyDocument: {{Statement: [{{Effect: Allow, Action: \
                 sts:AssumeRole, Principal: {{Service: lambda.amazonaws.com}}}}]}}\n"
            ));
        }
        t
    }

    #[test]
    fn small_units_are_batched_and_large_ones_chunked() {
        let files = vec![
            ("a.yaml".into(), template(2)),
            ("b.yaml".into(), template(CHUNK + 1)),
            ("c.yaml".into(), template(3)),
            ("d.yaml".into(), template(1)),
        ];
        let result = crate::scan::scan_texts(files);
        let document = &result.facts.document;
        let big = (0..4)
            .find(|&u| document.len(u, "roles") == CHUNK + 1)
            .unwrap();
        let origins = slices(document);
        let chunks: Vec<&Origin> = origins
            .iter()
            .filter(|o| matches!(o, Origin::Chunk { .. }))
            .collect();
        // Its roles, and its identities (every role holds policies), in two chunks each.
        assert_eq!(chunks.len(), 4, "{origins:?}");
        assert!(
            chunks
                .iter()
                .all(|o| matches!(o, Origin::Chunk { unit, .. } if *unit == big))
        );
        // Every unit is evaluated, each once.
        let mut seen: Vec<usize> = origins
            .iter()
            .flat_map(|o| match *o {
                Origin::Units { first, count } => (first..first + count).collect::<Vec<_>>(),
                Origin::Chunk { unit, start: 0, .. } => vec![unit],
                Origin::Chunk { .. } => Vec::new(),
            })
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen, [0, 1, 2, 3]);
        let batch = origins
            .iter()
            .find(|o| matches!(o, Origin::Units { count, .. } if *count == 2))
            .copied()
            .unwrap_or_else(|| panic!("two small units side by side are one batch: {origins:?}"));
        let s = slice(document, batch);
        let Origin::Units { first, .. } = batch else {
            unreachable!()
        };
        assert_eq!(
            s.map_pointer("/units/1/roles/0/trust_known").as_deref(),
            Some(format!("/units/{}/roles/0/trust_known", first + 1).as_str())
        );
        assert_eq!(s.map_pointer("/units/2/roles/0"), None);
        let second = slice(document, *chunks[1]);
        assert_eq!(
            second.map_pointer("/units/0/roles/0/x").as_deref(),
            Some(format!("/units/{big}/roles/{CHUNK}/x").as_str())
        );
    }

    #[test]
    fn deep_values_are_cut_where_a_rule_reads_them() {
        let mut deep = serde_json::json!(1);
        for _ in 0..100 {
            deep = serde_json::json!({ "a": deep });
        }
        let mut document = serde_json::json!({
            "version": 1,
            "units": [{ "name": "t", "metadata": { "R": deep }, "roles": [] }]
        });
        let mut cuts = Vec::new();
        cap_depth(&mut document, 1, &mut String::new(), &mut cuts);
        assert_eq!(cuts.len(), 1);
        let cut = &cuts[0];
        assert!(cut.starts_with("/units/0/metadata/R/a/"), "{cut}");
        // The document nests at most MAX_DATA_DEPTH levels now, with the marker at the cut.
        assert_eq!(
            document.pointer(cut),
            Some(&Value::String(CUT_MARKER.into()))
        );
        assert_eq!(unit_of(cut), Some(0));
        assert!(reads(&[], cut));
        assert!(!reads(&["roles", "grants"], cut));
        assert!(reads(&["roles"], "/units/0/roles/3/x"));
    }
}
