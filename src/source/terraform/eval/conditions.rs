//! What exists: conditions known statically, `count`/`for_each` collections, and the iterators of
//! `dynamic` blocks being expanded.

use super::*;

impl<'a> Tree<'a> {
    /// The value of a condition when it is known statically (`var.create && !var.legacy`,
    /// `var.mode == "prod"`, with variables from defaults, `.tfvars` or the module call).
    pub fn condition(&self, ctx: Ctx, expr: &Expression, depth: usize) -> Option<bool> {
        use hcl_edit::expr::{BinaryOperator, UnaryOperator};
        if depth > MAX_DEPTH || !self.spend(1, self.span(ctx.file, expr.span())) {
            return None;
        }
        let _nested = self.nest()?;
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
                    // Once per instance, like values: `c_i = local.c_j && local.c_j` must not
                    // double the work at each level.
                    Some(Target::Expr(c, e)) => self.memoized_condition(
                        c.inst,
                        address(e),
                        self.span(ctx.file, expr.span()),
                        &|| path.iter().take(2).cloned().collect::<Vec<_>>().join("."),
                        || self.condition(c, e, depth + 1),
                    ),
                    Some(Target::Node(n)) => match &n.kind {
                        NodeKind::Bool(b) => Some(*b),
                        _ => None,
                    },
                    Some(Target::Missing(_)) => None,
                    // `r.enabled` in a `for` filter: the bound element's attribute.
                    None => match self.eval_at(ctx, expr, depth + 1).kind {
                        NodeKind::Bool(b) => Some(b),
                        _ => None,
                    },
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
                    None => {
                        let cond = self
                            .sources
                            .snippet(self.span(ctx.file, c.cond_expr.span()));
                        let cond: String = cond.split_whitespace().collect::<Vec<_>>().join(" ");
                        let shown = if cond.chars().count() > 80 {
                            format!("{}…", cond.chars().take(80).collect::<String>())
                        } else {
                            cond
                        };
                        unknown(
                            format!("the condition `{shown}` cannot be evaluated statically"),
                            self.span(ctx.file, expr.span()),
                        )
                    }
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

    /// The condition a resource's existence hangs on when it cannot be known statically:
    /// `count = var.use_ecs ? 1 : 0` exists when `var.use_ecs` is true, `? 0 : 1` when it is false,
    /// `for_each = c ? local.items : {}` when `c` is true. The condition is qualified by the module
    /// instance, so that only conditions on the same value compare equal.
    pub fn exists_when(&self, inst: usize, block: Located<'a, Block>) -> Option<(String, bool)> {
        let ctx = Ctx {
            inst,
            file: block.file,
        };
        let body = &block.item.body;
        let (attr, is_count) = match body.get_attribute("count") {
            Some(a) => (a, true),
            None => (body.get_attribute("for_each")?, false),
        };
        let mut expr = &attr.value;
        while let Expression::Parenthesis(p) = expr {
            expr = p.inner();
        }
        let Expression::Conditional(c) = expr else {
            return None;
        };
        if self.condition(ctx, &c.cond_expr, 0).is_some() {
            return None;
        }
        let none = |e: &Expression| {
            let node = self.eval_at(ctx, e, 1);
            match &node.kind {
                NodeKind::Number(n) if is_count => n.trim() == "0",
                NodeKind::List(items) if !is_count => items.is_empty(),
                NodeKind::Map(entries) if !is_count => entries.is_empty(),
                _ => false,
            }
        };
        let polarity = match (none(&c.true_expr), none(&c.false_expr)) {
            (false, true) => true,
            (true, false) => false,
            _ => return None,
        };
        // `!c` is `c` with the other value.
        let (mut cond, mut polarity) = (&c.cond_expr, polarity);
        while let Expression::UnaryOp(u) = cond
            && *u.operator.value() == hcl_edit::expr::UnaryOperator::Not
        {
            cond = &u.expr;
            polarity = !polarity;
        }
        let written = self.sources.snippet(self.span(ctx.file, cond.span()));
        let written: String = written.split_whitespace().collect::<Vec<_>>().join(" ");
        Some((
            format!("{}{written}", self.instances[inst].prefix),
            polarity,
        ))
    }

    /// Binds a `dynamic` block's iterator while `f` runs (see [`Tree::is_bound`]).
    pub fn with_binding<T>(&self, name: &str, key: Node, value: Node, f: impl FnOnce() -> T) -> T {
        self.bound(
            Bound {
                name: name.to_string(),
                inst: None,
                key,
                value,
            },
            true,
            f,
        )
    }

    /// Runs `f` with a binding in force; with `own_frame`, values memoised under it are not reused
    /// outside it.
    pub(super) fn bound<T>(&self, binding: Bound, own_frame: bool, f: impl FnOnce() -> T) -> T {
        self.bindings.borrow_mut().push(binding);
        if own_frame {
            self.push_frame();
        }
        let out = f();
        if own_frame {
            self.pop_frame();
        }
        self.bindings.borrow_mut().pop();
        out
    }

    /// Whether `name` is bound for expressions of the module instance `inst`: the iterator of a
    /// `dynamic` block being expanded, or `each`/`count` of a resource of that instance.
    pub fn is_bound(&self, name: &str, inst: usize) -> bool {
        self.bindings
            .borrow()
            .iter()
            .any(|b| b.name == name && b.inst.is_none_or(|i| i == inst))
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
                "the for_each of dynamic \"{}\" cannot be evaluated statically: {reason}",
                block.labels.first().map_or("", |l| l.as_str())
            )),
            _ => Err(format!(
                "the for_each of dynamic \"{}\" is not a collection",
                block.labels.first().map_or("", |l| l.as_str())
            )),
        }
    }
}

/// What an iterator stands for while a block is expanded.
pub(super) struct Bound {
    pub name: String,
    /// The module instance whose expressions see it: `each` of a resource is that resource's, not
    /// that of a module call whose arguments a reference leads to; `None` for `dynamic` iterators.
    pub inst: Option<usize>,
    pub key: Node,
    pub value: Node,
}

/// A known scalar as a comparable string (`null`, `true`, `3`, `"prod"`), for `==` and `!=`.
pub(super) fn scalar(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Null => Some("null".into()),
        NodeKind::Bool(b) => Some(b.to_string()),
        NodeKind::Number(n) => Some(n.clone()),
        NodeKind::Str(t) => t.as_literal().map(|s| format!("{s:?}")),
        _ => None,
    }
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

#[cfg(test)]
mod tests {

    /// Evaluates `local.probe` as a condition in a module made of `text`.
    fn condition_of(text: &str) -> Option<bool> {
        super::super::with_probe(text, |tree, ctx, probe| tree.condition(ctx, probe, 0))
    }

    #[test]
    fn conditions_known_from_defaults_and_locals() {
        let vars = r#"
variable "create" { default = true }
variable "legacy" { default = false }
variable "mode" { default = "prod" }
variable "items" { default = ["a", "b"] }
variable "unset" {}
variable "nothing" { default = null }
locals { enabled = var.create && !var.legacy }
"#;
        let with = |probe: &str| condition_of(&format!("{vars}\nlocals {{ probe = {probe} }}"));
        assert_eq!(with("local.enabled"), Some(true));
        assert_eq!(with("var.legacy || var.create"), Some(true));
        assert_eq!(with(r#"var.mode == "prod""#), Some(true));
        assert_eq!(with(r#"var.mode != "prod""#), Some(false));
        assert_eq!(with("length(var.items) > 1"), Some(true));
        assert_eq!(with("var.nothing != null"), Some(false));
        assert_eq!(with("var.items != null"), Some(true));
        // `false && unknown` is known; `true && unknown` is not.
        assert_eq!(with("var.legacy && var.unset"), Some(false));
        assert_eq!(with("var.create && var.unset"), None);
        assert_eq!(with("var.unset != null"), None);
    }
}
