//! Targets of passing expressions that are evaluated rather than followed by reference: indexing
//! (`local.roles[var.k]`, `var.roles.api`), `for` expressions, `one()`, `coalescelist()`, and `each`
//! in a `for_each` resource (`var.functions[each.key].role_arn`). The ARN or name they evaluate to
//! is matched back to the role of the configuration that builds it, so that a role without a
//! literal name is still that role.

use super::*;
use crate::source::terraform::eval::MAX_INSTANCES;
use crate::value::Key;

/// Instances of a `for_each` evaluated one by one for a pass; beyond this the collection is data.
const MAX_EACH: usize = 256;

/// Evaluated role ARNs and names (as displayed) → the roles of the unit that have them.
pub(super) type RoleTexts = HashMap<String, Vec<(usize, usize)>>;

impl<'a> Lowering<'_, 'a> {
    /// The targets of `expr` evaluated in `ctx`, once per instance of the resource's `for_each`
    /// when the expression uses `each`.
    pub(super) fn evaluated_targets(
        &self,
        ctx: Ctx,
        expr: &Expression,
        reference: RoleReference,
        each: Option<(Ctx, &'a Expression)>,
    ) -> Vec<(RoleTarget, Span)> {
        let span = self.tree.span(ctx.file, expr.span());
        let uses_each = self.sources.snippet(span).contains("each.");
        let Some((ectx, collection)) = each.filter(|_| uses_each) else {
            return self.node_targets(&self.tree.eval(ctx, expr), reference, ctx.inst, span);
        };
        let instances = match self.tree.collection(ectx, collection, 0).kind {
            NodeKind::Map(entries) => entries
                .into_iter()
                .map(|(k, v)| (Node::str(k.name, k.span), v))
                .collect::<Vec<_>>(),
            // A set of strings: each key is its value.
            NodeKind::List(items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
            NodeKind::Unknown(reason) => {
                return vec![(
                    RoleTarget::Unresolved(format!(
                        "the for_each collection cannot be evaluated statically: {reason}"
                    )),
                    span,
                )];
            }
            _ => Vec::new(),
        };
        if instances.len() > MAX_EACH.min(MAX_INSTANCES) {
            return vec![(
                RoleTarget::Unresolved(format!("a for_each of more than {MAX_EACH} instances")),
                span,
            )];
        }
        let mut out = Vec::new();
        for (key, value) in instances {
            let each_value = Node::new(
                NodeKind::Map(vec![
                    (named("key", span), key),
                    (named("value", span), value),
                ]),
                span,
            );
            let node = self.tree.with_scope(vec![("each".into(), each_value)], || {
                self.tree.eval(ctx, expr)
            });
            out.extend(self.node_targets(&node, reference, ctx.inst, span));
        }
        if out.is_empty() {
            out.push((RoleTarget::Nothing, span));
        }
        targets::dedup(out)
    }

    /// One target per possibility of an evaluated value (a list holds the branches of conditionals).
    pub(super) fn node_targets(
        &self,
        node: &Node,
        reference: RoleReference,
        inst: usize,
        span: Span,
    ) -> Vec<(RoleTarget, Span)> {
        match &node.kind {
            NodeKind::List(items) if !items.is_empty() => items
                .iter()
                .map(|n| {
                    (
                        self.identified(targets::literal_target(n, reference), inst),
                        span,
                    )
                })
                .collect(),
            _ => vec![(
                self.identified(targets::literal_target(node, reference), inst),
                span,
            )],
        }
    }

    /// A role ARN or name that this unit's evaluation builds for one of its roles: that role (the
    /// one of the pass's own instance when several instances build the same text).
    fn identified(&self, target: RoleTarget, inst: usize) -> RoleTarget {
        let (RoleTarget::Arn(text) | RoleTarget::Name(text)) = &target else {
            return target;
        };
        let texts = self.role_texts.get_or_init(|| self.build_role_texts());
        let Some(candidates) = texts.get(&text.to_string()) else {
            return target;
        };
        let same_instance: Vec<_> = candidates.iter().filter(|(i, _)| *i == inst).collect();
        match (candidates.as_slice(), same_instance.as_slice()) {
            ([(_, role)], _) | (_, [(_, role)]) => RoleTarget::Role(*role),
            _ => target,
        }
    }

    fn build_role_texts(&self) -> RoleTexts {
        let mut texts: RoleTexts = HashMap::new();
        for ((inst, name), lowered) in &self.role_index {
            // A block with instances builds a text per instance: those are linked by their key
            // (`per_instance`), not by the text.
            let Some(role) = lowered.only() else {
                continue;
            };
            for attr in ["arn", "name"] {
                let node = self
                    .tree
                    .role_attribute(*inst, name, attr, Span::default(), 0);
                if let Some(text) = node.as_text() {
                    texts
                        .entry(text.to_string())
                        .or_default()
                        .push((*inst, role));
                }
            }
        }
        texts
    }
}

fn named(name: &str, span: Span) -> Key {
    Key {
        name: name.into(),
        span,
    }
}
