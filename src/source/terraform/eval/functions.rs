//! Pure Terraform functions over evaluated nodes; an unknown argument makes the result unknown.

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
            NodeKind::Unknown(r) if r.starts_with("no attribute") || r.starts_with("no key") => {
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
