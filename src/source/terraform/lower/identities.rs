//! IAM users, groups and permission sets, users' group memberships, and policies given by an ARN
//! whose statements the scan cannot know (opaque policies).
//!
//! A block with `count`/`for_each` is one identity under the block's address: attachments and
//! memberships name principals by block (`aws_iam_user.dev[each.key].name` is shown as
//! `aws_iam_user.dev`), so identities must be keyed the same way to be joined. Each instance's
//! name still resolves a membership or attachment that names the principal by a literal name.

use super::*;
use crate::model::{GroupMembership, Identity, IdentityKind, OpaquePolicy};
use crate::resolve::iam_resources::{IamResources, Membership};
use crate::source::opaque;

/// How a principal that cannot be evaluated is shown (as attachments show it).
const UNKNOWN_PRINCIPAL: &str = "a principal that cannot be evaluated statically";

/// The kind of principal an attachment attribute names; `None` for roles and permission sets,
/// which are not resolved by a literal name.
pub(super) fn kind_of_attribute(attribute: &str) -> Option<IdentityKind> {
    match attribute {
        "user" | "users" | "user_name" => Some(IdentityKind::User),
        "group" | "groups" | "group_name" => Some(IdentityKind::Group),
        _ => None,
    }
}

/// Static names of the unit's users, groups and customer managed policies: (type, name) to the
/// addresses that have that name.
#[derive(Default)]
pub(super) struct NameIndex {
    names: HashMap<(&'static str, String), Vec<String>>,
}

impl NameIndex {
    fn add(&mut self, ty: &'static str, name: String, address: &str) {
        let entry = self.names.entry((ty, name)).or_default();
        if !entry.iter().any(|a| a == address) {
            entry.push(address.to_string());
        }
    }

    /// The one address of type `ty` named `name` (none when several have it: which one is meant
    /// cannot be told).
    pub(super) fn address(&self, ty: &'static str, name: &str) -> Option<String> {
        match self.names.get(&(ty, name.to_string()))?.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    fn of_kind(&self, kind: IdentityKind, name: &str) -> Option<String> {
        let ty = IamResources::builtin().terraform.identity_type(kind)?;
        self.address(ty, name)
    }
}

impl<'a> Lowering<'_, 'a> {
    /// The users, groups and permission sets of the unit, and the names of those and of the
    /// customer managed policies (for attachments and memberships by name).
    pub(super) fn identities(&mut self, unit: &mut Unit) {
        let mut index = NameIndex::default();
        for identity in &IamResources::builtin().terraform.identities {
            let (ty, kind) = (identity.resource.as_str(), &identity.kind);
            for (inst, name, block) in self.resources_of(ty) {
                let address = self.address(inst, ty, &name);
                let names = self.instance_names(inst, ty, &name, block);
                for n in &names {
                    index.add(ty, n.clone(), &address);
                }
                unit.identities.push(Identity {
                    kind: *kind,
                    address,
                    span: self.block_span(block),
                    // Every instance has the same name, or the name is not one value.
                    name: match names.as_slice() {
                        [one] => Some(one.clone()),
                        _ => None,
                    },
                });
            }
        }
        for (inst, name, block) in self.resources_of("aws_iam_policy") {
            let address = self.address(inst, "aws_iam_policy", &name);
            for n in self.instance_names(inst, "aws_iam_policy", &name, block) {
                index.add("aws_iam_policy", n, &address);
            }
        }
        self.names = index;
    }

    /// The static `name` of each instance of a block, distinct (empty when one is not static).
    fn instance_names(
        &self,
        inst: usize,
        ty: &str,
        name: &str,
        block: Located<'a, Block>,
    ) -> Vec<String> {
        let per_instance = self.lower_instances(inst, ty, name, block, |l, _, ctx| {
            l.literal_attr(ctx.inst, block, "name")
        });
        let mut names: Vec<String> = Vec::new();
        for (_, n) in per_instance {
            let Some(n) = n else { return Vec::new() };
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names
    }

    /// A principal named by an evaluated value: the address of the user or group of the unit with
    /// that literal name, else the name in quotes.
    pub(super) fn principal_of_value(&self, value: &Node, kind: Option<IdentityKind>) -> String {
        match value.as_text().and_then(Text::as_literal) {
            Some(name) => kind
                .and_then(|k| self.names.of_kind(k, &name))
                .unwrap_or_else(|| format!("\"{name}\"")),
            None => UNKNOWN_PRINCIPAL.into(),
        }
    }

    /// `aws_iam_group_membership` and `aws_iam_user_group_membership`, per instance of the block
    /// (`user = each.key`), each (user, group, expression) once.
    pub(super) fn memberships(&self, unit: &mut Unit) {
        for membership in &IamResources::builtin().terraform.memberships {
            let Membership {
                resource: ty,
                holder_attribute: one_attr,
                holder_kind: single,
                members_attribute: list_attr,
                members_kind: listed,
            } = membership;
            for (inst, name, block) in self.resources_of(ty) {
                let (Some(one), Some(list)) = (
                    block.item.body.get_attribute(one_attr),
                    block.item.body.get_attribute(list_attr),
                ) else {
                    continue;
                };
                let (single, listed) = (*single, *listed);
                let rows = self.lower_instances(inst, ty, &name, block, |l, _, ctx| {
                    let holder = l.principal_shown(ctx, &one.value, Some(single));
                    l.listed_principals(ctx, &list.value, listed)
                        .into_iter()
                        .map(|(member, span)| (holder.clone(), member, span))
                        .collect::<Vec<_>>()
                });
                let mut seen: Vec<(String, String, Span)> = Vec::new();
                for row in rows.into_iter().flat_map(|(_, rows)| rows) {
                    if !seen.contains(&row) {
                        seen.push(row);
                    }
                }
                for (holder, member, span) in seen {
                    let (user, group) = match listed {
                        IdentityKind::User => (member, holder),
                        _ => (holder, member),
                    };
                    unit.memberships.push(GroupMembership { user, group, span });
                }
            }
        }
    }

    /// The principals of a list attribute, each with the span of its expression: the items of a
    /// list written here, else the elements of the evaluated value (`users = var.users`).
    fn listed_principals(
        &self,
        ctx: Ctx,
        expr: &Expression,
        kind: IdentityKind,
    ) -> Vec<(String, Span)> {
        if let Expression::Array(items) = expr {
            return items
                .iter()
                .map(|e| {
                    (
                        self.principal_shown(ctx, e, Some(kind)),
                        self.tree.span(ctx.file, e.span()),
                    )
                })
                .collect();
        }
        let here = self.tree.span(ctx.file, expr.span());
        let value = self.tree.eval(ctx, expr);
        match &value.kind {
            NodeKind::List(items) => items
                .iter()
                .map(|item| (self.principal_of_value(item, Some(kind)), item.span))
                .collect(),
            _ => vec![(UNKNOWN_PRINCIPAL.into(), here)],
        }
    }

    /// Records a policy attached by an ARN expression whose statements cannot be known (the caller
    /// found no policy of the scan and no AWS managed policy of the data file), once per principal
    /// and distinct value of the ARN over the block's instances.
    pub(super) fn opaque_attachment(
        &self,
        unit: &mut Unit,
        (inst, ty, name, block): (usize, &str, &str, Located<'a, Block>),
        expr: &Expression,
        principals: &[(String, Span)],
    ) {
        let span = self.tree.span(block.file, expr.span());
        let values =
            self.lower_instances(inst, ty, name, block, |l, _, ctx| l.tree.eval(ctx, expr));
        let mut reasons: Vec<(String, String)> = Vec::new();
        for (_, value) in values {
            if let Some(found) = self.opaque_reason(&value, span)
                && !reasons.contains(&found)
            {
                reasons.push(found);
            }
        }
        for (policy, reason) in reasons {
            for (principal, _) in principals {
                unit.opaque_policies.push(OpaquePolicy {
                    principal: principal.clone(),
                    policy: policy.clone(),
                    reason: reason.clone(),
                    span,
                });
            }
        }
    }

    /// (the policy as written, why its statements cannot be known) for an evaluated ARN written at
    /// `span`; `None` when it is an AWS managed policy of the data file, or nothing (`null`).
    pub(super) fn opaque_reason(&self, value: &Node, span: Span) -> Option<(String, String)> {
        if matches!(value.kind, NodeKind::Null) {
            return None;
        }
        let written = self.sources.snippet(span).trim().to_string();
        let Some(text) = value.as_text() else {
            return Some((written.clone(), opaque::unknown_reason(&written)));
        };
        let shown = text.as_literal().unwrap_or(written);
        let reason = opaque::reason(text, &shown, |n| self.names.address("aws_iam_policy", n))?;
        Some((shown, reason))
    }
}
