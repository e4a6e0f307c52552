//! The facts document: the JSON that rule files are written against (`passrole model PATH` prints it).
//!
//! Rust computes the IAM facts here (which principals a role trusts, whether a statement's actions
//! include `iam:PassRole`, what scope a resource pattern has); the rule files decide what is wrong.
//! Every fact that a rule can fail on is registered in a [`LocationIndex`] under its JSON pointer, so a
//! Guard failure at `/units/0/pass_edges/2/trusts_service` maps back to the span of that pass.

use crate::grant_deny::{GrantEffect, UnitDenies};
use crate::iam::action::analyze_actions;
use crate::iam::arn::classify_passrole_resource;
use crate::iam::policy::{Effect, PolicyDocument, PolicyValue, Statement};
use crate::iam::principal::{PrincipalKind, canonical_service_principal, same_service};
use crate::model::{
    IdentityPolicy, Pass, PolicyAttachment, RoleTarget, UNREAD_MODULE_SOURCE, Unit,
};
use crate::resolve::catalog::Catalog;
use crate::value::{Span, Text};
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A location a finding can point at, registered under a JSON pointer of the facts document.
#[derive(Clone, Debug)]
pub struct FactLocation {
    pub span: Span,
    /// The resource the primary location belongs to.
    pub resource: String,
    /// Related locations, each tagged with what it is (`trust`, `profile`, `other_pass`, `pass`, `statement`, `attachment`) so
    /// that a rule's metadata can choose which to show.
    pub related: Vec<Related>,
    /// What the location is, for fingerprints: `pass`, `principal`, `resource`, … (no indices).
    pub kind: &'static str,
}

#[derive(Clone, Debug)]
pub struct Related {
    pub tag: &'static str,
    pub message: String,
    pub span: Span,
}

/// JSON pointer → location.
#[derive(Debug, Default)]
pub struct LocationIndex {
    by_pointer: BTreeMap<String, FactLocation>,
}

impl LocationIndex {
    fn insert(&mut self, pointer: String, location: FactLocation) {
        self.by_pointer.insert(pointer, location);
    }

    /// Registers at `to` a copy of the location registered at `from`, if any.
    pub(crate) fn alias(&mut self, from: &str, to: String) {
        if let Some(location) = self.by_pointer.get(from).cloned() {
            self.by_pointer.insert(to, location);
        }
    }

    /// Adds `related` to the location at `prefix` and to every location registered below it.
    pub(crate) fn add_related(&mut self, prefix: &str, related: &[Related]) {
        let below = format!("{prefix}/");
        for (pointer, location) in self.by_pointer.range_mut(prefix.to_string()..) {
            if pointer != prefix && !pointer.starts_with(&below) {
                break;
            }
            location.related.extend(related.iter().cloned());
        }
    }

    /// The location registered at the longest prefix of `pointer` (segment-wise), with that prefix.
    pub fn lookup(&self, pointer: &str) -> Option<(&str, &FactLocation)> {
        let mut p = pointer;
        loop {
            if let Some((k, v)) = self.by_pointer.get_key_value(p) {
                return Some((k.as_str(), v));
            }
            let cut = p.rfind('/')?;
            p = &p[..cut];
        }
    }
}

/// The facts document and the locations of its entries.
#[derive(Debug)]
pub struct Facts {
    pub document: Document,
    pub locations: LocationIndex,
}

/// The collections of a unit that rules check element by element.
pub const COLLECTIONS: [&str; 3] = ["roles", "pass_edges", "grants"];

/// The facts document, `{"version": 1, "units": [...]}`, held compactly: each role, pass and grant as
/// its JSON text.
///
/// As a `serde_json::Value` tree, a 100 MB plan's 13,000 facts took about 50 MB (a map node and a key
/// string per field); as text they take 5 MB. The rules read them in slices and the reports look up a
/// few fields, so an element is parsed only when it is read; [`Document::to_value`] gives the whole
/// tree (`passrole model`).
#[derive(Debug, Default)]
pub struct Document {
    units: Vec<UnitDocument>,
    /// The element [`Document::field`] parsed last, by (unit, collection, index). Reports look up
    /// several fields of one element per finding, and a statement with a thousand `Resource`
    /// items gives a thousand findings in one element: without this, each lookup parsed the whole
    /// element again (quadratic, minutes on one hostile statement).
    last_element: std::sync::Mutex<Option<(ElementKey, std::sync::Arc<Value>)>>,
}

/// An element of the document: (unit, collection, index).
type ElementKey = (usize, usize, usize);

#[derive(Debug, Default)]
struct UnitDocument {
    /// The unit's fields (`id`, `kind`, `name`, `metadata`), with `null` in place of the collections.
    head: Map<String, Value>,
    /// The elements of each of [`COLLECTIONS`], in that order.
    collections: [Vec<Box<RawValue>>; 3],
}

const VERSION: u64 = 1;

impl Document {
    /// The number of units.
    pub fn unit_count(&self) -> usize {
        self.units.len()
    }

    /// The number of elements of a collection of a unit.
    pub fn len(&self, unit: usize, collection: &str) -> usize {
        self.collection(unit, collection).map_or(0, <[_]>::len)
    }

    /// Whether the document has no units.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    fn collection(&self, unit: usize, collection: &str) -> Option<&[Box<RawValue>]> {
        let c = COLLECTIONS.iter().position(|x| *x == collection)?;
        Some(&self.units.get(unit)?.collections[c])
    }

    /// The whole document as a value.
    pub fn to_value(&self) -> Value {
        let units = (0..self.units.len())
            .map(|u| self.unit_value(u, |_| None))
            .collect();
        document_value(units)
    }

    /// A unit as a value, with each collection's elements as `select` returns them for it (`None`: all
    /// of them; `Some(range)`: those, the others being left out).
    pub fn unit_value(
        &self,
        unit: usize,
        select: impl Fn(&str) -> Option<std::ops::Range<usize>>,
    ) -> Value {
        let Some(doc) = self.units.get(unit) else {
            return Value::Null;
        };
        let mut out = doc.head.clone();
        for (name, items) in COLLECTIONS.iter().zip(&doc.collections) {
            let items = match select(name) {
                None => items.as_slice(),
                Some(range) => items.get(range).unwrap_or_default(),
            };
            out.insert(
                name.to_string(),
                Value::Array(items.iter().map(|raw| parse(raw)).collect()),
            );
        }
        Value::Object(out)
    }

    /// One element of a collection, parsed (the last one asked for is kept).
    fn element(&self, unit: usize, name: &str, index: usize) -> Option<std::sync::Arc<Value>> {
        let collection = COLLECTIONS.iter().position(|c| *c == name)?;
        let key = (unit, collection, index);
        let mut last = self
            .last_element
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((k, v)) = last.as_ref()
            && *k == key
        {
            return Some(v.clone());
        }
        let element = std::sync::Arc::new(parse(self.collection(unit, name)?.get(index)?));
        *last = Some((key, element.clone()));
        Some(element)
    }

    /// The value of `key` in the object at `pointer`, when there is an object there with that key.
    /// Only the element the pointer is in is parsed.
    pub fn field(&self, pointer: &str, key: &str) -> Option<Value> {
        let segments: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let rest = |segments: &[String]| -> String {
            segments
                .iter()
                .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
                .collect()
        };
        // `Value::get` is None for anything but an object with that key, as for the tree.
        match segments.as_slice() {
            [] => match key {
                "version" => Some(Value::from(VERSION)),
                "units" => self.to_value().get("units").cloned(),
                _ => None,
            },
            [units, u] if units == "units" => {
                let u: usize = u.parse().ok()?;
                let doc = self.units.get(u)?;
                if COLLECTIONS.contains(&key) {
                    self.unit_value(u, |_| None).get(key).cloned()
                } else {
                    doc.head.get(key).cloned()
                }
            }
            [units, u, name, i, tail @ ..]
                if units == "units" && COLLECTIONS.contains(&name.as_str()) =>
            {
                let element = self.element(u.parse().ok()?, name, i.parse().ok()?)?;
                element.pointer(&rest(tail))?.get(key).cloned()
            }
            [units, u, name, tail @ ..]
                if units == "units" && !COLLECTIONS.contains(&name.as_str()) =>
            {
                let u: usize = u.parse().ok()?;
                self.units
                    .get(u)?
                    .head
                    .get(name)?
                    .pointer(&rest(tail))?
                    .get(key)
                    .cloned()
            }
            _ => None,
        }
    }
}

/// `{"version": 1, "units": units}`.
pub fn document_value(units: Vec<Value>) -> Value {
    let mut document = Map::new();
    document.insert("version".into(), Value::from(VERSION));
    document.insert("units".into(), Value::Array(units));
    Value::Object(document)
}

/// An element back as a value; the text was written by `serde_json` from a value, so it parses.
fn parse(raw: &RawValue) -> Value {
    serde_json::from_str(raw.get()).unwrap_or(Value::Null)
}

/// An element as its JSON text.
fn raw(value: &Value) -> Box<RawValue> {
    // Serializing a `Value` cannot fail (its map keys are strings).
    serde_json::value::to_raw_value(value).expect("a JSON value serializes")
}

/// A pass after following instance profiles: which role it ends at, if any.
struct ResolvedPass<'u> {
    pass: &'u Pass,
    /// (unit, role index)
    role: Option<(usize, usize)>,
    /// (profile address, span of the profile's role expression)
    profile: Option<(String, Span)>,
    unresolved: Option<String>,
}

fn resolve_pass<'u>(units: &'u [Unit], u: usize, pass: &'u Pass) -> ResolvedPass<'u> {
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

/// The trusted principals of a trust policy: every principal of an Allow statement.
struct TrustedPrincipal {
    kind: PrincipalKind,
    value: String,
    /// Whether the value is known statically (`var.principals` is not).
    known: bool,
    span: Span,
    /// `NotPrincipal` in an Allow trusts everyone but the listed.
    negated: bool,
}

/// Why a role's trust policy cannot be checked: it is unknown, or one of its principals is (a
/// variable): whether the service is trusted cannot then be known.
fn trust_gap(role: &crate::model::Role) -> Option<String> {
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

fn trusted_principals(doc: &PolicyDocument) -> Vec<TrustedPrincipal> {
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

/// Builds the facts document of a scan.
pub fn build(units: &[Unit], catalog: &Catalog) -> Facts {
    let mut locations = LocationIndex::default();
    // Every pass of the scan, resolved, grouped by the role it ends at.
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
    let mut passes_of_role: BTreeMap<(usize, usize), Vec<(usize, usize)>> = BTreeMap::new();
    for (u, passes) in resolved.iter().enumerate() {
        for (e, rp) in passes.iter().enumerate() {
            if let Some(r) = rp.role {
                passes_of_role.entry(r).or_default().push((u, e));
            }
        }
    }
    // The services a role is passed to in the worlds where pass `this` exists: passes that exist
    // only when `this` does not (`count = c ? 1 : 0` against `c ? 0 : 1`) are left out.
    let services_with = |r: (usize, usize), this: (usize, usize)| -> BTreeSet<String> {
        passes_of_role
            .get(&r)
            .into_iter()
            .flatten()
            .filter(|&&other| coexist(&resolved, this, other))
            .map(|&(u, e)| resolved[u][e].pass.principals.join("|"))
            .collect()
    };

    let mut unit_docs = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        let mut roles = Vec::new();
        for (r, role) in unit.roles.iter().enumerate() {
            let pointer = format!("/units/{u}/roles/{r}");
            let passes = passes_of_role.get(&(u, r)).cloned().unwrap_or_default();
            let accepted: Vec<&String> = passes
                .iter()
                .flat_map(|&(pu, pe)| resolved[pu][pe].pass.principals.iter())
                .collect();
            let mut principals = Vec::new();
            let mut services = BTreeSet::new();
            let (trust_known, trust_reason) = match &role.trust {
                PolicyValue::Known(doc) => {
                    for (i, p) in trusted_principals(doc).iter().enumerate() {
                        let service = (p.kind == PrincipalKind::Service)
                            .then(|| canonical_service_principal(&p.value))
                            .flatten();
                        if let Some(s) = &service {
                            services.insert(s.clone());
                        }
                        // A principal is needed when a pass needs it, or when it belongs to a declared
                        // set with one that a pass needs (Lambda@Edge: lambda + edgelambda).
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
                        principals.push(json!({
                            "kind": kind,
                            "value": p.value,
                            "service": service,
                            "accepted_by_pass": accepted_by_pass,
                        }));
                        locations.insert(
                            format!("{pointer}/principals/{i}"),
                            FactLocation {
                                span: p.span,
                                resource: role.address.clone(),
                                related: passes
                                    .iter()
                                    .map(|&(pu, pe)| pass_related(&resolved[pu][pe]))
                                    .collect(),
                                kind: "principal",
                            },
                        );
                    }
                    (true, None)
                }
                PolicyValue::Unknown { reason, .. } | PolicyValue::Invalid { reason, .. } => {
                    (false, Some(reason.clone()))
                }
            };
            let services: Vec<String> = services.into_iter().collect();
            let approved_set = catalog.approved_set_for(&services).map(|s| s.name.clone());
            let passed_to: BTreeSet<&String> = accepted.iter().copied().collect();
            let mut fact = json!({
                "id": format!("u{u}.role.{r}"),
                "resource": role.address,
                "name": role.name,
                "path": role.path.clone().unwrap_or_else(|| "/".into()),
                "passed": !passes.is_empty(),
                "passed_to": passed_to,
                "trust_known": trust_known,
                "trust_unknown_reason": trust_reason,
                "trusted_services": services,
                "multiple_services": services.len() > 1 && approved_set.is_none(),
                "approved_set": approved_set,
            });
            // Moved in, not through `json!`, which would copy it.
            if let Value::Object(o) = &mut fact {
                o.insert("principals".into(), Value::Array(principals));
            }
            roles.push(raw(&fact));
            locations.insert(
                pointer,
                FactLocation {
                    span: role.span,
                    resource: role.address.clone(),
                    related: Vec::new(),
                    kind: "role",
                },
            );
        }

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
                        PolicyValue::Unknown { span, .. } | PolicyValue::Invalid { span, .. } => {
                            *span
                        }
                    };
                    related.push(Related {
                        tag: "trust",
                        message: format!("the trust policy of {}", role.address),
                        span,
                    });
                }
                for t in trusted.iter().filter(|t| !t.negated) {
                    related.push(Related {
                        tag: "trust",
                        message: format!("{} trusts {}", role.address, t.value),
                        span: t.span,
                    });
                }
            }
            if let Some((profile, span)) = &rp.profile
                && *span != pass.span
            {
                related.push(Related {
                    tag: "profile",
                    message: format!("{profile} hands the role to EC2"),
                    span: *span,
                });
            }
            if let Some(r) = rp.role {
                for &(ou, oe) in passes_of_role.get(&r).into_iter().flatten() {
                    let other = &resolved[ou][oe];
                    if (ou, oe) != (u, e)
                        && other.pass.principals != pass.principals
                        && coexist(&resolved, (u, e), (ou, oe))
                    {
                        related.push(Related {
                            tag: "other_pass",
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
            edges.push(raw(&json!({
                "checkable": gap.is_none(),
                "gap": gap,
                "id": format!("u{u}.pass.{e}"),
                "resource": pass.passer,
                "attribute": pass.attribute,
                "service": pass.service,
                "principals": pass.principals,
                "role": role.map(|r| r.address.clone()),
                "role_resolved": role.is_some(),
                "unresolved_reason": rp.unresolved,
                "via_instance_profile": rp.profile.as_ref().map(|p| p.0.clone()),
                "trust_known": trust_known,
                "trust_unknown_reason": trust_gap,
                "trusts_service": trusts_service,
                "trusted": trusted.iter().filter(|t| !t.negated).map(|t| t.value.clone()).collect::<Vec<_>>(),
                "role_service_count": role_services.len(),
            })));
            locations.insert(
                format!("/units/{u}/pass_edges/{e}"),
                FactLocation {
                    span: pass.span,
                    resource: pass.passer.clone(),
                    related,
                    kind: "pass",
                },
            );
        }

        let mut grants = Vec::new();
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
                let pointer = format!("/units/{u}/grants/{}", grants.len());
                let mut gap = gap_fact(policy, &attached, reason, span, &pointer, &mut locations);
                GrantEffect::default().annotate(&mut gap, &pointer, &mut locations);
                grants.push(raw(&gap));
            }
            let PolicyValue::Known(doc) = &policy.document else {
                continue;
            };
            for (s, st) in doc.statements.iter().enumerate() {
                let g = grants.len();
                let pointer = format!("/units/{u}/grants/{g}");
                if let Some(mut grant) =
                    grant_fact(st, s, policy, &attached, &pointer, &mut locations)
                {
                    denies
                        .effect(p, st)
                        .annotate(&mut grant, &pointer, &mut locations);
                    grants.push(raw(&grant));
                }
            }
        }

        let mut head = Map::new();
        head.insert("id".into(), Value::String(format!("u{u}")));
        head.insert("kind".into(), json!(unit.kind.as_str()));
        head.insert("name".into(), json!(unit.name));
        // Placeholders, filled by `unit_value`: they keep the collections' place among the fields
        // (serde_json keeps insertion order here, and `passrole model` prints it).
        for name in COLLECTIONS {
            head.insert(name.into(), Value::Null);
        }
        // Each resource's `Metadata` as written (CloudFormation), by address: where suppressions
        // such as `Metadata: {passrole: {ignore: [...]}}` are read.
        head.insert(
            "metadata".into(),
            Value::Object(
                unit.metadata
                    .iter()
                    .map(|m| (m.address.clone(), m.metadata.to_json()))
                    .collect(),
            ),
        );
        unit_docs.push(UnitDocument {
            head,
            collections: [roles, edges, grants],
        });
    }
    add_plan_origins(units, &mut locations);
    Facts {
        document: Document {
            units: unit_docs,
            ..Default::default()
        },
        locations,
    }
}

/// A value for messages: literal parts as written, each unknown part as `${…}` (the reasons are
/// long; `unknown_part` carries the first).
pub(crate) fn shown(text: &Text) -> String {
    text.parts
        .iter()
        .map(|p| match p {
            crate::value::TextPart::Lit(s) => s.as_str(),
            crate::value::TextPart::Unknown(_) => "${…}",
        })
        .collect()
}

/// A fact read from a plan but located in the `.tf` source also carries its location in the plan.
fn add_plan_origins(units: &[Unit], locations: &mut LocationIndex) {
    let mut origin: HashMap<Span, Span> = HashMap::new();
    for unit in units {
        for (to, from) in &unit.origins {
            origin.entry(*to).or_insert(*from);
        }
    }
    if origin.is_empty() {
        return;
    }
    for location in locations.by_pointer.values_mut() {
        if let Some(from) = origin.get(&location.span) {
            location.related.push(Related {
                tag: "plan",
                message: "the same value in the Terraform plan".into(),
                span: *from,
            });
        }
    }
}

fn pass_related(rp: &ResolvedPass) -> Related {
    Related {
        tag: "pass",
        message: format!("{} passes the role to {}", rp.pass.passer, rp.pass.service),
        span: rp.pass.span,
    }
}

/// The facts of one statement that grants (or denies) `iam:PassRole`; None when it does not mention it.
/// A policy, or a statement of one, that cannot be read: it may grant PassRole on any role, so it is
/// a grant whose only resource is unknown (PR016 and nothing else).
fn gap_fact(
    policy: &IdentityPolicy,
    attached: &[&PolicyAttachment],
    reason: &str,
    span: Span,
    pointer: &str,
    locations: &mut LocationIndex,
) -> Value {
    let related = attached
        .iter()
        .map(|a| attachment_related(a))
        .collect::<Vec<_>>();
    locations.insert(
        format!("{pointer}/resources/0"),
        FactLocation {
            span,
            resource: policy.address.clone(),
            related,
            kind: "statement",
        },
    );
    json!({
        "id": pointer.trim_start_matches('/').replace('/', "."),
        "resource": policy.address,
        "attribute": policy.attribute,
        "attached_to": attached.iter().map(|a| &a.principal).collect::<Vec<_>>(),
        "statement": null,
        "sid": null,
        "effect": "Allow",
        "action_match": "unknown",
        "matched_by": null,
        "other_actions": false,
        "uses_not_resource": false,
        "resources": [{
            "value": "?",
            "scope": "unknown",
            "scope_description": "a value that cannot be evaluated statically",
            "unknown_part": reason,
            // A module that was not read: its reason says what was skipped.
            "gap": if policy.attribute == UNREAD_MODULE_SOURCE {
                reason.to_string()
            } else {
                format!("a policy statement cannot be evaluated statically and may allow iam:PassRole: {reason}")
            },
        }],
        "conditions": [],
    })
}

fn attachment_related(a: &PolicyAttachment) -> Related {
    Related {
        tag: "attachment",
        message: if a.via == a.policy {
            format!("the policy is held by {}", a.principal)
        } else {
            format!("{} gives the policy to {}", a.via, a.principal)
        },
        span: a.span,
    }
}

fn grant_fact(
    st: &Statement,
    index: usize,
    policy: &IdentityPolicy,
    attached: &[&PolicyAttachment],
    pointer: &str,
    locations: &mut LocationIndex,
) -> Option<Value> {
    let (address, attribute) = (policy.address.as_str(), policy.attribute.as_str());
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
    if let Some(list) = &st.resources
        && !list.negated
        && !list.items.is_empty()
        && list
            .items
            .iter()
            .all(|i| classify_passrole_resource(&i.text) == crate::iam::arn::RoleScope::NotRole)
    {
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
        span,
        resource: address.to_string(),
        related: std::iter::once(Related {
            tag: "statement",
            message: "the statement".into(),
            span: st.span,
        })
        .chain(attached.iter().map(|a| attachment_related(a)))
        .collect(),
        kind,
    };
    locations.insert(pointer.to_string(), at(st.span, "statement"));
    locations.insert(
        format!("{pointer}/other_actions"),
        at(actions.key_span, "action"),
    );
    let mut resources = Vec::new();
    let mut not_resource = false;
    if let Some(reason) = &action_gap {
        // One gap per statement, at the action that cannot be evaluated.
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
        let span = actions
            .items
            .iter()
            .find(|i| !i.text.is_known())
            .map_or(actions.key_span, |i| i.span);
        resources.push(json!({
            "value": value,
            "scope": "unknown",
            "scope_description": "a value that cannot be evaluated statically",
            "unknown_part": reason,
            "gap": format!(
                "whether its actions include iam:PassRole (on \"{value}\") cannot be evaluated statically: {reason}"
            ),
        }));
        locations.insert(format!("{pointer}/resources/0"), at(span, "action"));
    } else if let Some(list) = &st.resources {
        not_resource = list.negated;
        if list.negated {
            locations.insert(
                format!("{pointer}/uses_not_resource"),
                at(list.key_span, "not_resource"),
            );
        } else {
            for (i, item) in list.items.iter().enumerate() {
                let scope = classify_passrole_resource(&item.text);
                let value = shown(&item.text);
                // The unknown part that matters: the one in the role's path or name, not the account.
                let unknown_part = crate::iam::arn::name_unknown(&item.text);
                let gap = unknown_part.map(|reason| {
                    format!(
                        "it allows iam:PassRole on \"{value}\", which cannot be evaluated statically: {reason}"
                    )
                });
                resources.push(json!({
                    "value": value,
                    "scope": scope.as_str(),
                    "scope_description": scope.describe(),
                    "unknown_part": unknown_part,
                    "gap": gap,
                }));
                locations.insert(
                    format!("{pointer}/resources/{i}"),
                    at(item.span, "resource"),
                );
            }
        }
    }
    let mut conditions = Vec::new();
    let known_conditions = if action_gap.is_some() {
        &[][..]
    } else {
        &st.conditions[..]
    };
    for (i, c) in known_conditions.iter().enumerate() {
        let lower = c.key.to_ascii_lowercase();
        conditions.push(json!({
            "operator": c.operator,
            "key": c.key,
            "resource_tag": lower.starts_with("iam:resourcetag/") || lower.starts_with("aws:resourcetag/"),
        }));
        locations.insert(
            format!("{pointer}/conditions/{i}"),
            at(c.key_span, "condition"),
        );
    }
    let mut fact = Map::new();
    fact.insert(
        "id".into(),
        json!(pointer.trim_start_matches('/').replace('/', ".")),
    );
    fact.insert("resource".into(), json!(address));
    fact.insert("attribute".into(), json!(attribute));
    fact.insert(
        "attached_to".into(),
        json!(attached.iter().map(|a| &a.principal).collect::<Vec<_>>()),
    );
    fact.insert("statement".into(), json!(index));
    fact.insert("sid".into(), json!(st.sid));
    fact.insert("effect".into(), json!(st.effect.as_str()));
    fact.insert(
        "action_match".into(),
        json!(analysis.matched.map_or("unknown", |m| m.as_str())),
    );
    fact.insert("matched_by".into(), json!(matched_by));
    fact.insert(
        "other_actions".into(),
        json!(analysis.other_actions && action_gap.is_none()),
    );
    fact.insert("uses_not_resource".into(), json!(not_resource));
    fact.insert("resources".into(), Value::Array(resources));
    fact.insert("conditions".into(), Value::Array(conditions));
    Some(Value::Object(fact))
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
