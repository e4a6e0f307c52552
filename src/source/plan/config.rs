//! Finding and reading the Terraform configuration of each plan: `--source DIR`, else the plan's own
//! directory when it holds `.tf` files. The `.tf` files found are added to the source map (without
//! becoming inputs of their own) so that findings of the plan can point at them ([`super::enrich`]).

use super::PlanConfig;
use crate::discover::WalkOptions;
use crate::source::reader::{ReadError, Reader};
use crate::source::{InputError, SourceFile, SourceMap};
use crate::value::FileId;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// For each plan (its id and path), where its Terraform configuration is: `source` (`--source DIR`)
/// or the plan's own directory, when it holds `.tf` files. Plans sharing a directory share one
/// configuration, read once.
pub fn configurations<'a>(
    plans: impl Iterator<Item = (FileId, &'a Path)>,
    sources: &mut SourceMap,
    source: Option<&Path>,
    reader: &Reader,
    errors: &mut Vec<InputError>,
) -> HashMap<FileId, PlanConfig> {
    let mut out = HashMap::new();
    let mut by_root: HashMap<PathBuf, Option<PlanConfig>> = HashMap::new();
    // The files already read, by canonical path: built once for all plans (once per plan
    // directory, it canonicalised every file of a large repository a hundred times over).
    let mut known: Option<HashMap<PathBuf, FileId>> = None;
    for (id, path) in plans {
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
            .or_insert_with(|| load_config(&root, sources, &mut known, reader, errors));
        if let Some(c) = config {
            out.insert(id, c.clone());
        }
    }
    out
}

/// The configuration rooted at `root`, or None when `root` holds no `.tf` file. Files already in
/// the source map (scanned as inputs) are not read twice: `known` maps canonical paths to them.
fn load_config(
    root: &Path,
    sources: &mut SourceMap,
    known: &mut Option<HashMap<PathBuf, FileId>>,
    reader: &Reader,
    errors: &mut Vec<InputError>,
) -> Option<PlanConfig> {
    let has_tf = match reader.read_dir(root) {
        Ok(entries) => entries
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "tf")),
        Err(ReadError::NotFound) => false,
        Err(e) => {
            errors.push(e.to_input_error(root, "the plan's configuration directory"));
            false
        }
    };
    if !has_tf {
        return None;
    }
    let known = known.get_or_insert_with(|| {
        (0..sources.len() as u32)
            .filter_map(|i| {
                let f = sources.get(FileId(i))?;
                Some((f.path.canonicalize().ok()?, FileId(i)))
            })
            .collect()
    });
    let mut dirs: BTreeMap<PathBuf, Vec<FileId>> = BTreeMap::new();
    for path in tf_files_below(root) {
        let Ok(canonical) = path.canonicalize() else {
            continue;
        };
        let id = match known.get(&canonical) {
            Some(id) => *id,
            None => match reader.read_text(&path) {
                Ok(text) => {
                    let id = sources.add(SourceFile::new(path.clone(), text));
                    known.insert(canonical.clone(), id);
                    id
                }
                Err(e) => {
                    errors.push(e.to_input_error(&path, "a .tf file of the plan's configuration"));
                    continue;
                }
            },
        };
        if let Some(dir) = canonical.parent() {
            dirs.entry(dir.to_path_buf()).or_default().push(id);
        }
    }
    super::record_fetched_calls(root, &dirs, sources);
    Some(PlanConfig {
        root: root.to_path_buf(),
        dirs,
    })
}

/// The `.tf` files below `root`, sorted. The scan's walk with two differences: `.terraform/modules`
/// is included (the plan's modules fetched by `terraform init` are usually there) and only the
/// provider cache and `.git` are skipped; and symlinks are not followed, since the files are only
/// read through the reader, which refuses what lies outside the root. `.gitignore` is never applied:
/// fetched modules are usually ignored. Paths the walk cannot take are skipped silently: the
/// configuration is context for the plan, not input.
fn tf_files_below(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = crate::discover::walker(root, WalkOptions::default())
        .follow_links(false)
        .filter_entry(|e| !(e.file_type().is_some_and(|t| t.is_dir()) && is_skipped_dir(e.path())))
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    out.sort();
    out
}

/// `.git` and Terraform's provider cache (`.terraform/providers`), wherever they are.
fn is_skipped_dir(dir: &Path) -> bool {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == ".git"
        || (name == "providers"
            && dir
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|p| p == ".terraform"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the walk keeps and skips: fetched modules, hidden directories and what `.gitignore`
    /// and `.ignore` list in, `node_modules` in (the scan's own walk skips it); the provider cache,
    /// `.git`, symlinks and non-`.tf` files out.
    #[test]
    fn tf_files_below_keeps_fetched_modules_and_skips_the_provider_cache() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        };
        write("main.tf");
        write("notes.md");
        write("sub/b.tf");
        write(".terraform/modules/vpc/vpc.tf");
        write(".terraform/providers/registry/aws/x.tf");
        write(".git/hooks/h.tf");
        write("node_modules/pkg/n.tf");
        write("sub/providers/p.tf");
        write(".hidden/h.tf");
        write("ignored/i.tf");
        std::fs::write(root.join(".gitignore"), "ignored/\n.terraform/\n").unwrap();
        std::fs::write(root.join(".ignore"), "sub/\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("sub/b.tf"), root.join("link.tf")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("sub"), root.join("linked-dir")).unwrap();
        let found: Vec<String> = tf_files_below(root)
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            found,
            [
                ".hidden/h.tf",
                ".terraform/modules/vpc/vpc.tf",
                "ignored/i.tf",
                "main.tf",
                "node_modules/pkg/n.tf",
                "sub/b.tf",
                "sub/providers/p.tf",
            ]
        );
    }
}
