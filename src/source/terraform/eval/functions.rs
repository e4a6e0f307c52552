//! Terraform function calls: which are evaluated, and the pure functions over evaluated nodes (an
//! unknown argument makes the result unknown).

use super::template::template_parts;
use super::*;

impl Tree<'_> {
    /// `name(args...)`: the functions that can be known statically; any other is unknown.
    pub(super) fn eval_call(
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
            "try" => try_(args(), span),
            "compact" | "flatten" | "distinct" => list_cleanup(name, args(), span),
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
            "format" => format(args(), span),
            "join" => join(args(), span),
            "concat" => concat(args(), span),
            "merge" => merge(args(), span),
            "lookup" => lookup(args(), span),
            "coalesce" => coalesce(args(), span),
            "coalescelist" => coalescelist(args(), span),
            "one" => one(args(), span),
            "element" => element(args(), span),
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
                    let text = self.sources.get(id).map_or("", |f| f.text.as_str());
                    if name == "templatefile" && (text.contains("${") || text.contains("%{")) {
                        let vars = exprs.get(1).map(|e| self.eval_at(ctx, e, depth + 1));
                        if !self.spend((text.len() / 64) as u64, span) {
                            return unknown(BUDGET_REASON, span);
                        }
                        Node::new(NodeKind::Str(template_parts(text, vars.as_ref())), span)
                    } else {
                        // The file's text is copied each time it is read: paid for by its size.
                        if self.spend((text.len() / 64) as u64, span) {
                            Node::str(text, span)
                        } else {
                            unknown(BUDGET_REASON, span)
                        }
                    }
                }
                None => unknown(format!("the file read by {name}() is not found"), span),
            },
            _ => unknown(format!("the function {name}() is not evaluated"), span),
        }
    }

    /// Whether a call is `join("", data.aws_iam_policy_document.NAME[*].json)`.
    pub(super) fn is_joined_documents(&self, call: &hcl_edit::expr::FuncCall) -> bool {
        let args: Vec<&Expression> = call.args.iter().collect();
        call.name.namespace.is_empty()
            && call.name.name.as_str() == "join"
            && matches!(args.as_slice(), [Expression::String(sep), Expression::Traversal(t)]
                if sep.value().is_empty()
                    && traversal_path(t).get(1).map(String::as_str) == Some("aws_iam_policy_document"))
    }

    /// The document a `join("", data.aws_iam_policy_document.x[*].json)` makes: none when the data
    /// source has no instance (`count = 0`), its only instance's document when it has one.
    pub(super) fn joined_documents(
        &self,
        ctx: Ctx,
        call: &hcl_edit::expr::FuncCall,
        depth: usize,
        span: Span,
    ) -> Node {
        let Some(list) = call.args.iter().nth(1) else {
            return unknown("join() with the wrong arguments", span);
        };
        match self.eval_at(ctx, list, depth + 1).kind {
            // No instance: nothing is granted.
            NodeKind::List(items) if items.is_empty() => {
                crate::iam::policy::statement_document(Vec::new(), span)
            }
            NodeKind::List(mut items) if items.len() == 1 => items
                .pop()
                .unwrap_or_else(|| unknown("join() of documents that cannot be evaluated", span)),
            NodeKind::Unknown(reason) => unknown(reason, span),
            _ => unknown(
                "join() of several policy documents is not one JSON document",
                span,
            ),
        }
    }

    /// The file a `file()`/`templatefile()` call reads, when it was loaded.
    pub(super) fn function_file(&self, ctx: Ctx, arg: Option<&Expression>) -> Option<FileId> {
        let path = literal_path(arg?)?;
        let dir = &self.def(ctx.inst).dir;
        self.ws.files.get(&function_file_path(dir, &path)).copied()
    }
}

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
    let (Some(sep), NodeKind::List(items)) = (sep.as_text().and_then(Text::as_literal), &list.kind)
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
            None => {
                default.unwrap_or_else(|| unknown(format!("lookup() of a missing key {key}"), span))
            }
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
                if r.starts_with("no attribute")
                    || r.starts_with("no key")
                    || r.starts_with("an index past the end") =>
            {
                continue;
            }
            _ => return a,
        }
    }
    unknown("try() of values that all fail", span)
}

/// `coalescelist(a, b, ...)`: the first list that is not empty; an unknown argument before it makes
/// the result unknown.
pub fn coalescelist(args: Vec<Node>, span: Span) -> Node {
    for a in args {
        match &a.kind {
            NodeKind::List(items) if items.is_empty() => continue,
            NodeKind::List(_) => return a,
            NodeKind::Unknown(r) => {
                return unknown(
                    format!("coalescelist() of a value that cannot be evaluated: {r}"),
                    span,
                );
            }
            _ => return unknown("coalescelist() of a value that is not a list", span),
        }
    }
    unknown("coalescelist() of only empty lists", span)
}

/// `one(list)`: null for an empty list, its element for one, an error (unknown) for more.
pub fn one(args: Vec<Node>, span: Span) -> Node {
    let Some(list) = args.into_iter().next() else {
        return unknown("one() without an argument", span);
    };
    match list.kind {
        NodeKind::List(mut items) if items.len() <= 1 => items
            .pop()
            .unwrap_or_else(|| Node::new(NodeKind::Null, span)),
        NodeKind::List(items) => unknown(
            format!("one() of a list of {} possible elements", items.len()),
            span,
        ),
        NodeKind::Null => Node::new(NodeKind::Null, span),
        NodeKind::Unknown(r) => unknown(
            format!("one() of a value that cannot be evaluated: {r}"),
            span,
        ),
        _ => unknown("one() of a value that is not a list", span),
    }
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

/// A scalar as text for interpolation; anything else is an unknown part.
pub(super) fn scalar_text(n: Node) -> Text {
    match n.kind {
        NodeKind::Str(t) => t,
        NodeKind::Number(n) => Text::lit(n),
        NodeKind::Bool(b) => Text::lit(b.to_string()),
        NodeKind::Unknown(reason) => Text::unknown(reason),
        NodeKind::List(_) => Text::unknown("one of several values"),
        _ => Text::unknown("a value that is not a string"),
    }
}

/// Lists inside a list (from conditionals: both branches) flattened into one list.
pub(super) fn flatten_alternatives(node: Node) -> Node {
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
