//! Terraform written to make evaluation explode (values that double at every level, reference
//! cycles, module graphs where every level calls the next twice, self symlinks, deep nesting) is cut
//! with an `errors` entry for its unit, and every other unit of the same scan is still reported.
//!
//! Each test scans a hostile directory beside a good one whose PR001 must be found. There is no
//! timing assertion: without the bounds these scans run for minutes or exhaust memory.

use passrole::scan::{ScanOptions, ScanResult, scan};
use passrole::source::ErrorKind;
use std::path::Path;

/// A role trusting EC2 passed to a Lambda function: PR001 at line 9.
const GOOD: &str = r#"resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}
resource "aws_lambda_function" "fn" {
  role          = aws_iam_role.r.arn
  function_name = "fn"
}
"#;

/// Writes `files` (path relative to the scan root → text) and scans the root with a good directory
/// beside them.
fn scan_with_good(dir: &Path, files: &[(&str, String)]) -> ScanResult {
    write(dir, "good/main.tf", GOOD);
    for (path, text) in files {
        write(dir, path, text);
    }
    scan(&ScanOptions {
        paths: vec![dir.to_path_buf()],
        ..Default::default()
    })
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the directory");
    std::fs::write(path, text).expect("write the file");
}

/// The good directory's PR001 is reported.
fn assert_good(result: &ScanResult) {
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.rule == "PR001" && f.location.file.ends_with("good/main.tf")),
        "no PR001 in good/main.tf: {:#?}",
        result.findings
    );
}

/// An error of `kind` in a file whose path ends with `file`, with `words` in its message.
fn assert_error(result: &ScanResult, kind: ErrorKind, file: &str, words: &str) {
    assert!(
        result
            .errors
            .iter()
            .any(|e| e.kind == kind && e.file.ends_with(file) && e.message.contains(words)),
        "no {} error in {file} saying {words:?}: {:#?}",
        kind.as_str(),
        result.errors
    );
}

/// Locals `a0` … `aN` where each level is `f` of the previous one (`PREV`).
fn levels(n: usize, first: &str, f: &str) -> String {
    let mut text = format!("variable \"c\" {{}}\nlocals {{\n  a0 = {first}\n");
    for i in 1..=n {
        let prev = format!("local.a{}", i - 1);
        text.push_str(&format!("  a{i} = {}\n", f.replace("PREV", &prev)));
    }
    text.push_str("}\n");
    text
}

#[test]
fn locals_that_double_a_list_forty_times() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut text = levels(40, "[\"x\"]", "concat(PREV, PREV)");
    text.push_str("resource \"aws_lambda_function\" \"f\" {\n  role = local.a40[0]\n}\n");
    text.push_str(
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = local.a40 })\n}\n",
    );
    let result = scan_with_good(dir.path(), &[("hostile/main.tf", text)]);
    // Forty references deep is past the reference chain limit before it is past the budget.
    assert_error(&result, ErrorKind::Limit, "hostile/main.tf", "too deeply");
    assert_good(&result);
}

#[test]
fn locals_that_grow_past_the_budget() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let eight = ["PREV"; 8].join(", ");
    let mut text = levels(16, "[\"x\"]", &format!("concat({eight})"));
    text.push_str("resource \"aws_lambda_function\" \"f\" {\n  role = local.a16[0]\n}\n");
    let result = scan_with_good(dir.path(), &[("hostile/main.tf", text)]);
    assert_error(
        &result,
        ErrorKind::Limit,
        "hostile/main.tf",
        "evaluation budget of the unit",
    );
    let budget: Vec<_> = result
        .errors
        .iter()
        .filter(|e| e.message.contains("evaluation budget"))
        .collect();
    assert_eq!(budget.len(), 1, "one budget error: {budget:#?}");
    assert!(
        budget[0].message.contains("hostile"),
        "{}",
        budget[0].message
    );
    // The value cut is a coverage gap where it is used.
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.rule == "PR005" && f.location.file.ends_with("hostile/main.tf")),
        "{:#?}",
        result.findings
    );
    assert_good(&result);
}

#[test]
fn conditionals_whose_branches_both_refer_to_the_previous_level() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut text = levels(40, "\"arn:aws:iam::1:role/x\"", "var.c ? PREV : PREV");
    text.push_str("resource \"aws_lambda_function\" \"f\" {\n  role = local.a40\n}\n");
    text.push_str("resource \"aws_iam_policy\" \"p\" {\n  policy = local.a40\n}\n");
    let result = scan_with_good(dir.path(), &[("hostile/main.tf", text)]);
    assert_error(&result, ErrorKind::Limit, "hostile/main.tf", "too deeply");
    assert_good(&result);
}

#[test]
fn locals_that_refer_to_each_other() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = r#"locals {
  a = [local.b, local.b, local.b, local.b]
  b = [local.a, local.a, local.a, local.a]
  x = concat(local.x, local.x)
}
resource "aws_lambda_function" "f" { role = local.a[0] }
resource "aws_lambda_function" "g" { role = local.x[0] }
"#;
    let result = scan_with_good(dir.path(), &[("hostile/main.tf", text.to_string())]);
    assert_error(
        &result,
        ErrorKind::Limit,
        "hostile/main.tf",
        "refers to itself (a cycle)",
    );
    assert_error(&result, ErrorKind::Limit, "hostile/main.tf", "local.x");
    assert_good(&result);
}

/// Module directories `l1` … `l24`, each calling the next twice with `args` (`a`, `b`); `l24` has
/// a role trusting EC2 whose ARN every level outputs, and the root passes it to Lambda.
fn module_ladder(args: [&str; 2]) -> Vec<(String, String)> {
    let call = |next: usize| {
        format!(
            "module \"a\" {{\n  source = \"../l{next}\"\n  {}\n}}\nmodule \"b\" {{\n  source = \"../l{next}\"\n  {}\n}}\n",
            args[0], args[1]
        )
    };
    let mut files = vec![(
        "hostile/root/main.tf".to_string(),
        format!(
            "{}resource \"aws_lambda_function\" \"f\" {{\n  role          = module.a.role\n  function_name = \"f\"\n}}\n",
            call(1)
        ),
    )];
    for i in 1..=24 {
        let text = if i < 24 {
            format!(
                "variable \"x\" {{\n  default = 0\n}}\n{}output \"role\" {{\n  value = module.a.role\n}}\n",
                call(i + 1)
            )
        } else {
            let role = GOOD
                .split("resource \"aws_lambda_function\"")
                .next()
                .unwrap_or("");
            format!(
                "variable \"x\" {{\n  default = 0\n}}\n{role}output \"role\" {{\n  value = aws_iam_role.r.arn\n}}\n"
            )
        };
        files.push((format!("hostile/l{i}/main.tf"), text));
    }
    files
}

#[test]
fn a_module_graph_where_every_level_calls_the_next_twice() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = module_ladder(["", ""]);
    let files: Vec<(&str, String)> = files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let result = scan_with_good(dir.path(), &files);
    // Calls with the same arguments share one instance: 25 instances, the role is found through
    // all of them and the pass checked.
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.rule == "PR001" && f.location.file.ends_with("hostile/root/main.tf")),
        "{:#?}\n{:#?}",
        result.findings,
        result.errors
    );
    assert!(result.errors.is_empty(), "{:#?}", result.errors);
    assert_good(&result);
}

#[test]
fn a_module_graph_with_different_arguments_is_cut_at_the_instance_limit() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = module_ladder(["x = 1", "x = 2"]);
    let files: Vec<(&str, String)> = files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let result = scan_with_good(dir.path(), &files);
    assert_error(&result, ErrorKind::Limit, "main.tf", "module instances");
    let limits = result
        .errors
        .iter()
        .filter(|e| e.message.contains("module instances"))
        .count();
    assert_eq!(limits, 1, "{:#?}", result.errors);
    assert_good(&result);
}

#[cfg(unix)]
#[test]
fn a_module_that_calls_itself_through_a_symlink() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let module = r#"module "x" {
  source = "./self"
}
module "y" {
  source = "./self/self"
}
output "role" {
  value = module.x.role
}
"#;
    let root = r#"module "m" {
  source = "../m"
}
resource "aws_lambda_function" "f" {
  role          = module.m.role
  function_name = "f"
}
"#;
    write(dir.path(), "hostile/m/main.tf", module);
    std::os::unix::fs::symlink(".", dir.path().join("hostile/m/self")).expect("a symlink");
    let result = scan_with_good(dir.path(), &[("hostile/root/main.tf", root.to_string())]);
    assert_error(
        &result,
        ErrorKind::Limit,
        "hostile/m/main.tf",
        "calls a module that calls it",
    );
    assert_good(&result);
}

#[test]
fn a_directory_that_calls_itself_is_still_a_root() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = format!("module \"x\" {{\n  source = \"./\"\n}}\n{GOOD}");
    let result = scan_with_good(dir.path(), &[("hostile/main.tf", text)]);
    // Its own role and pass are checked (PR001), and the self-call is reported.
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.rule == "PR001" && f.location.file.ends_with("hostile/main.tf")),
        "{:#?}",
        result.findings
    );
    assert_error(
        &result,
        ErrorKind::Limit,
        "hostile/main.tf",
        "calls a module that calls it",
    );
    assert_good(&result);
}

#[test]
fn directories_that_only_call_each_other_are_still_scanned() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let a = format!("module \"b\" {{\n  source = \"../b\"\n}}\n{GOOD}");
    let b = "module \"a\" {\n  source = \"../a\"\n}\n".to_string();
    let result = scan_with_good(
        dir.path(),
        &[("hostile/a/main.tf", a), ("hostile/b/main.tf", b)],
    );
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.rule == "PR001" && f.location.file.ends_with("hostile/a/main.tf")),
        "{:#?}",
        result.findings
    );
    assert_error(
        &result,
        ErrorKind::Limit,
        "main.tf",
        "calls a module that calls it",
    );
    assert_good(&result);
}

#[test]
fn names_defined_twice_are_parse_errors_and_the_first_is_used() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let first = format!(
        "{}locals {{\n  svc = \"ec2.amazonaws.com\"\n}}\nvariable \"v\" {{}}\noutput \"o\" {{\n  value = 1\n}}\n",
        GOOD.replace("\"ec2.amazonaws.com\"", "local.svc")
    );
    let second = "locals {\n  svc = \"lambda.amazonaws.com\"\n}\nvariable \"v\" {}\noutput \"o\" {\n  value = 2\n}\n";
    let result = scan_with_good(
        dir.path(),
        &[
            ("hostile/a.tf", first),
            ("hostile/b.tf", second.to_string()),
        ],
    );
    for name in ["local.svc", "var.v", "output.o"] {
        assert_error(
            &result,
            ErrorKind::Parse,
            "hostile/b.tf",
            &format!("{name} is defined twice (first at "),
        );
    }
    // The first definition is used: the role trusts EC2, so passing it to Lambda is PR001.
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.rule == "PR001" && f.location.file.ends_with("hostile/a.tf")),
        "{:#?}",
        result.findings
    );
    assert_good(&result);
}

#[test]
fn nesting_ten_thousand_deep() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let n = 10_000;
    let brackets = format!("locals {{\n  x = {}{}\n}}\n", "[".repeat(n), "]".repeat(n));
    let conditionals = format!(
        "locals {{\n  y = {}1{}\n}}\n",
        "true ? ".repeat(n),
        " : 2".repeat(n)
    );
    let result = scan_with_good(
        dir.path(),
        &[
            ("hostile/brackets/main.tf", brackets),
            ("hostile/conditionals/main.tf", conditionals),
        ],
    );
    assert_error(&result, ErrorKind::Limit, "brackets/main.tf", "nesting");
    assert_error(&result, ErrorKind::Limit, "conditionals/main.tf", "nesting");
    assert_good(&result);
}

#[test]
fn values_that_refer_to_themselves_through_evaluations_that_start_afresh() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // A role named after itself; a policy document whose dynamic statements refer to the document
    // (each expansion a new binding, so only the nesting bound stops it).
    let role = r#"resource "aws_iam_role" "r" {
  name               = aws_iam_role.r.name
  assume_role_policy = "{}"
}
resource "aws_lambda_function" "f" {
  role          = "${aws_iam_role.r.arn}-x"
  function_name = "f"
}
"#;
    let document = r#"data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = ["a"]
    content {
      actions = [data.aws_iam_policy_document.d.json]
      dynamic "condition" {
        for_each = [data.aws_iam_policy_document.d.json]
        content {
          test     = "StringEquals"
          variable = "x"
          values   = [data.aws_iam_policy_document.d.json]
        }
      }
    }
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}
"#;
    let result = scan_with_good(
        dir.path(),
        &[
            ("hostile/role/main.tf", role.to_string()),
            ("hostile/document/main.tf", document.to_string()),
        ],
    );
    assert_error(
        &result,
        ErrorKind::Limit,
        "role/main.tf",
        "aws_iam_role.r.name refers to itself",
    );
    assert_error(&result, ErrorKind::Limit, "document/main.tf", "");
    assert_good(&result);
}

#[test]
fn a_cycle_in_a_module_shared_by_two_roots_is_reported_once() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = "module \"m\" {\n  source = \"../m\"\n}\n".to_string();
    let module = "module \"again\" {\n  source = \"./\"\n}\n".to_string();
    let result = scan_with_good(
        dir.path(),
        &[
            ("hostile/r1/main.tf", root.clone()),
            ("hostile/r2/main.tf", root),
            ("hostile/m/main.tf", module),
        ],
    );
    let cycles: Vec<_> = result
        .errors
        .iter()
        .filter(|e| e.message.contains("calls a module that calls it"))
        .collect();
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    assert!(cycles[0].file.ends_with("hostile/m/main.tf"));
    assert_eq!(cycles[0].kind, ErrorKind::Limit);
    assert_good(&result);
}

#[test]
fn modules_nested_past_the_depth_limit() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut files = vec![(
        "hostile/root/main.tf".to_string(),
        "module \"next\" {\n  source = \"../m1\"\n}\n".to_string(),
    )];
    for i in 1..=40 {
        files.push((
            format!("hostile/m{i}/main.tf"),
            format!("module \"next\" {{\n  source = \"../m{}\"\n}}\n", i + 1),
        ));
    }
    let files: Vec<(&str, String)> = files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let result = scan_with_good(dir.path(), &files);
    assert_error(
        &result,
        ErrorKind::Limit,
        "hostile/m32/main.tf",
        "levels deep",
    );
    assert_good(&result);
}

#[test]
fn json_nesting_past_the_parser_bound() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let n = 10_000;
    let deep = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let result = scan_with_good(
        dir.path(),
        &[
            (
                "hostile/json/main.tf.json",
                format!("{{\"locals\": {{\"x\": {deep}}}}}"),
            ),
            ("hostile/vars/main.tf", "variable \"x\" {}\n".to_string()),
            ("hostile/vars/terraform.tfvars", format!("x = {deep}\n")),
            (
                "hostile/vars/terraform.tfvars.json",
                format!("{{\"x\": {deep}}}"),
            ),
        ],
    );
    assert_error(&result, ErrorKind::Limit, "json/main.tf.json", "nesting");
    assert_error(
        &result,
        ErrorKind::Limit,
        "vars/terraform.tfvars",
        "nesting",
    );
    assert_error(
        &result,
        ErrorKind::Limit,
        "vars/terraform.tfvars.json",
        "nesting",
    );
    assert_good(&result);
}

#[test]
fn functions_and_templates_that_repeat_the_previous_level() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut coalesce = levels(30, "var.c", "coalesce(PREV, PREV)");
    coalesce.push_str("resource \"aws_lambda_function\" \"f\" {\n  role = local.a30\n}\n");
    let mut tries = levels(30, "var.c", "try(PREV, PREV)");
    tries.push_str("resource \"aws_lambda_function\" \"f\" {\n  role = local.a30\n}\n");
    // A string that doubles at each level: cut by the budget (text counts by its length).
    let mut template = levels(
        30,
        "\"arn:aws:iam::123456789012:role/abcdefghijklmnopqrstuvwxyz\"",
        "\"${PREV}${PREV}\"",
    );
    template.push_str("resource \"aws_iam_policy\" \"p\" {\n  policy = local.a30\n}\n");
    let result = scan_with_good(
        dir.path(),
        &[
            ("hostile/coalesce/main.tf", coalesce),
            ("hostile/try/main.tf", tries),
            ("hostile/template/main.tf", template),
        ],
    );
    assert_error(&result, ErrorKind::Limit, "coalesce/main.tf", "too deeply");
    assert_error(&result, ErrorKind::Limit, "try/main.tf", "too deeply");
    assert_error(
        &result,
        ErrorKind::Limit,
        "template/main.tf",
        "evaluation budget",
    );
    assert_good(&result);
}
