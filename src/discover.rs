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
/// A CloudFormation template has `AWSTemplateFormatVersion`, or `Resources` with `AWS::` types (SAM:
/// `Transform: AWS::Serverless-2016-10-31`); a plan or state has `format_version` with
/// `planned_values`, `resource_changes` or `values`.
pub fn classify_text(text: &str) -> Option<StructuredKind> {
    // Look at a bounded prefix for the plan keys: plans put `format_version` first, and reading a
    // 100 MB plan twice to classify it would be waste.
    let head = match text.char_indices().nth(4096) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    if head.contains("\"format_version\"")
        && (text.contains("\"planned_values\"")
            || text.contains("\"resource_changes\"")
            || text.contains("\"values\""))
    {
        return Some(StructuredKind::Plan);
    }
    if text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("AWS::"))
    {
        return Some(StructuredKind::CloudFormation);
    }
    None
}

/// An input file found by the walk.
#[derive(Clone, Debug)]
pub struct Discovered {
    pub path: PathBuf,
    pub kind: FileKind,
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
/// that could not be walked (outside the root, loops, special files, unreadable directories).
pub fn discover(
    paths: &[PathBuf],
    reader: &Reader,
    options: WalkOptions,
) -> (Vec<Discovered>, Vec<WalkError>) {
    let mut files = Vec::new();
    let errors = Arc::new(Mutex::new(Vec::new()));
    for start in paths {
        let meta = match reader.resolve(start) {
            Ok(resolved) => match std::fs::metadata(&resolved) {
                Ok(m) => m,
                Err(e) => {
                    push(&errors, start, ReadError::Io(e));
                    continue;
                }
            },
            Err(error) => {
                push(&errors, start, error);
                continue;
            }
        };
        if !meta.is_dir() {
            // Named explicitly: it must be an input (the reader checks it is a regular file).
            match classify_path(start) {
                Some(kind) => files.push(Discovered {
                    path: start.clone(),
                    kind,
                }),
                None => push(
                    &errors,
                    start,
                    ReadError::Io(std::io::Error::other(
                        "not a Terraform, CloudFormation or plan file",
                    )),
                ),
            }
            continue;
        }
        walk(start, reader, options, &mut files, &errors);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let errors = std::mem::take(&mut *errors.lock().unwrap_or_else(|e| e.into_inner()));
    (files, errors)
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
    let walker = ignore::WalkBuilder::new(start)
        .standard_filters(false)
        .git_ignore(options.respect_gitignore)
        .git_exclude(options.respect_gitignore)
        .ignore(options.respect_gitignore)
        .parents(options.respect_gitignore)
        .require_git(false)
        .follow_links(true)
        // A stable order: which of two links to one directory is walked must not vary by run.
        .sort_by_file_name(|a, b| a.cmp(b))
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
                    }),
                    Some(t) if t.is_dir() => {}
                    // A FIFO, device or socket with an input's name: the reader says which.
                    _ => match reader.open(e.path()) {
                        Err(error) => push(errors, e.path(), error),
                        Ok(_) => files.push(Discovered {
                            path: e.path().to_path_buf(),
                            kind,
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
