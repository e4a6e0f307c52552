//! How the facts are held: each role, pass and grant as its JSON text (parsed only when read), and
//! the source location of every fact a rule can fail on, by its JSON pointer.

use super::types::VERSION;
use crate::value::Span;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};

/// What a related location is, so that a rule's metadata can choose which to show (`related = [...]`
/// in its `.toml`; a tag not listed here is an error when the rule loads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelatedTag {
    /// The trust policy, or a principal it trusts.
    Trust,
    /// The instance profile a role is handed to EC2 through.
    Profile,
    /// Another pass of the same role.
    OtherPass,
    /// A pass of the role (for findings on the role's trust policy).
    Pass,
    /// A place the passed value came through (module argument, variable, local, parameter).
    Hop,
    /// The statement a grant's resource or condition is in.
    Statement,
    /// Who the policy is given to.
    Attachment,
    /// A Deny statement that narrows (or would narrow) the grant.
    Deny,
    /// The same value in a Terraform plan: always shown.
    Plan,
    /// The statement that allows a principal the actions that make a service use a role.
    ServiceAction,
    /// A role's statement that allows what the principal that can pass it is not allowed.
    Excess,
}

impl RelatedTag {
    pub const ALL: [RelatedTag; 11] = [
        RelatedTag::Trust,
        RelatedTag::Profile,
        RelatedTag::OtherPass,
        RelatedTag::Pass,
        RelatedTag::Hop,
        RelatedTag::Statement,
        RelatedTag::Attachment,
        RelatedTag::Deny,
        RelatedTag::Plan,
        RelatedTag::ServiceAction,
        RelatedTag::Excess,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RelatedTag::Trust => "trust",
            RelatedTag::Profile => "profile",
            RelatedTag::OtherPass => "other_pass",
            RelatedTag::Pass => "pass",
            RelatedTag::Hop => "hop",
            RelatedTag::Statement => "statement",
            RelatedTag::Attachment => "attachment",
            RelatedTag::Deny => "deny",
            RelatedTag::Plan => "plan",
            RelatedTag::ServiceAction => "service_action",
            RelatedTag::Excess => "excess",
        }
    }

    pub fn parse(tag: &str) -> Option<RelatedTag> {
        RelatedTag::ALL.into_iter().find(|t| t.as_str() == tag)
    }
}

/// As rule metadata writes it (`related = ["trust", "profile"]`): a tag that is not one of these is
/// an error for that rule, so a typo cannot hide a related location without a word.
impl<'de> serde::Deserialize<'de> for RelatedTag {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(deserializer)?;
        RelatedTag::parse(&tag).ok_or_else(|| {
            let known: Vec<&str> = RelatedTag::ALL.iter().map(|t| t.as_str()).collect();
            serde::de::Error::custom(format!(
                "unknown related-location tag `{tag}`: expected one of {}",
                known.join(", ")
            ))
        })
    }
}

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
    /// What else the fact is about when one location holds several facts of a rule (a PassRole
    /// grant's resource lets several roles be passed: one escalation each): findings are one per
    /// (rule, location, about), and the fingerprint includes it.
    pub about: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Related {
    pub tag: RelatedTag,
    pub message: String,
    pub span: Span,
}

/// JSON pointer → location.
#[derive(Debug, Default)]
pub struct LocationIndex {
    by_pointer: BTreeMap<String, FactLocation>,
}

impl LocationIndex {
    pub(super) fn insert(&mut self, pointer: String, location: FactLocation) {
        self.by_pointer.insert(pointer, location);
    }

    /// Every location of the unit at `prefix` (`/units/3/`), mutably.
    pub(super) fn of_unit_mut(
        &mut self,
        prefix: &str,
    ) -> impl Iterator<Item = (&String, &mut FactLocation)> {
        let prefix = prefix.to_string();
        self.by_pointer
            .range_mut(prefix.clone()..)
            .take_while(move |(p, _)| p.starts_with(&prefix))
    }

    /// The spans of the facts of the units `keep` selects (by unit index).
    pub fn spans_of_units(&self, keep: impl Fn(usize) -> bool) -> HashSet<Span> {
        self.by_pointer
            .iter()
            .filter(|(p, _)| super::unit_of(p).is_some_and(&keep))
            .map(|(_, l)| l.span)
            .collect()
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

/// The collections of a unit that rules check element by element.
pub const COLLECTIONS: [&str; 5] = ["roles", "pass_edges", "grants", "identities", "escalations"];

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
    collections: [Vec<Box<RawValue>>; 5],
}

impl Document {
    /// Adds a unit: its own fields (`id`, `kind`, `name`, `metadata`) and its collections' elements.
    /// `metadata` goes after the collections, where `passrole model` has always printed it.
    pub(super) fn push_unit(
        &mut self,
        mut head: Map<String, Value>,
        metadata: Value,
        collections: [Vec<Box<RawValue>>; 5],
    ) {
        // Placeholders, filled by `unit_value`: they keep the collections' place among the fields.
        for name in COLLECTIONS {
            head.insert(name.into(), Value::Null);
        }
        head.insert("metadata".into(), metadata);
        self.units.push(UnitDocument { head, collections });
    }

    /// What kind of input a unit was read from (`terraform`, `cloudformation`, `plan`).
    pub fn unit_kind(&self, unit: usize) -> Option<&str> {
        self.units.get(unit)?.head.get("kind")?.as_str()
    }

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

/// A fact as its JSON text.
pub(super) fn raw<T: serde::Serialize>(fact: &T) -> Box<RawValue> {
    // The facts are plain structs, strings, numbers and string-keyed maps: they serialize.
    serde_json::value::to_raw_value(fact).expect("a fact serializes")
}
