//! The `passrole` command line. Only argument handling lives here; everything else is in the library.

mod args;

/// mimalloc instead of the system allocator: a scan allocates and frees many small values
/// (parse trees, facts, the rule engine's copies), and glibc's allocator was a third of the CPU
/// profile (BENCHMARKS.md, "Allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
mod conventions;

use args::{ConfigArgs, InputArgs, ReportArgs, SuppressArgs};
use clap::{CommandFactory, Parser, Subcommand};
use conventions::ThreadArgs;
use passrole::config;
use passrole::plan_run;
use passrole::report;
use passrole::report::output::write_report;
use passrole::report::style::Style;
use passrole::rules::{self, Severity};
use passrole::scan::{ScanOptions, scan};
use passrole::source::InputError;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "passrole",
    // With the commit when built from a Git checkout (build.rs).
    version = env!("PASSROLE_VERSION"),
    about = "Finds iam:PassRole mistakes in Terraform, CloudFormation and Terraform plans"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        suppress: SuppressArgs,
        /// The Terraform configuration of the plans scanned: findings of a plan then point at the
        /// `.tf` source (default: the plan's own directory, when it holds `.tf` files).
        #[arg(long, value_name = "DIR")]
        source: Option<PathBuf>,
        #[command(flatten)]
        threads: ThreadArgs,
    },
    /// Run `terraform plan` and `terraform show -json` here, then scan the plan with the `.tf` files.
    ///
    /// terraform's own output is streamed through (its standard output goes to standard error with
    /// a machine-read `--format` on standard output: `json`, `sarif`, `gcc`, `github`, `markdown`,
    /// `junit`, `gitlab`). Exit codes: 1 findings, 2 input errors, 3 terraform failed (standard
    /// error says which command, with its exit code).
    Plan {
        /// The terraform program (`tofu` for OpenTofu, or a path); default: `PASSROLE_TERRAFORM`,
        /// else `terraform`.
        #[arg(long, value_name = "BIN")]
        terraform: Option<String>,
        #[command(flatten)]
        report: ReportArgs,
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        suppress: SuppressArgs,
        #[command(flatten)]
        threads: ThreadArgs,
        /// Arguments for `terraform plan`, after `--` (`passrole plan -- -var-file=prod.tfvars`).
        #[arg(last = true, value_name = "TERRAFORM ARGS")]
        args: Vec<String>,
    },
    /// Print the facts document that rule files are evaluated against.
    Model {
        paths: Vec<PathBuf>,
        /// Print the JSON Schema of the facts document instead (what docs/facts.md describes).
        #[arg(long, conflicts_with = "paths")]
        schema: bool,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        threads: ThreadArgs,
    },
    /// Print the pass graph: principals, the roles they can pass, the services that trust those
    /// roles, with escalation paths (the role allows more than the principal, rule PR020) marked.
    Graph {
        paths: Vec<PathBuf>,
        /// `mermaid` (renders in GitHub Markdown), `dot` (Graphviz) or `json`.
        #[arg(long, value_enum, default_value = "mermaid")]
        format: passrole::report::graph::GraphFormat,
        /// Only the escalation paths.
        #[arg(long)]
        escalations_only: bool,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        threads: ThreadArgs,
    },
    /// Write a commented starting passrole.toml (every key, with its default).
    Init {
        /// The directory to write it in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Replace an existing passrole.toml.
        #[arg(long)]
        force: bool,
    },
    /// List or explain the rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print the completion script of a shell: bash, zsh, fish, powershell or elvish.
    ///
    /// bash: `passrole completions bash > ~/.local/share/bash-completion/completions/passrole`;
    /// zsh: `passrole completions zsh > _passrole` in a directory of `$fpath`; fish: `passrole
    /// completions fish > ~/.config/fish/completions/passrole.fish`.
    Completions { shell: clap_complete::Shell },
    /// Print the man page, in roff (`passrole man > passrole.1`).
    Man,
}

impl Command {
    /// The `-j/--threads` of the commands that scan.
    fn threads(&self) -> Option<&ThreadArgs> {
        match self {
            Command::Scan { threads, .. }
            | Command::Plan { threads, .. }
            | Command::Model { threads, .. }
            | Command::Graph { threads, .. } => Some(threads),
            _ => None,
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
    if let Some(Err(message)) = cli.command.threads().map(ThreadArgs::apply) {
        return usage_error(&message);
    }
    match cli.command {
        Command::Scan {
            paths,
            report,
            input,
            config,
            suppress,
            source,
            ..
        } => run_scan(paths, &report, input, &config, &suppress, source),
        Command::Plan {
            terraform,
            report,
            config,
            suppress,
            args,
            ..
        } => {
            let config = match config.load(&[PathBuf::from(".")], None) {
                Ok(c) => c,
                Err(e) => return config_error(&e),
            };
            let outputs = match report.outputs() {
                Ok(o) => o,
                Err(message) => return usage_error(&message),
            };
            // terraform's output goes to stderr when a program reads our standard output.
            let machine = outputs
                .iter()
                .any(|o| o.path.is_none() && o.format.is_machine());
            let terraform = plan_run::terraform_program(terraform);
            // The temporary plan is removed when `run` is dropped, before the process exits.
            let run = match plan_run::run(&terraform, &args, machine) {
                Ok(run) => run,
                Err(e) => return plan_failed(&e, &report),
            };
            let mut options = ScanOptions {
                paths: vec![run.json()],
                source: Some(PathBuf::from(".")),
                own_dir: Some(run.dir().to_path_buf()),
                ..Default::default()
            };
            report.apply(config.as_ref(), &mut options);
            let options = match suppress.apply(options, config.as_ref()) {
                Ok(o) => o,
                Err(message) => return usage_error(&message),
            };
            let result = scan(&options);
            suppress.report_stale(&result);
            let code = report_and_code(&result, &report, &[], report.threshold(config.as_ref()));
            drop(run);
            if plan_run::interrupted() {
                return ExitCode::from(130);
            }
            ExitCode::from(code)
        }
        Command::Model { schema: true, .. } => {
            match write_report(&pretty(&passrole::facts::schema()), None) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Model {
            paths,
            input,
            config,
            ..
        } => print_facts_view(paths, input, &config, |document| {
            pretty(&document.to_value())
        }),
        Command::Graph {
            paths,
            format,
            escalations_only,
            input,
            config,
            ..
        } => print_facts_view(paths, input, &config, |document| {
            passrole::report::graph::render(document, format, escalations_only)
        }),
        Command::Init { dir, force } => match config::write_init(&dir, force) {
            Ok(path) => {
                eprintln!(
                    "wrote {}: every key is commented out with its default",
                    passrole::source::display_path(&path)
                );
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        },
        Command::Rules { command } => match command {
            RulesCommand::List => {
                let mut s = String::new();
                for r in rules::builtin().into_iter().chain(rules::decided()) {
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
                .chain(rules::decided())
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
        Command::Completions { shell } => {
            print(&conventions::completions(shell, Cli::command()));
            ExitCode::SUCCESS
        }
        Command::Man => {
            print(&conventions::man_page(Cli::command()));
            ExitCode::SUCCESS
        }
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

/// `passrole scan`: passrole.toml, then the flags over it, then the scan and its report.
fn run_scan(
    paths: Vec<PathBuf>,
    report: &ReportArgs,
    input: InputArgs,
    config: &ConfigArgs,
    suppress: &SuppressArgs,
    source: Option<PathBuf>,
) -> ExitCode {
    // Reports that cannot all be written are refused before the scan, not after it.
    if let Err(message) = report.outputs() {
        return usage_error(&message);
    }
    let (config, mut options) = match input.with_config(paths, config) {
        Ok(loaded) => loaded,
        Err(e) => return config_error(&e),
    };
    report.apply(config.as_ref(), &mut options);
    options.source = source.or_else(|| config.as_ref().and_then(|c| c.source.clone()));
    let options = match suppress.apply(options, config.as_ref()) {
        Ok(o) => o,
        Err(message) => return usage_error(&message),
    };
    let result = scan(&options);
    if !result.skipped.is_empty() {
        eprintln!(
            "note: not a template or plan, not scanned (--skip-non-inputs): {}",
            result.skipped.join(", ")
        );
    }
    warn_if_nothing_scanned(&result, &options.paths);
    suppress.report_stale(&result);
    let threshold = report.threshold(config.as_ref());
    ExitCode::from(report_and_code(&result, report, &options.paths, threshold))
}

/// Flags that cannot be used together: the message, exit 2.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// `passrole model` and `passrole graph`: scan, print a view of the facts, report input errors
/// on standard error (exit 2 when there are any).
fn print_facts_view(
    paths: Vec<PathBuf>,
    input: InputArgs,
    config: &ConfigArgs,
    view: impl Fn(&passrole::facts::Document) -> String,
) -> ExitCode {
    let (config, mut options) = match input.with_config(paths, config) {
        Ok(loaded) => loaded,
        Err(e) => return config_error(&e),
    };
    options.catalog = config.and_then(|c| c.catalog);
    let result = scan(&options);
    if let Err(message) = write_report(&view(&result.facts.document), None) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    for e in &result.errors {
        eprintln!("error[{}]: {e}", e.kind.as_str());
    }
    if result.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// A configuration that cannot be used: the message, exit 2.
fn config_error(e: &InputError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

/// Writes the report of a scan and returns the exit code: 2 for input errors or a report that
/// could not be written, 1 for findings at or above `threshold` (None: never), else 0.
fn report_and_code(
    result: &passrole::scan::ScanResult,
    report: &ReportArgs,
    paths: &[PathBuf],
    threshold: Option<Severity>,
) -> u8 {
    let render_options = report.render_options(paths);
    let outputs = match report.outputs() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    let mut written = true;
    // Every report is written even when one fails: the SARIF upload must not lose its file
    // because the terminal went away.
    for o in &outputs {
        let options = report::RenderOptions {
            style: Style::detect(report.color.into(), o.path.is_none()),
            ..render_options.clone()
        };
        if let Err(message) =
            write_report(&o.format.render_with(result, &options), o.path.as_deref())
        {
            eprintln!("error: {message}");
            written = false;
        }
    }
    // The job summary goes with the annotations (`--format github`, GITHUB_STEP_SUMMARY set).
    let formats: Vec<report::Format> = outputs.iter().map(|o| o.format).collect();
    if let Err(message) = report::summary::append_step_summary(result, &formats) {
        eprintln!("error: {message}");
        written = false;
    }
    if !written {
        return 2;
    }
    if !result.errors.is_empty() {
        2
    } else if threshold.is_some_and(|t| report::failing(result, t) > 0) {
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
fn plan_failed(e: &plan_run::PlanError, report: &ReportArgs) -> ExitCode {
    if *e == plan_run::PlanError::Interrupted {
        eprintln!("interrupted");
        return ExitCode::from(e.exit_code());
    }
    eprintln!("error: {e}");
    if report.format.iter().any(|o| o.format.is_machine()) {
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
        report_and_code(&result, report, &[], None);
    }
    ExitCode::from(e.exit_code())
}

/// Writes to stdout; a closed pipe (`passrole ... | head`) is not an error. Other write errors
/// are ignored here: this prints help text, not a report.
fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
