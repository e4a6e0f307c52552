//! The conventions users expect of a command-line tool: `--version` with the commit, shell
//! completions, the man page, `--color` and the colour variables, the terminal's width, `-j`, and
//! a summary line in good English.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// passrole in `dir`, in an environment without the variables these tests are about.
fn passrole(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_passrole"));
    c.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("COLUMNS")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null());
    c
}

fn run(command: &mut Command) -> (String, i32) {
    let out: Output = command.output().expect("passrole runs");
    (
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

/// A directory with one finding: a Lambda function passed a role that only EC2 may assume.
fn one_finding() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"resource "aws_iam_role" "worker" {
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

resource "aws_lambda_function" "resize" {
  function_name = "resize"
  role          = aws_iam_role.worker.arn
}
"#,
    )
    .unwrap();
    dir
}

/// The report of [`one_finding`] at 120 columns, without colour.
const ONE_FINDING_AT_120: &str = "\
error[PR001]

  × aws_lambda_function.resize passes aws_iam_role.worker to AWS Lambda, but the role's trust policy does not trust
  │ lambda.amazonaws.com (it trusts: ec2.amazonaws.com) (aws_lambda_function.resize)
    ╭─[main.tf:15:19]
 15 │   role          = aws_iam_role.worker.arn
    ·                   ───────────┬───────────
    ·                              ╰── Passed role does not trust the service it is passed to
    ╰────
  help: Make the role's trust policy trust the principal of the service it is passed to, or pass a role that does.
  ╰─▶   ☞ aws_iam_role.worker trusts ec2.amazonaws.com
         ╭─[main.tf:8:31]
       8 │       Principal = { Service = \"ec2.amazonaws.com\" }
         ·                               ───────────────────
         ╰────

1 file scanned: 1 error, 0 warnings, 0 notes; 0 input errors
";

fn strip_colour(text: &str) -> String {
    regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(text, "")
        .into_owned()
}

#[test]
fn a_pipe_gets_the_plain_report_with_the_severity_as_a_word_and_a_singular_summary() {
    let dir = one_finding();
    let (out, code) = run(passrole(dir.path()).arg("scan"));
    assert_eq!(out, ONE_FINDING_AT_120);
    assert_eq!(code, 1);
}

#[test]
fn color_always_colours_a_pipe_and_changes_nothing_else() {
    let dir = one_finding();
    let (out, _) = run(passrole(dir.path()).args(["scan", "--color", "always"]));
    assert!(out.contains("\x1b["), "{out}");
    assert_eq!(strip_colour(&out), ONE_FINDING_AT_120);
    // ... whatever the environment says.
    let (out, _) = run(passrole(dir.path())
        .args(["scan", "--color", "always"])
        .env("NO_COLOR", "1")
        .env("TERM", "dumb"));
    assert!(out.contains("\x1b["), "{out}");
}

#[test]
fn force_color_colours_a_pipe_unless_the_flag_says_never() {
    let dir = one_finding();
    let (out, _) = run(passrole(dir.path()).arg("scan").env("FORCE_COLOR", "1"));
    assert_eq!(strip_colour(&out), ONE_FINDING_AT_120);
    assert!(out.contains("\x1b["), "{out}");
    for (value, flag) in [("0", "auto"), ("", "auto"), ("1", "never")] {
        let (out, _) = run(passrole(dir.path())
            .args(["scan", "--color", flag])
            .env("FORCE_COLOR", value));
        assert_eq!(
            out, ONE_FINDING_AT_120,
            "FORCE_COLOR={value:?} --color {flag}"
        );
    }
}

#[test]
fn a_report_file_is_plain_unless_the_flag_says_always() {
    let dir = one_finding();
    let (_, code) = run(passrole(dir.path())
        .args(["scan", "--format", "human=auto.txt", "--format", "json"])
        .env("FORCE_COLOR", "1"));
    assert_eq!(code, 1);
    let auto = std::fs::read_to_string(dir.path().join("auto.txt")).unwrap();
    assert_eq!(auto, ONE_FINDING_AT_120);
    run(passrole(dir.path()).args(["scan", "--color", "always", "--format", "human=always.txt"]));
    let always = std::fs::read_to_string(dir.path().join("always.txt")).unwrap();
    assert!(always.contains("\x1b["), "{always}");
    assert_eq!(strip_colour(&always), ONE_FINDING_AT_120);
}

#[test]
fn an_unknown_color_or_zero_threads_is_a_usage_error() {
    let dir = one_finding();
    for args in [["scan", "--color", "sometimes"], ["scan", "-j", "0"]] {
        let out = passrole(dir.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn one_thread_gives_the_same_reports_as_many() {
    let root = std::env::current_dir().unwrap();
    for format in ["json", "human"] {
        let report = |threads: Option<&str>| {
            let mut c = passrole(&root);
            c.args(["scan", "--format", format, "testdata"]);
            if let Some(n) = threads {
                c.args(["-j", n]);
            }
            run(&mut c)
        };
        let (one, code) = report(Some("1"));
        assert!(one.len() > 10_000, "the fixtures give a long report");
        assert_eq!(report(Some("3")), (one.clone(), code), "{format}");
        assert_eq!(report(None), (one, code), "{format}");
    }
    // `model` takes it too.
    let (facts, code) = run(passrole(&root).args(["model", "-j", "1", "testdata/example"]));
    assert_eq!(code, 0);
    assert_eq!(
        run(passrole(&root).args(["model", "testdata/example"])),
        (facts, 0)
    );
}

#[test]
fn version_names_the_commit_when_built_from_git() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (out, code) = run(passrole(root).arg("--version"));
    assert_eq!(code, 0);
    let version = env!("CARGO_PKG_VERSION");
    if !root.join(".git").exists() {
        // A source tarball: the version alone.
        assert_eq!(out, format!("passrole {version}\n"));
        return;
    }
    let git = Command::new("git")
        .current_dir(root)
        .args([
            "-c",
            "log.showSignature=false",
            "log",
            "-1",
            "--date=short",
            "--format=%h %cd",
        ])
        .output()
        .expect("git runs in a Git checkout");
    let commit = String::from_utf8(git.stdout).unwrap();
    let commit = commit.trim();
    assert!(
        regex::Regex::new(r"^[0-9a-f]{7,} \d{4}-\d\d-\d\d$")
            .unwrap()
            .is_match(commit),
        "{commit:?}"
    );
    assert_eq!(out, format!("passrole {version} ({commit})\n"));
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (bash, code) = run(passrole(root).args(["completions", "bash"]));
    assert_eq!(code, 0);
    assert!(
        bash.contains(
            "opts=\"-h -V --help --version scan plan model graph init rules completions man help\""
        ),
        "{bash}"
    );
    assert!(bash.contains("--fail-on"), "scan's options are completed");
    let markers = [
        ("zsh", "#compdef passrole\n"),
        (
            "fish",
            "complete -c passrole -n \"__fish_passrole_needs_command\" -f -a \"scan\"",
        ),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName 'passrole'",
        ),
        ("elvish", "set edit:completion:arg-completer[passrole]"),
    ];
    for (shell, marker) in markers {
        let (script, code) = run(passrole(root).args(["completions", shell]));
        assert_eq!(code, 0, "{shell}");
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("fail-on"), "{shell}");
    }
}

#[test]
fn the_man_page_has_every_subcommand_and_its_options() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (page, code) = run(passrole(root).arg("man"));
    assert_eq!(code, 0);
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        page.contains(&format!(".TH passrole 1  \"passrole {version}")),
        "{page}"
    );
    let sections: Vec<&str> = page.lines().filter(|l| l.starts_with(".SH ")).collect();
    assert_eq!(
        sections,
        [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH OPTIONS",
            ".SH \"PASSROLE SCAN\"",
            ".SH \"PASSROLE PLAN\"",
            ".SH \"PASSROLE MODEL\"",
            ".SH \"PASSROLE GRAPH\"",
            ".SH \"PASSROLE INIT\"",
            ".SH \"PASSROLE RULES LIST\"",
            ".SH \"PASSROLE RULES EXPLAIN\"",
            ".SH \"PASSROLE COMPLETIONS\"",
            ".SH \"PASSROLE MAN\"",
            ".SH VERSION",
        ]
    );
    let scan = &page
        [page.find(".SH \"PASSROLE SCAN\"").unwrap()..page.find(".SH \"PASSROLE PLAN\"").unwrap()];
    for option in [
        "\\-\\-format",
        "\\-\\-fail\\-on",
        "\\-\\-color",
        "\\-\\-threads",
        "\\-\\-baseline",
    ] {
        assert!(
            scan.contains(&format!("\\fB{option}\\fR")),
            "{option}: {scan}"
        );
    }
    // The roff preamble once, not once per part.
    assert_eq!(page.matches(".el .ds Aq '").count(), 1);
}

/// The terminal tests: passrole's standard output is a pseudo-terminal of a given width.
#[cfg(unix)]
mod terminal {
    use super::*;
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};

    /// What passrole prints on a terminal of `columns` columns, run in `dir` with `args` and the
    /// variables `vars` (`\r\n` turned back into `\n`).
    fn on_terminal(dir: &Path, args: &[&str], vars: &[(&str, &str)], columns: u16) -> String {
        let (mut master, mut slave) = (-1, -1);
        let size = libc::winsize {
            ws_row: 50,
            ws_col: columns,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors; the name and termios pointers may be null.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty");
        // SAFETY: both descriptors were just opened and are owned here alone.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut command = passrole(dir);
        command
            .args(args)
            .envs(vars.iter().copied())
            .stdout(Stdio::from(slave))
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("passrole runs");
        // The command holds the terminal's other end: the read below ends only when every copy
        // of it is closed.
        drop(command);
        let mut reader = std::fs::File::from(master);
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 4096];
        // Linux reports EIO on the master once the child has closed the terminal.
        while let Ok(n @ 1..) = reader.read(&mut chunk) {
            bytes.extend_from_slice(&chunk[..n]);
        }
        child.wait().unwrap();
        String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
    }

    #[test]
    fn a_terminal_gets_colour_unless_no_color_or_a_dumb_terminal() {
        let dir = one_finding();
        let coloured = on_terminal(dir.path(), &["scan"], &[], 120);
        assert!(coloured.contains("\x1b["), "{coloured}");
        assert_eq!(strip_colour(&coloured), ONE_FINDING_AT_120);
        for (name, value) in [("NO_COLOR", "1"), ("TERM", "dumb")] {
            let plain = on_terminal(dir.path(), &["scan"], &[(name, value)], 120);
            assert_eq!(plain, ONE_FINDING_AT_120, "{name}={value}");
        }
        // NO_COLOR= (empty) is not a refusal.
        let empty = on_terminal(dir.path(), &["scan"], &[("NO_COLOR", "")], 120);
        assert!(empty.contains("\x1b["), "{empty}");
    }

    /// The report of [`one_finding`] at 80 columns.
    const ONE_FINDING_AT_80: &str = "\
error[PR001]

  × aws_lambda_function.resize passes aws_iam_role.worker to AWS Lambda, but
  │ the role's trust policy does not trust lambda.amazonaws.com (it trusts:
  │ ec2.amazonaws.com) (aws_lambda_function.resize)
    ╭─[main.tf:15:19]
 15 │   role          = aws_iam_role.worker.arn
    ·                   ───────────┬───────────
    ·                              ╰── Passed role does not trust the service it is passed to
    ╰────
  help: Make the role's trust policy trust the principal of the service it is
        passed to, or pass a role that does.
  ╰─▶   ☞ aws_iam_role.worker trusts ec2.amazonaws.com
         ╭─[main.tf:8:31]
       8 │       Principal = { Service = \"ec2.amazonaws.com\" }
         ·                               ───────────────────
         ╰────

1 file scanned: 1 error, 0 warnings, 0 notes; 0 input errors
";

    #[test]
    fn the_report_wraps_at_the_terminal_width_or_columns() {
        let dir = one_finding();
        let never = ["scan", "--color", "never"];
        let narrow = on_terminal(dir.path(), &never, &[], 80);
        assert_eq!(narrow, ONE_FINDING_AT_80);
        // COLUMNS says otherwise: it wins, as for `ls`.
        let wide = on_terminal(dir.path(), &never, &[("COLUMNS", "120")], 80);
        assert_eq!(wide, ONE_FINDING_AT_120);
    }
}
