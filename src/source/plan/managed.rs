//! AWS managed policies attached by ARN in a plan (`policy_arn`, `managed_policy_arns`,
//! `managed_policy_arn` of a permission set): when the planned ARN names a policy of
//! `rules/managed-policies.toml`, its PassRole statements are a grant held through the attachment,
//! spanned at the ARN (in the `.tf` when the configuration was found), as the `.tf` lowering does.

use super::identities::{AttributeString, kind_of_attribute};
use super::{Leaf, Lower, PlanResource, field};
use crate::model::{OpaquePolicy, PolicyAttachment, Unit};
use crate::resolve::iam_resources::IamResources;
use crate::resolve::managed::{ManagedPolicies, ManagedPolicy};
use crate::value::{Span, Text};

impl<'a> Lower<'a> {
    /// `aws_iam_user_policy` and its kind: the principal the policy is given to, by name, as an
    /// attachment (the `.tf` lowering makes the same).
    pub(super) fn inline_holders(&mut self, r: &PlanResource<'a>, unit: &mut Unit) {
        let inline = IamResources::builtin()
            .terraform
            .attachments
            .iter()
            .find(|a| a.resource == r.raw.ty && a.policy_attribute.is_none());
        let Some(inline) = inline else {
            return;
        };
        let attributes: Vec<&str> = inline.principals.iter().map(String::as_str).collect();
        for (principal, span) in self.holders(r, &attributes) {
            unit.attachments.push(PolicyAttachment {
                policy: r.address.clone(),
                principal,
                via: r.address.clone(),
                span,
            });
        }
    }

    pub(super) fn managed_policies(&mut self, unit: &mut Unit) {
        // Copies: naming a principal looks up the users and groups among the resources.
        let attachments = IamResources::builtin().terraform.managed_attachments();
        let selected: Vec<PlanResource<'a>> = self
            .resources
            .iter()
            .filter(|r| attachments.iter().any(|m| m.resource == r.raw.ty))
            .cloned()
            .collect();
        for attachment in &attachments {
            let (ty, attribute) = (attachment.resource, attachment.policy_attribute);
            let principals: Vec<&str> = attachment.principals.iter().map(String::as_str).collect();
            for r in selected.iter().filter(|r| r.raw.ty == ty) {
                if principals.is_empty() && !self.configured(r, attribute) {
                    continue;
                }
                for (policy, span) in self.managed_arns(r, attribute) {
                    let address = policy.add_to(unit, &r.address, attribute, span);
                    for (principal, at) in self.holders(r, &principals) {
                        unit.attachments.push(PolicyAttachment {
                            policy: address.clone(),
                            principal,
                            via: r.address.clone(),
                            span: at,
                        });
                    }
                }
                // Policies whose statements cannot be known: their holders' permissions are
                // partially known.
                let opaque = self.opaque_arns(r, attribute);
                let holders = match opaque.is_empty() {
                    true => Vec::new(),
                    false => self.opaque_holders(r, &principals),
                };
                for (policy, reason, span) in opaque {
                    for principal in &holders {
                        unit.opaque_policies.push(OpaquePolicy {
                            principal: principal.clone(),
                            policy: policy.clone(),
                            reason: reason.clone(),
                            span,
                        });
                    }
                }
            }
        }
    }

    /// Whether the configuration sets the attribute. A role's `managed_policy_arns` is computed:
    /// for a role that exists, the plan lists every policy attached to it, also those attached by
    /// the attachment resources of the plan, which are reported at those resources.
    fn configured(&self, r: &PlanResource<'a>, attribute: &str) -> bool {
        self.config_resource(r)
            .is_some_and(|c| field(c.expressions, attribute).is_some())
    }

    /// The managed policies of the data file that an attribute names (a string or a list of
    /// strings), with the span of each ARN.
    fn managed_arns(
        &mut self,
        r: &PlanResource<'a>,
        attribute: &str,
    ) -> Vec<(&'static ManagedPolicy, Span)> {
        let all = ManagedPolicies::builtin();
        self.attribute_strings(r, attribute)
            .into_iter()
            .filter_map(|value| match value {
                AttributeString::Known(arn, span) => Some((all.by_arn(&Text::lit(arn))?, span)),
                AttributeString::Unknown(_) => None,
            })
            .collect()
    }

    /// Who gets a policy whose statements cannot be known: each principal named (one known only
    /// after apply by the user or group its configuration references), or the resource itself.
    fn opaque_holders(&mut self, r: &PlanResource<'a>, attributes: &[&str]) -> Vec<String> {
        if attributes.is_empty() {
            return vec![r.address.clone()];
        }
        let mut out = Vec::new();
        for attribute in attributes {
            let kind = kind_of_attribute(attribute);
            out.extend(
                self.principals_at(r, attribute, kind)
                    .into_iter()
                    .map(|(p, _)| p),
            );
        }
        out
    }

    /// Who gets the policy: each principal named in the attributes (as written in the plan), or
    /// the resource itself when it holds the policy.
    pub(super) fn holders(
        &mut self,
        r: &PlanResource<'a>,
        attributes: &[&str],
    ) -> Vec<(String, Span)> {
        if attributes.is_empty() {
            return vec![(r.address.clone(), r.span)];
        }
        let mut out = Vec::new();
        for attribute in attributes {
            let kind = kind_of_attribute(attribute);
            for leaf in self.leaves(r.values, &[attribute]) {
                let Leaf::Known(raw) = leaf else { continue };
                let items = match raw.get().starts_with('[') {
                    true => self.array(raw).unwrap_or_default(),
                    false => vec![raw],
                };
                for item in items {
                    if let Some((name, span)) = self.string_span(item) {
                        out.push((self.principal_named(&name, kind), span));
                    }
                }
            }
        }
        out
    }
}
