//! Terraform: `.tf` files parsed with `hcl-edit` (which keeps byte spans), grouped by directory into
//! a module, evaluated statically and lowered to the common model.

pub mod config;
mod eval;
mod lower;

pub use lower::{IDENTITY_POLICIES, lower_module};

use crate::source::{ErrorKind, InputError, SourceFile};
use crate::value::FileId;
use hcl_edit::structure::Body;

/// A parsed `.tf` file.
#[derive(Debug)]
pub struct TfFile {
    pub file: FileId,
    pub body: Body,
}

/// Parses one `.tf` file. The error carries hcl-edit's line and column.
pub fn parse_file(file: FileId, source: &SourceFile) -> Result<TfFile, InputError> {
    match hcl_edit::parser::parse_body(&source.text) {
        Ok(body) => Ok(TfFile { file, body }),
        Err(e) => Err(InputError {
            file: source.display.clone(),
            kind: ErrorKind::Parse,
            message: format!("invalid HCL: {}", e.message()),
            position: Some(crate::source::Position {
                line: e.location().line().max(1),
                column: e.location().column().max(1),
            }),
        }),
    }
}
