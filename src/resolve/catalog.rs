//! The passer catalog: which resource attributes pass an IAM role to which AWS service.
//!
//! The catalog is data (`rules/passers.toml`, compiled into the binary). Each *passer* names a
//! Terraform resource argument or a CloudFormation resource property whose value hands a role to
//! a service, how the value names the role, and the service principal(s) the role must trust.
//! *Principal sets* list service principals that legitimately share one trust policy (Amazon
//! MWAA, Lambda@Edge), so that a role trusting all of them is not reported as over-trusting.
//!
//! Users can load extra catalogs in the same format with [`Catalog::from_toml`] and merge them
//! into a copy of the built-in one with [`Catalog::extend`].

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::iam::principal::{canonical_service_principal, service_principal_name};

mod path;
use path::parse_path;
pub use path::{ANY_KEY, PathStep};

/// The built-in catalog's source text.
const BUILTIN_TOML: &str = include_str!("../../rules/passers.toml");

/// The passer catalog: principal sets and the Terraform and CloudFormation passers.
///
/// The fields are public for reading. Lookups ([`Catalog::terraform_passers`],
/// [`Catalog::cloudformation_passers`]) go through an index built by [`Catalog::from_toml`] and
/// [`Catalog::extend`]; add entries through those, not by pushing onto the vectors.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub principal_sets: Vec<PrincipalSet>,
    pub terraform: Vec<Passer>,
    pub cloudformation: Vec<Passer>,
    terraform_index: HashMap<String, Vec<usize>>,
    cloudformation_index: HashMap<String, Vec<usize>>,
}

/// Service principals that legitimately appear together in one trust policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalSet {
    pub name: String,
    pub principals: Vec<String>,
    /// Why the combination is needed, in one sentence (shown to users).
    pub why: String,
}

/// One resource attribute (Terraform) or property (CloudFormation) that passes a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passer {
    /// The resource type: `aws_lambda_function`, `AWS::Lambda::Function`.
    pub resource: String,
    /// The attribute or property path, outermost first.
    pub path: Vec<PathStep>,
    /// How the value names the role.
    pub reference: RoleReference,
    /// The service principals of the receiving service: the role must trust at least one.
    pub principals: Vec<String>,
    /// The receiving service's name, for messages.
    pub service: String,
    /// True when the value is a list of role references rather than one.
    pub list: bool,
}

/// How a passing attribute names the role it passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleReference {
    /// The value is a role ARN.
    RoleArn,
    /// The value is a role name.
    RoleName,
    /// The value is a role ARN or a role name (the service accepts both).
    RoleArnOrName,
    /// The value is an instance profile name or ARN; the profile's role is passed to Amazon EC2.
    InstanceProfile,
}

impl RoleReference {
    /// The spelling used in the catalog file and the facts document.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleReference::RoleArn => "role_arn",
            RoleReference::RoleName => "role_name",
            RoleReference::RoleArnOrName => "role_arn_or_name",
            RoleReference::InstanceProfile => "instance_profile",
        }
    }
}

impl fmt::Display for RoleReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Passer {
    /// The path as written in the catalog: `iam_instance_profile.arn`, `Targets[].RoleArn`.
    pub fn path_string(&self) -> String {
        self.path
            .iter()
            .map(PathStep::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// A catalog that cannot be loaded: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogError {
    /// Not valid TOML, or not the catalog's shape (unknown key, missing key, unknown reference
    /// kind). The message is toml's and carries the line and column.
    Parse(String),
    /// An entry breaks a catalog rule.
    Invalid {
        /// The entry: `[[terraform]] #3 (aws_lambda_function.role)`.
        entry: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::Parse(message) => write!(f, "passer catalog: {message}"),
            CatalogError::Invalid { entry, problem } => {
                write!(f, "passer catalog: {entry}: {problem}")
            }
        }
    }
}

impl std::error::Error for CatalogError {}

impl Catalog {
    /// The built-in catalog, parsed once.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The file is compiled in and the tests load it: failing here is a bug, not an input error.
            Catalog::from_toml(BUILTIN_TOML)
                .expect("the built-in passer catalog rules/passers.toml is invalid")
        })
    }

    /// Parses and validates a catalog in the `rules/passers.toml` format.
    pub fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = toml::from_str(text)
            .map_err(|e| CatalogError::Parse(e.to_string().trim().to_owned()))?;

        let mut set_names = HashMap::new();
        let mut principal_sets = Vec::with_capacity(raw.principal_set.len());
        for (i, set) in raw.principal_set.into_iter().enumerate() {
            let entry = format!("[[principal_set]] #{} ({})", i + 1, set.name);
            let invalid = |problem: String| CatalogError::Invalid {
                entry: entry.clone(),
                problem,
            };
            if set.name.trim().is_empty() {
                return Err(invalid("`name` is empty".into()));
            }
            if let Some(first) = set_names.insert(set.name.clone(), i + 1) {
                return Err(invalid(format!(
                    "the name is already used by [[principal_set]] #{first}"
                )));
            }
            check_principals(&set.principals).map_err(&invalid)?;
            if set.principals.len() < 2 {
                return Err(invalid(
                    "a principal set needs at least two principals".into(),
                ));
            }
            if set.why.trim().is_empty() {
                return Err(invalid("`why` is empty".into()));
            }
            principal_sets.push(PrincipalSet {
                name: set.name,
                principals: set.principals,
                why: set.why,
            });
        }

        let terraform = convert_passers(raw.terraform, Format::Terraform)?;
        let cloudformation = convert_passers(raw.cloudformation, Format::CloudFormation)?;

        let mut catalog = Catalog {
            principal_sets,
            terraform,
            cloudformation,
            ..Catalog::default()
        };
        catalog.reindex();
        Ok(catalog)
    }

    /// Adds the entries of `other`. An entry of `other` with the same resource and path as an
    /// existing one replaces it, and so does a principal set with the same name.
    pub fn extend(&mut self, other: Catalog) {
        for set in other.principal_sets {
            match self.principal_sets.iter_mut().find(|s| s.name == set.name) {
                Some(existing) => *existing = set,
                None => self.principal_sets.push(set),
            }
        }
        merge_passers(&mut self.terraform, other.terraform);
        merge_passers(&mut self.cloudformation, other.cloudformation);
        self.reindex();
    }

    /// The passers of a Terraform resource type (`aws_lambda_function`).
    pub fn terraform_passers(&self, resource_type: &str) -> impl Iterator<Item = &Passer> {
        lookup(&self.terraform_index, &self.terraform, resource_type)
    }

    /// The passers of a CloudFormation resource type (`AWS::Lambda::Function`).
    pub fn cloudformation_passers(&self, resource_type: &str) -> impl Iterator<Item = &Passer> {
        lookup(
            &self.cloudformation_index,
            &self.cloudformation,
            resource_type,
        )
    }

    /// The declared set that approves trusting all of `principals` together: `Some` when the
    /// given service principals name at least two distinct services and all of them belong to one
    /// declared set. Spellings are compared as services (`crate::iam::principal`): case, regional
    /// and partition forms do not matter; a value that is not a service principal is never approved.
    pub fn approved_set_for(&self, principals: &[String]) -> Option<&PrincipalSet> {
        let mut services = principals
            .iter()
            .map(|p| service_principal_name(p))
            .collect::<Option<Vec<String>>>()?;
        services.sort_unstable();
        services.dedup();
        if services.len() < 2 {
            return None;
        }
        self.principal_sets.iter().find(|set| {
            services.iter().all(|service| {
                set.principals
                    .iter()
                    .any(|q| service_principal_name(q).as_deref() == Some(service.as_str()))
            })
        })
    }

    fn reindex(&mut self) {
        self.terraform_index = index(&self.terraform);
        self.cloudformation_index = index(&self.cloudformation);
    }
}

fn index(passers: &[Passer]) -> HashMap<String, Vec<usize>> {
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, passer) in passers.iter().enumerate() {
        index.entry(passer.resource.clone()).or_default().push(i);
    }
    index
}

fn lookup<'a>(
    index: &'a HashMap<String, Vec<usize>>,
    passers: &'a [Passer],
    resource_type: &str,
) -> impl Iterator<Item = &'a Passer> {
    // The resource check keeps a stale index (vectors changed by hand) from returning passers of
    // another resource.
    index
        .get(resource_type)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(move |&i| passers.get(i))
        .filter(move |p| p.resource == resource_type)
}

fn merge_passers(existing: &mut Vec<Passer>, extra: Vec<Passer>) {
    for passer in extra {
        match existing
            .iter_mut()
            .find(|p| p.resource == passer.resource && p.path == passer.path)
        {
            Some(slot) => *slot = passer,
            None => existing.push(passer),
        }
    }
}

#[derive(Clone, Copy)]
enum Format {
    Terraform,
    CloudFormation,
}

impl Format {
    fn section(self) -> &'static str {
        match self {
            Format::Terraform => "terraform",
            Format::CloudFormation => "cloudformation",
        }
    }

    fn path_key(self) -> &'static str {
        match self {
            Format::Terraform => "attribute",
            Format::CloudFormation => "property",
        }
    }
}

fn convert_passers(raw: Vec<RawPasser>, format: Format) -> Result<Vec<Passer>, CatalogError> {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut passers = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        let (path_text, stray) = match format {
            Format::Terraform => (raw.attribute, raw.property.map(|_| "property")),
            Format::CloudFormation => (raw.property, raw.attribute.map(|_| "attribute")),
        };
        let entry = format!(
            "[[{}]] #{} ({}.{})",
            format.section(),
            i + 1,
            raw.resource,
            path_text.as_deref().unwrap_or("?")
        );
        let invalid = |problem: String| CatalogError::Invalid {
            entry: entry.clone(),
            problem,
        };
        let path_text = path_text.ok_or_else(|| {
            invalid(format!(
                "missing `{}` (a [[{}]] entry names its path with `{}`)",
                format.path_key(),
                format.section(),
                format.path_key()
            ))
        })?;
        if let Some(key) = stray {
            return Err(invalid(format!(
                "`{key}` is not a key of [[{}]] entries: the path goes in `{}`",
                format.section(),
                format.path_key()
            )));
        }
        check_resource_type(&raw.resource, format).map_err(&invalid)?;
        let path = parse_path(
            &path_text,
            format.path_key(),
            matches!(format, Format::Terraform),
        )
        .map_err(&invalid)?;
        check_principals(&raw.principals).map_err(&invalid)?;
        if raw.service.trim().is_empty() {
            return Err(invalid("`service` is empty".into()));
        }
        if let Some(first) = seen.insert((raw.resource.clone(), path_text.clone()), i + 1) {
            return Err(invalid(format!(
                "duplicate of [[{}]] #{first}: the same resource and {} are listed twice",
                format.section(),
                format.path_key()
            )));
        }
        passers.push(Passer {
            resource: raw.resource,
            path,
            reference: raw.reference,
            principals: raw.principals,
            service: raw.service,
            list: raw.list,
        });
    }
    Ok(passers)
}

fn check_resource_type(resource: &str, format: Format) -> Result<(), String> {
    let ok = match format {
        // aws_lambda_function: lowercase letters, digits and underscores.
        Format::Terraform => {
            !resource.is_empty()
                && resource
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        }
        // AWS::Lambda::Function: two or more `::`-separated alphanumeric parts.
        Format::CloudFormation => {
            let parts: Vec<&str> = resource.split("::").collect();
            parts.len() >= 2
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        }
    };
    if ok {
        Ok(())
    } else {
        let example = match format {
            Format::Terraform => "aws_lambda_function",
            Format::CloudFormation => "AWS::Lambda::Function",
        };
        Err(format!(
            "`resource` {resource:?} is not a resource type like {example:?}"
        ))
    }
}

/// A service principal as the catalog writes it: lowercase, global form, `<service>.amazonaws.com`.
fn check_principals(principals: &[String]) -> Result<(), String> {
    if principals.is_empty() {
        return Err(
            "`principals` is empty: list the service principal(s) the role must trust".into(),
        );
    }
    let mut seen = HashSet::new();
    for principal in principals {
        let prefix = principal.strip_suffix(".amazonaws.com").unwrap_or_default();
        let valid = !prefix.is_empty()
            && !prefix.starts_with('.')
            && !prefix.ends_with('.')
            && prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid {
            return Err(format!(
                "principal {principal:?} is not a service principal like \"lambda.amazonaws.com\" (lowercase, ending in \".amazonaws.com\")"
            ));
        }
        if let Some(global) = canonical_service_principal(principal).filter(|g| g != principal) {
            return Err(format!(
                "principal {principal:?} is a regional form: write the global one, {global:?}"
            ));
        }
        if !seen.insert(principal.as_str()) {
            return Err(format!("principal {principal:?} is listed twice"));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    principal_set: Vec<RawPrincipalSet>,
    #[serde(default)]
    terraform: Vec<RawPasser>,
    #[serde(default)]
    cloudformation: Vec<RawPasser>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrincipalSet {
    name: String,
    principals: Vec<String>,
    why: String,
}

/// One `[[terraform]]` or `[[cloudformation]]` entry as written. Both path keys are accepted by
/// the parser so that the error for the wrong one can say which key the section expects.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPasser {
    resource: String,
    #[serde(default)]
    attribute: Option<String>,
    #[serde(default)]
    property: Option<String>,
    reference: RoleReference,
    principals: Vec<String>,
    service: String,
    #[serde(default)]
    list: bool,
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
