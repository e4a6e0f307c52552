//! What a role certainly allows that a principal certainly lacks ([`exceeds`]), and a short text for a
//! finding message ([`describe`]).
//!
//! The role's side is read at least (what it certainly allows), the principal's side at most (what it
//! may be allowed), so that a reported difference is one the principal really does not have. Two
//! approximations remain, both documented where they are made: a principal covers a request only when
//! one of its statements covers it whole (a request split across several statements reads as not
//! covered), and globs match as plain strings (`*` spans `:` in resources).

use super::glob::Sym;
use super::sets::GlobSet;
use super::{PatternList, Permissions, Prepared};

/// The most differences returned: a message names a few, and the rest is "and N more".
const MAX_EXCESS: usize = 20;

/// The most (action item × resource item) requests examined for one role; a hostile policy with
/// thousands of items on both sides stops there (fewer differences, never a false one).
const MAX_REQUESTS: usize = 10_000;

/// The most example values tried per side when a Deny of the role overlaps a request in part.
const MAX_EXAMPLES_PER_SIDE: usize = 8;

/// One thing the role certainly allows that the principal certainly lacks.
///
/// `action` and `resource` are as written in the role's statement: a glob (`s3:*`); for a value with
/// unknown parts, its `over` glob followed by ` (partly unknown)` (`arn:aws:s3:::*/* (partly unknown)`:
/// the role allows *some* value of it); for a `NotAction`/`NotResource` list (compared as a whole),
/// the keyword, a space and the items joined by `", "` (`NotAction iam:*, sts:*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excess {
    /// The role's statement (its `origin`).
    pub origin: usize,
    pub action: String,
    pub resource: String,
}

/// The keyword [`Excess::action`] starts with for a `NotAction` list.
const NOT_ACTION: &str = "NotAction";
/// The keyword [`Excess::resource`] starts with for a `NotResource` list.
const NOT_RESOURCE: &str = "NotResource";
/// What [`Excess::action`] and [`Excess::resource`] end with for a value with unknown parts.
const PARTLY_UNKNOWN: &str = " (partly unknown)";

/// One side (actions or resources) of a request taken from a role's Allow.
struct Side {
    /// The values requested: the item's glob (its `over` when partial), or everything but a
    /// `NotAction` list's items.
    set: GlobSet,
    /// The item has unknown parts: the role allows *some* value of `set`, not all of them.
    partial: bool,
    /// The item as written, for [`Excess`].
    shown: String,
}

/// The sides of one list: one per item, or one for a whole `NotAction`/`NotResource` list. A negated
/// list with an unknown item, or one that leaves no value, certainly allows nothing: no side.
fn sides(list: &PatternList, lowercase: bool, keyword: &str) -> Vec<Side> {
    let norm = |glob: &str| {
        if lowercase {
            glob.to_lowercase()
        } else {
            glob.to_owned()
        }
    };
    if !list.negated {
        return list
            .items
            .iter()
            .map(|item| Side {
                set: GlobSet::union([norm(item.over()).as_str()]),
                partial: item.known().is_none(),
                shown: match item.known() {
                    Some(glob) => glob.to_owned(),
                    None => format!("{}{PARTLY_UNKNOWN}", item.over()),
                },
            })
            .collect();
    }
    let Some(known) = list
        .items
        .iter()
        .map(|item| item.known())
        .collect::<Option<Vec<&str>>>()
    else {
        return Vec::new();
    };
    let lowered: Vec<String> = known.iter().map(|glob| norm(glob)).collect();
    let set = GlobSet::except(lowered.iter().map(String::as_str));
    // An example value proves that the complement is not empty (`NotAction: ["*"]` allows nothing).
    if set.examples(&[], 1).is_empty() {
        return Vec::new();
    }
    vec![Side {
        set,
        partial: false,
        shown: format!("{keyword} {}", known.join(", ")),
    }]
}

/// The statements a comparison reads, sorted by role.
struct Comparison<'a> {
    /// Every Deny of the role, conditioned or not: each may apply.
    role_denies: Vec<&'a Prepared>,
    /// Every Allow of the principal, conditioned or not: each may apply.
    principal_allows: Vec<&'a Prepared>,
    /// The principal's unconditioned, fully known Denies: only these certainly subtract.
    principal_denies: Vec<&'a Prepared>,
}

impl Comparison<'_> {
    /// Whether the request (`action` × `resource`) is something the role certainly allows and the
    /// principal certainly lacks.
    fn is_excess(&self, action: &Side, resource: &Side) -> bool {
        if action.partial || resource.partial {
            return self.partial_excess(action, resource);
        }
        let role_denies_all = self.role_denies.iter().any(|d| {
            d.actions.possible.contains(&action.set) && d.resources.possible.contains(&resource.set)
        });
        if role_denies_all || self.principal_covers(action, resource) {
            return false;
        }
        let role_denies_some = self.role_denies.iter().any(|d| {
            !d.actions.possible.disjoint(&action.set)
                && !d.resources.possible.disjoint(&resource.set)
        });
        // With a Deny of the role over part of the request, only a concrete value that the Deny does
        // not reach and the principal lacks shows a difference.
        !role_denies_some || self.example_excess(action, resource)
    }

    /// Whether one Allow of the principal may cover the whole request and no certain Deny of the
    /// principal takes any of it back.
    fn principal_covers(&self, action: &Side, resource: &Side) -> bool {
        let allowed = self.principal_allows.iter().any(|p| {
            p.actions.possible.contains(&action.set) && p.resources.possible.contains(&resource.set)
        });
        allowed
            && !self.principal_denies.iter().any(|d| {
                d.actions.certain.overlaps_certainly(&action.set)
                    && d.resources.certain.overlaps_certainly(&resource.set)
            })
    }

    /// A role item with unknown parts allows some value inside its `over` glob, which one is not
    /// known: a difference only when the principal may be allowed nothing there at all, and no Deny of
    /// the role may touch it.
    fn partial_excess(&self, action: &Side, resource: &Side) -> bool {
        let overlap = |p: &Prepared| {
            !p.actions.possible.disjoint(&action.set)
                && !p.resources.possible.disjoint(&resource.set)
        };
        if self.role_denies.iter().any(|d| overlap(d)) {
            return false;
        }
        let all_denied = self.principal_denies.iter().any(|d| {
            d.actions.certain.contains(&action.set) && d.resources.certain.contains(&resource.set)
        });
        all_denied || !self.principal_allows.iter().any(|p| overlap(p))
    }

    /// Searches concrete (action, resource) values of the request, steered towards the principal's
    /// patterns, for one the role's Denies do not reach and the principal lacks.
    fn example_excess(&self, action: &Side, resource: &Side) -> bool {
        // The principal's Denies first: values inside them are what it lacks most surely.
        let statements = || {
            self.principal_denies
                .iter()
                .chain(&self.principal_allows)
                .chain(&self.role_denies)
        };
        let mut action_hints: Vec<&[Sym]> = Vec::new();
        let mut resource_hints: Vec<&[Sym]> = Vec::new();
        for s in statements() {
            for (hints, list) in [
                (&mut action_hints, &s.actions),
                (&mut resource_hints, &s.resources),
            ] {
                for glob in list.certain.globs().chain(list.possible.globs()) {
                    if !hints.contains(&glob) {
                        hints.push(glob);
                    }
                }
            }
        }
        let actions = action.set.examples(&action_hints, MAX_EXAMPLES_PER_SIDE);
        let resources = resource
            .set
            .examples(&resource_hints, MAX_EXAMPLES_PER_SIDE);
        actions
            .iter()
            .any(|a| resources.iter().any(|r| self.point_excess(a, r)))
    }

    /// Whether the concrete request (`action`, `resource`) is out of the role's Denies' reach and not
    /// possibly allowed to the principal.
    fn point_excess(&self, action: &[Sym], resource: &[Sym]) -> bool {
        let role_denied = self.role_denies.iter().any(|d| {
            d.actions.possible.contains_text(action) && d.resources.possible.contains_text(resource)
        });
        if role_denied {
            return false;
        }
        let allowed = self.principal_allows.iter().any(|p| {
            p.actions.possible.contains_text(action) && p.resources.possible.contains_text(resource)
        });
        let denied = self.principal_denies.iter().any(|d| {
            d.actions.certain.contains_text(action) && d.resources.certain.contains_text(resource)
        });
        !allowed || denied
    }
}

/// A difference found, with its request sets for merging.
struct Found {
    excess: Excess,
    action: GlobSet,
    resource: GlobSet,
    /// A side has unknown parts: the role allows only some value of the sets.
    partial: bool,
}

/// Adds a difference unless one already found covers it, and drops those it covers: `s3:*` on `*`
/// stands for `s3:*` on each bucket. A partly unknown difference covers nothing (it is about some
/// value of its sets only).
fn merge(found: &mut Vec<Found>, new: Found) {
    let covers = |outer: &Found, inner: &Found| {
        !outer.partial
            && outer.action.contains(&inner.action)
            && outer.resource.contains(&inner.resource)
    };
    if found.iter().any(|old| covers(old, &new)) {
        return;
    }
    found.retain(|old| !covers(&new, old));
    found.push(new);
}

/// What the role certainly allows that the principal certainly lacks: for each unconditioned Allow of
/// the role, each action item × resource item (a `NotAction`/`NotResource` list as a whole) that no Deny
/// of the role may cover and that the principal's possible allows do not cover whole. Merged (a
/// difference covered by another is left out) and cut at the first 20.
pub fn exceeds(role: &Permissions, principal: &Permissions) -> Vec<Excess> {
    let role_statements = role.prepare();
    let principal_statements = principal.prepare();
    let comparison = Comparison {
        role_denies: role_statements.iter().filter(|s| !s.allow).collect(),
        principal_allows: principal_statements.iter().filter(|s| s.allow).collect(),
        principal_denies: principal_statements
            .iter()
            .filter(|s| !s.allow && s.is_certain())
            .collect(),
    };
    let mut found: Vec<Found> = Vec::new();
    let mut requests = 0usize;
    let grants = role.statements.iter().filter(|s| s.allow && !s.conditioned);
    'grants: for statement in grants {
        let actions = sides(&statement.actions, true, NOT_ACTION);
        let resources = sides(&statement.resources, false, NOT_RESOURCE);
        for action in &actions {
            for resource in &resources {
                requests += 1;
                if requests > MAX_REQUESTS || found.len() >= MAX_EXCESS {
                    break 'grants;
                }
                if comparison.is_excess(action, resource) {
                    let excess = Excess {
                        origin: statement.origin,
                        action: action.shown.clone(),
                        resource: resource.shown.clone(),
                    };
                    merge(
                        &mut found,
                        Found {
                            excess,
                            action: action.set.clone(),
                            resource: resource.set.clone(),
                            partial: action.partial || resource.partial,
                        },
                    );
                }
            }
        }
    }
    found.into_iter().map(|f| f.excess).collect()
}

/// One side of a difference for a message: `*` as "every action (`*`)", a negated list as "every
/// action except `…`", a partly unknown value as "`…` (partly unknown)", anything else in backticks.
fn describe_side(value: &str, keyword: &str, every: &str, star_in_words: bool) -> String {
    if let Some(over) = value.strip_suffix(PARTLY_UNKNOWN) {
        return format!("`{over}`{PARTLY_UNKNOWN}");
    }
    if let Some(items) = value
        .strip_prefix(keyword)
        .and_then(|rest| rest.strip_prefix(' '))
    {
        return format!("every {every} except `{items}`");
    }
    if star_in_words && value == "*" {
        return format!("every {every} (`*`)");
    }
    format!("`{value}`")
}

/// A short readable difference for a message: "every action (`*`) on `*`", "`s3:*` on `*`,
/// `kms:Decrypt` on `arn:aws:kms:*:*:key/*` and 3 more" (at most `max` named, at least one).
pub fn describe(excess: &[Excess], max: usize) -> String {
    if excess.is_empty() {
        return "nothing".to_owned();
    }
    let named = max.max(1).min(excess.len());
    let parts: Vec<String> = excess
        .iter()
        .take(named)
        .map(|e| {
            format!(
                "{} on {}",
                describe_side(&e.action, NOT_ACTION, "action", true),
                describe_side(&e.resource, NOT_RESOURCE, "resource", false)
            )
        })
        .collect();
    if excess.len() > named {
        return format!("{} and {} more", parts.join(", "), excess.len() - named);
    }
    match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}
