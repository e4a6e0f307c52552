//! Which services a principal can make use a role (`rules/service-use.toml`), as far as the
//! PassRole grant's conditions (`iam:PassedToService`, `iam:AssociatedResourceArn`) let it.

use crate::iam::action::wildcard_match;
use crate::iam::permissions::Permissions;
use crate::iam::policy::Statement;
use crate::iam::principal::same_service;
use crate::resolve::service_use::ServiceUses;
use crate::value::Span;

/// The actions that put a role in an instance profile, for a principal that launches EC2 with a
/// role no profile of the scan holds.
const PROFILE_ACTIONS: [&str; 2] = ["iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile"];

/// What a PassRole statement's conditions allow.
#[derive(Debug, Default)]
pub struct Conditions {
    /// `iam:PassedToService` values (globs) and whether the operator negates them.
    passed_to_service: Option<(Vec<String>, bool)>,
    /// `iam:AssociatedResourceArn` values (globs) and whether the operator negates them.
    associated: Option<(Vec<String>, bool)>,
    /// A condition passrole does not evaluate (another key, or one whose values are unknown): the
    /// path cannot be decided.
    pub unevaluated: Option<String>,
}

impl Conditions {
    pub fn of(statement: &Statement) -> Conditions {
        let mut out = Conditions::default();
        if statement.condition_span.is_some() && statement.conditions.is_empty() {
            out.unevaluated = Some("a Condition that cannot be evaluated statically".into());
        }
        for c in &statement.conditions {
            let key = c.key.to_ascii_lowercase();
            let values: Option<Vec<String>> =
                c.values.iter().map(|v| v.text.as_literal()).collect();
            let slot = match key.as_str() {
                "iam:passedtoservice" => &mut out.passed_to_service,
                "iam:associatedresourcearn" => &mut out.associated,
                _ => {
                    out.unevaluated
                        .get_or_insert_with(|| format!("`{}`", c.key));
                    continue;
                }
            };
            let operator = c.operator.to_ascii_lowercase();
            match values {
                Some(values)
                    if operator.starts_with("string")
                        || operator.starts_with("arn")
                        || operator.starts_with("forallvalues:string")
                        || operator.starts_with("foranyvalue:string") =>
                {
                    *slot = Some((values, operator.contains("not")));
                }
                _ => {
                    out.unevaluated.get_or_insert_with(|| {
                        format!(
                            "`{}` ({} with a value that cannot be evaluated)",
                            c.key, c.operator
                        )
                    });
                }
            }
        }
        out
    }

    fn allows_service(&self, principal: &str) -> bool {
        self.passed_to_service
            .as_ref()
            .is_none_or(|(values, negated)| {
                let hit = values
                    .iter()
                    .any(|v| same_service(v, principal) || wildcard_match(v, principal));
                hit != *negated
            })
    }

    fn allows_arn_service(&self, arn_service: &str) -> bool {
        self.associated.as_ref().is_none_or(|(values, negated)| {
            let hit = values.iter().any(|v| {
                v == "*"
                    || v.split(':')
                        .nth(2)
                        .is_some_and(|s| wildcard_match(s, arn_service))
            });
            hit != *negated
        })
    }
}

/// A service the principal can make use the role.
#[derive(Clone, Debug)]
pub struct ServiceMatch {
    /// `AWS Lambda`.
    pub service: String,
    /// The service principal the role trusts.
    pub principal: String,
    /// The actions, for messages: `lambda:CreateFunction and lambda:InvokeFunction`.
    pub how: String,
    /// The statement (origin in the principal's permissions) that allows the first action.
    pub action_origin: usize,
    /// The role's trusted principal.
    pub trust_span: Option<Span>,
}

/// An action set a principal is allowed: the actions joined for messages, and the origin of the
/// statement that allows the first.
type AllowedSet = (String, usize);

/// What a principal can make services do with a role, whichever role: computed once per holder.
#[derive(Debug, Default)]
pub struct HolderUses {
    /// Per service of the data file (by index): the first action set the principal is allowed
    /// that needs no instance profile, and the first one that needs one: (actions, origin of the
    /// statement allowing the first action).
    by_service: Vec<(usize, Option<AllowedSet>, Option<AllowedSet>)>,
    /// The principal may create instance profiles and put roles in them.
    makes_profiles: bool,
}

impl HolderUses {
    pub fn of(x: &Permissions) -> HolderUses {
        // Most principals are allowed none of these actions: a cheap look at the Allow
        // statements' action names settles that before the exact (and costlier) comparisons.
        let may_allow = |action: &str| {
            x.statements.iter().any(|st| {
                st.allow
                    && (st.actions.negated
                        || st
                            .actions
                            .items
                            .iter()
                            .any(|p| wildcard_match(p.over(), action)))
            })
        };
        let allowed = |actions: &[String]| -> Option<AllowedSet> {
            if !actions.iter().all(|a| may_allow(a)) {
                return None;
            }
            let origins: Option<Vec<usize>> = actions
                .iter()
                .map(|a| x.certainly_allows_action(a))
                .collect();
            let first = origins?.first().copied().unwrap_or(0);
            Some((actions.join(" and "), first))
        };
        let mut by_service = Vec::new();
        for (i, service) in ServiceUses::builtin().services.iter().enumerate() {
            let find = |profile: bool| {
                service
                    .uses
                    .iter()
                    .filter(|u| u.requires_instance_profile == profile)
                    .find_map(|u| allowed(&u.actions))
            };
            let (plain, with_profile) = (find(false), find(true));
            if plain.is_some() || with_profile.is_some() {
                by_service.push((i, plain, with_profile));
            }
        }
        HolderUses {
            makes_profiles: !by_service.is_empty()
                && PROFILE_ACTIONS
                    .iter()
                    .all(|a| x.certainly_allows_action(a).is_some()),
            by_service,
        }
    }

    /// The principal can make some service use some role.
    pub fn any(&self) -> bool {
        !self.by_service.is_empty()
    }

    /// The services the principal can make use a role that trusts `trusted` (in an instance
    /// profile when `in_profile`), as far as the grant's conditions allow.
    pub fn usable(
        &self,
        trusted: &[(String, Span)],
        conditions: &Conditions,
        in_profile: bool,
    ) -> Vec<ServiceMatch> {
        let services = &ServiceUses::builtin().services;
        let mut out = Vec::new();
        for (i, plain, with_profile) in &self.by_service {
            let Some(service) = services.get(*i) else {
                continue;
            };
            let profile_ok = in_profile || self.makes_profiles;
            let Some((how, origin)) = plain
                .as_ref()
                .or(with_profile.as_ref().filter(|_| profile_ok))
            else {
                continue;
            };
            let Some((_, span)) = trusted
                .iter()
                .find(|(p, _)| same_service(p, &service.principal))
            else {
                continue;
            };
            if !conditions.allows_service(&service.principal)
                || !conditions.allows_arn_service(&service.arn_service)
            {
                continue;
            }
            out.push(ServiceMatch {
                service: service.name.clone(),
                principal: service.principal.clone(),
                how: how.clone(),
                action_origin: *origin,
                trust_span: Some(*span),
            });
        }
        out
    }
}
