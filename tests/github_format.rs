//! `--format github` and the job summary as a GitHub Actions step runs them: workflow commands for a
//! fixture with findings in two files, a suppressed finding and an input error; escaping of hostile
//! names; GitHub's annotation limits; the Markdown summary appended to `GITHUB_STEP_SUMMARY`, with
//! links and the Mermaid diagram; and its 1 MiB cap. Every `GITHUB_*` variable of the environment the
//! tests run in (a real Actions runner) is removed, so only the ones a test sets apply.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TWO_FILES: &str = "testdata/report-github/two-files";
const PASS_EDGES: &str = "testdata/report-github/pass-edges";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn passrole(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_passrole"));
    cmd.args(args).current_dir(cwd);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GITHUB_") {
            cmd.env_remove(name);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("passrole runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// The fake GitHub of a pull request run, with the checkout at the repository root.
fn github_env(summary: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_WORKSPACE", root().to_string_lossy().into_owned()),
        ("GITHUB_SERVER_URL", "https://github.example".into()),
        ("GITHUB_REPOSITORY", "acme/infra".into()),
        (
            "GITHUB_SHA",
            "0123456789abcdef0123456789abcdef01234567".into(),
        ),
        (
            "GITHUB_STEP_SUMMARY",
            summary.to_string_lossy().into_owned(),
        ),
    ]
}

fn pairs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn annotations_of_two_files_a_suppressed_finding_and_an_input_error() {
    let out = passrole(&["scan", "--format", "github", TWO_FILES], &root(), &[]);
    assert_eq!(out.status.code(), Some(2), "an input error exits 2");
    let text = stdout(&out);
    // The inline-suppressed PR010 is left out; input errors come first, then by severity.
    assert!(!text.contains("PR010"), "{text}");
    let levels: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(levels, ["::error", "::error", "::warning", "::notice"]);
    insta::assert_snapshot!("github_two_files", text);
}

#[test]
fn annotation_paths_are_relative_to_the_workspace() {
    // A job that runs passrole in a subdirectory: GitHub resolves `file=` against the checkout.
    let from_root = passrole(&["scan", "--format", "github", TWO_FILES], &root(), &[]);
    let workspace = root().to_string_lossy().into_owned();
    let from_subdir = passrole(
        &["scan", "--format", "github", "."],
        &root().join(TWO_FILES),
        &[("GITHUB_WORKSPACE", &workspace)],
    );
    assert_eq!(stdout(&from_subdir), stdout(&from_root));
    // Without a workspace the paths are those of the other reports.
    let plain = passrole(
        &["scan", "--format", "github", "."],
        &root().join(TWO_FILES),
        &[],
    );
    assert!(stdout(&plain).contains("::error file=main.tf,line=17,col=19,"));
}

/// A template whose file and resource names hold every character that can break a workflow command,
/// a Markdown table or a Mermaid label. Written at test time: `:` cannot be in a committed file name
/// (Windows checkouts).
fn hostile_template(dir: &Path) {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  "Role\"]%,:x":
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal:
              Service: ec2.amazonaws.com
  "Fn|`<b>\nnext":
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt ["Role\"]%,:x", Arn]
      Handler: index.handler
      Runtime: python3.12
      Code: { ZipFile: "x" }
"#;
    std::fs::write(dir.join("a%b,c:d.yaml"), template).unwrap();
}

#[test]
fn properties_and_messages_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    hostile_template(dir.path());
    let out = passrole(&["scan", "--format", "github", "."], dir.path(), &[]);
    let text = stdout(&out);
    // One command: the line break in the resource name did not end it.
    assert_eq!(text.lines().count(), 1, "{text}");
    let expected = "::error file=a%25b%2Cc%3Ad.yaml,line=15,col=13,endLine=15,endColumn=41,\
                    title=PR001 Passed role does not trust the service it is passed to::\
                    Fn|`<b>%0Anext passes Role\"]%25,:x to AWS Lambda, but the role's trust policy \
                    does not trust lambda.amazonaws.com (it trusts: ec2.amazonaws.com)%0A%0A\
                    Role\"]%25,:x trusts ec2.amazonaws.com: a%25b,c:d.yaml:11:24%0A%0AFix: ";
    assert!(text.starts_with(expected), "{text}");
}

#[test]
fn the_summary_escapes_table_cells_and_diagram_labels() {
    let dir = tempfile::tempdir().unwrap();
    hostile_template(dir.path());
    let out = passrole(&["scan", "--format", "markdown", "."], dir.path(), &[]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        "| error | PR001 | a%b,c:d.yaml:15 | Fn\\|\\`&lt;b&gt;<br>next passes Role\"\\]%,:x to AWS \
         Lambda, but the role's trust policy does not trust lambda.amazonaws.com (it trusts: \
         ec2.amazonaws.com) |",
        "  subgraph u0[\"a#37;b,c:d.yaml\"]",
        "    u0r0[\"Role#34;]#37;,:x\"]",
        "    u0r0 -->|\"Fn#124;#96;#60;b#62; next.Role\"| u0s0",
    ] {
        assert!(lines.contains(&expected), "no line {expected:?} in\n{text}");
    }
}

/// A module with `n` policies that each grant PassRole on every role together with another action:
/// `n` errors (PR010) and `n` notes (PR015).
fn wide_grants(dir: &Path, n: usize, warnings: usize) {
    let mut tf = String::new();
    for i in 0..n {
        tf.push_str(&format!(
            "resource \"aws_iam_policy\" \"p{i}\" {{\n  policy = jsonencode({{ Statement = [{{ \
             Effect = \"Allow\", Action = [\"iam:PassRole\", \"s3:GetObject\"], Resource = \"*\" \
             }}] }})\n}}\n"
        ));
    }
    for i in 0..warnings {
        tf.push_str(&format!(
            "resource \"aws_iam_policy\" \"w{i}\" {{\n  policy = jsonencode({{ Statement = [{{ \
             Effect = \"Allow\", Action = \"iam:PassRole\", Resource = \
             \"arn:aws:iam::123456789012:role/Dev*\" }}] }})\n}}\n"
        ));
    }
    std::fs::write(dir.join("main.tf"), tf).unwrap();
}

#[test]
fn ten_annotations_of_each_level_most_severe_first_then_how_many_more() {
    let dir = tempfile::tempdir().unwrap();
    wide_grants(dir.path(), 12, 2);
    let out = passrole(&["scan", "--format", "github", "."], dir.path(), &[]);
    let text = stdout(&out);
    let kinds: Vec<&str> = text
        .lines()
        .map(|l| l.split([' ', ':']).find(|w| !w.is_empty()).unwrap())
        .collect();
    // 10 errors, the 2 warnings, 9 notices (one is kept for the last line), the 5 others as
    // plain log lines, and the notice saying so.
    let mut expected = vec!["error"; 10];
    expected.extend(["warning"; 2]);
    expected.extend(["notice"; 9]);
    expected.extend(["error", "error", "note", "note", "note"]);
    expected.push("notice");
    assert_eq!(kinds, expected, "{text}");
    insta::assert_snapshot!("github_over_the_limit", text);
}

#[test]
fn the_summary_is_appended_with_links_and_the_pass_diagram() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("step_summary.md");
    std::fs::write(&summary, "Output of an earlier command of this step\n").unwrap();
    let env = github_env(&summary);
    let out = passrole(
        &["scan", "--format", "github", PASS_EDGES],
        &root(),
        &pairs(&env),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).lines().count(),
        3,
        "the annotations still go to stdout"
    );
    let written = std::fs::read_to_string(&summary).unwrap();
    let appended = written
        .strip_prefix("Output of an earlier command of this step\n\n")
        .expect("the summary is appended after what the step wrote");
    insta::assert_snapshot!("summary_pass_edges", appended);

    // A second run appends a second summary; `--format markdown` writes the same Markdown.
    let md = dir.path().join("summary-copy.md");
    let md_arg = format!("markdown={}", md.display());
    let again = passrole(
        &[
            "scan", "--format", "github", "--format", &md_arg, PASS_EDGES,
        ],
        &root(),
        &pairs(&env),
    );
    assert_eq!(again.status.code(), Some(1));
    let twice = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(twice, format!("{written}\n{appended}"));
    assert_eq!(std::fs::read_to_string(&md).unwrap(), appended);
}

#[test]
fn the_summary_of_two_files_counts_suppressed_findings_and_lists_input_errors() {
    let out = passrole(&["scan", "--format", "markdown", TWO_FILES], &root(), &[]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("markdown_two_files", stdout(&out));
}

#[test]
fn only_a_github_report_writes_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let env = github_env(&summary);
    let out = passrole(
        &["scan", "--format", "json", PASS_EDGES],
        &root(),
        &pairs(&env),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!summary.exists(), "--format json wrote a job summary");
    // An empty GITHUB_STEP_SUMMARY is unset: how a step opts out.
    let out = passrole(
        &["scan", "--format", "github", PASS_EDGES],
        &root(),
        &[("GITHUB_STEP_SUMMARY", "")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_summary_that_cannot_be_written_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("no-such-dir").join("summary.md");
    let env = github_env(&summary);
    let out = passrole(
        &["scan", "--format", "github", PASS_EDGES],
        &root(),
        &pairs(&env),
    );
    assert_eq!(out.status.code(), Some(2), "never silently lost");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: writing the job summary to ") && stderr.contains("summary.md"),
        "{stderr}"
    );
    assert_eq!(
        stdout(&out).lines().count(),
        3,
        "the annotations are still written"
    );
}

#[test]
fn thousands_of_findings_stay_under_the_summary_limit_and_say_what_was_cut() {
    const LIMIT: usize = 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    wide_grants(&work, 1100, 0);
    let summary = dir.path().join("summary.md");
    // The step already wrote 900 kB: what passrole appends fits in the rest.
    std::fs::write(&summary, "x".repeat(900_000) + "\n").unwrap();
    let env = github_env(&summary);
    let out = passrole(&["scan", "--format", "github", "."], &work, &pairs(&env));
    assert_eq!(out.status.code(), Some(1));
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.len() <= LIMIT, "{} bytes", written.len());
    assert!(written.contains("## passrole: 1100 errors, 0 warnings, 1100 notes"));
    let rows = written
        .lines()
        .filter(|l| l.starts_with("| error | PR010 |"))
        .count();
    assert!(rows > 100 && rows < 1000, "{rows} rows");
    let cut = format!("… and {} more findings: not listed here", 2200 - rows);
    assert!(written.contains(&cut), "no {cut:?}");
    assert!(written.contains("2181 of this run's findings and input errors have no annotation"));
    assert!(stdout(&out).ends_with(
        "::notice title=passrole%3A 2181 more not annotated::GitHub shows 10 annotations of each \
         level per step; 2181 more (1090 errors, 1091 notes) are listed in this step's log just \
         above this line, in the job summary, and in code scanning when the SARIF report is \
         uploaded.\n"
    ));

    // On its own the summary lists the first 1000 findings.
    let fresh = passrole(&["scan", "--format", "markdown", "."], &work, &[]);
    let text = stdout(&fresh);
    assert!(text.len() < LIMIT);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("| ")).count() - 4,
        1000
    );
    assert!(text.contains("… and 1200 more findings: not listed here"));
}

#[test]
fn the_summary_counts_baselined_findings() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = root().join(PASS_EDGES);
    let fixture = fixture.to_str().unwrap();
    let write = [
        "scan",
        "--format",
        "json",
        "--write-baseline",
        "b.json",
        fixture,
    ];
    let out = passrole(&write, dir.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "every finding is in the baseline"
    );
    let scan = [
        "scan",
        "--format",
        "markdown",
        "--baseline",
        "b.json",
        fixture,
    ];
    let text = stdout(&passrole(&scan, dir.path(), &[]));
    let lines: Vec<&str> = text.lines().take(3).collect();
    assert_eq!(
        lines,
        [
            "## passrole: no findings",
            "",
            "Scanned 1 file. 3 findings suppressed (3 baseline). Baseline b.json: 3 findings \
             matched, 0 stale entries.",
        ]
    );
    assert!(
        !text.contains("### Findings") && !text.contains("```mermaid"),
        "{text}"
    );
}
