//! The module call graph of a workspace: which directories are roots, and where each call leads.
//!
//! Each root's calls are walked visiting each directory once, so the walk is linear in the number of
//! directories whatever the shape of the graph (a DAG where every level calls the next twice has
//! exponentially many call paths). A directory is known by its resolved path, so that a symlink
//! (`self -> .`) does not make a new directory at every level. Cycles are cut when the module tree
//! is built (see `eval::instances`), where a call's ancestors are known.

use super::load::{Workspace, is_local, load_dir, module_calls, modules_json, normalize};
use crate::source::reader::Reader;
use crate::source::{InputError, SourceMap};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Finds and loads the directories module calls lead to.
struct Resolver<'r> {
    reader: &'r Reader,
    /// Resolved path → the directory's key in `ws.dirs` (the first path it was reached by).
    canonical: HashMap<PathBuf, PathBuf>,
    /// Directories that could not be loaded, and why.
    failed: HashMap<PathBuf, String>,
}

impl Resolver<'_> {
    /// The key of the directory `path` names: itself when it is already in the workspace, else the
    /// directory it resolves to when another path reached that first.
    fn identify(&mut self, ws: &Workspace, path: PathBuf) -> PathBuf {
        if ws.dirs.contains_key(&path) {
            return path;
        }
        match self.reader.resolve(&path) {
            Ok(resolved) => self.canonical.entry(resolved).or_insert(path).clone(),
            // Outside the root, or missing: `load_dir` says why.
            Err(_) => path,
        }
    }

    /// Loads the directory `dir` (a key from [`Resolver::identify`]) unless it is loaded already.
    fn load(
        &mut self,
        ws: &mut Workspace,
        dir: PathBuf,
        sources: &mut SourceMap,
        errors: &mut Vec<InputError>,
    ) -> Result<PathBuf, String> {
        if ws.dirs.contains_key(&dir) {
            return Ok(dir);
        }
        if let Some(reason) = self.failed.get(&dir) {
            return Err(reason.clone());
        }
        match load_dir(&dir, sources, self.reader, errors) {
            Ok(module) => {
                ws.dirs.insert(dir.clone(), module);
                Ok(dir)
            }
            Err(reason) => {
                self.failed.insert(dir, reason.clone());
                Err(reason)
            }
        }
    }
}

/// Sets `ws.roots` and `ws.calls`, loading the called directories the scan did not walk.
///
/// A directory of the scan is a root unless a module call from another directory of the scan
/// reaches it (a directory that calls itself is still a root). Directories that only call each other
/// are reached from no root: each one still unreached becomes a root, in order, so that none is
/// dropped silently (their cycle is reported when their tree is built).
pub fn resolve(
    ws: &mut Workspace,
    sources: &mut SourceMap,
    reader: &Reader,
    errors: &mut Vec<InputError>,
) {
    let mut r = Resolver {
        reader,
        canonical: HashMap::new(),
        failed: HashMap::new(),
    };
    let scanned: Vec<PathBuf> = ws.dirs.keys().cloned().collect();
    for dir in &scanned {
        if let Ok(resolved) = reader.resolve(dir) {
            r.canonical.entry(resolved).or_insert_with(|| dir.clone());
        }
    }
    let mut called = HashSet::new();
    for dir in &scanned {
        let calls = ws.dirs.get(dir).map(module_calls).unwrap_or_default();
        for (_, source) in calls {
            if let Some(s) = source.filter(|s| is_local(s)) {
                let target = r.identify(ws, normalize(&dir.join(s)));
                if target != *dir {
                    called.insert(target);
                }
            }
        }
    }
    let mut roots: Vec<PathBuf> = scanned
        .iter()
        .filter(|d| !called.contains(*d))
        .cloned()
        .collect();
    let mut reached = HashSet::new();
    for root in &roots {
        walk(ws, &mut r, root, sources, errors, &mut reached);
    }
    for dir in &scanned {
        if !reached.contains(dir) {
            roots.push(dir.clone());
            walk(ws, &mut r, dir, sources, errors, &mut reached);
        }
    }
    roots.sort();
    ws.roots = roots;
}

/// Resolves the calls of every directory reachable from `root`, each directory once: the first
/// module key path (`a.b`) that reaches a directory is the one its registry calls are looked up by
/// in the root's `modules.json`.
fn walk(
    ws: &mut Workspace,
    r: &mut Resolver,
    root: &Path,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
    reached: &mut HashSet<PathBuf>,
) {
    let registry = modules_json(root, r.reader, errors);
    let mut visited = HashSet::from([root.to_path_buf()]);
    reached.insert(root.to_path_buf());
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, key)) = stack.pop() {
        let calls = ws.dirs.get(&dir).map(module_calls).unwrap_or_default();
        let mut names = HashSet::new();
        for (name, source) in calls {
            // A second `module` block of the same name is an input error; the first is used.
            if !names.insert(name.clone()) {
                continue;
            }
            let child_key = if key.is_empty() {
                name.clone()
            } else {
                format!("{key}.{name}")
            };
            let target = match source {
                None => Err(format!("module.{name} has no literal source")),
                Some(s) if is_local(&s) => Ok(r.identify(ws, normalize(&dir.join(&s)))),
                Some(s) => match registry.get(&child_key) {
                    Some(t) => Ok(r.identify(ws, t.clone())),
                    None => Err(format!(
                        "module source not fetched: run terraform init (module.{name}, source {s})"
                    )),
                },
            };
            let target = target.and_then(|t| {
                r.load(ws, t, sources, errors)
                    .map_err(|reason| format!("module.{name}: {reason}"))
            });
            if let Ok(t) = &target
                && visited.insert(t.clone())
            {
                reached.insert(t.clone());
                stack.push((t.clone(), child_key));
            }
            ws.calls
                .insert((root.to_path_buf(), dir.clone(), name), target);
        }
    }
}
