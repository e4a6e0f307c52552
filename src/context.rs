//! A `.tf` file named on the command line is scanned in its context, so that `passrole scan
//! changed.tf` (what a pre-commit hook runs) finds on that file what `passrole scan .` finds there:
//! the other files of its module directory are read, and so are the directories inside the root
//! whose module calls reach it (directly or through other modules), which give its variables their
//! values. Only findings that touch a named file are reported from the units built that way.
//!
//! Finding the callers reads the `.tf` files of the root once and looks for local `source = "../x"`
//! strings in their text (no parse), so the cost is one walk and one read of the root's Terraform;
//! only the directories on a call path to a named file are parsed and evaluated. A `source` that is
//! not a module call (a provisioner's) only adds a directory to read, never a finding.
//!
//! A named CloudFormation template that imports values (`Fn::ImportValue`) is scanned with the
//! templates of the root that export values (found by reading the root's JSON/YAML files for
//! `Export`, only when a named template imports something), so that an imported role is checked as
//! `scan .` checks it; their own findings are reported only where they touch a named file. A plan
//! is its own context.

use crate::discover::{
    Discovered, FileKind, Found, StructuredKind, WalkOptions, classify_text, discover, identity,
};
use crate::findings::Finding;
use crate::source::InputError;
use crate::source::reader::Reader;
use crate::value::FileId;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

fn is_terraform(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Terraform | FileKind::TerraformJson | FileKind::TerraformVars
    )
}

/// The directory holding `path` (`.` for a bare file name).
pub fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The Terraform files to read as context of the named `.tf`, `.tf.json` and `.tfvars` files of
/// `inputs`: the rest of their directories and of the directories that call them. Files already in
/// `inputs` are not repeated. `walked` are the directories the scan walks: a named file inside one
/// has its context there already.
pub fn context_files(
    inputs: &[Discovered],
    walked: &[PathBuf],
    reader: &Reader,
    options: WalkOptions,
) -> Vec<Discovered> {
    let walked: Vec<PathBuf> = walked
        .iter()
        .filter_map(|d| d.canonicalize().ok())
        .collect();
    let mut named_dirs: Vec<PathBuf> = Vec::new();
    for d in inputs {
        if !(d.found.is_named() && is_terraform(d.kind)) {
            continue;
        }
        let dir = dir_of(&d.path);
        let Ok(canonical) = dir.canonicalize() else {
            continue;
        };
        if walked.iter().any(|w| canonical.starts_with(w)) || named_dirs.contains(&dir) {
            continue;
        }
        named_dirs.push(dir);
    }
    if named_dirs.is_empty() {
        return Vec::new();
    }
    let mut dirs = named_dirs.clone();
    dirs.extend(callers(&named_dirs, reader, options));
    let known: HashSet<PathBuf> = inputs.iter().map(|d| identity(&d.path)).collect();
    let mut out = Vec::new();
    for dir in dirs {
        // Unreadable directories and files are reported by `scan .`, not by a scan of one file:
        // only what can be read is context.
        let Ok(entries) = reader.read_dir(&dir) else {
            continue;
        };
        for path in entries {
            let Some(kind) = crate::discover::classify_path(&path).filter(|k| is_terraform(*k))
            else {
                continue;
            };
            if path.is_file() && !known.contains(&identity(&path)) {
                out.push(Discovered {
                    path,
                    kind,
                    found: Found::Context,
                });
            }
        }
    }
    crate::discover::dedupe(out)
}

/// The templates of the root that export values, read as context when a named template (not in a
/// walked directory) imports one: `(file, text)` pairs to add to the texts read.
pub fn exporting_templates(
    texts: &[(Discovered, Result<String, InputError>)],
    walked: &[PathBuf],
    reader: &Reader,
    options: WalkOptions,
) -> Vec<(Discovered, Result<String, InputError>)> {
    let walked: Vec<PathBuf> = walked
        .iter()
        .filter_map(|d| d.canonicalize().ok())
        .collect();
    let imports = texts.iter().any(|(d, text)| {
        d.found.is_named()
            && d.kind == FileKind::Structured
            && text.as_ref().is_ok_and(|t| {
                t.contains("ImportValue")
                    && classify_text(t) == Some(StructuredKind::CloudFormation)
            })
            && !dir_of(&d.path)
                .canonicalize()
                .is_ok_and(|dir| walked.iter().any(|w| dir.starts_with(w)))
    });
    if !imports {
        return Vec::new();
    }
    let known: HashSet<PathBuf> = texts.iter().map(|(d, _)| identity(&d.path)).collect();
    let (files, _) = discover(&[reader.root().to_path_buf()], reader, options);
    files
        .into_par_iter()
        .filter(|f| f.kind == FileKind::Structured && !known.contains(&identity(&f.path)))
        .filter_map(|f| {
            // Unreadable files are `scan .`'s to report; only what can be read is context.
            let text = reader.read_text(&f.path).ok()?;
            let exports = text.contains("Export")
                && classify_text(&text) == Some(StructuredKind::CloudFormation);
            exports.then(|| {
                let found = Found::Context;
                (Discovered { found, ..f }, Ok(text))
            })
        })
        .collect()
}

/// The directories inside the root whose local module calls reach one of `dirs`, transitively.
fn callers(dirs: &[PathBuf], reader: &Reader, options: WalkOptions) -> Vec<PathBuf> {
    let (files, _) = discover(&[reader.root().to_path_buf()], reader, options);
    // Called directory (resolved) → the directories calling it (as walked, and resolved).
    let mut called_by: HashMap<PathBuf, Vec<(PathBuf, PathBuf)>> = HashMap::new();
    let mut resolved_dirs: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    for f in files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Terraform | FileKind::TerraformJson))
    {
        let Ok(text) = reader.read_text(&f.path) else {
            continue;
        };
        let dir = dir_of(&f.path);
        let Some(caller) = resolved(&mut resolved_dirs, reader, &dir) else {
            continue;
        };
        for source in local_sources(&text) {
            if let Some(target) = resolved(&mut resolved_dirs, reader, &dir.join(source)) {
                called_by
                    .entry(target)
                    .or_default()
                    .push((dir.clone(), caller.clone()));
            }
        }
    }
    let mut seen: HashSet<PathBuf> = dirs.iter().filter_map(|d| d.canonicalize().ok()).collect();
    let mut queue: Vec<PathBuf> = seen.iter().cloned().collect();
    let mut out = Vec::new();
    while let Some(dir) = queue.pop() {
        for (shown, caller) in called_by.get(&dir).into_iter().flatten() {
            if seen.insert(caller.clone()) {
                out.push(shown.clone());
                queue.push(caller.clone());
            }
        }
    }
    out.sort();
    out
}

/// The resolved path of a directory inside the root, once per path.
fn resolved(
    memo: &mut HashMap<PathBuf, Option<PathBuf>>,
    reader: &Reader,
    dir: &Path,
) -> Option<PathBuf> {
    memo.entry(dir.to_path_buf())
        .or_insert_with(|| reader.resolve(dir).ok().filter(|p| p.is_dir()))
        .clone()
}

/// The local paths of `source = "./x"` (HCL) and `"source": "../x"` (JSON syntax) in a text.
pub fn local_sources(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("source") {
        let after = &rest[i + "source".len()..];
        rest = after;
        let after = after
            .strip_prefix('"')
            .unwrap_or(after)
            .trim_start_matches([' ', '\t']);
        let Some(after) = after.strip_prefix(['=', ':']) else {
            continue;
        };
        let Some(value) = after.trim_start_matches([' ', '\t']).strip_prefix('"') else {
            continue;
        };
        let Some(end) = value.find(['"', '\n']) else {
            continue;
        };
        let value = &value[..end];
        if value == "." || value == ".." || value.starts_with("./") || value.starts_with("../") {
            out.push(value);
        }
    }
    out
}

/// Whether a finding is reported: always, unless it comes from a unit built from context
/// (`context_units`, by index in the facts), where it must have its primary or a related location
/// in one of `reported_files` (the named and walked inputs).
pub fn is_reported(
    finding: &Finding,
    context_units: &HashSet<usize>,
    reported_files: &HashSet<FileId>,
) -> bool {
    if context_units.is_empty() {
        return true;
    }
    let in_reported = |f: FileId| reported_files.contains(&f);
    match crate::facts::unit_of(&finding.pointer) {
        Some(u) if context_units.contains(&u) => {
            in_reported(finding.location.span.file)
                || finding
                    .related
                    .iter()
                    .any(|r| in_reported(r.location.span.file))
        }
        Some(_) => true,
        // A finding about a suppression comment (PR090-PR092) belongs to the comment's file.
        None => in_reported(finding.location.span.file),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_are_found_in_hcl_and_json() {
        let hcl = "module \"a\" {\n  source = \"../modules/a\"\n}\nmodule \"b\" {\n  source  =  \"hashicorp/x/aws\"\n}\nmodule \"c\" { source=\"./c\" }\n";
        assert_eq!(local_sources(hcl), vec!["../modules/a", "./c"]);
        let json = r#"{"module": {"a": {"source": "../a", "x": "source"}}}"#;
        assert_eq!(local_sources(json), vec!["../a"]);
        assert!(local_sources("source_dir = \"./x\"\n# source\n").is_empty());
    }
}
