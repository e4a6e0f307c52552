//! CloudFormation, SAM and CDK output (YAML and JSON templates).

use crate::model::Unit;
use crate::resolve::catalog::Catalog;
use crate::source::{InputError, SourceMap};
use crate::value::FileId;

/// Lowers one template to a unit. Not implemented yet: templates are classified but not scanned.
pub fn lower_template(
    _file: FileId,
    _sources: &SourceMap,
    _catalog: &Catalog,
) -> (Option<Unit>, Vec<InputError>) {
    (None, Vec::new())
}
