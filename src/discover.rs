//! Finding the input files: walk the given paths inside the confinement root, skip what is never
//! input, and classify each file by its extension and, for JSON/YAML, by its content.
//!
//! By default the walk does not honour `.gitignore` or `.ignore` files: Terraform applies a `.tf` file
//! whatever `.gitignore` says, and a security gate must not be switched off by a file in the pull
//! request it checks (`--respect-gitignore` opts in). Symlinks are followed only while they stay
//! inside the root; one that leaves it, a loop, or a special file with an input's name (a FIFO called
//! `main.tf`) is an error of the walk, never a silent skip and never a read.

use crate::source::reader::{ReadError, Reader};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What an input file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A `.tf` file.
    Terraform,
    /// A `.tf.json` file: Terraform's JSON syntax.
    TerraformJson,
    /// A `.tfvars` or `.tfvars.json` file: variable values for the module in its directory.
    TerraformVars,
    /// A `.json`, `.yaml`, `.yml` or `.template` file: a CloudFormation template, a Terraform plan or
    /// state, or something else (skipped silently); [`classify_text`] decides once it is read.
    Structured,
}

/// What a structured (JSON/YAML) file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StructuredKind {
    CloudFormation,
    Plan,
}

/// Classifies a JSON/YAML file by content, cheaply: the source parsers check the real structure.
/// A plan or state has `format_version` (near the start) with `planned_values`, `resource_changes`
/// or `values`. A CloudFormation template has a top-level `AWSTemplateFormatVersion`, or a
/// top-level `Resources` and `AWS::` types (SAM: `Transform: AWS::Serverless-2016-10-31`); see
/// [`template_verdict`] for what is not one although it mentions both.
pub fn classify_text(text: &str) -> Option<StructuredKind> {
    if is_plan(text) {
        return Some(StructuredKind::Plan);
    }
    match template_verdict(text) {
        TemplateVerdict::CloudFormation => Some(StructuredKind::CloudFormation),
        _ => None,
    }
}

/// Whether a text is a plan or state (`terraform show -json`).
fn is_plan(text: &str) -> bool {
    // Look at a bounded prefix for `format_version`: plans put it first, and reading a 100 MB plan
    // twice to classify it would be waste.
    let head = match text.char_indices().nth(4096) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    head.contains("\"format_version\"")
        && (text.contains("\"planned_values\"")
            || text.contains("\"resource_changes\"")
            || text.contains("\"values\""))
}

/// Whether a JSON/YAML text is a CloudFormation template, and if not, why not (for the error when
/// the file was named on the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateVerdict {
    CloudFormation,
    /// YAML with a Go template action (`{{ .Values.x }}`, `{{- if }}`) where YAML would start a
    /// value, not inside a string: a Helm chart's template, whatever it renders to.
    GoTemplate {
        line: usize,
    },
    /// Top-level `apiVersion` and `kind`: a Kubernetes manifest (a CRD may well have a nested
    /// `Resources:` and `AWS::` strings in annotations).
    Kubernetes,
    /// No top-level `AWSTemplateFormatVersion`, nor `Resources` with `AWS::` types.
    NoTemplateKeys,
}

/// Decides from the top-level keys, not from words anywhere in the file: `Resources:` nested in a
/// CRD's schema, `AWS::IAM::Role` in an annotation or a Serverless Framework `resources:` section do
/// not make a template. Only a file this accepts is parsed as one and can give parse errors.
pub fn template_verdict(text: &str) -> TemplateVerdict {
    let (keys, template_line) = if looks_like_json(text) {
        (json_top_keys(text), None)
    } else {
        yaml_outline(text)
    };
    if let Some(line) = template_line {
        return TemplateVerdict::GoTemplate { line };
    }
    let has = |k: &str| keys.iter().any(|key| key == k);
    if has("apiVersion") && has("kind") {
        return TemplateVerdict::Kubernetes;
    }
    if has("AWSTemplateFormatVersion") || (has("Resources") && text.contains("AWS::")) {
        return TemplateVerdict::CloudFormation;
    }
    TemplateVerdict::NoTemplateKeys
}

/// Why a file named on the command line (or standard input) is not an input, from its text.
pub fn not_input_message(path: &Path, text: &str) -> String {
    let json = looks_like_json(text);
    let yaml = !json
        && path.extension().and_then(|x| x.to_str()).is_some_and(|x| {
            ["yaml", "yml", "template"].contains(&x.to_ascii_lowercase().as_str())
        });
    match template_verdict(text) {
        TemplateVerdict::GoTemplate { line } => format!(
            "a Go template (`{{{{ ... }}}}` outside a string on line {line}, as in a Helm chart), \
             not a CloudFormation template: not scanned"
        ),
        TemplateVerdict::Kubernetes => "a Kubernetes manifest (top-level apiVersion and kind), \
             not a CloudFormation template or Terraform plan: not scanned"
            .to_string(),
        _ if json => "JSON but not a CloudFormation template (top-level AWSTemplateFormatVersion, \
             or Resources with AWS:: types) or a Terraform plan (`terraform show -json` output): \
             not scanned"
            .to_string(),
        _ if yaml => "YAML but not a CloudFormation template (top-level AWSTemplateFormatVersion, \
             or Resources with AWS:: types) or a Terraform plan: not scanned"
            .to_string(),
        _ => NOT_INPUT.to_string(),
    }
}

/// The message for a file that is neither Terraform nor a template or plan by name or content.
pub const NOT_INPUT: &str = "not a Terraform (.tf, .tf.json, .tfvars), CloudFormation or Terraform \
     plan JSON file: not scanned";

/// The message for a binary plan (`terraform plan -out`), which is a zip archive.
pub const BINARY_PLAN: &str = "a binary Terraform plan (a zip archive): scan the output of \
     `terraform show -json` instead (`passrole plan` runs both)";

/// Whether bytes are a zip archive, as `terraform plan -out` writes.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// A JSON document starts with `[`, or `{` then a key or `}`; YAML may start with `{{` (a Go
/// template) or a flow mapping of plain keys.
fn looks_like_json(text: &str) -> bool {
    let ws = ['\u{FEFF}', ' ', '\t', '\r', '\n'];
    let text = text.trim_start_matches(ws);
    match text.strip_prefix('{') {
        Some(rest) => rest.trim_start_matches(ws).starts_with(['"', '}']),
        None => text.starts_with('['),
    }
}

/// The keys of a JSON text's top-level object, found by tracking strings and nesting (no parse:
/// this runs on every JSON file of a repository).
fn json_top_keys(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut keys = Vec::new();
    let mut depth = 0usize;
    // The last string seen at depth 1: a key when a `:` follows.
    let mut last_string: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(bytes.len());
                last_string = (depth == 1).then_some((start, end));
            }
            b'{' | b'[' => {
                depth += 1;
                last_string = None;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                last_string = None;
            }
            b':' if depth == 1 => {
                if let Some(key) = last_string.take().and_then(|(s, e)| text.get(s..e)) {
                    keys.push(key.to_string());
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => last_string = None,
        }
        i += 1;
    }
    keys
}

/// The top-level keys of a YAML text (all documents), and the first line with a Go template
/// action outside a string. Lines inside block scalars (`|`, `>`) are text and skipped.
fn yaml_outline(text: &str) -> (Vec<String>, Option<usize>) {
    let mut keys = Vec::new();
    let mut template_line = None;
    // The indentation of the line that opened the block scalar being skipped.
    let mut block: Option<usize> = None;
    for (n, line) in text.trim_start_matches('\u{FEFF}').lines().enumerate() {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let body = body.trim_end();
        if let Some(parent) = block {
            if body.is_empty() || indent > parent {
                continue;
            }
            block = None;
        }
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if template_line.is_none() && starts_go_action(body) {
            template_line = Some(n + 1);
        }
        if indent == 0
            && let Some(key) = yaml_key(body)
        {
            keys.push(key.to_string());
        }
        if opens_block_scalar(body) {
            block = Some(indent);
        }
    }
    (keys, template_line)
}

/// The key of a `key: value` (or `key:`) line, unquoted.
fn yaml_key(body: &str) -> Option<&str> {
    if body.starts_with(['-', '%', '.', '{', '[', '!', '&', '*', '?', '|', '>']) {
        return None;
    }
    let colon = body
        .char_indices()
        .find(|&(i, c)| c == ':' && body[i + 1..].chars().next().is_none_or(|n| n == ' '))?
        .0;
    Some(body[..colon].trim().trim_matches(['"', '\'']))
}

/// Whether a line (without its indentation) has a Go template action where a YAML value or line
/// starts: `{{- if .Values.x }}`, `name: {{ .Values.name }}`, `- {{ include "x" . }}`. A
/// CloudFormation dynamic reference (`{{resolve:ssm:x}}`) is not one.
fn starts_go_action(body: &str) -> bool {
    let mut rest = body;
    while let Some(r) = rest.strip_prefix("- ") {
        rest = r.trim_start();
    }
    if is_go_action(rest) {
        return true;
    }
    match rest.find(": ") {
        Some(i) => {
            let value = rest[i + 2..].trim_start();
            is_go_action(value.strip_prefix("- ").unwrap_or(value).trim_start())
        }
        None => false,
    }
}

fn is_go_action(text: &str) -> bool {
    let Some(inner) = text.strip_prefix("{{") else {
        return false;
    };
    let inner = inner.trim_start_matches('-').trim_start();
    match inner.chars().next() {
        Some('.' | '$' | '/' | '(' | '"' | '}') | None => true,
        Some(c) if c.is_ascii_alphabetic() => {
            // `{{ include "x" . }}`, `{{ toYaml .Values | nindent 4 }}`, `{{ end }}`; not
            // `{{resolve:ssm:name}}`.
            let word_end = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            !inner[word_end..].starts_with(':')
        }
        _ => false,
    }
}

/// Whether a line ends with a block scalar indicator (`key: |`, `- >-`, `Code: !Sub |`).
fn opens_block_scalar(body: &str) -> bool {
    let code = match body.find(" #") {
        Some(i) => &body[..i],
        None => body,
    };
    let mut tokens = code.split_whitespace().rev();
    let last = tokens.next().unwrap_or("");
    let mut chars = last.chars();
    let indicator = matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| c == '+' || c == '-' || c.is_ascii_digit());
    // After a key, a sequence dash or a tag; alone on its line it is a continued value.
    indicator
        && tokens
            .next()
            .is_none_or(|prev| prev.ends_with(':') || prev == "-" || prev.starts_with('!'))
}

/// How an input came to be scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// Named on the command line: it must be an input, or it is an error.
    Named,
    /// Found walking a directory: JSON/YAML that is not a template or plan is skipped silently.
    Walked,
    /// Read standard input (`-`).
    Stdin,
    /// Read only as the context of a named `.tf` file (the rest of its module, the modules that
    /// call it): its findings are reported only where they touch a named file.
    Context,
}

impl Found {
    /// Named on the command line or given on standard input: what it is not must be said.
    pub fn is_named(self) -> bool {
        matches!(self, Found::Named | Found::Stdin)
    }
}

/// An input file found by the walk.
#[derive(Clone, Debug)]
pub struct Discovered {
    pub path: PathBuf,
    pub kind: FileKind,
    pub found: Found,
}

/// A path the walk could not take, and why.
#[derive(Debug)]
pub struct WalkError {
    pub path: PathBuf,
    pub error: ReadError,
}

/// Directories never walked, by name: VCS metadata, Terraform's cache (provider binaries; fetched
/// modules are loaded from `.terraform/modules` only when a scanned module calls them, never as roots
/// of their own, or their examples and tests would be reported as the user's code), npm packages, and
/// SAM's build copies of templates that are scanned at their source. `cdk.out` *is* walked: for a CDK
/// app the synthesized templates are the only infrastructure code there is.
pub const SKIPPED_DIRS: &[&str] = &[".git", ".terraform", "node_modules", ".aws-sam"];

fn is_skipped_dir(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    SKIPPED_DIRS.contains(&name)
}

/// The kind of a file by its name, or None when it is not an input.
pub fn classify_path(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".tf") {
        return Some(FileKind::Terraform);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tfvars") || lower.ends_with(".tfvars.json") {
        return Some(FileKind::TerraformVars);
    }
    if lower.ends_with(".tf.json") {
        return Some(FileKind::TerraformJson);
    }
    if [".json", ".yaml", ".yml", ".template"]
        .iter()
        .any(|x| lower.ends_with(x))
    {
        return Some(FileKind::Structured);
    }
    None
}

/// How to walk.
#[derive(Clone, Copy, Debug, Default)]
pub struct WalkOptions {
    /// Honour `.gitignore`, `.ignore` and `.git/info/exclude` (off by default: see the module doc).
    pub respect_gitignore: bool,
}

/// Walks `paths` inside `reader`'s root and returns the input files in a stable order, with the paths
/// that could not be walked (outside the root, loops, special files, unreadable directories). A file
/// reached twice (`scan . $PWD`, `scan . app.yaml`, `scan a/../a`) is scanned once, under the name
/// it was first reached by.
pub fn discover(
    paths: &[PathBuf],
    reader: &Reader,
    options: WalkOptions,
) -> (Vec<Discovered>, Vec<WalkError>) {
    let mut files = Vec::new();
    let errors = Arc::new(Mutex::new(Vec::new()));
    for start in paths {
        match named_path(start, reader) {
            Err(error) => push(&errors, start, error),
            // Named explicitly: it must be an input. A name that says nothing (`plan.out`,
            // `tfplan`) is classified by content once read.
            Ok(false) => files.push(Discovered {
                path: start.clone(),
                kind: classify_path(start).unwrap_or(FileKind::Structured),
                found: Found::Named,
            }),
            Ok(true) => walk(start, reader, options, &mut files, &errors),
        }
    }
    let files = dedupe(files);
    files_sorted(files, errors)
}

fn files_sorted(
    mut files: Vec<Discovered>,
    errors: Arc<Mutex<Vec<WalkError>>>,
) -> (Vec<Discovered>, Vec<WalkError>) {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut errors = std::mem::take(&mut *errors.lock().unwrap_or_else(|e| e.into_inner()));
    let mut seen = HashSet::new();
    errors.retain(|e| seen.insert((identity(&e.path), e.error.message())));
    (files, errors)
}

/// Checks a path named on the command line: Ok(true) for a directory to walk, Ok(false) for a
/// regular file. Its type is taken with `stat`, which opens nothing: a pipe (`<(cat x.tf)`) or a
/// FIFO is named as such and never blocked on, and `/dev/stdin` is not read by path.
fn named_path(start: &Path, reader: &Reader) -> Result<bool, ReadError> {
    let meta = std::fs::metadata(start).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    })?;
    let descriptor = ["/dev/stdin", "/dev/fd/", "/proc/self/fd/"]
        .iter()
        .any(|p| start.to_str().is_some_and(|s| s.starts_with(p)));
    let hint = "use `-` to read standard input (with --stdin-filename NAME to say what it is)";
    let special = !(meta.is_file() || meta.is_dir());
    if descriptor {
        // An anonymous pipe (`<(...)`, `cmd | passrole scan /dev/stdin`) is a FIFO.
        return Err(ReadError::Special(if special {
            let what = if special_is_fifo(&meta) {
                "a pipe"
            } else {
                crate::source::reader::special_kind(&meta)
            };
            format!("not a regular file: {what}; {hint}")
        } else {
            format!("standard input or an open file descriptor, not a file to read by name; {hint}")
        }));
    }
    // Confinement first: what lies outside the root is not described.
    reader.resolve(start)?;
    if special {
        let what = crate::source::reader::special_kind(&meta);
        return Err(ReadError::Special(format!(
            "not a regular file: {what}; {hint}"
        )));
    }
    Ok(meta.is_dir())
}

fn special_is_fifo(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_fifo()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// What makes two paths the same input: the resolved directory and the file name. The file name is
/// not resolved: `modules/a/x.tf -> ../shared/x.tf` is a file of both modules, as for Terraform.
pub fn identity(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Path::new("."),
        Some(p) => p,
        None => return path.to_path_buf(),
    };
    match (dir.canonicalize(), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// Keeps the first of the inputs with the same [`identity`].
pub fn dedupe(files: Vec<Discovered>) -> Vec<Discovered> {
    let mut seen = HashSet::new();
    files
        .into_iter()
        .filter(|d| seen.insert(identity(&d.path)))
        .collect()
}

fn push(errors: &Mutex<Vec<WalkError>>, path: &Path, error: ReadError) {
    errors
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(WalkError {
            path: path.to_path_buf(),
            error,
        });
}

/// The directory walker of a scan (the inputs here, a plan's configuration in
/// `source::plan`): no hidden-file or global filters, ignore files only with
/// `--respect-gitignore`, in a stable order. Each walk adds its own link policy and skipped
/// directories.
pub(crate) fn walker(start: &Path, options: WalkOptions) -> ignore::WalkBuilder {
    let mut builder = ignore::WalkBuilder::new(start);
    builder
        .standard_filters(false)
        .git_ignore(options.respect_gitignore)
        .git_exclude(options.respect_gitignore)
        .ignore(options.respect_gitignore)
        .parents(options.respect_gitignore)
        .require_git(false)
        // A stable order: which of two links to one directory is walked must not vary by run.
        .sort_by_file_name(|a, b| a.cmp(b));
    builder
}

fn walk(
    start: &Path,
    reader: &Reader,
    options: WalkOptions,
    files: &mut Vec<Discovered>,
    errors: &Arc<Mutex<Vec<WalkError>>>,
) {
    let filter_errors = Arc::clone(errors);
    let filter_reader = reader.clone();
    // Directories entered through a symlink, by resolved path: each is walked through one link only.
    // Two links to the same directory at every level would otherwise make 2^depth paths to walk
    // (the loop check catches only links back to an ancestor). Its files are still scanned, once;
    // a module call through the other link loads the directory itself.
    let linked_dirs: Arc<Mutex<HashSet<PathBuf>>> = Arc::default();
    let walker = walker(start, options)
        .follow_links(true)
        .filter_entry(move |e| {
            if e.file_type().is_some_and(|t| t.is_dir()) && is_skipped_dir(e.path()) {
                return false;
            }
            // A symlink is followed only while it stays inside the root. Links out of it are
            // reported when they look like input (a `.tf`) or are directories (`fs -> /`); other
            // links out (a README pointing elsewhere) are not input and not read.
            if e.path_is_symlink() {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                match filter_reader.resolve(e.path()) {
                    Err(error) => {
                        let dangling = matches!(error, ReadError::NotFound);
                        if (is_dir || classify_path(e.path()).is_some()) && !dangling {
                            push(&filter_errors, e.path(), error);
                        }
                        return false;
                    }
                    Ok(target) if is_dir => {
                        return linked_dirs
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(target);
                    }
                    Ok(_) => {}
                }
            }
            true
        })
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                let Some(kind) = classify_path(e.path()) else {
                    continue;
                };
                match e.file_type() {
                    Some(t) if t.is_file() => files.push(Discovered {
                        path: e.path().to_path_buf(),
                        kind,
                        found: Found::Walked,
                    }),
                    Some(t) if t.is_dir() => {}
                    // A FIFO, device or socket with an input's name: the reader says which.
                    _ => match reader.open(e.path()) {
                        Err(error) => push(errors, e.path(), error),
                        Ok(_) => files.push(Discovered {
                            path: e.path().to_path_buf(),
                            kind,
                            found: Found::Walked,
                        }),
                    },
                }
            }
            Err(err) => {
                let path = walk_error_path(&err).unwrap_or_else(|| start.to_path_buf());
                push(errors, &path, walk_error(err));
            }
        }
    }
}

/// The walk's error without the path (the `errors` entry names the file already).
fn walk_error(err: ignore::Error) -> ReadError {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            walk_error(*err)
        }
        ignore::Error::Io(e) if e.kind() == std::io::ErrorKind::NotFound => ReadError::NotFound,
        ignore::Error::Io(e) => ReadError::Io(e),
        ignore::Error::Loop { ancestor, .. } => ReadError::Walk(format!(
            "a symlink loop back to {}: not followed",
            crate::source::display_path(&ancestor)
        )),
        other => ReadError::Walk(other.to_string()),
    }
}

fn walk_error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => walk_error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}
