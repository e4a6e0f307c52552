//! `passrole plan`: runs `terraform plan -out=<tmp>` and `terraform show -json <tmp>` in the current
//! directory, so that the JSON can be scanned with the `.tf` files beside it.
//!
//! The plan file and its JSON live in a temporary directory that is removed when [`PlanRun`] is
//! dropped, whatever happens: terraform failing, `show` failing, or Ctrl-C. On Ctrl-C (SIGINT) or
//! SIGTERM, terraform, which is in the same process group, receives the signal itself and stops
//! cleanly; passrole only notes the signal, waits for terraform, removes the directory and exits with
//! 130 (128 + SIGINT) rather than dying with the directory left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when SIGINT or SIGTERM arrived while `passrole plan` ran.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The terraform to run: `--terraform`, else `PASSROLE_TERRAFORM`, else `terraform` on `PATH`.
pub fn terraform_program(flag: Option<String>) -> String {
    flag.or_else(|| std::env::var("PASSROLE_TERRAFORM").ok())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "terraform".to_string())
}

/// A plan written and shown as JSON, in a temporary directory removed on drop.
pub struct PlanRun {
    dir: tempfile::TempDir,
}

impl PlanRun {
    /// The `terraform show -json` output.
    pub fn json(&self) -> PathBuf {
        self.dir.path().join("plan.json")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Why no plan JSON was produced.
#[derive(Debug, PartialEq, Eq)]
pub enum PlanError {
    /// terraform ran and failed: which command (`terraform plan`, `terraform show -json`, with
    /// the program's name as given) and its exit code.
    Terraform { command: String, code: i32 },
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// terraform could not be started, or the temporary directory could not be made.
    Io(String),
}

/// The exit code of `passrole plan` when terraform failed: neither findings (1) nor input errors
/// (2), whatever terraform's own code was (terraform exits 1 on errors, like passrole on findings).
pub const TERRAFORM_FAILED: u8 = 3;

impl PlanError {
    pub fn exit_code(&self) -> u8 {
        match self {
            PlanError::Terraform { .. } => TERRAFORM_FAILED,
            PlanError::Interrupted => 130,
            PlanError::Io(_) => 2,
        }
    }
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Terraform { command, code } => {
                write!(
                    f,
                    "`{command}` failed with exit code {code}: no plan to scan"
                )
            }
            PlanError::Interrupted => write!(f, "interrupted"),
            PlanError::Io(m) => write!(f, "{m}"),
        }
    }
}

#[cfg(unix)]
extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Notes SIGINT and SIGTERM instead of dying of them, so that temporary files are removed. A handler
/// (not `SIG_IGN`) is installed, so terraform, once exec'd, gets the default disposition back.
fn catch_signals() {
    #[cfg(unix)]
    {
        let handler = on_signal as extern "C" fn(libc::c_int);
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            libc::signal(libc::SIGINT, handler as libc::sighandler_t);
            libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
        }
    }
}

/// Whether SIGINT or SIGTERM arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn exit_code(status: ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    1
}

/// terraform's standard output: passed through, or onto passrole's standard error when passrole's
/// own standard output must stay machine-readable.
fn terraform_stdout(to_stderr: bool) -> Stdio {
    #[cfg(unix)]
    if to_stderr {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() {
            return Stdio::from(fd);
        }
    }
    let _ = to_stderr;
    Stdio::inherit()
}

/// Runs `terraform plan -out=<tmp> ARGS...` then `terraform show -json <tmp>` in the current
/// directory. `-detailed-exitcode`'s 2 ("changes present") is a success.
pub fn run(terraform: &str, args: &[String], stdout_to_stderr: bool) -> Result<PlanRun, PlanError> {
    catch_signals();
    let dir = tempfile::Builder::new()
        .prefix("passrole-plan-")
        .tempdir()
        .map_err(|e| PlanError::Io(format!("cannot create a temporary directory: {e}")))?;
    let run = PlanRun { dir };
    let plan_file = run.dir().join("plan.tfplan");
    let start = |what: &str, e: std::io::Error| {
        PlanError::Io(format!("cannot run `{terraform} {what}`: {e}"))
    };

    let status = Command::new(terraform)
        .arg("plan")
        .arg(format!("-out={}", plan_file.display()))
        .args(args)
        .stdout(terraform_stdout(stdout_to_stderr))
        .status()
        .map_err(|e| start("plan", e))?;
    if interrupted() {
        return Err(PlanError::Interrupted);
    }
    let detailed = args.iter().any(|a| a == "-detailed-exitcode");
    let code = exit_code(status);
    if !(code == 0 || (detailed && code == 2)) {
        return Err(PlanError::Terraform {
            command: format!("{terraform} plan"),
            code,
        });
    }

    let json = std::fs::File::create(run.json())
        .map_err(|e| PlanError::Io(format!("cannot write the plan JSON: {e}")))?;
    let status = Command::new(terraform)
        .arg("show")
        .arg("-json")
        .arg(&plan_file)
        .stdout(Stdio::from(json))
        .status()
        .map_err(|e| start("show -json", e))?;
    if interrupted() {
        return Err(PlanError::Interrupted);
    }
    if !status.success() {
        return Err(PlanError::Terraform {
            command: format!("{terraform} show -json"),
            code: exit_code(status),
        });
    }
    Ok(run)
}
