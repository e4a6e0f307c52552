//! Every `testdata/<case>/` folder is one behaviour: its inputs, and `expected.json` with the findings
//! (rule, file, line) and input errors (file, line) the scan must produce: no more, no fewer.

use passrole::scan::{ScanOptions, scan};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Findings as (rule, file, line) and input errors as (file, line).
type Outcome = (Vec<(String, String, u64)>, Vec<(String, Option<u64>)>);

/// The cases of `testdata/` and every rule's examples (`rules/ID/examples/NAME/`).
fn cases() -> Vec<PathBuf> {
    let subdirs = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    };
    let mut dirs: Vec<PathBuf> = subdirs(Path::new("testdata"));
    for rule in subdirs(Path::new("rules")) {
        dirs.extend(subdirs(&rule.join("examples")));
    }
    dirs.retain(|p| p.join("expected.json").is_file());
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

/// A finding of `expected.json` may also list its related locations as `"file:line message"`
/// (files relative to the case) and a part of its message (`message_contains`): those are then
/// exact too. Most cases only pin the primary location; the ones about where a value came from or
/// which role was meant pin these.
#[test]
fn fixtures_that_pin_related_locations_and_messages_get_them() {
    let mut failures = Vec::new();
    for case in cases() {
        let text = std::fs::read_to_string(case.join("expected.json")).expect("readable");
        let v: Value = serde_json::from_str(&text).expect("JSON");
        let pinned: Vec<&Value> = v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f.get("related").is_some() || f.get("message_contains").is_some())
            .collect();
        if pinned.is_empty() {
            continue;
        }
        let result = scan(&ScanOptions {
            paths: vec![case.to_path_buf()],
            ..Default::default()
        });
        let prefix = format!("{}/", case.to_string_lossy().replace('\\', "/"));
        let strip = |f: &str| f.strip_prefix(&prefix).unwrap_or(f).to_string();
        for want in pinned {
            let (rule, file, line) = (
                want["rule"].as_str().expect("rule"),
                want["file"].as_str().expect("file"),
                want["line"].as_u64().expect("line"),
            );
            let found: Vec<_> = result
                .findings
                .iter()
                .filter(|f| {
                    f.rule == rule
                        && strip(&f.location.file) == file
                        && f.location.start.line as u64 == line
                })
                .collect();
            let label = format!("{}: {rule} at {file}:{line}", case.display());
            let Some(got) = found.first() else {
                failures.push(format!("{label}: no such finding"));
                continue;
            };
            if let Some(part) = want.get("message_contains").and_then(Value::as_str)
                && !got.message.contains(part)
            {
                failures.push(format!("{label}: message {:?} lacks {part:?}", got.message));
            }
            if let Some(related) = want.get("related").and_then(Value::as_array) {
                let mut want: Vec<String> = related
                    .iter()
                    .map(|r| r.as_str().expect("related entries are strings").to_string())
                    .collect();
                let mut have: Vec<String> = got
                    .related
                    .iter()
                    .map(|r| {
                        format!(
                            "{}:{} {}",
                            strip(&r.location.file),
                            r.location.start.line,
                            r.message
                        )
                    })
                    .collect();
                want.sort();
                have.sort();
                if want != have {
                    failures.push(format!(
                        "{label}:\n  expected related {want:?}\n  actual related   {have:?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
