//! Finding the input files: walk the given paths (respecting `.gitignore`), skip what is never input,
//! and classify each file by its extension and, for JSON/YAML, by its content.

use std::path::{Path, PathBuf};

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

/// Directories that never hold input: VCS metadata and Terraform's provider cache (large binaries).
fn is_skipped_dir(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // `.terraform` holds the provider cache and fetched modules: modules are loaded from there only
    // when a scanned module calls them (`.terraform/modules/modules.json`), never as roots of their
    // own (their examples and tests would be reported as the user's code).
    name == ".git" || name == ".terraform"
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

/// Walks `paths` and returns the input files in a stable order. A path given explicitly as a file is
/// taken whatever `.gitignore` says; errors of the walk (unreadable directories, symlink loops) are
/// returned beside the files.
pub fn discover(paths: &[PathBuf]) -> (Vec<Discovered>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        if root.is_file() {
            match classify_path(root) {
                Some(kind) => files.push(Discovered {
                    path: root.clone(),
                    kind,
                }),
                None => errors.push((
                    root.clone(),
                    "not a Terraform, CloudFormation or plan file".to_string(),
                )),
            }
            continue;
        }
        if !root.exists() {
            errors.push((root.clone(), "no such file or directory".to_string()));
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .require_git(false)
            .follow_links(true)
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir()) && is_skipped_dir(e.path()))
            })
            .build();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    if let Some(kind) = classify_path(e.path()) {
                        files.push(Discovered {
                            path: e.path().to_path_buf(),
                            kind,
                        });
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => path.clone(),
                        _ => root.clone(),
                    };
                    errors.push((path, err.to_string()));
                }
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    (files, errors)
}
