//! Static evaluation of Terraform expressions to spanned [`Node`]s.
//!
//! Only what can be known before `terraform plan` is evaluated: literals, templates, `var.*` defaults,
//! `local.*`, `jsonencode`, heredocs and `data "aws_iam_policy_document"`. Everything else becomes
//! `NodeKind::Unknown` with a reason, never a guess.

use crate::source::json;
use crate::source::{ErrorKind, InputError, SourceMap};
use crate::value::{FileId, Key, Node, NodeKind, Span, Text, TextPart};
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Body};
use hcl_edit::template::{Element, Template};
use std::cell::RefCell;
use std::collections::HashMap;

/// Deeper reference chains than this (local → local → …) are reported as unknown: they are cycles
/// or generated code, and recursion must stay bounded.
const MAX_DEPTH: usize = 64;

/// Something defined in one file of the module.
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

/// The blocks of one module, indexed for reference lookup.
pub struct Module<'a> {
    pub sources: &'a SourceMap,
    /// `resource "TYPE" "NAME"`, in source order.
    pub resources: Vec<(String, String, Located<'a, Block>)>,
    pub data: HashMap<(String, String), Located<'a, Block>>,
    pub variables: HashMap<String, Located<'a, Block>>,
    pub locals: HashMap<String, Located<'a, Attribute>>,
    /// Errors found while evaluating (a policy heredoc that is not JSON, …).
    pub errors: RefCell<Vec<InputError>>,
}

fn labels(block: &Block) -> Vec<&str> {
    block.labels.iter().map(|l| l.as_str()).collect()
}

impl<'a> Module<'a> {
    pub fn new(sources: &'a SourceMap, files: &'a [(FileId, &'a Body)]) -> Module<'a> {
        let mut m = Module {
            sources,
            resources: Vec::new(),
            data: HashMap::new(),
            variables: HashMap::new(),
            locals: HashMap::new(),
            errors: RefCell::new(Vec::new()),
        };
        for (file, body) in files {
            for block in body.blocks() {
                let file = *file;
                let at = Located { file, item: block };
                match (block.ident.as_str(), labels(block).as_slice()) {
                    ("resource", [t, n]) => m.resources.push((t.to_string(), n.to_string(), at)),
                    ("data", [t, n]) => {
                        m.data.insert((t.to_string(), n.to_string()), at);
                    }
                    ("variable", [n]) => {
                        m.variables.insert(n.to_string(), at);
                    }
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

    pub fn span(&self, file: FileId, range: Option<std::ops::Range<usize>>) -> Span {
        let r = range.unwrap_or(0..0);
        Span::new(file, r.start, r.end)
    }

    pub fn resource(&self, ty: &str, name: &str) -> Option<Located<'a, Block>> {
        self.resources
            .iter()
            .find(|(t, n, _)| t == ty && n == name)
            .map(|(_, _, b)| *b)
    }

    fn error(&self, span: Span, message: String) {
        let e = InputError::at(self.sources, span, ErrorKind::Parse, message);
        self.errors.borrow_mut().push(e);
    }

    /// The value of a variable's `default`, if it has one.
    pub fn variable_default(&self, name: &str) -> Option<(FileId, &'a Expression)> {
        let var = self.variables.get(name)?;
        let attr = var.item.body.get_attribute("default")?;
        Some((var.file, &attr.value))
    }

    /// Evaluates an expression to a spanned node.
    pub fn eval(&self, expr: &Expression, file: FileId) -> Node {
        self.eval_at(expr, file, 0)
    }

    fn eval_at(&self, expr: &Expression, file: FileId, depth: usize) -> Node {
        let span = self.span(file, expr.span());
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
                        .map(|e| self.eval_at(e, file, depth + 1))
                        .collect(),
                ),
                span,
            ),
            Expression::Object(object) => {
                let mut entries = Vec::new();
                for (key, value) in object.iter() {
                    let (name, key_span) = match key {
                        ObjectKey::Ident(id) => {
                            (id.as_str().to_string(), self.span(file, id.span()))
                        }
                        ObjectKey::Expression(e) => {
                            let k = self.eval_at(e, file, depth + 1);
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
                        self.eval_at(value.expr(), file, depth + 1),
                    ));
                }
                Node::new(NodeKind::Map(entries), span)
            }
            Expression::StringTemplate(t) => {
                let text = self.template_text(t.iter(), file, depth);
                Node::new(NodeKind::Str(text), span)
            }
            Expression::HeredocTemplate(h) => {
                let text = self.template_text(h.template.iter(), file, depth);
                Node::new(NodeKind::Str(text), span)
            }
            Expression::Parenthesis(p) => self.eval_at(p.inner(), file, depth + 1),
            Expression::Traversal(t) => self.eval_traversal(t, file, depth, span),
            Expression::Variable(v) => unknown(format!("{} cannot be evaluated", v.as_str()), span),
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                match (name, call.args.iter().next()) {
                    ("jsonencode", Some(arg)) if call.name.namespace.is_empty() => {
                        self.eval_at(arg, file, depth + 1)
                    }
                    _ => unknown(format!("the function {name}() is not evaluated"), span),
                }
            }
            Expression::Conditional(_) => unknown("a conditional expression", span),
            Expression::ForExpr(_) => unknown("a for expression", span),
            Expression::UnaryOp(_) | Expression::BinaryOp(_) => unknown("an operation", span),
        }
    }

    fn template_text<'t>(
        &self,
        elements: impl Iterator<Item = &'t Element>,
        file: FileId,
        depth: usize,
    ) -> Text {
        let mut text = Text::default();
        for element in elements {
            match element {
                Element::Literal(s) => text.push(TextPart::Lit(s.value().clone())),
                Element::Interpolation(i) => {
                    let n = self.eval_at(&i.expr, file, depth + 1);
                    match n.kind {
                        NodeKind::Str(t) => text.append(t),
                        NodeKind::Number(n) => text.push(TextPart::Lit(n)),
                        NodeKind::Bool(b) => text.push(TextPart::Lit(b.to_string())),
                        NodeKind::Unknown(reason) => text.push(TextPart::Unknown(reason)),
                        _ => text.push(TextPart::Unknown("a value that is not a string".into())),
                    }
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
        t: &hcl_edit::expr::Traversal,
        _file: FileId,
        depth: usize,
        span: Span,
    ) -> Node {
        let path = traversal_path(t);
        let shown = path.join(".");
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        match parts.as_slice() {
            ["var", name, ..] => match self.variable_default(name) {
                Some((vfile, e)) => self.eval_at(e, vfile, depth + 1),
                None => unknown(format!("var.{name} has no default value"), span),
            },
            ["local", name, ..] => match self.locals.get(*name) {
                Some(l) => self.eval_at(&l.item.value, l.file, depth + 1),
                None => unknown(format!("local.{name} is not defined"), span),
            },
            [
                "data",
                "aws_iam_policy_document",
                name,
                "json" | "minified_json",
            ] => {
                match self
                    .data
                    .get(&("aws_iam_policy_document".into(), name.to_string()))
                {
                    Some(b) => self.policy_document_block(*b, depth + 1),
                    None => unknown(
                        format!("data.aws_iam_policy_document.{name} is not defined"),
                        span,
                    ),
                }
            }
            ["aws_iam_role", name, attr] => self.role_attribute(name, attr, span),
            _ => unknown(format!("{shown} is known only after apply"), span),
        }
    }

    /// `aws_iam_role.NAME.arn` and `.name`: the role's ARN with the account unknown, so that a grant
    /// on it is classified as one exact role.
    fn role_attribute(&self, name: &str, attr: &str, span: Span) -> Node {
        let Some(role) = self.resource("aws_iam_role", name) else {
            return unknown(format!("aws_iam_role.{name} is not defined"), span);
        };
        let literal = |key: &str| {
            role.item.body.get_attribute(key).and_then(|a| {
                self.eval(&a.value, role.file)
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
    /// Heredocs and JSON strings are parsed with spans pointing into the `.tf` file.
    pub fn policy(&self, expr: &Expression, file: FileId) -> Node {
        self.policy_at(expr, file, 0)
    }

    fn policy_at(&self, expr: &Expression, file: FileId, depth: usize) -> Node {
        let span = self.span(file, expr.span());
        if depth > MAX_DEPTH {
            return unknown("a reference chain that is too deep (a cycle?)", span);
        }
        match expr {
            Expression::HeredocTemplate(h) => self.heredoc_policy(&h.template, file, span),
            Expression::String(s) => self.string_policy(s.value(), span),
            Expression::Parenthesis(p) => self.policy_at(p.inner(), file, depth + 1),
            Expression::StringTemplate(t) => {
                // `"${data.aws_iam_policy_document.x.json}"`: the policy is the interpolated value.
                let mut elements = t.iter();
                match (elements.next(), elements.next()) {
                    (Some(Element::Interpolation(i)), None) => {
                        self.policy_at(&i.expr, file, depth + 1)
                    }
                    _ => self.string_node_policy(self.eval_at(expr, file, depth + 1)),
                }
            }
            Expression::Traversal(t) => {
                let path = traversal_path(t);
                let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                match parts.as_slice() {
                    ["var", name, ..] => match self.variable_default(name) {
                        Some((vfile, e)) => self.policy_at(e, vfile, depth + 1),
                        None => unknown(format!("var.{name} has no default value"), span),
                    },
                    ["local", name, ..] => match self.locals.get(*name) {
                        Some(l) => self.policy_at(&l.item.value, l.file, depth + 1),
                        None => unknown(format!("local.{name} is not defined"), span),
                    },
                    _ => self.string_node_policy(self.eval_at(expr, file, depth + 1)),
                }
            }
            _ => self.string_node_policy(self.eval_at(expr, file, depth + 1)),
        }
    }

    /// A policy given as an evaluated value: objects are the policy; known strings are JSON.
    fn string_node_policy(&self, node: Node) -> Node {
        match &node.kind {
            NodeKind::Str(text) => match text.as_literal() {
                Some(s) => self.string_policy(&s, node.span),
                None => node,
            },
            _ => node,
        }
    }

    /// A policy written as a quoted JSON string: escapes make offsets inside it unknowable, so every
    /// element points at the whole string.
    fn string_policy(&self, s: &str, span: Span) -> Node {
        match json::parse(s, span.file, 0) {
            Ok(mut node) => {
                set_spans(&mut node, span);
                node
            }
            Err(e) => {
                self.error(span, format!("the policy string is not valid JSON: {e}"));
                unknown("the policy is not valid JSON", span)
            }
        }
    }

    /// A heredoc policy: JSON parsed straight from the source bytes, so every element keeps its exact
    /// span, with `<<-` indentation in place (JSON ignores it).
    fn heredoc_policy(&self, template: &Template, file: FileId, span: Span) -> Node {
        let ranges: Vec<_> = template.iter().filter_map(element_span).collect();
        let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
            self.error(span, "the policy heredoc is empty".into());
            return unknown("the policy heredoc is empty", span);
        };
        let (start, end) = (first.start, last.end);
        let Some(raw) = self.sources.get(file).and_then(|f| f.text.get(start..end)) else {
            return unknown("the heredoc could not be located in its file", span);
        };
        let has_template = template.iter().any(|e| !matches!(e, Element::Literal(_)));
        match json::parse(raw, file, start) {
            Ok(mut node) => {
                if has_template {
                    self.interpolate_strings(&mut node, file);
                }
                node
            }
            Err(_) if has_template => unknown(
                "the policy heredoc builds JSON with template interpolation outside strings",
                span,
            ),
            Err(e) => {
                let at = Span::new(file, e.offset, e.offset + 1);
                self.error(at, format!("the policy heredoc is not valid JSON: {e}"));
                unknown("the policy heredoc is not valid JSON", span)
            }
        }
    }

    /// Strings of a heredoc's JSON that contain `${...}`: evaluate them as templates.
    fn interpolate_strings(&self, node: &mut Node, file: FileId) {
        match &mut node.kind {
            NodeKind::Str(text) => {
                let Some(raw) = text.as_literal() else { return };
                if !raw.contains("${") && !raw.contains("%{") {
                    return;
                }
                *text = match hcl_edit::parser::parse_template(&raw) {
                    Ok(t) => self.template_text(t.iter(), file, 1),
                    Err(_) => Text::unknown("a template that cannot be parsed"),
                };
            }
            NodeKind::List(items) => items
                .iter_mut()
                .for_each(|n| self.interpolate_strings(n, file)),
            NodeKind::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, n)| self.interpolate_strings(n, file)),
            _ => {}
        }
    }

    /// `data "aws_iam_policy_document"` as the JSON document it produces, each element spanned at the
    /// HCL attribute that writes it.
    fn policy_document_block(&self, doc: Located<'a, Block>, depth: usize) -> Node {
        let file = doc.file;
        let body = &doc.item.body;
        let span = self.span(file, doc.item.span());
        let mut statements = Vec::new();
        for attr in ["source_policy_documents", "source_json"] {
            if let Some(a) = body.get_attribute(attr) {
                for src in self.eval_list_exprs(&a.value) {
                    let node = self.policy_at(src, file, depth + 1);
                    collect_statements(node, &mut statements);
                }
            }
        }
        for block in body.blocks() {
            match block.ident.as_str() {
                "statement" => statements.push(self.statement_block(block, file)),
                "dynamic" => statements.push(unknown(
                    "a dynamic statement block",
                    self.span(file, block.span()),
                )),
                _ => {}
            }
        }
        Node::new(
            NodeKind::Map(vec![(
                Key {
                    name: "Statement".into(),
                    span,
                },
                Node::new(NodeKind::List(statements), span),
            )]),
            span,
        )
    }

    /// The expressions of a list expression, or the expression itself.
    fn eval_list_exprs<'e>(&self, expr: &'e Expression) -> Vec<&'e Expression> {
        match expr {
            Expression::Array(items) => items.iter().collect(),
            other => vec![other],
        }
    }

    fn statement_block(&self, block: &Block, file: FileId) -> Node {
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
            entries.push((
                Key {
                    name: key.into(),
                    span: self.span(file, attr.key.span()),
                },
                self.eval(&attr.value, file),
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
            for p in block.body.blocks().filter(|b| b.ident.as_str() == hcl) {
                key_span.get_or_insert(self.span(file, p.ident.span()));
                let ty = p
                    .body
                    .get_attribute("type")
                    .map(|a| self.eval(&a.value, file));
                let ids = p
                    .body
                    .get_attribute("identifiers")
                    .map(|a| self.eval(&a.value, file));
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
        for c in block
            .body
            .blocks()
            .filter(|b| b.ident.as_str() == "condition")
        {
            let test = c
                .body
                .get_attribute("test")
                .map(|a| self.eval(&a.value, file));
            let variable = c
                .body
                .get_attribute("variable")
                .map(|a| self.eval(&a.value, file));
            let values = c
                .body
                .get_attribute("values")
                .map(|a| self.eval(&a.value, file));
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
        }
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

fn unknown(reason: impl Into<String>, span: Span) -> Node {
    Node::new(NodeKind::Unknown(reason.into()), span)
}

/// Points every span of `node` at `span`.
fn set_spans(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.kind {
        NodeKind::List(items) => items.iter_mut().for_each(|n| set_spans(n, span)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            k.span = span;
            set_spans(v, span)
        }),
        _ => {}
    }
}

/// `aws_iam_role.fn[0].arn` → `["aws_iam_role", "fn", "arn"]`: attribute names only; index
/// operators are dropped because a finding is reported once per source expression, not per instance.
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
