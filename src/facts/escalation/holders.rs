//! Who holds which identity policy statements: each role, user, group and permission set of a unit
//! with the statements of the policies it holds (inline, attached, and for a user its groups'), as
//! [`Permissions`] for the IAM comparisons, and what keeps its permissions from being fully known.

use crate::iam::permissions::{Pattern, PatternList, PermissionStatement, Permissions};
use crate::iam::policy::{Effect, ElementList, PolicyValue, Statement};
use crate::model::{IdentityKind, PolicyOrigin, Unit};
use crate::value::{Span, Text, TextPart};
use std::collections::{BTreeSet, HashMap};

/// What a holder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HolderKind {
    Role,
    Identity(IdentityKind),
}

impl HolderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HolderKind::Role => "role",
            HolderKind::Identity(kind) => kind.as_str(),
        }
    }
}

/// A statement a holder has, and where it comes from.
#[derive(Clone, Copy, Debug)]
pub struct HeldStatement<'u> {
    /// Index into `Unit::policies`.
    pub policy: usize,
    /// Index of the statement in its policy.
    pub index: usize,
    pub statement: &'u Statement,
    /// The group the statement is held through, for a user (index into `Unit::identities`).
    pub through_group: Option<usize>,
}

/// A principal of a unit with the statements it holds.
#[derive(Debug)]
pub struct Holder<'u> {
    pub kind: HolderKind,
    pub address: &'u str,
    pub name: Option<&'u str>,
    pub span: Span,
    /// Index into `Unit::roles` for a role.
    pub role: Option<usize>,
    pub statements: Vec<HeldStatement<'u>>,
    /// The policies it holds, as `address` or `address.attribute`, in the order found.
    pub policies: Vec<String>,
    /// The groups a user is a member of, as the scan shows them.
    pub groups: Vec<String>,
    /// Why its permissions are only partially known (empty: fully known).
    pub unknown: Vec<String>,
    /// The statements as the comparisons read them; `origin` indexes `statements`.
    pub permissions: Permissions,
}

/// Every holder of the unit: its roles (in `Unit::roles` order), then its identities.
pub fn holders(unit: &Unit) -> Vec<Holder<'_>> {
    let mut out: Vec<Holder> = unit
        .roles
        .iter()
        .enumerate()
        .map(|(r, role)| {
            let mut h = empty(
                HolderKind::Role,
                &role.address,
                role.name.as_deref(),
                role.span,
            );
            h.role = Some(r);
            h
        })
        .collect();
    out.extend(unit.identities.iter().map(|i| {
        empty(
            HolderKind::Identity(i.kind),
            &i.address,
            i.name.as_deref(),
            i.span,
        )
    }));
    let index = UnitIndex::new(unit);
    for h in &mut out {
        collect_own(unit, &index, h, None, h.address.to_string().as_str());
    }
    // A user holds its groups' policies too.
    for h in out
        .iter_mut()
        .filter(|h| h.kind == HolderKind::Identity(IdentityKind::User))
    {
        let groups: Vec<usize> = unit
            .memberships
            .iter()
            .filter(|m| names(h.address, h.name, &m.user))
            .filter_map(|m| {
                h.groups.push(m.group.clone());
                unit.identities.iter().position(|i| {
                    i.kind == IdentityKind::Group && names(&i.address, i.name.as_deref(), &m.group)
                })
            })
            .collect();
        for g in groups {
            let group = &unit.identities[g];
            collect_own(unit, &index, h, Some(g), &group.address);
        }
        h.groups.sort();
        h.groups.dedup();
    }
    for h in &mut out {
        h.permissions = permissions(&h.statements);
    }
    out
}

fn empty<'u>(kind: HolderKind, address: &'u str, name: Option<&'u str>, span: Span) -> Holder<'u> {
    Holder {
        kind,
        address,
        name,
        span,
        role: None,
        statements: Vec::new(),
        policies: Vec::new(),
        groups: Vec::new(),
        unknown: Vec::new(),
        permissions: Permissions {
            statements: Vec::new(),
        },
    }
}

/// Whether `shown` (an attachment's or membership's principal as the sources show it: the address,
/// or a literal name in quotes) is the principal at `address` named `name`.
pub(super) fn names(address: &str, name: Option<&str>, shown: &str) -> bool {
    shown == address
        || name
            .is_some_and(|n| shown.strip_prefix('"').and_then(|s| s.strip_suffix('"')) == Some(n))
}

/// The unit's policies, attachments and opaque policies by the keys holders look them up with, so
/// that collecting every holder's statements is linear in the unit (a plan of thousands of roles,
/// policies and attachments).
struct UnitIndex<'u> {
    /// `IdentityPolicy::resource()` → policies held inline by that resource.
    inline: HashMap<&'u str, Vec<usize>>,
    /// `IdentityPolicy::address` → policies.
    by_address: HashMap<&'u str, Vec<usize>>,
    /// `PolicyAttachment::principal` (as shown) → the attached policies' addresses.
    attached: HashMap<&'u str, Vec<&'u str>>,
    /// `OpaquePolicy::principal` → opaque policies.
    opaque: HashMap<&'u str, Vec<usize>>,
}

impl<'u> UnitIndex<'u> {
    fn new(unit: &'u Unit) -> UnitIndex<'u> {
        let mut index = UnitIndex {
            inline: HashMap::new(),
            by_address: HashMap::new(),
            attached: HashMap::new(),
            opaque: HashMap::new(),
        };
        for (i, p) in unit.policies.iter().enumerate() {
            if p.origin == PolicyOrigin::Written {
                index.inline.entry(p.resource()).or_default().push(i);
            }
            index
                .by_address
                .entry(p.address.as_str())
                .or_default()
                .push(i);
        }
        for a in &unit.attachments {
            let list = index.attached.entry(a.principal.as_str()).or_default();
            list.push(a.policy.as_str());
        }
        for (i, o) in unit.opaque_policies.iter().enumerate() {
            index
                .opaque
                .entry(o.principal.as_str())
                .or_default()
                .push(i);
        }
        index
    }
}

/// The ways a principal is shown in attachments and memberships: its address, or its name in
/// quotes.
fn shown_as(address: &str, name: Option<&str>) -> Vec<String> {
    let mut keys = vec![address.to_string()];
    keys.extend(name.map(|n| format!("\"{n}\"")));
    keys
}

/// Adds the statements of the policies the principal at `address` holds inline or by attachment
/// (and the opaque ones as unknowns) to `h`.
fn collect_own<'u>(
    unit: &'u Unit,
    index: &UnitIndex<'u>,
    h: &mut Holder<'u>,
    through: Option<usize>,
    address: &str,
) {
    let name = match through {
        Some(g) => unit.identities[g].name.as_deref(),
        None => h.name,
    };
    let keys = shown_as(address, name);
    let mut held: BTreeSet<usize> = index
        .inline
        .get(address)
        .into_iter()
        .flatten()
        .copied()
        .collect();
    for key in &keys {
        for policy in index.attached.get(key.as_str()).into_iter().flatten() {
            held.extend(index.by_address.get(policy).into_iter().flatten());
        }
    }
    let via = |what: String| match through {
        Some(g) => format!("{what} (through the group {})", unit.identities[g].address),
        None => what,
    };
    for p in held {
        let policy = &unit.policies[p];
        h.policies
            .push(via(format!("{}.{}", policy.address, policy.attribute)));
        if let Some(why) = &policy.partial {
            h.unknown.push(via(why.clone()));
        }
        match &policy.document {
            PolicyValue::Known(doc) => {
                for (reason, _) in &doc.unknown_statements {
                    h.unknown.push(via(format!(
                        "a statement of {} cannot be evaluated statically: {reason}",
                        policy.address
                    )));
                }
                h.statements
                    .extend(doc.statements.iter().enumerate().map(|(index, statement)| {
                        HeldStatement {
                            policy: p,
                            index,
                            statement,
                            through_group: through,
                        }
                    }));
            }
            PolicyValue::Unknown { reason, .. } | PolicyValue::Invalid { reason, .. } => {
                h.unknown.push(via(format!(
                    "the policy {} cannot be read: {reason}",
                    policy.address
                )));
            }
        }
    }
    let opaque: BTreeSet<usize> = keys
        .iter()
        .flat_map(|k| index.opaque.get(k.as_str()).into_iter().flatten().copied())
        .collect();
    for o in opaque {
        h.unknown.push(via(unit.opaque_policies[o].reason.clone()));
    }
}

/// The statements as the IAM comparisons read them. A statement whose effect cannot be read is
/// left out (it grants nothing certain); the caller reports the holder's permissions as partial
/// through its policy's unknowns when that matters.
fn permissions(statements: &[HeldStatement]) -> Permissions {
    Permissions {
        statements: statements
            .iter()
            .enumerate()
            .filter_map(|(origin, held)| {
                let st = held.statement;
                let allow = match st.effect {
                    Effect::Allow => true,
                    Effect::Deny => false,
                    Effect::Unknown => return None,
                };
                // A statement without `Action` is invalid in IAM: it allows nothing.
                let actions = patterns(st.actions.as_ref()?);
                let resources = st.resources.as_ref().map_or_else(
                    || PatternList {
                        negated: false,
                        items: vec![Pattern::Glob("*".into())],
                    },
                    patterns,
                );
                Some(PermissionStatement {
                    allow,
                    actions,
                    resources,
                    conditioned: st.condition_span.is_some(),
                    origin,
                })
            })
            .collect(),
    }
}

fn patterns(list: &ElementList) -> PatternList {
    PatternList {
        negated: list.negated,
        items: list.items.iter().map(|i| pattern(&i.text)).collect(),
    }
}

/// A value as a glob: as written when known, else with each unknown part as `*` (all it may be).
pub fn pattern(text: &Text) -> Pattern {
    match text.as_literal() {
        Some(glob) => Pattern::Glob(glob),
        None => Pattern::Partial {
            over: text
                .parts
                .iter()
                .map(|p| match p {
                    TextPart::Lit(s) => s.as_str(),
                    TextPart::Unknown(_) => "*",
                })
                .collect(),
        },
    }
}
