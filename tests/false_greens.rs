//! No false greens: every way of pointing passrole at nothing, or at something it cannot read, is
//! an error (exit 2) or at least a warning; standard input is read with `-`; overlapping paths scan
//! each file once; a named `.tf` file is scanned in the context of its module tree.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const HINT: &str = "use `-` to read standard input (with --stdin-filename NAME to say what it is)";

/// A policy that grants PassRole on every role (PR010 at line 5).
const PASS_STAR_TF: &str = r#"resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
  })
}
"#;

/// The same in CloudFormation (PR010 at line 9).
const PASS_STAR_YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Deployer:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Resource: "*"
            Action: iam:PassRole
"#;

fn passrole(cwd: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(args)
        .current_dir(cwd)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("passrole runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // passrole may stop reading early (a size limit): a broken pipe is not a failure here.
        let _ = pipe.write_all(bytes);
    }
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(out), stderr(out)))
}

/// (rule, file, line) of each finding of a JSON report.
fn findings(report: &Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["file"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn finding(rule: &str, file: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), file.to_string(), line)
}

/// A repository (a `.git` directory: the root) with `main.tf` and `app.yaml`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("a/main.tf"), PASS_STAR_TF).unwrap();
    std::fs::write(dir.path().join("app.yaml"), PASS_STAR_YAML).unwrap();
    dir
}

#[test]
fn dev_stdin_is_not_read_by_name() {
    let dir = repo();
    let message = format!(
        "/dev/stdin: error: standard input or an open file descriptor, not a file to read by name; \
         {HINT} [io]\n"
    );
    // Standard input redirected from a regular file.
    let out = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(["scan", "--format", "gcc", "/dev/stdin"])
        .current_dir(dir.path())
        .stdin(std::fs::File::open(dir.path().join("a/main.tf")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), message);
    // Standard input a pipe: never blocked on.
    let out = passrole(
        dir.path(),
        &["scan", "--format", "gcc", "/dev/stdin"],
        Some(PASS_STAR_TF.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        format!("/dev/stdin: error: not a regular file: a pipe; {HINT} [io]\n")
    );
}

#[test]
fn process_substitution_is_a_pipe_not_a_file() {
    if Command::new("bash").arg("-c").arg("true").status().is_err() {
        eprintln!("skipped: no bash");
        return;
    }
    let dir = repo();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' scan --format gcc <(cat a/main.tf)",
            env!("CARGO_BIN_EXE_passrole")
        ))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.starts_with("/dev/fd/"), "{text}");
    assert!(
        text.ends_with(&format!(
            ": error: not a regular file: a pipe; {HINT} [io]\n"
        )),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn a_named_fifo_is_refused_without_blocking() {
    let dir = repo();
    let fifo = dir.path().join("pipe.tf");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = passrole(dir.path(), &["scan", "--format", "gcc", "pipe.tf"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        format!("pipe.tf: error: not a regular file: a named pipe (FIFO); {HINT} [io]\n")
    );
}

#[test]
fn a_named_file_that_is_not_an_input_is_an_error() {
    let dir = repo();
    std::fs::write(
        dir.path().join("notes.yaml"),
        "owner: platform\nreview: weekly\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "resource \"x\" \"y\" {}\n").unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}\n").unwrap();
    std::fs::write(
        dir.path().join("image.png"),
        b"\x89PNG\r\n\x1a\n\xff\xfe\x00",
    )
    .unwrap();
    let out = passrole(
        dir.path(),
        &[
            "scan",
            "--format",
            "gcc",
            "notes.yaml",
            "notes.txt",
            "package.json",
            "image.png",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        "image.png: error: not a Terraform (.tf, .tf.json, .tfvars), CloudFormation or Terraform \
         plan JSON file: not scanned [input]\n\
         notes.txt: error: not a Terraform (.tf, .tf.json, .tfvars), CloudFormation or Terraform \
         plan JSON file: not scanned [input]\n\
         notes.yaml: error: YAML but not a CloudFormation template (top-level \
         AWSTemplateFormatVersion, or Resources with AWS:: types) or a Terraform plan: not \
         scanned [input]\n\
         package.json: error: JSON but not a CloudFormation template (top-level \
         AWSTemplateFormatVersion, or Resources with AWS:: types) or a Terraform plan \
         (`terraform show -json` output): not scanned [input]\n"
    );
    // Walked, the same files are not input and skipped.
    let out = passrole(dir.path(), &["scan", "--format", "json", "."], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["summary"]["files"], 2);
}

#[test]
fn skip_non_inputs_skips_named_yaml_and_json_that_are_not_templates_and_says_so() {
    // What a pre-commit hook passes: every staged .yaml/.json, templates or not.
    let dir = repo();
    std::fs::write(
        dir.path().join("ci.yaml"),
        "on: push
jobs: {}
",
    )
    .unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}\n").unwrap();
    std::fs::write(dir.path().join("app.yaml"), PASS_STAR_YAML).unwrap();
    let args = [
        "scan",
        "--skip-non-inputs",
        "--format",
        "gcc",
        "ci.yaml",
        "package.json",
        "app.yaml",
    ];
    let out = passrole(dir.path(), &args, None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "note: not a template or plan, not scanned (--skip-non-inputs): ci.yaml, package.json\n"
    );
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("app.yaml:9:"), "{text}");
    // A template that does not parse is still an error: only non-templates are skipped.
    std::fs::write(
        dir.path().join("app.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n",
    )
    .unwrap();
    let out = passrole(dir.path(), &args, None);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
}

#[test]
fn dash_reads_standard_input() {
    let dir = repo();
    // A template or plan by content.
    let out = passrole(
        dir.path(),
        &["scan", "--format", "json", "-"],
        Some(PASS_STAR_YAML.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(findings(&json(&out)), [finding("PR010", "-", 9)]);
    // Terraform by its name.
    let out = passrole(
        dir.path(),
        &[
            "scan",
            "--format",
            "json",
            "--stdin-filename",
            "b/main.tf",
            "-",
        ],
        Some(PASS_STAR_TF.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(findings(&report), [finding("PR010", "b/main.tf", 5)]);
    assert_eq!(report["summary"]["files"], 1);
    // Terraform without a name: not guessed.
    let out = passrole(
        dir.path(),
        &["scan", "--format", "gcc", "-"],
        Some(PASS_STAR_TF.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        "-: error: standard input is neither a CloudFormation template nor a Terraform plan \
         (JSON), which is what it is read as without --stdin-filename; for Terraform name it: \
         --stdin-filename main.tf [input]\n"
    );
    // Read once; and the size limit applies.
    let out = passrole(
        dir.path(),
        &["scan", "--format", "gcc", "-", "-"],
        Some(PASS_STAR_YAML.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains(
            "\n-: error: standard input is named more than once: it is read once [input]\n"
        ),
        "{}",
        stdout(&out)
    );
    let out = passrole(
        dir.path(),
        &["scan", "--format", "gcc", "--max-file-size", "100", "-"],
        Some(PASS_STAR_YAML.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        "-: error: standard input is more than the limit of 100 bytes (--max-file-size): not \
         read [limit]\n"
    );
}

#[test]
fn standard_input_named_as_a_file_of_a_module_stands_for_it() {
    let dir = repo();
    // On disk `a/main.tf` grants PassRole on "*"; an editor's unsaved buffer has fixed it, and
    // moved the grant to a variable whose default is in the module's other file.
    std::fs::write(
        dir.path().join("a/variables.tf"),
        "variable \"passable\" {\n  default = \"arn:aws:iam::123456789012:role/*\"\n}\n",
    )
    .unwrap();
    let buffer = PASS_STAR_TF.replace("Resource = \"*\"", "Resource = var.passable");
    let out = passrole(
        dir.path(),
        &[
            "scan",
            "--format",
            "json",
            "--stdin-filename",
            "a/main.tf",
            "-",
        ],
        Some(buffer.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    // The grant's resource is the variable's default; the named file is where it is used. The
    // file on disk (`"*"` at line 5) is not read.
    assert_eq!(findings(&report), [finding("PR010", "a/variables.tf", 2)]);
    let related = &report["findings"][0]["related"];
    assert!(
        related
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["location"]["file"] == "a/main.tf"),
        "{related}"
    );
    assert_eq!(report["summary"]["files"], 1);
}

#[test]
fn a_scan_that_finds_nothing_warns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("infra")).unwrap();
    std::fs::write(dir.path().join("infra/README.md"), "moved to terraform/\n").unwrap();
    let out = passrole(dir.path(), &["scan", "--format", "json", "infra"], None);
    // Exit 0, as ruff: a directory without infrastructure code is not an error, but it is said.
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["summary"]["files"], 0);
    assert_eq!(
        stderr(&out),
        "warning: no Terraform, CloudFormation or plan file found in infra\n"
    );
    let out = passrole(&dir.path().join("infra"), &["scan"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr(&out),
        "warning: no Terraform, CloudFormation or plan file found in .\n"
    );
    assert_eq!(
        stdout(&out),
        "0 files scanned: 0 errors, 0 warnings, 0 notes; 0 input errors\n"
    );
    // A path that does not exist is an error, not an empty scan.
    let out = passrole(dir.path(), &["scan", "--format", "gcc", "infra2"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "infra2: error: no such file [io]\n");
    assert_eq!(stderr(&out), "");
}

#[test]
fn overlapping_paths_scan_each_file_once() {
    let dir = repo();
    let abs = dir.path().canonicalize().unwrap();
    let abs = abs.to_str().unwrap();
    for args in [
        vec![".", abs],
        vec![".", "app.yaml", "a/main.tf"],
        vec!["app.yaml", "."],
        vec!["a", "a/../a", "./a/main.tf", "app.yaml"],
    ] {
        let mut full = vec!["scan", "--format", "json"];
        full.extend(&args);
        let out = passrole(dir.path(), &full, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let report = json(&out);
        assert_eq!(report["summary"]["files"], 2, "{args:?}");
        assert_eq!(
            findings(&report),
            [
                finding("PR010", "a/main.tf", 5),
                finding("PR010", "app.yaml", 9)
            ],
            "{args:?}"
        );
    }
}

#[test]
fn a_named_tf_file_is_scanned_in_its_module_tree() {
    let case = Path::new("testdata/context-module-tree");
    let scan = |path: &str| {
        let out = passrole(Path::new("."), &["scan", "--format", "json", path], None);
        (out.status.code(), json(&out))
    };
    let (code, whole) = scan(case.to_str().unwrap());
    assert_eq!(code, Some(1));
    let caller = "testdata/context-module-tree/envs/prod/main.tf";
    let module = "testdata/context-module-tree/modules/deployer/main.tf";
    assert_eq!(
        findings(&whole),
        [finding("PR010", caller, 6), finding("PR010", caller, 12)]
    );
    // The module file alone: its variable's value comes from the caller, found by walking the
    // root; only the finding that touches the named file (a related location) is reported.
    let (code, report) = scan(module);
    assert_eq!(code, Some(1));
    assert_eq!(findings(&report), [finding("PR010", caller, 12)]);
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(report["errors"], serde_json::json!([]));
    let touches = |f: &Value, file: &str| {
        f["location"]["file"] == file
            || f["related"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["location"]["file"] == file)
    };
    // What `scan <dir>` finds on a file is what `scan <file>` finds.
    for file in [module, caller] {
        let expected: Vec<&Value> = whole["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| touches(f, file))
            .collect();
        let (_, report) = scan(file);
        let got: Vec<&Value> = report["findings"].as_array().unwrap().iter().collect();
        assert_eq!(got, expected, "{file}");
    }
    // The module's other file holds no location of a finding: nothing to report, exit 0.
    let (code, report) = scan("testdata/context-module-tree/modules/deployer/variables.tf");
    assert_eq!(code, Some(0));
    assert_eq!(report["findings"], serde_json::json!([]));
}

#[test]
fn a_file_named_from_its_own_directory_is_scanned_with_its_module() {
    // `scan main.tf` run in the module's directory: the file's directory is `.`, the same module
    // as its neighbours read for context (they were once two modules, one hiding the other).
    let dir = Path::new("testdata/example");
    for (args, stdin) in [
        (vec!["scan", "--format", "json", "main.tf"], None),
        (
            vec![
                "scan",
                "--format",
                "json",
                "--stdin-filename",
                "main.tf",
                "-",
            ],
            Some(std::fs::read("testdata/example/main.tf").unwrap()),
        ),
    ] {
        let out = passrole(dir, &args, stdin.as_deref());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert_eq!(
            findings(&json(&out)),
            [finding("PR001", "main.tf", 38)],
            "{args:?}"
        );
    }
}

#[test]
fn a_missing_source_directory_is_an_error() {
    let dir = repo();
    let out = passrole(
        dir.path(),
        &["scan", "--format", "gcc", "--source", "infra", "app.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).ends_with(
            "infra: error: the plan's configuration directory (--source): no such file [io]\n"
        ),
        "{}",
        stdout(&out)
    );
    let out = passrole(
        dir.path(),
        &[
            "scan", "--format", "gcc", "--source", "app.yaml", "app.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).ends_with(
            "app.yaml: error: the plan's configuration directory (--source): not a directory [io]\n"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_named_template_is_scanned_with_the_templates_it_imports_from() {
    let dir = repo();
    std::fs::create_dir(dir.path().join("stacks")).unwrap();
    // The exporting stack has a finding of its own (PR010 at line 9): not about app.yaml.
    std::fs::write(
        dir.path().join("stacks/network.yaml"),
        format!(
            "{PASS_STAR_YAML}  SharedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {{Effect: Allow, Principal: {{Service: ecs-tasks.amazonaws.com}}, Action: sts:AssumeRole}}
Outputs:
  SharedRoleArn:
    Value: !GetAtt SharedRole.Arn
    Export:
      Name: shared-role-arn
"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("stacks/fn.yaml"),
        "Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !ImportValue shared-role-arn
",
    )
    .unwrap();
    let out = passrole(dir.path(), &["scan", "--format", "json", "stacks"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        findings(&json(&out)),
        [
            finding("PR001", "stacks/fn.yaml", 5),
            finding("PR010", "stacks/network.yaml", 9)
        ]
    );
    // Named alone: the import is resolved through the exporting template, whose own finding is
    // not reported.
    let out = passrole(
        dir.path(),
        &["scan", "--format", "json", "stacks/fn.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(findings(&report), [finding("PR001", "stacks/fn.yaml", 5)]);
    assert_eq!(report["summary"]["files"], 1);
}
