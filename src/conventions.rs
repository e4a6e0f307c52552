//! The conventions of the `passrole` command that are not about what is scanned: `--color`,
//! `-j/--threads`, shell completions and the man page. Part of the binary (`main.rs`), not of the
//! library.

use clap::{Args, ValueEnum};
use passrole::report::style::ColorChoice;
use std::num::NonZeroUsize;

/// `--color`.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum ColorWhen {
    /// Colour on a terminal, unless `NO_COLOR` (non-empty) or `TERM=dumb`; `FORCE_COLOR` forces it.
    #[default]
    Auto,
    /// Always colour, whatever the environment says.
    Always,
    /// Never colour.
    Never,
}

impl From<ColorWhen> for ColorChoice {
    fn from(c: ColorWhen) -> ColorChoice {
        match c {
            ColorWhen::Auto => ColorChoice::Auto,
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
        }
    }
}

/// How many threads a scan uses.
#[derive(Args)]
pub struct ThreadArgs {
    /// Scan with N threads (default: one per core; `-j 1` for profiling). The report is the same
    /// whatever N is.
    #[arg(short = 'j', long, value_name = "N")]
    threads: Option<NonZeroUsize>,
}

impl ThreadArgs {
    /// Sizes the thread pool every parallel step of the scan runs on. Called once, before the scan.
    pub fn apply(&self) -> Result<(), String> {
        let Some(n) = self.threads else {
            return Ok(());
        };
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.get())
            .build_global()
            .map_err(|e| format!("cannot start {n} threads: {e}"))
    }
}

/// The completion script of `shell` for `command` (`passrole completions bash`).
pub fn completions(shell: clap_complete::Shell, mut command: clap::Command) -> String {
    let mut out = Vec::new();
    let name = command.get_name().to_string();
    clap_complete::generate(shell, &mut command, name, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// One man page, passrole(1), for the whole command: its synopsis and global options, then a
/// section per subcommand (`PASSROLE SCAN`) with its synopsis, description and options. One file
/// is what a packager installs (`passrole man > passrole.1`) and what `man passrole` searches.
pub fn man_page(command: clap::Command) -> String {
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let page = clap_mangen::Man::new(command.clone());
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = page.render_title(&mut out);
    let _ = page.render_name_section(&mut out);
    let _ = page.render_synopsis_section(&mut out);
    let _ = page.render_description_section(&mut out);
    let _ = page.render_options_section(&mut out);
    for sub in leaf_subcommands(&command) {
        out.extend(subcommand_section(sub).into_bytes());
    }
    let _ = page.render_version_section(&mut out);
    once_preamble(&String::from_utf8_lossy(&out))
}

/// clap_mangen starts every part it renders with the same two-line preamble (the `Aq` string
/// for groff or other troffs); one page needs it once.
fn once_preamble(roff: &str) -> String {
    const PREAMBLE: [&str; 2] = [".ie \\n(.g .ds Aq \\(aq", ".el .ds Aq '"];
    let mut seen = [false; 2];
    let mut out = String::with_capacity(roff.len());
    for line in roff.lines() {
        // A preamble line is kept the first time only.
        if let Some(i) = PREAMBLE.iter().position(|p| *p == line)
            && std::mem::replace(&mut seen[i], true)
        {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The subcommands that run something (`scan`, `rules list`), in the order of `--help`.
fn leaf_subcommands(command: &clap::Command) -> Vec<&clap::Command> {
    let mut leaves = Vec::new();
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.has_subcommands() {
            leaves.extend(leaf_subcommands(sub));
        } else {
            leaves.push(sub);
        }
    }
    leaves
}

/// `.SH "PASSROLE SCAN"` with the subcommand's synopsis, description and options as subsections.
fn subcommand_section(sub: &clap::Command) -> String {
    let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
    let page = clap_mangen::Man::new(sub.clone());
    let mut body = Vec::new();
    let _ = page.render_synopsis_section(&mut body);
    let _ = page.render_description_section(&mut body);
    let _ = page.render_options_section(&mut body);
    // clap_mangen writes each part as a section of its own page; here they are subsections.
    // (Text lines never start with `.SH`: roff escapes a leading dot as `\&.`.)
    let body = String::from_utf8_lossy(&body);
    let mut out = format!(".SH \"{}\"\n", name.to_uppercase());
    for line in body.lines() {
        match line.strip_prefix(".SH ") {
            Some(heading) => out.push_str(&format!(".SS {heading}\n")),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}
