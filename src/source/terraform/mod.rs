//! Terraform: `.tf` files parsed with `hcl-edit` (which keeps byte spans), grouped by directory into
//! a module, evaluated statically and lowered to the common model.

pub(crate) mod calls;
pub mod config;
mod duplicate_keys;
mod eval;
pub mod json_syntax;
pub mod load;
mod lower;
pub(crate) mod units;

pub use eval::{MAX_INSTANCES, MAX_NESTING, MAX_NODES, MAX_RESOURCE_INSTANCES};
pub use load::{Workspace, load};
pub use lower::lower_module;

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
///
/// hcl-edit bounds nesting itself (64 levels of brackets, blocks or templates, 128 chained binary
/// operators), so `[[[…]]]` 10,000 deep is an error, not a stack overflow: that error is of kind
/// `limit` (Terraform itself would accept the file), any other of kind `parse`.
pub fn parse_file(file: FileId, source: &SourceFile) -> Result<TfFile, InputError> {
    let kind = |e: &hcl_edit::parser::Error| {
        let m = e.message();
        if m.contains("nesting depth")
            || m.contains("chained binary operators")
            || (source.origin.is_none() && duplicate_keys::is_repeated_key(e))
        {
            ErrorKind::Limit
        } else {
            ErrorKind::Parse
        }
    };
    // Terraform keeps the last item of a repeated object key where hcl-edit rejects the file.
    let parsed = hcl_edit::parser::parse_body(&source.text).or_else(|e| {
        if source.origin.is_none() && duplicate_keys::is_repeated_key(&e) {
            duplicate_keys::parse_keeping_last(&source.text, e)
        } else {
            Err(e)
        }
    });
    match parsed {
        Ok(body) => Ok(TfFile { file, body }),
        // HCL rewritten from `.tf.json`: report at the JSON position of the offending token.
        Err(e) if source.origin.is_some() => Err(InputError {
            file: source.display.clone(),
            kind: kind(&e),
            message: format!("invalid Terraform JSON: {}", e.message()),
            position: None,
        }),
        Err(e) => Err(InputError {
            file: source.display.clone(),
            kind: kind(&e),
            message: if duplicate_keys::is_repeated_key(&e) && source.origin.is_none() {
                duplicate_keys::UNRESOLVED.to_string()
            } else {
                format!("invalid HCL: {}", e.message())
            },
            position: Some(crate::source::Position {
                line: e.location().line().max(1),
                column: e.location().column().max(1),
            }),
        }),
    }
}

/// Rewrites a `.tf.json` file of the map as an HCL file whose spans map back to the JSON.
pub fn json_to_hcl(
    orig: FileId,
    sources: &crate::source::SourceMap,
    catalog: &crate::resolve::catalog::Catalog,
) -> Result<SourceFile, InputError> {
    let Some(source) = sources.get(orig) else {
        return Err(InputError {
            file: String::new(),
            kind: ErrorKind::Io,
            message: "the file is not in the source map".into(),
            position: None,
        });
    };
    let blocks = json_syntax::block_names(catalog);
    match json_syntax::to_hcl(&source.text, orig, &blocks) {
        Ok((text, segments)) => {
            let mut synth = SourceFile::new(source.path.clone(), text);
            synth.origin = Some(crate::source::Origin {
                file: orig,
                segments,
            });
            Ok(synth)
        }
        Err(e) => Err(InputError::at(
            sources,
            crate::value::Span::new(orig, e.offset, e.offset),
            // Nesting past the parser's bound is passrole's limit, not invalid JSON.
            if e.kind == crate::source::json::JsonErrorKind::TooDeep {
                ErrorKind::Limit
            } else {
                ErrorKind::Parse
            },
            format!("invalid JSON: {e}"),
        )),
    }
}
