//! Role facts: whom each role's trust policy trusts, and which of those its passes need.

use super::document::FactLocation;
use super::passes::{PassesOfRole, ResolvedPass, pass_related};
use super::types::{RoleFact, TrustedPrincipal as PrincipalFact};
use crate::iam::policy::{Effect, PolicyDocument, PolicyValue};
use crate::iam::principal::{PrincipalKind, canonical_service_principal, same_service};
use crate::model::{Role, Unit};
use crate::resolve::catalog::Catalog;
use crate::value::Span;
use std::collections::BTreeSet;

/// The role facts of unit `u`.
pub(super) fn role_facts(
    u: usize,
    unit: &Unit,
    resolved: &[Vec<ResolvedPass>],
    passes_of_role: &PassesOfRole,
    catalog: &Catalog,
) -> Vec<RoleFact> {
    let mut roles = Vec::new();
    for (r, role) in unit.roles.iter().enumerate() {
        let passes = passes_of_role.get(&(u, r)).cloned().unwrap_or_default();
        let accepted: Vec<&String> = passes
            .iter()
            .flat_map(|&(pu, pe)| resolved[pu][pe].pass.principals.iter())
            .collect();
        let (principals, trust_known, trust_reason) = match &role.trust {
            PolicyValue::Known(doc) => {
                let related = || {
                    passes
                        .iter()
                        .map(|&(pu, pe)| pass_related(&resolved[pu][pe]))
                        .collect()
                };
                (
                    principal_facts(doc, role, &accepted, catalog, related),
                    true,
                    None,
                )
            }
            PolicyValue::Unknown { reason, .. } | PolicyValue::Invalid { reason, .. } => {
                (Vec::new(), false, Some(reason.clone()))
            }
        };
        let services: Vec<String> = principals
            .iter()
            .filter_map(|p| p.service.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let approved_set = catalog.approved_set_for(&services).map(|s| s.name.clone());
        roles.push(RoleFact {
            multiple_services: services.len() > 1 && approved_set.is_none(),
            approved_set,
            id: format!("u{u}.role.{r}"),
            name: role.name.clone(),
            passed: !passes.is_empty(),
            passed_to: accepted.iter().map(|s| s.to_string()).collect(),
            path: role.path.clone().unwrap_or_else(|| "/".into()),
            principals,
            resource: role.address.clone(),
            trust_known,
            trust_unknown_reason: trust_reason,
            trusted_services: services,
            at: Some(FactLocation {
                about: None,
                span: role.span,
                resource: role.address.clone(),
                related: Vec::new(),
                kind: "role",
            }),
        });
    }
    roles
}

/// The facts of every principal a known trust policy trusts; `related` gives the role's passes.
fn principal_facts(
    doc: &PolicyDocument,
    role: &Role,
    accepted: &[&String],
    catalog: &Catalog,
    related: impl Fn() -> Vec<super::document::Related>,
) -> Vec<PrincipalFact> {
    trusted_principals(doc)
        .into_iter()
        .map(|p| {
            let service = (p.kind == PrincipalKind::Service)
                .then(|| canonical_service_principal(&p.value))
                .flatten();
            // A principal is needed when a pass needs it, or when it belongs to a declared set
            // with one that a pass needs (Lambda@Edge: lambda + edgelambda).
            let accepted_by_pass = service.as_ref().is_some_and(|s| {
                accepted.iter().any(|a| {
                    same_service(a, s)
                        || catalog
                            .approved_set_for(&[a.to_string(), s.clone()])
                            .is_some()
                })
            });
            let kind = if p.negated {
                "not_principal"
            } else {
                p.kind.as_str()
            };
            PrincipalFact {
                accepted_by_pass,
                kind: kind.to_string(),
                service,
                value: p.value,
                at: Some(FactLocation {
                    about: None,
                    span: p.span,
                    resource: role.address.clone(),
                    related: related(),
                    kind: "principal",
                }),
            }
        })
        .collect()
}

/// The trusted principals of a trust policy: every principal of an Allow statement.
pub(super) struct TrustedPrincipal {
    pub kind: PrincipalKind,
    pub value: String,
    /// Whether the value is known statically (`var.principals` is not).
    pub known: bool,
    pub span: Span,
    /// `NotPrincipal` in an Allow trusts everyone but the listed.
    pub negated: bool,
}

/// Why a role's trust policy cannot be checked: it is unknown, or one of its principals is (a
/// variable): whether the service is trusted cannot then be known.
pub(super) fn trust_gap(role: &Role) -> Option<String> {
    match &role.trust {
        PolicyValue::Unknown { reason, .. } | PolicyValue::Invalid { reason, .. } => {
            Some(reason.clone())
        }
        PolicyValue::Known(doc) if !doc.unknown_statements.is_empty() => doc
            .unknown_statements
            .first()
            .map(|(reason, _)| reason.clone()),
        PolicyValue::Known(doc)
            if doc.statements.iter().any(|s| {
                s.effect == Effect::Allow
                    && s.principals.as_ref().is_some_and(|p| p.unknown.is_some())
            }) =>
        {
            doc.statements
                .iter()
                .find_map(|s| s.principals.as_ref().and_then(|p| p.unknown.clone()))
                .map(|r| format!("the trusted principals cannot be evaluated statically: {r}"))
        }
        // Only an unknown *service* principal leaves the question open: an `AWS`, `Federated` or
        // `CanonicalUser` entry is a non-service principal whatever its value (PR003 says so).
        PolicyValue::Known(doc) => trusted_principals(doc)
            .iter()
            .find(|p| !p.known && p.kind == PrincipalKind::Service)
            .map(|p| {
                format!(
                    "the trusted principal \"{}\" cannot be evaluated statically",
                    p.value
                )
            }),
    }
}

pub(super) fn trusted_principals(doc: &PolicyDocument) -> Vec<TrustedPrincipal> {
    let mut out = Vec::new();
    for st in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
        let Some(block) = &st.principals else {
            continue;
        };
        for p in &block.entries {
            out.push(TrustedPrincipal {
                kind: if block.negated {
                    PrincipalKind::Any
                } else {
                    p.kind
                },
                value: p.value.to_string(),
                known: p.value.is_known(),
                span: p.span,
                negated: block.negated,
            });
        }
    }
    out
}
