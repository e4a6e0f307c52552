//! What role a passing expression names: through conditionals, `try()`, references, `for_each`
//! values and `dynamic` iterators, one target per possibility.

use super::*;
use crate::source::terraform::eval::BUDGET_REASON;

/// The targets a reference stands for, memoised: (instance, expression address, how the role is
/// named, the `for_each` it is evaluated with, binding frame) → targets, or None while being
/// computed (reaching it again is a cycle).
pub(super) type TargetMemo =
    HashMap<(usize, usize, RoleReference, Option<(usize, usize)>, u64), Option<Targets>>;

type Targets = Vec<(RoleTarget, Span)>;

/// Lists of possible targets up to this long are deduplicated by comparing them (quadratic, but no
/// allocation), longer ones by hashing.
const SHORT: usize = 16;

impl<'a> Lowering<'_, 'a> {
    /// What role (or instance profile) a passing expression names: one target per possibility (both
    /// branches of a conditional, each `for_each` value), each with the span of the expression that
    /// names it.
    pub(super) fn role_targets(
        &self,
        ctx: Ctx,
        expr: &Expression,
        reference: RoleReference,
        each: Option<(Ctx, &'a Expression)>,
        depth: usize,
    ) -> Vec<(RoleTarget, Span)> {
        let span = self.tree.span(ctx.file, expr.span());
        if depth > MAX_TARGET_DEPTH {
            let reason = match self.tree.too_deep(span).kind {
                NodeKind::Unknown(reason) => reason,
                _ => "a reference chain that is too deep (a cycle?)".into(),
            };
            return vec![(RoleTarget::Unresolved(reason), span)];
        }
        if !self.tree.spend(1, span) {
            return vec![(RoleTarget::Unresolved(BUDGET_REASON.into()), span)];
        }
        let one = |t: RoleTarget| vec![(t, span)];
        match expr {
            Expression::Parenthesis(p) => {
                self.role_targets(ctx, p.inner(), reference, each, depth + 1)
            }
            // `"${aws_iam_role.x.arn}"` (Terraform 0.11 style, and every value of `.tf.json`) is the
            // interpolated expression itself.
            Expression::StringTemplate(t) if t.iter().count() == 1 => match t.iter().next() {
                Some(hcl_edit::template::Element::Interpolation(i)) => {
                    self.role_targets(ctx, &i.expr, reference, each, depth + 1)
                }
                _ => one(literal_target(&self.tree.eval(ctx, expr), reference)),
            },
            Expression::Conditional(c) => {
                let mut out = self.role_targets(ctx, &c.true_expr, reference, each, depth + 1);
                out.extend(self.role_targets(ctx, &c.false_expr, reference, each, depth + 1));
                // `c ? local.x : local.x` names one target, not two: without this, forty such
                // levels would name 2^40.
                dedup(out)
            }
            // `try(var.role, aws_iam_role.x.arn)`, `coalesce(...)`: the first argument that names
            // something; every argument is a possibility when none is certain.
            Expression::FuncCall(call)
                if call.name.namespace.is_empty()
                    && matches!(call.name.name.as_str(), "try" | "coalesce") =>
            {
                let mut all = Vec::new();
                for arg in call.args.iter() {
                    let targets = self.role_targets(ctx, arg, reference, each, depth + 1);
                    let resolved = targets.iter().any(|(t, _)| {
                        !matches!(t, RoleTarget::Unresolved(_) | RoleTarget::Nothing)
                    });
                    let is_try = call.name.name.as_str() == "try";
                    // `try()` also falls back past an argument that fails: a key or attribute the
                    // known value does not have (`var.overrides["fn"]` with `overrides = {}`).
                    let nothing = targets.iter().all(|(t, _)| match t {
                        RoleTarget::Nothing => true,
                        RoleTarget::Unresolved(r) => is_try && evaluation_fails(r),
                        _ => false,
                    });
                    // `try()` falls back only when its argument fails, never because it is unknown.
                    if resolved || is_try && !nothing {
                        return targets;
                    }
                    if !nothing {
                        all.extend(targets);
                    }
                }
                if all.is_empty() {
                    one(RoleTarget::Nothing)
                } else {
                    dedup(all)
                }
            }
            Expression::Traversal(t) => {
                self.traversal_targets(ctx, expr, t, reference, each, depth)
            }
            // Alternatives (a conditional inside a function) are each a possibility.
            _ => self.evaluated_targets(ctx, expr, reference, each),
        }
    }

    /// The targets of a traversal: a reference followed to what it stands for, a `dynamic`
    /// iterator's element, a role or instance profile of the module, `each.value`.
    fn traversal_targets(
        &self,
        ctx: Ctx,
        expr: &Expression,
        t: &hcl_edit::expr::Traversal,
        reference: RoleReference,
        each: Option<(Ctx, &'a Expression)>,
        depth: usize,
    ) -> Vec<(RoleTarget, Span)> {
        let span = self.tree.span(ctx.file, expr.span());
        let one = |t: RoleTarget| vec![(t, span)];
        let path = traversal_path(t);
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        // `one(...)[0]`, `(cond ? a : b).arn`: operators on a computed value.
        if !matches!(t.expr, Expression::Variable(_)) {
            return self.evaluated_targets(ctx, expr, reference, each);
        }
        let named = if parts.first() == Some(&"module") {
            3
        } else {
            2
        };
        if self.tree.reference(ctx.inst, &parts).is_some() && selects_inside(t, named) {
            // `local.roles["glue"]`, `var.roles.api`: a part of the value the reference stands for.
            return self.evaluated_targets(ctx, expr, reference, each);
        }
        if let Some(target) = self.tree.reference(ctx.inst, &parts) {
            // A reference's role is reported where the pass is written, not where the
            // variable or output is defined: that is the line a reviewer reads.
            // A module call's argument is evaluated with the call's `for_each`, so that
            // `role = each.value.role_arn` in a `module` block names each value's role.
            let call_each = match parts.as_slice() {
                ["var", ..] => self.call_for_each(ctx.inst),
                _ => None,
            };
            let mut targets = match target {
                Target::Expr(c, e) => {
                    let shown = parts[..parts.len().min(2)].join(".");
                    self.reference_targets(c, e, reference, call_each, depth, span, &shown)
                }
                Target::Node(n) => vec![(literal_target(n, reference), span)],
                Target::Missing(reason) => vec![(RoleTarget::Unresolved(reason), span)],
            };
            for t in &mut targets {
                if t.1.file != ctx.file || depth == 0 {
                    t.1 = span;
                }
            }
            return targets;
        }
        // `tls.value.role_arn` inside a `dynamic "tls"` being expanded: the element's value.
        // (`each.value` of a passing resource whose `for_each` is written is followed below.)
        if let [iterator, "key" | "value", ..] = parts.as_slice()
            && self.tree.is_bound(iterator, ctx.inst)
            && !(*iterator == "each" && each.is_some() && parts[1] == "value")
        {
            let node = self.tree.eval(ctx, expr);
            return match &node.kind {
                NodeKind::List(items) if !items.is_empty() => items
                    .iter()
                    .map(|n| (literal_target(n, reference), span))
                    .collect(),
                _ => one(literal_target(&node, reference)),
            };
        }
        match parts.as_slice() {
            ["aws_iam_role", name, attr @ ..] => {
                match self.role_index.get(&(ctx.inst, name.to_string())) {
                    Some(roles) if matches!(attr, ["arn" | "name" | "id" | "unique_id"]) => {
                        let shown = self.address(ctx.inst, "aws_iam_role", name);
                        self.instance_targets(ctx, t, roles, &shown, RoleTarget::Role, each)
                            .into_iter()
                            .map(|target| (target, span))
                            .collect()
                    }
                    Some(_) => one(RoleTarget::Unresolved(format!(
                        "{} is not the role's ARN or name",
                        path.join(".")
                    ))),
                    // A role whose count is known to be 0 has no instance to pass: the
                    // reference fails, so `try()` falls back to its next argument.
                    None if self
                        .tree
                        .def(ctx.inst)
                        .resource("aws_iam_role", name)
                        .is_some() =>
                    {
                        one(RoleTarget::Nothing)
                    }
                    None => one(RoleTarget::Unresolved(format!(
                        "aws_iam_role.{name} is not defined in this module"
                    ))),
                }
            }
            ["aws_iam_instance_profile", name, ..] => {
                match self.profile_index.get(&(ctx.inst, name.to_string())) {
                    Some(profiles) => {
                        let shown = self.address(ctx.inst, "aws_iam_instance_profile", name);
                        self.instance_targets(ctx, t, profiles, &shown, RoleTarget::Profile, each)
                            .into_iter()
                            .map(|target| (target, span))
                            .collect()
                    }
                    None if self
                        .tree
                        .def(ctx.inst)
                        .resource("aws_iam_instance_profile", name)
                        .is_some() =>
                    {
                        one(RoleTarget::Nothing)
                    }
                    None => one(RoleTarget::Unresolved(format!(
                        "aws_iam_instance_profile.{name} is not defined in this module"
                    ))),
                }
            }
            ["each", "value", rest @ ..] => match each {
                Some((ectx, e)) => {
                    let mut out = Vec::new();
                    for (vctx, v) in self.for_each_values(ectx, e, rest, depth + 1) {
                        for (t, _) in self.role_targets(vctx, v, reference, None, depth + 1) {
                            out.push((t, span));
                        }
                    }
                    if out.is_empty() && self.tree.is_bound("each", ctx.inst) {
                        // Values not written as expressions here (`.tfvars`): this instance's value.
                        one(literal_target(&self.tree.eval(ctx, expr), reference))
                    } else if out.is_empty() {
                        // Values that are not written as literals here (`.tfvars`, `for`).
                        self.evaluated_targets(ctx, expr, reference, each)
                    } else {
                        out
                    }
                }
                None => one(RoleTarget::Unresolved(
                    "each.value outside a for_each resource".into(),
                )),
            },
            ["data", "aws_iam_role", name, ..] => one(RoleTarget::Unresolved(format!(
                "data.aws_iam_role.{name} reads an existing role that is not defined in the scan"
            ))),
            ["data", "aws_iam_instance_profile", name, ..] => one(RoleTarget::Unresolved(format!(
                "data.aws_iam_instance_profile.{name} reads an existing instance profile that is not defined in the scan"
            ))),
            _ => one(RoleTarget::Unresolved(format!(
                "{} is not a role",
                path.join(".")
            ))),
        }
    }

    /// The targets of the expression a reference (`shown`) stands for, computed once per instance.
    #[allow(clippy::too_many_arguments)]
    fn reference_targets(
        &self,
        ctx: Ctx,
        expr: &'a Expression,
        reference: RoleReference,
        each: Option<(Ctx, &'a Expression)>,
        depth: usize,
        span: Span,
        shown: &str,
    ) -> Targets {
        let address = expr as *const Expression as usize;
        let each_key = each.map(|(c, e)| (c.inst, e as *const Expression as usize));
        let key = (ctx.inst, address, reference, each_key, self.tree.frame());
        let seen = self.targets_memo.borrow().get(&key).cloned();
        match seen {
            Some(Some(targets)) => {
                if self.tree.spend(targets.len() as u64, span) {
                    targets
                } else {
                    vec![(RoleTarget::Unresolved(BUDGET_REASON.into()), span)]
                }
            }
            Some(None) => {
                let reason = self.tree.cycle(shown, span, ctx.inst, address);
                vec![(RoleTarget::Unresolved(reason), span)]
            }
            None => {
                self.targets_memo.borrow_mut().insert(key, None);
                let targets = self.role_targets(ctx, expr, reference, each, depth + 1);
                self.targets_memo
                    .borrow_mut()
                    .insert(key, Some(targets.clone()));
                targets
            }
        }
    }

    /// The `for_each` of the `module` block that made an instance, in the caller's context.
    pub(super) fn call_for_each(&self, inst: usize) -> Option<(Ctx, &'a Expression)> {
        let (parent, call) = self.tree.instances[inst].parent.as_ref()?;
        let block = self
            .tree
            .def(*parent)
            .calls
            .iter()
            .find(|(n, _)| n == call)
            .map(|(_, b)| *b)?;
        let for_each = block.item.body.get_attribute("for_each")?;
        Some((
            Ctx {
                inst: *parent,
                file: block.file,
            },
            &for_each.value,
        ))
    }

    /// The value expressions of a `for_each`: an object literal's values, a list's elements, through
    /// `toset()`/`tomap()` and references; `rest` picks an attribute of each value (`each.value.role`).
    pub(super) fn for_each_values(
        &self,
        ctx: Ctx,
        expr: &'a Expression,
        rest: &[&str],
        depth: usize,
    ) -> Vec<(Ctx, &'a Expression)> {
        if depth > MAX_TARGET_DEPTH {
            return Vec::new();
        }
        let values: Vec<(Ctx, &'a Expression)> = match expr {
            Expression::Object(o) => o.iter().map(|(_, v)| (ctx, v.expr())).collect(),
            Expression::Array(a) => a.iter().map(|e| (ctx, e)).collect(),
            Expression::FuncCall(c)
                if matches!(c.name.name.as_str(), "toset" | "tomap" | "tolist") =>
            {
                return match c.args.iter().next() {
                    Some(arg) => self.for_each_values(ctx, arg, rest, depth + 1),
                    None => Vec::new(),
                };
            }
            Expression::Traversal(t) => {
                let path = traversal_path(t);
                let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                return match self.tree.reference(ctx.inst, &parts) {
                    Some(Target::Expr(c, e)) => self.for_each_values(c, e, rest, depth + 1),
                    _ => Vec::new(),
                };
            }
            _ => return Vec::new(),
        };
        values
            .into_iter()
            .filter_map(|(c, v)| {
                let mut v = v;
                for attr in rest {
                    let Expression::Object(o) = v else {
                        return None;
                    };
                    v = o.iter().find_map(|(k, val)| {
                        let name = match k {
                            ObjectKey::Ident(id) => id.as_str().to_string(),
                            ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                            _ => return None,
                        };
                        (name == *attr).then(|| val.expr())
                    })?;
                }
                Some((c, v))
            })
            .collect()
    }
}

/// The targets without repeats, in order: a repeated target would be a repeated pass, checked again
/// downstream for nothing.
pub(super) fn dedup(targets: Targets) -> Targets {
    if targets.len() <= SHORT {
        let mut out: Targets = Vec::with_capacity(targets.len());
        for t in targets {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        return out;
    }
    // Targets are not `Hash`: their debug form is, and costs what the targets' size does.
    let mut seen = std::collections::HashSet::new();
    targets
        .into_iter()
        .filter(|t| seen.insert(format!("{t:?}")))
        .collect()
}

/// A role written as a value: a string is read by `resolve::literal`; an empty string or a null
/// leaves the attribute unset, so nothing is passed.
pub(super) fn literal_target(node: &Node, reference: RoleReference) -> RoleTarget {
    match &node.kind {
        NodeKind::Str(text) if text.as_literal().is_some_and(|s| s.is_empty()) => {
            RoleTarget::Nothing
        }
        NodeKind::Str(text) => crate::resolve::literal::literal_target(text, reference),
        NodeKind::Unknown(reason) => RoleTarget::Unresolved(reason.clone()),
        NodeKind::Null => RoleTarget::Nothing,
        _ => RoleTarget::Unresolved("the value is not a string".into()),
    }
}

/// Whether a traversal goes inside the value of the reference it starts with (`var.roles.api`,
/// `local.roles[var.k]`): operators past its first `named` names.
fn selects_inside(t: &hcl_edit::expr::Traversal, named: usize) -> bool {
    use hcl_edit::expr::TraversalOperator;
    let mut names_seen = 1;
    for op in &t.operators {
        match op.value() {
            TraversalOperator::GetAttr(_) => {
                names_seen += 1;
                if names_seen > named {
                    return true;
                }
            }
            _ if names_seen >= named => return true,
            _ => {}
        }
    }
    false
}

/// Whether an evaluation's reason is a failure Terraform's `try()` catches (see
/// `eval::index`), rather than a value that is only unknown statically.
fn evaluation_fails(reason: &str) -> bool {
    reason.starts_with("no key ")
        || reason.starts_with("no attribute ")
        || reason.starts_with("an index past the end")
}
