//! The module instances of a tree: one per `module` block reached from the root, built call by call
//! from the directories `load` resolved.
//!
//! Calls from one instance to the same directory with textually identical arguments share one
//! instance: they evaluate to the same values, and sharing keeps a module graph where each level
//! calls the next twice linear instead of exponential. A call to a directory among its own
//! instance's ancestors (a cycle, which Terraform rejects: `load` reports it), calls nested deeper
//! than [`MAX_MODULE_DEPTH`], and calls past [`MAX_INSTANCES`] are cut: their outputs are unknown
//! with the reason, and the last two are reported here as `limit` errors.

use super::budget::{MAX_INSTANCES, Work};
use super::*;
use crate::source::display_path;
use crate::source::terraform::load::MAX_MODULE_DEPTH;

/// Arguments of a `module` block that say where the module comes from or how it is run, not what
/// its variables are: calls that differ only in these share an instance.
const NOT_ARGUMENTS: &[&str] = &["source", "providers", "depends_on", "version"];

impl<'a> Tree<'a> {
    pub fn new(sources: &'a SourceMap, ws: &'a Workspace, root: &Path) -> Tree<'a> {
        let mut tree = Tree {
            sources,
            ws,
            root: root.to_path_buf(),
            defs: Vec::new(),
            instances: Vec::new(),
            errors: RefCell::new(Vec::new()),
            bindings: RefCell::new(Vec::new()),
            scope: RefCell::new(Vec::new()),
            choices: RefCell::new(HashMap::new()),
            work: Work::default(),
        };
        let def = tree.def_for(root);
        tree.instances.push(Instance {
            def,
            prefix: String::new(),
            parent: None,
            children: HashMap::new(),
            depth: 0,
        });
        let mut queue = vec![0usize];
        while let Some(inst) = queue.pop() {
            let calls: Vec<(String, Located<'a, Block>)> =
                tree.defs[tree.instances[inst].def].calls.clone();
            // This instance's children by (directory, arguments as written).
            let mut made: HashMap<(PathBuf, String), usize> = HashMap::new();
            for (name, call) in calls {
                let child = tree.child(inst, &name, call, &mut made, &mut queue);
                tree.instances[inst].children.insert(name, child);
            }
        }
        // Values evaluated while the tree was built (a call's `count`) may have seen a module that
        // was not added yet.
        tree.forget();
        tree
    }

    /// The instance a call of `inst` makes (new or shared), or why there is none.
    fn child(
        &mut self,
        inst: usize,
        name: &str,
        call: Located<'a, Block>,
        made: &mut HashMap<(PathBuf, String), usize>,
        queue: &mut Vec<usize>,
    ) -> Result<usize, String> {
        // `for_each = var.items` with `items = {}` (a wrapper module): no instance.
        if !self.exists(inst, call) {
            return Err(format!(
                "module.{name} has no instances (its count or for_each is empty)"
            ));
        }
        let key = (
            self.root.clone(),
            self.def(inst).dir.clone(),
            name.to_string(),
        );
        let dir = match self.ws.calls.get(&key) {
            Some(Ok(dir)) => dir.clone(),
            Some(Err(reason)) => return Err(reason.clone()),
            None => return Err(format!("module.{name} could not be loaded")),
        };
        let span = self.span(call.file, call.item.span());
        // Reported once for the scan by `load` (a shared module would be reported by every unit).
        if self.is_ancestor(inst, &dir) {
            return Err(format!(
                "module.{name} calls a module that calls it (a cycle)"
            ));
        }
        let depth = self.instances[inst].depth + 1;
        if depth > MAX_MODULE_DEPTH {
            let reason =
                format!("module.{name} is nested more than {MAX_MODULE_DEPTH} levels deep");
            self.limit_once(span, format!("{reason}: its outputs are unknown"));
            return Err(reason);
        }
        let shared = (dir.clone(), self.arguments(call));
        if let Some(id) = made.get(&shared) {
            return Ok(*id);
        }
        if self.instances.len() >= MAX_INSTANCES {
            self.limit_once_in_unit(
                "instances",
                span,
                format!(
                    "the unit {} has more than {MAX_INSTANCES} module instances: module.{name} and \
                     the calls after it are not evaluated",
                    display_path(&self.root)
                ),
            );
            return Err(format!(
                "module.{name} is not evaluated: the unit has more than {MAX_INSTANCES} module instances"
            ));
        }
        let def = self.def_for(&dir);
        let prefix = format!("{}module.{name}.", self.instances[inst].prefix);
        self.instances.push(Instance {
            def,
            prefix,
            parent: Some((inst, name.to_string())),
            children: HashMap::new(),
            depth,
        });
        let id = self.instances.len() - 1;
        queue.push(id);
        made.insert(shared, id);
        Ok(id)
    }

    /// Whether `dir` is the directory of `inst` or of one of its callers.
    fn is_ancestor(&self, inst: usize, dir: &Path) -> bool {
        let mut at = Some(inst);
        while let Some(i) = at {
            if self.def(i).dir == dir {
                return true;
            }
            at = self.instances[i].parent.as_ref().map(|(p, _)| *p);
        }
        false
    }

    /// A call's arguments as written (sorted by name), without those in [`NOT_ARGUMENTS`].
    fn arguments(&self, call: Located<'a, Block>) -> String {
        let mut args: Vec<String> = call
            .item
            .body
            .attributes()
            .filter(|a| !NOT_ARGUMENTS.contains(&a.key.as_str()))
            .map(|a| {
                let value = self.sources.snippet(self.span(call.file, a.value.span()));
                format!("{}={value}", a.key.as_str())
            })
            .collect();
        // Blocks are not module arguments; any written is compared as text too.
        args.extend(call.item.body.blocks().map(|b| {
            self.sources
                .snippet(self.span(call.file, b.span()))
                .to_string()
        }));
        args.sort();
        args.join("\n")
    }
}
