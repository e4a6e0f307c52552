//! AWS managed policies attached by ARN (`policy_arn`, `managed_policy_arns`,
//! `managed_policy_arn` of a permission set): when the ARN names a policy of
//! `rules/managed-policies.toml`, its PassRole statements become an identity policy held through
//! the attachment, spanned at the ARN expression, so that the grant is checked like one written in
//! the configuration. Other AWS managed policies grant no PassRole (the data file lists them all).

use super::*;
use crate::model::OpaquePolicy;
use crate::resolve::iam_resources::IamResources;
use crate::resolve::managed::{ManagedPolicies, ManagedPolicy};

impl<'a> Lowering<'_, 'a> {
    /// The AWS managed policy of the data file that an ARN expression names, if any: a literal or
    /// interpolated ARN (`arn:${data.aws_partition.current.partition}:iam::aws:policy/X`), through
    /// variables and locals, or `data.aws_iam_policy.NAME.arn` whose `arn` is such an ARN.
    pub(super) fn managed_policy(
        &self,
        ctx: Ctx,
        expr: &Expression,
    ) -> Option<&'static ManagedPolicy> {
        let all = ManagedPolicies::builtin();
        if let Some(policy) = self
            .tree
            .eval(ctx, expr)
            .as_text()
            .and_then(|t| all.by_arn(t))
        {
            return Some(policy);
        }
        let Expression::Traversal(t) = expr else {
            return None;
        };
        let path = traversal_path(t);
        let ["data", "aws_iam_policy", name, "arn"] =
            path.iter().map(String::as_str).collect::<Vec<_>>()[..]
        else {
            return None;
        };
        let block = self
            .tree
            .def(ctx.inst)
            .data
            .get(&("aws_iam_policy".to_string(), name.to_string()))?;
        let arn = block.item.body.get_attribute("arn")?;
        let data_ctx = Ctx {
            inst: ctx.inst,
            file: block.file,
        };
        let text = self.tree.eval(data_ctx, &arn.value);
        text.as_text().and_then(|t| all.by_arn(t))
    }

    /// A list of ARNs that is not written as a list here (`var.policy_arns`, a local): each AWS
    /// managed policy of the data file in its value, at the element's own span, given by `via` to
    /// `holder`.
    pub(super) fn managed_in_list(
        &self,
        unit: &mut Unit,
        ctx: Ctx,
        expr: &Expression,
        (via, holder, attribute): (&str, &str, &str),
    ) {
        let value = self.tree.eval(ctx, expr);
        let here = self.tree.span(ctx.file, expr.span());
        let NodeKind::List(items) = &value.kind else {
            // A list that cannot be known: what it attaches cannot either.
            if let Some((policy, reason)) = self.opaque_reason(&value, here) {
                let reason = reason.replacen("policy ARN", "list of policy ARNs", 1);
                unit.opaque_policies.push(OpaquePolicy {
                    principal: holder.to_string(),
                    policy,
                    reason,
                    span: here,
                });
            }
            return;
        };
        let all = ManagedPolicies::builtin();
        for item in items {
            let Some(policy) = item.as_text().and_then(|t| all.by_arn(t)) else {
                if let Some((policy, reason)) = self.opaque_reason(item, item.span) {
                    unit.opaque_policies.push(OpaquePolicy {
                        principal: holder.to_string(),
                        policy,
                        reason,
                        span: item.span,
                    });
                }
                continue;
            };
            let policy_address = policy.add_to(unit, via, attribute, item.span);
            unit.attachments.push(PolicyAttachment {
                policy: policy_address,
                principal: holder.to_string(),
                via: via.to_string(),
                // Shown beside the finding: where the role takes the list.
                span: self.tree.span(ctx.file, expr.span()),
            });
        }
    }

    /// `aws_iam_{role,user,group}_policy_attachments_exclusive`: the policies of `policy_arns` are
    /// all the managed policies of the principal; each is attached like a `policy_arn`.
    pub(super) fn exclusive_attachments(&self, unit: &mut Unit) {
        for exclusive in &IamResources::builtin().terraform.exclusive_attachments {
            let (ty, principal_attr) = (exclusive.resource.as_str(), exclusive.principal.as_str());
            let arns_attr = exclusive.policies_attribute.as_str();
            for (inst, name, block) in self.resources_of(ty) {
                let ctx = Ctx {
                    inst,
                    file: block.file,
                };
                let (Some(arns), Some(principal)) = (
                    block.item.body.get_attribute(arns_attr),
                    block.item.body.get_attribute(principal_attr),
                ) else {
                    continue;
                };
                let via = self.address(inst, ty, &name);
                let principal_span = self.tree.span(ctx.file, principal.value.span());
                let kind = identities::kind_of_attribute(principal_attr);
                let holder = self.principal_shown(ctx, &principal.value, kind);
                let Expression::Array(items) = &arns.value else {
                    self.managed_in_list(unit, ctx, &arns.value, (&via, &holder, arns_attr));
                    continue;
                };
                for item in items.iter() {
                    let Some(policy) = self.attached_policy(unit, ctx, item, &via, arns_attr)
                    else {
                        let resource = (inst, ty, name.as_str(), block);
                        let held = [(holder.clone(), principal_span)];
                        self.opaque_attachment(unit, resource, item, &held);
                        continue;
                    };
                    unit.attachments.push(PolicyAttachment {
                        policy,
                        principal: holder.clone(),
                        via: via.clone(),
                        span: principal_span,
                    });
                }
            }
        }
    }
}
