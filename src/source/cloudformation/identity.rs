//! Identity policies that are not IAM policy resources: IAM Identity Center permission sets
//! (`AWS::SSO::PermissionSet` `InlinePolicy`) and AWS managed policies attached by ARN
//! (`ManagedPolicyArns`, a permission set's `ManagedPolicies`, SAM `Policies` names and ARNs).
//!
//! An AWS managed policy listed in `rules/managed-policies.toml` is a grant whose statements are
//! AWS's: it becomes an identity policy spanned at the ARN expression that attaches it, held by the
//! resource that attaches it. Other AWS managed policies grant no PassRole (the file lists them all).

use super::eval::{Resource, Template};
use super::{list_items, principal_shown, prop, read_policy, referenced};
use crate::model::{
    GroupMembership, Identity, IdentityKind, IdentityPolicy, OpaquePolicy, PolicyAttachment, Unit,
};
use crate::resolve::iam_resources::IamResources;
use crate::resolve::managed::{ManagedPolicies, ManagedPolicy};
use crate::source::opaque;
use crate::value::{Node, NodeKind, Span, Text};

/// The kind of principal an attachment property names; `None` for roles, which are not resolved
/// by a literal name.
pub(super) fn kind_of_property(property: &str) -> Option<IdentityKind> {
    match property {
        "Users" | "UserName" => Some(IdentityKind::User),
        "Groups" | "GroupName" => Some(IdentityKind::Group),
        _ => None,
    }
}

/// The users, groups and permission sets of the template.
pub(super) fn identities(t: &Template, unit: &mut Unit) {
    for r in &t.resources {
        let Some(identity) = IamResources::builtin().cloudformation.identity(&r.ty) else {
            continue;
        };
        let (kind, name_prop) = (&identity.kind, identity.name_property.as_str());
        let (name, literal) = t.resource_name(&r.id, name_prop, 0);
        unit.identities.push(Identity {
            kind: *kind,
            address: r.address.clone(),
            span: r.key_span,
            name: literal.then_some(name),
        });
    }
}

/// The one resource of type `ty` whose literal name property is `name`: its address (none when
/// several have the name: which one is meant cannot be told).
fn named_resource(t: &Template, ty: &str, name_prop: &str, name: &str) -> Option<String> {
    let mut found = t
        .resources
        .iter()
        .filter(|r| r.ty == ty)
        .filter(|r| t.resource_name(&r.id, name_prop, 0) == (name.to_string(), true));
    let first = found.next()?;
    found.next().is_none().then(|| first.address.clone())
}

/// The user or group of the template with the literal name `name`.
pub(super) fn named(t: &Template, kind: IdentityKind, name: &str) -> Option<String> {
    let identity = IamResources::builtin()
        .cloudformation
        .identity_of_kind(kind)?;
    named_resource(t, &identity.resource, &identity.name_property, name)
}

/// `Groups` of `AWS::IAM::User` and `AWS::IAM::UserToGroupAddition` (`GroupName`, `Users`).
pub(super) fn memberships(t: &Template, unit: &mut Unit) {
    for r in &t.resources {
        if r.ty == "AWS::IAM::User"
            && let Some(groups) = prop(r, "Groups")
        {
            for item in list_items(t, groups) {
                unit.memberships.push(GroupMembership {
                    user: r.address.clone(),
                    group: principal_shown(t, item, Some(IdentityKind::Group)),
                    span: item.span,
                });
            }
        }
        if r.ty == "AWS::IAM::UserToGroupAddition"
            && let (Some(group), Some(users)) = (prop(r, "GroupName"), prop(r, "Users"))
        {
            let mut groups = Vec::new();
            t.branches(group, &mut groups, 0);
            for group in groups {
                let group = principal_shown(t, group, Some(IdentityKind::Group));
                for item in list_items(t, users) {
                    unit.memberships.push(GroupMembership {
                        user: principal_shown(t, item, Some(IdentityKind::User)),
                        group: group.clone(),
                        span: item.span,
                    });
                }
            }
        }
    }
}

/// A managed policy ARN whose statements cannot be known (not a policy of the template, not an
/// AWS managed policy of the data file), held by `holder`: each possible value once.
fn opaque_arns(t: &Template, all: &ManagedPolicies, holder: &str, item: &Node, unit: &mut Unit) {
    if referenced(t, item).is_some_and(|p| p.ty == "AWS::IAM::ManagedPolicy") {
        return;
    }
    let written = t.sources.snippet(item.span).trim().to_string();
    let defined =
        |name: &str| named_resource(t, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", name);
    let mut seen: Vec<(String, String)> = Vec::new();
    for value in t.eval(item, 0) {
        // `!Ref PolicyArns` of a `CommaDelimitedList` parameter is a list of ARNs.
        for one in value.as_list() {
            let found = match (&one.kind, one.as_text()) {
                (NodeKind::Null, _) => None,
                (_, Some(text)) if all.by_arn(text).is_some() => None,
                (_, Some(text)) => {
                    let shown = text.as_literal().unwrap_or_else(|| written.clone());
                    opaque::reason(text, &shown, defined).map(|r| (shown, r))
                }
                (_, None) => Some((written.clone(), opaque::unknown_reason(&written))),
            };
            if let Some(found) = found.filter(|f| !seen.contains(f)) {
                seen.push(found);
            }
        }
    }
    for (policy, reason) in seen {
        unit.opaque_policies.push(OpaquePolicy {
            principal: holder.to_string(),
            policy,
            reason,
            span: item.span,
        });
    }
}

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
                origin: crate::model::PolicyOrigin::Written,
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
        if let Some(attachment) = IamResources::builtin()
            .cloudformation
            .self_attachment(&r.ty)
            && let property = attachment.property.as_str()
            && let Some(list) = prop(r, property)
        {
            for item in list_items(t, list) {
                for policy in by_arn(t, all, item) {
                    grant(unit, policy, &r.address, &r.address, property, item.span);
                }
                opaque_arns(t, all, &r.address, item, unit);
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
