//! Terraform plan and state JSON (`terraform show -json`).
//!
//! A plan is read in one pass of `serde_json` over the file's text, keeping only IAM resources and the
//! passers of the catalog (see [`read`]); their values stay raw slices of the text until they are
//! needed, so every value used keeps its byte offset in the plan. Policy documents are JSON strings in
//! the plan: they are decoded with a map back to the plan's bytes ([`strings`]) so that a finding points
//! at the exact characters of the plan.
//!
//! Values known only after apply (a role ARN of a role the plan creates) are linked through the
//! plan's `configuration`: each expression lists the references it is built from, followed across
//! module boundaries (`var.x` to the module call's argument, `module.m.out` to the module's output).
//!
//! When the Terraform configuration is found (next to the plan or under `--source DIR`), every span is
//! moved to the `.tf` source of the same resource and attribute ([`enrich`]), evaluated by the
//! Terraform source itself, and the plan's span is recorded in [`Unit::origins`].

mod config;
mod enrich;
mod identities;
mod managed;
pub mod read;
mod refs;
mod sites;
pub mod strings;

pub use config::configurations;
pub use enrich::record_fetched_calls;

use crate::iam::policy::{PolicyDocument, PolicyValue};
use crate::model::{IdentityPolicy, InstanceProfile, Role, RoleTarget, Unit, UnitKind};
use crate::resolve::catalog::{Catalog, RoleReference};
use crate::resolve::iam_resources::IamResources;
use crate::source::{ErrorKind, InputError, Position, SourceMap};
use crate::value::{FileId, Node, Span};
use enrich::Enricher;
use read::{ConfigModule, ConfigResource, Expression, KeepTypes, PlanJson, Resource, offset_of};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// Where the Terraform configuration of a plan is: its root module directory and the `.tf` files
/// (already in the source map) of it and every directory below it.
#[derive(Clone, Debug, Default)]
pub struct PlanConfig {
    pub root: PathBuf,
    /// `.tf` files by directory (canonical paths).
    pub dirs: BTreeMap<PathBuf, Vec<FileId>>,
}

/// A module path: the names of the module calls from the root (`module.a.module.b` → `["a", "b"]`).
type ModulePath = Vec<String>;

/// Lowers one plan or state file to a unit. A file that is not a readable plan gives an error of kind
/// `parse` and no unit.
pub fn lower_plan(
    file: FileId,
    sources: &SourceMap,
    catalog: &Catalog,
    config: Option<&PlanConfig>,
) -> (Option<Unit>, Vec<InputError>) {
    let Some(source) = sources.get(file) else {
        return (None, Vec::new());
    };
    let text = source.text.as_str();
    let plan: PlanJson = {
        let _keep = KeepTypes::new(kept_types(catalog));
        match serde_json::from_str(text) {
            Ok(p) => p,
            Err(e) => {
                let offset = offset_of(text, e.line(), e.column());
                return (
                    None,
                    vec![InputError {
                        file: source.display.clone(),
                        kind: ErrorKind::Parse,
                        message: format!("not a readable Terraform plan or state: {e}"),
                        position: Some(if e.line() == 0 {
                            Position { line: 1, column: 1 }
                        } else {
                            source.position(offset)
                        }),
                    }],
                );
            }
        }
    };
    let mut config_modules = HashMap::new();
    let mut config_resources = HashMap::new();
    if let Some(root) = plan
        .configuration
        .as_ref()
        .and_then(|c| c.root_module.as_ref())
    {
        index_config(root, Vec::new(), &mut config_modules, &mut config_resources);
    }
    let parsed = config.map(|c| enrich::parse(c, sources, &config_modules));
    let enricher = parsed.as_ref().map(|p| Enricher::new(sources, p));
    let mut lower = Lower::new(file, text, sources, &plan);
    lower.config_modules = config_modules;
    lower.config_resources = config_resources;
    lower.enricher = enricher.as_ref();
    let mut unit = Unit::new(UnitKind::Plan, source.display.clone());
    lower.roles(&mut unit);
    lower.identities(&mut unit);
    lower.profiles(&mut unit);
    lower.policies(&mut unit);
    lower.passes(&mut unit, catalog);
    lower.managed_policies(&mut unit);
    lower.memberships(&mut unit);
    unit.origins = std::mem::take(&mut lower.origins);
    if let Some(e) = lower.refs.borrow().budget_error(&source.display) {
        lower.errors.push(e);
    }
    (Some(unit), lower.errors)
}

/// The resource types whose resources are read: IAM resources and every passer of the catalog.
fn kept_types(catalog: &Catalog) -> HashSet<String> {
    let mut set: HashSet<String> = [
        "aws_iam_role",
        "aws_iam_instance_profile",
        "aws_iam_policy_document",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let terraform = &IamResources::builtin().terraform;
    set.extend(terraform.policy_holders.iter().map(|h| h.resource.clone()));
    set.extend(terraform.identities.iter().map(|i| i.resource.clone()));
    set.extend(terraform.memberships.iter().map(|m| m.resource.clone()));
    set.extend(
        terraform
            .managed_attachments()
            .iter()
            .map(|m| m.resource.to_string()),
    );
    set.extend(catalog.terraform.iter().map(|p| p.resource.clone()));
    set
}

/// `module.a["k"].aws_iam_role.r[0].arn` → `["module", "a", "aws_iam_role", "r", "arn"]`: the names
/// of an address or reference, instance keys dropped (a finding is per source location).
pub fn address_parts(address: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in address.chars() {
        if quoted {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' if depth > 0 => quoted = true,
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => parts.push(std::mem::take(&mut current)),
            c if depth == 0 => current.push(c),
            _ => {}
        }
    }
    parts.push(current);
    parts
}

/// The module path of a resource address (`module.a[0].module.b.aws_iam_role.r` → `["a", "b"]`).
fn module_path(address: &str) -> ModulePath {
    let parts = address_parts(address);
    let mut path = Vec::new();
    let mut i = 0;
    while i + 1 < parts.len() && parts[i] == "module" {
        path.push(parts[i + 1].clone());
        i += 2;
    }
    path
}

/// A resource of the plan, read.
#[derive(Clone)]
struct PlanResource<'a> {
    raw: &'a Resource<'a>,
    address: String,
    span: Span,
    module: ModulePath,
    /// The resource's `values` object, read key by key when needed.
    values: Option<&'a RawValue>,
}

/// What a reference of the configuration leads to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Target {
    module: ModulePath,
    data: bool,
    ty: String,
    name: String,
}

/// A value read at an attribute path of a resource.
enum Leaf<'a> {
    /// Written in the plan (a string, a list, ...): known.
    Known(&'a RawValue),
    /// Missing from the plan's values: known only after apply.
    Unknown,
}

struct Lower<'a> {
    file: FileId,
    text: &'a str,
    sources: &'a SourceMap,
    resources: Vec<PlanResource<'a>>,
    /// Data sources by (module, type, name), from `prior_state` and the planned values.
    data: HashMap<(ModulePath, String, String), &'a RawValue>,
    config_modules: HashMap<ModulePath, &'a ConfigModule<'a>>,
    config_resources: HashMap<Target, &'a ConfigResource<'a>>,
    /// Roles and profiles of the unit by (module, type, name): the first instance.
    targets: HashMap<Target, usize>,
    enricher: Option<&'a Enricher<'a>>,
    origins: Vec<(Span, Span)>,
    errors: Vec<InputError>,
    /// What the configuration's references led to, and the work spent following them.
    refs: std::cell::RefCell<refs::Resolved>,
    /// Users, groups and policies by type and name, built on first use (after every resource
    /// is read: lookups happen in `managed_policies` and `memberships`).
    names: std::cell::OnceCell<identities::Names>,
}

fn flatten<'a>(m: &'a read::ModuleValues<'a>, out: &mut Vec<&'a Resource<'a>>) {
    out.extend(m.resources.0.iter());
    for c in m.child_modules.iter().flatten() {
        flatten(c, out);
    }
}

fn index_config<'a>(
    m: &'a ConfigModule<'a>,
    path: ModulePath,
    modules: &mut HashMap<ModulePath, &'a ConfigModule<'a>>,
    resources: &mut HashMap<Target, &'a ConfigResource<'a>>,
) {
    for r in &m.resources.0 {
        resources.insert(
            Target {
                module: path.clone(),
                data: r.mode.as_deref() == Some("data"),
                ty: r.ty.to_string(),
                name: r.name.to_string(),
            },
            r,
        );
    }
    for (name, call) in m.module_calls.iter().flatten() {
        if let Some(child) = &call.module {
            let mut p = path.clone();
            p.push(name.to_string());
            index_config(child, p, modules, resources);
        }
    }
    modules.insert(path, m);
}

impl<'a> Lower<'a> {
    fn new(file: FileId, text: &'a str, sources: &'a SourceMap, plan: &'a PlanJson<'a>) -> Self {
        let mut lower = Lower {
            file,
            text,
            sources,
            resources: Vec::new(),
            data: HashMap::new(),
            config_modules: HashMap::new(),
            config_resources: HashMap::new(),
            targets: HashMap::new(),
            enricher: None,
            origins: Vec::new(),
            errors: Vec::new(),
            refs: Default::default(),
            names: Default::default(),
        };
        let mut all = Vec::new();
        // A plan's resources after apply; a state's resources as they are.
        let values = plan.planned_values.as_ref().or(plan.values.as_ref());
        if let Some(root) = values.and_then(|v| v.root_module.as_ref()) {
            flatten(root, &mut all);
        }
        let mut prior = Vec::new();
        if let Some(root) = plan
            .prior_state
            .as_ref()
            .and_then(|s| s.values.as_ref())
            .and_then(|v| v.root_module.as_ref())
        {
            flatten(root, &mut prior);
        }
        let deleted: HashSet<&str> = plan
            .resource_changes
            .iter()
            .flat_map(|c| c.0.iter())
            .filter(|c| c.is_delete())
            .map(|c| c.address.as_ref())
            .collect();
        for r in prior.iter().chain(all.iter()).filter(|r| r.is_data()) {
            let address = lower.string(r.address).unwrap_or_default();
            if let Some(json) = field(r.values, "json") {
                lower
                    .data
                    .entry((module_path(&address), r.ty.to_string(), r.name.to_string()))
                    .or_insert(json);
            }
        }
        for r in all.into_iter().filter(|r| !r.is_data()) {
            let Some((address, span)) = lower.string_span(r.address) else {
                continue;
            };
            if deleted.contains(address.as_str()) {
                continue;
            }
            let values = r.values;
            lower.resources.push(PlanResource {
                raw: r,
                module: module_path(&address),
                address,
                span,
                values,
            });
        }
        lower
    }

    /// The byte offset of a raw value in the plan's text.
    fn offset(&self, raw: &RawValue) -> usize {
        (raw.get().as_ptr() as usize)
            .checked_sub(self.text.as_ptr() as usize)
            .filter(|o| *o <= self.text.len())
            .unwrap_or(0)
    }

    fn span_of(&self, raw: &RawValue) -> Span {
        let start = self.offset(raw);
        Span::new(self.file, start, start + raw.get().len())
    }

    fn decoded(&self, raw: &RawValue) -> Option<strings::Decoded> {
        strings::decode(raw.get(), self.file, self.offset(raw))
    }

    fn string(&self, raw: &RawValue) -> Option<String> {
        self.decoded(raw).map(|d| d.text)
    }

    fn string_span(&self, raw: &RawValue) -> Option<(String, Span)> {
        self.decoded(raw).map(|d| (d.text, d.span))
    }

    fn array(&self, raw: &'a RawValue) -> Option<Vec<&'a RawValue>> {
        serde_json::from_str(raw.get()).ok()
    }

    /// The values at an attribute path of nested blocks (arrays of objects in a plan), in order.
    fn leaves(&self, values: Option<&'a RawValue>, path: &[&str]) -> Vec<Leaf<'a>> {
        match path {
            [] => Vec::new(),
            [last] => match field(values, last) {
                Some(v) if v.get() == "null" => Vec::new(),
                Some(v) => vec![Leaf::Known(v)],
                None => vec![Leaf::Unknown],
            },
            [first, rest @ ..] => {
                let Some(v) = field(values, first) else {
                    return Vec::new();
                };
                let blocks = match v.get().trim_start().as_bytes().first() {
                    Some(b'[') => self.array(v).unwrap_or_default(),
                    Some(b'{') => vec![v],
                    _ => Vec::new(),
                };
                blocks
                    .into_iter()
                    .flat_map(|b| self.leaves(Some(b), rest))
                    .collect()
            }
        }
    }

    fn config_resource(&self, r: &PlanResource) -> Option<&'a ConfigResource<'a>> {
        self.config_resources
            .get(&Target {
                module: r.module.clone(),
                data: false,
                ty: r.raw.ty.to_string(),
                name: r.raw.name.to_string(),
            })
            .copied()
    }

    /// The configuration expression at an attribute path (blocks are arrays of objects; the
    /// `index`-th block, or the only one).
    fn expression_at(
        &self,
        expressions: Option<&'a RawValue>,
        path: &[&str],
        index: usize,
    ) -> Option<(Expression<'a>, Span)> {
        match path {
            [] => None,
            [last] => {
                let raw = field(expressions, last)?;
                let e: Expression = serde_json::from_str(raw.get()).ok()?;
                Some((e, self.span_of(raw)))
            }
            [first, rest @ ..] => {
                let v = field(expressions, first)?;
                let blocks = match v.get().trim_start().as_bytes().first() {
                    Some(b'[') => self.array(v)?,
                    _ => vec![v],
                };
                let block = blocks.get(index).or(blocks.first())?;
                self.expression_at(Some(block), rest, index)
            }
        }
    }

    /// Reads a policy written as a JSON string in the plan.
    fn parse_policy(&mut self, raw: &RawValue) -> Option<Node> {
        let d = self.decoded(raw)?;
        if d.text.trim().is_empty() {
            return None;
        }
        match strings::parse_json(&d) {
            Ok(node) => Some(node),
            Err((span, message)) => {
                self.errors.push(InputError::at(
                    self.sources,
                    span,
                    ErrorKind::Parse,
                    format!("the policy string is not valid JSON: {message}"),
                ));
                None
            }
        }
    }

    /// The policy at `path` of a resource: the known string, or the data source its configuration
    /// references. Each is moved to the `.tf` when the configuration is found.
    fn policies_at(&mut self, r: &PlanResource<'a>, path: &[&str]) -> Vec<PolicyValue> {
        let leaves = self.leaves(r.values, path);
        let tf = self
            .enricher
            .map(|e| e.policies(&r.module, &r.raw.ty, &r.raw.name, path))
            .unwrap_or_default();
        let count = leaves.len();
        let mut out = Vec::new();
        for (i, leaf) in leaves.into_iter().enumerate() {
            let tf_node = if tf.len() == count { tf.get(i) } else { None }.or(if tf.len() == 1 {
                tf.first()
            } else {
                None
            });
            let mut from_tf = false;
            let node = match leaf {
                Leaf::Known(raw) => {
                    if !raw.get().starts_with('"') {
                        // An object (a provider that stores policies decoded): not written by
                        // Terraform's AWS provider; read it as JSON all the same.
                        crate::source::json::parse(raw.get(), self.file, self.offset(raw)).ok()
                    } else {
                        self.parse_policy(raw)
                    }
                }
                // Known only after apply (`Resource = aws_s3_bucket.b.arn` inside): the data
                // source the plan read, else the policy as the `.tf` evaluates it, whose actions
                // and role paths are usually known.
                Leaf::Unknown => match self.policy_from_config(r, path, i) {
                    Some(node) => Some(node),
                    None => {
                        from_tf = tf_node
                            .is_some_and(|t| !matches!(t.kind, crate::value::NodeKind::Unknown(_)));
                        tf_node.filter(|_| from_tf).cloned()
                    }
                },
            };
            let value = match node {
                Some(mut node) => {
                    if let Some(t) = tf_node.filter(|_| !from_tf) {
                        enrich::align(&mut node, t, &mut self.origins);
                    }
                    match PolicyDocument::from_node(&node) {
                        Ok(v) => v,
                        Err(e) => {
                            let (value, error) = crate::source::invalid_policy(self.sources, e);
                            self.errors.push(error);
                            value
                        }
                    }
                }
                None => {
                    let span = self.moved(r, path, i).unwrap_or(r.span);
                    PolicyValue::Unknown {
                        reason: format!(
                            "{}.{} is known only after apply",
                            r.address,
                            path.join(".")
                        ),
                        span,
                    }
                }
            };
            out.push(value);
        }
        out
    }

    /// A policy known only after apply whose configuration references a policy document data source
    /// that the plan has read.
    fn policy_from_config(
        &mut self,
        r: &PlanResource<'a>,
        path: &[&str],
        i: usize,
    ) -> Option<Node> {
        let c = self.config_resource(r)?;
        let (e, _) = self.expression_at(c.expressions, path, i)?;
        let t = self.resolve(&r.module, e.references.as_deref()?, 0)?;
        let json = *self.data.get(&(t.module, t.ty, t.name))?;
        self.parse_policy(json)
    }

    /// The `.tf` span of the `i`-th attribute at `path` of a resource, when the configuration is found.
    fn moved(&self, r: &PlanResource, path: &[&str], i: usize) -> Option<Span> {
        let attrs = self
            .enricher?
            .attributes(&r.module, &r.raw.ty, &r.raw.name, path);
        attrs.get(i).or(attrs.first()).map(|a| a.span)
    }

    /// Moves a plan span to the `.tf`, recording where it was in the plan.
    fn relocate(&mut self, plan: Span, tf: Option<Span>) -> Span {
        match tf {
            Some(t) => {
                self.origins.push((t, plan));
                t
            }
            None => plan,
        }
    }

    fn literal(&self, r: &PlanResource, key: &str) -> Option<String> {
        let raw = field(r.values, key)?;
        self.string(raw)
    }

    fn roles(&mut self, unit: &mut Unit) {
        let resources = std::mem::take(&mut self.resources);
        for r in resources.iter().filter(|r| r.raw.ty == "aws_iam_role") {
            let trust = self
                .policies_at(r, &["assume_role_policy"])
                .pop()
                .unwrap_or_else(|| PolicyValue::Unknown {
                    reason: format!("{} has no assume_role_policy", r.address),
                    span: r.span,
                });
            let tf = self
                .enricher
                .and_then(|e| e.resource_span(&r.module, false, &r.raw.ty, &r.raw.name));
            let span = self.relocate(r.span, tf);
            self.targets.entry(target_of(r)).or_insert(unit.roles.len());
            unit.roles.push(Role {
                address: r.address.clone(),
                span,
                name: self.literal(r, "name"),
                path: self.literal(r, "path"),
                trust,
            });
        }
        self.resources = resources;
    }

    fn profiles(&mut self, unit: &mut Unit) {
        let resources = std::mem::take(&mut self.resources);
        for r in resources
            .iter()
            .filter(|r| r.raw.ty == "aws_iam_instance_profile")
        {
            let tf = self
                .enricher
                .and_then(|e| e.resource_span(&r.module, false, &r.raw.ty, &r.raw.name));
            let span = self.relocate(r.span, tf);
            let sites = self.sites(unit, r, &["role"], RoleReference::RoleName, false);
            let (role, role_span) = sites.into_iter().next().unwrap_or_else(|| {
                (
                    RoleTarget::Unresolved(format!("{} has no role", r.address)),
                    span,
                )
            });
            self.targets
                .entry(target_of(r))
                .or_insert(unit.profiles.len());
            unit.profiles.push(InstanceProfile {
                address: r.address.clone(),
                span,
                name: self.literal(r, "name"),
                role,
                role_span,
                role_attribute: "role",
            });
        }
        self.resources = resources;
    }

    fn policies(&mut self, unit: &mut Unit) {
        let resources = std::mem::take(&mut self.resources);
        for holder in &IamResources::builtin().terraform.policy_holders {
            let path: Vec<&str> = holder.path.iter().map(String::as_str).collect();
            for r in resources.iter().filter(|r| r.raw.ty == holder.resource) {
                let mut any = false;
                for document in self.policies_at(r, &path) {
                    // A policy that is not there (an unset inline policy) grants nothing.
                    unit.policies.push(IdentityPolicy {
                        partial: None,
                        origin: crate::model::PolicyOrigin::Written,
                        address: r.address.clone(),
                        attribute: path.join("."),
                        document,
                    });
                    any = true;
                }
                if any {
                    self.inline_holders(r, unit);
                }
            }
        }
        self.resources = resources;
    }
}

/// The value of `key` in a JSON object, found by reading the object's keys and skipping the other
/// values without building them (no map of the whole object is made).
fn field<'a>(object: Option<&'a RawValue>, key: &str) -> Option<&'a RawValue> {
    use serde::Deserializer as _;
    use serde::de::{IgnoredAny, MapAccess, Visitor};
    struct Find<'k>(&'k str);
    impl<'de> Visitor<'de> for Find<'_> {
        type Value = Option<&'de RawValue>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                if k == self.0 {
                    // The last entry wins, as in JSON parsers.
                    found = Some(map.next_value::<&'de RawValue>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let object = object?;
    if !object.get().trim_start().starts_with('{') {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(object.get());
    de.deserialize_map(Find(key)).ok().flatten()
}

fn target_of(r: &PlanResource) -> Target {
    Target {
        module: r.module.clone(),
        data: false,
        ty: r.raw.ty.to_string(),
        name: r.raw.name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_drop_instance_keys() {
        assert_eq!(
            address_parts(r#"module.a["x.y]"].aws_iam_role.r[0].arn"#),
            ["module", "a", "aws_iam_role", "r", "arn"]
        );
        assert_eq!(
            module_path(r#"module.a["k"].module.b.aws_iam_role.r"#),
            ["a", "b"]
        );
        assert!(module_path("aws_iam_role.r").is_empty());
    }
}
