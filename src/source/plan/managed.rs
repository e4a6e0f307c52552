//! AWS managed policies attached by ARN in a plan (`policy_arn`, `managed_policy_arns`,
//! `managed_policy_arn` of a permission set): when the planned ARN names a policy of
//! `rules/managed-policies.toml`, its PassRole statements are a grant held through the attachment,
//! spanned at the ARN (in the `.tf` when the configuration was found), as the `.tf` lowering does.

use super::identities::kind_of_attribute;
use super::{Leaf, Lower, PlanResource, field};
use crate::model::{OpaquePolicy, PolicyAttachment, Unit};
use crate::resolve::managed::{ManagedPolicies, ManagedPolicy};
use crate::value::{Span, Text};

/// Resources that attach a policy by ARN: (type, ARN attribute, principal attributes; none when
/// the resource itself holds the policy).
pub(super) const MANAGED_ATTACHMENTS: &[(&str, &str, &[&str])] = &[
    ("aws_iam_role_policy_attachment", "policy_arn", &["role"]),
    ("aws_iam_user_policy_attachment", "policy_arn", &["user"]),
    ("aws_iam_group_policy_attachment", "policy_arn", &["group"]),
    (
        "aws_iam_policy_attachment",
        "policy_arn",
        &["roles", "users", "groups"],
    ),
    (
        "aws_ssoadmin_managed_policy_attachment",
        "managed_policy_arn",
        &["permission_set_arn"],
    ),
    ("aws_iam_role", "managed_policy_arns", &[]),
    (
        "aws_iam_role_policy_attachments_exclusive",
        "policy_arns",
        &["role_name"],
    ),
    (
        "aws_iam_user_policy_attachments_exclusive",
        "policy_arns",
        &["user_name"],
    ),
    (
        "aws_iam_group_policy_attachments_exclusive",
        "policy_arns",
        &["group_name"],
    ),
];

/// Policy resources given to one principal, and the attribute that names it.
const INLINE_POLICY_HOLDERS: &[(&str, &str)] = &[
    ("aws_iam_role_policy", "role"),
    ("aws_iam_user_policy", "user"),
    ("aws_iam_group_policy", "group"),
];

impl<'a> Lower<'a> {
    /// `aws_iam_user_policy` and its kind: the principal the policy is given to, by name, as an
    /// attachment (the `.tf` lowering makes the same).
    pub(super) fn inline_holders(&mut self, r: &PlanResource<'a>, unit: &mut Unit) {
        let Some((_, attribute)) = INLINE_POLICY_HOLDERS.iter().find(|(t, _)| *t == r.raw.ty)
        else {
            return;
        };
        for (principal, span) in self.holders(r, &[attribute]) {
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
        let selected: Vec<PlanResource<'a>> = self
            .resources
            .iter()
            .filter(|r| MANAGED_ATTACHMENTS.iter().any(|(t, ..)| *t == r.raw.ty))
            .cloned()
            .collect();
        for (ty, attribute, principals) in MANAGED_ATTACHMENTS {
            for r in selected.iter().filter(|r| r.raw.ty == *ty) {
                if principals.is_empty() && !self.configured(r, attribute) {
                    continue;
                }
                for (policy, span) in self.managed_arns(r, attribute) {
                    let address = policy.add_to(unit, &r.address, attribute, span);
                    for (principal, at) in self.holders(r, principals) {
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
                    false => self.opaque_holders(r, principals),
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
        let tf = self
            .enricher
            .map(|e| e.attributes(&r.module, &r.raw.ty, &r.raw.name, &[attribute]))
            .unwrap_or_default();
        let tf_attr = tf.first();
        let mut out = Vec::new();
        for leaf in self.leaves(r.values, &[attribute]) {
            let Leaf::Known(raw) = leaf else { continue };
            let items = match raw.get().starts_with('[') {
                true => self.array(raw).unwrap_or_default(),
                false => vec![raw],
            };
            for (j, item) in items.into_iter().enumerate() {
                let found = self.string_span(item).and_then(|(arn, span)| {
                    let policy = all.by_arn(&Text::lit(arn))?;
                    let at = tf_attr.map(|a| a.items.get(j).copied().unwrap_or(a.span));
                    Some((policy, self.relocate(span, at)))
                });
                out.extend(found);
            }
        }
        out
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
