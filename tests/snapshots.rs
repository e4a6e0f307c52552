//! One snapshot per report format of `testdata/report-formats` (findings in two files, a suppressed
//! finding and an input error), scanned from the repository root as CI runs it. What changes from
//! machine to machine or release to release (the tool version, the absolute `%SRCROOT%`) is
//! replaced before the snapshot is taken. `cargo insta review` (or `INSTA_UPDATE=always`) updates
//! them after an intended change.

use serde_json::Value;
use std::process::Command;

const FIXTURE: &str = "testdata/report-formats";

/// The report of the fixture in `format` (exit code 2: it has an input error).
fn report(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(["scan", "--format", format, FIXTURE])
        // Plain text whatever the terminal of the person running the tests.
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        .output()
        .expect("passrole runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn json_report(format: &str) -> Value {
    serde_json::from_str(&report(format)).expect("JSON")
}

/// Sets the value at a JSON pointer that must exist.
fn redact(value: &mut Value, pointer: &str, with: &str) {
    let slot = value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} is in the report"));
    *slot = Value::from(with);
}

#[test]
fn human() {
    insta::assert_snapshot!("human", report("human"));
}

#[test]
fn json() {
    let mut v = json_report("json");
    redact(&mut v, "/tool/version", "[version]");
    insta::assert_json_snapshot!("json", v);
}

#[test]
fn sarif() {
    let mut v = json_report("sarif");
    redact(&mut v, "/runs/0/tool/driver/version", "[version]");
    redact(&mut v, "/runs/0/tool/driver/semanticVersion", "[version]");
    redact(
        &mut v,
        "/runs/0/originalUriBaseIds/%SRCROOT%/uri",
        "file:///[cwd]/",
    );
    // The rules' descriptions and help are the rules' own text (tests/report_formats.rs checks
    // them); the snapshot keeps their IDs, which `ruleIndex` refers to.
    let rules = v.pointer_mut("/runs/0/tool/driver/rules").unwrap();
    let ids: Vec<Value> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    *rules = Value::Array(ids);
    insta::assert_json_snapshot!("sarif", v);
}

#[test]
fn gcc() {
    insta::assert_snapshot!("gcc", report("gcc"));
}

#[test]
fn junit() {
    insta::assert_snapshot!("junit", report("junit"));
}

#[test]
fn gitlab() {
    insta::assert_json_snapshot!("gitlab", json_report("gitlab"));
}

#[test]
fn github() {
    insta::assert_snapshot!("github", report("github"));
}

#[test]
fn markdown() {
    insta::assert_snapshot!("markdown", report("markdown"));
}
