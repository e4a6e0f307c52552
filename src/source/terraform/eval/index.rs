//! Following a traversal's operators after the reference it starts with: attributes, index keys
//! (literal or evaluated, as `local.roles[var.k]`), and splats over lists.

use super::*;

impl Tree<'_> {
    /// Follows the attribute, index and splat operators after the first `skip` names of a traversal.
    pub(super) fn apply_operators(
        &self,
        ctx: Ctx,
        node: Node,
        t: &hcl_edit::expr::Traversal,
        skip: usize,
        depth: usize,
    ) -> Node {
        let mut names_seen = 1; // the root variable
        let mut ops = t.operators.iter().map(|op| op.value()).peekable();
        let mut node = node;
        while let Some(op) = ops.next() {
            if let TraversalOperator::GetAttr(_) = op {
                names_seen += 1;
                if names_seen <= skip {
                    continue;
                }
            } else if names_seen < skip {
                continue;
            }
            node = match op {
                TraversalOperator::GetAttr(id) => attribute(node, id.as_str()),
                TraversalOperator::Index(key) => self.index(ctx, node, key, depth),
                TraversalOperator::LegacyIndex(i) => list_item(node, Some(*i.value())),
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    // The rest of the traversal applies to each element (`x[*].arn`).
                    let rest: Vec<&TraversalOperator> = ops.by_ref().collect();
                    return self.splat(ctx, node, &rest, depth);
                }
            };
        }
        node
    }

    /// `node[key]`: a map's entry or a list's element, the key evaluated in `ctx`.
    fn index(&self, ctx: Ctx, node: Node, key: &Expression, depth: usize) -> Node {
        if let NodeKind::Unknown(_) = node.kind {
            return node;
        }
        let key_span = self.span(ctx.file, key.span());
        let key_node = match key {
            Expression::String(s) => Node::str(s.value().clone(), node.span),
            Expression::Number(n) => Node::new(NodeKind::Number(n.value().to_string()), node.span),
            _ => self.eval_at(ctx, key, depth + 1),
        };
        match (&node.kind, &key_node.kind) {
            (NodeKind::Map(_), NodeKind::Str(k)) => match k.as_literal() {
                Some(k) => match node.get(&k) {
                    Some((_, v)) => v.clone(),
                    None => unknown(format!("no key \"{k}\" in the value"), node.span),
                },
                None => unknown(
                    format!(
                        "the key `{}` cannot be evaluated statically: {} is unknown",
                        self.sources.snippet(key_span).trim(),
                        k.first_unknown().unwrap_or("a part")
                    ),
                    node.span,
                ),
            },
            (NodeKind::List(_), NodeKind::Number(n)) => list_item(node, n.trim().parse().ok()),
            (_, NodeKind::Unknown(reason)) => unknown(
                format!(
                    "the key `{}` cannot be evaluated statically: {reason}",
                    self.sources.snippet(key_span).trim()
                ),
                node.span,
            ),
            _ => unknown("an index that does not fit the value", node.span),
        }
    }

    /// `list[*].rest`: `rest` applied to each element; a single value is a list of itself and null
    /// an empty list, as Terraform's splat does.
    fn splat(&self, ctx: Ctx, node: Node, rest: &[&TraversalOperator], depth: usize) -> Node {
        let span = node.span;
        let items = match node.kind {
            NodeKind::List(items) => items,
            NodeKind::Null => Vec::new(),
            NodeKind::Unknown(_) => return node,
            _ => vec![node],
        };
        let mapped = items
            .into_iter()
            .map(|mut item| {
                for op in rest {
                    item = match op {
                        TraversalOperator::GetAttr(id) => attribute(item, id.as_str()),
                        TraversalOperator::Index(key) => self.index(ctx, item, key, depth),
                        TraversalOperator::LegacyIndex(i) => list_item(item, Some(*i.value())),
                        _ => unknown("a splat inside a splat", item.span),
                    };
                }
                item
            })
            .collect();
        Node::new(NodeKind::List(mapped), span)
    }
}

/// `node.name`: an object's attribute.
fn attribute(node: Node, name: &str) -> Node {
    match node.get(name) {
        Some((_, v)) => v.clone(),
        None if matches!(node.kind, NodeKind::Unknown(_)) => node,
        // An attribute the object leaves out: valid code declares it `optional()` in the
        // variable's type, which makes it null.
        None if matches!(node.kind, NodeKind::Map(_)) => Node::new(NodeKind::Null, node.span),
        None => unknown(format!("no attribute {name} in the value"), node.span),
    }
}

/// `list[i]`.
fn list_item(node: Node, i: Option<u64>) -> Node {
    match (&node.kind, i) {
        (NodeKind::List(items), Some(i)) => usize::try_from(i)
            .ok()
            .and_then(|i| items.get(i))
            .cloned()
            .unwrap_or_else(|| unknown("an index past the end of the list", node.span)),
        (NodeKind::Unknown(_), _) => node,
        _ => unknown("an index into a value that is not a list", node.span),
    }
}
