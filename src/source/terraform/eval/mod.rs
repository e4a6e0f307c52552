//! Static evaluation of Terraform expressions to spanned [`Node`]s, over a tree of module instances.
//!
//! Only what can be known before `terraform plan` is evaluated: literals, templates, `var.*` (module
//! call arguments, `.tfvars`, defaults), `local.*`, `module.*` outputs, a set of pure functions,
//! heredocs, `file()` and `data "aws_iam_policy_document"`. Everything else becomes
//! `NodeKind::Unknown` with a reason, never a guess.

use super::load::{VarValue, Workspace, function_file_path, literal_path};
use crate::iam::policy::statement_document;
use crate::source::json;
use crate::source::{ErrorKind, InputError, SourceMap};
use crate::value::{FileId, Key, Node, NodeKind, Span, Text, TextPart};
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Attribute, Block};
use hcl_edit::template::{Element, Template};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod budget;
mod choices;
mod conditions;
mod for_expr;
mod functions;
mod index;
mod instances;
mod managed;
mod policy;
mod resource_instances;
mod roles;
mod template;

pub use budget::BUDGET_REASON;
pub use budget::{MAX_INSTANCES, MAX_NESTING, MAX_NODES};
use budget::{Memo, address};
pub use conditions::iterator_name;
use functions::{flatten_alternatives, scalar_text};
pub use resource_instances::{InstanceKey, MAX_RESOURCE_INSTANCES, ResourceInstance};

/// Deeper reference chains than this (local → local → …) are reported as unknown: they are cycles
/// or generated code, and recursion must stay bounded.
const MAX_DEPTH: usize = 64;

/// Elements of a `dynamic` block's `for_each` expanded; beyond this the collection is generated data.
const MAX_DYNAMIC_ELEMENTS: usize = 256;

/// Something defined in one file.
pub struct Located<'a, T> {
    pub file: FileId,
    pub item: &'a T,
}

// Manual impls: a derive would require `T: Copy`, but only the reference is copied.
impl<T> Clone for Located<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Located<'_, T> {}

/// Where an expression is evaluated: the module instance (for `var`, `local`, `module`, resource
/// references) and the file (for spans).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ctx {
    pub inst: usize,
    pub file: FileId,
}

/// The blocks of one module directory, indexed for reference lookup.
pub struct ModuleDef<'a> {
    pub dir: PathBuf,
    /// `resource "TYPE" "NAME"`, in source order.
    pub resources: Vec<(String, String, Located<'a, Block>)>,
    pub data: HashMap<(String, String), Located<'a, Block>>,
    pub variables: HashMap<String, Located<'a, Block>>,
    pub locals: HashMap<String, Located<'a, Attribute>>,
    pub outputs: HashMap<String, Located<'a, Block>>,
    pub calls: Vec<(String, Located<'a, Block>)>,
}

fn labels(block: &Block) -> Vec<&str> {
    block.labels.iter().map(|l| l.as_str()).collect()
}

impl<'a> ModuleDef<'a> {
    fn new(dir: &Path, ws: &'a Workspace) -> ModuleDef<'a> {
        let mut m = ModuleDef {
            dir: dir.to_path_buf(),
            resources: Vec::new(),
            data: HashMap::new(),
            variables: HashMap::new(),
            locals: HashMap::new(),
            outputs: HashMap::new(),
            calls: Vec::new(),
        };
        let Some(module) = ws.dirs.get(dir) else {
            return m;
        };
        for f in &module.files {
            for block in f.body.blocks() {
                let file = f.file;
                let at = Located { file, item: block };
                match (block.ident.as_str(), labels(block).as_slice()) {
                    ("resource", [t, n]) => m.resources.push((t.to_string(), n.to_string(), at)),
                    ("data", [t, n]) => {
                        m.data.insert((t.to_string(), n.to_string()), at);
                    }
                    // Terraform rejects a name defined twice (`load` reports it); the first
                    // definition is the one evaluated.
                    ("variable", [n]) => {
                        m.variables.entry(n.to_string()).or_insert(at);
                    }
                    ("output", [n]) => {
                        m.outputs.entry(n.to_string()).or_insert(at);
                    }
                    ("module", [n]) if !m.calls.iter().any(|(c, _)| c == n) => {
                        m.calls.push((n.to_string(), at))
                    }
                    ("locals", []) => {
                        for attr in block.body.attributes() {
                            m.locals
                                .entry(attr.key.as_str().to_string())
                                .or_insert(Located { file, item: attr });
                        }
                    }
                    _ => {}
                }
            }
        }
        m
    }

    pub fn resource(&self, ty: &str, name: &str) -> Option<Located<'a, Block>> {
        self.resources
            .iter()
            .find(|(t, n, _)| t == ty && n == name)
            .map(|(_, _, b)| *b)
    }
}

/// One instantiation of a module: the root, or a `module` block's call.
pub struct Instance {
    pub def: usize,
    /// Address prefix of its resources: `""` for the root, `module.a.module.b.` below.
    pub prefix: String,
    /// The calling instance and the call's name.
    pub parent: Option<(usize, String)>,
    /// Child instances by call name, or why the module is not available.
    pub children: HashMap<String, Result<usize, String>>,
    /// Module calls from the root to it (0 for the root).
    pub depth: usize,
}

/// What a reference (`var.x`, `local.x`, `module.m.o`) stands for.
pub enum Target<'a> {
    /// An expression, evaluated in its own context.
    Expr(Ctx, &'a Expression),
    /// An already evaluated value (from `.tfvars.json`).
    Node(&'a Node),
    /// Nothing that can be known, and why.
    Missing(String),
}

/// A module tree: the unit of Terraform evaluation.
pub struct Tree<'a> {
    pub sources: &'a SourceMap,
    pub ws: &'a Workspace,
    pub root: PathBuf,
    pub defs: Vec<ModuleDef<'a>>,
    pub instances: Vec<Instance>,
    /// Errors found while evaluating (a policy heredoc that is not JSON, …).
    pub errors: RefCell<Vec<InputError>>,
    /// Iterators of the `dynamic` blocks being expanded and `each`/`count` of the resource
    /// instance being lowered, innermost last.
    bindings: RefCell<Vec<conditions::Bound>>,
    /// Branch values of conditionals by span (see `choices`).
    choices: RefCell<HashMap<Span, choices::Choice>>,
    /// Names bound by the `for` expressions being evaluated (and a pass's `each`), innermost last.
    scope: RefCell<Vec<(String, Node)>>,
    /// The work budget, the memo of evaluated references and the nesting count.
    work: budget::Work,
}

impl<'a> Tree<'a> {
    fn def_for(&mut self, dir: &Path) -> usize {
        if let Some(i) = self.defs.iter().position(|d| d.dir == dir) {
            return i;
        }
        self.defs.push(ModuleDef::new(dir, self.ws));
        self.defs.len() - 1
    }

    pub fn def(&self, inst: usize) -> &ModuleDef<'a> {
        &self.defs[self.instances[inst].def]
    }

    pub fn span(&self, file: FileId, range: Option<std::ops::Range<usize>>) -> Span {
        let r = range.unwrap_or(0..0);
        Span::new(file, r.start, r.end)
    }

    /// An error that makes the value being read invalid (a policy that is not JSON).
    fn error(&self, span: Span, message: String) {
        let e = InputError::at(self.sources, span, ErrorKind::Parse, message);
        self.errors.borrow_mut().push(e);
        self.mark_invalid();
    }

    /// What `var.NAME` is in an instance: the module call's argument, then (in the root) `.tfvars`,
    /// then the default.
    pub fn variable(&self, inst: usize, name: &str) -> Target<'a> {
        let instance = &self.instances[inst];
        if let Some((parent, call)) = &instance.parent {
            let block = self
                .def(*parent)
                .calls
                .iter()
                .find(|(n, _)| n == call)
                .map(|(_, b)| *b);
            if let Some(attr) =
                block.and_then(|b| b.item.body.get_attribute(name).map(|a| (b.file, a)))
            {
                return Target::Expr(
                    Ctx {
                        inst: *parent,
                        file: attr.0,
                    },
                    &attr.1.value,
                );
            }
        } else if let Some(vars) = self.ws.tfvars.get(&self.root) {
            match vars.values.get(name) {
                Some(VarValue::Node(n)) => return Target::Node(n),
                Some(VarValue::Expr { file, index }) => {
                    if let Some(attr) = vars
                        .bodies
                        .get(*index)
                        .and_then(|(_, b)| b.get_attribute(name))
                    {
                        return Target::Expr(Ctx { inst, file: *file }, &attr.value);
                    }
                }
                None => {}
            }
        }
        let Some(var) = self.def(inst).variables.get(name).copied() else {
            return Target::Missing(format!("var.{name} is not declared"));
        };
        // `default = null` is a value: the argument is unset unless the caller sets it.
        match var.item.body.get_attribute("default") {
            Some(attr) => Target::Expr(
                Ctx {
                    inst,
                    file: var.file,
                },
                &attr.value,
            ),
            _ => Target::Missing(format!(
                "var.{name} has no default value (set it in a .tfvars file to check this)"
            )),
        }
    }

    /// What `local.NAME`, `var.NAME` or `module.M.OUTPUT` stands for.
    pub fn reference(&self, inst: usize, parts: &[&str]) -> Option<Target<'a>> {
        Some(match parts {
            ["var", name, ..] => self.variable(inst, name),
            ["local", name, ..] => match self.def(inst).locals.get(*name) {
                Some(l) => Target::Expr(Ctx { inst, file: l.file }, &l.item.value),
                None => Target::Missing(format!("local.{name} is not defined")),
            },
            ["module", name, output, ..] => match self.instances[inst].children.get(*name) {
                Some(Ok(child)) => match self.def(*child).outputs.get(*output) {
                    Some(o) => match o.item.body.get_attribute("value") {
                        Some(v) => Target::Expr(
                            Ctx {
                                inst: *child,
                                file: o.file,
                            },
                            &v.value,
                        ),
                        None => Target::Missing(format!("module.{name}.{output} has no value")),
                    },
                    None => Target::Missing(format!("module.{name} has no output {output}")),
                },
                Some(Err(reason)) => Target::Missing(reason.clone()),
                None => Target::Missing(format!("module.{name} is not defined")),
            },
            _ => return None,
        })
    }

    /// Evaluates an expression to a spanned node.
    pub fn eval(&self, ctx: Ctx, expr: &Expression) -> Node {
        self.eval_at(ctx, expr, 0)
    }

    /// The value of what a reference (`shown`, as `local.a`) stands for: an expression is evaluated
    /// once per instance (see [`Tree::memoized`]).
    fn eval_target(&self, target: Target<'a>, span: Span, depth: usize, shown: &str) -> Node {
        match target {
            Target::Expr(ctx, e) => self.memoized(
                Memo::Value,
                ctx.inst,
                address(e),
                depth,
                span,
                &|| shown.to_string(),
                || self.eval_at(ctx, e, depth + 1),
            ),
            Target::Node(n) => self.copied(n, span),
            Target::Missing(reason) => unknown(reason, span),
        }
    }

    /// A copy of a value built elsewhere, paid for by its size.
    fn copied(&self, node: &Node, span: Span) -> Node {
        // Checked first: past the budget nothing is even measured.
        if !self.exhausted() && self.spend(budget::measure(node).0, span) {
            node.clone()
        } else {
            unknown(BUDGET_REASON, span)
        }
    }

    /// A value parsed from text (a JSON policy), paid for by its size.
    fn paid(&self, node: Node) -> Node {
        if self.spend(budget::measure(&node).0, node.span) {
            node
        } else {
            unknown(BUDGET_REASON, node.span)
        }
    }

    fn eval_at(&self, ctx: Ctx, expr: &Expression, depth: usize) -> Node {
        let span = self.span(ctx.file, expr.span());
        if depth > MAX_DEPTH {
            return self.too_deep(span);
        }
        let Some(_nested) = self.nest() else {
            return self.too_deep(span);
        };
        if !self.spend(1, span) {
            return unknown(BUDGET_REASON, span);
        }
        match expr {
            Expression::Null(_) => Node::new(NodeKind::Null, span),
            Expression::Bool(b) => Node::new(NodeKind::Bool(*b.value()), span),
            Expression::Number(n) => Node::new(NodeKind::Number(n.value().to_string()), span),
            Expression::String(s) => Node::str(s.value().clone(), span),
            Expression::Array(items) => Node::new(
                NodeKind::List(
                    items
                        .iter()
                        .map(|e| self.eval_at(ctx, e, depth + 1))
                        .collect(),
                ),
                span,
            ),
            Expression::Object(object) => {
                let mut entries = Vec::new();
                for (key, value) in object.iter() {
                    let (name, key_span) = match key {
                        ObjectKey::Ident(id) => {
                            (id.as_str().to_string(), self.span(ctx.file, id.span()))
                        }
                        ObjectKey::Expression(e) => {
                            let k = self.eval_at(ctx, e, depth + 1);
                            match k.as_text().and_then(Text::as_literal) {
                                Some(s) => (s, k.span),
                                // A computed key: the object cannot be known.
                                None => {
                                    return unknown("an object key that cannot be evaluated", span);
                                }
                            }
                        }
                    };
                    entries.push((
                        Key {
                            name,
                            span: key_span,
                        },
                        self.eval_at(ctx, value.expr(), depth + 1),
                    ));
                }
                Node::new(NodeKind::Map(entries), span)
            }
            Expression::StringTemplate(t) => Node::new(
                NodeKind::Str(self.template_text(ctx, t.iter(), depth)),
                span,
            ),
            Expression::HeredocTemplate(h) => Node::new(
                NodeKind::Str(self.template_text(ctx, h.template.iter(), depth)),
                span,
            ),
            Expression::Parenthesis(p) => self.eval_at(ctx, p.inner(), depth + 1),
            Expression::Traversal(t) => self.eval_traversal(ctx, t, depth, span),
            Expression::Variable(v) => self
                .scoped(v.as_str(), span)
                .unwrap_or_else(|| unknown(format!("{} cannot be evaluated", v.as_str()), span)),
            Expression::FuncCall(call) => self.eval_call(ctx, call, depth, span),
            // Both branches are possible: each is checked, as the elements of a list.
            Expression::Conditional(c) => {
                let branches = vec![
                    self.eval_at(ctx, &c.true_expr, depth + 1),
                    self.eval_at(ctx, &c.false_expr, depth + 1),
                ];
                self.remember_choice(ctx, &c.cond_expr, &branches);
                Node::new(NodeKind::List(branches), span)
            }
            Expression::ForExpr(f) => self.eval_for(ctx, f, depth, span),
            Expression::UnaryOp(_) | Expression::BinaryOp(_) => unknown("an operation", span),
        }
    }

    fn template_text<'t>(
        &self,
        ctx: Ctx,
        elements: impl Iterator<Item = &'t Element>,
        depth: usize,
    ) -> Text {
        let mut text = Text::default();
        for element in elements {
            match element {
                Element::Literal(s) => text.push(TextPart::Lit(s.value().clone())),
                Element::Interpolation(i) => {
                    let n = self.eval_at(ctx, &i.expr, depth + 1);
                    text.append(scalar_text(n));
                }
                Element::Directive(_) => {
                    text.push(TextPart::Unknown("a template directive".into()))
                }
            }
        }
        text
    }

    fn eval_traversal(
        &self,
        ctx: Ctx,
        t: &hcl_edit::expr::Traversal,
        depth: usize,
        span: Span,
    ) -> Node {
        let path = traversal_path(t);
        let shown = path.join(".");
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        // `coalescelist(a, b)[0]`, `[for r in x : r.arn][0]`: operators on a computed value.
        if !matches!(t.expr, Expression::Variable(_)) {
            let node = self.eval_at(ctx, &t.expr, depth + 1);
            return self.apply_operators(ctx, node, t, 1, depth);
        }
        // `r.arn` inside `[for r in local.roles : r.arn]`.
        if let Expression::Variable(v) = &t.expr
            && let Some(node) = self.scoped(v.as_str(), span)
        {
            return self.apply_operators(ctx, node, t, 1, depth);
        }
        // `statement.value.actions` inside a `dynamic "statement"` being expanded, and `each.key`
        // or `count.index` of the resource instance being lowered (`count` binds its index as key).
        let bound = match parts.as_slice() {
            ["count", "index", ..] => Some(("count", "key")),
            [name, which @ ("key" | "value"), ..] => Some((*name, *which)),
            _ => None,
        };
        if let Some((name, which)) = bound {
            let bound = self
                .bindings
                .borrow()
                .iter()
                .rev()
                .find(|b| b.name == name && b.inst.is_none_or(|i| i == ctx.inst))
                .map(|b| self.copied(if which == "key" { &b.key } else { &b.value }, span));
            if let Some(node) = bound {
                return self.apply_operators(ctx, node, t, 2, depth);
            }
        }
        if let Some(target) = self.reference(ctx.inst, &parts) {
            // `local.a`, `var.a`, `module.m.o`: what the memo and a cycle's message name.
            let named = if parts[0] == "module" { 3 } else { 2 };
            let shown = parts[..named.min(parts.len())].join(".");
            let node = self.eval_target(target, span, depth, &shown);
            // `var.x.y`, `local.m["k"]`: follow the remaining attributes and literal keys.
            return self.apply_operators(ctx, node, t, named, depth);
        }
        match parts.as_slice() {
            ["path", "module"] => Node::str(self.def(ctx.inst).dir.to_string_lossy(), span),
            ["path", "root"] => Node::str(self.root.to_string_lossy(), span),
            [
                "data",
                "aws_iam_policy_document",
                name,
                "json" | "minified_json",
            ] => {
                let splat = has_splat(t);
                match self
                    .def(ctx.inst)
                    .data
                    .get(&("aws_iam_policy_document".into(), name.to_string()))
                {
                    // `data.aws_iam_policy_document.x[*].json`: the list of its instances.
                    Some(b) if splat => {
                        let items = if self.exists(ctx.inst, *b) {
                            vec![self.in_instance_of(ctx, *b, None, &shown, || {
                                self.document(ctx.inst, *b, name, depth, span)
                            })]
                        } else {
                            Vec::new()
                        };
                        Node::new(NodeKind::List(items), span)
                    }
                    Some(b) => self.in_instance_of(ctx, *b, t.operators.get(2), &shown, || {
                        self.document(ctx.inst, *b, name, depth, span)
                    }),
                    None => unknown(
                        format!("data.aws_iam_policy_document.{name} is not defined"),
                        span,
                    ),
                }
            }
            // An AWS managed policy (`arn:${partition}:iam::aws:policy/...`) is AWS's to write, not
            // the configuration's: its text grants no PassRole unless it is one of
            // `rules/managed-policies.toml`, whose statements a copy of it grants.
            ["data", "aws_iam_policy", name, "policy"]
                if self.aws_managed(ctx.inst, name, depth) =>
            {
                match self.listed_managed(ctx.inst, name, depth) {
                    Some(policy) => policy.document(span),
                    None => statement_document(Vec::new(), span),
                }
            }
            // The region and partition a configuration deploys to are one value per deployment,
            // as CloudFormation's pseudo parameters are: the region is kept as the placeholder
            // `${AWS::Region}` (no IAM name or principal contains `$`, so it stands for exactly one
            // value), which makes `states.${...}.amazonaws.com` the regional Step Functions
            // principal; the partition's DNS suffix makes `ec2.${...}` the EC2 principal (the
            // `.amazonaws.com.cn` form names the same service).
            ["data", "aws_region", _, "name" | "region" | "id"] => {
                Node::str(crate::source::cloudformation::REGION_PLACEHOLDER, span)
            }
            ["data", "aws_partition", _, "dns_suffix"] => Node::str("amazonaws.com", span),
            ["data", ty, name, ..] => unknown(
                format!("data.{ty}.{name} is read from AWS at plan time"),
                span,
            ),
            // `aws_iam_role.x[*].arn`: the list of its instances' values (none when count is 0).
            ["aws_iam_role", name, attr] if has_splat(t) => {
                let role = self.def(ctx.inst).resource("aws_iam_role", name);
                let items = match role {
                    Some(b) if !self.exists(ctx.inst, b) => Vec::new(),
                    _ => vec![self.role_attribute(ctx.inst, name, attr, span, depth)],
                };
                Node::new(NodeKind::List(items), span)
            }
            // `aws_iam_role.svc["api"].arn`: the name and path of that instance.
            ["aws_iam_role", name, attr] => {
                let read = || self.role_attribute(ctx.inst, name, attr, span, depth);
                match self.def(ctx.inst).resource("aws_iam_role", name) {
                    Some(b) => self.in_instance_of(ctx, b, t.operators.get(1), &shown, read),
                    None => read(),
                }
            }
            // The role as an object (`[for r in [aws_iam_role.a] : r.arn]`): its known attributes.
            ["aws_iam_role", name]
                if self.def(ctx.inst).resource("aws_iam_role", name).is_some() =>
            {
                let entries = ["arn", "name", "id"]
                    .into_iter()
                    .map(|attr| {
                        let key = Key {
                            name: attr.to_string(),
                            span,
                        };
                        (key, self.role_attribute(ctx.inst, name, attr, span, depth))
                    })
                    .collect();
                let node = Node::new(NodeKind::Map(entries), span);
                self.apply_operators(ctx, node, t, 2, depth)
            }
            ["each" | "count", ..] => unknown(format!("{shown} differs per instance"), span),
            _ => unknown(format!("{shown} is known only after apply"), span),
        }
    }

    /// `data.aws_iam_policy_document.NAME.json`, evaluated once per instance.
    fn document(
        &self,
        inst: usize,
        block: Located<'a, Block>,
        name: &str,
        depth: usize,
        span: Span,
    ) -> Node {
        self.memoized(
            Memo::Document,
            inst,
            address(block.item),
            depth,
            span,
            &|| format!("data.aws_iam_policy_document.{name}"),
            || self.policy_document_block(inst, block, depth + 1),
        )
    }
}

/// Whether a traversal has a splat (`x[*].arn`, `x.*.arn`): its value is a list of instances.
fn has_splat(t: &hcl_edit::expr::Traversal) -> bool {
    t.operators.iter().any(|op| {
        matches!(
            op.value(),
            TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_)
        )
    })
}

fn element_span(e: &Element) -> Option<std::ops::Range<usize>> {
    match e {
        Element::Literal(s) => s.span(),
        Element::Interpolation(i) => i.span(),
        Element::Directive(d) => match d.as_ref() {
            hcl_edit::template::Directive::If(d) => d.span(),
            hcl_edit::template::Directive::For(d) => d.span(),
        },
    }
}

pub fn unknown(reason: impl Into<String>, span: Span) -> Node {
    Node::new(NodeKind::Unknown(reason.into()), span)
}

/// `aws_iam_role.fn[0].arn` → `["aws_iam_role", "fn", "arn"]`: attribute names only; index and
/// splat operators are dropped because a finding is reported once per source expression, not per
/// instance.
pub fn traversal_path(t: &hcl_edit::expr::Traversal) -> Vec<String> {
    let mut path = Vec::new();
    if let Expression::Variable(v) = &t.expr {
        path.push(v.as_str().to_string());
    }
    for op in &t.operators {
        if let TraversalOperator::GetAttr(id) = op.value() {
            path.push(id.as_str().to_string());
        }
    }
    path
}

/// For the evaluator's unit tests: runs `f` on the tree of a one-file module made of `text`, with
/// the context and expression of its `local.probe`.
#[cfg(test)]
fn with_probe<R>(text: &str, f: impl FnOnce(&Tree, Ctx, &Expression) -> R) -> R {
    use crate::source::SourceFile;
    let mut sources = SourceMap::default();
    let id = sources.add(SourceFile::new(
        PathBuf::from("m/main.tf"),
        text.to_string(),
    ));
    let file =
        super::parse_file(id, sources.get(id).expect("added")).expect("the test's HCL parses");
    let ws = super::config::workspace(Path::new("m"), vec![file]);
    let tree = Tree::new(&sources, &ws, Path::new("m"));
    let probe = tree
        .def(0)
        .locals
        .get("probe")
        .copied()
        .expect("a local.probe");
    f(&tree, Ctx { inst: 0, file: id }, &probe.item.value)
}
