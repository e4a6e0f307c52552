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

/// The services the principal can make use the role (that the role trusts and the conditions
/// allow), and whether it can make any service of the data file use a role at all.
pub fn usable(
    x: &Permissions,
    trusted: &[(String, Span)],
    conditions: &Conditions,
    in_profile: bool,
) -> (Vec<ServiceMatch>, bool) {
    let mut out = Vec::new();
    let mut any = false;
    for service in &ServiceUses::builtin().services {
        let Some((how, origin)) = service.uses.iter().find_map(|usage| {
            let origins: Option<Vec<usize>> = usage
                .actions
                .iter()
                .map(|a| x.certainly_allows_action(a))
                .collect();
            let profile_ok = !usage.requires_instance_profile
                || in_profile
                || PROFILE_ACTIONS
                    .iter()
                    .all(|a| x.certainly_allows_action(a).is_some());
            let origins = origins.filter(|_| profile_ok)?;
            Some((
                usage.actions.join(" and "),
                origins.first().copied().unwrap_or(0),
            ))
        }) else {
            continue;
        };
        any = true;
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
            how,
            action_origin: origin,
            trust_span: Some(*span),
        });
    }
    (out, any)
}
