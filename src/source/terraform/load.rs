//! Loading a Terraform workspace: which directories are root modules, the modules they call (local
//! sources, and registry or git sources already fetched by `terraform init` into `.terraform/modules`),
//! `*.tfvars`, and the files read by `file()`/`templatefile()`.
//!
//! Loading is sequential because it adds files to the source map; evaluation afterwards is read-only.

use super::{TfFile, parse_file};
use crate::source::reader::{ReadError, Reader};
use crate::source::{ErrorKind, InputError, SourceFile, SourceMap, json};
use crate::value::{FileId, Node};
use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::structure::Body;
use hcl_edit::template::Element;
use hcl_edit::visit::{Visit, visit_func_call};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Module calls nested deeper than this are cut (a module tree that deep is generated or runaway).
pub const MAX_MODULE_DEPTH: usize = 32;

/// One directory of `.tf` files.
#[derive(Debug, Default)]
pub struct ModuleDir {
    pub files: Vec<TfFile>,
}

/// A variable value from a `.tfvars` file.
#[derive(Debug)]
pub enum VarValue {
    /// An expression of a `.tfvars` file (HCL).
    Expr { file: FileId, index: usize },
    /// A value of a `.tfvars.json` file.
    Node(Node),
}

/// The parsed `.tfvars` files of a root module, in precedence order (later wins).
#[derive(Debug, Default)]
pub struct TfVars {
    pub bodies: Vec<(FileId, Body)>,
    pub values: HashMap<String, VarValue>,
}

/// Everything loaded for the Terraform part of a scan.
#[derive(Debug, Default)]
pub struct Workspace {
    pub dirs: BTreeMap<PathBuf, ModuleDir>,
    /// Directories that no other scanned directory calls, and one directory of each cycle of calls
    /// that no such directory reaches: each is the root of one unit.
    pub roots: Vec<PathBuf>,
    /// (root, calling directory, call name) → the called directory, or why it is not available.
    /// The root is part of the key because a registry source is found in the root's
    /// `.terraform/modules/modules.json`.
    pub calls: HashMap<(PathBuf, PathBuf, String), Result<PathBuf, String>>,
    pub tfvars: HashMap<PathBuf, TfVars>,
    /// Files read by `file()`/`templatefile()`, by normalised path.
    pub files: HashMap<PathBuf, FileId>,
}

/// Module directories and file paths are keys that must agree with each other: `a/./b/../c` is
/// `a/c` (lexically; symlinks are not resolved here).
pub use crate::source::reader::lexical_normalize as normalize;

/// Whether a module source is a local path.
pub(super) fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// `module "x" { source = "..." }` blocks of a directory: (name, source).
pub(super) fn module_calls(dir: &ModuleDir) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for f in &dir.files {
        for block in f.body.blocks() {
            if block.ident.as_str() != "module" {
                continue;
            }
            let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
                continue;
            };
            let source = block
                .body
                .get_attribute("source")
                .and_then(|a| match &a.value {
                    Expression::String(s) => Some(s.value().to_string()),
                    _ => None,
                });
            out.push((name, source));
        }
    }
    out
}

/// The span of the header (`module "NAME"`) of the first `module "NAME"` block of a directory's
/// files: where a report shows a finding of that module when it cannot show the module's own file.
pub fn call_header(files: &[TfFile], name: &str) -> Option<crate::value::Span> {
    use hcl_edit::Span as _;
    files.iter().find_map(|f| {
        let block = f.body.blocks().find(|b| {
            b.ident.as_str() == "module" && b.labels.first().is_some_and(|l| l.as_str() == name)
        })?;
        let start = block.ident.span()?.start;
        let end = block.labels.first()?.span()?.end;
        Some(crate::value::Span::new(f.file, start, end))
    })
}

/// The entries of `.terraform/modules/modules.json`: module key → directory (relative to the root).
/// The file is read through the reader (a FIFO or `/dev/zero` in its place is refused); entries are
/// checked against the root when their directory is loaded.
pub(super) fn modules_json(
    root: &Path,
    reader: &Reader,
    errors: &mut Vec<InputError>,
) -> HashMap<String, PathBuf> {
    let path = root.join(".terraform").join("modules").join("modules.json");
    let text = match reader.read_text(&path) {
        Ok(text) => text,
        Err(ReadError::NotFound) => return HashMap::new(),
        Err(e) => {
            errors.push(e.to_input_error(&path, "the module manifest"));
            return HashMap::new();
        }
    };
    let v = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => v,
        Err(e) => {
            errors.push(InputError {
                file: crate::source::display_path(&path),
                kind: ErrorKind::Parse,
                message: format!("invalid module manifest: {e}"),
                position: Some(crate::source::Position {
                    line: e.line().max(1),
                    column: e.column().max(1),
                }),
            });
            return HashMap::new();
        }
    };
    let mut out = HashMap::new();
    for m in v
        .get("Modules")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
    {
        if let (Some(key), Some(dir)) = (
            m.get("Key").and_then(|k| k.as_str()),
            m.get("Dir").and_then(|d| d.as_str()),
        ) {
            out.insert(key.to_string(), normalize(&root.join(dir)));
        }
    }
    out
}

/// Reads and parses the `.tf` files of a directory that the scan did not walk (a module outside the
/// scanned paths, or under `.terraform/modules`). A directory outside the root is not read: the
/// reason is returned, and becomes the module call's coverage note.
pub(super) fn load_dir(
    dir: &Path,
    sources: &mut SourceMap,
    reader: &Reader,
    errors: &mut Vec<InputError>,
) -> Result<ModuleDir, String> {
    let mut module = ModuleDir::default();
    let entries = match reader.read_dir(dir) {
        Ok(entries) => entries,
        Err(ReadError::NotFound) => {
            return Err(format!(
                "{} ({})",
                super::calls::MISSING_DIR,
                crate::source::display_path(dir)
            ));
        }
        Err(e @ ReadError::Outside { .. }) => {
            // Said once as an error (a module source is code the user wrote), and again where a
            // value of the module is needed.
            errors.push(e.to_input_error(dir, "a module directory"));
            return Err(format!("the module directory {}", e.message()));
        }
        Err(e) => return Err(format!("the module directory: {}", e.message())),
    };
    let (mut json_files, mut tf_files) = (0, 0);
    for path in entries {
        if path.to_string_lossy().ends_with(".tf.json") {
            json_files += 1;
        }
        if path.extension().is_none_or(|x| x != "tf") || path.is_dir() {
            continue;
        }
        match reader.read_text(&path) {
            Ok(text) => {
                let id = sources.add(SourceFile::new(path.clone(), text));
                if let Some(source) = sources.get(id) {
                    match parse_file(id, source) {
                        Ok(f) => module.files.push(f),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => errors.push(e.to_input_error(&path, "a module file")),
        }
        tf_files += 1;
    }
    // A directory without `.tf` files holds nothing passrole reads: say so rather than scan an
    // empty module (a file that could not be read or parsed is an error of its own).
    if tf_files == 0 {
        let json = if json_files > 0 {
            " (its .tf.json files are read only in the directories scanned, not in called modules)"
        } else {
            ""
        };
        return Err(format!(
            "{} ({}){json}",
            super::calls::NO_TF_FILES,
            crate::source::display_path(dir)
        ));
    }
    Ok(module)
}

/// Builds the workspace from the parsed `.tf` files grouped by directory and the `.tfvars` files.
pub fn load(
    parsed: BTreeMap<PathBuf, Vec<TfFile>>,
    tfvars: Vec<FileId>,
    sources: &mut SourceMap,
    reader: &Reader,
    errors: &mut Vec<InputError>,
) -> Workspace {
    let mut ws = Workspace::default();
    for (dir, files) in parsed {
        ws.dirs.insert(normalize(&dir), ModuleDir { files });
    }
    super::calls::resolve(&mut ws, sources, reader, errors);
    super::calls::report_cycles(&ws, sources, errors);
    check_names(&ws, sources, errors);
    for id in tfvars {
        load_tfvars(&mut ws, id, sources, errors);
    }
    load_function_files(&mut ws, sources, reader, errors);
    ws
}

/// Parses a `.tfvars` (HCL) or `.tfvars.json` file into its directory's variable values.
/// `terraform.tfvars` and `*.auto.tfvars` win over other `*.tfvars` files, which are loaded only for
/// variables nothing else sets (they usually are per-environment alternatives).
fn load_tfvars(ws: &mut Workspace, id: FileId, sources: &SourceMap, errors: &mut Vec<InputError>) {
    let Some(source) = sources.get(id) else {
        return;
    };
    let dir = normalize(source.path.parent().unwrap_or(Path::new("")));
    let name = source
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let auto = name == "terraform.tfvars"
        || name == "terraform.tfvars.json"
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json");
    let vars = ws.tfvars.entry(dir).or_default();
    let set = |key: String, value: VarValue, vars: &mut TfVars| {
        if auto || !vars.values.contains_key(&key) {
            vars.values.insert(key, value);
        }
    };
    if name.ends_with(".json") {
        match json::parse(&source.text, id, 0) {
            Ok(Node {
                kind: crate::value::NodeKind::Map(entries),
                ..
            }) => {
                for (k, v) in entries {
                    set(k.name, VarValue::Node(v), vars);
                }
            }
            Ok(_) => {}
            Err(e) => errors.push(InputError::at(
                sources,
                crate::value::Span::new(id, e.offset, e.offset),
                if e.kind == json::JsonErrorKind::TooDeep {
                    ErrorKind::Limit
                } else {
                    ErrorKind::Parse
                },
                format!("invalid tfvars JSON: {e}"),
            )),
        }
        return;
    }
    match parse_file(id, source) {
        Ok(f) => {
            let index = vars.bodies.len();
            for attr in f.body.attributes() {
                set(
                    attr.key.as_str().to_string(),
                    VarValue::Expr { file: id, index },
                    vars,
                );
            }
            vars.bodies.push((id, f.body));
        }
        Err(e) => errors.push(e),
    }
}

/// Finds `file("...")` and `templatefile("...", ...)` calls whose path is known statically and reads
/// those files, so that policies kept in JSON files are parsed with spans in those files. A path
/// outside the root (`/etc/passwd`, `../../x`) is not read: it is an `errors` entry, and the call's
/// value stays unknown.
fn load_function_files(
    ws: &mut Workspace,
    sources: &mut SourceMap,
    reader: &Reader,
    errors: &mut Vec<InputError>,
) {
    let mut wanted = Vec::new();
    for (dir, module) in &ws.dirs {
        for f in &module.files {
            let mut finder = FileCalls { found: Vec::new() };
            finder.visit_body(&f.body);
            for (arg, range) in finder.found {
                let span = crate::value::Span::new(f.file, range.start, range.end);
                wanted.push((function_file_path(dir, &arg), arg, span));
            }
        }
    }
    let mut seen = HashSet::new();
    for (path, arg, span) in wanted {
        if ws.files.contains_key(&path) || !seen.insert(path.clone()) {
            continue;
        }
        match reader.read_text(&path) {
            Ok(text) => {
                let id = sources.add(SourceFile::new(path.clone(), text));
                ws.files.insert(path, id);
            }
            // A file that does not exist yet (generated by another tool) is a coverage gap of the
            // value, said where the value is used.
            Err(ReadError::NotFound) => {}
            // Reported at the call, which is what the user wrote and can fix.
            Err(e) => errors.push(InputError::at(
                sources,
                span,
                e.kind(),
                format!("the file {arg:?} read by this call {}", e.message()),
            )),
        }
    }
}

/// The file a `file()` argument names: `${path.module}/x` and relative paths are taken relative to
/// the module directory.
pub fn function_file_path(dir: &Path, arg: &str) -> PathBuf {
    let rel = arg
        .strip_prefix("${path.module}/")
        .or_else(|| arg.strip_prefix("${path.root}/"))
        .unwrap_or(arg);
    normalize(&dir.join(rel))
}

/// Collects the literal first arguments of `file()`/`templatefile()` calls, with `${path.module}`
/// kept as text.
struct FileCalls {
    /// The path as written and the span of the call.
    found: Vec<(String, std::ops::Range<usize>)>,
}

impl Visit for FileCalls {
    fn visit_func_call(&mut self, call: &FuncCall) {
        let name = call.name.name.as_str();
        if call.name.namespace.is_empty()
            && (name == "file" || name == "templatefile")
            && let Some(arg) = call.args.iter().next().and_then(literal_path)
        {
            self.found
                .push((arg, hcl_edit::Span::span(call).unwrap_or(0..0)));
        }
        visit_func_call(self, call);
    }
}

/// `"policy.json"` or `"${path.module}/policy.json"` as text; None for anything else.
pub fn literal_path(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().to_string()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for e in t.iter() {
                match e {
                    Element::Literal(l) => out.push_str(l.value()),
                    Element::Interpolation(i) => match &i.expr {
                        Expression::Traversal(tr) => {
                            let path = super::eval::traversal_path(tr);
                            match path
                                .iter()
                                .map(String::as_str)
                                .collect::<Vec<_>>()
                                .as_slice()
                            {
                                ["path", "module"] => out.push_str("${path.module}"),
                                ["path", "root"] => out.push_str("${path.root}"),
                                _ => return None,
                            }
                        }
                        _ => return None,
                    },
                    Element::Directive(_) => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// Reports names defined twice in one module (a `locals` name, or a `variable`, `output` or
/// `module` block), as Terraform does: an error of kind `parse` at the second definition, saying
/// where the first is. Evaluation keeps the first.
fn check_names(ws: &Workspace, sources: &SourceMap, errors: &mut Vec<InputError>) {
    use hcl_edit::Span as _;
    for module in ws.dirs.values() {
        let mut first: HashMap<String, crate::value::Span> = HashMap::new();
        for f in &module.files {
            let at = |range: Option<std::ops::Range<usize>>| {
                let r = range.unwrap_or(0..0);
                crate::value::Span::new(f.file, r.start, r.end)
            };
            let mut defined = Vec::new();
            for block in f.body.blocks() {
                let label = block.labels.first().map(|l| l.as_str());
                match (block.ident.as_str(), label) {
                    ("locals", _) => defined.extend(
                        block
                            .body
                            .attributes()
                            .map(|a| (format!("local.{}", a.key.as_str()), at(a.span()))),
                    ),
                    (kind @ ("variable" | "output" | "module"), Some(name)) => {
                        let shown = if kind == "variable" { "var" } else { kind };
                        defined.push((format!("{shown}.{name}"), at(block.span())));
                    }
                    _ => {}
                }
            }
            for (name, span) in defined {
                match first.get(&name) {
                    Some(earlier) => {
                        let e = InputError::at(sources, *earlier, ErrorKind::Parse, "");
                        let line = e.position.map_or(0, |p| p.line);
                        errors.push(InputError::at(
                            sources,
                            span,
                            ErrorKind::Parse,
                            format!(
                                "{name} is defined twice (first at {}:{line}): Terraform rejects \
                                 this; the first definition is used",
                                e.file
                            ),
                        ));
                    }
                    None => {
                        first.insert(name, span);
                    }
                }
            }
        }
    }
}
