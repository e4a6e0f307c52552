//! The `passrole` command line. Only argument handling lives here; everything else is in the library.

use clap::{Parser, Subcommand, ValueEnum};
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
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// A directory of extra Guard rule files (`*.guard`, with optional `*.toml` metadata beside).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// The lowest severity that makes the exit code 1.
        #[arg(long, value_enum, default_value = "error")]
        fail_on: FailOn,
        /// The Terraform configuration of the plans scanned: findings of a plan then point at the
        /// `.tf` source (default: the plan's own directory, when it holds `.tf` files).
        #[arg(long, value_name = "DIR")]
        source: Option<PathBuf>,
    },
    /// Print the facts document that rule files are evaluated against.
    Model { paths: Vec<PathBuf> },
    /// List or explain the rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
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
            format,
            rules,
            fail_on,
            source,
        } => {
            let result = scan(&ScanOptions {
                paths,
                rule_dirs: rules,
                source,
            });
            let text = match format {
                Format::Json => {
                    let mut s = serde_json::to_string_pretty(&report::json::render(&result))
                        .unwrap_or_default();
                    s.push('\n');
                    s
                }
                Format::Human => report::human::render(&result),
            };
            print(&text);
            if !result.errors.is_empty() {
                ExitCode::from(2)
            } else if report::failing(&result, fail_on.into()) > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Model { paths } => {
            let result = scan(&ScanOptions {
                paths,
                ..Default::default()
            });
            let mut s = serde_json::to_string_pretty(&result.facts.document).unwrap_or_default();
            s.push('\n');
            print(&s);
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

/// Writes to stdout; a closed pipe (`passrole ... | head`) is not an error.
fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
