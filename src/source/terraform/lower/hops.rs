//! The way a passed value took to its pass: each module argument, variable value, local and module
//! output it came through, so that a finding shows which role it is and where it came from without
//! opening the files (`execution_role_arn = aws_iam_role.x.arn` in the module call).
//!
//! Only a chain of plain references is followed (`var.role` → `module.app`'s `role = local.r` →
//! `local.r = module.iam.arn` → ...). Where the value forks (a conditional, a function, `each`) the
//! way is no longer one, and the hops end there: the targets themselves say what the branches are.

use super::*;
use crate::model::Hop;

impl Lowering<'_, '_> {
    /// The hops of the value a passing expression (in `ctx`) refers to, nearest the pass first.
    pub(super) fn hops(&self, ctx: Ctx, expr: &Expression) -> Vec<Hop> {
        let mut hops = Vec::new();
        let (mut ctx, mut expr) = (ctx, expr);
        while hops.len() < MAX_TARGET_DEPTH {
            let Some(parts) = plain_reference(expr) else {
                break;
            };
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            let Some(target) = self.tree.reference(ctx.inst, &parts) else {
                break;
            };
            let message = self.hop_message(ctx, &parts, &target);
            match target {
                Target::Expr(next_ctx, next) => {
                    let span = self.tree.span(next_ctx.file, next.span());
                    if hops.iter().any(|h: &Hop| h.span == span) {
                        break; // a cycle: `load` reports it
                    }
                    hops.push(Hop { span, message });
                    (ctx, expr) = (next_ctx, next);
                }
                Target::Node(node) => {
                    hops.push(Hop {
                        span: node.span,
                        message,
                    });
                    break;
                }
                Target::Missing(_) => break,
            }
        }
        hops
    }

    /// What the place a reference leads to is: "module.app sets var.role_arn", "local.role".
    fn hop_message(&self, ctx: Ctx, parts: &[&str], target: &Target) -> String {
        match parts {
            ["var", name, ..] => match (target, &self.tree.instances[ctx.inst].parent) {
                (Target::Expr(c, _), Some((_, call))) if c.inst != ctx.inst => {
                    format!("module.{call} sets var.{name}")
                }
                (Target::Expr(c, _), _) if self.is_tfvars(c.file) => {
                    format!("var.{name} is set in a .tfvars file")
                }
                (Target::Node(_), _) => format!("var.{name} is set in a .tfvars file"),
                _ => format!("the default of var.{name}"),
            },
            ["local", name, ..] => format!("local.{name} is set here"),
            ["module", name, output, ..] => format!("module.{name} outputs {output}"),
            _ => parts.join("."),
        }
    }

    fn is_tfvars(&self, file: crate::source::FileId) -> bool {
        self.tree.sources.get(file).is_some_and(|f| {
            let name = f.path.to_string_lossy();
            name.ends_with(".tfvars") || name.ends_with(".tfvars.json")
        })
    }
}

/// The path of an expression that is one `var.`, `local.` or `module.` reference (also written as
/// `"${...}"` or in parentheses); `None` for anything that computes.
fn plain_reference(expr: &Expression) -> Option<Vec<String>> {
    match expr {
        Expression::Parenthesis(p) => plain_reference(p.inner()),
        Expression::StringTemplate(t) if t.iter().count() == 1 => match t.iter().next() {
            Some(hcl_edit::template::Element::Interpolation(i)) => plain_reference(&i.expr),
            _ => None,
        },
        Expression::Traversal(t) => {
            let path = traversal_path(t);
            matches!(
                path.first().map(String::as_str),
                Some("var" | "local" | "module")
            )
            .then_some(path)
        }
        _ => None,
    }
}
