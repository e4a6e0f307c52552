//! The `passrole` command line. Only argument handling lives here; everything else is in the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use passrole::plan_run;
use passrole::report;
use passrole::rules::{self, Severity};
use passrole::scan::{ScanOptions, scan};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "passrole",
    version,
    about = "Finds iam:PassRole mistakes in Terraform, CloudFormation and Terraform plans"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// `path:line:col: severity: message [RULE]` lines for editors' problem matchers.
    Gcc,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Note => Severity::Note,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and directories (default: the current directory).
    Scan {
        paths: Vec<PathBuf>,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        input: InputArgs,
        /// The Terraform configuration of the plans scanned: findings of a plan then point at the
        /// `.tf` source (default: the plan's own directory, when it holds `.tf` files).
        #[arg(long, value_name = "DIR")]
        source: Option<PathBuf>,
    },
    /// Run `terraform plan` and `terraform show -json` here, then scan the plan with the `.tf` files.
    ///
    /// terraform's own output is streamed through (its standard output goes to standard error with
    /// `--format json`, `sarif` and `gcc`). Exit codes: 1 findings, 2 input errors, 3 terraform
    /// failed (standard error says which command, with its exit code).
    Plan {
        /// The terraform program (`tofu` for OpenTofu, or a path); default: `PASSROLE_TERRAFORM`,
        /// else `terraform`.
        #[arg(long, value_name = "BIN")]
        terraform: Option<String>,
        #[command(flatten)]
        report: ReportArgs,
        /// Arguments for `terraform plan`, after `--` (`passrole plan -- -var-file=prod.tfvars`).
        #[arg(last = true, value_name = "TERRAFORM ARGS")]
        args: Vec<String>,
    },
    /// Print the facts document that rule files are evaluated against.
    Model {
        paths: Vec<PathBuf>,
        #[command(flatten)]
        input: InputArgs,
    },
    /// List or explain the rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

/// What `scan` and `plan` share: the rules run, the report printed, and the exit code's threshold.
#[derive(Args)]
struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// A directory of extra Guard rule files (`*.guard`, with optional `*.toml` metadata beside).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
}

/// What may be read: the confinement root, ignore files, size limit.
#[derive(Args)]
struct InputArgs {
    /// Never open a file outside this directory (default: the Git work tree holding the scanned
    /// paths, else the paths themselves). Symlinks, module sources and file() paths are checked
    /// after resolving symlinks.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Skip what `.gitignore`, `.ignore` and `.git/info/exclude` list (default: scan everything
    /// Terraform and CloudFormation would deploy, whatever those files say).
    #[arg(long)]
    respect_gitignore: bool,
    /// The size limit of one input file, in bytes (plans may be up to 8 times larger).
    #[arg(long, value_name = "BYTES", default_value_t = passrole::source::reader::DEFAULT_MAX_FILE_BYTES)]
    max_file_size: u64,
    /// The name of standard input (the path `-`): its type by extension (`main.tf`, `app.yaml`)
    /// and the name findings point at; a `.tf` name is scanned with the rest of its module.
    /// Without it standard input must be a plan or a CloudFormation template.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
}

impl InputArgs {
    fn options(self, paths: Vec<PathBuf>) -> ScanOptions {
        ScanOptions {
            paths,
            root: self.root,
            walk: passrole::discover::WalkOptions {
                respect_gitignore: self.respect_gitignore,
            },
            max_file_bytes: Some(self.max_file_size),
            stdin_filename: self.stdin_filename,
            ..Default::default()
        }
    }
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List the built-in rules.
    List,
    /// Explain one rule: what it checks, why, how to fix it, and an example.
    Explain { id: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan {
            paths,
            report,
            input,
            source,
        } => {
            let result = scan(&ScanOptions {
                rule_dirs: report.rules,
                source,
                ..input.options(paths.clone())
            });
            warn_if_nothing_scanned(&result, &paths);
            ExitCode::from(report_and_code(&result, report.format, report.fail_on))
        }
        Command::Plan {
            terraform,
            report,
            args,
        } => {
            let ReportArgs {
                format,
                rules,
                fail_on,
            } = report;
            let terraform = plan_run::terraform_program(terraform);
            // The temporary plan is removed when `run` is dropped, before the process exits.
            let run = match plan_run::run(&terraform, &args, !matches!(format, Format::Human)) {
                Ok(run) => run,
                Err(e) => return plan_failed(&e, format),
            };
            let result = scan(&ScanOptions {
                paths: vec![run.json()],
                rule_dirs: rules,
                source: Some(PathBuf::from(".")),
                own_dir: Some(run.dir().to_path_buf()),
                ..Default::default()
            });
            let code = report_and_code(&result, format, fail_on);
            drop(run);
            if plan_run::interrupted() {
                return ExitCode::from(130);
            }
            ExitCode::from(code)
        }
        Command::Model { paths, input } => {
            let result = scan(&input.options(paths));
            print(&pretty(&result.facts.document.to_value()));
            for e in &result.errors {
                eprintln!("error[{}]: {e}", e.kind.as_str());
            }
            if result.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
        Command::Rules { command } => match command {
            RulesCommand::List => {
                let mut s = String::new();
                for r in rules::builtin() {
                    s.push_str(&format!(
                        "{}  {:<7}  {}\n",
                        r.meta.id,
                        r.meta.severity.as_str(),
                        r.meta.title
                    ));
                }
                print(&s);
                ExitCode::SUCCESS
            }
            RulesCommand::Explain { id } => match rules::builtin()
                .into_iter()
                .find(|r| r.meta.id.eq_ignore_ascii_case(&id))
            {
                Some(rule) => {
                    print(&rules::explain(&rule.meta));
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("error: no rule {id}; `passrole rules list` shows them");
                    ExitCode::from(2)
                }
            },
        },
    }
}

/// A scan that read no input says so on standard error: a gate pointed at the wrong directory
/// must not look like a clean one. The exit code stays 0 (as ruff's): a path that does not exist,
/// or a named file that is not an input, is an error already (2).
fn warn_if_nothing_scanned(result: &passrole::scan::ScanResult, paths: &[PathBuf]) {
    if result.files > 0 || !result.errors.is_empty() {
        return;
    }
    let shown: Vec<String> = if paths.is_empty() {
        vec![".".to_string()]
    } else {
        paths
            .iter()
            .map(|p| passrole::source::display_path(p))
            .collect()
    };
    eprintln!(
        "warning: no Terraform, CloudFormation or plan file found in {}",
        shown.join(", ")
    );
}

/// Prints the report of a scan and returns the exit code: 2 for input errors, 1 for findings at or
/// above `fail_on`, else 0.
fn report_and_code(result: &passrole::scan::ScanResult, format: Format, fail_on: FailOn) -> u8 {
    let text = match format {
        Format::Json => pretty(&report::json::render(result)),
        Format::Sarif => pretty(&report::sarif::render(result)),
        Format::Gcc => report::gcc::render(result),
        Format::Human => report::human::render(result),
    };
    print(&text);
    if !result.errors.is_empty() {
        2
    } else if report::failing(result, fail_on.into()) > 0 {
        1
    } else {
        0
    }
}

/// A JSON document as printed: indented, with a final newline.
fn pretty(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// `passrole plan` without a plan: the reason on standard error, and for the machine formats a
/// report whose only entry is that error (a SARIF run whose invocation failed, a JSON report with an
/// `errors` entry of kind `terraform` or `io`), so that an upload step finds a valid file. Exit 3
/// when terraform failed, 2 when it could not be run, 130 on Ctrl-C.
fn plan_failed(e: &plan_run::PlanError, format: Format) -> ExitCode {
    if *e == plan_run::PlanError::Interrupted {
        eprintln!("interrupted");
        return ExitCode::from(e.exit_code());
    }
    eprintln!("error: {e}");
    if !matches!(format, Format::Human) {
        let mut result = passrole::scan::scan_texts(Vec::new());
        result.errors.push(passrole::source::InputError {
            file: ".".into(),
            kind: match e {
                plan_run::PlanError::Terraform { .. } => passrole::source::ErrorKind::Terraform,
                _ => passrole::source::ErrorKind::Io,
            },
            message: e.to_string(),
            position: None,
        });
        report_and_code(&result, format, FailOn::Error);
    }
    ExitCode::from(e.exit_code())
}

/// Writes to stdout; a closed pipe (`passrole ... | head`) is not an error.
fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
