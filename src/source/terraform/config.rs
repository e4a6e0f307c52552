//! The `.tf` source of resources seen elsewhere (a plan): where a resource block and its attributes are
//! written, and the policies they hold evaluated exactly as a direct scan of the `.tf` evaluates them,
//! so that a finding made from a plan lands on the same `.tf` span as the same finding made from the
//! `.tf` itself.

use super::TfFile;
use super::eval::{Ctx, Located, Tree};
use super::load::{ModuleDir, Workspace, normalize};
use super::lower::attributes_at;
use crate::source::SourceMap;
use crate::value::{Node, Span};
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;
use std::path::Path;

/// A workspace of one module directory, for [`TfModule`]: the plan has already evaluated what crosses
/// module boundaries, so only the module's own blocks are needed.
pub fn workspace(dir: &Path, files: Vec<TfFile>) -> Workspace {
    let dir = normalize(dir);
    let mut ws = Workspace::default();
    ws.dirs.insert(dir.clone(), ModuleDir { files });
    ws.roots.push(dir);
    ws
}

/// One Terraform module directory, indexed for lookups by resource type and name.
pub struct TfModule<'a> {
    tree: Tree<'a>,
}

/// An attribute found in the `.tf`: the span of its expression and, when it is an array, of each item.
#[derive(Clone, Debug)]
pub struct TfAttribute {
    pub span: Span,
    pub items: Vec<Span>,
}

impl<'a> TfModule<'a> {
    /// `ws` is a workspace made by [`workspace`].
    pub fn new(sources: &'a SourceMap, ws: &'a Workspace) -> Option<TfModule<'a>> {
        let root = ws.roots.first()?;
        Some(TfModule {
            tree: Tree::new(sources, ws, root),
        })
    }

    fn block(&self, data: bool, ty: &str, name: &str) -> Option<Located<'a, Block>> {
        let def = self.tree.def(0);
        if data {
            def.data.get(&(ty.to_string(), name.to_string())).copied()
        } else {
            def.resource(ty, name)
        }
    }

    /// The span of `resource "TY" "NAME"` (or `data`), as the `.tf` lowering spans a role.
    pub fn resource_span(&self, data: bool, ty: &str, name: &str) -> Option<Span> {
        let b = self.block(data, ty, name)?;
        Some(self.tree.span(b.file, b.item.span()))
    }

    /// The attributes at `path` (nested blocks first) of a resource, in source order.
    pub fn attributes(&self, ty: &str, name: &str, path: &[&str]) -> Vec<TfAttribute> {
        let Some(b) = self.block(false, ty, name) else {
            return Vec::new();
        };
        attributes_at(&b.item.body, path)
            .into_iter()
            .map(|a| TfAttribute {
                span: self.tree.span(b.file, a.value.span()),
                items: match &a.value {
                    Expression::Array(items) => items
                        .iter()
                        .map(|e| self.tree.span(b.file, e.span()))
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
            .map(|a| {
                self.tree.policy(
                    Ctx {
                        inst: 0,
                        file: b.file,
                    },
                    &a.value,
                )
            })
            .collect()
    }
}
