//! The whole pipeline: discover → read (parallel) → parse and lower per unit ([`source::parse_all`],
//! [`source::lower_all`]) → link → facts → rules → findings → suppressions. It only conducts: what
//! each input format needs is behind `source`.

use crate::baseline::{self, BaselineReport};
use crate::config;
use crate::discover::{Discovered, Found, WalkOptions, discover};
use crate::facts::{self, Facts};
use crate::findings::{self, Finding};
pub use crate::inputs::STDIN;
use crate::inputs::{Classified, check_source_dir, classify, read_input, stdin_input};
use crate::isolate::isolate;
use crate::resolve::{self, catalog::Catalog};
use crate::rules::{self, Rule};
use crate::source::reader::{self, Reader};
use crate::source::{self, ErrorKind, InputError, SourceMap};
use crate::suppress;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    /// Extra rule directories (`--rules DIR`).
    pub rule_dirs: Vec<PathBuf>,
    /// The Terraform configuration of the plans scanned (`--source DIR`); by default, a plan's own
    /// directory when it holds `.tf` files.
    pub source: Option<PathBuf>,
    /// The confinement root (`--root`); by default the Git work tree holding the scanned paths, else
    /// the paths themselves ([`reader::common_root`]).
    pub root: Option<PathBuf>,
    /// How the walk treats ignore files.
    pub walk: WalkOptions,
    /// The size limit of one file (`--max-file-size`); default [`reader::DEFAULT_MAX_FILE_BYTES`].
    pub max_file_bytes: Option<u64>,
    /// Report suppressions that match no finding (PR091, `--report-unused-ignores`).
    pub report_unused_ignores: bool,
    /// Findings whose fingerprint is in this file are suppressed (`--baseline FILE`).
    pub baseline: Option<PathBuf>,
    /// Write the findings of this scan as a baseline (`--write-baseline FILE`).
    pub write_baseline: Option<PathBuf>,
    /// A directory passrole wrote itself (`passrole plan`'s temporary plan), readable whatever the
    /// root; it is not part of the root computation.
    pub own_dir: Option<PathBuf>,
    /// The passer catalog (`passrole.toml` `[[passer]]`, `[[principal_set]]`); default: the
    /// built-in one.
    pub catalog: Option<Catalog>,
    /// Which rules run and at which severity (`select`, `ignore`, `[severity]`, `--select`, ...).
    pub rule_settings: config::RuleSettings,
    /// Paths not scanned (`exclude`, `--exclude`).
    pub exclude: config::Excludes,
    /// Approved exceptions (`[[allow]]`): matching findings are kept as suppressed.
    pub allow: Vec<config::Allow>,
    /// The name standard input (`-` among the paths) is scanned as (`--stdin-filename`): its kind
    /// by extension, and for a `.tf` file the module directory it belongs to.
    pub stdin_filename: Option<PathBuf>,
    /// Named JSON/YAML files that are neither a template nor a plan are skipped (listed in
    /// `ScanResult::skipped`) instead of being input errors (`--skip-non-inputs`, for pre-commit,
    /// which names every staged `.yaml` and `.json`).
    pub skip_non_inputs: bool,
}

impl ScanOptions {
    /// The reader of this scan: confined to the root, with the size limits.
    pub fn reader(&self, paths: &[PathBuf]) -> Reader {
        let root = match &self.root {
            Some(r) => r.clone(),
            None => {
                // Standard input and pipes (`<(...)`, an error) do not widen the root.
                let mut named: Vec<PathBuf> = paths
                    .iter()
                    .filter(|p| !self.own_dir.as_ref().is_some_and(|d| p.starts_with(d)))
                    .filter(|p| {
                        p.as_os_str() != STDIN
                            && std::fs::metadata(p).is_ok_and(|m| m.is_file() || m.is_dir())
                    })
                    .cloned()
                    .collect();
                named.extend(self.source.iter().cloned());
                if paths.iter().any(|p| p.as_os_str() == STDIN) {
                    named.extend(self.stdin_filename.iter().cloned());
                }
                if named.is_empty() {
                    named.push(PathBuf::from("."));
                }
                reader::common_root(&named)
            }
        };
        let mut reader = Reader::new(&root);
        if let Some(dir) = &self.own_dir {
            reader.allow_own_dir(dir);
        }
        if let Some(max) = self.max_file_bytes {
            reader.max_file_bytes = max;
            reader.max_plan_bytes = max.saturating_mul(8);
        }
        reader
    }
}

/// Everything a report needs.
pub struct ScanResult {
    pub sources: SourceMap,
    pub facts: Facts,
    pub rules: Vec<Rule>,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// Input files read and classified.
    pub files: usize,
    /// What the baseline did, when one was read or written.
    pub baseline: Option<BaselineReport>,
    /// Named files skipped as not inputs (`--skip-non-inputs`), as displayed.
    pub skipped: Vec<String>,
}

/// Runs a scan. Input problems never stop it: they are returned in `errors`.
pub fn scan(options: &ScanOptions) -> ScanResult {
    let mut errors = Vec::new();
    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    let timer = Timer::new();
    let reader = options.reader(&paths);
    let (on_disk, stdin): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.into_iter().partition(|p| p.as_os_str() != STDIN);
    if stdin.len() > 1 {
        errors.push(InputError {
            file: STDIN.to_string(),
            kind: ErrorKind::Input,
            message: "standard input is named more than once: it is read once".into(),
            position: None,
        });
    }
    if let Some(source) = &options.source {
        check_source_dir(source, &reader, &mut errors);
    }
    let (mut discovered, walk_errors) = discover(&on_disk, &reader, options.walk);
    // Excluded paths are dropped after the walk, with the walk's complaints about them.
    discovered.retain(|d| !options.exclude.excludes(&d.path, false));
    errors.extend(
        walk_errors
            .into_iter()
            .filter(|w| !options.exclude.excludes(&w.path, w.path.is_dir()))
            .map(|w| w.error.to_input_error(&w.path, "")),
    );
    let mut stdin_text = None;
    if !stdin.is_empty() {
        let (d, text) = stdin_input(options, &reader);
        // Standard input named as a file on disk stands for that file.
        discovered
            .retain(|f| crate::discover::identity(&f.path) != crate::discover::identity(&d.path));
        discovered.push(d);
        stdin_text = Some(text);
    }
    let walked: Vec<PathBuf> = on_disk.iter().filter(|p| p.is_dir()).cloned().collect();
    discovered.extend(crate::context::context_files(
        &discovered,
        &walked,
        &reader,
        options.walk,
    ));

    let (stdin_entry, discovered): (Vec<Discovered>, Vec<Discovered>) = discovered
        .into_iter()
        .partition(|d| d.found == Found::Stdin);
    let mut texts: Vec<_> = discovered
        .into_par_iter()
        .filter_map(|d| match read_input(&reader, &d) {
            Ok(None) => None,
            Ok(Some(text)) => Some((d, Ok(text))),
            Err(e) => Some((d, Err(e))),
        })
        .collect();
    texts.extend(stdin_entry.into_iter().zip(stdin_text));
    let exporters = crate::context::exporting_templates(&texts, &walked, &reader, options.walk);
    texts.extend(exporters);
    analyze(texts, &reader, options, errors, timer)
}

/// Scans files given as text (for fuzzing and editors): each is classified by its path as if it had
/// been found on disk; nothing else is read.
pub fn scan_texts(files: Vec<(PathBuf, String)>) -> ScanResult {
    // A root that holds nothing: scanning texts reads no file.
    let reader = Reader::new(Path::new("/nonexistent/passrole-scan-texts"));
    let texts = files
        .into_iter()
        .filter_map(|(path, text)| {
            crate::discover::classify_path(&path).map(|kind| {
                let found = Found::Walked;
                (Discovered { path, kind, found }, Ok(text))
            })
        })
        .collect();
    analyze(
        texts,
        &reader,
        &ScanOptions::default(),
        Vec::new(),
        Timer::new(),
    )
}

/// Everything after reading: classify, parse, lower, link, facts, rules, findings.
fn analyze(
    texts: Vec<(Discovered, Result<String, InputError>)>,
    reader: &Reader,
    options: &ScanOptions,
    mut errors: Vec<InputError>,
    timer: Timer,
) -> ScanResult {
    let catalog = options.catalog.as_ref().unwrap_or(Catalog::builtin());
    let mut sources = SourceMap::default();
    let Classified {
        inputs,
        reported_files,
        context_units,
        files,
        skipped,
    } = classify(texts, options, &mut sources, &mut errors, catalog);
    let parsed = source::parse_all(
        inputs,
        &mut sources,
        options.source.as_deref(),
        reader,
        &mut errors,
    );
    timer.mark("read and parse");
    let mut units = source::lower_all(parsed, &mut sources, reader, catalog, &mut errors);
    timer.mark("lower");
    // Linking and the facts span every unit: a panic there costs the findings, not the report
    // (the errors found so far are still written).
    let facts = isolate(".", "linking the units and building the facts", || {
        resolve::link(&mut units);
        facts::build(&units, catalog)
    })
    .unwrap_or_else(|e| {
        errors.push(e);
        facts::build(&[], catalog)
    });
    // `Metadata` suppressions keep their spans only in the units.
    let mut directives = suppress::metadata_directives(&units, &sources);
    // The units built from context, by index in the facts (`/units/N/...`).
    let context_units = context_units.indices(&units);
    // Nothing after this reads the units (findings come from the facts and the sources): free them
    // before the rule engine's peak.
    drop(units);
    timer.mark("facts");

    let RuleRun {
        rules,
        known,
        mut findings,
    } = run_rules(options, &facts, &sources, reader, &timer, &mut errors);
    // Suppressions, in this order; a finding suppressed by an earlier step keeps that one.
    // 1. In the source: `passrole:ignore` comments and CloudFormation `Metadata`.
    let own = isolate(".", "reading the suppressions", || {
        directives.extend(suppress::inline_directives(&sources));
        suppress::apply(
            &mut findings,
            &directives,
            &rules,
            &known,
            options.report_unused_ignores,
            reader.root(),
            &sources,
        )
    })
    .unwrap_or_else(|e| {
        errors.push(e);
        Vec::new()
    });
    findings.extend(own);
    findings::sort(&mut findings);
    findings::disambiguate_fingerprints(&mut findings);
    // 2. Approved exceptions in passrole.toml (`[[allow]]`).
    config::apply_allows(&options.allow, &mut findings, &facts);
    // Units built from context report only what touches a named or walked file (before the
    // baseline: a baseline written from a scan of named files holds what that scan reports).
    findings.retain(|f| crate::context::is_reported(f, &context_units, &reported_files));
    // 3. The baseline.
    let baseline = baseline::run(
        &mut findings,
        options.baseline.as_deref(),
        options.write_baseline.as_deref(),
        &mut errors,
    );
    errors.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
    ScanResult {
        sources,
        facts,
        rules,
        findings,
        errors,
        files,
        baseline,
        skipped,
    }
}

/// The rules of the scan and what they find.
struct RuleRun {
    /// The rules run, then passrole's own (decided outside the Guard engine).
    rules: Vec<Rule>,
    /// Every rule id known, selected or not (for suppressions naming a rule).
    known: Vec<String>,
    findings: Vec<Finding>,
}

/// Loads the rules (built-in, then `--rules` directories), selects them and runs them over the
/// facts; their failures become findings, not yet suppressed.
fn run_rules(
    options: &ScanOptions,
    facts: &Facts,
    sources: &SourceMap,
    reader: &Reader,
    timer: &Timer,
    errors: &mut Vec<InputError>,
) -> RuleRun {
    let mut rules = rules::builtin();
    for dir in &options.rule_dirs {
        // A bad rule file drops only itself (an error each); the other rules still run.
        let (loaded, rule_errors) = rules::load_dir(dir);
        errors.extend(rule_errors);
        for rule in loaded {
            // The same id from two `--rules` directories: the first one wins, the second is
            // refused (a finding's id must say which rule made it).
            match rules.iter().find(|r| r.meta.id == rule.meta.id) {
                Some(first) => errors.push(InputError {
                    file: rule.origin.clone(),
                    kind: ErrorKind::Rule,
                    message: format!(
                        "rule {} is already defined by {}: this one is not loaded",
                        rule.meta.id, first.origin
                    ),
                    position: None,
                }),
                None => rules.push(rule),
            }
        }
    }
    // passrole's own rules (PR090-PR092: suppressions) are selected and given severities like the
    // others, but not run by the Guard engine: they go last, so failure indices stay valid.
    rules.extend(rules::decided());
    let known: Vec<String> = rules.iter().map(|r| r.meta.id.clone()).collect();
    config::check_allow_rules(&options.allow, &rules, errors);
    let (mut rules, decided): (Vec<Rule>, Vec<Rule>) = options
        .rule_settings
        .apply(rules, errors)
        .into_iter()
        .partition(|r| !r.is_decided());
    let (failures, rule_errors) = rules::evaluate(&rules, facts);
    timer.mark("rules");
    errors.extend(rule_errors);
    rules.extend(decided);
    let findings = isolate(".", "mapping rule failures to findings", || {
        findings::build(&failures, &rules, facts, sources, reader.root())
    })
    .unwrap_or_else(|e| {
        errors.push(e);
        Vec::new()
    });
    RuleRun {
        rules,
        known,
        findings,
    }
}

/// Phase timings on stderr when `PASSROLE_TIMING` is set: for profiling, never for tests.
struct Timer {
    enabled: bool,
    last: std::cell::Cell<std::time::Instant>,
}

impl Timer {
    fn new() -> Timer {
        Timer {
            enabled: std::env::var_os("PASSROLE_TIMING").is_some(),
            last: std::cell::Cell::new(std::time::Instant::now()),
        }
    }

    fn mark(&self, phase: &str) {
        if self.enabled {
            let now = std::time::Instant::now();
            eprintln!(
                "passrole: {phase}: {:.1} ms",
                (now - self.last.get()).as_secs_f64() * 1000.0
            );
            self.last.set(now);
        }
    }
}
