//! Where the report goes: `-o/--output FILE`, and standard output that cannot be written (a full
//! disk is an error, exit 2; a closed pipe is not).

use serde_json::Value;
use std::process::{Command, Output, Stdio};

const INFRA: &str = "testdata/config/infra";

fn passrole(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(args)
        .output()
        .expect("passrole runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn output_writes_the_report_to_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("report.json");
    let out = passrole(&[
        "scan",
        "--format",
        "json",
        "-o",
        file.to_str().unwrap(),
        INFRA,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 3);
    let missing = tmp.path().join("no/such/dir/report.json");
    let out = passrole(&["scan", "--output", missing.to_str().unwrap(), INFRA]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: writing the report to {}: No such file or directory (os error 2)\n",
            missing.display()
        )
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_output_exits_2() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(["scan", INFRA])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: writing the report: No space left on device (os error 28)\n"
    );
}

#[test]
fn a_closed_pipe_is_quiet() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(["scan", INFRA])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head` that has already exited: the read end is closed.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the findings' exit code");
    assert_eq!(stderr(&out), "");
}
