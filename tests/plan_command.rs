//! `passrole plan` with a fake `terraform` first on `PATH`: a shell script that writes a known plan
//! and exits with the codes a test chooses (no terraform with the AWS provider can run here).
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The fake terraform. `plan -out=FILE` writes FILE (and logs its path to `$FAKE_LOG`), prints a line
/// on stdout and one on stderr, and exits with `$FAKE_PLAN_EXIT`; with `$FAKE_PLAN_SLEEP` it waits for
/// a signal first. `show -json FILE` checks FILE exists and prints `$FAKE_PLAN_JSON`, exiting with
/// `$FAKE_SHOW_EXIT`.
const FAKE: &str = r#"#!/bin/sh
case "$1" in
  plan)
    out="${2#-out=}"
    echo "binary plan" > "$out"
    echo "$out" >> "$FAKE_LOG"
    shift 2
    echo "fake terraform plan args: $*" >> "$FAKE_LOG"
    echo "Plan: 3 to add, 0 to change, 0 to destroy."
    echo "fake plan diagnostics" >&2
    if [ -n "$FAKE_PLAN_SLEEP" ]; then
      trap 'echo interrupted >> "$FAKE_LOG"; exit 130' INT TERM
      echo ready >> "$FAKE_LOG"
      sleep 20 &
      wait $!
    fi
    exit "${FAKE_PLAN_EXIT:-0}"
    ;;
  show)
    [ "$2" = "-json" ] || exit 9
    [ -f "$3" ] || exit 8
    cat "$FAKE_PLAN_JSON"
    exit "${FAKE_SHOW_EXIT:-0}"
    ;;
esac
exit 7
"#;

struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new(name: &str) -> Fake {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let script = bin.join(name);
        std::fs::write(&script, FAKE).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        Fake { dir }
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(self.log()).unwrap_or_default()
    }

    /// The plan files terraform was told to write: each must be gone once passrole is done.
    fn plan_files(&self) -> Vec<PathBuf> {
        self.log_text()
            .lines()
            .filter(|l| l.starts_with('/'))
            .map(PathBuf::from)
            .collect()
    }

    fn command(&self, cwd: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_passrole"));
        let path = format!(
            "{}:{}",
            self.bin().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        c.args(args)
            .current_dir(cwd)
            .env("PATH", path)
            .env_remove("PASSROLE_TERRAFORM")
            .env("FAKE_LOG", self.log())
            .env(
                "FAKE_PLAN_JSON",
                std::fs::canonicalize("testdata/plan-enrich/plan.tfplan.json").unwrap(),
            );
        c
    }
}

fn assert_cleaned(fake: &Fake) {
    let files = fake.plan_files();
    assert!(!files.is_empty(), "terraform plan ran: {}", fake.log_text());
    for f in files {
        assert!(!f.exists(), "{} was left behind", f.display());
        assert!(
            !f.parent().unwrap().exists(),
            "{} was left behind",
            f.parent().unwrap().display()
        );
    }
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn plan_is_scanned_with_the_tf_files_and_removed() {
    let fake = Fake::new("terraform");
    let cwd = std::fs::canonicalize("testdata/plan-enrich").unwrap();
    let out = fake
        .command(&cwd, &["plan", "--format", "json", "--", "-var", "x=1"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let got: Vec<(String, String, u64)> = report["findings"]
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
        .collect();
    assert_eq!(
        got,
        vec![
            ("PR001".to_string(), "main.tf".to_string(), 20),
            ("PR010".to_string(), "main.tf".to_string(), 35),
        ]
    );
    // terraform's output is streamed through: on stderr, since stdout is the JSON report.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Plan: 3 to add"), "{stderr}");
    assert!(stderr.contains("fake plan diagnostics"), "{stderr}");
    assert!(
        fake.log_text()
            .contains("fake terraform plan args: -var x=1")
    );
    assert_cleaned(&fake);
}

#[test]
fn human_output_streams_terraform_stdout_through() {
    let fake = Fake::new("terraform");
    let cwd = std::fs::canonicalize("testdata/plan-enrich").unwrap();
    let out = fake.command(&cwd, &["plan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("Plan: 3 to add"), "{stdout}");
    assert!(stdout.contains("main.tf:20:19]"), "{stdout}");
    assert_cleaned(&fake);
}

/// The official SARIF schema, when this checkout has it (see `tests/report_formats.rs`).
fn sarif_validator() -> Option<jsonschema::Validator> {
    let path = std::env::var("PASSROLE_SARIF_SCHEMA")
        .unwrap_or_else(|_| "../shared/data/schemas/sarif-schema-2.1.0.json".into());
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped SARIF schema validation: {path} is absent");
        return None;
    };
    // The schema's `language` pattern has a stray `]` the regex check rejects: escaped, same meaning.
    let text = text.replace("{2}]?$", "{2}\\\\]?$");
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    Some(jsonschema::validator_for(&schema).unwrap())
}

#[test]
fn terraform_failures_exit_3_and_say_which_command_failed() {
    let cwd = std::fs::canonicalize("testdata/plan-enrich").unwrap();
    for (var, code, command) in [
        ("FAKE_PLAN_EXIT", 1, "terraform plan"),
        // A code that is passrole's own "input errors" must not read as one.
        ("FAKE_PLAN_EXIT", 2, "terraform plan"),
        ("FAKE_SHOW_EXIT", 4, "terraform show -json"),
    ] {
        let fake = Fake::new("terraform");
        let out = fake
            .command(&cwd, &["plan", "--format", "json"])
            .env(var, code.to_string())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{var}={code}");
        let message = format!("`{command}` failed with exit code {code}: no plan to scan");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("error: {message}\n")),
            "{var}={code}: {stderr}"
        );
        let report = json(&out);
        assert_eq!(report["findings"], serde_json::json!([]));
        assert_eq!(
            report["errors"],
            serde_json::json!([{"file": ".", "kind": "terraform", "message": message}])
        );
        assert_eq!(report["summary"]["files"], 0);
        assert_cleaned(&fake);
    }
    // -detailed-exitcode's 2 means "changes present": scanned as a success.
    let fake = Fake::new("terraform");
    let out = fake
        .command(
            &cwd,
            &["plan", "--format", "json", "--", "-detailed-exitcode"],
        )
        .env("FAKE_PLAN_EXIT", "2")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_cleaned(&fake);
}

#[test]
fn a_failed_terraform_writes_a_sarif_run_whose_invocation_failed() {
    let cwd = std::fs::canonicalize("testdata/plan-enrich").unwrap();
    let fake = Fake::new("tofu");
    let out = fake
        .command(&cwd, &["plan", "--terraform", "tofu", "--format", "sarif"])
        .env("FAKE_PLAN_EXIT", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let sarif = json(&out);
    if let Some(validator) = sarif_validator() {
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    let run = &sarif["runs"][0];
    assert_eq!(run["results"], serde_json::json!([]));
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0]["message"]["text"],
        "`tofu plan` failed with exit code 1: no plan to scan"
    );
    assert_cleaned(&fake);

    // gcc: one error line; human: the error on standard error only.
    let fake = Fake::new("terraform");
    let out = fake
        .command(&cwd, &["plan", "--format", "gcc"])
        .env("FAKE_SHOW_EXIT", "5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ".: error: `terraform show -json` failed with exit code 5: no plan to scan [terraform]\n"
    );
    let fake = Fake::new("terraform");
    let out = fake
        .command(&cwd, &["plan"])
        .env("FAKE_PLAN_EXIT", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    // Only terraform's own output on stdout (streamed through), no empty report.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Plan: 3 to add, 0 to change, 0 to destroy.\n"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .ends_with("error: `terraform plan` failed with exit code 1: no plan to scan\n")
    );
}

#[test]
fn the_terraform_program_is_chosen_by_flag_or_environment() {
    let cwd = std::fs::canonicalize("testdata/plan-enrich").unwrap();
    let fake = Fake::new("tofu");
    let out = fake
        .command(&cwd, &["plan", "--terraform", "tofu", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_cleaned(&fake);

    let fake = Fake::new("my-terraform");
    let out = fake
        .command(&cwd, &["plan", "--format", "json"])
        .env("PASSROLE_TERRAFORM", fake.bin().join("my-terraform"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_cleaned(&fake);

    // No such program: a usage error, nothing left behind.
    let out = fake
        .command(&cwd, &["plan", "--terraform", "no-such-terraform"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot run `no-such-terraform plan`: "),
        "{stderr}"
    );
}

#[test]
fn ctrl_c_removes_the_temporary_plan() {
    let fake = Fake::new("terraform");
    let cwd = std::fs::canonicalize("testdata/plan-enrich").unwrap();
    // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    let mut child = fake
        .command(&cwd, &["plan", "--format", "json"])
        .env("FAKE_PLAN_SLEEP", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !fake.log_text().contains("ready") {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "fake terraform never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pgid = child.id() as i32;
    // SAFETY: sends SIGINT to the process group of the child started above.
    let rc = unsafe { libc::kill(-pgid, libc::SIGINT) };
    assert_eq!(rc, 0);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(
        fake.log_text().contains("interrupted"),
        "terraform got the signal too"
    );
    assert_cleaned(&fake);
}

#[test]
fn machine_formats_keep_terraform_output_off_stdout() {
    let cwd = std::fs::canonicalize("testdata/plan-enrich").unwrap();
    let fake = Fake::new("terraform");
    let out = fake
        .command(&cwd, &["plan", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let sarif = json(&out);
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Plan: 3 to add"));
    assert_cleaned(&fake);

    let fake = Fake::new("terraform");
    let out = fake
        .command(&cwd, &["plan", "--format", "gcc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        assert!(
            line.starts_with("main.tf:") && line.ends_with(']'),
            "a gcc line: {line}"
        );
    }
    assert_cleaned(&fake);
}
