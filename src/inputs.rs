//! Reading the inputs: files found by the walk or named on the command line, and standard input
//! (`-`); what a named input that is not one is told; `--source` checked.

use crate::discover::{Discovered, FileKind, Found, StructuredKind, classify_text};
use crate::isolate::isolate;
use crate::model::{Unit, UnitKind};
use crate::resolve::catalog::Catalog;
use crate::scan::ScanOptions;
use crate::source::reader::{self, ReadError, Reader, decode_keeping, decode_lossy};
use crate::source::terraform;
use crate::source::{ErrorKind, Input, InputError, SourceFile, SourceMap, display_path};
use crate::value::FileId;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The path that means standard input.
pub const STDIN: &str = "-";

/// Reads an input file through the reader: its text, or None for a JSON/YAML file that is not input.
/// A structured file over the size limit is read when its head says it is a plan (plans may be
/// larger), up to the plan limit. A structured file that is not valid text is reported when, decoded
/// with replacement characters, it still looks like a template or a plan; other YAML/JSON (a stray
/// Latin-1 data file) is not input. Files that cannot be read at all (too large, a FIFO, outside the
/// root) are always reported: nothing says what they are.
pub(crate) fn read_input(reader: &Reader, d: &Discovered) -> Result<Option<String>, InputError> {
    let structured = d.kind == FileKind::Structured;
    let bytes = match reader.read_bytes_limited(&d.path, reader.max_file_bytes) {
        Err(too_large @ ReadError::TooLarge { .. }) if structured => {
            // Plans put `format_version` and `planned_values` first: the head says what it is.
            let head = reader
                .read_head(&d.path, 64 * 1024)
                .map_err(|e| e.to_input_error(&d.path, ""))?;
            if classify_text(&decode_lossy(&head)) == Some(StructuredKind::Plan) {
                reader.read_bytes_limited(&d.path, reader.max_plan_bytes)
            } else {
                Err(too_large)
            }
        }
        other => other,
    }
    .map_err(|e| e.to_input_error(&d.path, ""))?;
    decode_input(bytes, d)
}

/// The text of an input's bytes, or None for JSON/YAML found by the walk that is not text and does
/// not look like a template or plan. A named file that is not text is an error saying what it is.
fn decode_input(bytes: Vec<u8>, d: &Discovered) -> Result<Option<String>, InputError> {
    let structured = d.kind == FileKind::Structured;
    let named = d.found.is_named();
    if named && structured && crate::discover::is_zip(&bytes) {
        return Err(not_input(d, crate::discover::BINARY_PLAN.to_string()));
    }
    match decode_keeping(bytes) {
        Ok(text) => Ok(Some(text)),
        Err((_, bytes))
            if structured && !named && classify_text(&decode_lossy(&bytes)).is_none() =>
        {
            Ok(None)
        }
        // Named with a name that says nothing (`notes`, `image.png`) and not text: not an input.
        Err(_) if named && crate::discover::classify_path(&d.path).is_none() => {
            Err(not_input(d, crate::discover::NOT_INPUT.to_string()))
        }
        Err((message, _)) => Err(ReadError::Encoding(message).to_input_error(&d.path, "")),
    }
}

fn not_input(d: &Discovered, message: String) -> InputError {
    InputError {
        file: display_path(&d.path),
        kind: ErrorKind::Input,
        message,
        position: None,
    }
}

/// The error for a named JSON/YAML file (or standard input) that is not a template or plan.
fn not_recognised(d: &Discovered, text: &str, options: &ScanOptions) -> InputError {
    let message = if d.found == Found::Stdin && options.stdin_filename.is_none() {
        "standard input is neither a CloudFormation template nor a Terraform plan (JSON), which \
         is what it is read as without --stdin-filename; for Terraform name it: \
         --stdin-filename main.tf"
            .to_string()
    } else {
        crate::discover::not_input_message(&d.path, text)
    };
    not_input(d, message)
}

/// Standard input as one input: its name (`--stdin-filename`, else `-`), its kind by that name's
/// extension, else by content (a plan or a template; Terraform needs the name), and its text.
pub(crate) fn stdin_input(
    options: &ScanOptions,
    reader: &Reader,
) -> (Discovered, Result<String, InputError>) {
    let path = options
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from(STDIN));
    let kind = crate::discover::classify_path(&path).unwrap_or(FileKind::Structured);
    let d = Discovered {
        path,
        kind,
        found: Found::Stdin,
    };
    let bytes = reader::read_stdin_limited(
        &mut std::io::stdin().lock(),
        reader.max_file_bytes,
        reader.max_plan_bytes,
        |head| classify_text(&decode_lossy(head)) == Some(StructuredKind::Plan),
    );
    let text = bytes
        .map_err(|e| match e {
            // Standard input has no size: how much was read is not how large it is.
            ReadError::TooLarge { limit, .. } => InputError {
                file: display_path(&d.path),
                kind: ErrorKind::Limit,
                message: format!(
                    "standard input is more than the limit of {limit} bytes (--max-file-size): \
                     not read"
                ),
                position: None,
            },
            e => e.to_input_error(&d.path, "standard input"),
        })
        .and_then(|bytes| decode_input(bytes, &d))
        .map(Option::unwrap_or_default);
    (d, text)
}

/// `--source DIR` must be a directory inside the root, as `--rules DIR` must exist.
pub(crate) fn check_source_dir(source: &Path, reader: &Reader, errors: &mut Vec<InputError>) {
    let what = "the plan's configuration directory (--source)";
    match reader.resolve(source) {
        Ok(dir) if dir.is_dir() => {}
        Ok(_) => errors.push(InputError {
            file: display_path(source),
            kind: ErrorKind::Io,
            message: format!("{what}: not a directory"),
            position: None,
        }),
        Err(e) => errors.push(e.to_input_error(source, what)),
    }
}

/// The inputs read, classified and added to the source map.
pub(crate) struct Classified {
    pub inputs: Vec<(FileId, Input, PathBuf)>,
    /// The inputs whose findings are reported wherever they are: all but context.
    pub reported_files: HashSet<FileId>,
    /// The units built from context: they report only findings that touch `reported_files`.
    pub context_units: ContextUnits,
    /// Input files scanned (context files are read, not scanned: not counted).
    pub files: usize,
    /// Named files that are not inputs, skipped (`--skip-non-inputs`).
    pub skipped: Vec<String>,
}

/// The names of the units built from context (Terraform directories holding a context file,
/// context templates), as `Unit::name`.
#[derive(Debug, Default)]
pub(crate) struct ContextUnits(HashSet<String>);

impl ContextUnits {
    /// The indices in `units` (as in the facts, `/units/N/...`) of the units built from context.
    /// A plan is never context, whatever its name.
    pub fn indices(&self, units: &[Unit]) -> HashSet<usize> {
        units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.kind != UnitKind::Plan && self.0.contains(&u.name))
            .map(|(i, _)| i)
            .collect()
    }
}

/// Classifies the texts read: Terraform by name, JSON/YAML by content (a named one that is neither
/// a template nor a plan is an error); `.tf.json` is rewritten as HCL.
pub(crate) fn classify(
    texts: Vec<(Discovered, Result<String, InputError>)>,
    options: &ScanOptions,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
    catalog: &Catalog,
) -> Classified {
    let mut inputs = Vec::new();
    let mut reported_files = HashSet::new();
    let mut context_units = ContextUnits::default();
    let mut skipped = Vec::new();
    for (d, text) in texts {
        if d.found == Found::Context {
            let unit = match d.kind {
                FileKind::Structured => d.path.clone(),
                _ => terraform::load::normalize(&crate::context::dir_of(&d.path)),
            };
            context_units.0.insert(display_path(&unit));
        }
        match text {
            Ok(text) => {
                let kind = match d.kind {
                    FileKind::TerraformJson => {
                        // Rewritten as HCL; the JSON file is what reports show.
                        let orig = sources.add(SourceFile::new(d.path.clone(), text));
                        if d.found != Found::Context {
                            reported_files.insert(orig);
                        }
                        let shown = display_path(&d.path);
                        let what = format!("reading the Terraform JSON {shown}");
                        match isolate(&shown, &what, || {
                            terraform::json_to_hcl(orig, sources, catalog)
                        })
                        .and_then(|r| r)
                        {
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
                        // Named, it had to be an input: say what it is instead.
                        None if d.found.is_named() => {
                            if options.skip_non_inputs && d.found != Found::Stdin {
                                skipped.push(display_path(&d.path));
                            } else {
                                errors.push(not_recognised(&d, &text, options));
                            }
                            continue;
                        }
                        // Other YAML/JSON (CI configs, package.json, ...) is not input.
                        None => continue,
                    },
                };
                let id = sources.add(SourceFile::new(d.path.clone(), text));
                if d.found != Found::Context {
                    reported_files.insert(id);
                }
                inputs.push((id, kind, d.path.clone()));
            }
            Err(e) => errors.push(e),
        }
    }
    let files = inputs
        .iter()
        .filter(|(id, _, _)| {
            reported_files.contains(id)
                || sources
                    .get(*id)
                    .and_then(|f| f.origin.as_ref())
                    .is_some_and(|o| reported_files.contains(&o.file))
        })
        .count();
    Classified {
        inputs,
        reported_files,
        context_units,
        files,
        skipped,
    }
}
