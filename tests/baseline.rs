//! The baseline as a team adopting passrole uses it: write it once, then only new findings are
//! reported, through unrelated edits (lines inserted above, reformatting, a resource moved to
//! another file of its module); a change of substance is a new finding.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn passrole(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("passrole runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A temporary copy of `testdata/suppress/baseline/<files>`.
fn module(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::copy(
            Path::new("testdata/suppress/baseline").join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    dir
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn write_then_scan_with_the_baseline_after_unrelated_edits_and_a_real_change() {
    let dir = module(&["main.tf"]);
    let d = dir.path();
    let out = passrole(&["scan", ".", "--write-baseline", "baseline.json"], d);
    // A scan that writes a baseline reports what a scan with it reports.
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "1 file scanned: 0 errors, 0 warnings, 0 notes (2 suppressed); 0 input errors\n"
    );
    let baseline: Value = serde_json::from_str(&read(d, "baseline.json")).unwrap();
    let entries = baseline["entries"].as_array().unwrap();
    assert_eq!(baseline["version"], 1);
    // The finding suppressed in the source is accepted there, not in the baseline.
    assert_eq!(entries.len(), 1, "{baseline}");
    assert_eq!(entries[0]["rule"], "PR010");
    assert_eq!(entries[0]["file"], "main.tf");
    assert_eq!(entries[0]["resource"], "aws_iam_policy.deploy");
    assert!(
        entries[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("aws_iam_policy.deploy allows iam:PassRole on \"*\"")
    );

    // Ten lines inserted above, and the resource reformatted.
    let original = read(d, "main.tf");
    let reformatted = original.replace(
        "  name = \"deploy\"\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = \"iam:PassRole\"\n      Resource = \"*\"\n    }]\n  })\n",
        "    name   =   \"deploy\"\n    policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"iam:PassRole\", Resource = \"*\" }] })\n",
    );
    assert_ne!(reformatted, original);
    let ten = "# an unrelated line\n".repeat(10);
    std::fs::write(d.join("main.tf"), format!("{ten}{reformatted}")).unwrap();
    let out = passrole(&["scan", ".", "--baseline", "baseline.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "1 file scanned: 0 errors, 0 warnings, 0 notes (2 suppressed); 0 input errors\n"
    );

    // Another resource pattern is another finding: reported, and the old entry is stale.
    let changed = read(d, "main.tf").replace(
        "Action = \"iam:PassRole\", Resource = \"*\"",
        "Action = \"iam:PassRole\", Resource = \"arn:aws:iam::123456789012:role/*\"",
    );
    std::fs::write(d.join("main.tf"), changed).unwrap();
    let out = passrole(
        &[
            "scan",
            ".",
            "--baseline",
            "baseline.json",
            "--baseline-report",
            "--format",
            "gcc",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("main.tf:14:"), "{}", stdout(&out));
    assert!(stdout(&out).contains("[PR010]"));
    let fingerprint = entries[0]["fingerprint"].as_str().unwrap();
    assert_eq!(
        stderr(&out),
        format!(
            "baseline baseline.json: 0 finding(s) matched, 1 stale entry\nstale: {fingerprint} PR010 main.tf aws_iam_policy.deploy: {}\n",
            entries[0]["message"].as_str().unwrap()
        )
    );
    let out = passrole(
        &[
            "scan",
            ".",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ],
        d,
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["baseline"]["file"], "baseline.json");
    assert_eq!(report["baseline"]["matched"], 0);
    assert_eq!(report["baseline"]["stale"][0], entries[0]);
}

#[test]
fn a_resource_moved_to_another_file_of_its_module_stays_in_the_baseline() {
    let dir = module(&["main.tf"]);
    let d = dir.path();
    let out = passrole(&["scan", ".", "--write-baseline", "b.json"], d);
    assert_eq!(out.status.code(), Some(0));
    std::fs::rename(d.join("main.tf"), d.join("iam.tf")).unwrap();
    let out = passrole(
        &["scan", ".", "--baseline", "b.json", "--format", "json"],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["baseline"]["matched"], 1);
    let f = &report["findings"][0];
    assert_eq!(f["location"]["file"], "iam.tf");
    assert_eq!(f["suppression"]["kind"], "baseline");
    assert_eq!(f["suppression"]["reason"], "in the baseline b.json");
    // The suppression points at the entry in the baseline file.
    assert_eq!(f["suppression"]["location"]["file"], "b.json");
    assert_eq!(f["suppression"]["location"]["start"]["line"], 5);
}

#[test]
fn a_template_keeps_its_fingerprint_through_quote_style_but_not_through_a_rename() {
    let dir = module(&["template.yaml"]);
    let d = dir.path();
    assert_eq!(
        passrole(&["scan", ".", "--write-baseline", "b.json"], d)
            .status
            .code(),
        Some(0)
    );
    let text = read(d, "template.yaml").replace("Resource: '*'", "Resource:   \"*\"");
    std::fs::write(d.join("template.yaml"), text).unwrap();
    let out = passrole(&["scan", ".", "--baseline", "b.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // A template is its own unit: renamed, it is a new template.
    std::fs::rename(d.join("template.yaml"), d.join("stack.yaml")).unwrap();
    let out = passrole(&["scan", ".", "--baseline", "b.json"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn fingerprints_do_not_depend_on_the_directory_passrole_runs_from() {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("infra");
    std::fs::create_dir(&infra).unwrap();
    std::fs::copy("testdata/suppress/baseline/main.tf", infra.join("main.tf")).unwrap();
    let out = passrole(&["scan", ".", "--write-baseline", "b.json"], &infra);
    assert_eq!(out.status.code(), Some(0));
    let out = passrole(&["scan", "infra", "--baseline", "infra/b.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn the_same_text_twice_in_a_resource_gives_two_entries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [\n      { Effect = \"Allow\", Action = \"iam:PassRole\", Resource = \"*\" },\n      { Effect = \"Allow\", Action = \"iam:PassRole\", Resource = \"*\" },\n    ]\n  })\n}\n",
    )
    .unwrap();
    assert_eq!(
        passrole(&["scan", ".", "--write-baseline", "b.json"], d)
            .status
            .code(),
        Some(0)
    );
    let baseline: Value = serde_json::from_str(&read(d, "b.json")).unwrap();
    let fingerprints: Vec<&str> = baseline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), 2);
    assert_eq!(format!("{}-1", fingerprints[0]), fingerprints[1]);
}

#[test]
fn a_bad_baseline_is_an_input_error() {
    let dir = module(&["main.tf"]);
    let d = dir.path();
    std::fs::write(
        d.join("broken.json"),
        "{\"version\": 1,\n  \"entries\": [\n",
    )
    .unwrap();
    std::fs::write(d.join("v2.json"), "{\"version\": 2, \"entries\": []}\n").unwrap();
    std::fs::write(
        d.join("extra.json"),
        "{\"version\": 1, \"entries\": [], \"x\": 1}\n",
    )
    .unwrap();
    for (file, message) in [
        (
            "broken.json",
            "broken.json:3:1: error: not a passrole baseline: EOF while parsing a list [config]",
        ),
        (
            "v2.json",
            "v2.json: error: baseline version 2 is not supported (this passrole writes version 1) [config]",
        ),
        (
            "extra.json",
            "extra.json:1:33: error: not a passrole baseline: unknown field `x`, expected `version` or `entries` [config]",
        ),
        (
            "missing.json",
            "missing.json: error: cannot read the baseline: No such file or directory (os error 2) [config]",
        ),
    ] {
        let out = passrole(&["scan", ".", "--baseline", file, "--format", "gcc"], d);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let text = stdout(&out);
        assert!(text.lines().any(|l| l == message), "{file}: {text}");
    }
}

#[test]
fn a_baseline_that_cannot_be_written_is_an_input_error() {
    let dir = module(&["main.tf"]);
    let out = passrole(
        &[
            "scan",
            ".",
            "--write-baseline",
            "no/such/dir/b.json",
            "--format",
            "gcc",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("no/such/dir/b.json: error: cannot write the baseline: "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn baseline_report_needs_a_baseline() {
    let out = passrole(&["scan", ".", "--baseline-report"], Path::new("."));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --baseline-report needs a baseline: --baseline <FILE>, or `baseline` in passrole.toml\n"
    );
}

#[test]
fn the_baseline_of_passrole_toml_is_used_and_the_flag_overrides_it() {
    let dir = module(&["main.tf"]);
    let d = dir.path();
    let out = passrole(&["scan", ".", "--write-baseline", "accepted.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    std::fs::write(d.join("passrole.toml"), "baseline = \"accepted.json\"\n").unwrap();
    let out = passrole(&["scan", ".", "--baseline-report"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "baseline accepted.json: 1 finding(s) matched, 0 stale entries\n"
    );
    // `--baseline` names another (empty) baseline: the finding is new again.
    std::fs::write(d.join("empty.json"), "{\"version\": 1, \"entries\": []}\n").unwrap();
    let out = passrole(&["scan", ".", "--baseline", "empty.json"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn rewriting_the_baseline_over_itself_drops_stale_entries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let policy = |resource: &str| {
        format!(
            "resource \"aws_iam_policy\" \"p\" {{\n  policy = jsonencode({{\n    Statement = [{{ Effect = \"Allow\", Action = \"iam:PassRole\", Resource = \"{resource}\" }}]\n  }})\n}}\n"
        )
    };
    std::fs::write(d.join("main.tf"), policy("*")).unwrap();
    let out = passrole(&["scan", ".", "--write-baseline", "b.json"], d);
    assert_eq!(out.status.code(), Some(0));
    let first = std::fs::read_to_string(d.join("b.json")).unwrap();
    std::fs::write(
        d.join("main.tf"),
        policy("arn:aws:iam::123456789012:role/*"),
    )
    .unwrap();
    let out = passrole(
        &[
            "scan",
            ".",
            "--baseline",
            "b.json",
            "--write-baseline",
            "b.json",
            "--format",
            "json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The report is the read baseline's: its one entry is stale.
    assert_eq!(report["baseline"]["stale"].as_array().unwrap().len(), 1);
    let second = std::fs::read_to_string(d.join("b.json")).unwrap();
    let entries = |text: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(entries(&second).len(), 1);
    assert_ne!(entries(&first), entries(&second));
}
