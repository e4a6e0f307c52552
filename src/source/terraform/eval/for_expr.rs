//! `for` expressions (`[for r in local.roles : r.arn if r.enabled]`, `{for k, v in m : k => v.arn}`)
//! and the names they bind while their element expressions are evaluated.

use super::*;

/// Elements of a `for` expression's collection evaluated; beyond this it is generated data.
const MAX_FOR_ELEMENTS: usize = 256;

impl Tree<'_> {
    /// The list or object a `for` expression builds. An element whose `if` filter cannot be known
    /// is kept, as a possibility (like both branches of a conditional); one whose filter is known
    /// false is dropped, so a filter that keeps nothing builds an empty collection.
    pub(super) fn eval_for(
        &self,
        ctx: Ctx,
        f: &hcl_edit::expr::ForExpr,
        depth: usize,
        span: Span,
    ) -> Node {
        if f.grouping && f.key_expr.is_some() {
            return unknown("a for expression in grouping mode (`...`)", span);
        }
        let collection = self.collection(ctx, &f.intro.collection_expr, depth + 1);
        let elements: Vec<(Node, Node)> = match collection.kind {
            NodeKind::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Node::new(NodeKind::Number(i.to_string()), v.span), v))
                .collect(),
            NodeKind::Map(entries) => entries
                .into_iter()
                .map(|(k, v)| (Node::str(k.name, k.span), v))
                .collect(),
            NodeKind::Unknown(reason) => {
                return unknown(
                    format!("the collection of a for expression cannot be evaluated: {reason}"),
                    span,
                );
            }
            _ => {
                return unknown(
                    "a for expression over a value that is not a collection",
                    span,
                );
            }
        };
        if elements.len() > MAX_FOR_ELEMENTS {
            return unknown(
                format!("a for expression over more than {MAX_FOR_ELEMENTS} elements"),
                span,
            );
        }
        let value_var = f.intro.value_var.as_str();
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str());
        let mut list = Vec::new();
        let mut entries = Vec::new();
        for (key, value) in elements {
            let mut names = vec![(value_var.to_string(), value)];
            if let Some(k) = key_var {
                names.push((k.to_string(), key));
            }
            let built = self.with_scope(names, || {
                let keep = f
                    .cond
                    .as_ref()
                    .is_none_or(|c| self.condition(ctx, &c.expr, depth + 1) != Some(false));
                keep.then(|| {
                    let k = f.key_expr.as_ref().map(|k| self.eval_at(ctx, k, depth + 1));
                    (k, self.eval_at(ctx, &f.value_expr, depth + 1))
                })
            });
            match built {
                None => {}
                Some((None, v)) => list.push(v),
                Some((Some(k), v)) => match k.as_text().and_then(Text::as_literal) {
                    Some(name) => {
                        entries.retain(|(e, _): &(Key, Node)| e.name != name);
                        entries.push((Key { name, span: k.span }, v))
                    }
                    None => {
                        return unknown("a for expression key that cannot be evaluated", span);
                    }
                },
            }
        }
        match f.key_expr {
            Some(_) => Node::new(NodeKind::Map(entries), span),
            None => Node::new(NodeKind::List(list), span),
        }
    }

    /// Binds `names` (a `for` expression's key and value, a pass's `each`) while `f` runs.
    pub fn with_scope<T>(&self, names: Vec<(String, Node)>, f: impl FnOnce() -> T) -> T {
        let n = names.len();
        self.scope.borrow_mut().extend(names);
        // Values memoised under these names are not reused outside them.
        self.push_frame();
        let out = f();
        self.pop_frame();
        let mut scope = self.scope.borrow_mut();
        let keep = scope.len().saturating_sub(n);
        scope.truncate(keep);
        out
    }

    /// The value bound to `name` by an enclosing `for` expression (or pass), if any.
    pub(super) fn scoped(&self, name: &str, span: Span) -> Option<Node> {
        let found = self
            .scope
            .borrow()
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())?;
        Some(self.copied(&found, span))
    }
}
