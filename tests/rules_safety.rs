//! Hostile rule directories and inputs, each scanned beside a good input: the hostile file is an
//! `errors` entry of the right kind, the good input's findings are still reported, and the scan ends.
//!
//! Every input is written to a temporary directory at test time (named pipes with `mkfifo`, links
//! with `symlink`), never kept in the repository: a FIFO or a link to `/dev/zero` in the tree would
//! trip every other tool that walks it.
#![cfg(unix)]

use serde_json::Value;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A Lambda function handed a role that only EC2 may assume: PR001.
const GOOD_TF: &str = r#"
resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}
"#;

/// A custom rule that fails on every pass of a role (so on the good input's pass).
const GOOD_RULE: &str = "rule OK1 { units[*].pass_edges[*].attribute != \"role\" }\n";

/// Runs passrole in `cwd` and returns its JSON report and exit code; fails the test when it does not
/// end within a minute (the hostile inputs used to block or run for hours).
fn run(args: &[&str], cwd: &Path) -> (Value, i32) {
    let out_path = cwd.join("report.json");
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(args)
        .current_dir(cwd)
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .expect("passrole runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("passrole {args:?} did not end within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&out_path).unwrap();
    let report: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not JSON ({e}), exit {status:?}: {text}"));
    (report, status.code().unwrap_or(-1))
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// The `errors` entry for `file`, else a failure that shows the report.
fn error_for<'r>(report: &'r Value, file: &str) -> &'r Value {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == file)
        .unwrap_or_else(|| panic!("no error for {file}: {report:#}"))
}

/// The findings of `rule` in `file`.
fn findings<'r>(report: &'r Value, rule: &str, file: &str) -> Vec<&'r Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule && f["location"]["file"] == file)
        .collect()
}

#[test]
fn rule_files_are_read_through_a_reader_confined_to_the_rules_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    write(&t.join("good/main.tf"), GOOD_TF);
    write(&t.join("rules/OK1.guard"), GOOD_RULE);
    // A named pipe: reading it would block forever.
    mkfifo(&t.join("rules/fifo.guard"));
    // Links to a device that never ends: reading would grow without bound.
    symlink("/dev/zero", t.join("rules/zero.guard")).unwrap();
    write(
        &t.join("rules/META.guard"),
        GOOD_RULE.replace("OK1", "META").as_str(),
    );
    symlink("/dev/zero", t.join("rules/META.toml")).unwrap();
    // A link out of the rules directory, to a file that must not be read.
    write(
        &t.join("secret.guard"),
        "rule SECRET { units[*].pass_edges[*].attribute != \"role\" }\n",
    );
    symlink("../secret.guard", t.join("rules/out.guard")).unwrap();

    let (report, code) = run(&["scan", "--format", "json", "--rules", "rules", "good"], t);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(error_for(&report, "rules/fifo.guard")["kind"], "io");
    assert!(
        error_for(&report, "rules/fifo.guard")["message"]
            .as_str()
            .unwrap()
            .contains("named pipe")
    );
    assert_eq!(error_for(&report, "rules/zero.guard")["kind"], "outside");
    assert_eq!(error_for(&report, "rules/META.toml")["kind"], "outside");
    assert_eq!(error_for(&report, "rules/out.guard")["kind"], "outside");
    // The good rule and the built-in rules still ran; the rules behind the links did not.
    assert_eq!(findings(&report, "PR001", "good/main.tf").len(), 1);
    assert_eq!(findings(&report, "OK1", "good/main.tf").len(), 1);
    assert!(findings(&report, "SECRET", "good/main.tf").is_empty());
    assert!(findings(&report, "META", "good/main.tf").is_empty());
}

#[test]
fn one_bad_rule_file_drops_only_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    write(&t.join("good/main.tf"), GOOD_TF);
    write(&t.join("rules/OK1.guard"), GOOD_RULE);
    // Metadata that is not TOML (line 3), and metadata with a key that does not exist (line 2).
    write(&t.join("rules/BAD.guard"), GOOD_RULE);
    write(
        &t.join("rules/BAD.toml"),
        "id = \"BAD\"\nseverity = \"warning\"\ntitle = \n",
    );
    write(&t.join("rules/TYPO.guard"), GOOD_RULE);
    write(
        &t.join("rules/TYPO.toml"),
        "id = \"TYPO\"\nseverty = \"warning\"\n",
    );
    // A custom rule that would replace a built-in one.
    write(
        &t.join("rules/PR001.guard"),
        "rule PR001 { units[*].kind == \"none\" }\n",
    );
    // A rule file that is not Guard.
    write(
        &t.join("rules/SYNTAX.guard"),
        "rule SYNTAX {\n  units[*].x == \n",
    );

    let (report, code) = run(&["scan", "--format", "json", "--rules", "rules", "good"], t);
    assert_eq!(code, 2, "{report:#}");
    let bad = error_for(&report, "rules/BAD.toml");
    assert_eq!(bad["kind"], "rule");
    assert_eq!(bad["line"], 3, "{bad}");
    let typo = error_for(&report, "rules/TYPO.toml");
    assert_eq!(typo["kind"], "rule");
    assert_eq!(typo["line"], 2, "{typo}");
    let clash = error_for(&report, "rules/PR001.guard");
    assert_eq!(clash["kind"], "rule");
    assert!(
        clash["message"].as_str().unwrap().contains("built-in"),
        "{clash}"
    );
    assert_eq!(error_for(&report, "rules/SYNTAX.guard")["kind"], "rule");
    // Every other rule still ran, the built-in PR001 included.
    let pr001 = findings(&report, "PR001", "good/main.tf");
    assert_eq!(pr001.len(), 1);
    assert_eq!(pr001[0]["severity"], "error");
    assert_eq!(findings(&report, "OK1", "good/main.tf").len(), 1);
    assert!(findings(&report, "BAD", "good/main.tf").is_empty());
}

#[test]
fn the_same_rule_id_in_two_directories_is_loaded_once() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    write(&t.join("good/main.tf"), GOOD_TF);
    write(&t.join("rules/OK1.guard"), GOOD_RULE);
    // A second directory (a pull request's own) redefining OK1 to pass everything.
    write(
        &t.join("more/OK1.guard"),
        "rule OK1 { units[*].kind exists }\n",
    );
    let (report, code) = run(
        &[
            "scan", "--format", "json", "--rules", "rules", "--rules", "more", "good",
        ],
        t,
    );
    assert_eq!(code, 2, "{report:#}");
    let clash = error_for(&report, "more/OK1.guard");
    assert_eq!(clash["kind"], "rule");
    assert!(
        clash["message"]
            .as_str()
            .unwrap()
            .contains("already defined"),
        "{clash}"
    );
    // The first definition is the one that ran.
    assert_eq!(findings(&report, "OK1", "good/main.tf").len(), 1);
}

/// A CloudFormation template whose role carries a `Metadata` value nested `depth` levels deep.
fn deep_template(depth: usize) -> String {
    let mut metadata = "1".to_string();
    for _ in 0..depth {
        metadata = format!("{{\"a\":{metadata}}}");
    }
    format!(
        r#"{{"AWSTemplateFormatVersion":"2010-09-09","Resources":{{"R":{{"Type":"AWS::IAM::Role",
"Metadata":{metadata},"Properties":{{"AssumeRolePolicyDocument":{{"Version":"2012-10-17",
"Statement":[{{"Effect":"Allow","Principal":{{"Service":"ec2.amazonaws.com"}},"Action":"sts:AssumeRole"}}]}}}}}}}}}}"#
    )
}

#[test]
fn deep_rules_and_deep_data_cost_only_themselves() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    write(&t.join("good/main.tf"), GOOD_TF);
    write(&t.join("hostile/template.json"), &deep_template(200));
    // A rule that names no section reads the whole document, `Metadata` included.
    write(
        &t.join("rules/NOSEC.guard"),
        "rule NOSEC {\n  units[*].*[*].attribute != \"role\"\n}\n",
    );
    // A thousand nested blocks used to overflow the stack and abort the process.
    let n = 1000;
    write(
        &t.join("rules/DEEP.guard"),
        &format!(
            "# deep\nrule DEEP {{\n{}kind != \"x\"{}\n}}\n",
            "units[*] {\n".repeat(n),
            "}".repeat(n)
        ),
    );
    // Named rules that depend on each other in a cycle: unbounded recursion in cfn-guard, which
    // aborted the process.
    write(
        &t.join("rules/CYCLE.guard"),
        "rule a when b { units[*].kind != \"x\" }\nrule b when a { units[*].kind != \"x\" }\n",
    );

    // A variable defined by itself: the same.
    write(
        &t.join("rules/SELF.guard"),
        "let a = %a\nrule s { %a.kind != \"x\" }\n",
    );
    let (report, code) = run(
        &[
            "scan", "--format", "json", "--rules", "rules", "good", "hostile",
        ],
        t,
    );
    assert_eq!(code, 2, "{report:#}");
    let deep = error_for(&report, "rules/DEEP.guard");
    assert_eq!(deep["kind"], "rule");
    // The limit (64) is crossed on line 2 + 64 of the file.
    assert_eq!(deep["line"], 66, "{deep}");
    assert_eq!(error_for(&report, "rules/CYCLE.guard")["kind"], "rule");
    assert_eq!(error_for(&report, "rules/SELF.guard")["kind"], "rule");
    // The deep data is cut for that template only, and said so.
    assert_eq!(error_for(&report, "hostile/template.json")["kind"], "limit");
    // The rule that reads every section still ran, for the good input too.
    assert!(
        !report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["file"] == "rules/NOSEC.guard"),
        "{report:#}"
    );
    assert!(!findings(&report, "NOSEC", "good/main.tf").is_empty());
    assert_eq!(findings(&report, "PR001", "good/main.tf").len(), 1);
}

/// A plan whose `aws_lambda_function.f` role is known only after apply, and whose configuration's
/// references fan out: each of `levels` nested modules has outputs `a`, `b`, `c`, each referencing
/// the three of the next module (3^levels paths when followed naively), and none leads to a role.
fn fanout_plan(levels: usize) -> String {
    let refs = r#"["module.m.a","module.m.b","module.m.c"]"#;
    let outputs = |refs: &str| {
        format!(
            r#"{{"a":{{"expression":{{"references":{refs}}}}},"b":{{"expression":{{"references":{refs}}}}},"c":{{"expression":{{"references":{refs}}}}}}}"#
        )
    };
    let mut module = format!(r#"{{"outputs":{}}}"#, outputs(r#"["local.nothing"]"#));
    for _ in 1..levels {
        module = format!(
            r#"{{"outputs":{},"module_calls":{{"m":{{"source":"./m","module":{module}}}}}}}"#,
            outputs(refs)
        );
    }
    plan_with(
        refs,
        &format!(r#","module_calls":{{"m":{{"source":"./m","module":{module}}}}}"#),
    )
}

/// A plan whose `aws_lambda_function.f` role expression lists `n` references that lead nowhere.
fn wide_plan(n: usize) -> String {
    let refs = format!("[{}]", vec!["\"x\""; n].join(","));
    plan_with(&refs, "")
}

fn plan_with(role_references: &str, root_module_rest: &str) -> String {
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.5.7",
"planned_values":{{"root_module":{{"resources":[{{"address":"aws_lambda_function.f","mode":"managed",
"type":"aws_lambda_function","name":"f","values":{{"function_name":"f"}}}}]}}}},
"configuration":{{"root_module":{{"resources":[{{"address":"aws_lambda_function.f","mode":"managed",
"type":"aws_lambda_function","name":"f","expressions":{{"role":{{"references":{role_references}}}}}}}]
{root_module_rest}}}}}}}"#
    )
}

#[test]
fn plan_reference_fanout_is_resolved_once_and_budgeted() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    write(&t.join("fanout/plan.json"), &fanout_plan(24));
    // More references than the budget (a million steps) in one expression.
    write(&t.join("wide/plan.json"), &wide_plan(1_100_000));
    // A good plan beside them: a Lambda function in a module handed an EC2 role.
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plan-modules/plan.tfplan.json");
    write(
        &t.join("good/plan.json"),
        &std::fs::read_to_string(fixture).unwrap(),
    );

    let started = Instant::now();
    let (report, code) = run(&["scan", "--format", "json", "fanout", "wide", "good"], t);
    assert_eq!(code, 2, "{report:#}");
    let wide = error_for(&report, "wide/plan.json");
    assert_eq!(wide["kind"], "limit");
    assert!(
        wide["message"].as_str().unwrap().contains("steps"),
        "{wide}"
    );
    // The fan-out plan ends (each module output is followed once) and says what it could not
    // resolve; so does the one over the budget.
    assert_eq!(findings(&report, "PR005", "fanout/plan.json").len(), 1);
    let gap = findings(&report, "PR005", "wide/plan.json");
    assert_eq!(gap.len(), 1);
    assert!(
        gap[0]["message"].as_str().unwrap().len() < 1000,
        "the references are not all quoted: {}",
        gap[0]["message"]
    );
    assert_eq!(findings(&report, "PR001", "good/plan.json").len(), 1);
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn plan_module_calls_sharing_a_directory_parse_it_once() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // The plan's configuration is found beside it: every module call's `.tf` is parsed to move
    // locations there. Three thousand calls of one directory of a thousand roles took minutes when
    // the directory was parsed once per call.
    let roles: String = (0..1000)
        .map(|i| {
            format!(
                "resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"r{i}\"\n  assume_role_policy = \
                 jsonencode({{Version = \"2012-10-17\", Statement = [{{Effect = \"Allow\", \
                 Action = \"sts:AssumeRole\", Principal = {{Service = \"ec2.amazonaws.com\"}}}}]}})\n}}\n"
            )
        })
        .collect();
    write(&t.join("calls/m/main.tf"), &roles);
    write(
        &t.join("calls/main.tf"),
        "module \"m0\" {\n  source = \"./m\"\n}\n",
    );
    let calls: Vec<String> = (0..3000)
        .map(|i| format!(r#""m{i}":{{"source":"./m","module":{{}}}}"#))
        .collect();
    write(
        &t.join("calls/plan.json"),
        &plan_with(
            r#"["x"]"#,
            &format!(r#","module_calls":{{{}}}"#, calls.join(",")),
        ),
    );
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plan-modules/plan.tfplan.json");
    write(
        &t.join("good/plan.json"),
        &std::fs::read_to_string(fixture).unwrap(),
    );
    let (report, _) = run(&["scan", "--format", "json", "calls/plan.json", "good"], t);
    assert_eq!(
        findings(&report, "PR005", "calls/plan.json").len(),
        1,
        "{report:#}"
    );
    assert_eq!(findings(&report, "PR001", "good/plan.json").len(), 1);
}
