//! `[[passer]]` and `[[principal_set]]`: extra catalog entries, validated by the catalog itself
//! one entry at a time so that an error points at the entry that has it.

use super::raw::{RawPasser, RawPrincipalSet};
use super::selection::Origin;
use crate::resolve::catalog::{Catalog, CatalogError};
use crate::source::InputError;
use std::collections::HashMap;
use toml::Spanned;

/// The built-in catalog with the file's entries added (an entry with the same resource and path
/// as a built-in passer, or the same name as a built-in set, replaces it); None when there are
/// none.
pub(crate) fn extend_catalog(
    passers: &[Spanned<RawPasser>],
    sets: &[Spanned<RawPrincipalSet>],
    origin_at: &dyn Fn(usize) -> Origin,
) -> Result<Option<Catalog>, InputError> {
    if passers.is_empty() && sets.is_empty() {
        return Ok(None);
    }
    let mut catalog = Catalog::builtin().clone();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for entry in passers {
        let origin = origin_at(entry.span().start);
        let (section, resource, path) = passer_section(entry.get_ref(), &origin)?;
        if let Some(line) = seen.insert((resource.to_string(), path.to_string()), line(&origin)) {
            return Err(origin.error(format!(
                "this [[passer]] repeats the one on line {line} (same resource and path)"
            )));
        }
        let mut table = toml::Table::try_from(entry.get_ref())
            .map_err(|e| origin.error(format!("[[passer]]: {e}")))?;
        table.insert("resource".into(), toml::Value::String(resource.to_string()));
        catalog.extend(one_entry_catalog(section, table, &origin, "[[passer]]")?);
    }
    let mut names: HashMap<String, usize> = HashMap::new();
    for entry in sets {
        let origin = origin_at(entry.span().start);
        if let Some(line) = names.insert(entry.get_ref().name.clone(), line(&origin)) {
            return Err(origin.error(format!(
                "the principal set name `{}` is already used on line {line}",
                entry.get_ref().name
            )));
        }
        let table = toml::Table::try_from(entry.get_ref())
            .map_err(|e| origin.error(format!("[[principal_set]]: {e}")))?;
        catalog.extend(one_entry_catalog(
            "principal_set",
            table,
            &origin,
            "[[principal_set]]",
        )?);
    }
    Ok(Some(catalog))
}

fn line(origin: &Origin) -> usize {
    origin.position.map_or(0, |p| p.line)
}

/// The catalog section of a `[[passer]]` (`terraform` or `cloudformation`), its resource type and
/// its path, checking that it names exactly one of the two with the matching path key.
fn passer_section<'a>(
    p: &'a RawPasser,
    origin: &Origin,
) -> Result<(&'static str, &'a str, &'a str), InputError> {
    let err = |m: &str| Err(origin.error(m.to_string()));
    match (&p.terraform, &p.cloudformation, &p.attribute, &p.property) {
        (Some(_), Some(_), _, _) => {
            err("a [[passer]] names `terraform` or `cloudformation`, not both")
        }
        (None, None, _, _) => err(
            "a [[passer]] needs `terraform = \"aws_...\"` (with `attribute`) or \
             `cloudformation = \"AWS::...\"` (with `property`)",
        ),
        (Some(_), None, _, Some(_)) => {
            err("a Terraform [[passer]] names its path with `attribute`, not `property`")
        }
        (None, Some(_), Some(_), _) => {
            err("a CloudFormation [[passer]] names its path with `property`, not `attribute`")
        }
        (Some(_), None, None, None) => err("a Terraform [[passer]] needs `attribute`"),
        (None, Some(_), None, None) => err("a CloudFormation [[passer]] needs `property`"),
        (Some(r), None, Some(a), None) => Ok(("terraform", r, a)),
        (None, Some(r), None, Some(pr)) => Ok(("cloudformation", r, pr)),
    }
}

/// Validates one entry through [`Catalog::from_toml`]: the same checks as the built-in catalog.
fn one_entry_catalog(
    section: &str,
    entry: toml::Table,
    origin: &Origin,
    shown: &str,
) -> Result<Catalog, InputError> {
    let mut doc = toml::Table::new();
    doc.insert(
        section.to_string(),
        toml::Value::Array(vec![toml::Value::Table(entry)]),
    );
    let text = toml::to_string(&doc).map_err(|e| origin.error(format!("{shown}: {e}")))?;
    Catalog::from_toml(&text).map_err(|e| {
        let problem = match e {
            CatalogError::Invalid { problem, .. } => problem,
            CatalogError::Parse(message) => message,
        };
        origin.error(format!("{shown}: {problem}"))
    })
}
