//! Escalation paths: who can pass which role, to which service, gaining what.
//!
//! For each Allow of `iam:PassRole` and each role its resource matches, the holders of the grant
//! (roles, users, a group's members, permission sets) are checked: can the holder make a service
//! the role trusts use a role (`rules/service-use.toml`), and does the role allow something the
//! holder is not allowed ([`crate::iam::permissions::exceeds`])? Rust computes these facts; rule
//! PR020 decides on them (and PR021 states the paths that cannot be decided).

mod holders;
mod services;

use super::document::{FactLocation, Related, RelatedTag};
use super::passes::ResolvedPass;
use super::roles::trusted_principals;
use super::types::{Escalation, IdentityFact};
use crate::iam::arn::{is_account, role_arn_pattern_matches};
use crate::iam::permissions::{Pattern, describe, exceeds};
use crate::iam::policy::{Effect, PolicyValue, Statement};
use crate::iam::principal::{PrincipalKind, canonical_service_principal};
use crate::model::{Role, Unit};
use crate::value::{Span, Text, TextPart};
pub use holders::{Holder, holders};
use services::{Conditions, HolderUses, ServiceMatch};
use std::collections::BTreeSet;

/// Roles matched per grant at most: a grant on `role/*` in a unit of thousands of roles is PR010
/// already; past this many, the rest are not compared, and one undecided fact (a PR021 note at
/// the grant) says so.
const MAX_ROLES_PER_GRANT: usize = 200;

/// The holders of every unit, computed once: escalations compare holders of two units when a
/// pass links them.
pub(super) struct AllHolders<'u> {
    pub units: Vec<Vec<Holder<'u>>>,
    /// What each holder can make services do with a role, by unit and holder: computed for the
    /// holders of PassRole grants only, when first asked.
    uses: Vec<Vec<std::cell::OnceCell<HolderUses>>>,
    /// (unit, role) of the roles an instance profile of the scan holds (EC2 can be handed them).
    in_profile: std::collections::HashSet<(usize, usize)>,
}

impl<'u> AllHolders<'u> {
    pub fn new(units_model: &'u [Unit]) -> AllHolders<'u> {
        let units: Vec<Vec<Holder>> = units_model.iter().map(holders).collect();
        let uses = units
            .iter()
            .map(|hs| hs.iter().map(|_| std::cell::OnceCell::new()).collect())
            .collect();
        // (unit, role) of every role an instance profile of the scan holds.
        let in_profile = units_model
            .iter()
            .enumerate()
            .flat_map(|(pu, unit)| {
                unit.profiles.iter().filter_map(move |p| match p.role {
                    crate::model::RoleTarget::Role(i) => Some((pu, i)),
                    crate::model::RoleTarget::External(eu, i) => Some((eu, i)),
                    _ => None,
                })
            })
            .collect();
        AllHolders {
            units,
            uses,
            in_profile,
        }
    }

    /// What holder `h` of unit `u` can make services do with a role.
    fn uses(&self, u: usize, h: usize) -> &HolderUses {
        self.uses[u][h].get_or_init(|| HolderUses::of(&self.units[u][h].permissions))
    }
}

/// The identity facts of unit `u`.
pub(super) fn identity_facts(u: usize, all: &AllHolders) -> Vec<IdentityFact> {
    all.units[u]
        .iter()
        .enumerate()
        .map(|(i, h)| IdentityFact {
            id: format!("u{u}.identity.{i}"),
            kind: h.kind.as_str().into(),
            resource: h.address.to_string(),
            name: h.name.map(str::to_string),
            groups: h.groups.clone(),
            policies: h.policies.clone(),
            statements: h.statements.len(),
            permissions_known: h.unknown.is_empty(),
            unknown_reasons: h.unknown.clone(),
            at: Some(FactLocation {
                span: h.span,
                resource: h.address.to_string(),
                related: Vec::new(),
                kind: "identity",
                about: None,
            }),
        })
        .collect()
}

/// A PassRole Allow statement of a unit's policy: where it is and who holds it.
struct GrantStatement<'u> {
    policy: usize,
    statement: &'u Statement,
    /// (holder index, origin of the statement in the holder's permissions)
    holders: Vec<(usize, usize)>,
    grant_id: String,
}

/// The escalation facts of unit `u`. `grant_ids` gives the grant fact of (policy, statement).
pub(super) fn escalation_facts(
    units: &[Unit],
    u: usize,
    all: &AllHolders,
    resolved: &[Vec<ResolvedPass>],
    grant_ids: &std::collections::HashMap<(usize, usize), usize>,
) -> Vec<Escalation> {
    let unit = &units[u];
    let mut out = Vec::new();
    let candidates = candidate_roles(units, u, resolved);
    for grant in grant_statements(u, unit, &all.units[u], grant_ids) {
        // A holder that can make no service use a role has no path, whatever it can pass.
        if !grant.holders.iter().any(|&(h, _)| all.uses(u, h).any()) {
            continue;
        }
        let Some(resources) = grant
            .statement
            .resources
            .as_ref()
            .filter(|list| !list.negated)
        else {
            continue;
        };
        let conditions = Conditions::of(grant.statement);
        let items: Vec<(Option<ItemGlob>, &crate::iam::policy::Item)> = resources
            .items
            .iter()
            .map(|item| (ItemGlob::of(&item.text), item))
            .collect();
        let mut matched = 0;
        for &(ru, ri) in &candidates {
            let role = &units[ru].roles[ri];
            let Some((_, item)) = items
                .iter()
                .find(|(glob, _)| glob.as_ref().is_some_and(|g| g.matches(units, u, ru, role)))
            else {
                continue;
            };
            matched += 1;
            if matched > MAX_ROLES_PER_GRANT {
                out.push(capped(u, out.len(), &all.units[u], &grant, units, item));
                break;
            }
            let path = Path {
                units,
                all,
                u,
                role: (ru, ri),
                grant: &grant,
                conditions: &conditions,
            };
            if let Some(fact) = path.fact(out.len(), item.text.to_string(), item.span) {
                out.push(fact);
            }
        }
    }
    out
}

/// The fact that stands for the roles of a grant past [`MAX_ROLES_PER_GRANT`]: undecided, so that
/// PR021 says at the grant that they were not compared.
fn capped(
    u: usize,
    n: usize,
    holders: &[Holder],
    grant: &GrantStatement,
    units: &[Unit],
    item: &crate::iam::policy::Item,
) -> Escalation {
    let first = grant.holders.first().and_then(|&(h, _)| holders.get(h));
    let principal = first.map_or_else(String::new, |h| h.address.to_string());
    let policy = &units[u].policies[grant.policy];
    Escalation {
        id: format!("u{u}.escalation.{n}"),
        principal_kind: first.map_or_else(String::new, |h| h.kind.as_str().into()),
        holders: grant
            .holders
            .iter()
            .filter_map(|&(h, _)| holders.get(h).map(|x| x.address.to_string()))
            .collect(),
        grant: grant.grant_id.clone(),
        grant_resource: item.text.to_string(),
        role: format!("more than {MAX_ROLES_PER_GRANT} roles"),
        role_unit: format!("u{u}"),
        can_pass: true,
        can_use_service: true,
        trusts_service: true,
        services: vec!["the services they trust".into()],
        how: "any of rules/service-use.toml".into(),
        decided: false,
        undecided_reason: Some(format!(
            "the grant matches more than {MAX_ROLES_PER_GRANT} roles; the roles past the first \
             {MAX_ROLES_PER_GRANT} were not compared with {principal}"
        )),
        exceeds: false,
        difference: String::new(),
        principal,
        at: Some(FactLocation {
            span: item.span,
            resource: policy.resource().to_string(),
            related: Vec::new(),
            kind: "escalation",
            about: Some("(roles past the limit)".into()),
        }),
    }
}

/// The roles a grant of unit `u` is compared with: the unit's own, and those of other units that a
/// pass of `u` hands to a service (linked by ARN, name or export).
fn candidate_roles(
    units: &[Unit],
    u: usize,
    resolved: &[Vec<ResolvedPass>],
) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = (0..units[u].roles.len()).map(|r| (u, r)).collect();
    let linked: BTreeSet<(usize, usize)> = resolved
        .get(u)
        .into_iter()
        .flatten()
        .filter_map(|rp| rp.role)
        .filter(|(ru, _)| *ru != u)
        .collect();
    out.extend(linked);
    out
}

/// Every Allow statement of the unit's policies that allows `iam:PassRole`, with its holders.
fn grant_statements<'u>(
    u: usize,
    unit: &'u Unit,
    holders: &[Holder<'u>],
    grant_ids: &std::collections::HashMap<(usize, usize), usize>,
) -> Vec<GrantStatement<'u>> {
    // (policy, statement) → its holders, with the statement's origin in each one's permissions.
    let mut held: std::collections::HashMap<(usize, usize), Vec<(usize, usize)>> =
        std::collections::HashMap::new();
    for (h, holder) in holders.iter().enumerate() {
        for (origin, s) in holder.statements.iter().enumerate() {
            held.entry((s.policy, s.index))
                .or_default()
                .push((h, origin));
        }
    }
    let mut out = Vec::new();
    for (p, policy) in unit.policies.iter().enumerate() {
        let PolicyValue::Known(doc) = &policy.document else {
            continue;
        };
        for (index, statement) in doc.statements.iter().enumerate() {
            if statement.effect != Effect::Allow || !statement.covers_passrole_action() {
                continue;
            }
            let held_by = held.remove(&(p, index)).unwrap_or_default();
            if held_by.is_empty() {
                continue;
            }
            let grant_id = grant_ids
                .get(&(p, index))
                .map_or_else(String::new, |g| format!("units.{u}.grants.{g}"));
            out.push(GrantStatement {
                policy: p,
                statement,
                holders: held_by,
                grant_id,
            });
        }
    }
    out
}

/// A PassRole resource item as a glob that certainly names roles (unknown parts, an account id,
/// read as `*`), with its literal account.
struct ItemGlob {
    glob: String,
    account: Option<String>,
}

impl ItemGlob {
    /// None when the item names no role certainly: unknown as a whole, or in its path or name
    /// (PR016 says so).
    fn of(text: &Text) -> Option<ItemGlob> {
        if !unknown_only_before_role(text) {
            return None;
        }
        let glob = match holders::pattern(text) {
            Pattern::Glob(g) => g,
            Pattern::Partial { over } => over,
        };
        let account = glob
            .split(':')
            .nth(4)
            .filter(|a| is_account(a))
            .map(str::to_string);
        Some(ItemGlob { glob, account })
    }

    /// Whether the item matches the role. A literal account other than the role's unit's is
    /// another account's role.
    fn matches(&self, units: &[Unit], u: usize, ru: usize, role: &Role) -> bool {
        if let Some(account) = &self.account {
            let role_account = units[ru].account.as_deref().or(units[u].account.as_deref());
            if role_account.is_some_and(|ra| ra != account) {
                return false;
            }
        }
        // A role without a static name is named the way the sources write its ARN
        // (`{LogicalId}`, which only a wildcard matches).
        match &role.name {
            Some(name) => {
                role_arn_pattern_matches(&self.glob, role.path.as_deref().unwrap_or("/"), name)
            }
            None => role_arn_pattern_matches(
                &self.glob,
                role.path.as_deref().unwrap_or("/"),
                &format!("{{{}}}", role.address),
            ),
        }
    }
}

/// Whether every unknown part of a resource comes before a literal `:role/` (an account id, a
/// partition): such a value still names its roles. A value unknown as a whole, or in its path or
/// name, names no role certainly.
fn unknown_only_before_role(text: &Text) -> bool {
    if text.is_known() {
        return true;
    }
    let mut seen_role = false;
    for part in &text.parts {
        match part {
            TextPart::Lit(s) if s.contains(":role/") => seen_role = true,
            TextPart::Unknown(_) if seen_role => return false,
            _ => {}
        }
    }
    seen_role
}

/// One (grant, role) pair being decided.
struct Path<'a, 'u> {
    units: &'u [Unit],
    all: &'a AllHolders<'u>,
    u: usize,
    role: (usize, usize),
    grant: &'a GrantStatement<'u>,
    conditions: &'a Conditions,
}

/// The verdict for one holder, ordered from weakest to strongest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    NoService,
    NotExceeding,
    Undecided,
    Exceeding,
}

struct HolderVerdict {
    holder: usize,
    strength: Strength,
    services: Vec<ServiceMatch>,
    undecided: Option<String>,
    excess: Vec<crate::iam::permissions::Excess>,
}

impl Path<'_, '_> {
    fn role_holder(&self) -> &Holder<'_> {
        &self.all.units[self.role.0][self.role.1]
    }

    fn role_model(&self) -> &Role {
        &self.units[self.role.0].roles[self.role.1]
    }

    /// The escalation fact of this (grant, role), or None when no holder can pass the role (a
    /// Deny it holds cancels the grant, or the only holder is the role itself).
    fn fact(&self, n: usize, grant_resource: String, item_span: Span) -> Option<Escalation> {
        let verdicts: Vec<HolderVerdict> = self
            .grant
            .holders
            .iter()
            .filter_map(|&(h, _)| self.verdict(h))
            .collect();
        // The first holder with the strongest verdict (`max_by_key` keeps the last).
        let best = verdicts.iter().rev().max_by_key(|v| v.strength)?;
        let x = &self.all.units[self.u][best.holder];
        let role = self.role_model();
        let role_shown = if self.role.0 == self.u {
            role.address.clone()
        } else {
            format!("{} of {}", role.address, self.units[self.role.0].name)
        };
        let related = self.related(best, x);
        let policy = &self.units[self.u].policies[self.grant.policy];
        Some(Escalation {
            id: format!("u{}.escalation.{n}", self.u),
            principal: x.address.to_string(),
            principal_kind: x.kind.as_str().into(),
            holders: verdicts
                .iter()
                .map(|v| self.all.units[self.u][v.holder].address.to_string())
                .collect(),
            grant: self.grant.grant_id.clone(),
            grant_resource,
            role: role_shown.clone(),
            role_unit: format!("u{}", self.role.0),
            can_pass: true,
            // Holders that can make no service use a role give no verdict.
            can_use_service: true,
            trusts_service: !best.services.is_empty(),
            services: best.services.iter().map(|s| s.service.clone()).collect(),
            how: best
                .services
                .first()
                .map(|s| s.how.clone())
                .unwrap_or_default(),
            decided: best.undecided.is_none(),
            undecided_reason: best.undecided.clone(),
            exceeds: best.strength == Strength::Exceeding,
            difference: if best.excess.is_empty() {
                String::new()
            } else {
                describe(&best.excess, 3)
            },
            at: Some(FactLocation {
                span: item_span,
                resource: policy.resource().to_string(),
                related,
                kind: "escalation",
                about: Some(role_shown),
            }),
        })
    }

    /// What holder `h` of the grant can do with the role; None when it cannot pass it.
    fn verdict(&self, h: usize) -> Option<HolderVerdict> {
        let x = &self.all.units[self.u][h];
        let r = self.role_holder();
        // The role passing itself gains nothing.
        if self.role.0 == self.u && x.role == Some(self.role.1) {
            return None;
        }
        let role = self.role_model();
        if self.denied(x) {
            return None;
        }
        let uses = self.all.uses(self.u, h);
        if !uses.any() {
            return None;
        }
        let trusted = trusted_services(role);
        let in_profile = self.in_instance_profile();
        let mut v = HolderVerdict {
            holder: h,
            strength: Strength::NoService,
            services: uses.usable(&trusted, self.conditions, in_profile),
            undecided: None,
            excess: Vec::new(),
        };
        if v.services.is_empty() {
            return Some(v);
        }
        v.excess = exceeds(&r.permissions, &x.permissions);
        let partial = |h: &Holder| {
            h.unknown.first().map(|why| {
                (
                    Strength::Undecided,
                    Some(format!(
                        "{}'s permissions are partially known: {why}",
                        h.address
                    )),
                )
            })
        };
        let (strength, undecided) = if v.excess.is_empty() {
            if allows_everything(&x.permissions) {
                // Nothing can be more than everything, whatever the role's unknown policies hold.
                (Strength::NotExceeding, None)
            } else {
                partial(r).unwrap_or((Strength::NotExceeding, None))
            }
        } else if let Some(other) = &self.conditions.unevaluated {
            // Whether the holder can pass the role at all depends on the condition.
            (
                Strength::Undecided,
                Some(format!(
                    "the PassRole statement is conditioned on {other}, which passrole does not evaluate"
                )),
            )
        } else {
            partial(x).unwrap_or((Strength::Exceeding, None))
        };
        v.strength = strength;
        v.undecided = undecided;
        Some(v)
    }

    /// Whether a Deny the holder has certainly denies passing the role: unconditioned, its actions
    /// include `iam:PassRole`, and its `Resource` names the role (as a grant's resource would) or
    /// its `NotResource` does not.
    fn denied(&self, x: &Holder) -> bool {
        let (ru, ri) = self.role;
        let role = &self.units[ru].roles[ri];
        x.statements.iter().any(|held| {
            let st = held.statement;
            // Only an unconditioned Deny of PassRole certainly denies.
            if st.effect != Effect::Deny
                || st.condition_span.is_some()
                || !st.covers_passrole_action()
            {
                return false;
            }
            let Some(resources) = &st.resources else {
                return false;
            };
            let names_role = resources.items.iter().any(|i| {
                ItemGlob::of(&i.text).is_some_and(|g| g.matches(self.units, self.u, ru, role))
            });
            if resources.negated {
                // A NotResource item that cannot be read may exclude the role: not certain.
                resources.items.iter().all(|i| i.text.is_known()) && !names_role
            } else {
                names_role
            }
        })
    }

    /// Whether an instance profile of the role's unit holds the role (EC2 can then be handed it).
    fn in_instance_profile(&self) -> bool {
        self.all.in_profile.contains(&self.role)
    }

    /// The related locations: the holder's statement that allows the service action, the role's
    /// trusted principal, the role's statement that allows what the holder lacks, and the group
    /// membership the holder has the grant through.
    fn related(&self, v: &HolderVerdict, x: &Holder) -> Vec<Related> {
        let mut out = Vec::new();
        if let Some(s) = v.services.first() {
            if let Some(held) = x.statements.get(s.action_origin) {
                out.push(Related {
                    tag: RelatedTag::ServiceAction,
                    message: format!("{} is allowed {} here", x.address, s.how),
                    span: held
                        .statement
                        .actions
                        .as_ref()
                        .map_or(held.statement.span, |a| a.span),
                });
            }
            if let Some(span) = s.trust_span {
                out.push(Related {
                    tag: RelatedTag::Trust,
                    message: format!("{} trusts {}", self.role_model().address, s.principal),
                    span,
                });
            }
        }
        out.extend(self.held_through(v.holder, x));
        let r = self.role_holder();
        let mut shown = BTreeSet::new();
        for e in &v.excess {
            if !shown.insert(e.origin) {
                continue;
            }
            if let Some(held) = r.statements.get(e.origin) {
                out.push(Related {
                    tag: RelatedTag::Excess,
                    message: format!(
                        "{} allows `{}` on `{}` here, which {} is not allowed",
                        r.address, e.action, e.resource, x.address
                    ),
                    span: held
                        .statement
                        .actions
                        .as_ref()
                        .map_or(held.statement.span, |a| a.span),
                });
            }
        }
        out
    }
}

impl Path<'_, '_> {
    /// How holder `h` has the grant: the group membership it has it through, or the attachment
    /// that gives it the policy.
    fn held_through(&self, h: usize, x: &Holder) -> Option<Related> {
        let unit = &self.units[self.u];
        let (_, origin) = self.grant.holders.iter().find(|(hh, _)| *hh == h)?;
        let held = x.statements.get(*origin)?;
        if let Some(g) = held.through_group {
            let group = &unit.identities[g];
            let m = unit.memberships.iter().find(|m| {
                holders::names(x.address, x.name, &m.user)
                    && holders::names(&group.address, group.name.as_deref(), &m.group)
            })?;
            return Some(Related {
                tag: RelatedTag::Attachment,
                message: format!(
                    "{} is a member of {}, which holds the grant",
                    x.address, group.address
                ),
                span: m.span,
            });
        }
        let policy = &unit.policies[held.policy];
        let a = unit.attachments.iter().find(|a| {
            a.policy == policy.address && holders::names(x.address, x.name, &a.principal)
        })?;
        Some(Related {
            tag: RelatedTag::Attachment,
            message: format!("the policy is given to {} here", x.address),
            span: a.span,
        })
    }
}

/// Whether the permissions certainly allow every action on every resource (`*` on `*`, no Deny).
fn allows_everything(p: &crate::iam::permissions::Permissions) -> bool {
    use crate::iam::permissions::{PatternList, PermissionStatement, Permissions};
    let star = || PatternList {
        negated: false,
        items: vec![Pattern::Glob("*".into())],
    };
    let everything = Permissions {
        statements: vec![PermissionStatement {
            allow: true,
            actions: star(),
            resources: star(),
            conditioned: false,
            origin: 0,
        }],
    };
    exceeds(&everything, p).is_empty()
}

/// The services a role's trust policy trusts, in their global form, with the span of each.
fn trusted_services(role: &Role) -> Vec<(String, Span)> {
    let PolicyValue::Known(doc) = &role.trust else {
        return Vec::new();
    };
    trusted_principals(doc)
        .into_iter()
        .filter(|p| p.kind == PrincipalKind::Service && p.known && !p.negated)
        .filter_map(|p| Some((canonical_service_principal(&p.value)?, p.span)))
        .collect()
}
