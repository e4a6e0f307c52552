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

#[cfg(test)]
mod tests {
    use crate::value::{Node, NodeKind};

    /// `local.probe` evaluated in a module made of `text`, shown as a compact string: literals as
    /// written, lists as `[a,b]`, objects as `{k=v}`, unknowns as `?(reason)`.
    fn probe(text: &str) -> String {
        super::super::with_probe(text, |tree, ctx, probe| show(&tree.eval(ctx, probe)))
    }

    fn show(node: &Node) -> String {
        match &node.kind {
            NodeKind::Str(t) => t.as_literal().unwrap_or_else(|| format!("?({t})")),
            NodeKind::Number(n) => n.clone(),
            NodeKind::Bool(b) => b.to_string(),
            NodeKind::Null => "null".into(),
            NodeKind::List(items) => {
                format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(","))
            }
            NodeKind::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}={}", k.name, show(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            NodeKind::Unknown(r) => format!("?({r})"),
        }
    }

    const MODULE: &str = r#"
variable "k" { default = "api" }
variable "unset" {}
variable "svc" {
  default = {
    api    = { arn = "arn:aws:iam::1:role/api", on = true }
    worker = { arn = "arn:aws:iam::1:role/worker", on = false }
  }
}
locals {
  roles = { api = "role-api", jobs = "role-jobs" }
  names = ["a", "b", "c"]
}
"#;

    fn with(expr: &str) -> String {
        probe(&format!("{MODULE}\nlocals {{ probe = {expr} }}"))
    }

    #[test]
    fn for_expressions_build_lists_and_objects() {
        assert_eq!(
            with("[for n in local.names : upper(n) if n != \"b\"]"),
            "[?(the function upper() is not evaluated),?(the function upper() is not evaluated)]"
        );
        assert_eq!(with("[for n in local.names : n if n != \"b\"]"), "[a,c]");
        assert_eq!(
            with("{for k, v in var.svc : k => v.arn if v.on}"),
            "{api=arn:aws:iam::1:role/api}"
        );
        assert_eq!(
            with("[for k, v in var.svc : k if v.on == false]"),
            "[worker]"
        );
        // A filter that keeps nothing builds an empty collection.
        assert_eq!(
            with("{for k, v in var.svc : k => v if k == \"none\"}"),
            "{}"
        );
        // A filter that cannot be known keeps the element as a possibility.
        assert_eq!(with("[for n in local.names : n if var.unset]"), "[a,b,c]");
        assert!(with("[for n in var.unset : n]").starts_with("?(the collection of a for"));
    }

    #[test]
    fn indexing_evaluates_its_key() {
        assert_eq!(with("local.roles[\"jobs\"]"), "role-jobs");
        assert_eq!(with("local.roles[var.k]"), "role-api");
        assert_eq!(with("var.svc[var.k].arn"), "arn:aws:iam::1:role/api");
        assert_eq!(with("local.names[1]"), "b");
        assert!(with("local.roles[var.unset]").starts_with("?(the key `var.unset` cannot"));
        assert_eq!(with("[for n in local.names : { n = n }][*].n"), "[a,b,c]");
    }

    #[test]
    fn one_coalescelist_and_try() {
        assert_eq!(with("one([for n in local.names : n if n == \"c\"])"), "c");
        assert_eq!(with("one([])"), "null");
        assert!(with("one(local.names)").starts_with("?(one() of a list of 3"));
        assert_eq!(with("coalescelist([], local.names)[0]"), "a");
        assert_eq!(
            with("try(local.roles[\"missing\"], local.roles.api)"),
            "role-api"
        );
        let unknown = with("try(local.roles[var.unset], \"fallback\")");
        assert!(unknown.starts_with("?("), "{unknown}");
    }
}
