//! Moving plan locations to the `.tf` source: each module of the plan is matched to its directory
//! (local `source`s of `module_calls`, `.terraform/modules/modules.json` for fetched registry
//! modules), its `.tf` files are read by the Terraform source, and resources, attributes and policy
//! elements get the span the `.tf` lowering gives them. The same mistake, scanned from the `.tf` or
//! from the plan, then has the same location, and a scan of both reports it once.

use super::ModulePath;
use super::PlanConfig;
use super::read::ConfigModule;
use crate::source::SourceMap;
use crate::source::terraform::config::{TfAttribute, TfModule, workspace};
use crate::source::terraform::load::Workspace;
use crate::source::terraform::{TfFile, parse_file};
use crate::value::{Node, NodeKind, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The parsed `.tf` files of each module of the plan whose directory was found.
pub struct Parsed {
    /// One per directory.
    workspaces: Vec<Workspace>,
    /// The workspace of each module path.
    modules: HashMap<ModulePath, usize>,
}

/// Registry modules fetched by `terraform init`: module key (`a.b`) → directory.
fn fetched_modules(root: &Path) -> HashMap<String, PathBuf> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        #[serde(rename = "Modules", default)]
        modules: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(rename = "Key", default)]
        key: String,
        #[serde(rename = "Dir", default)]
        dir: String,
    }
    let path = root.join(".terraform/modules/modules.json");
    // Through a reader confined to the configuration: a FIFO, a link to /dev/zero or out of the
    // directory is not read (the Terraform load of the same directory reports it).
    crate::source::reader::Reader::new(root)
        .read_text(&path)
        .ok()
        .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
        .map(|m| {
            m.modules
                .into_iter()
                .map(|e| (e.key, root.join(e.dir)))
                .collect()
        })
        .unwrap_or_default()
}

/// Records, for each module fetched by `terraform init` below `root` (its `.tf` files in `dirs`, by
/// canonical directory), the `module` block that calls it: a key `a.b` of `modules.json` is the call
/// `b` in the directory of `a` (the root for `a`). Reports that must point inside the repository
/// move a plan finding in such a module there (`report::repository`), as for a `.tf` scan.
pub fn record_fetched_calls(
    root: &Path,
    dirs: &std::collections::BTreeMap<PathBuf, Vec<crate::value::FileId>>,
    sources: &mut SourceMap,
) {
    let fetched = fetched_modules(root);
    let canonical = |p: &Path| p.canonicalize().ok();
    for (key, dir) in &fetched {
        let (parent, name) = key.rsplit_once('.').unwrap_or(("", key.as_str()));
        let parent_dir = match parent {
            "" => canonical(root),
            p => fetched.get(p).and_then(|d| canonical(d)),
        };
        let Some(ids) = parent_dir.and_then(|d| dirs.get(&d)) else {
            continue;
        };
        let files: Vec<TfFile> = ids
            .iter()
            .filter_map(|id| parse_file(*id, sources.get(*id)?).ok())
            .collect();
        if let Some(span) = crate::source::terraform::load::call_header(&files, name) {
            sources.record_module_call(dir, span);
        }
    }
}

/// The directory of every module of the configuration that can be found.
fn module_dirs(
    config: &PlanConfig,
    modules: &HashMap<ModulePath, &ConfigModule>,
) -> HashMap<ModulePath, PathBuf> {
    let fetched = fetched_modules(&config.root);
    let mut dirs = HashMap::new();
    let root = config
        .root
        .canonicalize()
        .unwrap_or_else(|_| config.root.clone());
    dirs.insert(Vec::new(), root);
    // Parents before children: sort paths by length.
    let mut paths: Vec<&ModulePath> = modules.keys().filter(|p| !p.is_empty()).collect();
    paths.sort_by_key(|p| p.len());
    for path in paths {
        let Some((call, parent)) = path.split_last() else {
            continue;
        };
        let source = modules
            .get(parent)
            .and_then(|m| m.module_calls.as_ref())
            .and_then(|c| c.get(call.as_str()))
            .and_then(|c| c.source.as_deref());
        let local = source.filter(|s| s.starts_with("./") || s.starts_with("../"));
        let dir = match (local, dirs.get(parent)) {
            (Some(s), Some(parent_dir)) => Some(parent_dir.join(s)),
            _ => fetched.get(&path.join(".")).cloned(),
        };
        if let Some(dir) = dir.and_then(|d| d.canonicalize().ok()) {
            dirs.insert(path.clone(), dir);
        }
    }
    dirs
}

/// Parses the `.tf` files of each module of the plan. Files that do not parse are left out (a scan of
/// the `.tf` itself reports them).
pub fn parse(
    config: &PlanConfig,
    sources: &SourceMap,
    modules: &HashMap<ModulePath, &ConfigModule>,
) -> Parsed {
    // Many module calls may use one directory (a plan may list thousands): each directory is
    // parsed once, whatever the number of calls.
    let mut workspaces: Vec<Workspace> = Vec::new();
    let mut by_dir: HashMap<PathBuf, usize> = HashMap::new();
    let mut modules_out = HashMap::new();
    for (path, dir) in module_dirs(config, modules) {
        let Some(ids) = config.dirs.get(&dir) else {
            continue;
        };
        let index = *by_dir.entry(dir.clone()).or_insert_with(|| {
            let files: Vec<TfFile> = ids
                .iter()
                .filter_map(|id| parse_file(*id, sources.get(*id)?).ok())
                .collect();
            workspaces.push(workspace(&dir, files));
            workspaces.len() - 1
        });
        modules_out.insert(path, index);
    }
    Parsed {
        workspaces,
        modules: modules_out,
    }
}

/// Lookups of resources and attributes in the `.tf` of each module.
pub struct Enricher<'a> {
    /// One per directory, as [`Parsed::workspaces`].
    trees: Vec<Option<TfModule<'a>>>,
    modules: &'a HashMap<ModulePath, usize>,
}

impl<'a> Enricher<'a> {
    pub fn new(sources: &'a SourceMap, parsed: &'a Parsed) -> Enricher<'a> {
        Enricher {
            trees: parsed
                .workspaces
                .iter()
                .map(|ws| TfModule::new(sources, ws))
                .collect(),
            modules: &parsed.modules,
        }
    }

    fn module(&self, path: &ModulePath) -> Option<&TfModule<'a>> {
        self.trees.get(*self.modules.get(path)?)?.as_ref()
    }

    pub fn resource_span(
        &self,
        module: &ModulePath,
        data: bool,
        ty: &str,
        name: &str,
    ) -> Option<Span> {
        self.module(module)?.resource_span(data, ty, name)
    }

    pub fn attributes(
        &self,
        module: &ModulePath,
        ty: &str,
        name: &str,
        path: &[&str],
    ) -> Vec<TfAttribute> {
        self.module(module)
            .map(|m| m.attributes(ty, name, path))
            .unwrap_or_default()
    }

    pub fn policies(&self, module: &ModulePath, ty: &str, name: &str, path: &[&str]) -> Vec<Node> {
        self.module(module)
            .map(|m| m.policies(ty, name, path))
            .unwrap_or_default()
    }
}

/// Gives every element of a policy read from the plan the span of the same element in the policy the
/// `.tf` lowering reads: same keys, same positions in lists (a scalar matches a list of one, as in
/// IAM). Elements the `.tf` does not show the same way take the span of the nearest enclosing element
/// that it does. Each move is recorded in `origins` as (`.tf` span, plan span).
pub fn align(plan: &mut Node, tf: &Node, origins: &mut Vec<(Span, Span)>) {
    if let NodeKind::List(tf_items) = &tf.kind
        && let (false, [only]) = (matches!(plan.kind, NodeKind::List(_)), tf_items.as_slice())
    {
        return align(plan, only, origins);
    }
    origins.push((tf.span, plan.span));
    plan.span = tf.span;
    match (&mut plan.kind, &tf.kind) {
        (NodeKind::Map(entries), NodeKind::Map(tf_entries)) => {
            for (k, v) in entries.iter_mut() {
                match tf_entries.iter().rev().find(|(tk, _)| tk.name == k.name) {
                    Some((tk, tv)) => {
                        origins.push((tk.span, k.span));
                        k.span = tk.span;
                        align(v, tv, origins);
                    }
                    None => {
                        k.span = tf.span;
                        flatten(v, tf.span, origins);
                    }
                }
            }
        }
        (NodeKind::List(items), NodeKind::List(tf_items)) => {
            if items.len() == tf_items.len() {
                for (p, t) in items.iter_mut().zip(tf_items) {
                    align(p, t, origins);
                }
            } else {
                for p in items.iter_mut() {
                    match tf_items.iter().find(|t| same_scalar(p, t)) {
                        Some(t) => align(p, t, origins),
                        None => flatten(p, tf.span, origins),
                    }
                }
            }
        }
        (NodeKind::List(items), NodeKind::Str(_)) if items.len() == 1 => {
            if let Some(p) = items.first_mut() {
                align(p, tf, origins);
            }
        }
        (NodeKind::List(items), _) => items.iter_mut().for_each(|p| flatten(p, tf.span, origins)),
        (NodeKind::Map(entries), _) => entries.iter_mut().for_each(|(k, v)| {
            k.span = tf.span;
            flatten(v, tf.span, origins)
        }),
        _ => {}
    }
}

fn same_scalar(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Str(x), NodeKind::Str(y)) => x == y,
        _ => false,
    }
}

/// Points every span of a subtree at `span`.
fn flatten(node: &mut Node, span: Span, origins: &mut Vec<(Span, Span)>) {
    origins.push((span, node.span));
    node.span = span;
    match &mut node.kind {
        NodeKind::List(items) => items.iter_mut().for_each(|n| flatten(n, span, origins)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            k.span = span;
            flatten(v, span, origins)
        }),
        _ => {}
    }
}
