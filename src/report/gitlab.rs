//! `--format gitlab`: a GitLab Code Quality report (`artifacts: reports: codequality:`), the subset of
//! the Code Climate issue format GitLab documents at
//! <https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>: a JSON array of
//! `{description, check_name, fingerprint, severity, location: {path, lines: {begin}}}`.
//!
//! - One entry per reported finding; suppressed findings are left out (GitLab has no notion of a
//!   suppressed issue, and the merge request widget would count them).
//! - `severity`: error → `critical`, warning → `major`, note → `minor`. `blocker` is left to input
//!   errors: a file that could not be read means the scan is incomplete, which is worse than any one
//!   finding.
//! - `check_name` is the rule ID (`PR001`), or `input-error/<kind>` for an input error.
//! - `fingerprint` is the finding's own (stable across runs and unique per finding); an input
//!   error's is a hash of its kind, file, position and message.
//! - `location.path` is relative to the root of the Git work tree around the current directory
//!   (GitLab links paths from the repository root, wherever passrole ran); findings in modules
//!   fetched by `terraform init` are moved to the module call ([`super::repository`]). `description` starts with the rule ID, since the widget shows only it.

use crate::findings::Finding;
use crate::rules::Severity;
use crate::scan::ScanResult;
use crate::source::InputError;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Every severity GitLab accepts, lowest first.
pub const SEVERITIES: &[&str] = &["info", "minor", "major", "critical", "blocker"];

pub fn render(result: &ScanResult) -> Value {
    let mut issues: Vec<Value> = super::reported(result)
        .map(|f| finding(&super::repository::in_repository(&result.sources, f)))
        .collect();
    issues.extend(result.errors.iter().map(input_error));
    let paths = super::repository::RepositoryPaths::here();
    for issue in &mut issues {
        if let Some(path) = issue["location"]["path"].as_str() {
            let shown = paths.show(path);
            issue["location"]["path"] = json!(shown);
        }
    }
    make_fingerprints_unique(&mut issues);
    Value::Array(issues)
}

/// GitLab shows only the first issue of a fingerprint. Two findings should never share one, but
/// a repeated one (the same input error twice) gets the occurrence number hashed in.
fn make_fingerprints_unique(issues: &mut [Value]) {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for issue in issues.iter_mut() {
        let Some(fp) = issue["fingerprint"].as_str().map(str::to_string) else {
            continue;
        };
        let n = seen.entry(fp.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let digest = Sha256::digest(format!("{fp}\0{n}").as_bytes());
            issue["fingerprint"] = json!(hex::encode(&digest[..16]));
        }
    }
}

/// GitLab's severity of a finding's severity.
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "minor",
    }
}

fn finding(f: &Finding) -> Value {
    issue(
        format!("{}: {}", f.rule, f.message),
        &f.rule,
        &f.fingerprint,
        severity(f.severity),
        &f.location.file,
        f.location.start.line,
    )
}

fn input_error(e: &InputError) -> Value {
    let check = format!("input-error/{}", e.kind.as_str());
    let line = e.position.map_or(1, |p| p.line);
    let column = e.position.map_or(0, |p| p.column);
    let mut hash = Sha256::new();
    for part in [
        &check,
        &e.file,
        &line.to_string(),
        &column.to_string(),
        &e.message,
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let fingerprint = hex::encode(&hash.finalize()[..16]);
    issue(
        format!("input error ({}): {}", e.kind.as_str(), e.message),
        &check,
        &fingerprint,
        "blocker",
        &e.file,
        line,
    )
}

fn issue(
    description: String,
    check_name: &str,
    fingerprint: &str,
    severity: &str,
    path: &str,
    line: usize,
) -> Value {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    json!({
        "description": description,
        "check_name": check_name,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {
            // An error about no particular file (`passrole plan` without terraform) still needs one.
            "path": if path.is_empty() { "." } else { path },
            "lines": { "begin": line.max(1) },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{ErrorKind, Position};

    #[test]
    fn severities_are_gitlabs_words() {
        for s in [Severity::Error, Severity::Warning, Severity::Note] {
            assert!(SEVERITIES.contains(&severity(s)));
        }
        assert_eq!(severity(Severity::Error), "critical");
        assert_eq!(severity(Severity::Note), "minor");
    }

    #[test]
    fn input_errors_have_a_path_a_line_and_a_stable_fingerprint() {
        let mut e = InputError {
            file: "./a\\broken.tf".into(),
            kind: ErrorKind::Parse,
            message: "invalid HCL".into(),
            position: None,
        };
        let v = input_error(&e);
        assert_eq!(
            v["location"],
            json!({"path": "a/broken.tf", "lines": {"begin": 1}})
        );
        assert_eq!(v["check_name"], "input-error/parse");
        assert_eq!(v["severity"], "blocker");
        assert_eq!(v["fingerprint"], input_error(&e)["fingerprint"]);
        assert_eq!(v["fingerprint"].as_str().unwrap().len(), 32);
        e.position = Some(Position { line: 3, column: 2 });
        let moved = input_error(&e);
        assert_eq!(moved["location"]["lines"]["begin"], 3);
        assert_ne!(moved["fingerprint"], v["fingerprint"]);
        let mut twice = vec![input_error(&e), input_error(&e)];
        make_fingerprints_unique(&mut twice);
        assert_ne!(twice[0]["fingerprint"], twice[1]["fingerprint"]);
        assert_eq!(twice[0]["fingerprint"], moved["fingerprint"]);
        e.file = String::new();
        assert_eq!(input_error(&e)["location"]["path"], ".");
    }
}
