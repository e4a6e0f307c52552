//! The `passrole` command line. Only argument handling lives here; everything else is in the library.

mod conventions;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use conventions::{ColorWhen, ThreadArgs};
use passrole::config::{self, Config};
use passrole::plan_run;
use passrole::report;
use passrole::report::output::{OutputSpec, plan_outputs, write_report};
use passrole::report::style::Style;
use passrole::rules::{self, Severity};
use passrole::scan::{ScanOptions, scan};
use passrole::source::InputError;
use std::io::Write;
use std::path::{Path, PathBuf};
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

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    /// Report findings, exit 0 (input errors still exit 2).
    Never,
}

impl From<FailOn> for config::FailOn {
    fn from(f: FailOn) -> config::FailOn {
        match f {
            FailOn::Error => config::FailOn::Error,
            FailOn::Warning => config::FailOn::Warning,
            FailOn::Note => config::FailOn::Note,
            FailOn::Never => config::FailOn::Never,
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
            | Command::Model { threads, .. } => Some(threads),
            _ => None,
        }
    }
}

/// What `scan` and `plan` share: the rules run, the report printed, and the exit code's threshold.
#[derive(Args)]
struct ReportArgs {
    /// A report to write: `human` (default), `json`, `sarif`, `gcc`, `github` (annotations, and
    /// the job summary when GITHUB_STEP_SUMMARY is set), `markdown`, `junit` or `gitlab`;
    /// `FORMAT=FILE` writes it
    /// to FILE. Repeat it to write several reports from one scan (`--format gcc --format
    /// sarif=passrole.sarif`); at most one goes to standard output.
    #[arg(long, value_name = "FORMAT[=FILE]")]
    format: Vec<OutputSpec>,
    /// A directory of extra Guard rule files (`*.guard`, with optional `*.toml` metadata beside).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// The lowest severity that makes the exit code 1 (default: `fail-on` of passrole.toml, else
    /// error).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Run only these rules: ids or prefixes (`PR01`), comma-separated or repeated; replaces
    /// `select` of passrole.toml.
    #[arg(long, value_name = "IDS")]
    select: Vec<String>,
    /// Do not run these rules: ids or prefixes, comma-separated or repeated (applied after
    /// passrole.toml's `select` and `ignore`).
    #[arg(long, value_name = "IDS")]
    ignore: Vec<String>,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Colour in the human report: `auto` on a terminal, unless `NO_COLOR` is set (non-empty) or
    /// `TERM=dumb`; `FORCE_COLOR` turns it on. The flag wins over the environment.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// The SARIF analysis category (`runs[0].automationDetails.id`), so that several passrole runs
    /// on one commit (one per directory) keep their own code scanning alerts (default:
    /// `passrole/` and the scanned paths).
    #[arg(long, value_name = "NAME")]
    sarif_category: Option<String>,
}

impl ReportArgs {
    /// The reports to write (`--format`, `-o`).
    fn outputs(&self) -> Result<Vec<OutputSpec>, String> {
        plan_outputs(&self.format, self.output.as_deref())
    }

    /// What the reports of a scan of `paths` need beyond the result.
    fn render_options(&self, paths: &[PathBuf]) -> report::RenderOptions {
        report::RenderOptions {
            sarif_category: Some(
                self.sarif_category
                    .clone()
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| report::sarif::default_category(paths)),
            ),
            ..Default::default()
        }
    }

    /// The exit code threshold: the flag, else the file's, else error (None: never fail).
    fn threshold(&self, config: Option<&Config>) -> Option<Severity> {
        self.fail_on
            .map(config::FailOn::from)
            .or(config.and_then(|c| c.fail_on))
            .unwrap_or(config::FailOn::Error)
            .threshold()
    }

    /// The file's rule settings with the flags' layer on top.
    fn rule_settings(&self, config: Option<&Config>) -> config::RuleSettings {
        let mut settings = config::RuleSettings::default();
        if let Some(c) = config {
            settings.layers.push(c.selection.clone());
            settings.severity = c.severity.clone();
        }
        if !self.select.is_empty() || !self.ignore.is_empty() {
            settings.layers.push(config::SelectionLayer {
                select: (!self.select.is_empty())
                    .then(|| config::flag_selectors(&self.select, "--select")),
                ignore: config::flag_selectors(&self.ignore, "--ignore"),
            });
        }
        settings
    }

    /// The settings of passrole.toml and these flags that every scan shares.
    fn apply(&self, config: Option<&Config>, options: &mut ScanOptions) {
        options.rule_dirs = self.rules.clone();
        options.rule_settings = self.rule_settings(config);
        if let Some(c) = config {
            options.catalog = c.catalog.clone();
            options.allow = c.allow.clone();
        }
    }
}

/// Which passrole.toml applies.
#[derive(Args)]
struct ConfigArgs {
    /// The configuration file (default: passrole.toml in the scanned directory or a parent, up
    /// to the repository root).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long)]
    no_config: bool,
}

impl ConfigArgs {
    /// The configuration of a scan of `paths`, if any. `root`: the scan's `--root`, when given.
    fn load(&self, paths: &[PathBuf], root: Option<&Path>) -> Result<Option<Config>, InputError> {
        if self.no_config {
            return Ok(None);
        }
        if let Some(path) = &self.config {
            return config::load(path, None).map(Some);
        }
        let Some(found) = config::find(paths) else {
            return Ok(None);
        };
        // A discovered file is read inside the scan's root: a committed symlink cannot make
        // passrole read (and quote in an error) a file outside the repository.
        let root = match root {
            Some(r) => r.canonicalize().unwrap_or_else(|_| r.to_path_buf()),
            None => passrole::source::reader::common_root(paths),
        };
        let config = config::load(&found, Some(&root))?;
        config.check_paths_inside(&root)?;
        Ok(Some(config))
    }
}

/// Suppressions and the baseline (docs/suppressions.md).
#[derive(Args)]
struct SuppressArgs {
    /// Report `passrole:ignore` comments and `Metadata` ignore entries that match no finding (PR091).
    #[arg(long)]
    report_unused_ignores: bool,
    /// Leave out the findings whose fingerprint is in this baseline file (they count as suppressed).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write the findings of this scan to a baseline file (sorted JSON), then report as if scanning
    /// with it.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// List the baseline entries that match no finding any more (stale) on standard error (with
    /// `--baseline` or passrole.toml's `baseline`).
    #[arg(long)]
    baseline_report: bool,
}

impl SuppressArgs {
    /// These settings on top of `options`; the baseline is the flag's, else passrole.toml's.
    fn apply(&self, options: ScanOptions, config: Option<&Config>) -> Result<ScanOptions, String> {
        let options = ScanOptions {
            report_unused_ignores: self.report_unused_ignores,
            baseline: self
                .baseline
                .clone()
                .or_else(|| config.and_then(|c| c.baseline.clone())),
            write_baseline: self.write_baseline.clone(),
            ..options
        };
        if self.baseline_report && options.baseline.is_none() {
            return Err("--baseline-report needs a baseline: --baseline <FILE>, or `baseline` in passrole.toml".into());
        }
        Ok(options)
    }

    /// With `--baseline-report`: the stale entries of the baseline, on standard error.
    fn report_stale(&self, result: &passrole::scan::ScanResult) {
        let (true, Some(b)) = (self.baseline_report, &result.baseline) else {
            return;
        };
        let mut s = format!(
            "baseline {}: {} finding(s) matched, {} stale entr{}\n",
            b.file,
            b.matched,
            b.stale.len(),
            if b.stale.len() == 1 { "y" } else { "ies" }
        );
        for e in &b.stale {
            s.push_str(&format!(
                "stale: {} {} {} {}: {}\n",
                e.fingerprint, e.rule, e.file, e.resource, e.message
            ));
        }
        eprint!("{s}");
    }
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
    /// Scan what ignore files list (overrides `respect-gitignore = true` of passrole.toml).
    #[arg(long, overrides_with = "respect_gitignore")]
    no_respect_gitignore: bool,
    /// The size limit of one input file, in bytes (plans may be up to 8 times larger).
    #[arg(long, value_name = "BYTES", default_value_t = passrole::source::reader::DEFAULT_MAX_FILE_BYTES)]
    max_file_size: u64,
    /// Do not scan paths matching GLOB (gitignore syntax, relative to the current directory;
    /// repeated; added to `exclude` of passrole.toml).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// The name of standard input (the path `-`): its type by extension (`main.tf`, `app.yaml`)
    /// and the name findings point at; a `.tf` name is scanned with the rest of its module.
    /// Without it standard input must be a plan or a CloudFormation template.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Skip named JSON/YAML files that are not a template or plan, with a note on standard error,
    /// instead of failing on them (for pre-commit, which names every staged `.yaml` and `.json`).
    #[arg(long)]
    skip_non_inputs: bool,
}

impl InputArgs {
    fn options(
        self,
        paths: Vec<PathBuf>,
        config: Option<&Config>,
    ) -> Result<ScanOptions, InputError> {
        let respect_gitignore = if self.respect_gitignore {
            true
        } else if self.no_respect_gitignore {
            false
        } else {
            config.and_then(|c| c.respect_gitignore).unwrap_or(false)
        };
        let mut exclude = config::Excludes::default();
        if let Some(c) = config {
            exclude.add(&c.dir(), &c.exclude)?;
        }
        let flags: Vec<(String, config::Origin)> = self
            .exclude
            .into_iter()
            .map(|g| (g, config::Origin::flag("--exclude")))
            .collect();
        exclude.add(Path::new("."), &flags)?;
        Ok(ScanOptions {
            paths,
            root: self.root,
            walk: passrole::discover::WalkOptions { respect_gitignore },
            max_file_bytes: Some(self.max_file_size),
            exclude,
            stdin_filename: self.stdin_filename,
            skip_non_inputs: self.skip_non_inputs,
            ..Default::default()
        })
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
        Command::Model {
            paths,
            input,
            config,
            ..
        } => {
            let config = match config.load(&paths, input.root.as_deref()) {
                Ok(c) => c,
                Err(e) => return config_error(&e),
            };
            let mut options = match input.options(paths, config.as_ref()) {
                Ok(o) => o,
                Err(e) => return config_error(&e),
            };
            options.catalog = config.and_then(|c| c.catalog);
            let result = scan(&options);
            if let Err(message) = write_report(&pretty(&result.facts.document.to_value()), None) {
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
    let config = match config.load(&paths, input.root.as_deref()) {
        Ok(c) => c,
        Err(e) => return config_error(&e),
    };
    let mut options = match input.options(paths, config.as_ref()) {
        Ok(o) => o,
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
