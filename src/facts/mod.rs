//! The facts document: the JSON that rule files are written against (`passrole model PATH` prints it).
//!
//! Rust computes the IAM facts here (which principals a role trusts, whether a statement's actions
//! include `iam:PassRole`, what scope a resource pattern has); the rule files decide what is wrong.
//! Every fact that a rule can fail on carries its location; [`register`] files each under its JSON
//! pointer in a [`LocationIndex`], so a Guard failure at `/units/0/pass_edges/2/trusts_service` maps
//! back to the span of that pass.
//!
//! The facts are typed ([`types`]); one module builds each kind: [`roles`], [`passes`], [`grants`].

pub mod docs;
mod document;
mod escalation;
mod grants;
mod passes;
mod roles;
pub mod types;

pub use document::{
    COLLECTIONS, Document, FactLocation, LocationIndex, Related, RelatedTag, document_value,
};
pub use types::schema;

use crate::model::Unit;
use crate::resolve::catalog::Catalog;
use crate::value::{Span, Text};
use document::raw;
use serde_json::{Map, Value};
use std::collections::HashMap;
use types::{Escalation, Grant, IdentityFact, PassEdge, RoleFact};

/// The facts document and the locations of its entries.
#[derive(Debug)]
pub struct Facts {
    pub document: Document,
    pub locations: LocationIndex,
}

/// Builds the facts document of a scan.
pub fn build(units: &[Unit], catalog: &Catalog) -> Facts {
    let mut locations = LocationIndex::default();
    let mut document = Document::default();
    let (resolved, passes_of_role) = passes::resolve_all(units);
    let holders = escalation::AllHolders::new(units);
    for (u, unit) in units.iter().enumerate() {
        let mut roles = roles::role_facts(u, unit, &resolved, &passes_of_role, catalog);
        let mut edges = passes::pass_edges(units, u, &resolved, &passes_of_role);
        let (mut grants, grant_ids) = grants::grant_facts(u, unit);
        let mut identities = escalation::identity_facts(u, &holders);
        let mut escalations =
            escalation::escalation_facts(units, u, &holders, &resolved, &grant_ids);
        register(
            u,
            Collections {
                roles: &mut roles,
                edges: &mut edges,
                grants: &mut grants,
                identities: &mut identities,
                escalations: &mut escalations,
            },
            &mut locations,
        );
        document.push_unit(
            unit_head(u, unit),
            unit_metadata(unit),
            [
                roles.iter().map(raw).collect(),
                edges.iter().map(raw).collect(),
                grants.iter().map(raw).collect(),
                identities.iter().map(raw).collect(),
                escalations.iter().map(raw).collect(),
            ],
        );
    }
    add_plan_origins(units, &mut locations);
    Facts {
        document,
        locations,
    }
}

/// A unit's own fields: `id`, `kind`, `name`.
fn unit_head(u: usize, unit: &Unit) -> Map<String, Value> {
    let mut head = Map::new();
    head.insert("id".into(), Value::String(format!("u{u}")));
    head.insert("kind".into(), Value::from(unit.kind.as_str()));
    head.insert("name".into(), Value::from(unit.name.as_str()));
    head
}

/// Each resource's `Metadata` as written (CloudFormation), by address: where suppressions such as
/// `Metadata: {passrole: {ignore: [...]}}` are read.
fn unit_metadata(unit: &Unit) -> Value {
    Value::Object(
        unit.metadata
            .iter()
            .map(|m| (m.address.clone(), m.metadata.to_json()))
            .collect(),
    )
}

/// Files every location the facts of unit `u` carry under its JSON pointer: the one place where
/// pointers are made, from the document's shape.
/// The facts of one unit, for [`register`].
struct Collections<'a> {
    roles: &'a mut [RoleFact],
    edges: &'a mut [PassEdge],
    grants: &'a mut [Grant],
    identities: &'a mut [IdentityFact],
    escalations: &'a mut [Escalation],
}

fn register(u: usize, c: Collections, locations: &mut LocationIndex) {
    let Collections {
        roles,
        edges,
        grants,
        identities,
        escalations,
    } = c;
    let mut put = |pointer: String, at: &mut Option<FactLocation>| {
        if let Some(at) = at.take() {
            locations.insert(pointer, at);
        }
    };
    for (r, role) in roles.iter_mut().enumerate() {
        let pointer = format!("/units/{u}/roles/{r}");
        for (i, p) in role.principals.iter_mut().enumerate() {
            put(format!("{pointer}/principals/{i}"), &mut p.at);
        }
        put(pointer, &mut role.at);
    }
    for (e, edge) in edges.iter_mut().enumerate() {
        put(format!("/units/{u}/pass_edges/{e}"), &mut edge.at);
    }
    for (g, grant) in grants.iter_mut().enumerate() {
        let pointer = format!("/units/{u}/grants/{g}");
        for (i, r) in grant.resources.iter_mut().enumerate() {
            put(format!("{pointer}/resources/{i}"), &mut r.at);
        }
        for (i, c) in grant.conditions.iter_mut().enumerate() {
            put(format!("{pointer}/conditions/{i}"), &mut c.at);
        }
        for (field, at) in std::mem::take(&mut grant.field_at) {
            put(format!("{pointer}/{field}"), &mut Some(at));
        }
        put(pointer, &mut grant.at);
    }
    for (i, identity) in identities.iter_mut().enumerate() {
        put(format!("/units/{u}/identities/{i}"), &mut identity.at);
    }
    for (e, escalation) in escalations.iter_mut().enumerate() {
        put(format!("/units/{u}/escalations/{e}"), &mut escalation.at);
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
/// Only the plan's own facts do: the `.tf` unit's fact at the same span, or another plan's, is not
/// that plan's value.
fn add_plan_origins(units: &[Unit], locations: &mut LocationIndex) {
    for (u, unit) in units.iter().enumerate() {
        if unit.origins.is_empty() {
            continue;
        }
        let mut origin: HashMap<Span, Span> = HashMap::new();
        for (to, from) in &unit.origins {
            origin.entry(*to).or_insert(*from);
        }
        for (_, location) in locations.of_unit_mut(&format!("/units/{u}/")) {
            if let Some(from) = origin.get(&location.span) {
                location.related.push(Related {
                    tag: RelatedTag::Plan,
                    message: "the same value in the Terraform plan".into(),
                    span: *from,
                });
            }
        }
    }
}

/// The unit a facts pointer (`/units/3/grants/0/...`) belongs to.
pub fn unit_of(pointer: &str) -> Option<usize> {
    pointer
        .strip_prefix("/units/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}
