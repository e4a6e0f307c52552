//! The one entry point from read inputs to units, whatever their format: [`parse_all`] reads what
//! each format needs before lowering (Terraform files parsed and grouped into modules, each plan's
//! Terraform configuration), [`lower_all`] lowers every unit, each in isolation: a panic lowering one
//! Terraform root, template or plan is an error for that unit, and the others are still reported.

use crate::isolate::isolate;
use crate::model::Unit;
use crate::resolve::catalog::Catalog;
use crate::source::reader::Reader;
use crate::source::{InputError, SourceMap, cloudformation, display_path, plan, terraform};
use crate::value::FileId;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a read input file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Terraform,
    TerraformVars,
    CloudFormation,
    Plan,
}

/// The inputs of a scan, parsed as far as lowering needs.
pub(crate) struct Parsed {
    terraform: terraform::units::Modules,
    /// Templates and plans, in input order: each is one unit.
    structured: Vec<(FileId, Input, PathBuf)>,
    /// The Terraform configuration of each plan that has one.
    plan_configs: HashMap<FileId, plan::PlanConfig>,
}

/// Parses the inputs (id in `sources`, kind, path as found). `plan_source` is where the plans'
/// Terraform configuration is (`--source DIR`), by default each plan's own directory; its `.tf`
/// files are added to `sources`.
pub(crate) fn parse_all(
    inputs: Vec<(FileId, Input, PathBuf)>,
    sources: &mut SourceMap,
    plan_source: Option<&Path>,
    reader: &Reader,
    errors: &mut Vec<InputError>,
) -> Parsed {
    let plans = inputs
        .iter()
        .filter(|(_, kind, _)| *kind == Input::Plan)
        .map(|(id, _, path)| (*id, path.as_path()));
    let plan_configs = plan::configurations(plans, sources, plan_source, reader, errors);
    let tf_files: Vec<(FileId, &Path)> = inputs
        .iter()
        .filter(|(_, kind, _)| *kind == Input::Terraform)
        .map(|(id, _, path)| (*id, path.as_path()))
        .collect();
    let tfvars = inputs
        .iter()
        .filter(|(_, kind, _)| *kind == Input::TerraformVars)
        .map(|(id, _, _)| *id)
        .collect();
    let terraform = terraform::units::parse_all(&tf_files, tfvars, sources, errors);
    let structured = inputs
        .into_iter()
        .filter(|(_, kind, _)| matches!(kind, Input::CloudFormation | Input::Plan))
        .collect();
    Parsed {
        terraform,
        structured,
        plan_configs,
    }
}

/// Lowers every unit: the Terraform root modules first, then the templates and plans in input
/// order.
pub(crate) fn lower_all(
    parsed: Parsed,
    sources: &mut SourceMap,
    reader: &Reader,
    catalog: &Catalog,
    errors: &mut Vec<InputError>,
) -> Vec<Unit> {
    let mut units = terraform::units::lower_all(parsed.terraform, sources, reader, catalog, errors);
    units.extend(lower_structured(
        &parsed.structured,
        sources,
        catalog,
        &parsed.plan_configs,
        errors,
    ));
    units
}

/// One unit per CloudFormation template and per plan, each isolated from the others' panics.
fn lower_structured(
    inputs: &[(FileId, Input, PathBuf)],
    sources: &SourceMap,
    catalog: &Catalog,
    plan_configs: &HashMap<FileId, plan::PlanConfig>,
    errors: &mut Vec<InputError>,
) -> Vec<Unit> {
    let mut units = Vec::new();
    let structured: Vec<(Option<Unit>, Vec<InputError>)> = inputs
        .par_iter()
        .filter_map(|(id, kind, path)| {
            let shown = display_path(path);
            let lowered = match kind {
                Input::CloudFormation => {
                    isolate(&shown, &format!("reading the template {shown}"), || {
                        cloudformation::lower_template(*id, sources, catalog)
                    })
                }
                Input::Plan => isolate(&shown, &format!("reading the plan {shown}"), || {
                    plan::lower_plan(*id, sources, catalog, plan_configs.get(id))
                }),
                Input::Terraform | Input::TerraformVars => return None,
            };
            Some(lowered.unwrap_or_else(|e| (None, vec![e])))
        })
        .collect();
    for (unit, errs) in structured {
        units.extend(unit);
        errors.extend(errs);
    }
    units
}
