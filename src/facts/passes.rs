//! Pass edges: every place a role is handed to a service, with the role it ends at and whether
//! that role's trust policy trusts the service.

use super::document::{FactLocation, Related, RelatedTag};
use super::roles::{trust_gap, trusted_principals};
use super::types::PassEdge;
use crate::iam::policy::PolicyValue;
use crate::iam::principal::{PrincipalKind, same_service};
use crate::model::{Pass, RoleTarget, Unit};
use crate::value::Span;
use std::collections::{BTreeMap, BTreeSet};

/// The passes of each role: (unit, role index) → (unit, pass index) of every pass ending at it.
pub(super) type PassesOfRole = BTreeMap<(usize, usize), Vec<(usize, usize)>>;

/// A pass after following instance profiles: which role it ends at, if any.
pub(super) struct ResolvedPass<'u> {
    pub pass: &'u Pass,
    /// (unit, role index)
    pub role: Option<(usize, usize)>,
    /// (profile address, span of the profile's role expression)
    pub profile: Option<(String, Span)>,
    pub unresolved: Option<String>,
}

pub(super) fn resolve_pass<'u>(units: &'u [Unit], u: usize, pass: &'u Pass) -> ResolvedPass<'u> {
    let mut out = ResolvedPass {
        pass,
        role: None,
        profile: None,
        unresolved: None,
    };
    let mut target = &pass.target;
    if let RoleTarget::Profile(i) = target
        && let Some(p) = units[u].profiles.get(*i)
    {
        out.profile = Some((p.address.clone(), p.role_span));
        target = &p.role;
    }
    match target {
        RoleTarget::Role(i) => out.role = Some((u, *i)),
        RoleTarget::External(eu, i) => out.role = Some((*eu, *i)),
        RoleTarget::Unresolved(reason) => out.unresolved = Some(reason.clone()),
        // An instance profile whose role is `null`: it hands EC2 no role.
        RoleTarget::Nothing => out.unresolved = Some("the value is null or empty".into()),
        RoleTarget::Profile(_) => {
            out.unresolved = Some("an instance profile names another instance profile".into())
        }
        RoleTarget::Arn(t) | RoleTarget::Name(t) | RoleTarget::ProfileName(t) => {
            out.unresolved = Some(format!("\"{t}\" was not linked to a role"))
        }
        RoleTarget::Import(name) => {
            out.unresolved = Some(format!("the import {name} was not linked to an export"))
        }
    }
    out
}

/// Every pass of the scan, resolved, and the passes grouped by the role they end at.
pub(super) fn resolve_all(units: &[Unit]) -> (Vec<Vec<ResolvedPass<'_>>>, PassesOfRole) {
    let resolved: Vec<Vec<ResolvedPass>> = units
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            unit.passes
                .iter()
                .map(|p| resolve_pass(units, u, p))
                .collect()
        })
        .collect();
    let mut passes_of_role = PassesOfRole::new();
    for (u, passes) in resolved.iter().enumerate() {
        for (e, rp) in passes.iter().enumerate() {
            if let Some(r) = rp.role {
                passes_of_role.entry(r).or_default().push((u, e));
            }
        }
    }
    (resolved, passes_of_role)
}

/// The pass edges of unit `u`.
pub(super) fn pass_edges(
    units: &[Unit],
    u: usize,
    resolved: &[Vec<ResolvedPass>],
    passes_of_role: &PassesOfRole,
) -> Vec<PassEdge> {
    // The services a role is passed to in the worlds where pass `this` exists: passes that exist
    // only when `this` does not (`count = c ? 1 : 0` against `c ? 0 : 1`) are left out.
    let services_with = |r: (usize, usize), this: (usize, usize)| -> BTreeSet<String> {
        passes_of_role
            .get(&r)
            .into_iter()
            .flatten()
            .filter(|&&other| coexist(resolved, this, other))
            .map(|&(u, e)| resolved[u][e].pass.principals.join("|"))
            .collect()
    };
    let mut edges = Vec::new();
    for (e, rp) in resolved[u].iter().enumerate() {
        let pass = rp.pass;
        let role = rp.role.and_then(|(ru, ri)| units[ru].roles.get(ri));
        let trust_gap = role.and_then(trust_gap);
        let (trust_known, trusts_service, trusted) = match role.map(|r| &r.trust) {
            Some(PolicyValue::Known(doc)) if trust_gap.is_none() => {
                let trusted = trusted_principals(doc);
                // A trust policy that trusts everyone (`*`, `NotPrincipal`) trusts the service too:
                // that mistake is PR003's, and reporting PR001 as well would be noise.
                let ok = trusted.iter().any(|t| {
                    (t.kind == PrincipalKind::Service
                        && pass.principals.iter().any(|p| same_service(p, &t.value)))
                        || t.kind == PrincipalKind::Any
                });
                (true, ok, trusted)
            }
            _ => (false, false, Vec::new()),
        };
        let role_services = rp
            .role
            .map(|r| services_with(r, (u, e)))
            .unwrap_or_default();
        let mut related = Vec::new();
        if let Some(role) = role {
            if trusted.is_empty() {
                let span = match &role.trust {
                    PolicyValue::Known(doc) => doc.span,
                    PolicyValue::Unknown { span, .. } | PolicyValue::Invalid { span, .. } => *span,
                };
                related.push(Related {
                    tag: RelatedTag::Trust,
                    message: format!("the trust policy of {}", role.address),
                    span,
                });
            }
            for t in trusted.iter().filter(|t| !t.negated) {
                related.push(Related {
                    tag: RelatedTag::Trust,
                    message: format!("{} trusts {}", role.address, t.value),
                    span: t.span,
                });
            }
        }
        for hop in &pass.hops {
            related.push(Related {
                tag: RelatedTag::Hop,
                message: hop.message.clone(),
                span: hop.span,
            });
        }
        if let Some((profile, span)) = &rp.profile
            && *span != pass.span
        {
            related.push(Related {
                tag: RelatedTag::Profile,
                message: format!("{profile} hands the role to EC2"),
                span: *span,
            });
        }
        if let Some(r) = rp.role {
            for &(ou, oe) in passes_of_role.get(&r).into_iter().flatten() {
                let other = &resolved[ou][oe];
                if (ou, oe) != (u, e)
                    && other.pass.principals != pass.principals
                    && coexist(resolved, (u, e), (ou, oe))
                {
                    related.push(Related {
                        tag: RelatedTag::OtherPass,
                        message: format!(
                            "{} also passes it to {}",
                            other.pass.passer, other.pass.service
                        ),
                        span: other.pass.span,
                    });
                }
            }
        }
        // PR005's coverage gap: why this pass cannot be checked, if it cannot.
        let gap = match (role, &rp.unresolved) {
            (None, reason) => Some(format!(
                "the role cannot be resolved: {}",
                reason.as_deref().unwrap_or("unknown reason")
            )),
            (Some(r), _) => trust_gap.as_ref().map(|reason| {
                format!("the trust policy of {} cannot be read: {reason}", r.address)
            }),
        };
        edges.push(PassEdge {
            attribute: pass.attribute.clone(),
            checkable: gap.is_none(),
            gap,
            id: format!("u{u}.pass.{e}"),
            principals: pass.principals.clone(),
            resource: pass.passer.clone(),
            role: role.map(|r| role_shown(units, rp, r)),
            role_resolved: role.is_some(),
            role_service_count: role_services.len(),
            role_path: role.map(|r| r.path.clone().unwrap_or_else(|| "/".into())),
            service: pass.service.clone(),
            trust_known,
            trust_unknown_reason: trust_gap,
            trusted: trusted
                .iter()
                .filter(|t| !t.negated)
                .map(|t| t.value.clone())
                .collect(),
            trusts_service,
            unresolved_reason: rp.unresolved.clone(),
            via_instance_profile: rp.profile.as_ref().map(|p| p.0.clone()),
            at: Some(FactLocation {
                about: None,
                span: pass.span,
                resource: pass.passer.clone(),
                related,
                kind: "pass",
            }),
        });
    }
    edges
}

/// The passed role as messages name it: its address, and when the name matched roles of several
/// units equally well, which unit's role this is and why it is one of several.
fn role_shown(units: &[Unit], rp: &ResolvedPass, role: &crate::model::Role) -> String {
    match (&rp.pass.ambiguity, rp.role) {
        (Some(note), Some((u, _))) => format!(
            "{} of {} ({note})",
            role.address,
            units.get(u).map(|u| u.name.as_str()).unwrap_or("?")
        ),
        _ => role.address.clone(),
    }
}

pub(super) fn pass_related(rp: &ResolvedPass) -> Related {
    Related {
        tag: RelatedTag::Pass,
        message: format!("{} passes the role to {}", rp.pass.passer, rp.pass.service),
        span: rp.pass.span,
    }
}

/// Whether two passes (unit, pass index) can exist together: not when they hang on one condition
/// of one unit with opposite values.
fn coexist(resolved: &[Vec<ResolvedPass>], a: (usize, usize), b: (usize, usize)) -> bool {
    let when = |(u, e): (usize, usize)| resolved[u][e].pass.exists_when.as_ref();
    match (when(a), when(b)) {
        (Some((ca, va)), Some((cb, vb))) => a.0 != b.0 || ca != cb || va == vb,
        _ => true,
    }
}
