//! Suppressions written beside the code: each form silences exactly the named rule on exactly what
//! it covers; suppressions that cannot work are reported (PR090, PR092, and PR091 with
//! `--report-unused-ignores`); suppressed findings stay in JSON with their reason and leave the
//! human output and the exit code.

use passrole::rules;
use passrole::scan::{ScanOptions, ScanResult, scan};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scan_with(paths: &[&str], report_unused_ignores: bool) -> ScanResult {
    scan(&ScanOptions {
        paths: paths.iter().map(PathBuf::from).collect(),
        report_unused_ignores,
        ..Default::default()
    })
}

/// `(rule, line, suppression kind, reason)` of each finding of one file, in report order.
fn outcome(result: &ScanResult, file: &str) -> Vec<(String, usize, String, String)> {
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    result
        .findings
        .iter()
        .filter(|f| f.location.file.ends_with(file))
        .map(|f| {
            let (kind, reason) = f.suppression.as_ref().map_or(("-", String::new()), |s| {
                (s.kind.as_str(), s.reason.clone())
            });
            (f.rule.clone(), f.location.start.line, kind.into(), reason)
        })
        .collect()
}

fn owned(v: &[(&str, usize, &str, &str)]) -> Vec<(String, usize, String, String)> {
    v.iter()
        .map(|(r, l, k, why)| (r.to_string(), *l, k.to_string(), why.to_string()))
        .collect()
}

fn passrole(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("passrole runs")
}

fn here() -> PathBuf {
    std::env::current_dir().unwrap()
}

#[test]
fn every_terraform_form_silences_exactly_its_rule_on_its_span() {
    let result = scan_with(&["testdata/suppress/terraform"], true);
    let want = owned(&[
        (
            "PR010",
            10,
            "inline",
            "trailing comment on the finding's line",
        ),
        (
            "PR010",
            21,
            "inline",
            "double-slash comment on the line above",
        ),
        ("PR010", 31, "inline", "block comment"),
        // The opening-line comment names PR010 only: PR015 of the same resource stays.
        ("PR015", 40, "-", ""),
        ("PR010", 41, "inline", "covers the whole resource"),
        (
            "PR015",
            51,
            "inline",
            "both rules, for the whole resource below",
        ),
        (
            "PR010",
            52,
            "inline",
            "both rules, for the whole resource below",
        ),
        // `# passrole:ignore` inside a string and inside a heredoc is text, not a comment.
        ("PR010", 59, "-", ""),
        ("PR010", 66, "-", ""),
        // A suppression of another rule: the finding stays, the suppression is unused.
        ("PR010", 75, "-", ""),
        ("PR091", 75, "-", ""),
        // Without a reason: the finding stays and the suppression is reported.
        ("PR010", 85, "-", ""),
        ("PR090", 85, "-", ""),
        // An unknown rule id is reported.
        ("PR010", 95, "-", ""),
        ("PR092", 95, "-", ""),
    ]);
    assert_eq!(outcome(&result, "terraform/main.tf"), want);
    let messages: Vec<&str> = result
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("PR09"))
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "this suppression of PR011 matches no finding: remove it",
            "this suppression of PR010 gives no reason, so it suppresses nothing: write `passrole:ignore PR010 <reason>`",
            "this suppression names PR01O, which is not a rule of this scan (`passrole rules list`), so it suppresses nothing",
        ]
    );
}

#[test]
fn unused_suppressions_are_reported_only_when_asked() {
    let result = scan_with(&["testdata/suppress/terraform"], false);
    let rules: Vec<&str> = result.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(!rules.contains(&"PR091"), "{rules:?}");
    assert!(
        rules.contains(&"PR090") && rules.contains(&"PR092"),
        "{rules:?}"
    );
}

#[test]
fn cloudformation_comments_and_metadata_suppress_their_resource() {
    let result = scan_with(&["testdata/suppress/cloudformation"], true);
    let want = owned(&[
        (
            "PR010",
            11,
            "inline",
            "covers the whole resource from its logical id line",
        ),
        (
            "PR010",
            20,
            "inline",
            "comment on the line above the finding",
        ),
        (
            "PR010",
            31,
            "metadata",
            "the pipeline role deploys every stack of the account",
        ),
        ("PR090", 37, "-", ""),
        ("PR010", 41, "-", ""),
        // In a quoted scalar and in a block scalar, `# passrole:ignore` is not a comment.
        ("PR010", 47, "-", ""),
        ("PR010", 53, "-", ""),
        // `rule` may list several ids.
        ("PR015", 63, "metadata", "several rules in one entry"),
        ("PR010", 63, "metadata", "several rules in one entry"),
    ]);
    assert_eq!(outcome(&result, "template.yaml"), want);
    let want = owned(&[
        (
            "PR010",
            10,
            "metadata",
            "the pipeline role deploys every stack",
        ),
        ("PR010", 18, "-", ""),
    ]);
    assert_eq!(outcome(&result, "template.json"), want);
    // The suppression's location is the ignore entry.
    let metadata = result
        .findings
        .iter()
        .find(|f| f.location.file.ends_with("template.json") && f.is_suppressed())
        .and_then(|f| f.suppression.as_ref())
        .and_then(|s| s.location.as_ref())
        .unwrap();
    assert_eq!((metadata.start.line, metadata.start.column), (6, 33));
}

#[test]
fn plan_findings_mapped_to_tf_lines_honour_the_tf_comments() {
    let result = scan_with(&["testdata/suppress/plan/plan.tfplan.json"], true);
    let want = owned(&[
        (
            "PR001",
            21,
            "inline",
            "the worker role is replaced in the next release",
        ),
        ("PR010", 36, "inline", "deploy role of the CI account"),
    ]);
    assert_eq!(outcome(&result, "suppress/plan/main.tf"), want);
    assert_eq!(result.findings.len(), 2);
}

#[test]
fn suppressed_findings_leave_human_output_and_exit_code_but_stay_in_json() {
    let out = passrole(
        &["scan", "testdata/suppress/plan/plan.tfplan.json"],
        &here(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout,
        "1 file scanned: 0 errors, 0 warnings, 0 notes (2 suppressed); 0 input errors\n"
    );
    let out = passrole(
        &[
            "scan",
            "--format",
            "json",
            "testdata/suppress/plan/plan.tfplan.json",
        ],
        &here(),
    );
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["suppressed"], 2);
    let s = &report["findings"][0]["suppression"];
    assert_eq!(s["kind"], "inline");
    assert_eq!(
        s["reason"],
        "the worker role is replaced in the next release"
    );
    assert_eq!(s["location"]["file"], "testdata/suppress/plan/main.tf");
    assert_eq!(s["location"]["start"]["line"], 20);
}

#[test]
fn gcc_output_shows_the_suppression_problems_and_not_the_suppressed_findings() {
    let out = passrole(
        &[
            "scan",
            "--format",
            "gcc",
            "--report-unused-ignores",
            "testdata/suppress/cloudformation/template.json",
            "testdata/suppress/terraform/main.tf",
        ],
        &here(),
    );
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(": warning: "))
        .map(str::to_string)
        .collect();
    assert_eq!(
        lines,
        [
            "testdata/suppress/terraform/main.tf:75:22: warning: this suppression of PR011 matches no finding: remove it [PR091]",
            "testdata/suppress/terraform/main.tf:85:22: warning: this suppression of PR010 gives no reason, so it suppresses nothing: write `passrole:ignore PR010 <reason>` [PR090]",
            "testdata/suppress/terraform/main.tf:95:22: warning: this suppression names PR01O, which is not a rule of this scan (`passrole rules list`), so it suppresses nothing [PR092]",
        ]
    );
    let errors = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(": error: "))
        .count();
    // 12 PR010 in the two files, 6 of them suppressed; PR015 is a note.
    assert_eq!(errors, 6);
}

#[test]
fn passrole_decided_rules_are_listed_and_explained() {
    let out = passrole(&["rules", "list"], &here());
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains("PR090  warning  Suppression without a reason or a rule\n"));
    assert!(list.contains("PR091  warning  Suppression that matches no finding\n"));
    assert!(list.contains("PR092  warning  Suppression names an unknown rule\n"));
    for id in ["PR090", "pr091", "PR092"] {
        let out = passrole(&["rules", "explain", id], &here());
        assert_eq!(out.status.code(), Some(0));
        let page = String::from_utf8_lossy(&out.stdout);
        assert!(
            page.contains("passrole decides this rule itself (there is no Guard file)"),
            "{page}"
        );
    }
}

/// The examples of the rules passrole decides run as tests, as the Guard rules' examples do.
#[test]
fn passrole_decided_rule_examples_fail_bad_and_pass_good() {
    for rule in rules::decided() {
        let example = rule.meta.examples.first().expect("an example");
        for (text, want) in [(&example.bad, true), (&example.good, false)] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(&example.file), text).unwrap();
            let result = scan(&ScanOptions {
                paths: vec![dir.path().to_path_buf()],
                report_unused_ignores: true,
                ..Default::default()
            });
            assert!(result.errors.is_empty(), "{:?}", result.errors);
            let got = result.findings.iter().any(|f| f.rule == rule.meta.id);
            assert_eq!(got, want, "{}: {:?}", rule.meta.id, result.findings);
        }
    }
}

#[test]
fn a_custom_rule_cannot_take_a_passrole_decided_id() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("PR090.guard"),
        "rule PR090 { units exists }\n",
    )
    .unwrap();
    let (loaded, errors) = rules::load_dir(dir.path());
    assert!(loaded.is_empty());
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .message
            .contains("the rule id PR090 is already taken by a built-in rule"),
        "{}",
        errors[0].message
    );
}

#[test]
fn a_suppression_of_a_rule_switched_off_is_neither_unknown_nor_unused() {
    // Line 75 suppresses PR011, which matches nothing there: with PR011 not run (`--ignore`), the
    // suppression is not "unused" (the rule could not fire) and not "unknown" (PR011 is a rule).
    let out = passrole(
        &[
            "scan",
            "testdata/suppress/terraform",
            "--ignore",
            "PR011",
            "--report-unused-ignores",
            "--format",
            "gcc",
        ],
        &here(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("[PR091]"), "{text}");
    assert!(!text.contains("PR011, which is not a rule"), "{text}");
    assert!(text.contains("[PR092]"), "{text}");
}
