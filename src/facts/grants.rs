//! Grant facts: each identity-policy statement that allows or denies `iam:PassRole`, with the scope
//! of each of its resources, its conditions, and what the Denies of the scan leave of it.

use super::document::{FactLocation, Related, RelatedTag};
use super::shown;
use super::types::{Grant, GrantCondition, GrantResource};
use crate::grant_deny::{GrantEffect, UnitDenies};
use crate::iam::action::analyze_actions;
use crate::iam::arn::classify_passrole_resource;
use crate::iam::policy::{PolicyValue, Statement};
use crate::model::{IdentityPolicy, PolicyAttachment, PolicyOrigin, Unit};
use crate::value::{Span, Text};
use std::collections::HashMap;

/// The grant facts of unit `u`.
/// Also gives the index of the grant of each (policy, statement) that has one.
pub(super) fn grant_facts(u: usize, unit: &Unit) -> (Vec<Grant>, HashMap<(usize, usize), usize>) {
    let mut grants = Vec::new();
    let mut ids = HashMap::new();
    let mut denies = UnitDenies::new(unit);
    for (p, policy) in unit.policies.iter().enumerate() {
        let attached: Vec<&PolicyAttachment> = unit
            .attachments
            .iter()
            .filter(|a| a.policy == policy.address)
            .collect();
        // Statements that cannot be read may grant PassRole on anything: coverage gaps.
        let gaps: Vec<(&str, Span)> = match &policy.document {
            PolicyValue::Unknown { reason, span } => vec![(reason.as_str(), *span)],
            PolicyValue::Invalid { .. } => Vec::new(),
            PolicyValue::Known(doc) => doc
                .unknown_statements
                .iter()
                .map(|(reason, span)| (reason.as_str(), *span))
                .collect(),
        };
        for (reason, span) in gaps {
            let id = format!("units.{u}.grants.{}", grants.len());
            let mut gap = gap_fact(policy, &attached, reason, span, id);
            GrantEffect::default().annotate(&mut gap);
            grants.push(gap);
        }
        let PolicyValue::Known(doc) = &policy.document else {
            continue;
        };
        for (s, st) in doc.statements.iter().enumerate() {
            let id = format!("units.{u}.grants.{}", grants.len());
            if let Some(mut grant) = grant_fact(st, s, policy, &attached, id) {
                denies.effect(p, st).annotate(&mut grant);
                ids.insert((p, s), grants.len());
                grants.push(grant);
            }
        }
    }
    (grants, ids)
}

/// A policy, or a statement of one, that cannot be read: it may grant PassRole on any role, so it is
/// a grant whose only resource is unknown (PR016 and nothing else).
fn gap_fact(
    policy: &IdentityPolicy,
    attached: &[&PolicyAttachment],
    reason: &str,
    span: Span,
    id: String,
) -> Grant {
    // A module that was not read: its reason says what was skipped.
    let gap = if policy.origin == PolicyOrigin::UnreadSource {
        reason.to_string()
    } else {
        format!(
            "a policy statement cannot be evaluated statically and may allow iam:PassRole: {reason}"
        )
    };
    Grant {
        action_match: "unknown".into(),
        attached_to: attached.iter().map(|a| a.principal.clone()).collect(),
        attribute: policy.attribute.clone(),
        conditions: Vec::new(),
        denied: false,
        effect: "Allow".into(),
        effective_not_resource: false,
        id,
        matched_by: None,
        other_actions: false,
        aws_managed: policy.is_aws_managed(),
        resource: policy.address.clone(),
        resources: vec![GrantResource {
            value: "?".into(),
            scope: "unknown".into(),
            scope_description: "a value that cannot be evaluated statically".into(),
            unknown_part: Some(reason.to_string()),
            gap: Some(gap),
            at: Some(FactLocation {
                about: None,
                span,
                resource: policy.resource().to_string(),
                related: attached.iter().map(|a| attachment_related(a)).collect(),
                kind: "statement",
            }),
            ..GrantResource::default()
        }],
        sid: None,
        statement: None,
        uses_not_resource: false,
        at: None,
        field_at: Vec::new(),
    }
}

fn attachment_related(a: &PolicyAttachment) -> Related {
    Related {
        tag: RelatedTag::Attachment,
        message: if a.via == a.policy {
            format!("the policy is held by {}", a.principal)
        } else {
            format!("{} gives the policy to {}", a.via, a.principal)
        },
        span: a.span,
    }
}

/// The facts of one statement that grants (or denies) `iam:PassRole`; None when it does not
/// mention it.
fn grant_fact(
    st: &Statement,
    index: usize,
    policy: &IdentityPolicy,
    attached: &[&PolicyAttachment],
    id: String,
) -> Option<Grant> {
    let actions = st.actions.as_ref()?;
    let texts: Vec<Text> = actions.items.iter().map(|i| i.text.clone()).collect();
    let analysis = analyze_actions(&texts, actions.negated);
    // Whether PassRole is granted at all may depend on a value that cannot be known (`actions =
    // var.actions`): such a statement is only a coverage gap (PR016), never PR010–PR015.
    let action_gap = match analysis.matched {
        Some(_) => None,
        None if analysis.unknown => Some(
            texts
                .iter()
                .find_map(|t| t.first_unknown())
                .unwrap_or("a value")
                .to_string(),
        ),
        None => return None,
    };
    // `iam:*` on `arn:aws:s3:::bucket` grants PassRole on no role: not a PassRole grant at all.
    if st.names_no_role() {
        return None;
    }
    let matched_by = if actions.negated {
        let listed: Vec<String> = actions.items.iter().map(|i| i.text.to_string()).collect();
        Some(format!("NotAction [{}]", listed.join(", ")))
    } else {
        analysis
            .matched_index
            .and_then(|i| actions.items.get(i))
            .map(|i| i.text.to_string())
    };
    let at = |span: Span, kind: &'static str| FactLocation {
        about: None,
        span,
        resource: policy.resource().to_string(),
        related: std::iter::once(Related {
            tag: RelatedTag::Statement,
            message: "the statement".into(),
            span: st.span,
        })
        .chain(attached.iter().map(|a| attachment_related(a)))
        .collect(),
        kind,
    };
    let mut field_at = vec![("other_actions", at(actions.key_span, "action"))];
    let mut resources = Vec::new();
    let mut not_resource = false;
    if let Some(reason) = &action_gap {
        resources.push(action_gap_resource(st, reason, at));
    } else if let Some(list) = &st.resources {
        not_resource = list.negated;
        if list.negated {
            // `effective_not_resource` is decided on what the Denies leave: same place.
            field_at.push(("uses_not_resource", at(list.key_span, "not_resource")));
            field_at.push(("effective_not_resource", at(list.key_span, "not_resource")));
        } else {
            resources.extend(list.items.iter().map(|item| {
                let scope = classify_passrole_resource(&item.text);
                let value = shown(&item.text);
                // The unknown part that matters: the one in the role's path or name, not the
                // account.
                let unknown_part = crate::iam::arn::name_unknown(&item.text);
                GrantResource {
                    gap: unknown_part.map(|reason| {
                        format!(
                            "it allows iam:PassRole on \"{value}\", which cannot be evaluated statically: {reason}"
                        )
                    }),
                    scope: scope.as_str().into(),
                    scope_description: scope.describe().into(),
                    unknown_part: unknown_part.map(str::to_string),
                    value,
                    at: Some(at(item.span, "resource")),
                    ..GrantResource::default()
                }
            }));
        }
    }
    let known_conditions = if action_gap.is_some() {
        &[][..]
    } else {
        &st.conditions[..]
    };
    let conditions = known_conditions
        .iter()
        .map(|c| {
            let lower = c.key.to_ascii_lowercase();
            GrantCondition {
                key: c.key.clone(),
                operator: c.operator.clone(),
                resource_tag: lower.starts_with("iam:resourcetag/")
                    || lower.starts_with("aws:resourcetag/"),
                at: Some(at(c.key_span, "condition")),
            }
        })
        .collect();
    Some(Grant {
        action_match: analysis.matched.map_or("unknown", |m| m.as_str()).into(),
        attached_to: attached.iter().map(|a| a.principal.clone()).collect(),
        attribute: policy.attribute.clone(),
        conditions,
        denied: false,
        effect: st.effect.as_str().into(),
        effective_not_resource: false,
        id,
        matched_by,
        other_actions: analysis.other_actions && action_gap.is_none(),
        aws_managed: policy.is_aws_managed(),
        resource: policy.address.clone(),
        resources,
        sid: st.sid.clone(),
        statement: Some(index),
        uses_not_resource: not_resource,
        at: Some(at(st.span, "statement")),
        field_at,
    })
}

/// The one resource fact of a statement whose actions cannot be evaluated: the gap, at the action
/// that cannot.
fn action_gap_resource(
    st: &Statement,
    reason: &str,
    at: impl Fn(Span, &'static str) -> FactLocation,
) -> GrantResource {
    let value = match &st.resources {
        Some(list) if !list.negated => list
            .items
            .iter()
            .map(|i| shown(&i.text))
            .collect::<Vec<_>>()
            .join(", "),
        Some(_) => "every role but the NotResource ones".to_string(),
        None => "no resource".to_string(),
    };
    let span = st
        .actions
        .as_ref()
        .map(|actions| {
            actions
                .items
                .iter()
                .find(|i| !i.text.is_known())
                .map_or(actions.key_span, |i| i.span)
        })
        .unwrap_or(st.span);
    GrantResource {
        gap: Some(format!(
            "whether its actions include iam:PassRole (on \"{value}\") cannot be evaluated statically: {reason}"
        )),
        scope: "unknown".into(),
        scope_description: "a value that cannot be evaluated statically".into(),
        unknown_part: Some(reason.to_string()),
        value,
        at: Some(at(span, "action")),
        ..GrantResource::default()
    }
}
