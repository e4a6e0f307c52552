//! Inputs the `terraform_modules` fuzz target found that make the Terraform evaluator do work
//! exponential in the input (docs/fuzzing.md): a local or a variable default that refers to itself
//! more than once is expanded down both references until the reference-depth limit, 2^64 paths.
//!
//! The evaluator is memoised and budgeted (src/source/terraform/eval/budget.rs), so each finishes in
//! milliseconds; the deadline only turns a regression into a failure instead of a hang. Before the
//! fix a case ran until the deadline and kept using memory (some grew past 2 GB).

use passrole::scan::scan_texts;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// A bounded evaluator scans these in milliseconds; a debug build gets a wide margin.
const DEADLINE: Duration = Duration::from_secs(10);

fn finishes(name: &str, text: &str) {
    let (tx, rx) = mpsc::channel();
    let files = vec![(PathBuf::from(format!("/{name}/main.tf")), text.to_string())];
    // The scan runs on its own thread so that the test can give up on it.
    std::thread::spawn(move || {
        let result = scan_texts(files);
        let _ = tx.send(result.findings.len());
    });
    assert!(
        rx.recv_timeout(DEADLINE).is_ok(),
        "{name}: the scan did not finish within {DEADLINE:?}"
    );
}

#[test]
fn a_local_used_twice_in_its_own_value() {
    finishes(
        "coalesce",
        r#"
locals {
  l = coalesce(local.l, local.l)
}

resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = local.l
}
"#,
    );
}

#[test]
fn a_list_holding_its_own_local_twice() {
    finishes(
        "list",
        r#"
locals {
  l = [local.l, local.l]
}

resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = local.l[0]
}
"#,
    );
}

#[test]
fn a_variable_default_used_twice_in_itself() {
    finishes(
        "variable",
        r#"
variable "v" {
  default = merge(var.v, var.v)
}

resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = var.v
}
"#,
    );
}

/// The same shape that does terminate today: a self-reference that is never read is not evaluated.
#[test]
fn an_unread_self_referencing_local_is_not_evaluated() {
    finishes(
        "unread",
        r#"
locals {
  l = [local.l, local.l]
}
"#,
    );
}

#[test]
fn a_statement_with_thousands_of_resource_items() {
    // 3,000 name-prefix items give 3,000 PR011 findings in one grant element. Each finding's
    // message reads several fields of that element; they were parsed again for every lookup
    // (quadratic: about 3 minutes in a debug build), and are now parsed once (facts.rs).
    let items: Vec<String> = (0..3000)
        .map(|i| format!("\"arn:aws:iam::123456789012:role/r{i}-*\""))
        .collect();
    let text = format!(
        r#"resource "aws_iam_policy" "p" {{
  name = "p"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "iam:PassRole", Resource = [{}] }}]
  }})
}}
"#,
        items.join(",\n")
    );
    finishes("many-resources", &text);
}
