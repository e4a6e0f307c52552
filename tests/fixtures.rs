//! Every `testdata/<case>/` folder is one behaviour: its inputs, and `expected.json` with the findings
//! (rule, file, line) and input errors (file, line) the scan must produce: no more, no fewer.

use passrole::scan::{ScanOptions, scan};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Findings as `(rule, file, line)` and input errors as `(file, line)`.
type Outcome = (Vec<(String, String, u64)>, Vec<(String, Option<u64>)>);

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("testdata")
        .expect("testdata/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// `(rule, file relative to the case, line)` of each finding, sorted.
fn actual(case: &Path) -> Outcome {
    let result = scan(&ScanOptions {
        paths: vec![case.to_path_buf()],
        ..Default::default()
    });
    let prefix = format!("{}/", case.to_string_lossy().replace('\\', "/"));
    let strip = |f: &str| f.strip_prefix(&prefix).unwrap_or(f).to_string();
    let mut findings: Vec<_> = result
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                strip(&f.location.file),
                f.location.start.line as u64,
            )
        })
        .collect();
    findings.sort();
    let mut errors: Vec<_> = result
        .errors
        .iter()
        .map(|e| (strip(&e.file), e.position.map(|p| p.line as u64)))
        .collect();
    errors.sort();
    (findings, errors)
}

fn expected(case: &Path) -> Outcome {
    let text = std::fs::read_to_string(case.join("expected.json")).expect("readable expected.json");
    let v: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    let mut findings: Vec<_> = v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
            )
        })
        .collect();
    findings.sort();
    let mut errors: Vec<_> = v
        .get("errors")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["file"].as_str().expect("file").to_string(),
                        e["line"].as_u64(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    errors.sort();
    (findings, errors)
}

#[test]
fn every_fixture_produces_exactly_its_expected_findings() {
    let cases = cases();
    assert!(cases.len() >= 2, "no fixtures found");
    let mut failures = Vec::new();
    for case in &cases {
        let got = actual(case);
        let want = expected(case);
        if got != want {
            failures.push(format!(
                "{}:\n  expected findings {:?}\n  actual findings   {:?}\n  expected errors {:?}\n  actual errors   {:?}",
                case.display(),
                want.0,
                got.0,
                want.1,
                got.1
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
