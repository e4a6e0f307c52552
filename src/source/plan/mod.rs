//! Terraform plan and state JSON (`terraform show -json`).

use crate::model::Unit;
use crate::resolve::catalog::Catalog;
use crate::source::{InputError, SourceMap};
use crate::value::FileId;

/// Lowers one plan or state file to a unit. Not implemented yet: plans are classified but not scanned.
pub fn lower_plan(
    _file: FileId,
    _sources: &SourceMap,
    _catalog: &Catalog,
) -> (Option<Unit>, Vec<InputError>) {
    (None, Vec::new())
}
