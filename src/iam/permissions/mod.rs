//! IAM permission comparison on a format-neutral representation of identity policy statements.
//!
//! The callers (privilege escalation through PassRole, rule PR020) ask two kinds of questions: can a
//! principal certainly do something (call an action, pass a role), and what does a role certainly allow
//! that the principal certainly lacks ([`exceeds`]). Every answer is conservative in the direction that
//! avoids false alarms:
//!
//! * A **certain** allow is an unconditioned Allow whose lists certainly cover the request, minus any
//!   Deny that *may* cover it (a conditioned Deny, or one with unknown parts, may apply, so it blocks
//!   certainty).
//! * A **possible** allow is any Allow (conditioned or not; unknown parts read as their `over` glob) that
//!   may overlap the request, minus only unconditioned, fully known Denies that certainly cover it.
//!
//! Action names compare case-insensitively (both sides are lowercased), resources case-sensitively.
//! Both are matched as plain globs (`*` any run of characters, `:` included; `?` one character). AWS
//! lets a `*` that ends an ARN segment expand past the colon
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>);
//! reading every `*` that way is slightly wider than AWS, which makes a principal's allows and Denies
//! reach a little further: fewer certain answers, never a false difference from it.
//!
//! Nothing here knows about parsers, spans or the model: the caller builds [`Permissions`].

mod bits;
mod exceeds;
mod glob;
mod sets;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_glob;

pub use exceeds::{Excess, describe, exceeds};
pub use glob::{intersects, matches, subsumes};

use glob::literal;
use sets::GlobSet;

/// One element of `Action`/`Resource`: a glob (`*` any run, `?` one char) or a value with parts that
/// cannot be evaluated statically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// A glob as written (`s3:Get*`, `arn:aws:s3:::bucket/*`).
    Glob(String),
    /// A value with unknown parts: `over` is the glob with each unknown part replaced by `*` (what it
    /// may match at most).
    Partial { over: String },
}

impl Pattern {
    /// The glob this item matches at most: itself, or `over` for a partial value.
    pub fn over(&self) -> &str {
        match self {
            Pattern::Glob(glob) => glob,
            Pattern::Partial { over } => over,
        }
    }

    /// The glob when the value is fully known.
    pub fn known(&self) -> Option<&str> {
        match self {
            Pattern::Glob(glob) => Some(glob),
            Pattern::Partial { .. } => None,
        }
    }
}

/// The items of an `Action`/`Resource` element, or of `NotAction`/`NotResource` (`negated`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternList {
    /// `NotAction` / `NotResource`: the statement covers every value none of the items matches.
    pub negated: bool,
    pub items: Vec<Pattern>,
}

/// One statement of an identity policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionStatement {
    /// Effect Allow (true) or Deny (false).
    pub allow: bool,
    pub actions: PatternList,
    /// A statement without `Resource`: the caller passes `*`.
    pub resources: PatternList,
    /// Has a `Condition` (any): it may or may not apply.
    pub conditioned: bool,
    /// The caller's index of the statement, returned in answers.
    pub origin: usize,
}

/// Every identity policy statement that applies to one principal (or every one a role grants).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Permissions {
    pub statements: Vec<PermissionStatement>,
}

/// What one list covers at least (`certain`) and at most (`possible`).
#[derive(Clone, Debug)]
struct ListSets {
    /// Values the list certainly covers: its known items (for `NotAction`, everything but its items,
    /// and nothing at all when one item is partial, since that item may exclude anything).
    certain: GlobSet,
    /// Values the list may cover: partial items read as `over` (for `NotAction`, everything but its
    /// known items).
    possible: GlobSet,
    /// Some item has unknown parts.
    partial: bool,
}

impl ListSets {
    fn new(list: &PatternList, lowercase: bool) -> ListSets {
        let norm = |glob: &str| {
            if lowercase {
                glob.to_lowercase()
            } else {
                glob.to_owned()
            }
        };
        let partial = list.items.iter().any(|item| item.known().is_none());
        let known: Vec<String> = list
            .items
            .iter()
            .filter_map(Pattern::known)
            .map(norm)
            .collect();
        let over: Vec<String> = list.items.iter().map(|item| norm(item.over())).collect();
        let known_set = |except: bool| {
            let globs = known.iter().map(String::as_str);
            if except {
                GlobSet::except(globs)
            } else {
                GlobSet::union(globs)
            }
        };
        if list.negated {
            ListSets {
                certain: if partial {
                    GlobSet::union([])
                } else {
                    known_set(true)
                },
                possible: known_set(true),
                partial,
            }
        } else {
            ListSets {
                certain: known_set(false),
                possible: GlobSet::union(over.iter().map(String::as_str)),
                partial,
            }
        }
    }
}

/// A statement with its lists read as sets, once per query.
#[derive(Clone, Debug)]
struct Prepared {
    allow: bool,
    conditioned: bool,
    origin: usize,
    actions: ListSets,
    resources: ListSets,
}

impl Prepared {
    /// An unconditioned statement without unknown parts: it applies exactly as written.
    fn is_certain(&self) -> bool {
        !self.conditioned && !self.actions.partial && !self.resources.partial
    }

    /// Whether this statement (read at most) may cover every resource the grant `granted` certainly
    /// covers. A grant on unknown resources only may lose them all to any Deny that may overlap them.
    fn may_cancel(&self, granted: &ListSets) -> bool {
        if granted.certain.is_certainly_empty() {
            !self.resources.possible.disjoint(&granted.possible)
        } else {
            self.resources.possible.contains(&granted.certain)
        }
    }
}

/// A concrete action name as a set: lowercased, its characters taken literally.
fn action_set(action: &str) -> GlobSet {
    GlobSet::single(literal(&action.to_lowercase()))
}

impl Permissions {
    fn prepare(&self) -> Vec<Prepared> {
        self.statements
            .iter()
            .map(|s| Prepared {
                allow: s.allow,
                conditioned: s.conditioned,
                origin: s.origin,
                actions: ListSets::new(&s.actions, true),
                resources: ListSets::new(&s.resources, false),
            })
            .collect()
    }

    /// Whether the principal can certainly call `action` (a concrete name like
    /// `lambda:CreateFunction`) on at least some resource: an unconditioned Allow covers the action
    /// and names some resource, and no Deny that may match the action may also cover every resource
    /// that Allow grants (a Deny on specific resources leaves the others allowed). Returns the origin
    /// of the allowing statement.
    pub fn certainly_allows_action(&self, action: &str) -> Option<usize> {
        let statements = self.prepare();
        let action = action_set(action);
        statements
            .iter()
            .filter(|s| s.allow && !s.conditioned && s.actions.certain.contains(&action))
            .filter(|s| !s.resources.possible.is_certainly_empty())
            .find(|s| {
                !statements.iter().any(|d| {
                    !d.allow && !d.actions.possible.disjoint(&action) && d.may_cancel(&s.resources)
                })
            })
            .map(|s| s.origin)
    }

    /// Whether the principal can certainly call `action` on every resource `resource` names (a
    /// concrete ARN, or a glob that must be covered whole): an unconditioned Allow covers both, and no
    /// Deny may overlap them. Returns the origin of the allowing statement.
    pub fn certainly_allows(&self, action: &str, resource: &str) -> Option<usize> {
        let statements = self.prepare();
        let action = action_set(action);
        let resource = GlobSet::union([resource]);
        let denied = statements.iter().any(|d| {
            !d.allow
                && !d.actions.possible.disjoint(&action)
                && !d.resources.possible.disjoint(&resource)
        });
        if denied {
            return None;
        }
        statements
            .iter()
            .find(|s| {
                s.allow
                    && !s.conditioned
                    && s.actions.certain.contains(&action)
                    && s.resources.certain.contains(&resource)
            })
            .map(|s| s.origin)
    }

    /// Whether an unconditioned, fully known Deny covers `action` on every resource `resource_glob`
    /// matches (for example: a Deny cancels the PassRole of this role). Returns its origin.
    pub fn certainly_denies(&self, action: &str, resource_glob: &str) -> Option<usize> {
        let action = action_set(action);
        let resource = GlobSet::union([resource_glob]);
        self.prepare()
            .iter()
            .find(|d| {
                !d.allow
                    && d.is_certain()
                    && d.actions.certain.contains(&action)
                    && d.resources.certain.contains(&resource)
            })
            .map(|d| d.origin)
    }
}
