//! Identity policies that are not IAM policy resources: IAM Identity Center permission sets
//! (`AWS::SSO::PermissionSet` `InlinePolicy`) and AWS managed policies attached by ARN
//! (`ManagedPolicyArns`, a permission set's `ManagedPolicies`, SAM `Policies` names and ARNs).
//!
//! An AWS managed policy listed in `rules/managed-policies.toml` is a grant whose statements are
//! AWS's: it becomes an identity policy spanned at the ARN expression that attaches it, held by the
//! resource that attaches it. Other AWS managed policies grant no PassRole (the file lists them all).

use super::eval::{Resource, Template};
use super::{list_items, prop, read_policy};
use crate::model::{IdentityPolicy, PolicyAttachment, Unit};
use crate::resolve::managed::{ManagedPolicies, ManagedPolicy};
use crate::value::{Node, NodeKind, Span, Text};

/// Resource types with `ManagedPolicyArns`: the policies are attached to the resource itself.
const MANAGED_POLICY_ARNS: &[(&str, &str)] = &[
    ("AWS::IAM::Role", "ManagedPolicyArns"),
    ("AWS::IAM::User", "ManagedPolicyArns"),
    ("AWS::IAM::Group", "ManagedPolicyArns"),
    // A permission set's policies are provisioned as roles in each account it is assigned to.
    ("AWS::SSO::PermissionSet", "ManagedPolicies"),
];

/// `InlinePolicy` of a permission set (an object or a JSON string), held by the permission set.
pub(super) fn permission_sets(t: &Template, unit: &mut Unit) {
    for r in t
        .resources
        .iter()
        .filter(|r| r.ty == "AWS::SSO::PermissionSet")
    {
        if let Some(doc) = prop(r, "InlinePolicy") {
            unit.policies.push(IdentityPolicy {
                partial: None,
                address: r.address.clone(),
                attribute: "InlinePolicy".into(),
                document: read_policy(t, doc),
            });
        }
    }
}

/// AWS managed policies of the data file attached by ARN, as grants held by the resource.
pub(super) fn managed_attachments(t: &Template, unit: &mut Unit) {
    let all = ManagedPolicies::builtin();
    for r in &t.resources {
        if let Some((_, property)) = MANAGED_POLICY_ARNS.iter().find(|(ty, _)| *ty == r.ty)
            && let Some(list) = prop(r, property)
        {
            for item in list_items(t, list) {
                for policy in by_arn(t, all, item) {
                    grant(unit, policy, &r.address, &r.address, property, item.span);
                }
            }
        }
        sam_policies(t, all, r, unit);
    }
}

/// SAM `Policies` of a function or state machine whose role SAM generates: a string item is an AWS
/// managed policy name or an ARN, attached to the generated role.
fn sam_policies(t: &Template, all: &ManagedPolicies, r: &Resource, unit: &mut Unit) {
    let generated = t.roles.iter().any(|d| {
        d.generated
            && t.resources
                .get(d.resource)
                .is_some_and(|x| std::ptr::eq(x, r))
    });
    let Some(list) = prop(r, "Policies").filter(|_| generated) else {
        return;
    };
    let role = format!("{}Role", r.address);
    // `Policies: AWSLambda_FullAccess` is a list of one.
    let items = match &list.kind {
        NodeKind::Str(_) => vec![list],
        _ => list_items(t, list),
    };
    for item in items {
        let by_name = t
            .literal(item)
            .filter(|name| !name.starts_with("arn:"))
            // SAM makes `arn:aws:iam::aws:policy/NAME` of a bare name: no path.
            .and_then(|name| all.by_arn(&Text::lit(format!("arn:aws:iam::aws:policy/{name}"))));
        let found: Vec<&ManagedPolicy> = match by_name {
            Some(p) => vec![p],
            None => by_arn(t, all, item),
        };
        for policy in found {
            grant(unit, policy, &r.address, &role, "Policies", item.span);
        }
    }
}

/// The managed policies of the data file an ARN value may be (each `Fn::If` branch).
fn by_arn<'p>(t: &Template, all: &'p ManagedPolicies, item: &Node) -> Vec<&'p ManagedPolicy> {
    let mut out: Vec<&ManagedPolicy> = Vec::new();
    for value in t.eval(item, 0) {
        // `!Ref PolicyArns` of a `CommaDelimitedList` parameter is a list of ARNs.
        for one in value.as_list() {
            if let Some(p) = one.as_text().and_then(|text| all.by_arn(text))
                && !out.iter().any(|o| std::ptr::eq(*o, p))
            {
                out.push(p);
            }
        }
    }
    out
}

/// Adds the policy's PassRole statements as a grant attached by `via` to `holder`.
fn grant(
    unit: &mut Unit,
    policy: &ManagedPolicy,
    via: &str,
    holder: &str,
    attribute: &str,
    span: Span,
) {
    let address = policy.add_to(unit, via, attribute, span);
    unit.attachments.push(PolicyAttachment {
        policy: address,
        principal: holder.into(),
        via: via.into(),
        span,
    });
}
