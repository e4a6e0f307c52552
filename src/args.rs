//! The command line's shared argument groups (report, configuration, suppressions, input) and how
//! each turns into scan options. `main.rs` holds the commands and what they run.

use crate::conventions::ColorWhen;
use clap::{Args, ValueEnum};
use passrole::config::{self, Config};
use passrole::report;
use passrole::report::output::{OutputSpec, plan_outputs};
use passrole::rules::Severity;
use passrole::scan::ScanOptions;
use passrole::source::InputError;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FailOn {
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

/// What `scan` and `plan` share: the rules run, the report printed, and the exit code's threshold.
#[derive(Args)]
pub(crate) struct ReportArgs {
    /// A report to write: `human` (default), `json`, `sarif`, `gcc`, `github` (annotations, and
    /// the job summary when GITHUB_STEP_SUMMARY is set), `markdown`, `junit` or `gitlab`;
    /// `FORMAT=FILE` writes it
    /// to FILE. Repeat it to write several reports from one scan (`--format gcc --format
    /// sarif=passrole.sarif`); at most one goes to standard output.
    #[arg(long, value_name = "FORMAT[=FILE]")]
    pub(crate) format: Vec<OutputSpec>,
    /// A directory of extra Guard rule files (`*.guard`, with optional `*.toml` metadata beside).
    #[arg(long = "rules", value_name = "DIR")]
    pub(crate) rules: Vec<PathBuf>,
    /// The lowest severity that makes the exit code 1 (default: `fail-on` of passrole.toml, else
    /// error).
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<FailOn>,
    /// Run only these rules: ids or prefixes (`PR01`), comma-separated or repeated; replaces
    /// `select` of passrole.toml.
    #[arg(long, value_name = "IDS")]
    pub(crate) select: Vec<String>,
    /// Do not run these rules: ids or prefixes, comma-separated or repeated (applied after
    /// passrole.toml's `select` and `ignore`).
    #[arg(long, value_name = "IDS")]
    pub(crate) ignore: Vec<String>,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Colour in the human report: `auto` on a terminal, unless `NO_COLOR` is set (non-empty) or
    /// `TERM=dumb`; `FORCE_COLOR` turns it on. The flag wins over the environment.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub(crate) color: ColorWhen,
    /// The SARIF analysis category (`runs[0].automationDetails.id`), so that several passrole runs
    /// on one commit (one per directory) keep their own code scanning alerts (default:
    /// `passrole/` and the scanned paths).
    #[arg(long, value_name = "NAME")]
    pub(crate) sarif_category: Option<String>,
}

impl ReportArgs {
    /// The reports to write (`--format`, `-o`).
    pub(crate) fn outputs(&self) -> Result<Vec<OutputSpec>, String> {
        plan_outputs(&self.format, self.output.as_deref())
    }

    /// What the reports of a scan of `paths` need beyond the result.
    pub(crate) fn render_options(&self, paths: &[PathBuf]) -> report::RenderOptions {
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
    pub(crate) fn threshold(&self, config: Option<&Config>) -> Option<Severity> {
        self.fail_on
            .map(config::FailOn::from)
            .or(config.and_then(|c| c.fail_on))
            .unwrap_or(config::FailOn::Error)
            .threshold()
    }

    /// The file's rule settings with the flags' layer on top.
    pub(crate) fn rule_settings(&self, config: Option<&Config>) -> config::RuleSettings {
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
    pub(crate) fn apply(&self, config: Option<&Config>, options: &mut ScanOptions) {
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
pub(crate) struct ConfigArgs {
    /// The configuration file (default: passrole.toml in the scanned directory or a parent, up
    /// to the repository root).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub(crate) config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long)]
    pub(crate) no_config: bool,
}

impl ConfigArgs {
    /// The configuration of a scan of `paths`, if any. `root`: the scan's `--root`, when given.
    pub(crate) fn load(
        &self,
        paths: &[PathBuf],
        root: Option<&Path>,
    ) -> Result<Option<Config>, InputError> {
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
pub(crate) struct SuppressArgs {
    /// Report `passrole:ignore` comments and `Metadata` ignore entries that match no finding (PR091).
    #[arg(long)]
    pub(crate) report_unused_ignores: bool,
    /// Leave out the findings whose fingerprint is in this baseline file (they count as suppressed).
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Write the findings of this scan to a baseline file (sorted JSON), then report as if scanning
    /// with it.
    #[arg(long, value_name = "FILE")]
    pub(crate) write_baseline: Option<PathBuf>,
    /// List the baseline entries that match no finding any more (stale) on standard error (with
    /// `--baseline` or passrole.toml's `baseline`).
    #[arg(long)]
    pub(crate) baseline_report: bool,
}

impl SuppressArgs {
    /// These settings on top of `options`; the baseline is the flag's, else passrole.toml's.
    pub(crate) fn apply(
        &self,
        options: ScanOptions,
        config: Option<&Config>,
    ) -> Result<ScanOptions, String> {
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
    pub(crate) fn report_stale(&self, result: &passrole::scan::ScanResult) {
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
pub(crate) struct InputArgs {
    /// Never open a file outside this directory (default: the Git work tree holding the scanned
    /// paths, else the paths themselves). Symlinks, module sources and file() paths are checked
    /// after resolving symlinks.
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
    /// Skip what `.gitignore`, `.ignore` and `.git/info/exclude` list (default: scan everything
    /// Terraform and CloudFormation would deploy, whatever those files say).
    #[arg(long)]
    pub(crate) respect_gitignore: bool,
    /// Scan what ignore files list (overrides `respect-gitignore = true` of passrole.toml).
    #[arg(long, overrides_with = "respect_gitignore")]
    pub(crate) no_respect_gitignore: bool,
    /// The size limit of one input file, in bytes (plans may be up to 8 times larger).
    #[arg(long, value_name = "BYTES", default_value_t = passrole::source::reader::DEFAULT_MAX_FILE_BYTES)]
    pub(crate) max_file_size: u64,
    /// Do not scan paths matching GLOB (gitignore syntax, relative to the current directory;
    /// repeated; added to `exclude` of passrole.toml).
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    /// The name of standard input (the path `-`): its type by extension (`main.tf`, `app.yaml`)
    /// and the name findings point at; a `.tf` name is scanned with the rest of its module.
    /// Without it standard input must be a plan or a CloudFormation template.
    #[arg(long, value_name = "NAME")]
    pub(crate) stdin_filename: Option<PathBuf>,
    /// Skip named JSON/YAML files that are not a template or plan, with a note on standard error,
    /// instead of failing on them (for pre-commit, which names every staged `.yaml` and `.json`).
    #[arg(long)]
    pub(crate) skip_non_inputs: bool,
}

impl InputArgs {
    /// The passrole.toml of a scan of `paths` (`config`) and the input options from it and these
    /// flags.
    pub(crate) fn with_config(
        self,
        paths: Vec<PathBuf>,
        config: &ConfigArgs,
    ) -> Result<(Option<Config>, ScanOptions), InputError> {
        let config = config.load(&paths, self.root.as_deref())?;
        let options = self.options(paths, config.as_ref())?;
        Ok((config, options))
    }

    pub(crate) fn options(
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
