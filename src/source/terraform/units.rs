//! From the Terraform inputs of a scan to units: the `.tf` files parsed in parallel and grouped by
//! directory (one module each), the modules linked into a [`Workspace`], and one unit per root module,
//! each lowered in isolation.

use super::{TfFile, Workspace, load, lower_module, parse_file};
use crate::isolate::isolate;
use crate::model::Unit;
use crate::resolve::catalog::Catalog;
use crate::source::reader::Reader;
use crate::source::{InputError, SourceMap, display_path};
use crate::value::FileId;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The Terraform inputs of a scan, parsed.
#[derive(Debug, Default)]
pub struct Modules {
    /// The `.tf` files of one directory form one module.
    files: BTreeMap<PathBuf, Vec<TfFile>>,
    /// The `.tfvars` files, for the modules of their directories.
    tfvars: Vec<FileId>,
}

/// Parses the `.tf` files (`files`: id and path as found) in parallel, each in isolation, and groups
/// them by directory; `tfvars` are kept for [`lower_all`]. Errors are pushed in the order of `files`.
pub fn parse_all(
    files: &[(FileId, &Path)],
    tfvars: Vec<FileId>,
    sources: &SourceMap,
    errors: &mut Vec<InputError>,
) -> Modules {
    let parsed: Vec<_> = files
        .par_iter()
        .filter_map(|(id, path)| {
            let source = sources.get(*id)?;
            let what = format!("parsing {}", source.display);
            let parsed = isolate(&source.display, &what, || parse_file(*id, source));
            // `main.tf` named in its own directory belongs to the module `.`, as the files of the
            // directory read for its context do.
            Some((crate::context::dir_of(path), parsed.and_then(|r| r)))
        })
        .collect();
    let mut modules = Modules {
        files: BTreeMap::new(),
        tfvars,
    };
    for (dir, result) in parsed {
        match result {
            Ok(file) => modules.files.entry(dir).or_default().push(file),
            Err(e) => errors.push(e),
        }
    }
    modules
}

/// Links the modules (module calls, `.tfvars`) and lowers one unit per root module.
pub fn lower_all(
    modules: Modules,
    sources: &mut SourceMap,
    reader: &Reader,
    catalog: &Catalog,
    errors: &mut Vec<InputError>,
) -> Vec<Unit> {
    // Linking the Terraform directories is one step over all of them: a panic there loses the
    // Terraform units (reported), not the templates and plans.
    let workspace = isolate(".", "linking the Terraform modules", || {
        load(modules.files, modules.tfvars, sources, reader, errors)
    })
    .unwrap_or_else(|e| {
        errors.push(e);
        Workspace::default()
    });
    lower_roots(&workspace, sources, catalog, errors)
}

/// One unit per Terraform root, each lowered apart: a panic lowering one root is an error for that
/// root, and the others are still reported.
fn lower_roots(
    workspace: &Workspace,
    sources: &SourceMap,
    catalog: &Catalog,
    errors: &mut Vec<InputError>,
) -> Vec<Unit> {
    let lowered: Vec<Result<(Unit, Vec<InputError>), InputError>> = workspace
        .roots
        .par_iter()
        .map(|root| {
            let shown = display_path(root);
            let what = format!("lowering the Terraform root {shown}");
            isolate(&shown, &what, || {
                lower_module(root, workspace, sources, catalog)
            })
        })
        .collect();
    let mut units = Vec::new();
    for result in lowered {
        match result {
            Ok((unit, errs)) => {
                units.push(unit);
                errors.extend(errs);
            }
            Err(e) => errors.push(e),
        }
    }
    units
}
