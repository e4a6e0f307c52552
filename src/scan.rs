//! The whole pipeline: discover → read and parse (parallel) → lower per unit → link → facts → rules →
//! findings.

use crate::discover::{Discovered, FileKind, StructuredKind, classify_text, discover};
use crate::facts::{self, Facts};
use crate::findings::{self, Finding};
use crate::model::Unit;
use crate::resolve::{self, catalog::Catalog};
use crate::rules::{self, Rule};
use crate::source::terraform::{self, TfFile};
use crate::source::{ErrorKind, InputError, SourceFile, SourceMap, display_path};
use crate::source::{cloudformation, plan};
use crate::value::FileId;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Files larger than this are not read: no IaC source is that big, and reading it could exhaust memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    /// Extra rule directories (`--rules DIR`).
    pub rule_dirs: Vec<PathBuf>,
    /// The Terraform configuration of the plans scanned (`--source DIR`); by default, a plan's own
    /// directory when it holds `.tf` files.
    pub source: Option<PathBuf>,
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
}

/// What a read input file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Input {
    Terraform,
    TerraformVars,
    CloudFormation,
    Plan,
}

/// Reads a file as UTF-8 text (a leading BOM is dropped), with a size limit.
fn read_text(path: &Path) -> Result<String, InputError> {
    let err = |kind, message: String| InputError {
        file: display_path(path),
        kind,
        message,
        position: None,
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| err(ErrorKind::Io, format!("cannot read the file: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(
            ErrorKind::Limit,
            format!(
                "the file is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| err(ErrorKind::Io, format!("cannot read the file: {e}")))?;
    decode(bytes).map_err(|message| err(ErrorKind::Encoding, message))
}

/// UTF-8 (with or without a BOM) or UTF-16 with a BOM (PowerShell's `>` writes UTF-16LE).
fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let utf16 = |rest: &[u8], le: bool| -> Result<String, String> {
        if !rest.len().is_multiple_of(2) {
            return Err("the file is UTF-16 with an odd number of bytes (truncated?)".into());
        }
        let units = rest.chunks_exact(2).map(|c| {
            let pair = [c[0], c[1]];
            if le {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| format!("the file is not valid UTF-16: {e}"))
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        [0xEF, 0xBB, 0xBF, ..] => {
            // Dropped in place: a copy of the rest would hold the file twice at once.
            let mut bytes = bytes;
            bytes.drain(..3);
            String::from_utf8(bytes).map_err(utf8_message)
        }
        _ => String::from_utf8(bytes).map_err(utf8_message),
    }
}

fn utf8_message(e: std::string::FromUtf8Error) -> String {
    format!(
        "the file is not UTF-8 text (invalid byte at offset {})",
        e.utf8_error().valid_up_to()
    )
}

/// The `.tf` files below `root` (`.terraform/modules` included, `.gitignore` not applied: fetched
/// modules are usually ignored), skipping `.git` and the provider cache.
fn tf_files_below(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(|e| {
            let name = e.file_name().to_str().unwrap_or("");
            !(e.file_type().is_some_and(|t| t.is_dir())
                && (name == ".git"
                    || (name == "providers"
                        && e.path()
                            .parent()
                            .and_then(Path::file_name)
                            .is_some_and(|p| p == ".terraform"))))
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    out.sort();
    out
}

/// For each plan, where its Terraform configuration is: `source` (`--source DIR`) or the plan's own
/// directory, when it holds `.tf` files. Those files are added to the source map (without becoming
/// inputs of their own) so that findings of the plan can point at them.
fn plan_configs(
    inputs: &[(FileId, Input, PathBuf)],
    sources: &mut SourceMap,
    source: Option<&Path>,
) -> HashMap<FileId, plan::PlanConfig> {
    let mut out = HashMap::new();
    let mut by_root: HashMap<PathBuf, Option<plan::PlanConfig>> = HashMap::new();
    for (id, kind, path) in inputs {
        if *kind != Input::Plan {
            continue;
        }
        let root = match source {
            Some(s) => s.to_path_buf(),
            None => match path.parent() {
                Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
                Some(p) => p.to_path_buf(),
                None => continue,
            },
        };
        let config = by_root
            .entry(root.clone())
            .or_insert_with(|| load_config(&root, sources));
        if let Some(c) = config {
            out.insert(*id, c.clone());
        }
    }
    out
}

fn load_config(root: &Path, sources: &mut SourceMap) -> Option<plan::PlanConfig> {
    let has_tf = std::fs::read_dir(root).ok()?.any(|e| {
        e.ok()
            .is_some_and(|e| e.path().extension().is_some_and(|x| x == "tf"))
    });
    if !has_tf {
        return None;
    }
    let known: HashMap<PathBuf, FileId> = (0..sources.len() as u32)
        .filter_map(|i| {
            let f = sources.get(FileId(i))?;
            Some((f.path.canonicalize().ok()?, FileId(i)))
        })
        .collect();
    let mut dirs: BTreeMap<PathBuf, Vec<FileId>> = BTreeMap::new();
    for path in tf_files_below(root) {
        let Ok(canonical) = path.canonicalize() else {
            continue;
        };
        let id = match known.get(&canonical) {
            Some(id) => *id,
            None => match read_text(&path) {
                Ok(text) => sources.add(SourceFile::new(path.clone(), text)),
                Err(_) => continue,
            },
        };
        if let Some(dir) = canonical.parent() {
            dirs.entry(dir.to_path_buf()).or_default().push(id);
        }
    }
    Some(plan::PlanConfig {
        root: root.to_path_buf(),
        dirs,
    })
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
    let (discovered, walk_errors) = discover(&paths);
    errors.extend(walk_errors.into_iter().map(|(path, message)| InputError {
        file: display_path(&path),
        kind: ErrorKind::Io,
        message,
        position: None,
    }));

    let texts: Vec<_> = discovered
        .into_par_iter()
        .map(|d| {
            let text = read_text(&d.path);
            (d, text)
        })
        .collect();
    analyze(texts, &paths, options, errors, timer)
}

/// Scans files given as text (for fuzzing and editors): each is classified by its path as if it had
/// been found on disk; nothing else is read.
pub fn scan_texts(files: Vec<(PathBuf, String)>) -> ScanResult {
    let texts = files
        .into_iter()
        .filter_map(|(path, text)| {
            crate::discover::classify_path(&path).map(|kind| (Discovered { path, kind }, Ok(text)))
        })
        .collect();
    analyze(
        texts,
        &[],
        &ScanOptions::default(),
        Vec::new(),
        Timer::new(),
    )
}

/// Everything after reading: classify, parse, lower, link, facts, rules, findings.
fn analyze(
    texts: Vec<(Discovered, Result<String, InputError>)>,
    paths: &[PathBuf],
    options: &ScanOptions,
    mut errors: Vec<InputError>,
    timer: Timer,
) -> ScanResult {
    let catalog = Catalog::builtin();
    let mut sources = SourceMap::default();
    let mut inputs = Vec::new();
    for (d, text) in texts {
        match text {
            Ok(text) => {
                let kind = match d.kind {
                    FileKind::TerraformJson => {
                        // Rewritten as HCL; the JSON file is what reports show.
                        let orig = sources.add(SourceFile::new(d.path.clone(), text));
                        match terraform::json_to_hcl(orig, &sources, catalog) {
                            Ok(synth) => {
                                let id = sources.add(synth);
                                inputs.push((id, Input::Terraform, d.path.clone()));
                            }
                            Err(e) => errors.push(e),
                        }
                        continue;
                    }
                    FileKind::Terraform => Input::Terraform,
                    FileKind::TerraformVars => Input::TerraformVars,
                    FileKind::Structured => match classify_text(&text) {
                        Some(StructuredKind::CloudFormation) => Input::CloudFormation,
                        Some(StructuredKind::Plan) => Input::Plan,
                        // Other YAML/JSON (CI configs, package.json, ...) is not input.
                        None => continue,
                    },
                };
                let id = sources.add(SourceFile::new(d.path.clone(), text));
                inputs.push((id, kind, d.path.clone()));
            }
            // A structured file that cannot be read may not be input at all; only report it when
            // its name says it is meant to be (`.tf`), or it was named explicitly.
            Err(_) if d.kind == FileKind::Structured && !paths.contains(&d.path) => {}
            Err(e) => errors.push(e),
        }
    }
    let files = inputs.len();
    let plan_configs = plan_configs(&inputs, &mut sources, options.source.as_deref());

    let parsed: Vec<_> = inputs
        .par_iter()
        .filter(|(_, kind, _)| *kind == Input::Terraform)
        .filter_map(|(id, _, path)| {
            let source = sources.get(*id)?;
            Some((
                path.parent().map(Path::to_path_buf),
                terraform::parse_file(*id, source),
            ))
        })
        .collect();
    // Terraform: the `.tf` files of one directory form one module.
    let mut modules: BTreeMap<PathBuf, Vec<TfFile>> = BTreeMap::new();
    for (dir, result) in parsed {
        match result {
            Ok(file) => modules
                .entry(dir.unwrap_or_default())
                .or_default()
                .push(file),
            Err(e) => errors.push(e),
        }
    }
    let tfvars: Vec<_> = inputs
        .iter()
        .filter(|(_, kind, _)| *kind == Input::TerraformVars)
        .map(|(id, _, _)| *id)
        .collect();
    timer.mark("read and parse");
    let workspace = terraform::load(modules, tfvars, &mut sources, &mut errors);
    let lowered: Vec<(Unit, Vec<InputError>)> = workspace
        .roots
        .par_iter()
        .map(|root| terraform::lower_module(root, &workspace, &sources, catalog))
        .collect();
    let mut units = Vec::new();
    for (unit, errs) in lowered {
        units.push(unit);
        errors.extend(errs);
    }
    // CloudFormation templates and plans: one unit per file.
    let structured: Vec<(Option<Unit>, Vec<InputError>)> = inputs
        .par_iter()
        .filter_map(|(id, kind, _)| match kind {
            Input::CloudFormation => Some(cloudformation::lower_template(*id, &sources, catalog)),
            Input::Plan => Some(plan::lower_plan(
                *id,
                &sources,
                catalog,
                plan_configs.get(id),
            )),
            Input::Terraform | Input::TerraformVars => None,
        })
        .collect();
    for (unit, errs) in structured {
        units.extend(unit);
        errors.extend(errs);
    }

    timer.mark("lower");
    resolve::link(&mut units);
    let facts = facts::build(&units, catalog);
    // Nothing after this reads the units (findings come from the facts and the sources): free them
    // before the rule engine's peak.
    drop(units);
    timer.mark("facts");

    let mut rules = rules::builtin();
    for dir in &options.rule_dirs {
        match rules::load_dir(dir) {
            Ok(r) => rules.extend(r),
            Err(e) => errors.push(e),
        }
    }
    let (failures, rule_errors) = rules::evaluate(&rules, &facts);
    timer.mark("rules");
    errors.extend(rule_errors);
    let findings = findings::build(&failures, &rules, &facts, &sources);
    errors.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
    ScanResult {
        sources,
        facts,
        rules,
        findings,
        errors,
        files,
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
