//! passrole on a hostile pull request: one case per class of attack, each built at test time in a
//! temporary directory (symlinks, FIFOs and sparse files are made here, never committed).
//!
//! Every case has the same shape: a Git work tree `repo/` holding a *good* directory whose finding
//! must survive and the hostile input beside it, and an `outside/` directory next to the repository
//! holding a canary whose content must never appear in any output format. Each case asserts: exit
//! code 2, an `errors` entry naming the hostile file (with its kind), the good file's PR001, no canary
//! in the JSON, SARIF, gcc or human report, and that passrole finished within its budget.

#![cfg(unix)]

use serde_json::Value;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What no output may ever contain: it is only in files outside the root.
const CANARY: &str = "PASSROLE-CANARY-7f3a";

/// A case must finish within this, or passrole is hanging (a FIFO, an unbounded evaluation).
const BUDGET: Duration = Duration::from_secs(30);

/// A role trusting EC2 passed to Lambda: PR001 at `main.tf:7`.
const GOOD_TF: &str = r#"resource "aws_iam_role" "good" {
  name               = "good"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}
resource "aws_lambda_function" "good" {
  function_name = "good"
  role          = aws_iam_role.good.arn
}
"#;

struct Case {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    outside: PathBuf,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        let outside = dir.path().join("outside");
        for d in [repo.join(".git"), repo.join("good"), outside.clone()] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(repo.join("good/main.tf"), GOOD_TF).expect("write");
        // The canary in every shape an attacker might aim at: a policy, Terraform, YAML, a manifest.
        let policy = format!(r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{CANARY}"}}]}}"#);
        std::fs::write(outside.join("x.json"), &policy).expect("write");
        std::fs::write(outside.join("secret"), format!("{CANARY}\n")).expect("write");
        // Inside the root but never read: `actions/checkout` keeps its token in `.git/config`.
        std::fs::write(repo.join(".git/config"), format!("{CANARY}\n")).expect("write");
        std::fs::write(
            outside.join("x.tf"),
            format!("locals {{ {CANARY} = 1 }}\n{GOOD_TF}"),
        )
        .expect("write");
        Case {
            _dir: dir,
            repo,
            outside,
        }
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.repo.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        path
    }

    fn link(&self, rel: &str, target: &str) {
        let path = self.repo.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        symlink(target, path).expect("symlink");
    }

    fn fifo(&self, rel: &str) {
        let path = self.repo.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let c = std::ffi::CString::new(path.to_str().expect("utf-8 path")).expect("no NUL");
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    /// Runs passrole in the repository with `args`, within the budget: (stdout, exit code).
    fn run(&self, args: &[&str]) -> (String, i32) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_passrole"))
            .args(args)
            .current_dir(&self.repo)
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("passrole runs");
        let start = Instant::now();
        // Read stdout on a thread so that a large report cannot block the child.
        let mut stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
            s
        });
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                let out = reader.join().expect("reader");
                return (out, status.code().unwrap_or(-1));
            }
            if start.elapsed() > BUDGET {
                let _ = child.kill();
                panic!("passrole {args:?} ran past {BUDGET:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Scans the repository (or `paths`) in every format and checks what holds for every case; returns
    /// the JSON report.
    fn scan(&self, extra: &[&str]) -> Value {
        self.scan_expecting(extra, 2)
    }

    /// As [`Case::scan`], for an input that is read correctly rather than refused (exit `code`).
    fn scan_expecting(&self, extra: &[&str], code: i32) -> Value {
        let mut args = vec!["scan", "--format", "json"];
        args.extend_from_slice(extra);
        let (json, exit) = self.run(&args);
        let report: Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("not JSON ({e}): {json}"));
        assert_eq!(exit, code, "exit code for this input: {report:#}");
        for format in ["sarif", "gcc", "human"] {
            let mut args = vec!["scan", "--format", format];
            args.extend_from_slice(extra);
            let (out, _) = self.run(&args);
            assert!(
                !out.contains(CANARY),
                "{format} output quotes a file outside the root"
            );
        }
        assert!(
            !json.contains(CANARY),
            "JSON quotes a file outside the root"
        );
        let good = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| {
                f["rule"] == "PR001"
                    && f["location"]["file"] == "good/main.tf"
                    && f["location"]["start"]["line"] == 7
            });
        assert!(good, "the good file's PR001 is missing: {report:#}");
        report
    }
}

/// The `errors` entry whose file ends with `file`, with its kind.
fn error_for<'a>(report: &'a Value, file: &str) -> &'a Value {
    report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["file"].as_str().is_some_and(|f| f.ends_with(file)))
        .unwrap_or_else(|| panic!("no errors entry for {file}: {report:#}"))
}

fn assert_error(report: &Value, file: &str, kind: &str) {
    let e = error_for(report, file);
    assert_eq!(e["kind"], kind, "kind of the error for {file}: {e}");
    assert!(
        !e["message"].as_str().unwrap_or("").is_empty(),
        "a message for {file}"
    );
}

// ---- 1. Reads outside the repository ---------------------------------------------------------

#[test]
fn file_functions_outside_the_root_are_not_read() {
    let case = Case::new();
    let outside = case.outside.join("secret");
    case.write(
        "bad/main.tf",
        &format!(
            r#"resource "aws_iam_role" "a" {{ assume_role_policy = file("/etc/passwd") }}
resource "aws_iam_role" "b" {{ assume_role_policy = templatefile("/etc/hostname", {{}}) }}
resource "aws_iam_role" "c" {{ assume_role_policy = file("/proc/self/environ") }}
resource "aws_iam_role" "d" {{ assume_role_policy = file("${{path.module}}/../../outside/x.json") }}
resource "aws_iam_role" "e" {{ assume_role_policy = file("{}") }}
resource "aws_iam_role" "g" {{ assume_role_policy = file("${{path.module}}/../.git/config") }}
resource "aws_lambda_function" "f" {{ role = aws_iam_role.d.arn }}
"#,
            outside.display()
        ),
    );
    let report = case.scan(&[]);
    // Each is reported at the call, with the path it names and why it was not read.
    let at_calls: Vec<&Value> = report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["file"] == "bad/main.tf")
        .collect();
    for (line, named) in [
        (1, "/etc/passwd"),
        (2, "/etc/hostname"),
        (4, "outside/x.json"),
        (5, "outside/secret"),
        (6, ".git/config"),
    ] {
        let e = at_calls
            .iter()
            .find(|e| e["line"] == line)
            .unwrap_or_else(|| panic!("no error at bad/main.tf:{line}: {report:#}"));
        assert_eq!(e["kind"], "outside", "{e}");
        assert!(e["message"].as_str().unwrap_or("").contains(named), "{e}");
    }
    // /proc/self/environ is outside too, or (with the root at /) not a readable regular file.
    assert!(at_calls.iter().any(|e| e["line"] == 3), "{report:#}");
    // The role whose trust policy was not read is a coverage note, not a guess.
    let note = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["rule"] == "PR005" && f["location"]["file"] == "bad/main.tf");
    assert!(note, "the unread trust policy is a PR005 note: {report:#}");
}

#[test]
fn module_sources_outside_the_root_are_not_read() {
    let case = Case::new();
    case.write(
        "bad/main.tf",
        r#"module "up" { source = "../../outside" }
module "up2" { source = "../../../../../../../../tmp" }
"#,
    );
    let report = case.scan(&[]);
    assert_error(&report, "outside", "outside");
}

#[test]
fn a_module_manifest_pointing_outside_is_not_followed() {
    let case = Case::new();
    case.write(
        "bad/main.tf",
        r#"module "reg" { source = "terraform-aws-modules/iam/aws" }"#,
    );
    case.write(
        "bad/.terraform/modules/modules.json",
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"reg","Source":"registry.terraform.io/x/y/aws","Dir":"../../outside"}]}"#,
    );
    let report = case.scan(&[]);
    assert_error(&report, "outside", "outside");
}

#[test]
fn committed_symlinks_out_of_the_root_are_not_followed() {
    let case = Case::new();
    let outside = case.outside.to_str().expect("utf-8").to_string();
    case.link("bad/ext.tf", &format!("{outside}/x.tf"));
    case.link("etc", "/etc");
    case.link("fs", "/");
    case.link("bad/up", &outside);
    case.link("bad/git.tf", "../.git/config");
    let report = case.scan(&[]);
    assert_error(&report, "bad/ext.tf", "outside");
    assert_error(&report, "etc", "outside");
    assert_error(&report, "fs", "outside");
    assert_error(&report, "bad/up", "outside");
    assert_error(&report, "bad/git.tf", "outside");
    // Named on the command line, a link out of the repository is still outside it.
    let (json, code) = case.run(&["scan", "--format", "json", "fs", "good"]);
    assert_eq!(code, 2);
    assert!(json.contains("\"outside\""), "{json}");
}

// ---- 3. Reads that never end or never stop growing -------------------------------------------

#[test]
fn a_fifo_module_manifest_does_not_block() {
    let case = Case::new();
    case.write(
        "bad/main.tf",
        r#"module "reg" { source = "terraform-aws-modules/iam/aws" }"#,
    );
    case.fifo("bad/.terraform/modules/modules.json");
    let report = case.scan(&[]);
    assert_error(&report, "bad/.terraform/modules/modules.json", "io");
}

#[test]
fn a_module_manifest_linked_to_dev_zero_is_not_read() {
    let case = Case::new();
    case.write(
        "bad/main.tf",
        r#"module "reg" { source = "terraform-aws-modules/iam/aws" }"#,
    );
    case.link("bad/.terraform/modules/modules.json", "/dev/zero");
    let report = case.scan(&[]);
    assert_error(&report, "bad/.terraform/modules/modules.json", "outside");
}

#[test]
fn files_over_the_size_limit_are_refused_before_reading() {
    let case = Case::new();
    // Sparse: 64 MiB on paper, nothing on disk. The limit is lowered so that the test reads nothing.
    let big = case.write("bad/policy.json", "");
    std::fs::File::options()
        .write(true)
        .open(&big)
        .and_then(|f| f.set_len(64 << 20))
        .expect("sparse file");
    case.write(
        "bad/main.tf",
        r#"resource "aws_iam_role" "a" { assume_role_policy = file("${path.module}/policy.json") }"#,
    );
    let module = case.write("mod/main.tf", "");
    std::fs::File::options()
        .write(true)
        .open(&module)
        .and_then(|f| f.set_len(64 << 20))
        .expect("sparse file");
    case.write("caller/main.tf", r#"module "m" { source = "../mod" }"#);
    let report = case.scan(&["--max-file-size", "1048576"]);
    assert_error(&report, "bad/policy.json", "limit");
    assert_error(&report, "mod/main.tf", "limit");
}

// ---- 5. Silent loss --------------------------------------------------------------------------

#[test]
fn ignore_files_do_not_hide_terraform_from_the_gate() {
    let case = Case::new();
    case.write(".gitignore", "good/\n*.tf\n");
    case.write("good/.ignore", "main.tf\n");
    // A bad file beside them keeps the exit code at 2, as in every case.
    case.fifo("bad/main.tf");
    let report = case.scan(&[]);
    assert_error(&report, "bad/main.tf", "io");
    // ... and a .gitignore above the scanned directory does not hide it either.
    let (json, _) = case.run(&["scan", "--format", "json", "good"]);
    assert!(json.contains("\"PR001\""), "{json}");
    // Opting in does honour them.
    let (json, _) = case.run(&["scan", "--format", "json", "--respect-gitignore", "good"]);
    assert!(!json.contains("\"PR001\""), "{json}");
}

#[test]
fn special_files_named_like_inputs_are_errors() {
    let case = Case::new();
    case.fifo("bad/main.tf");
    case.link("bad2/main.tf", "/dev/zero");
    case.fifo("cfn/template.yaml");
    let report = case.scan(&[]);
    assert_error(&report, "bad/main.tf", "io");
    assert_error(&report, "bad2/main.tf", "outside");
    assert_error(&report, "cfn/template.yaml", "io");
}

#[test]
fn undecodable_and_oversized_templates_are_errors() {
    let case = Case::new();
    let mut latin1 = b"AWSTemplateFormatVersion: '2010-09-09'\nDescription: caf".to_vec();
    latin1.push(0xE9);
    latin1.extend_from_slice(b"\nResources: {}\n");
    std::fs::create_dir_all(case.repo.join("cfn")).expect("mkdir");
    std::fs::write(case.repo.join("cfn/latin1.yaml"), latin1).expect("write");
    // A plan written by PowerShell and cut short: UTF-16 with an odd number of bytes.
    let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{}}}"#;
    let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
    utf16.extend(plan.encode_utf16().flat_map(u16::to_le_bytes));
    utf16.push(b'}');
    std::fs::write(case.repo.join("cfn/plan.json"), utf16).expect("write");
    let big = case.write("cfn/big.yaml", "");
    std::fs::File::options()
        .write(true)
        .open(&big)
        .and_then(|f| f.set_len(8 << 20))
        .expect("sparse file");
    // A plan over the source-file limit is still read (plans may be 8 times larger).
    let padding = "x".repeat(2 << 20);
    case.write(
        "cfn/big.tfplan.json",
        &format!(
            r#"{{"format_version":"1.2","planned_values":{{"root_module":{{}}}},"padding":"{padding}"}}"#
        ),
    );
    // Not infrastructure: a stray non-UTF-8 JSON file is not input and not an error.
    std::fs::write(case.repo.join("cfn/data.json"), b"{\"k\": \"\xE9\"}").expect("write");
    let report = case.scan(&["--max-file-size", "1048576"]);
    assert_error(&report, "cfn/latin1.yaml", "encoding");
    assert!(
        error_for(&report, "cfn/latin1.yaml")["message"]
            .as_str()
            .unwrap_or("")
            .contains("line 2"),
        "the encoding error says where"
    );
    assert_error(&report, "cfn/plan.json", "encoding");
    assert_error(&report, "cfn/big.yaml", "limit");
    for file in ["data.json", "big.tfplan.json"] {
        assert!(!report["errors"].to_string().contains(file), "{report:#}");
    }
}

#[test]
fn a_walk_loop_is_reported_and_the_rest_scanned() {
    let case = Case::new();
    case.link("bad/self", ".");
    let report = case.scan(&[]);
    assert!(
        report["errors"].to_string().contains("bad/self"),
        "{report:#}"
    );
}

#[test]
fn the_root_can_be_widened_explicitly() {
    let case = Case::new();
    let outside = case.outside.to_str().expect("utf-8").to_string();
    case.link("bad/ext.tf", &format!("{outside}/x.tf"));
    // With the parent of both as the root, the link is inside it and read (its PR001 is reported).
    let root = case.repo.parent().expect("parent").to_str().expect("utf-8");
    let (json, code) = case.run(&["scan", "--format", "json", "--root", root, "bad"]);
    assert_eq!(code, 1, "{json}");
    assert!(json.contains("bad/ext.tf"), "{json}");
}

#[test]
fn modules_and_links_inside_the_repository_keep_working() {
    let case = Case::new();
    // `envs/prod` scanned alone calls a module two levels up, through a link inside the repository.
    case.write("modules/fn/main.tf", &GOOD_TF.replace("good", "shared"));
    case.link("envs/shared", "../modules");
    case.write(
        "envs/prod/main.tf",
        r#"module "a" { source = "../../modules/fn" }
module "b" { source = "../shared/fn" }
"#,
    );
    let (json, code) = case.run(&["scan", "--format", "json", "envs/prod"]);
    assert_eq!(code, 1, "{json}");
    let report: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(report["errors"], Value::Array(vec![]), "{report:#}");
    let hits = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "PR001")
        .count();
    assert!(hits >= 1, "{report:#}");
}

// ---- 2. Unbounded work -------------------------------------------------------------------------
// Each of these ran past a minute or grew to 12 GB before evaluation was memoised and budgeted; the
// finer cases are in tests/terraform_bounds.rs, here every class runs through the binary.

/// `n` locals, each built from the previous one by `f` (`{p}` is the previous reference).
fn ladder(n: usize, first: &str, f: &str) -> String {
    let mut s = format!("locals {{\n  l0 = {first}\n");
    for i in 1..n {
        s.push_str(&format!(
            "  l{i} = {}\n",
            f.replace("{p}", &format!("local.l{}", i - 1))
        ));
    }
    s.push_str(&format!(
        "}}\nresource \"aws_iam_role\" \"x\" {{\n  name = \"x\"\n  assume_role_policy = jsonencode(local.l{})\n}}\n",
        n - 1
    ));
    s
}

#[test]
fn exploding_locals_are_cut_with_a_limit_error() {
    let case = Case::new();
    case.write(
        "double/main.tf",
        &ladder(40, r#"["a"]"#, "concat({p}, {p})"),
    );
    case.write("cond/main.tf", &ladder(40, r#"["a"]"#, "var.c ? {p} : {p}"));
    case.write(
        "mutual/main.tf",
        "locals {\n  a = [local.b, local.b, local.b, local.b]\n  b = [local.a, local.a, local.a, local.a]\n  x = concat(local.x, local.x)\n}\nresource \"aws_iam_role\" \"x\" { assume_role_policy = jsonencode([local.a, local.x]) }\n",
    );
    let report = case.scan(&[]);
    for dir in ["double/main.tf", "cond/main.tf", "mutual/main.tf"] {
        assert_error(&report, dir, "limit");
    }
}

#[test]
fn module_graphs_that_fan_out_are_evaluated_once_per_instance() {
    let case = Case::new();
    // 24 levels, each calling the next twice: 2^24 call paths, 24 distinct instances.
    for i in 0..24 {
        case.write(
            &format!("dag/l{i}/main.tf"),
            &format!(
                "module \"a\" {{ source = \"../l{n}\" }}\nmodule \"b\" {{ source = \"../l{n}\" }}\n",
                n = i + 1
            ),
        );
    }
    case.write("dag/l24/main.tf", "output \"o\" { value = 1 }\n");
    // A link back to its own directory, called through itself.
    case.write(
        "selfy/main.tf",
        "module \"x\" { source = \"./self\" }\nmodule \"y\" { source = \"./self/self\" }\n",
    );
    case.link("selfy/self", ".");
    let report = case.scan(&[]);
    assert_error(&report, "selfy/self", "io");
    assert!(report["errors"].to_string().contains("selfy"), "{report:#}");
}

#[test]
fn plan_references_that_fan_out_are_resolved_once() {
    let case = Case::new();
    // Each module's output refers to the next module's outputs three times per level.
    let levels = 24;
    let mut module = String::from(r#"{"outputs":{"o":{"expression":{"references":[]}}}}"#);
    for _ in 0..levels {
        module = format!(
            r#"{{"outputs":{{"o":{{"expression":{{"references":["module.m.o","module.m.o","module.m.o"]}}}}}},"module_calls":{{"m":{{"source":"./m","module":{module}}}}}}}"#
        );
    }
    let plan = format!(
        r#"{{"format_version":"1.2","planned_values":{{"root_module":{{"resources":[{{"address":"aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","name":"f","values":{{"function_name":"f"}}}}]}}}},"configuration":{{"root_module":{{"resources":[{{"address":"aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","name":"f","expressions":{{"role":{{"references":["module.m.o"]}}}}}}],"module_calls":{{"m":{{"source":"./m","module":{module}}}}}}}}}}}"#
    );
    case.write("plans/fan.json", &plan);
    // A bad file beside it keeps the exit code at 2; the plan itself must simply finish.
    case.fifo("plans/pipe.tf");
    let report = case.scan(&[]);
    assert_error(&report, "plans/pipe.tf", "io");
    // The plan is read to the end: its pass is a PR005 note saying what the role comes from.
    let note = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "PR005" && f["location"]["file"] == "plans/fan.json")
        .unwrap_or_else(|| panic!("no PR005 in the plan: {report:#}"));
    assert!(
        note["message"]
            .as_str()
            .unwrap_or("")
            .contains("module.m.o"),
        "{note}"
    );
}

// ---- 4. Rule files that would crash the engine ---------------------------------------------------

#[test]
fn deep_or_broken_rules_cost_only_themselves() {
    let case = Case::new();
    let deep = format!(
        "rule DEEP {{\n{}units[*].kind == \"x\"\n{}}}\n",
        "units[*] {\n".repeat(1000),
        "}\n".repeat(1000)
    );
    case.write("rules/DEEP.guard", &deep);
    case.write(
        "rules/OK1.guard",
        "rule OK1 { units[*].pass_edges[*].attribute != \"role\" }\n",
    );
    case.write("rules/BAD.guard", "rule BAD { units[*].kind exists }\n");
    case.write("rules/BAD.toml", "id = \"BAD\"\nseverity = \n");
    // A template whose Metadata is 200 levels deep, beside a rule that names no section.
    let mut metadata = "1".to_string();
    for _ in 0..200 {
        metadata = format!("{{\"k\": {metadata}}}");
    }
    case.write(
        "cfn/deep.json",
        &format!(r#"{{"AWSTemplateFormatVersion":"2010-09-09","Resources":{{"R":{{"Type":"AWS::IAM::Role","Metadata":{metadata},"Properties":{{}}}}}}}}"#),
    );
    let report = case.scan(&["--rules", "rules"]);
    assert_error(&report, "rules/DEEP.guard", "rule");
    assert_error(&report, "rules/BAD.toml", "rule");
    let ok1 = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["rule"] == "OK1" && f["location"]["file"] == "good/main.tf");
    assert!(ok1, "the good custom rule still runs: {report:#}");
}

// ---- 5. Silent loss (the Terraform and YAML shapes) ---------------------------------------------

#[test]
fn self_calls_cycles_and_duplicate_names_are_reported_not_dropped() {
    let case = Case::new();
    let pr001 = |name: &str| GOOD_TF.replace("good", name);
    case.write(
        "selfcall/main.tf",
        &format!("module \"me\" {{ source = \"./\" }}\n{}", pr001("selfcall")),
    );
    case.write(
        "ping/main.tf",
        &format!(
            "module \"pong\" {{ source = \"../pong\" }}\n{}",
            pr001("ping")
        ),
    );
    case.write(
        "pong/main.tf",
        &format!(
            "module \"ping\" {{ source = \"../ping\" }}\n{}",
            pr001("pong")
        ),
    );
    case.write("dup/a.tf", "locals { name = \"a\" }\n");
    case.write(
        "dup/b.tf",
        &format!("locals {{ name = \"b\" }}\n{}", pr001("dup")),
    );
    let report = case.scan(&[]);
    assert_error(&report, "selfcall/main.tf", "limit");
    assert_error(&report, "dup/b.tf", "parse");
    assert!(report["errors"].to_string().contains("ping"), "{report:#}");
    // Every one of them is still a root, and its own PR001 is found.
    for file in [
        "selfcall/main.tf",
        "ping/main.tf",
        "pong/main.tf",
        "dup/b.tf",
    ] {
        let found = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["rule"] == "PR001" && f["location"]["file"] == file);
        assert!(found, "no PR001 in {file}: {report:#}");
    }
}

#[test]
fn yaml_merge_keys_and_lone_cr_line_endings_are_read_as_cloudformation_does() {
    let case = Case::new();
    let template = "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  Base: &base\n    Role: !GetAtt R.Arn\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: sts:AssumeRole\n            Principal: { Service: ec2.amazonaws.com }\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      <<: *base\n      Handler: index.handler\n";
    case.write("cfn/lf.yaml", template);
    case.write("cfn/cr.yaml", &template.replace('\n', "\r"));
    let report = case.scan_expecting(&[], 1);
    // The merged Role is found, at the anchored line 4, column 11, in both files.
    for file in ["cfn/lf.yaml", "cfn/cr.yaml"] {
        let at = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["rule"] == "PR001" && f["location"]["file"] == file)
            .unwrap_or_else(|| panic!("no PR001 in {file}: {report:#}"));
        assert_eq!(at["location"]["start"]["line"], 4, "{at}");
        assert_eq!(at["location"]["start"]["column"], 11, "{at}");
    }
}

#[test]
fn directories_linked_twice_at_every_level_are_walked_once() {
    let case = Case::new();
    // 30 levels, each holding two links to the next: 2^30 paths, 30 directories.
    for i in 0..30 {
        case.write(&format!("links/d{i}/main.tf"), "locals { x = 1 }\n");
        case.link(&format!("links/d{i}/a"), &format!("../d{}", i + 1));
        case.link(&format!("links/d{i}/b"), &format!("../d{}", i + 1));
    }
    case.write("links/d30/main.tf", "locals { x = 1 }\n");
    case.fifo("bad/main.tf");
    let report = case.scan(&[]);
    assert_error(&report, "bad/main.tf", "io");
}
