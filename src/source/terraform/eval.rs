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
                    ("variable", [n]) => {
                        m.variables.insert(n.to_string(), at);
                    }
                    ("output", [n]) => {
                        m.outputs.insert(n.to_string(), at);
                    }
                    ("module", [n]) => m.calls.push((n.to_string(), at)),
                    ("locals", []) => {
                        for attr in block.body.attributes() {
                            m.locals.insert(
                                attr.key.as_str().to_string(),
                                Located { file, item: attr },
                            );
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
}

/// What a reference (`var.x`, `local.x`, `module.m.o`) stands for.
pub enum Target<'a> {
    /// An expression, evaluated in its own context.
    Expr(Ctx, &'a Expression),
    /// An already evaluated value (from `.tfvars.json`).
    Node(Node),
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
    /// Iterators of the `dynamic` blocks being expanded, innermost last: (name, key, value).
    bindings: RefCell<Vec<(String, Node, Node)>>,
}

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
        };
        let def = tree.def_for(root);
        tree.instances.push(Instance {
            def,
            prefix: String::new(),
            parent: None,
            children: HashMap::new(),
        });
        // Breadth-first over module calls; `load` already cut cycles and runaway depth.
        let mut queue = vec![(0usize, String::new())];
        while let Some((inst, key)) = queue.pop() {
            let calls: Vec<(String, Located<'a, Block>)> =
                tree.defs[tree.instances[inst].def].calls.clone();
            for (name, call) in calls {
                // `for_each = var.items` with `items = {}` (a wrapper module): no instance.
                if !tree.exists(inst, call) {
                    tree.instances[inst].children.insert(
                        name.clone(),
                        Err(format!(
                            "module.{name} has no instances (its count or for_each is empty)"
                        )),
                    );
                    continue;
                }
                let child_key = if key.is_empty() {
                    name.clone()
                } else {
                    format!("{key}.{name}")
                };
                let child = match ws.calls.get(&(root.to_path_buf(), child_key.clone())) {
                    Some(Ok(dir)) => {
                        let def = tree.def_for(dir);
                        let prefix = format!("{}module.{name}.", tree.instances[inst].prefix);
                        tree.instances.push(Instance {
                            def,
                            prefix,
                            parent: Some((inst, name.clone())),
                            children: HashMap::new(),
                        });
                        let id = tree.instances.len() - 1;
                        queue.push((id, child_key));
                        Ok(id)
                    }
                    Some(Err(reason)) => Err(reason.clone()),
                    None => Err(format!("module.{name} could not be loaded")),
                };
                tree.instances[inst].children.insert(name, child);
            }
        }
        tree
    }

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

    fn error(&self, span: Span, message: String) {
        let e = InputError::at(self.sources, span, ErrorKind::Parse, message);
        self.errors.borrow_mut().push(e);
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
                Some(VarValue::Node(n)) => return Target::Node(n.clone()),
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

    fn eval_target(&self, target: Target<'a>, span: Span, depth: usize) -> Node {
        match target {
            Target::Expr(ctx, e) => self.eval_at(ctx, e, depth + 1),
            Target::Node(n) => n,
            Target::Missing(reason) => unknown(reason, span),
        }
    }

    fn eval_at(&self, ctx: Ctx, expr: &Expression, depth: usize) -> Node {
        let span = self.span(ctx.file, expr.span());
        if depth > MAX_DEPTH {
            return unknown("a reference chain that is too deep (a cycle?)", span);
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
            Expression::Variable(v) => unknown(format!("{} cannot be evaluated", v.as_str()), span),
            Expression::FuncCall(call) => self.eval_call(ctx, call, depth, span),
            // Both branches are possible: each is checked, as the elements of a list.
            Expression::Conditional(c) => Node::new(
                NodeKind::List(vec![
                    self.eval_at(ctx, &c.true_expr, depth + 1),
                    self.eval_at(ctx, &c.false_expr, depth + 1),
                ]),
                span,
            ),
            Expression::ForExpr(_) => unknown("a for expression", span),
            Expression::UnaryOp(_) | Expression::BinaryOp(_) => unknown("an operation", span),
        }
    }

    fn eval_call(
        &self,
        ctx: Ctx,
        call: &hcl_edit::expr::FuncCall,
        depth: usize,
        span: Span,
    ) -> Node {
        let name = call.name.name.as_str();
        if !call.name.namespace.is_empty() {
            return unknown(
                format!("the provider function {name}() is not evaluated"),
                span,
            );
        }
        let exprs: Vec<&Expression> = call.args.iter().collect();
        let args = || -> Vec<Node> {
            exprs
                .iter()
                .map(|e| self.eval_at(ctx, e, depth + 1))
                .collect()
        };
        match name {
            // `try(a, b)` is `a` unless evaluating `a` fails; an `a` that is only unknown statically
            // may well succeed at plan time, so it stays unknown rather than falling back.
            "try" => functions::try_(args(), span),
            "compact" | "flatten" | "distinct" => functions::list_cleanup(name, args(), span),
            "jsonencode" | "tolist" | "toset" | "tomap" | "tostring" => match exprs.first() {
                Some(e) => self.eval_at(ctx, e, depth + 1),
                None => unknown(format!("{name}() without an argument"), span),
            },
            "jsondecode" => {
                let arg = args().into_iter().next();
                match arg
                    .as_ref()
                    .and_then(|a| a.as_text().and_then(Text::as_literal))
                {
                    Some(s) => self.string_policy(&s, span, false),
                    None => unknown("jsondecode() of a value that cannot be evaluated", span),
                }
            }
            "format" => functions::format(args(), span),
            "join" => functions::join(args(), span),
            "concat" => functions::concat(args(), span),
            "merge" => functions::merge(args(), span),
            "lookup" => functions::lookup(args(), span),
            "coalesce" => functions::coalesce(args(), span),
            "element" => functions::element(args(), span),
            // For conditions such as `length(var.statements) > 0`.
            "length" => match args().into_iter().next().map(|a| a.kind) {
                Some(NodeKind::List(items)) => {
                    Node::new(NodeKind::Number(items.len().to_string()), span)
                }
                Some(NodeKind::Map(entries)) => {
                    Node::new(NodeKind::Number(entries.len().to_string()), span)
                }
                Some(NodeKind::Str(t)) => match t.as_literal() {
                    Some(s) => Node::new(NodeKind::Number(s.chars().count().to_string()), span),
                    None => unknown("length() of a value that cannot be evaluated", span),
                },
                _ => unknown("length() of a value that cannot be evaluated", span),
            },
            "file" | "templatefile" => match self.function_file(ctx, exprs.first().copied()) {
                Some(id) => {
                    let text = self
                        .sources
                        .get(id)
                        .map(|f| f.text.clone())
                        .unwrap_or_default();
                    if name == "templatefile" && text.contains("${") {
                        Node::new(
                            NodeKind::Str(Text::unknown("the output of templatefile()")),
                            span,
                        )
                    } else {
                        Node::str(text, span)
                    }
                }
                None => unknown(format!("the file read by {name}() is not found"), span),
            },
            _ => unknown(format!("the function {name}() is not evaluated"), span),
        }
    }

    /// The file a `file()`/`templatefile()` call reads, when it was loaded.
    fn function_file(&self, ctx: Ctx, arg: Option<&Expression>) -> Option<FileId> {
        let path = literal_path(arg?)?;
        let dir = &self.def(ctx.inst).dir;
        self.ws.files.get(&function_file_path(dir, &path)).copied()
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
        // `statement.value.actions` inside a `dynamic "statement"` being expanded.
        if let [name, which @ ("key" | "value"), ..] = parts.as_slice() {
            let bound = self
                .bindings
                .borrow()
                .iter()
                .rev()
                .find(|(n, _, _)| n == name)
                .map(|(_, k, v)| {
                    if *which == "key" {
                        k.clone()
                    } else {
                        v.clone()
                    }
                });
            if let Some(node) = bound {
                return apply_operators(node, t, 2);
            }
        }
        if let Some(target) = self.reference(ctx.inst, &parts) {
            let node = self.eval_target(target, span, depth);
            // `var.x.y`, `local.m["k"]`: follow the remaining attributes and literal keys.
            return apply_operators(node, t, if parts[0] == "module" { 3 } else { 2 });
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
                let splat = t.operators.iter().any(|op| {
                    matches!(
                        op.value(),
                        TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_)
                    )
                });
                match self
                    .def(ctx.inst)
                    .data
                    .get(&("aws_iam_policy_document".into(), name.to_string()))
                {
                    // `data.aws_iam_policy_document.x[*].json`: the list of its instances.
                    Some(b) if splat => {
                        let items = if self.exists(ctx.inst, *b) {
                            vec![self.policy_document_block(ctx.inst, *b, depth + 1)]
                        } else {
                            Vec::new()
                        };
                        Node::new(NodeKind::List(items), span)
                    }
                    Some(b) => self.policy_document_block(ctx.inst, *b, depth + 1),
                    None => unknown(
                        format!("data.aws_iam_policy_document.{name} is not defined"),
                        span,
                    ),
                }
            }
            // An AWS managed policy (`arn:${partition}:iam::aws:policy/...`) is AWS's to write, not
            // the configuration's: it is not a grant this scan can or should check.
            ["data", "aws_iam_policy", name, "policy"] if self.aws_managed(ctx.inst, name) => {
                statement_document(Vec::new(), span)
            }
            ["data", ty, name, ..] => unknown(
                format!("data.{ty}.{name} is read from AWS at plan time"),
                span,
            ),
            ["aws_iam_role", name, attr] => self.role_attribute(ctx.inst, name, attr, span),
            ["each" | "count", ..] => unknown(format!("{shown} differs per instance"), span),
            _ => unknown(format!("{shown} is known only after apply"), span),
        }
    }

    /// Whether `data "aws_iam_policy" "NAME"` reads an AWS managed policy by its ARN.
    fn aws_managed(&self, inst: usize, name: &str) -> bool {
        let Some(block) = self
            .def(inst)
            .data
            .get(&("aws_iam_policy".to_string(), name.to_string()))
        else {
            return false;
        };
        let Some(arn) = block.item.body.get_attribute("arn") else {
            return false;
        };
        let ctx = Ctx {
            inst,
            file: block.file,
        };
        self.eval(ctx, &arn.value).as_text().is_some_and(|t| {
            t.parts
                .iter()
                .any(|p| matches!(p, TextPart::Lit(l) if l.contains(":iam::aws:policy/")))
        })
    }

    /// `aws_iam_role.NAME.arn` and `.name`: the role's ARN with the account unknown, so that a grant
    /// on it is classified as one exact role.
    fn role_attribute(&self, inst: usize, name: &str, attr: &str, span: Span) -> Node {
        let Some(role) = self.def(inst).resource("aws_iam_role", name) else {
            return unknown(format!("aws_iam_role.{name} is not defined"), span);
        };
        let literal = |key: &str| {
            role.item.body.get_attribute(key).and_then(|a| {
                self.eval(
                    Ctx {
                        inst,
                        file: role.file,
                    },
                    &a.value,
                )
                .as_text()
                .and_then(Text::as_literal)
            })
        };
        // A role without a literal name still is one role: name it by its address so that the
        // ARN has no wildcard and classifies as exactly one role.
        let role_name = literal("name").unwrap_or_else(|| format!("{{aws_iam_role.{name}.name}}"));
        match attr {
            "arn" => {
                let path = literal("path").unwrap_or_else(|| "/".to_string());
                let mut text = Text::lit("arn:aws:iam::");
                text.push(TextPart::Unknown("the account id".into()));
                text.push(TextPart::Lit(format!(":role{path}{role_name}")));
                Node::new(NodeKind::Str(text), span)
            }
            "name" | "id" => Node::str(role_name, span),
            _ => unknown(
                format!("aws_iam_role.{name}.{attr} is known only after apply"),
                span,
            ),
        }
    }

    /// Evaluates an expression that holds a policy document (`assume_role_policy`, `policy`).
    /// Heredocs, JSON strings and `file()` are parsed with spans pointing into the file that writes
    /// the JSON.
    pub fn policy(&self, ctx: Ctx, expr: &Expression) -> Node {
        self.policy_at(ctx, expr, 0, true)
    }

    fn policy_target(&self, target: Target<'a>, span: Span, depth: usize) -> Node {
        match target {
            Target::Expr(ctx, e) => self.policy_at(ctx, e, depth + 1, false),
            Target::Node(n) => self.string_node_policy(n, false),
            Target::Missing(reason) => unknown(reason, span),
        }
    }

    /// `report`: whether a malformed policy here is an input error (the policy is written here) or
    /// only unknown (it reached here through a reference).
    fn policy_at(&self, ctx: Ctx, expr: &Expression, depth: usize, report: bool) -> Node {
        let span = self.span(ctx.file, expr.span());
        if depth > MAX_DEPTH {
            return unknown("a reference chain that is too deep (a cycle?)", span);
        }
        match expr {
            Expression::HeredocTemplate(h) => self.heredoc_policy(ctx, &h.template, span),
            Expression::String(s) => self.quoted_policy(s.value(), span, report),
            Expression::Parenthesis(p) => self.policy_at(ctx, p.inner(), depth + 1, report),
            Expression::StringTemplate(t) => {
                // `"${data.aws_iam_policy_document.x.json}"`: the policy is the interpolated value.
                let mut elements = t.iter();
                match (elements.next(), elements.next()) {
                    (Some(Element::Interpolation(i)), None) => {
                        self.policy_at(ctx, &i.expr, depth + 1, report)
                    }
                    _ => self.string_node_policy(self.eval_at(ctx, expr, depth + 1), report),
                }
            }
            Expression::Traversal(t) => {
                let path = traversal_path(t);
                let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                let Some(target) = self.reference(ctx.inst, &parts) else {
                    return self.string_node_policy(self.eval_at(ctx, expr, depth + 1), false);
                };
                // Operators past the reference itself (`var.policies[count.index]`).
                let named = if parts[0] == "module" { 2 } else { 1 };
                let extra = &t.operators[named.min(t.operators.len())..];
                match (extra, &target) {
                    ([], _) => self.policy_target(target, span, depth),
                    // An index that differs per instance selects each element in turn: every
                    // element written in the list or map is a possible policy.
                    ([op], Target::Expr(c, list))
                        if matches!(op.value(), TraversalOperator::Index(i)
                            if !matches!(i, Expression::String(_) | Expression::Number(_))) =>
                    {
                        let items: Vec<&Expression> = match list {
                            Expression::Array(a) => a.iter().collect(),
                            Expression::Object(o) => o.iter().map(|(_, v)| v.expr()).collect(),
                            _ => {
                                return self
                                    .string_node_policy(self.eval_at(ctx, expr, depth + 1), false);
                            }
                        };
                        let mut statements = Vec::new();
                        for item in items {
                            collect_statements(
                                self.policy_at(*c, item, depth + 1, false),
                                &mut statements,
                            );
                        }
                        statement_document(statements, span)
                    }
                    _ => self.string_node_policy(self.eval_at(ctx, expr, depth + 1), false),
                }
            }
            // Both branches are possible policies: check the statements of both.
            Expression::Conditional(c) => {
                let mut statements = Vec::new();
                for branch in [&c.true_expr, &c.false_expr] {
                    collect_statements(
                        self.policy_at(ctx, branch, depth + 1, false),
                        &mut statements,
                    );
                }
                statement_document(statements, span)
            }
            Expression::FuncCall(call)
                if call.name.namespace.is_empty()
                    && matches!(call.name.name.as_str(), "file" | "templatefile") =>
            {
                match self.function_file(ctx, call.args.iter().next()) {
                    Some(id) => {
                        self.file_policy(id, call.name.name.as_str() == "templatefile", span)
                    }
                    None => unknown(
                        format!(
                            "the file read by {}() is not found",
                            call.name.name.as_str()
                        ),
                        span,
                    ),
                }
            }
            _ => self.string_node_policy(self.eval_at(ctx, expr, depth + 1), report),
        }
    }

    /// A policy kept in a JSON file next to the module: spans point into that file.
    fn file_policy(&self, id: FileId, template: bool, use_span: Span) -> Node {
        let Some(source) = self.sources.get(id) else {
            return unknown("the policy file could not be read", use_span);
        };
        match json::parse(&source.text, id, 0) {
            Ok(mut node) => {
                if template {
                    self.mark_template_strings(&mut node);
                }
                node
            }
            Err(_) if template && source.text.contains("${") => unknown(
                "the policy template builds JSON with interpolation outside strings",
                use_span,
            ),
            Err(e) => {
                let at = Span::new(id, e.offset, e.offset + 1);
                self.error(at, format!("the policy file is not valid JSON: {e}"));
                unknown("the policy file is not valid JSON", use_span)
            }
        }
    }

    /// Strings of a `templatefile()` JSON that interpolate its variables: unknown where they do.
    fn mark_template_strings(&self, node: &mut Node) {
        match &mut node.kind {
            NodeKind::Str(text) => {
                if let Some(raw) = text.as_literal()
                    && raw.contains("${")
                {
                    *text = template_parts(&raw);
                }
            }
            NodeKind::List(items) => items.iter_mut().for_each(|n| self.mark_template_strings(n)),
            NodeKind::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, n)| self.mark_template_strings(n)),
            _ => {}
        }
    }

    /// A policy given as an evaluated value: objects are the policy; known strings are JSON.
    fn string_node_policy(&self, node: Node, report: bool) -> Node {
        match &node.kind {
            NodeKind::Str(text) => match text.as_literal() {
                Some(s) => self.string_policy(&s, node.span, report),
                None => node,
            },
            // Not a policy and not written as one here (`default = null`, `[]`): unknown.
            NodeKind::Map(_) | NodeKind::Unknown(_) => node,
            _ if !report => unknown("the value is not a policy document", node.span),
            _ => node,
        }
    }

    /// A policy written as a quoted HCL string (`"{\"Statement\": ...}"`): the JSON is parsed from the
    /// decoded value, and each element's span is mapped back through the escapes to the source.
    fn quoted_policy(&self, value: &str, span: Span, report: bool) -> Node {
        let raw = self.sources.snippet(span);
        let Some(offsets) = decoded_offsets(raw, value) else {
            return self.string_policy(value, span, report);
        };
        match json::parse(value, span.file, 0) {
            Ok(mut node) => {
                let at = |o: u32| span.start + offsets.get(o as usize).copied().unwrap_or(0);
                remap_spans(&mut node, &at);
                node
            }
            Err(_) => self.string_policy(value, span, report),
        }
    }

    /// A policy string whose source position is not known (it came through a value): every element
    /// points at the whole string.
    fn string_policy(&self, s: &str, span: Span, report: bool) -> Node {
        match json::parse(s, span.file, 0) {
            Ok(mut node) => {
                node.set_spans(span);
                node
            }
            // A value that reaches a policy through a variable or output (`default = ""`) is not a
            // policy written here: it is unknown, not an input error.
            Err(_) if !report => unknown("the value is not a JSON policy document", span),
            Err(e) => {
                self.error(span, format!("the policy string is not valid JSON: {e}"));
                unknown("the policy is not valid JSON", span)
            }
        }
    }

    /// A heredoc policy: JSON parsed straight from the source bytes, so every element keeps its exact
    /// span, with `<<-` indentation in place (JSON ignores it).
    fn heredoc_policy(&self, ctx: Ctx, template: &Template, span: Span) -> Node {
        let ranges: Vec<_> = template.iter().filter_map(element_span).collect();
        let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
            self.error(span, "the policy heredoc is empty".into());
            return unknown("the policy heredoc is empty", span);
        };
        let (start, end) = (first.start, last.end);
        let Some(raw) = self
            .sources
            .get(ctx.file)
            .and_then(|f| f.text.get(start..end))
        else {
            return unknown("the heredoc could not be located in its file", span);
        };
        let has_template = template.iter().any(|e| !matches!(e, Element::Literal(_)));
        match json::parse(raw, ctx.file, start) {
            Ok(mut node) => {
                if has_template {
                    self.interpolate_strings(ctx, &mut node);
                }
                node
            }
            Err(_) if has_template => unknown(
                "the policy heredoc builds JSON with template interpolation outside strings",
                span,
            ),
            Err(e) => {
                let at = Span::new(ctx.file, e.offset, e.offset + 1);
                self.error(at, format!("the policy heredoc is not valid JSON: {e}"));
                unknown("the policy heredoc is not valid JSON", span)
            }
        }
    }

    /// Strings of a heredoc's JSON that contain `${...}`: evaluate them as templates.
    fn interpolate_strings(&self, ctx: Ctx, node: &mut Node) {
        match &mut node.kind {
            NodeKind::Str(text) => {
                let Some(raw) = text.as_literal() else { return };
                if !raw.contains("${") && !raw.contains("%{") {
                    return;
                }
                *text = match hcl_edit::parser::parse_template(&raw) {
                    Ok(t) => self.template_text(ctx, t.iter(), 1),
                    Err(_) => Text::unknown("a template that cannot be parsed"),
                };
            }
            NodeKind::List(items) => items
                .iter_mut()
                .for_each(|n| self.interpolate_strings(ctx, n)),
            NodeKind::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, n)| self.interpolate_strings(ctx, n)),
            _ => {}
        }
    }

    /// `data "aws_iam_policy_document"` as the JSON document it produces, each element spanned at the
    /// HCL attribute that writes it. `source_policy_documents` statements come first; statements of
    /// `override_policy_documents` are checked too (an override replaces statements with the same
    /// `sid`, which only changes which of them apply, not that each is a possible grant).
    fn policy_document_block(&self, inst: usize, doc: Located<'a, Block>, depth: usize) -> Node {
        let ctx = Ctx {
            inst,
            file: doc.file,
        };
        let body = &doc.item.body;
        let span = self.span(doc.file, doc.item.span());
        let mut statements = Vec::new();
        for attr in [
            "source_policy_documents",
            "source_json",
            "override_policy_documents",
            "override_json",
        ] {
            let Some(a) = body.get_attribute(attr) else {
                continue;
            };
            // A list of documents: literal items keep their own spans; a list from a variable is
            // evaluated and each of its documents read.
            let items: Vec<Node> = match &a.value {
                Expression::Array(items) => items
                    .iter()
                    .map(|e| self.policy_at(ctx, e, depth + 1, true))
                    .collect(),
                e => match self.eval_at(ctx, e, depth + 1).kind {
                    NodeKind::List(items) => items
                        .into_iter()
                        .map(|n| self.string_node_policy(n, false))
                        .collect(),
                    NodeKind::Null => Vec::new(),
                    other => vec![self.string_node_policy(Node::new(other, span), false)],
                },
            };
            for item in items {
                if !matches!(item.kind, NodeKind::Null) {
                    collect_statements(item, &mut statements);
                }
            }
        }
        for block in body.blocks() {
            match block.ident.as_str() {
                "statement" => statements.push(self.statement_block(ctx, block)),
                "dynamic"
                    if block
                        .labels
                        .first()
                        .is_some_and(|l| l.as_str() == "statement") =>
                {
                    self.dynamic_statements(ctx, block, &mut statements)
                }
                _ => {}
            }
        }
        statement_document(statements, span)
    }

    /// The value of a condition when it is known statically (`var.create && !var.legacy`,
    /// `var.mode == "prod"`, with variables from defaults, `.tfvars` or the module call).
    pub fn condition(&self, ctx: Ctx, expr: &Expression, depth: usize) -> Option<bool> {
        use hcl_edit::expr::{BinaryOperator, UnaryOperator};
        if depth > MAX_DEPTH {
            return None;
        }
        match expr {
            Expression::Parenthesis(p) => self.condition(ctx, p.inner(), depth + 1),
            Expression::UnaryOp(u) if *u.operator.value() == UnaryOperator::Not => {
                self.condition(ctx, &u.expr, depth + 1).map(|b| !b)
            }
            Expression::BinaryOp(b) => {
                let (l, r) = (&b.lhs_expr, &b.rhs_expr);
                match b.operator.value() {
                    BinaryOperator::And => match (
                        self.condition(ctx, l, depth + 1),
                        self.condition(ctx, r, depth + 1),
                    ) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    },
                    BinaryOperator::Or => match (
                        self.condition(ctx, l, depth + 1),
                        self.condition(ctx, r, depth + 1),
                    ) {
                        (Some(true), _) | (_, Some(true)) => Some(true),
                        (Some(false), Some(false)) => Some(false),
                        _ => None,
                    },
                    op @ (BinaryOperator::Eq | BinaryOperator::NotEq) => {
                        let (a, b) = (
                            self.eval_at(ctx, l, depth + 1),
                            self.eval_at(ctx, r, depth + 1),
                        );
                        // `var.permissions != null` is known once the value is known to be a map.
                        let equal = match (&a.kind, &b.kind) {
                            (NodeKind::Null, NodeKind::Null) => true,
                            (NodeKind::Null, NodeKind::Unknown(_))
                            | (NodeKind::Unknown(_), NodeKind::Null) => return None,
                            (NodeKind::Null, _) | (_, NodeKind::Null) => false,
                            _ => scalar(&a)? == scalar(&b)?,
                        };
                        Some(if *op == BinaryOperator::Eq {
                            equal
                        } else {
                            !equal
                        })
                    }
                    op @ (BinaryOperator::Greater
                    | BinaryOperator::GreaterEq
                    | BinaryOperator::Less
                    | BinaryOperator::LessEq) => {
                        let number = |e: &Expression| match self.eval_at(ctx, e, depth + 1).kind {
                            NodeKind::Number(n) => n.trim().parse::<f64>().ok(),
                            _ => None,
                        };
                        let (a, b) = (number(l)?, number(r)?);
                        Some(match op {
                            BinaryOperator::Greater => a > b,
                            BinaryOperator::GreaterEq => a >= b,
                            BinaryOperator::Less => a < b,
                            _ => a <= b,
                        })
                    }
                    _ => None,
                }
            }
            // `local.create` and `var.enabled`: the condition they stand for.
            Expression::Traversal(t) if t.operators.len() == 1 => {
                let path = traversal_path(t);
                let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                match self.reference(ctx.inst, &parts) {
                    Some(Target::Expr(c, e)) => self.condition(c, e, depth + 1),
                    Some(Target::Node(n)) => match n.kind {
                        NodeKind::Bool(b) => Some(b),
                        _ => None,
                    },
                    _ => None,
                }
            }
            // A conditional of conditions: known only when the chosen branch is.
            Expression::Conditional(c) => {
                let branch = if self.condition(ctx, &c.cond_expr, depth + 1)? {
                    &c.true_expr
                } else {
                    &c.false_expr
                };
                self.condition(ctx, branch, depth + 1)
            }
            _ => match self.eval_at(ctx, expr, depth + 1).kind {
                NodeKind::Bool(b) => Some(b),
                _ => None,
            },
        }
    }

    /// A collection (`for_each`, `count`) with conditionals whose condition is known resolved to the
    /// branch taken, so that `var.enabled ? local.items : []` is empty when `enabled` is false.
    pub fn collection(&self, ctx: Ctx, expr: &Expression, depth: usize) -> Node {
        match expr {
            Expression::Parenthesis(p) => self.collection(ctx, p.inner(), depth + 1),
            Expression::Conditional(c) if depth <= MAX_DEPTH => {
                match self.condition(ctx, &c.cond_expr, depth + 1) {
                    Some(true) => self.collection(ctx, &c.true_expr, depth + 1),
                    Some(false) => self.collection(ctx, &c.false_expr, depth + 1),
                    None => unknown(
                        "it depends on a condition that cannot be evaluated statically",
                        self.span(ctx.file, expr.span()),
                    ),
                }
            }
            _ => self.eval_at(ctx, expr, depth + 1),
        }
    }

    /// Whether a resource exists: `false` only when its `count` is known to be 0 or its `for_each`
    /// known to be empty (`count = var.create ? 1 : 0` with `create = false`).
    pub fn exists(&self, inst: usize, block: Located<'a, Block>) -> bool {
        let ctx = Ctx {
            inst,
            file: block.file,
        };
        let body = &block.item.body;
        if let Some(count) = body.get_attribute("count") {
            return match self.collection(ctx, &count.value, 0).kind {
                NodeKind::Number(n) => n.trim() != "0",
                _ => true,
            };
        }
        if let Some(for_each) = body.get_attribute("for_each") {
            return match self.collection(ctx, &for_each.value, 0).kind {
                NodeKind::List(items) => !items.is_empty(),
                NodeKind::Map(entries) => !entries.is_empty(),
                _ => true,
            };
        }
        true
    }

    /// Binds a `dynamic` block's iterator while `f` runs (see [`Tree::is_bound`]).
    pub fn with_binding<T>(&self, name: &str, key: Node, value: Node, f: impl FnOnce() -> T) -> T {
        self.bindings
            .borrow_mut()
            .push((name.to_string(), key, value));
        let out = f();
        self.bindings.borrow_mut().pop();
        out
    }

    /// Whether `name` is the iterator of a `dynamic` block being expanded.
    pub fn is_bound(&self, name: &str) -> bool {
        self.bindings.borrow().iter().any(|(n, _, _)| n == name)
    }

    /// The elements of a `dynamic` block's `for_each` as (key, value), or why they cannot be known.
    pub fn dynamic_elements(&self, ctx: Ctx, block: &Block) -> Result<Vec<(Node, Node)>, String> {
        let Some(for_each) = block.body.get_attribute("for_each") else {
            return Err("a dynamic block without for_each".into());
        };
        match self.collection(ctx, &for_each.value, 0).kind {
            NodeKind::Null => Ok(Vec::new()),
            NodeKind::List(items) => Ok(items
                .into_iter()
                .enumerate()
                .take(MAX_DYNAMIC_ELEMENTS)
                .map(|(i, v)| (Node::new(NodeKind::Number(i.to_string()), v.span), v))
                .collect()),
            NodeKind::Map(entries) => Ok(entries
                .into_iter()
                .take(MAX_DYNAMIC_ELEMENTS)
                .map(|(k, v)| (Node::str(k.name, k.span), v))
                .collect()),
            NodeKind::Unknown(reason) => Err(format!(
                "the dynamic block's for_each cannot be evaluated statically: {reason}"
            )),
            _ => Err("the dynamic block's for_each is not a collection".into()),
        }
    }

    /// Expands `dynamic "statement"`: one statement per `for_each` element, its `content` evaluated
    /// with the iterator bound, so that values written in the `for_each` collection (a variable's
    /// default, a local) are checked where they are written. A collection that cannot be known
    /// statically gives one unknown statement: a coverage gap, never a guess.
    fn dynamic_statements(&self, ctx: Ctx, block: &Block, out: &mut Vec<Node>) {
        let span = self.span(ctx.file, block.span());
        let Some(content) = block.body.blocks().find(|b| b.ident.as_str() == "content") else {
            out.push(unknown("a dynamic statement block without content", span));
            return;
        };
        let iterator = iterator_name(block);
        match self.dynamic_elements(ctx, block) {
            Ok(elements) => {
                for (key, value) in elements {
                    let statement = self
                        .with_binding(&iterator, key, value, || self.statement_block(ctx, content));
                    out.push(statement);
                }
            }
            Err(reason) => {
                // Whether the statement exists is unknown. When its content shows that it can
                // neither grant PassRole nor trust anyone (`actions = ["ssm:GetParameters"]`), it
                // does not matter; otherwise it is a coverage gap.
                let (key, value) = (unknown(&reason, span), unknown(&reason, span));
                let statement =
                    self.with_binding(&iterator, key, value, || self.statement_block(ctx, content));
                if !irrelevant_statement(&statement) {
                    out.push(unknown(
                        format!("a dynamic statement block: {reason}"),
                        span,
                    ));
                }
            }
        }
    }

    /// Calls `each` for every instance of the nested block `name` of `body`: the blocks written,
    /// and the `content` of each `dynamic "name"` block once per element of its `for_each`, with the
    /// iterator bound. Returns why (and where) a `dynamic` block could not be expanded.
    fn nested_blocks<'b>(
        &self,
        ctx: Ctx,
        body: &'b hcl_edit::structure::Body,
        name: &str,
        each: &mut dyn FnMut(&'b Block),
    ) -> Option<(String, Span)> {
        let mut gap = None;
        for b in body.blocks() {
            if b.ident.as_str() == name {
                each(b);
                continue;
            }
            if b.ident.as_str() != "dynamic" || b.labels.first().map(|l| l.as_str()) != Some(name) {
                continue;
            }
            let span = self.span(ctx.file, b.span());
            let Some(content) = b.body.blocks().find(|c| c.ident.as_str() == "content") else {
                continue;
            };
            let iterator = iterator_name(b);
            match self.dynamic_elements(ctx, b) {
                Ok(elements) => {
                    for (key, value) in elements {
                        self.with_binding(&iterator, key, value, || each(content));
                    }
                }
                Err(reason) => {
                    gap.get_or_insert((format!("a dynamic \"{name}\" block: {reason}"), span));
                }
            }
        }
        gap
    }

    fn statement_block(&self, ctx: Ctx, block: &Block) -> Node {
        let file = ctx.file;
        let span = self.span(file, block.span());
        let mut entries = Vec::new();
        let mut has_effect = false;
        for attr in block.body.attributes() {
            let key = match attr.key.as_str() {
                "sid" => "Sid",
                "effect" => {
                    has_effect = true;
                    "Effect"
                }
                "actions" => "Action",
                "not_actions" => "NotAction",
                "resources" => "Resource",
                "not_resources" => "NotResource",
                _ => continue,
            };
            let mut value = flatten_alternatives(self.eval(ctx, &attr.value));
            // A `null` element (`[var.role_arn]` with the variable unset, in the branch of a
            // conditional that is not taken) names nothing.
            if let NodeKind::List(items) = &mut value.kind {
                items.retain(|i| !matches!(i.kind, NodeKind::Null));
            }
            // `null` leaves the argument unset (`not_actions = try(statement.value.x, null)`).
            if matches!(value.kind, NodeKind::Null) {
                if key == "Effect" {
                    has_effect = false;
                }
                continue;
            }
            entries.push((
                Key {
                    name: key.into(),
                    span: self.span(file, attr.key.span()),
                },
                value,
            ));
        }
        if !has_effect {
            // The provider's default effect.
            entries.push((
                Key {
                    name: "Effect".into(),
                    span,
                },
                Node::str("Allow", self.span(file, block.ident.span())),
            ));
        }
        for (hcl, json) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let mut principals: Vec<(Key, Node)> = Vec::new();
            let mut key_span = None;
            let unknown_blocks = self.nested_blocks(ctx, &block.body, hcl, &mut |p| {
                key_span.get_or_insert(self.span(file, p.ident.span()));
                let ty = p
                    .body
                    .get_attribute("type")
                    .map(|a| self.eval(ctx, &a.value));
                let ids = p
                    .body
                    .get_attribute("identifiers")
                    .map(|a| flatten_alternatives(self.eval(ctx, &a.value)));
                let pspan = self.span(file, p.span());
                let ty_name = ty
                    .as_ref()
                    .and_then(|t| t.as_text().and_then(Text::as_literal))
                    .unwrap_or_else(|| "AWS".into());
                principals.push((
                    Key {
                        name: ty_name,
                        span: ty.map(|t| t.span).unwrap_or(pspan),
                    },
                    ids.unwrap_or_else(|| unknown("principals without identifiers", pspan)),
                ));
            });
            // Principals from a `dynamic` block that cannot be expanded: which principals the
            // statement names is unknown, never guessed to be none.
            if let Some((reason, at)) = unknown_blocks {
                entries.push((
                    Key {
                        name: json.into(),
                        span: at,
                    },
                    unknown(reason, at),
                ));
                continue;
            }
            if let Some(key_span) = key_span {
                entries.push((
                    Key {
                        name: json.into(),
                        span: key_span,
                    },
                    Node::new(NodeKind::Map(principals), span),
                ));
            }
        }
        let mut operators: Vec<(Key, Node)> = Vec::new();
        // Conditions of a `dynamic "condition"` that cannot be expanded are left out: they only
        // narrow a grant, and only PR014 reads them.
        self.nested_blocks(ctx, &block.body, "condition", &mut |c| {
            let get = |k: &str| c.body.get_attribute(k).map(|a| self.eval(ctx, &a.value));
            let (test, variable, values) = (get("test"), get("variable"), get("values"));
            let cspan = self.span(file, c.span());
            let lit = |n: &Option<Node>| {
                n.as_ref()
                    .and_then(|n| n.as_text().and_then(Text::as_literal))
                    .unwrap_or_default()
            };
            let var_span = variable.as_ref().map(|n| n.span).unwrap_or(cspan);
            operators.push((
                Key {
                    name: lit(&test),
                    span: test.as_ref().map(|n| n.span).unwrap_or(cspan),
                },
                Node::new(
                    NodeKind::Map(vec![(
                        Key {
                            name: lit(&variable),
                            span: var_span,
                        },
                        values.unwrap_or_else(|| Node::new(NodeKind::List(vec![]), cspan)),
                    )]),
                    cspan,
                ),
            ));
        });
        if !operators.is_empty() {
            entries.push((
                Key {
                    name: "Condition".into(),
                    span,
                },
                Node::new(NodeKind::Map(operators), span),
            ));
        }
        Node::new(NodeKind::Map(entries), span)
    }
}

/// Pure Terraform functions over evaluated nodes; an unknown argument makes the result unknown.
mod functions {
    use super::{scalar_text, unknown};
    use crate::value::{Node, NodeKind, Span, Text, TextPart};

    fn first_unknown(args: &[Node]) -> Option<&str> {
        args.iter().find_map(|a| match &a.kind {
            NodeKind::Unknown(r) => Some(r.as_str()),
            _ => None,
        })
    }

    /// `format("arn:aws:iam::%s:role/%s", a, b)` with `%s`, `%d`, `%v` and `%%`.
    pub fn format(args: Vec<Node>, span: Span) -> Node {
        let mut it = args.into_iter();
        let Some(fmt) = it
            .next()
            .and_then(|f| f.as_text().and_then(Text::as_literal))
        else {
            return unknown(
                "format() with a format string that cannot be evaluated",
                span,
            );
        };
        let mut out = Text::default();
        let mut chars = fmt.chars().peekable();
        let mut lit = String::new();
        while let Some(c) = chars.next() {
            if c != '%' {
                lit.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => lit.push('%'),
                Some('s' | 'd' | 'v' | 'q') => {
                    out.push(TextPart::Lit(std::mem::take(&mut lit)));
                    match it.next() {
                        Some(a) => out.append(scalar_text(a)),
                        None => return unknown("format() with too few arguments", span),
                    }
                }
                _ => return unknown("format() with a verb that is not evaluated", span),
            }
        }
        out.push(TextPart::Lit(lit));
        Node::new(NodeKind::Str(out), span)
    }

    pub fn join(args: Vec<Node>, span: Span) -> Node {
        let [sep, list] = args.as_slice() else {
            return unknown("join() with the wrong arguments", span);
        };
        let (Some(sep), NodeKind::List(items)) =
            (sep.as_text().and_then(Text::as_literal), &list.kind)
        else {
            return unknown("join() of values that cannot be evaluated", span);
        };
        let mut out = Text::default();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(TextPart::Lit(sep.clone()));
            }
            out.append(scalar_text(item.clone()));
        }
        Node::new(NodeKind::Str(out), span)
    }

    pub fn concat(args: Vec<Node>, span: Span) -> Node {
        if let Some(r) = first_unknown(&args) {
            return unknown(r.to_string(), span);
        }
        let mut out = Vec::new();
        for a in args {
            match a.kind {
                NodeKind::List(items) => out.extend(items),
                _ => return unknown("concat() of a value that is not a list", span),
            }
        }
        Node::new(NodeKind::List(out), span)
    }

    pub fn merge(args: Vec<Node>, span: Span) -> Node {
        if let Some(r) = first_unknown(&args) {
            return unknown(r.to_string(), span);
        }
        let mut out: Vec<(crate::value::Key, Node)> = Vec::new();
        for a in args {
            match a.kind {
                NodeKind::Map(entries) => {
                    for (k, v) in entries {
                        out.retain(|(o, _)| o.name != k.name);
                        out.push((k, v));
                    }
                }
                NodeKind::Null => {}
                _ => return unknown("merge() of a value that is not a map", span),
            }
        }
        Node::new(NodeKind::Map(out), span)
    }

    pub fn lookup(args: Vec<Node>, span: Span) -> Node {
        let mut it = args.into_iter();
        let (Some(map), Some(key)) = (it.next(), it.next()) else {
            return unknown("lookup() with the wrong arguments", span);
        };
        let default = it.next();
        let Some(key) = key.as_text().and_then(Text::as_literal) else {
            return unknown("lookup() of a key that cannot be evaluated", span);
        };
        match &map.kind {
            NodeKind::Map(_) => match map.get(&key) {
                Some((_, v)) => v.clone(),
                None => default
                    .unwrap_or_else(|| unknown(format!("lookup() of a missing key {key}"), span)),
            },
            NodeKind::Unknown(r) => unknown(r.clone(), span),
            _ => unknown("lookup() in a value that is not a map", span),
        }
    }

    pub fn coalesce(args: Vec<Node>, span: Span) -> Node {
        for a in args {
            match &a.kind {
                NodeKind::Null => continue,
                NodeKind::Str(t) if t.as_literal().is_some_and(|s| s.is_empty()) => continue,
                NodeKind::Unknown(_) => return a,
                _ => return a,
            }
        }
        unknown("coalesce() of only empty values", span)
    }

    /// `compact()` drops empty strings and nulls, `flatten()` flattens nested lists, `distinct()` keeps
    /// the list (duplicates do not change what is granted).
    pub fn list_cleanup(name: &str, args: Vec<Node>, span: Span) -> Node {
        let Some(list) = args.into_iter().next() else {
            return unknown(format!("{name}() without an argument"), span);
        };
        let NodeKind::List(items) = list.kind else {
            return match list.kind {
                NodeKind::Unknown(r) => unknown(r, span),
                _ => unknown(format!("{name}() of a value that is not a list"), span),
            };
        };
        let mut out = Vec::new();
        for item in items {
            match item.kind {
                NodeKind::Null if name == "compact" => {}
                NodeKind::Str(ref t)
                    if name == "compact" && t.as_literal().is_some_and(|s| s.is_empty()) => {}
                NodeKind::List(inner) if name == "flatten" => out.extend(inner),
                _ => out.push(item),
            }
        }
        Node::new(NodeKind::List(out), span)
    }

    /// The first argument that is known, skipping only those that fail (a missing attribute or key);
    /// an unknown argument makes the result unknown.
    pub fn try_(args: Vec<Node>, span: Span) -> Node {
        for a in args {
            match &a.kind {
                NodeKind::Unknown(r)
                    if r.starts_with("no attribute") || r.starts_with("no key") =>
                {
                    continue;
                }
                _ => return a,
            }
        }
        unknown("try() of values that all fail", span)
    }

    pub fn element(args: Vec<Node>, span: Span) -> Node {
        let [list, index] = args.as_slice() else {
            return unknown("element() with the wrong arguments", span);
        };
        match (&list.kind, &index.kind) {
            (NodeKind::List(items), NodeKind::Number(n)) if !items.is_empty() => {
                match n.parse::<usize>() {
                    Ok(i) => items[i % items.len()].clone(),
                    Err(_) => unknown("element() with an index that is not a whole number", span),
                }
            }
            _ => unknown("element() of values that cannot be evaluated", span),
        }
    }
}

/// A scalar as text for interpolation; anything else is an unknown part.
fn scalar_text(n: Node) -> Text {
    match n.kind {
        NodeKind::Str(t) => t,
        NodeKind::Number(n) => Text::lit(n),
        NodeKind::Bool(b) => Text::lit(b.to_string()),
        NodeKind::Unknown(reason) => Text::unknown(reason),
        NodeKind::List(_) => Text::unknown("one of several values"),
        _ => Text::unknown("a value that is not a string"),
    }
}

/// `${...}` parts of a template string as unknown parts, the rest literal.
fn template_parts(raw: &str) -> Text {
    let mut text = Text::default();
    let mut rest = raw;
    while let Some(open) = rest.find("${") {
        text.push(TextPart::Lit(rest[..open].to_string()));
        match rest[open..].find('}') {
            Some(close) => {
                text.push(TextPart::Unknown(
                    rest[open + 2..open + close].trim().to_string(),
                ));
                rest = &rest[open + close + 1..];
            }
            None => {
                text.push(TextPart::Unknown("an unterminated interpolation".into()));
                rest = "";
            }
        }
    }
    text.push(TextPart::Lit(rest.to_string()));
    text
}

/// Lists inside a list (from conditionals: both branches) flattened into one list.
fn flatten_alternatives(node: Node) -> Node {
    match node.kind {
        NodeKind::List(items) => {
            let mut out = Vec::new();
            for item in items {
                match flatten_alternatives(item) {
                    Node {
                        kind: NodeKind::List(inner),
                        ..
                    } => out.extend(inner),
                    other => out.push(other),
                }
            }
            Node::new(NodeKind::List(out), node.span)
        }
        other => Node::new(other, node.span),
    }
}

/// Follows the attribute and literal index operators after the first `skip` names of a traversal.
fn apply_operators(mut node: Node, t: &hcl_edit::expr::Traversal, skip: usize) -> Node {
    let mut names_seen = 1; // the root variable
    for op in &t.operators {
        match op.value() {
            TraversalOperator::GetAttr(id) => {
                names_seen += 1;
                if names_seen <= skip {
                    continue;
                }
                node = match node.get(id.as_str()) {
                    Some((_, v)) => v.clone(),
                    None if matches!(node.kind, NodeKind::Unknown(_)) => node,
                    // An attribute the object leaves out: valid code declares it `optional()`
                    // in the variable's type, which makes it null.
                    None if matches!(node.kind, NodeKind::Map(_)) => {
                        Node::new(NodeKind::Null, node.span)
                    }
                    None => unknown(
                        format!("no attribute {} in the value", id.as_str()),
                        node.span,
                    ),
                };
            }
            TraversalOperator::Index(Expression::String(k)) if names_seen >= skip => {
                node = match node.get(k.value()) {
                    Some((_, v)) => v.clone(),
                    None => unknown(format!("no key \"{}\" in the value", k.value()), node.span),
                };
            }
            TraversalOperator::Index(Expression::Number(n)) if names_seen >= skip => {
                let i = n.value().as_u64().unwrap_or(u64::MAX) as usize;
                node = match &node.kind {
                    NodeKind::List(items) => items
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| unknown("an index past the end of the list", node.span)),
                    _ => unknown("an index into a value that is not a list", node.span),
                };
            }
            _ if names_seen >= skip => {
                return unknown("an index or splat that cannot be evaluated", node.span);
            }
            _ => {}
        }
    }
    node
}

/// Appends the statements of an evaluated policy document node to `out`.
fn collect_statements(node: Node, out: &mut Vec<Node>) {
    match node.kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                if k.name == "Statement" {
                    match v.kind {
                        NodeKind::List(items) => out.extend(items),
                        _ => out.push(v),
                    }
                }
            }
        }
        _ => out.push(node),
    }
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

/// For a quoted HCL string `raw` (quotes included) whose decoded value is `value`: the offset in `raw`
/// of each byte of `value` (and one past the end). None when the escapes are not understood; the
/// caller then points at the whole string.
fn decoded_offsets(raw: &str, value: &str) -> Option<Vec<u32>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut offsets = Vec::with_capacity(value.len() + 1);
    let mut decoded = String::with_capacity(value.len());
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i as u32 + 1; // after the opening quote
        let (text, used): (String, usize) = match bytes[i] {
            b'\\' => {
                let esc = *bytes.get(i + 1)?;
                match esc {
                    b'n' => ("\n".into(), 2),
                    b'r' => ("\r".into(), 2),
                    b't' => ("\t".into(), 2),
                    b'"' => ("\"".into(), 2),
                    b'\\' => ("\\".into(), 2),
                    b'u' => {
                        let hex = inner.get(i + 2..i + 6)?;
                        let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                        (c.to_string(), 6)
                    }
                    _ => return None,
                }
            }
            b'$' | b'%'
                if inner
                    .get(i..i + 3)
                    .is_some_and(|s| s == "$${" || s == "%%{") =>
            {
                (inner.get(i + 1..i + 3)?.to_string(), 3)
            }
            _ => {
                let c = inner.get(i..)?.chars().next()?;
                (c.to_string(), c.len_utf8())
            }
        };
        for _ in 0..text.len() {
            offsets.push(start);
        }
        decoded.push_str(&text);
        i += used;
    }
    offsets.push(raw.len() as u32 - 1);
    (decoded == value).then_some(offsets)
}

/// Moves every span of `node` (offsets into a decoded string, in `span.start`) through `at`.
fn remap_spans(node: &mut Node, at: &dyn Fn(u32) -> u32) {
    node.span.end = at(node.span.end);
    node.span.start = at(node.span.start);
    match &mut node.kind {
        NodeKind::List(items) => items.iter_mut().for_each(|n| remap_spans(n, at)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            k.span.end = at(k.span.end);
            k.span.start = at(k.span.start);
            remap_spans(v, at)
        }),
        _ => {}
    }
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

/// A known scalar as a comparable string (`null`, `true`, `3`, `"prod"`), for `==` and `!=`.
fn scalar(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Null => Some("null".into()),
        NodeKind::Bool(b) => Some(b.to_string()),
        NodeKind::Number(n) => Some(n.clone()),
        NodeKind::Str(t) => t.as_literal().map(|s| format!("{s:?}")),
        _ => None,
    }
}

/// A statement whose actions are all known and include neither `iam:PassRole` (by any pattern) nor
/// an `sts:` action (a trust statement): it cannot matter to any check.
fn irrelevant_statement(statement: &Node) -> bool {
    let (actions, negated) = match (statement.get("Action"), statement.get("NotAction")) {
        (Some((_, a)), None) => (a, false),
        (None, Some((_, a))) => (a, true),
        _ => return false,
    };
    let items: Vec<&Node> = match &actions.kind {
        NodeKind::List(items) => items.iter().collect(),
        _ => vec![actions],
    };
    let mut texts = Vec::new();
    for item in items {
        match item.as_text().and_then(Text::as_literal) {
            Some(t) => texts.push(t),
            None => return false,
        }
    }
    let trust_actions = [
        "sts:AssumeRole",
        "sts:AssumeRoleWithWebIdentity",
        "sts:AssumeRoleWithSAML",
        "sts:TagSession",
    ];
    let may_trust = texts.iter().any(|t| {
        trust_actions
            .iter()
            .any(|a| crate::iam::action::wildcard_match(t, a))
    });
    if negated || may_trust {
        return false;
    }
    let texts: Vec<Text> = texts.into_iter().map(Text::lit).collect();
    let analysis = crate::iam::action::analyze_actions(&texts, false);
    analysis.matched.is_none() && !analysis.unknown
}

/// The name a `dynamic` block's elements go by: its `iterator` argument, else its label.
pub fn iterator_name(block: &Block) -> String {
    block
        .body
        .get_attribute("iterator")
        .and_then(|a| match &a.value {
            Expression::Variable(v) => Some(v.as_str().to_string()),
            _ => None,
        })
        .or_else(|| block.labels.first().map(|l| l.as_str().to_string()))
        .unwrap_or_default()
}
