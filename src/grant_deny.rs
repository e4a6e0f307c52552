//! Which Deny statements apply to a PassRole grant, and what they leave of it.
//!
//! An Allow is checked against the Deny statements of its own policy (they go wherever the policy
//! goes) and, for each principal the scan shows holding the policy, against the Deny statements of
//! every other policy that principal holds. What is left is the union over the holders: a grant
//! that one holder's guardrail cancels still counts for a holder without it. A policy attached to
//! nobody in the scan keeps only its own Denies, since whoever holds it elsewhere is not known.
//!
//! A Deny with a condition, or whose actions cannot be evaluated, applies only sometimes or perhaps
//! not at all: it is never counted, only shown next to the finding. The grant facts get the result
//! (`effective_scope`, `denied`, ...) and the Guard rules decide on it.

use crate::facts::types::{Grant, GrantResource};
use crate::facts::{Related, RelatedTag, shown};
use crate::iam::action::analyze_actions;
use crate::iam::arn::{RoleScope, classify_passrole_resource};
use crate::iam::deny::{Budget, Overlap, UNIT_BUDGET, breadth, covers, intersect};
use crate::iam::policy::{Effect, PolicyValue, Statement};
use crate::model::Unit;
use crate::value::Text;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::rc::Rc;

/// How a Deny statement that may deny `iam:PassRole` is taken.
#[derive(Clone, Debug)]
enum DenyKind {
    /// Unconditional, with known actions that include PassRole: it narrows grants.
    Counted,
    /// Has a condition (the keys, for the reader): it denies only when the condition holds.
    Conditional(String),
    /// Whether its actions include PassRole cannot be evaluated statically.
    Unreadable,
}

#[derive(Debug)]
struct Deny<'u> {
    policy: usize,
    statement: &'u Statement,
    kind: DenyKind,
}

/// What the applicable Denies leave of one `Resource` item of an Allow.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemEffect {
    /// The patterns still allowed; empty when every role the item covers is denied.
    pub remaining: Vec<Text>,
    /// Whether a Deny changed the item.
    pub narrowed: bool,
}

impl ItemEffect {
    /// The scope that is left: the broadest of what remains, `None` when nothing does.
    pub fn scope(&self) -> Option<RoleScope> {
        self.remaining
            .iter()
            .map(classify_passrole_resource)
            .max_by_key(|s| breadth(*s))
    }
}

/// What the applicable Denies leave of an Allow statement.
#[derive(Debug, Default)]
pub struct GrantEffect {
    /// One per `Resource` item, in order; for a `NotResource` Allow, one for the `*` it starts from.
    pub items: Vec<ItemEffect>,
    /// The Denies that narrowed the grant, or that would have and are not counted (conditions,
    /// unreadable actions): shown with the finding.
    pub related: Vec<Related>,
    /// A Deny with a condition applies to the grant.
    pub conditional: bool,
}

impl GrantEffect {
    /// Every role the statement allows is denied: it grants nothing.
    pub fn denied(&self) -> bool {
        !self.items.is_empty() && self.items.iter().all(|i| i.remaining.is_empty())
    }

    /// Adds the effect to a grant fact: `denied` and `effective_not_resource` on the grant,
    /// `effective_scope`, `effective_value`, `effective_description` and `deny_note` on each of its
    /// resources; and the Denies as related locations of the grant and of everything in it.
    /// A grant whose actions cannot be evaluated (one resource fact for the whole statement) keeps
    /// its scope as written.
    pub fn annotate(&self, grant: &mut Grant) {
        let action_gap = grant.action_match == "unknown";
        let not_resource = grant.uses_not_resource;
        let denied = !action_gap && self.denied();
        for (i, resource) in grant.resources.iter_mut().enumerate() {
            let item = self.items.get(i).filter(|_| !action_gap && !not_resource);
            self.annotate_resource(resource, item);
        }
        // What a Deny leaves of a `NotResource` Allow is still "every role but ..." unless it is
        // inside a path or named roles.
        let broad_left = self.items.first().is_none_or(|i| {
            i.remaining
                .iter()
                .map(classify_passrole_resource)
                .any(|s| !matches!(s, RoleScope::Exact | RoleScope::Path | RoleScope::NotRole))
        });
        grant.denied = denied;
        grant.effective_not_resource = not_resource && !denied && (action_gap || broad_left);
        if self.related.is_empty() {
            return;
        }
        let locations = grant
            .at
            .iter_mut()
            .chain(grant.field_at.iter_mut().map(|(_, at)| at))
            .chain(grant.resources.iter_mut().filter_map(|r| r.at.as_mut()))
            .chain(grant.conditions.iter_mut().filter_map(|c| c.at.as_mut()));
        for at in locations {
            at.related.extend(self.related.iter().cloned());
        }
    }

    fn annotate_resource(&self, resource: &mut GrantResource, item: Option<&ItemEffect>) {
        let (scope, value, description) = match item.filter(|i| i.narrowed) {
            None => (
                resource.scope.clone(),
                resource.value.clone(),
                resource.scope_description.clone(),
            ),
            Some(i) => match i.scope() {
                None => (
                    "denied".to_string(),
                    String::new(),
                    "no role: a Deny denies all of it".to_string(),
                ),
                Some(scope) => {
                    let shown: Vec<String> = i.remaining.iter().map(shown).collect();
                    (
                        scope.as_str().to_string(),
                        shown.join(", "),
                        scope.describe().to_string(),
                    )
                }
            },
        };
        let mut note = String::new();
        if let Some(i) = item.filter(|i| i.narrowed && !i.remaining.is_empty()) {
            let shown: Vec<String> = i
                .remaining
                .iter()
                .map(|t| format!("\"{}\"", shown(t)))
                .collect();
            note.push_str(&format!(", which a Deny narrows to {}", shown.join(", ")));
        }
        if self.conditional {
            note.push_str(", which a Deny with a condition narrows only when the condition holds");
        }
        resource.effective_scope = scope;
        resource.effective_value = value;
        resource.effective_description = description;
        resource.deny_note = note;
    }
}

/// The Deny statements of one unit and who holds each policy.
pub struct UnitDenies<'u> {
    unit: &'u Unit,
    /// Per policy index, its Deny statements that may deny PassRole.
    denies: Vec<Vec<Deny<'u>>>,
    /// Per policy index, the principals holding it in the scan.
    holders: Vec<BTreeSet<String>>,
    /// Per principal, the policies it holds.
    held: BTreeMap<String, BTreeSet<usize>>,
    /// Per policy index, the sets of policies whose Denies apply to its grants, once computed.
    sets: Vec<Option<Rc<Vec<BTreeSet<usize>>>>>,
    budget: Budget,
}

/// How a principal is named when it cannot be evaluated: such principals may be anyone, so they
/// share no policies with each other.
const UNKNOWN_PRINCIPAL: &str = "a principal ";

impl<'u> UnitDenies<'u> {
    pub fn new(unit: &'u Unit) -> UnitDenies<'u> {
        let denies: Vec<Vec<Deny>> = unit
            .policies
            .iter()
            .enumerate()
            .map(|(p, policy)| match &policy.document {
                PolicyValue::Known(doc) => doc
                    .statements
                    .iter()
                    .filter_map(|st| deny_of(p, st))
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        let mut holders = vec![BTreeSet::new(); unit.policies.len()];
        let mut held: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for (p, policy) in unit.policies.iter().enumerate() {
            let attached = unit
                .attachments
                .iter()
                .filter(|a| a.policy == policy.address)
                .map(|a| a.principal.clone());
            // An inline policy of a role, user or group (Terraform `inline_policy`, CloudFormation
            // `Policies`) is held by the resource that holds it.
            let inline = (policy.attribute == "inline_policy.policy"
                || policy.attribute.starts_with("Policies"))
            .then(|| policy.address.clone());
            for principal in attached.chain(inline) {
                if !principal.starts_with(UNKNOWN_PRINCIPAL) {
                    held.entry(principal.clone()).or_default().insert(p);
                }
                holders[p].insert(principal);
            }
        }
        UnitDenies {
            unit,
            denies,
            sets: vec![None; unit.policies.len()],
            holders,
            held,
            budget: Budget::new(UNIT_BUDGET),
        }
    }

    /// What the Denies that apply to `statement` of policy `policy` leave of it. Only Allow
    /// statements with resources are narrowed.
    pub fn effect(&mut self, policy: usize, statement: &Statement) -> GrantEffect {
        let mut out = GrantEffect::default();
        let Some(list) = statement
            .resources
            .as_ref()
            .filter(|_| statement.effect == Effect::Allow)
        else {
            return out;
        };
        let starts: Vec<Text> = if list.negated {
            vec![Text::lit("*")]
        } else {
            list.items.iter().map(|i| i.text.clone()).collect()
        };
        let sets = self.deny_sets(policy);
        // The common case, and a bound: without Denies there is nothing to compare.
        if sets.is_empty() {
            out.items = starts
                .into_iter()
                .map(|start| ItemEffect {
                    remaining: vec![start],
                    narrowed: false,
                })
                .collect();
            return out;
        }
        let mut reported: BTreeSet<(usize, usize)> = BTreeSet::new();
        for start in &starts {
            let mut remaining: Vec<Text> = Vec::new();
            let mut seen = HashSet::new();
            for set in sets.iter() {
                for text in self.narrow(start, set, &mut out, &mut reported) {
                    if seen.insert(text.to_string()) {
                        remaining.push(text);
                    }
                }
            }
            let narrowed = remaining.len() != 1 || remaining.first() != Some(start);
            out.items.push(ItemEffect {
                remaining,
                narrowed,
            });
        }
        out
    }

    /// The sets of policies to take Denies from for a grant of `policy`: one per holder (the same
    /// set once), or the policy alone when nobody in the scan holds it. Empty when none of them has
    /// a Deny that may deny PassRole. Computed once per policy.
    fn deny_sets(&mut self, policy: usize) -> Rc<Vec<BTreeSet<usize>>> {
        if let Some(sets) = &self.sets[policy] {
            return sets.clone();
        }
        let own = BTreeSet::from([policy]);
        let sets: BTreeSet<BTreeSet<usize>> = if self.holders[policy].is_empty() {
            BTreeSet::from([own])
        } else {
            self.holders[policy]
                .iter()
                .map(|h| {
                    let mut set = own.clone();
                    set.extend(self.held.get(h).into_iter().flatten());
                    set
                })
                .collect()
        };
        let any_deny = sets.iter().flatten().any(|&p| !self.denies[p].is_empty());
        let sets = Rc::new(if any_deny {
            sets.into_iter().collect()
        } else {
            Vec::new()
        });
        self.sets[policy] = Some(sets.clone());
        sets
    }

    /// What the Denies of the policies in `set` leave of one Allow pattern.
    fn narrow(
        &mut self,
        start: &Text,
        set: &BTreeSet<usize>,
        out: &mut GrantEffect,
        reported: &mut BTreeSet<(usize, usize)>,
    ) -> Vec<Text> {
        let mut remaining = vec![start.clone()];
        let unit = self.unit;
        let budget = &mut self.budget;
        for &p in set {
            for (d, deny) in self.denies[p].iter().enumerate() {
                // Past the budget the grant stays as written: a Deny is only counted when shown.
                if !budget.spend(1) {
                    return vec![start.clone()];
                }
                let key = (p, d);
                let Some(list) = &deny.statement.resources else {
                    continue;
                };
                if !matches!(deny.kind, DenyKind::Counted) {
                    if reported.insert(key) {
                        out.conditional |= matches!(deny.kind, DenyKind::Conditional(_));
                        out.related.push(deny_related(unit, deny));
                    }
                    continue;
                }
                let before = remaining.clone();
                let items: Vec<&Text> = list.items.iter().map(|i| &i.text).collect();
                remaining = if list.negated {
                    keep_inside(remaining, &items, budget)
                } else {
                    remaining
                        .into_iter()
                        .filter(|a| !items.iter().any(|d| covers(d, a, budget)))
                        .collect()
                };
                if remaining != before && reported.insert(key) {
                    out.related.push(deny_related(unit, deny));
                }
            }
        }
        remaining
    }
}

/// What a Deny with `NotResource: items` leaves of each pattern: its overlap with the items.
fn keep_inside(remaining: Vec<Text>, items: &[&Text], budget: &mut Budget) -> Vec<Text> {
    // `NotResource: []` is not a valid statement; it narrows nothing.
    if items.is_empty() {
        return remaining;
    }
    let mut out: Vec<Text> = Vec::new();
    let mut seen = HashSet::new();
    for allow in remaining {
        let overlaps: Vec<Overlap> = items.iter().map(|n| intersect(&allow, n, budget)).collect();
        let kept: Vec<Text> = if overlaps.contains(&Overlap::Keep) {
            vec![allow]
        } else {
            items
                .iter()
                .zip(&overlaps)
                .filter(|(_, o)| **o == Overlap::Narrow)
                .map(|(n, _)| (*n).clone())
                .collect()
        };
        for text in kept {
            if seen.insert(text.to_string()) {
                out.push(text);
            }
        }
    }
    out
}

/// The Deny statement of policy `policy`, when it may deny `iam:PassRole`.
fn deny_of(policy: usize, statement: &Statement) -> Option<Deny<'_>> {
    if statement.effect != Effect::Deny {
        return None;
    }
    let actions = statement.actions.as_ref()?;
    // `Deny s3:*` on a bucket, conditional or not, has nothing to do with roles.
    if statement.names_no_role() {
        return None;
    }
    let texts: Vec<Text> = actions.items.iter().map(|i| i.text.clone()).collect();
    let analysis = analyze_actions(&texts, actions.negated);
    let kind = if analysis.matched.is_none() {
        if !analysis.unknown {
            return None;
        }
        DenyKind::Unreadable
    } else if !statement.conditions.is_empty() {
        let keys: Vec<&str> = statement
            .conditions
            .iter()
            .map(|c| c.key.as_str())
            .collect();
        DenyKind::Conditional(keys.join(", "))
    } else {
        DenyKind::Counted
    };
    Some(Deny {
        policy,
        statement,
        kind,
    })
}

/// The related location of a Deny statement, saying what it does to the grant.
fn deny_related(unit: &Unit, deny: &Deny) -> Related {
    let holder = unit
        .policies
        .get(deny.policy)
        .map_or("a policy", |p| p.address.as_str());
    let what = match &deny.statement.resources {
        Some(list) => {
            let values: Vec<String> = list
                .items
                .iter()
                .map(|i| format!("\"{}\"", i.text))
                .collect();
            if list.negated {
                format!("every role but {}", values.join(", "))
            } else {
                values.join(", ")
            }
        }
        None => "no resource".into(),
    };
    let message = match &deny.kind {
        DenyKind::Counted => format!("{holder} denies iam:PassRole on {what}"),
        DenyKind::Conditional(keys) => format!(
            "{holder} denies iam:PassRole on {what} only when its condition on {keys} holds, so \
             the grant stays as it is otherwise"
        ),
        DenyKind::Unreadable => format!(
            "{holder} has a Deny on {what} whose actions cannot be evaluated statically, so it is \
             not counted"
        ),
    };
    Related {
        tag: RelatedTag::Deny,
        message,
        span: deny.statement.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy::PolicyDocument;
    use crate::model::{IdentityPolicy, PolicyAttachment, UnitKind};
    use crate::value::{FileId, Span};

    fn policy(address: &str, json: &str) -> IdentityPolicy {
        let node = crate::source::json::parse(json, FileId(0), 0).expect("JSON");
        IdentityPolicy {
            partial: None,
            origin: crate::model::PolicyOrigin::Written,
            address: address.into(),
            attribute: "policy".into(),
            document: PolicyDocument::from_node(&node).expect("a policy"),
        }
    }

    fn attach(unit: &mut Unit, policy: &str, principal: &str) {
        unit.attachments.push(PolicyAttachment {
            policy: policy.into(),
            principal: principal.into(),
            via: policy.into(),
            span: Span::new(FileId(0), 0, 0),
        });
    }

    const ALLOW_ALL: &str =
        r#"{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}"#;
    const DENY_ALL: &str =
        r#"{"Statement": [{"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]}"#;

    /// What is left of the first statement of policy 0.
    fn effect_of(unit: &Unit) -> GrantEffect {
        let PolicyValue::Known(doc) = &unit.policies[0].document else {
            panic!("known policy")
        };
        UnitDenies::new(unit).effect(0, &doc.statements[0])
    }

    #[test]
    fn a_deny_counts_only_when_every_holder_has_it() {
        let mut unit = Unit::new(UnitKind::Terraform, "u");
        unit.policies.push(policy("allow", ALLOW_ALL));
        unit.policies.push(policy("deny", DENY_ALL));
        attach(&mut unit, "allow", "role.a");
        attach(&mut unit, "deny", "role.a");
        assert!(effect_of(&unit).denied());
        attach(&mut unit, "allow", "role.b");
        let effect = effect_of(&unit);
        assert!(!effect.denied());
        assert_eq!(effect.items[0].remaining, vec![Text::lit("*")]);
        assert!(!effect.items[0].narrowed);
    }

    #[test]
    fn principals_that_cannot_be_evaluated_share_nothing() {
        let mut unit = Unit::new(UnitKind::Terraform, "u");
        unit.policies.push(policy("allow", ALLOW_ALL));
        unit.policies.push(policy("deny", DENY_ALL));
        let unknown = "a principal that cannot be evaluated statically";
        attach(&mut unit, "allow", unknown);
        attach(&mut unit, "deny", unknown);
        assert!(!effect_of(&unit).denied());
    }

    #[test]
    fn denies_that_cannot_name_a_role_are_not_shown() {
        let mut unit = Unit::new(UnitKind::Terraform, "u");
        unit.policies.push(policy("allow", ALLOW_ALL));
        unit.policies.push(policy(
            "deny",
            r#"{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::logs/*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}"#,
        ));
        attach(&mut unit, "allow", "role.a");
        attach(&mut unit, "deny", "role.a");
        let effect = effect_of(&unit);
        assert!(effect.related.is_empty());
        assert!(!effect.conditional);
    }

    #[test]
    fn a_policy_held_by_nobody_keeps_only_its_own_denies() {
        let mut unit = Unit::new(UnitKind::Terraform, "u");
        unit.policies.push(policy(
            "allow",
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:PassRole",
                 "NotResource": "arn:aws:iam::123456789012:role/app/*"}]}"#,
        ));
        unit.policies.push(policy("deny", DENY_ALL));
        let effect = effect_of(&unit);
        assert_eq!(
            effect.items[0].remaining,
            vec![Text::lit("arn:aws:iam::123456789012:role/app/*")]
        );
        assert_eq!(effect.items[0].scope(), Some(RoleScope::Path));
        assert_eq!(effect.related.len(), 1);
    }
}
