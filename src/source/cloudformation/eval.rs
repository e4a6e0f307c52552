//! Static evaluation of CloudFormation intrinsic functions to spanned [`Node`]s.
//!
//! `Fn::If` is not decided (`Conditions` are not evaluated): every branch is a separate possibility, so
//! evaluation yields a list of possible values. What cannot be known before deployment (the account,
//! the region, a physical id) is `Unknown` with a reason, never a guess; where the account, region or
//! stack name is part of a name, it is one value within the stack and kept as a placeholder
//! ([`super::pseudo`]).

use super::pseudo;
use crate::source::{ErrorKind, InputError, SourceMap};
use crate::value::{Node, NodeKind, Span, Text, TextPart};
use std::cell::RefCell;
use std::collections::HashMap;

/// Deeper chains than this (a parameter default that refers on, nested functions) are unknown.
pub(super) const MAX_DEPTH: usize = 48;

/// At most this many possibilities are followed for one value (`Fn::If` and `AllowedValues` multiply).
pub(super) const MAX_POSSIBILITIES: usize = 64;

/// One resource of the template.
pub struct Resource<'a> {
    pub id: String,
    pub key_span: Span,
    pub ty: String,
    pub props: Option<&'a Node>,
    pub metadata: Option<&'a Node>,
    /// The CDK construct path (`Metadata: aws:cdk:path`) or the logical id: how findings name it.
    pub address: String,
}

/// A role the template defines: an `AWS::IAM::Role` or a role SAM generates for a function.
pub struct RoleDef {
    pub logical: String,
    /// Index into `Template::resources` of the resource that defines it.
    pub resource: usize,
    pub generated: bool,
}

pub struct Template<'a> {
    pub sources: &'a SourceMap,
    pub root: &'a Node,
    pub resources: Vec<Resource<'a>>,
    pub parameters: HashMap<String, &'a Node>,
    pub mappings: Option<&'a Node>,
    /// Roles in `Unit::roles` order.
    pub roles: Vec<RoleDef>,
    /// Instance profiles (indices into `resources`) in `Unit::profiles` order.
    pub profiles: Vec<usize>,
    pub errors: RefCell<Vec<InputError>>,
    /// Resources whose name or path is being evaluated (a name built from itself is a cycle).
    pub resolving: RefCell<Vec<String>>,
    /// Evaluation steps left for the whole template: hostile templates cannot make it slow.
    pub budget: std::cell::Cell<usize>,
    /// Parameters fixed to one of their `AllowedValues` (an index) while one deployment is checked
    /// (see `worlds`).
    pub world: RefCell<HashMap<String, usize>>,
}

/// Evaluation steps allowed per template.
pub const EVAL_BUDGET: usize = 2_000_000;

pub fn unknown(reason: impl Into<String>, span: Span) -> Node {
    Node::new(NodeKind::Unknown(reason.into()), span)
}

/// The single entry of a one-entry map whose key is an intrinsic function name.
pub fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    match &node.kind {
        NodeKind::Map(entries) if entries.len() == 1 => {
            let (k, v) = &entries[0];
            let name = k.name.as_str();
            (name == "Ref" || name.starts_with("Fn::")).then_some((name, v))
        }
        _ => None,
    }
}

pub(super) fn literal_of(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Str(t) => t.as_literal(),
        NodeKind::Number(n) => Some(n.clone()),
        NodeKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn text_of(node: &Node) -> Text {
    match &node.kind {
        NodeKind::Str(t) => t.clone(),
        NodeKind::Number(n) => Text::lit(n.clone()),
        NodeKind::Bool(b) => Text::lit(b.to_string()),
        NodeKind::Unknown(r) => Text::unknown(r.clone()),
        NodeKind::Null => Text::unknown("a null value"),
        NodeKind::List(_) | NodeKind::Map(_) => Text::unknown("a value that is not a string"),
    }
}

/// Whether two trees hold the same values, spans aside.
pub(super) fn same_shape(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::List(x), NodeKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_shape(p, q))
        }
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1.name == k2.name && same_shape(v1, v2))
        }
        (x, y) => x == y,
    }
}

/// Pseudo parameters: `AWS::Partition` is `aws` (the partition does not change what a pattern
/// covers); the others are known only at deployment.
fn pseudo(name: &str) -> Option<Option<&'static str>> {
    match name {
        "AWS::Partition" => Some(Some("aws")),
        "AWS::URLSuffix" => Some(Some("amazonaws.com")),
        "AWS::AccountId"
        | "AWS::Region"
        | "AWS::StackName"
        | "AWS::StackId"
        | "AWS::NotificationARNs" => Some(None),
        _ => None,
    }
}

/// A string with dynamic references (`{{resolve:ssm:/app/role-arn}}`,
/// `{{resolve:secretsmanager:..}}`): CloudFormation replaces each when the stack is deployed, so each
/// is an unknown part of the string, never literal text.
fn dynamic_references(mut node: Node) -> Node {
    const OPEN: &str = "{{resolve:";
    let NodeKind::Str(text) = &node.kind else {
        return node;
    };
    let has_reference = text
        .parts
        .iter()
        .any(|p| matches!(p, TextPart::Lit(s) if s.contains(OPEN)));
    if !has_reference {
        return node;
    }
    let mut out = Text::default();
    for part in &text.parts {
        let TextPart::Lit(s) = part else {
            out.push(part.clone());
            continue;
        };
        let mut rest = s.as_str();
        while let Some(open) = rest.find(OPEN) {
            let (lit, after) = rest.split_at(open);
            out.push(TextPart::Lit(lit.to_string()));
            match after.find("}}") {
                Some(close) => {
                    // Shown as `${resolve:ssm:/app/role-arn}`.
                    let reference = &after[2..close];
                    out.push(TextPart::Unknown(reference.to_string()));
                    rest = &after[close + 2..];
                }
                None => {
                    out.push(TextPart::Lit(after.to_string()));
                    rest = "";
                }
            }
        }
        out.push(TextPart::Lit(rest.to_string()));
    }
    node.kind = NodeKind::Str(out);
    node
}

fn cap<T>(mut v: Vec<T>) -> Vec<T> {
    v.truncate(MAX_POSSIBILITIES);
    v
}

impl<'a> Template<'a> {
    pub fn resource(&self, id: &str) -> Option<&Resource<'a>> {
        self.resources.iter().find(|r| r.id == id)
    }

    pub fn role_index(&self, id: &str) -> Option<usize> {
        self.roles.iter().position(|r| r.logical == id)
    }

    pub fn profile_index(&self, id: &str) -> Option<usize> {
        self.profiles
            .iter()
            .position(|&i| self.resources.get(i).is_some_and(|r| r.id == id))
    }

    pub fn error(&self, span: Span, kind: ErrorKind, message: String) {
        let e = InputError::at(self.sources, span, kind, message);
        self.errors.borrow_mut().push(e);
    }

    /// A property of a resource's `Properties`.
    fn prop(&self, resource: &Resource<'a>, key: &str) -> Option<&'a Node> {
        resource.props.and_then(|p| p.get(key)).map(|(_, v)| v)
    }

    /// The single literal value of a node, when it has exactly one.
    pub fn literal(&self, node: &Node) -> Option<String> {
        self.literal_at(node, 0)
    }

    /// [`Template::literal`] inside an evaluation, `depth` deep (cycles stay bounded).
    fn literal_at(&self, node: &Node, depth: usize) -> Option<String> {
        let values = self.eval(node, depth);
        match values.as_slice() {
            [one] => literal_of(one),
            _ => None,
        }
    }

    /// The name of a role or instance profile the template defines: its literal name property, or a
    /// stand-in (`{Logical}`) that names exactly that one resource when the name is generated.
    pub fn resource_name(&self, id: &str, name_prop: &str, depth: usize) -> (String, bool) {
        let literal = self
            .guarded(id, || {
                let r = self.resource(id)?;
                let n = self.prop(r, name_prop)?;
                match self.eval(n, depth + 1).as_slice() {
                    [one] => literal_of(&pseudo::name_node(one)),
                    _ => None,
                }
            })
            .flatten();
        match literal {
            Some(name) => (name, true),
            None => (format!("{{{id}}}"), false),
        }
    }

    pub fn resource_path(&self, id: &str, depth: usize) -> String {
        self.guarded(id, || {
            let n = self.resource(id).and_then(|r| self.prop(r, "Path"))?;
            match self.eval(n, depth + 1).as_slice() {
                [one] => literal_of(&pseudo::name_node(one)),
                _ => None,
            }
        })
        .flatten()
        .unwrap_or_else(|| "/".into())
    }

    /// Runs `f` unless `id` is already being evaluated further up (then None: a cycle).
    fn guarded<T>(&self, id: &str, f: impl FnOnce() -> T) -> Option<T> {
        if self.resolving.borrow().iter().any(|r| r == id) {
            return None;
        }
        self.resolving.borrow_mut().push(id.to_string());
        let out = f();
        self.resolving.borrow_mut().pop();
        Some(out)
    }

    fn is_role(&self, id: &str) -> bool {
        self.role_index(id).is_some()
    }

    fn is_profile(&self, id: &str) -> bool {
        self.profile_index(id).is_some()
    }

    /// The ARN of a role or instance profile of the template, the account unknown.
    fn arn(&self, id: &str, kind: &str, name_prop: &str, depth: usize) -> Text {
        let (name, _) = self.resource_name(id, name_prop, depth);
        let path = self.resource_path(id, depth);
        let mut text = Text::lit("arn:aws:iam::");
        text.push(TextPart::Unknown("AWS::AccountId".into()));
        text.push(TextPart::Lit(format!(":{kind}{path}{name}")));
        text
    }

    /// `Ref NAME`: a parameter's values, a pseudo parameter, or a resource's name.
    fn eval_ref(&self, name: &str, span: Span, depth: usize) -> Vec<Node> {
        if name == "AWS::NoValue" {
            return Vec::new();
        }
        if let Some(p) = pseudo(name) {
            return vec![match p {
                Some(v) => Node::str(v, span),
                None => unknown(name, span),
            }];
        }
        if let Some(param) = self.parameters.get(name) {
            return self.parameter_values(name, param, span, depth);
        }
        if self.is_role(name) {
            let (n, _) = self.resource_name(name, "RoleName", depth);
            return vec![Node::str(n, span)];
        }
        if self.is_profile(name) {
            let (n, _) = self.resource_name(name, "InstanceProfileName", depth);
            return vec![Node::str(n, span)];
        }
        match self.resource(name) {
            Some(r) => vec![unknown(
                format!("Ref {name} (the physical id of a {})", r.ty),
                span,
            )],
            None => vec![unknown(
                format!("Ref {name}: no parameter or resource of that name"),
                span,
            )],
        }
    }

    /// A parameter's possible values: each of `AllowedValues`, else the `Default`.
    fn parameter_values(&self, name: &str, param: &Node, span: Span, depth: usize) -> Vec<Node> {
        let ty = param.get("Type").and_then(|(_, t)| literal_of(t));
        // `AWS::SSM::Parameter::Value<..>`: the Default (and each allowed value) is the name of an
        // SSM parameter, whose value CloudFormation reads at deployment (CDK's
        // `StringParameter.valueForStringParameter`): not the value itself.
        if ty
            .as_deref()
            .is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value<"))
        {
            let from = match param.get("Default").and_then(|(_, d)| literal_of(d)) {
                Some(ssm) => format!(" from the SSM parameter {ssm}"),
                None => String::new(),
            };
            return vec![unknown(
                format!("the parameter {name} is read{from} when the stack is deployed"),
                span,
            )];
        }
        let is_list = ty
            .as_deref()
            .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
        let values: Vec<&Node> = match (param.get("AllowedValues"), param.get("Default")) {
            (Some((_, allowed)), _) if matches!(allowed.kind, NodeKind::List(_)) => {
                let all = allowed.as_list();
                match self.world.borrow().get(name).and_then(|&i| all.get(i)) {
                    Some(&chosen) => vec![chosen],
                    None => all,
                }
            }
            (_, Some((_, d))) => vec![d],
            _ => {
                return vec![unknown(
                    format!("the parameter {name} has no Default"),
                    span,
                )];
            }
        };
        let mut out = Vec::new();
        for v in values {
            for mut n in self.eval(v, depth + 1) {
                n.set_spans(span);
                if is_list && let Some(s) = literal_of(&n) {
                    let items = s
                        .split(',')
                        .map(|p| Node::str(p.trim(), span))
                        .collect::<Vec<_>>();
                    n = Node::new(NodeKind::List(items), span);
                }
                out.push(n);
            }
        }
        cap(out)
    }

    fn eval_getatt(&self, args: &Node, span: Span, depth: usize) -> Vec<Node> {
        let (res, attr) = match self.getatt_parts(args, depth) {
            Some(p) => p,
            None => {
                return vec![unknown(
                    "Fn::GetAtt with arguments that cannot be read",
                    span,
                )];
            }
        };
        if self.is_role(&res) && attr == "Arn" {
            return vec![Node::new(
                NodeKind::Str(self.arn(&res, "role", "RoleName", depth)),
                span,
            )];
        }
        if self.is_profile(&res) && attr == "Arn" {
            return vec![Node::new(
                NodeKind::Str(self.arn(&res, "instance-profile", "InstanceProfileName", depth)),
                span,
            )];
        }
        vec![unknown(
            format!("{res}.{attr} is known only after deployment"),
            span,
        )]
    }

    /// The possible lists `Fn::Join` joins. A literal list whose items have several possible values
    /// (`Fn::If`) gives one list per combination, each with the span of the branch it took (when one
    /// item varies), not one list holding every branch. `None` for a value that is not a list.
    fn join_lists(&self, values: &Node, depth: usize) -> Vec<(Option<Vec<Node>>, Option<Span>)> {
        let NodeKind::List(items) = &values.kind else {
            return self
                .eval(values, depth)
                .into_iter()
                .map(|v| match v.kind {
                    NodeKind::List(parts) => (Some(parts), None),
                    _ => (None, None),
                })
                .collect();
        };
        let mut combos: Vec<(Vec<Node>, Option<Span>)> = vec![(Vec::new(), None)];
        for item in items {
            let alternatives = self.eval(item, depth + 1);
            let varies = alternatives.len() > 1;
            let mut next = Vec::new();
            for (parts, at) in &combos {
                for alt in &alternatives {
                    let mut parts = parts.clone();
                    parts.push(alt.clone());
                    next.push((parts, if varies { Some(alt.span) } else { *at }));
                }
            }
            combos = cap(next);
        }
        combos.into_iter().map(|(p, at)| (Some(p), at)).collect()
    }

    /// `[Res, Attr]` or `"Res.Attr"` → (Res, Attr).
    pub fn getatt_parts(&self, args: &Node, depth: usize) -> Option<(String, String)> {
        match &args.kind {
            NodeKind::List(items) if items.len() == 2 => {
                let res = literal_of(&items[0])?;
                let attr = match self.eval(&items[1], depth + 1).as_slice() {
                    [one] => literal_of(one)?,
                    _ => return None,
                };
                Some((res, attr))
            }
            NodeKind::Str(t) => {
                let s = t.as_literal()?;
                let (r, a) = s.split_once('.')?;
                Some((r.to_string(), a.to_string()))
            }
            _ => None,
        }
    }

    /// Evaluates a value to its possible values (none for `AWS::NoValue`).
    pub fn eval(&self, node: &Node, depth: usize) -> Vec<Node> {
        let span = node.span;
        if depth > MAX_DEPTH {
            return vec![unknown("an expression nested too deeply", span)];
        }
        let left = self.budget.get();
        if left == 0 {
            return vec![unknown("the template is too complex to evaluate", span)];
        }
        self.budget.set(left - 1);
        if let Some((name, args)) = intrinsic(node) {
            return cap(self.eval_intrinsic(name, args, span, depth))
                .into_iter()
                .map(dynamic_references)
                .map(pseudo::in_value)
                .collect();
        }
        match &node.kind {
            NodeKind::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    out.extend(self.eval(item, depth + 1));
                }
                vec![Node::new(NodeKind::List(out), span)]
            }
            NodeKind::Map(entries) => {
                let mut out = Vec::new();
                for (k, v) in entries {
                    let mut values = self.eval(v, depth + 1);
                    match values.len() {
                        0 => {}
                        1 => out.push((k.clone(), values.remove(0))),
                        _ => {
                            // Several possibilities of one value: all of them, as a list (IAM
                            // elements accept lists), so that each is checked.
                            let mut merged = Vec::new();
                            for v in values {
                                match v.kind {
                                    NodeKind::List(items) => merged.extend(items),
                                    _ => merged.push(v),
                                }
                            }
                            out.push((k.clone(), Node::new(NodeKind::List(merged), v.span)));
                        }
                    }
                }
                vec![Node::new(NodeKind::Map(out), span)]
            }
            _ => vec![dynamic_references(node.clone())],
        }
    }

    fn eval_intrinsic(&self, name: &str, args: &Node, span: Span, depth: usize) -> Vec<Node> {
        let list = |n: &Node| -> Vec<Node> {
            match &n.kind {
                NodeKind::List(items) => items.clone(),
                _ => Vec::new(),
            }
        };
        match name {
            "Ref" => match literal_of(args) {
                Some(r) => self.eval_ref(&r, span, depth),
                None => vec![unknown("Ref with a name that is not a string", span)],
            },
            "Fn::GetAtt" => self.eval_getatt(args, span, depth),
            "Fn::If" => {
                let items = list(args);
                if items.len() != 3 {
                    return vec![unknown("Fn::If needs three arguments", span)];
                }
                let mut out = self.eval(&items[1], depth + 1);
                out.extend(self.eval(&items[2], depth + 1));
                out
            }
            "Fn::Sub" => self
                .eval_sub(args, depth)
                .into_iter()
                .map(|t| Node::new(NodeKind::Str(t), span))
                .collect(),
            "Fn::Join" => {
                let items = list(args);
                let [sep, values] = items.as_slice() else {
                    return vec![unknown("Fn::Join needs two arguments", span)];
                };
                let Some(sep) = self.literal_at(sep, depth + 1) else {
                    return vec![unknown("Fn::Join with a separator that is unknown", span)];
                };
                let mut out = Vec::new();
                for (parts, varying) in self.join_lists(values, depth + 1) {
                    let Some(parts) = parts else {
                        out.push(unknown("Fn::Join of a value that is not a list", span));
                        continue;
                    };
                    let mut text = Text::default();
                    for (i, p) in parts.iter().enumerate() {
                        if i > 0 {
                            text.push(TextPart::Lit(sep.clone()));
                        }
                        text.append(text_of(p));
                    }
                    // A string built from one `Fn::If` branch is located at that branch.
                    out.push(Node::new(NodeKind::Str(text), varying.unwrap_or(span)));
                }
                out
            }
            "Fn::Select" => {
                let items = list(args);
                let [index, values] = items.as_slice() else {
                    return vec![unknown("Fn::Select needs two arguments", span)];
                };
                let Some(i) = self
                    .literal_at(index, depth + 1)
                    .and_then(|s| s.parse::<usize>().ok())
                else {
                    return vec![unknown("Fn::Select with an index that is unknown", span)];
                };
                let mut out = Vec::new();
                for v in self.eval(values, depth + 1) {
                    match &v.kind {
                        NodeKind::List(items) => match items.get(i) {
                            Some(item) => out.push(item.clone()),
                            None => out.push(unknown("Fn::Select index out of range", span)),
                        },
                        NodeKind::Unknown(r) => out.push(unknown(r.clone(), span)),
                        _ => out.push(unknown("Fn::Select of a value that is not a list", span)),
                    }
                }
                out
            }
            "Fn::Split" => {
                let items = list(args);
                let [sep, value] = items.as_slice() else {
                    return vec![unknown("Fn::Split needs two arguments", span)];
                };
                let (Some(sep), Some(value)) = (
                    self.literal_at(sep, depth + 1),
                    self.literal_at(value, depth + 1),
                ) else {
                    return vec![unknown("Fn::Split of a value that is unknown", span)];
                };
                if sep.is_empty() {
                    return vec![unknown("Fn::Split with an empty separator", span)];
                }
                let parts = value
                    .split(sep.as_str())
                    .map(|p| Node::str(p, span))
                    .collect();
                vec![Node::new(NodeKind::List(parts), span)]
            }
            "Fn::FindInMap" => self.eval_find_in_map(args, span, depth),
            "Fn::ImportValue" => {
                let what = self
                    .literal_at(args, depth + 1)
                    .unwrap_or_else(|| "(a name that is unknown)".into());
                vec![unknown(format!("Fn::ImportValue {what}"), span)]
            }
            other => vec![unknown(format!("{other} is not evaluated"), span)],
        }
    }

    /// `Fn::FindInMap [Map, Top, Second]`: every value the keys can select (an unknown key selects
    /// every entry of its level).
    fn eval_find_in_map(&self, args: &Node, span: Span, depth: usize) -> Vec<Node> {
        let items = match &args.kind {
            NodeKind::List(items) if items.len() >= 3 => items,
            _ => return vec![unknown("Fn::FindInMap needs three arguments", span)],
        };
        let Some(mappings) = self.mappings else {
            return vec![unknown("Fn::FindInMap without Mappings", span)];
        };
        let mut level: Vec<&Node> = vec![mappings];
        for key in &items[..3] {
            let keys: Vec<Option<String>> =
                self.eval(key, depth + 1).iter().map(literal_of).collect();
            let mut next = Vec::new();
            for node in &level {
                let NodeKind::Map(entries) = &node.kind else {
                    continue;
                };
                for k in &keys {
                    match k {
                        Some(k) => next.extend(node.get(k).map(|(_, v)| v)),
                        None => next.extend(entries.iter().map(|(_, v)| v)),
                    }
                }
            }
            level = next;
        }
        if level.is_empty() {
            // The optional default of AWS::LanguageExtensions: `[Map, A, B, {DefaultValue: x}]`.
            if let Some((_, d)) = items.get(3).and_then(|d| d.get("DefaultValue")) {
                return self.eval(d, depth + 1);
            }
            return vec![unknown("Fn::FindInMap: no such entry in Mappings", span)];
        }
        let mut out: Vec<Node> = Vec::new();
        for v in level {
            for mut n in self.eval(v, depth + 1) {
                n.set_spans(span);
                if !out.iter().any(|o| same_shape(o, &n)) {
                    out.push(n);
                }
            }
        }
        out
    }

    /// `Fn::Sub`: a string, or `[string, {Var: value}]`.
    fn eval_sub(&self, args: &Node, depth: usize) -> Vec<Text> {
        let (template, vars): (Option<String>, Option<&Node>) = match &args.kind {
            NodeKind::Str(t) => (t.as_literal(), None),
            NodeKind::List(items) if !items.is_empty() => {
                (self.literal_at(&items[0], depth + 1), items.get(1))
            }
            _ => (None, None),
        };
        let Some(template) = template else {
            return vec![Text::unknown("Fn::Sub with a template that is unknown")];
        };
        // Each piece is a list of possible texts; the result is their product (capped).
        let mut results = vec![Text::default()];
        let mut rest = template.as_str();
        while let Some(open) = rest.find("${") {
            let (lit, after) = rest.split_at(open);
            for r in &mut results {
                r.push(TextPart::Lit(lit.to_string()));
            }
            let after = &after[2..];
            let Some(close) = after.find('}') else {
                rest = after;
                for r in &mut results {
                    r.push(TextPart::Lit("${".into()));
                }
                continue;
            };
            let var = &after[..close];
            rest = &after[close + 1..];
            let options: Vec<Text> = if let Some(literal) = var.strip_prefix('!') {
                vec![Text::lit(format!("${{{literal}}}"))]
            } else {
                self.sub_variable(var.trim(), vars, depth)
            };
            let mut next = Vec::new();
            for r in &results {
                for o in &options {
                    let mut t = r.clone();
                    t.append(o.clone());
                    next.push(t);
                }
            }
            results = cap(next);
        }
        for r in &mut results {
            r.push(TextPart::Lit(rest.to_string()));
        }
        results
    }

    fn sub_variable(&self, var: &str, vars: Option<&Node>, depth: usize) -> Vec<Text> {
        let span = Span::default();
        let nodes = if let Some((_, v)) = vars.and_then(|m| m.get(var)) {
            self.eval(v, depth + 1)
        } else if var.contains('.') && !var.starts_with("AWS::") {
            let args = Node::str(var, span);
            self.eval_getatt(&args, span, depth + 1)
        } else {
            self.eval_ref(var, span, depth + 1)
        };
        if nodes.is_empty() {
            return vec![Text::default()];
        }
        nodes.iter().map(text_of).collect()
    }
}
