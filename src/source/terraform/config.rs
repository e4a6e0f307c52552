//! The `.tf` source of resources seen elsewhere (a plan): where a resource block and its attributes are
//! written, and the policies they hold evaluated exactly as a direct scan of the `.tf` evaluates them,
//! so that a finding made from a plan lands on the same `.tf` span as the same finding made from the
//! `.tf` itself.

use super::TfFile;
use super::eval::{Located, Module};
use super::lower::attributes_at;
use crate::source::SourceMap;
use crate::value::{FileId, Node, Span};
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

/// The bodies of one module's `.tf` files, borrowed for [`TfModule`].
pub fn bodies(files: &[TfFile]) -> Vec<(FileId, &Body)> {
    files.iter().map(|f| (f.file, &f.body)).collect()
}

/// One Terraform module directory, indexed for lookups by resource type and name.
pub struct TfModule<'a> {
    module: Module<'a>,
}

/// An attribute found in the `.tf`: the span of its expression and, when it is an array, of each item.
#[derive(Clone, Debug)]
pub struct TfAttribute {
    pub span: Span,
    pub items: Vec<Span>,
}

impl<'a> TfModule<'a> {
    pub fn new(sources: &'a SourceMap, bodies: &'a [(FileId, &'a Body)]) -> TfModule<'a> {
        TfModule {
            module: Module::new(sources, bodies),
        }
    }

    fn block(&self, data: bool, ty: &str, name: &str) -> Option<Located<'a, Block>> {
        if data {
            self.module
                .data
                .get(&(ty.to_string(), name.to_string()))
                .copied()
        } else {
            self.module.resource(ty, name)
        }
    }

    /// The span of `resource "TY" "NAME"` (or `data`), as the `.tf` lowering spans a role.
    pub fn resource_span(&self, data: bool, ty: &str, name: &str) -> Option<Span> {
        let b = self.block(data, ty, name)?;
        Some(self.module.span(b.file, b.item.span()))
    }

    /// The attributes at `path` (nested blocks first) of a resource, in source order.
    pub fn attributes(&self, ty: &str, name: &str, path: &[&str]) -> Vec<TfAttribute> {
        let Some(b) = self.block(false, ty, name) else {
            return Vec::new();
        };
        attributes_at(&b.item.body, path)
            .into_iter()
            .map(|a| TfAttribute {
                span: self.module.span(b.file, a.value.span()),
                items: match &a.value {
                    Expression::Array(items) => items
                        .iter()
                        .map(|e| self.module.span(b.file, e.span()))
                        .collect(),
                    _ => Vec::new(),
                },
            })
            .collect()
    }

    /// The policies held by the attributes at `path`, evaluated as the `.tf` lowering evaluates them.
    pub fn policies(&self, ty: &str, name: &str, path: &[&str]) -> Vec<Node> {
        let Some(b) = self.block(false, ty, name) else {
            return Vec::new();
        };
        attributes_at(&b.item.body, path)
            .into_iter()
            .map(|a| self.module.policy(&a.value, b.file))
            .collect()
    }
}
