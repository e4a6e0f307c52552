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

#[test]
fn one_scan_writes_several_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let sarif = tmp.path().join("p.sarif");
    let json = tmp.path().join("p.json");
    let sarif_arg = format!("sarif={}", sarif.display());
    let json_arg = format!("json={}", json.display());
    let out = passrole(&[
        "scan", "--format", "gcc", "--format", &sarif_arg, "--format", &json_arg, INFRA,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The gcc lines on standard output, the same three findings in each file.
    let gcc = String::from_utf8_lossy(&out.stdout);
    assert_eq!(gcc.lines().count(), 3, "{gcc}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 3);
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 3);
}

#[test]
fn reports_that_would_collide_are_refused_before_scanning() {
    for (args, message) in [
        (
            vec!["--format", "json", "--format", "gcc"],
            "error: more than one --format writes to standard output: give all but one a file (`--format sarif=passrole.sarif`)\n",
        ),
        (
            vec!["--format", "json=r", "--format", "sarif=r"],
            "error: two reports would be written to r\n",
        ),
        (
            vec!["--format", "sarif=s", "-o", "g"],
            "error: -o/--output names the file of the report written to standard output, but every --format has its own file\n",
        ),
    ] {
        let mut all = vec!["scan"];
        all.extend(args.iter().copied());
        all.push(INFRA);
        let out = passrole(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
