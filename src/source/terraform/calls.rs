//! The module call graph of a workspace: which directories are roots, and where each call leads.
//!
//! Each root's calls are walked visiting each directory once, so the walk is linear in the number of
//! directories whatever the shape of the graph (a DAG where every level calls the next twice has
//! exponentially many call paths). A directory is known by its resolved path, so that a symlink
//! (`self -> .`) does not make a new directory at every level. Cycles are reported here, once for
//! the scan, and cut when each unit's module tree is built (see `eval::instances`), where a call's
//! ancestors are known.

use super::load::{
    Workspace, call_header, is_local, load_dir, module_calls, modules_json, normalize,
};
use crate::source::reader::Reader;
use crate::source::{ErrorKind, InputError, SourceMap};
use crate::value::Span;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Why a module call leads nowhere because its source was not read: not fetched by `terraform init`,
/// not a literal, or a directory that is not there or holds no `.tf` file. Everything in such a module is unchecked, so the
/// call is a coverage note of its own (see `lower::skipped`), besides the notes on the values that
/// come out of it. (A source outside the root is not among them: it is an input error already.)
pub(super) const NOT_FETCHED: &str = "module source not fetched: run terraform init";
pub(super) const NO_LITERAL_SOURCE: &str = "has no literal source";
pub(super) const MISSING_DIR: &str = "the module directory does not exist";
pub(super) const NO_TF_FILES: &str = "the module directory has no .tf files";

/// Whether a module call's failure (as [`resolve`] records it) is a source that was not read.
pub(super) fn is_skipped_source(reason: &str) -> bool {
    [NOT_FETCHED, NO_LITERAL_SOURCE, MISSING_DIR, NO_TF_FILES]
        .iter()
        .any(|r| reason.contains(r))
}

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
                None => Err(format!("module.{name} {NO_LITERAL_SOURCE}")),
                Some(s) if is_local(&s) => Ok(r.identify(ws, normalize(&dir.join(&s)))),
                Some(s) => match registry.get(&child_key) {
                    Some(t) => Ok(r.identify(ws, t.clone())),
                    None => Err(format!("{NOT_FETCHED} (module.{name}, source {s})")),
                },
            };
            let target = target.and_then(|t| {
                r.load(ws, t, sources, errors)
                    .map_err(|reason| format!("module.{name}: {reason}"))
            });
            if let (Ok(t), Some(span)) = (
                &target,
                ws.dirs.get(&dir).and_then(|m| call_header(&m.files, &name)),
            ) {
                sources.record_module_call(t, span);
            }
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

/// Reports every module call on a cycle of directories (a call to a directory that calls back,
/// itself included) once for the whole scan, as a `limit` error at the `module` block: Terraform
/// rejects such a configuration, and the module tree of each unit cuts the cycle where it closes
/// (see `eval::instances`), so the outputs that depend on it are unknown.
pub fn report_cycles(ws: &Workspace, sources: &SourceMap, errors: &mut Vec<InputError>) {
    let dirs: Vec<&PathBuf> = ws.dirs.keys().collect();
    let index: HashMap<&PathBuf, usize> = dirs.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut edges = vec![Vec::new(); dirs.len()];
    let mut calls = std::collections::BTreeSet::new();
    for ((_, dir, name), target) in &ws.calls {
        if let (Some(&from), Ok(to)) = (index.get(dir), target)
            && let Some(&to) = index.get(to)
        {
            edges[from].push(to);
            calls.insert((from, name.clone(), to));
        }
    }
    let component = components(&edges);
    for (from, name, to) in calls {
        if component[from] != component[to] {
            continue;
        }
        let Some(span) = ws.dirs.get(dirs[from]).and_then(|m| call_span(m, &name)) else {
            continue;
        };
        errors.push(InputError::at(
            sources,
            span,
            ErrorKind::Limit,
            format!(
                "module.{name} calls a module that calls it (a cycle): Terraform rejects this \
                 configuration; where the cycle closes, the module's outputs are unknown"
            ),
        ));
    }
}

/// The span of the first `module "NAME"` block of a directory.
fn call_span(module: &super::load::ModuleDir, name: &str) -> Option<Span> {
    use hcl_edit::Span as _;
    module.files.iter().find_map(|f| {
        f.body
            .blocks()
            .find(|b| {
                b.ident.as_str() == "module" && b.labels.first().is_some_and(|l| l.as_str() == name)
            })
            .map(|b| {
                let r = b.span().unwrap_or(0..0);
                Span::new(f.file, r.start, r.end)
            })
    })
}

/// The strongly connected component of each node (Tarjan's algorithm, without recursion: a
/// generated graph can be deep).
fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let (mut index, mut low, mut component) = (vec![UNSEEN; n], vec![0; n], vec![UNSEEN; n]);
    let mut on_stack = vec![false; n];
    let (mut stack, mut next, mut count) = (Vec::new(), 0, 0);
    for start in 0..n {
        if index[start] != UNSEEN {
            continue;
        }
        index[start] = next;
        low[start] = next;
        next += 1;
        stack.push(start);
        on_stack[start] = true;
        // (node, next edge to follow); a node's parent is the entry below it.
        let mut work = vec![(start, 0usize)];
        while let Some((v, i)) = work.pop() {
            if let Some(&w) = edges[v].get(i) {
                work.push((v, i + 1));
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = count;
                    if w == v {
                        break;
                    }
                }
                count += 1;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::components;

    #[test]
    fn components_of_cycles_and_chains() {
        // 0 → 1 → 2 → 0, 2 → 3, 3 → 3, 4 → 0
        let edges = vec![vec![1], vec![2], vec![0, 3], vec![3], vec![0]];
        let c = components(&edges);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_ne!(c[2], c[3]);
        assert_ne!(c[4], c[0]);
        assert_ne!(c[4], c[3]);
    }
}
