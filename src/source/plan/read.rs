//! The parts of `terraform show -json` output the scanner needs, deserialized straight from the file's
//! text: strings are borrowed, resource values are kept as raw slices of the text (`&RawValue`) and read
//! only for resources the scanner looks at, and everything else is skipped without being built (serde's
//! derive skips unknown fields with `IgnoredAny`; [`Kept`] drops uninteresting list elements as it reads).

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::marker::PhantomData;

thread_local! {
    /// The resource types kept while a plan is deserialized on this thread (see [`KeepTypes`]).
    static KEEP: RefCell<Option<HashSet<String>>> = const { RefCell::new(None) };
}

/// Sets the resource types to keep while it lives: resources of other types are skipped as they are
/// read, so that a plan of 100,000 resources holds only the few hundred that matter.
pub struct KeepTypes;

impl KeepTypes {
    pub fn new(types: HashSet<String>) -> KeepTypes {
        KEEP.with(|k| *k.borrow_mut() = Some(types));
        KeepTypes
    }
}

impl Drop for KeepTypes {
    fn drop(&mut self) {
        KEEP.with(|k| *k.borrow_mut() = None);
    }
}

fn kept_type(ty: &str) -> bool {
    KEEP.with(|k| k.borrow().as_ref().is_none_or(|set| set.contains(ty)))
}

/// An element of a list that is kept only when it matters.
pub trait Keep {
    fn keep(&self) -> bool;
}

/// A JSON array of which only the elements that [`Keep::keep`] are stored.
#[derive(Debug)]
pub struct Kept<T>(pub Vec<T>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(Vec::new())
    }
}

impl<'de, T: Deserialize<'de> + Keep> Deserialize<'de> for Kept<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Keep> Visitor<'de> for V<T> {
            type Value = Kept<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kept<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<T>()? {
                    if item.keep() {
                        out.push(item);
                    }
                }
                Ok(Kept(out))
            }
            fn visit_unit<E>(self) -> Result<Kept<T>, E> {
                Ok(Kept(Vec::new()))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The top level of a plan (`planned_values`, ...) or of a state (`values`).
#[derive(Debug, Deserialize)]
pub struct PlanJson<'a> {
    #[serde(borrow, default)]
    pub format_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub planned_values: Option<Values<'a>>,
    #[serde(borrow, default)]
    pub values: Option<Values<'a>>,
    #[serde(borrow, default)]
    pub prior_state: Option<State<'a>>,
    #[serde(borrow, default)]
    pub resource_changes: Option<Kept<Change<'a>>>,
    #[serde(borrow, default)]
    pub configuration: Option<Configuration<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct State<'a> {
    #[serde(borrow, default)]
    pub values: Option<Values<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Values<'a> {
    #[serde(borrow, default)]
    pub root_module: Option<ModuleValues<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ModuleValues<'a> {
    #[serde(borrow, default)]
    pub resources: Kept<Resource<'a>>,
    #[serde(borrow, default)]
    pub child_modules: Option<Vec<ModuleValues<'a>>>,
}

/// A resource instance of `planned_values`/`values`.
#[derive(Debug, Deserialize)]
pub struct Resource<'a> {
    /// The address as written (a string literal), kept raw for its position.
    #[serde(borrow)]
    pub address: &'a RawValue,
    #[serde(borrow, default)]
    pub mode: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    pub ty: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub values: Option<&'a RawValue>,
}

impl Keep for Resource<'_> {
    fn keep(&self) -> bool {
        kept_type(&self.ty)
    }
}

impl Resource<'_> {
    pub fn is_data(&self) -> bool {
        self.mode.as_deref() == Some("data")
    }
}

/// A `resource_changes` entry: only its address and actions.
#[derive(Debug, Deserialize)]
pub struct Change<'a> {
    #[serde(borrow)]
    pub address: Cow<'a, str>,
    #[serde(borrow, rename = "type", default)]
    pub ty: Cow<'a, str>,
    #[serde(default)]
    pub change: ChangeBody<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ChangeBody<'a> {
    #[serde(borrow, default)]
    pub actions: Vec<Cow<'a, str>>,
}

impl Keep for Change<'_> {
    /// Only deletions matter: a role that is deleted is not passed.
    fn keep(&self) -> bool {
        kept_type(&self.ty) && self.is_delete()
    }
}

impl Change<'_> {
    pub fn is_delete(&self) -> bool {
        self.change.actions.len() == 1 && self.change.actions[0] == "delete"
    }
}

#[derive(Debug, Deserialize)]
pub struct Configuration<'a> {
    #[serde(borrow, default)]
    pub root_module: Option<ConfigModule<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfigModule<'a> {
    #[serde(borrow, default)]
    pub resources: Kept<ConfigResource<'a>>,
    #[serde(borrow, default)]
    pub module_calls: Option<BTreeMap<Cow<'a, str>, ModuleCall<'a>>>,
    #[serde(borrow, default)]
    pub outputs: Option<BTreeMap<Cow<'a, str>, Output<'a>>>,
}

#[derive(Debug, Deserialize)]
pub struct ConfigResource<'a> {
    #[serde(borrow, default)]
    pub mode: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    pub ty: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub expressions: Option<&'a RawValue>,
}

impl Keep for ConfigResource<'_> {
    fn keep(&self) -> bool {
        kept_type(&self.ty)
    }
}

#[derive(Debug, Deserialize)]
pub struct ModuleCall<'a> {
    #[serde(borrow, default)]
    pub source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub expressions: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub module: Option<ConfigModule<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Output<'a> {
    #[serde(borrow, default)]
    pub expression: Option<&'a RawValue>,
}

/// An expression of `configuration`: a constant or the references it is built from.
#[derive(Debug, Default, Deserialize)]
pub struct Expression<'a> {
    #[serde(borrow, default)]
    pub references: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    pub constant_value: Option<&'a RawValue>,
}

/// The byte offset of serde_json's 1-based line and column (columns count bytes there).
pub(super) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::offset_of;

    #[test]
    fn serde_offsets() {
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
        assert_eq!(offset_of("ab", 9, 9), 2);
    }
}
