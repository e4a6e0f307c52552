//! The baseline: the findings a repository already had when it adopted passrole, by fingerprint.
//!
//! `--write-baseline FILE` writes them as sorted, reviewable JSON; `--baseline FILE` marks the
//! findings whose fingerprint is in it as suppressed (kind `baseline`), so only new findings are
//! reported, and lists the entries that no longer match anything (stale) for `--baseline-report`.
//! Fingerprints hash no line number (see `findings::fingerprint`), so lines inserted above a finding,
//! reformatting and a resource moved to another file of its Terraform module keep it in the baseline.

use crate::findings::{Finding, Location, Suppression, SuppressionKind};
use crate::source::{ErrorKind, InputError, Position, display_path};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

/// The version of the baseline format.
pub const VERSION: u64 = 1;

/// A baseline file larger than this is refused: a baseline entry is a few hundred bytes.
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// The file as written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub version: u64,
    pub entries: Vec<Entry>,
}

/// One accepted finding. Only `fingerprint` is matched; the rest is for the reviewer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub file: String,
    pub resource: String,
    pub message: String,
}

/// A baseline read from a file.
#[derive(Debug)]
pub struct Baseline {
    /// The file as reports show it.
    pub file: String,
    pub entries: Vec<Entry>,
    /// Where each fingerprint is written in the file (its line, in the file as passrole writes it).
    positions: HashMap<String, Position>,
}

/// What using a baseline gave (the JSON report's `baseline`).
#[derive(Clone, Debug, Serialize)]
pub struct BaselineReport {
    pub file: String,
    /// Findings suppressed because their fingerprint is in the baseline.
    pub matched: usize,
    /// Entries that match no finding of this scan any more: the finding was fixed (or its
    /// substance changed, which makes it a new finding).
    pub stale: Vec<Entry>,
}

fn error(file: &str, message: String, position: Option<Position>) -> InputError {
    InputError {
        file: file.to_string(),
        kind: ErrorKind::Config,
        message,
        position,
    }
}

/// Reads a baseline file. A missing, unreadable, oversized or malformed file is an error (exit 2):
/// a baseline that silently reads as empty would report everything, one that silently reads as
/// something else could hide findings.
pub fn read(path: &Path) -> Result<Baseline, InputError> {
    let shown = display_path(path);
    let text = read_text(path).map_err(|m| error(&shown, m, None))?;
    let parsed: BaselineFile = serde_json::from_str(&text).map_err(|e| {
        // The position is the error's own; serde_json also writes it in the message.
        let message = e.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i]);
        error(
            &shown,
            format!("not a passrole baseline: {message}"),
            Some(Position {
                line: e.line().max(1),
                column: e.column().max(1),
            }),
        )
    })?;
    if parsed.version != VERSION {
        return Err(error(
            &shown,
            format!(
                "baseline version {} is not supported (this passrole writes version {VERSION})",
                parsed.version
            ),
            None,
        ));
    }
    Ok(Baseline {
        positions: fingerprint_positions(&text),
        file: shown,
        entries: parsed.entries,
    })
}

fn read_text(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the baseline: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read the baseline: {e}"))?;
    if !meta.is_file() {
        return Err("the baseline is not a regular file".into());
    }
    if meta.len() > MAX_BASELINE_BYTES {
        return Err(format!(
            "the baseline is {} bytes, more than the limit of {MAX_BASELINE_BYTES}",
            meta.len()
        ));
    }
    let mut text = String::new();
    file.take(MAX_BASELINE_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the baseline: {e}"))?;
    Ok(text)
}

/// Where each `"fingerprint": "..."` line of the file is (one entry field per line, as written
/// by [`write`]; a file laid out otherwise has no positions and its entries are shown at 1:1).
fn fingerprint_positions(text: &str) -> HashMap<String, Position> {
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("\"fingerprint\":") else {
            continue;
        };
        let value = rest.trim().trim_end_matches(',').trim_matches('"');
        let column = line.len() - trimmed.len() + 1;
        out.entry(value.to_string()).or_insert(Position {
            line: n + 1,
            column,
        });
    }
    out
}

/// Marks the findings in the baseline as suppressed (findings already suppressed keep their
/// suppression) and says which entries are stale.
pub fn apply(findings: &mut [Finding], baseline: &Baseline) -> BaselineReport {
    let present: HashSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    let stale = baseline
        .entries
        .iter()
        .filter(|e| !present.contains(e.fingerprint.as_str()))
        .cloned()
        .collect();
    let accepted: HashSet<&str> = baseline
        .entries
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    let mut matched = 0;
    for f in findings.iter_mut().filter(|f| !f.is_suppressed()) {
        if !accepted.contains(f.fingerprint.as_str()) {
            continue;
        }
        let at = baseline
            .positions
            .get(&f.fingerprint)
            .copied()
            .unwrap_or(Position { line: 1, column: 1 });
        f.suppression = Some(Suppression {
            kind: SuppressionKind::Baseline,
            reason: format!("in the baseline {}", baseline.file),
            location: Some(Location {
                file: baseline.file.clone(),
                start: at,
                end: at,
                span: Default::default(),
            }),
        });
        matched += 1;
    }
    BaselineReport {
        file: baseline.file.clone(),
        matched,
        stale,
    }
}

/// The baseline of a scan: every finding that is reported or suppressed only by a baseline
/// (findings suppressed with a reason in the source or in `passrole.toml` stay where they are
/// accepted), sorted by file, resource, rule and fingerprint, so that it diffs well.
pub fn entries(findings: &[Finding]) -> Vec<Entry> {
    let mut entries: Vec<Entry> = findings
        .iter()
        .filter(|f| {
            f.suppression
                .as_ref()
                .is_none_or(|s| s.kind == SuppressionKind::Baseline)
        })
        .map(|f| Entry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.clone(),
            file: f.location.file.clone(),
            resource: f.resource.clone(),
            message: f.message.clone(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.file, &a.resource, &a.rule, &a.fingerprint).cmp(&(
            &b.file,
            &b.resource,
            &b.rule,
            &b.fingerprint,
        ))
    });
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    entries
}

/// The baseline step of a scan: marks what the `read_from` baseline holds, then writes the
/// `write_to` baseline (when given) and marks what it holds too, so a scan that writes a baseline
/// reports what a scan with that baseline would. Errors (a bad baseline, a failed write) are
/// pushed to `errors` (exit code 2). The report is the read baseline's, else the written one's.
pub fn run(
    findings: &mut [Finding],
    read_from: Option<&Path>,
    write_to: Option<&Path>,
    errors: &mut Vec<InputError>,
) -> Option<BaselineReport> {
    let mut report = None;
    if let Some(path) = read_from {
        match read(path) {
            Ok(baseline) => report = Some(apply(findings, &baseline)),
            Err(e) => errors.push(e),
        }
    }
    if let Some(path) = write_to {
        match write(path, entries(findings)) {
            Ok(baseline) => {
                let written = apply(findings, &baseline);
                report.get_or_insert(written);
            }
            Err(e) => errors.push(e),
        }
    }
    report
}

/// Writes a baseline file (through a temporary file in the same directory, so a failed write
/// leaves the old baseline as it was) and returns it as read back.
pub fn write(path: &Path, entries: Vec<Entry>) -> Result<Baseline, InputError> {
    let shown = display_path(path);
    let file = BaselineFile {
        version: VERSION,
        entries,
    };
    let mut text = serde_json::to_string_pretty(&file)
        .map_err(|e| error(&shown, format!("cannot write the baseline: {e}"), None))?;
    text.push('\n');
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let written = tempfile::NamedTempFile::new_in(dir).and_then(|mut tmp| {
        std::io::Write::write_all(&mut tmp, text.as_bytes())?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    });
    written.map_err(|e| error(&shown, format!("cannot write the baseline: {e}"), None))?;
    Ok(Baseline {
        positions: fingerprint_positions(&text),
        file: shown,
        entries: file.entries,
    })
}
