//! Where a catalog path lands in a Terraform resource: nested blocks (and `dynamic` blocks), blocks
//! chosen by their attributes (`setting[namespace=…,name=ServiceRole].value`) and keys inside a JSON
//! document held in a string (`container_properties{json}.jobRoleArn`), and what role each landing
//! passes.

use super::targets::literal_target;
use super::*;
use crate::model::Hop;
use crate::resolve::catalog::PathStep;
use hcl_edit::template::Element;

/// One place a passer's path reaches: the attribute, the `dynamic` blocks it is inside (outermost
/// first), the blocks whose attributes must match a selector, and the steps still to follow inside
/// the attribute's JSON document (empty without `{json}`).
pub(super) struct Hit<'b, 'p> {
    pub attr: &'b Attribute,
    pub dynamics: Vec<&'b Block>,
    selectors: Vec<(&'b Body, &'p [(String, String)])>,
    json: &'p [PathStep],
}

/// The attributes at a passer path of nested blocks: `iam_instance_profile.arn` is the `arn`
/// attribute of every `iam_instance_profile` block (and of `dynamic "iam_instance_profile"` content
/// blocks).
pub(super) fn hits<'b, 'p>(body: &'b Body, path: &'p [PathStep]) -> Vec<Hit<'b, 'p>> {
    let Some((first, rest)) = path.split_first() else {
        return Vec::new();
    };
    if rest.is_empty() || first.json {
        return body
            .get_attribute(&first.name)
            .into_iter()
            .map(|attr| Hit {
                attr,
                dynamics: Vec::new(),
                selectors: Vec::new(),
                json: if first.json { rest } else { &[] },
            })
            .collect();
    }
    let mut out = Vec::new();
    for b in body.blocks() {
        if b.ident.as_str() == first.name {
            out.extend(inner_hits(&b.body, first, rest));
        } else if b.ident.as_str() == "dynamic"
            && b.labels.first().is_some_and(|l| l.as_str() == first.name)
        {
            for c in b.body.blocks().filter(|c| c.ident.as_str() == "content") {
                out.extend(inner_hits(&c.body, first, rest).into_iter().map(|mut h| {
                    h.dynamics.insert(0, b);
                    h
                }));
            }
        }
    }
    out
}

fn inner_hits<'b, 'p>(
    body: &'b Body,
    step: &'p PathStep,
    rest: &'p [PathStep],
) -> Vec<Hit<'b, 'p>> {
    let mut found = hits(body, rest);
    if !step.select.is_empty() {
        for h in &mut found {
            h.selectors.insert(0, (body, step.select.as_slice()));
        }
    }
    found
}

impl<'a> Lowering<'_, 'a> {
    /// What a hit passes: nothing when a selector does not match, the JSON document's value when
    /// the path goes on inside one, each element of a list of role references.
    pub(super) fn hit_targets(
        &self,
        ctx: Ctx,
        hit: &Hit<'a, '_>,
        passer: &Passer,
        each: Option<(Ctx, &'a Expression)>,
    ) -> Vec<(RoleTarget, Span)> {
        let span = self.tree.span(ctx.file, hit.attr.value.span());
        for (body, select) in &hit.selectors {
            match self.selected(ctx, body, select) {
                Ok(true) => {}
                Ok(false) => return Vec::new(),
                Err(what) => {
                    return vec![(
                        RoleTarget::Unresolved(format!(
                            "the block's {what} cannot be evaluated statically, so whether it passes a role (when {}) is not known",
                            shown_selector(select)
                        )),
                        span,
                    )];
                }
            }
        }
        let values = if hit.json.is_empty() {
            vec![JsonLeaf::Expr(&hit.attr.value)]
        } else {
            self.json_leaves(ctx, &hit.attr.value, hit.json)
        };
        let mut out = Vec::new();
        for value in values {
            match value {
                JsonLeaf::Expr(Expression::Array(items)) if passer.list => {
                    for item in items.iter() {
                        out.extend(self.role_targets(ctx, item, passer.reference, each, 0));
                    }
                }
                JsonLeaf::Expr(e) => {
                    out.extend(self.role_targets(ctx, e, passer.reference, each, 0))
                }
                JsonLeaf::Value(node) => out.push((literal_target(&node, passer.reference), span)),
                JsonLeaf::Unreadable(reason) => out.push((RoleTarget::Unresolved(reason), span)),
            }
        }
        out
    }

    /// The module arguments, variables and locals the passed value came through (related
    /// locations). Values inside a JSON document are not followed: their way forks at the
    /// document. The hops of every element of a list of role references are kept together.
    pub(super) fn hit_hops(&self, ctx: Ctx, hit: &Hit<'a, '_>, passer: &Passer) -> Vec<Hop> {
        if !hit.json.is_empty() {
            return Vec::new();
        }
        match &hit.attr.value {
            Expression::Array(items) if passer.list => {
                items.iter().flat_map(|item| self.hops(ctx, item)).collect()
            }
            e => self.hops(ctx, e),
        }
    }

    /// Whether the block's attributes have the selector's literal values; `Err(key)` when one
    /// cannot be known (a `dynamic` element whose values are unknown, a variable).
    fn selected(&self, ctx: Ctx, body: &Body, select: &[(String, String)]) -> Result<bool, String> {
        for (key, want) in select {
            let Some(attr) = body.get_attribute(key) else {
                return Ok(false);
            };
            match self
                .tree
                .eval(ctx, &attr.value)
                .as_text()
                .and_then(Text::as_literal)
            {
                Some(value) if value == *want => {}
                Some(_) => return Ok(false),
                None => return Err(format!("`{key}`")),
            }
        }
        Ok(true)
    }

    /// The values at `path` inside the JSON document an expression writes: HCL expressions inside
    /// `jsonencode({...})`, interpolations and literals inside a JSON heredoc or string, else the
    /// evaluated string parsed as JSON.
    fn json_leaves(&self, ctx: Ctx, expr: &'a Expression, path: &[PathStep]) -> Vec<JsonLeaf<'a>> {
        match expr {
            Expression::FuncCall(call)
                if call.name.namespace.is_empty() && call.name.name.as_str() == "jsonencode" =>
            {
                match call.args.iter().next() {
                    Some(arg) => self.hcl_leaves(ctx, arg, path),
                    None => vec![JsonLeaf::Unreadable(
                        "jsonencode() without an argument".into(),
                    )],
                }
            }
            Expression::Parenthesis(p) => self.json_leaves(ctx, p.inner(), path),
            Expression::StringTemplate(t) => self.template_leaves(ctx, t.iter(), path),
            Expression::HeredocTemplate(h) => self.template_leaves(ctx, h.template.iter(), path),
            _ => {
                let node = self.tree.eval(ctx, expr);
                match node.as_text().and_then(Text::as_literal) {
                    Some(text) => parsed_leaves(&text, path, node.span),
                    None => vec![JsonLeaf::Unreadable(
                        "the JSON document holding the role cannot be evaluated statically".into(),
                    )],
                }
            }
        }
    }

    /// Follows the path through HCL object and tuple constructors (the argument of `jsonencode`).
    fn hcl_leaves(&self, ctx: Ctx, expr: &'a Expression, path: &[PathStep]) -> Vec<JsonLeaf<'a>> {
        let Some((step, rest)) = path.split_first() else {
            return vec![JsonLeaf::Expr(expr)];
        };
        let Expression::Object(object) = expr else {
            // `jsonencode(local.props)`: evaluated whole, then read as JSON.
            let node = self.tree.eval(ctx, expr);
            return match node_json(&node) {
                Some(value) => json_value_leaves(&value, path, node.span),
                None => vec![JsonLeaf::Unreadable(format!(
                    "the object holding `{}` cannot be evaluated statically",
                    step.name
                ))],
            };
        };
        let Some((_, value)) = object
            .iter()
            .filter(|(k, _)| object_key(k) == Some(step.name.as_str()))
            .last()
        else {
            return Vec::new();
        };
        let value = value.expr();
        if !step.each {
            return self.hcl_leaves(ctx, value, rest);
        }
        match value {
            Expression::Array(items) => items
                .iter()
                .flat_map(|item| self.hcl_leaves(ctx, item, rest))
                .collect(),
            _ => vec![JsonLeaf::Unreadable(format!(
                "`{}` is not a list written in the configuration",
                step.name
            ))],
        }
    }

    /// A JSON template: interpolations become placeholders, the text is parsed as JSON, and a value
    /// that is exactly one placeholder is that interpolation's expression.
    fn template_leaves(
        &self,
        ctx: Ctx,
        elements: impl Iterator<Item = &'a Element>,
        path: &[PathStep],
    ) -> Vec<JsonLeaf<'a>> {
        let mut text = String::new();
        let mut scan = JsonScan::default();
        let mut holes: Vec<&'a Expression> = Vec::new();
        for element in elements {
            match element {
                Element::Literal(s) => {
                    scan.feed(s.value());
                    text.push_str(s.value());
                }
                Element::Interpolation(i) => {
                    // Outside a JSON string (`"cpu": ${var.cpu}`) the placeholder is quoted so
                    // that the text parses.
                    if scan.inside {
                        text.push_str(&placeholder(holes.len()));
                    } else {
                        text.push_str(&format!("\"{}\"", placeholder(holes.len())));
                    }
                    holes.push(&i.expr);
                }
                Element::Directive(_) => {
                    return vec![JsonLeaf::Unreadable(
                        "a template directive (%{...}) in the JSON document holding the role"
                            .into(),
                    )];
                }
            }
        }
        parsed_leaves(&text, path, Span::new(ctx.file, 0, 0))
            .into_iter()
            .map(|leaf| match leaf {
                JsonLeaf::Value(node) => self.fill_holes(ctx, node, &holes),
                other => other,
            })
            .collect()
    }

    /// A string of the template with placeholders: one whole placeholder is the interpolated
    /// expression; otherwise each placeholder is replaced by its evaluated text.
    fn fill_holes(&self, ctx: Ctx, node: Node, holes: &[&'a Expression]) -> JsonLeaf<'a> {
        let Some(s) = node.as_text().and_then(Text::as_literal) else {
            return JsonLeaf::Value(node);
        };
        if let Some(i) = whole_placeholder(&s) {
            return match holes.get(i) {
                Some(e) => JsonLeaf::Expr(e),
                None => JsonLeaf::Unreadable("a broken template placeholder".into()),
            };
        }
        let mut text = Text::default();
        let mut rest = s.as_str();
        while let Some(start) = rest.find(HOLE) {
            text.push(TextPart::Lit(rest[..start].to_owned()));
            let after = &rest[start + HOLE.len_utf8()..];
            let Some(end) = after.find(HOLE) else {
                break;
            };
            let hole = after[..end]
                .parse::<usize>()
                .ok()
                .and_then(|i| holes.get(i));
            match hole.map(|e| self.tree.eval(ctx, e)) {
                Some(n) => match n.as_text() {
                    Some(t) => text.append(t.clone()),
                    None => text.push(TextPart::Unknown("an interpolation".into())),
                },
                None => text.push(TextPart::Unknown("an interpolation".into())),
            }
            rest = &after[end + HOLE.len_utf8()..];
        }
        text.push(TextPart::Lit(rest.to_owned()));
        JsonLeaf::Value(Node::new(NodeKind::Str(text), node.span))
    }
}

/// What a JSON path reaches.
enum JsonLeaf<'a> {
    /// An HCL expression (inside `jsonencode`, or a whole interpolation).
    Expr(&'a Expression),
    /// A value read from JSON text (its span is the whole attribute).
    Value(Node),
    /// The document cannot be read: the reason.
    Unreadable(String),
}

/// Marks an interpolation inside JSON text: a private-use character, valid inside a JSON string
/// (control characters are not) and not written in real documents.
const HOLE: char = '\u{E000}';

fn placeholder(i: usize) -> String {
    format!("{HOLE}{i}{HOLE}")
}

fn whole_placeholder(s: &str) -> Option<usize> {
    s.strip_prefix(HOLE)?.strip_suffix(HOLE)?.parse().ok()
}

/// Parses JSON text and follows the path.
fn parsed_leaves<'a>(text: &str, path: &[PathStep], span: Span) -> Vec<JsonLeaf<'a>> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => json_value_leaves(&value, path, span),
        Err(_) => vec![JsonLeaf::Unreadable(
            "the JSON document holding the role is not valid JSON".into(),
        )],
    }
}

/// Whether the text fed so far ends inside a JSON string.
#[derive(Default)]
struct JsonScan {
    inside: bool,
    escaped: bool,
}

impl JsonScan {
    fn feed(&mut self, s: &str) {
        for c in s.chars() {
            if self.escaped {
                self.escaped = false;
            } else if self.inside && c == '\\' {
                self.escaped = true;
            } else if c == '"' {
                self.inside = !self.inside;
            }
        }
    }
}

fn json_value_leaves<'a>(
    value: &serde_json::Value,
    path: &[PathStep],
    span: Span,
) -> Vec<JsonLeaf<'a>> {
    let Some((step, rest)) = path.split_first() else {
        return vec![JsonLeaf::Value(match value {
            serde_json::Value::String(s) => Node::str(s.clone(), span),
            serde_json::Value::Null => Node::new(NodeKind::Null, span),
            _ => Node::new(NodeKind::Unknown("the value is not a string".into()), span),
        })];
    };
    let Some(inner) = value.get(&step.name) else {
        return Vec::new();
    };
    if !step.each {
        return json_value_leaves(inner, rest, span);
    }
    match inner.as_array() {
        Some(items) => items
            .iter()
            .flat_map(|item| json_value_leaves(item, rest, span))
            .collect(),
        None => Vec::new(),
    }
}

/// A fully known evaluated value as JSON (`jsonencode(local.props)` with literal locals).
fn node_json(node: &Node) -> Option<serde_json::Value> {
    Some(match &node.kind {
        NodeKind::Null => serde_json::Value::Null,
        NodeKind::Bool(b) => serde_json::Value::Bool(*b),
        NodeKind::Number(n) => serde_json::Value::String(n.clone()),
        NodeKind::Str(t) => serde_json::Value::String(t.as_literal()?),
        NodeKind::List(items) => {
            serde_json::Value::Array(items.iter().map(node_json).collect::<Option<_>>()?)
        }
        NodeKind::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| Some((k.name.clone(), node_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        NodeKind::Unknown(_) => return None,
    })
}

/// An object key written as an identifier or a literal string.
fn object_key(key: &ObjectKey) -> Option<&str> {
    match key {
        ObjectKey::Ident(i) => Some(i.as_str()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.as_str()),
        ObjectKey::Expression(_) => None,
    }
}

fn shown_selector(select: &[(String, String)]) -> String {
    select
        .iter()
        .map(|(k, v)| format!("{k} = \"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_scan_knows_when_text_ends_inside_a_string() {
        let mut scan = JsonScan::default();
        scan.feed(r#"{"jobRoleArn": ""#);
        assert!(scan.inside);
        scan.feed(r#"x\"y", "vcpus": "#);
        assert!(!scan.inside, "an escaped quote does not end the string");
    }

    #[test]
    fn placeholders_round_trip_and_stay_valid_json() {
        let hole = placeholder(12);
        assert_eq!(whole_placeholder(&hole), Some(12));
        assert_eq!(whole_placeholder(&format!("arn:{hole}")), None);
        let text = format!(r#"{{"jobRoleArn": "{hole}", "n": "{}"}}"#, placeholder(0));
        let leaves = parsed_leaves(
            &text,
            &[PathStep::named("jobRoleArn")],
            Span::new(crate::value::FileId(0), 0, 0),
        );
        match leaves.as_slice() {
            [JsonLeaf::Value(node)] => {
                assert_eq!(node.as_text().and_then(Text::as_literal), Some(hole));
            }
            _ => panic!("one string value"),
        }
    }

    #[test]
    fn json_paths_follow_arrays_and_skip_missing_keys() {
        let value: serde_json::Value = serde_json::from_str(
            r#"{"taskProperties": [{"taskRoleArn": "a"}, {"image": "x"}, {"taskRoleArn": "b"}]}"#,
        )
        .expect("valid JSON");
        let path = [
            PathStep {
                each: true,
                ..PathStep::named("taskProperties")
            },
            PathStep::named("taskRoleArn"),
        ];
        let found: Vec<String> =
            json_value_leaves(&value, &path, Span::new(crate::value::FileId(0), 0, 0))
                .into_iter()
                .filter_map(|l| match l {
                    JsonLeaf::Value(n) => n.as_text().and_then(Text::as_literal),
                    _ => None,
                })
                .collect();
        assert_eq!(found, ["a", "b"]);
        assert!(
            parsed_leaves("{not json", &path, Span::new(crate::value::FileId(0), 0, 0))
                .iter()
                .all(|l| matches!(l, JsonLeaf::Unreadable(_)))
        );
    }
}
