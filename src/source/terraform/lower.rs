//! Lowers one Terraform module to the common model: roles, instance profiles, passes, policies.

use super::TfFile;
use super::eval::{Located, Module, traversal_path};
use crate::iam::policy::{PolicyDocument, PolicyValue};
use crate::model::{IdentityPolicy, InstanceProfile, Pass, Role, RoleTarget, Unit, UnitKind};
use crate::resolve::catalog::{Catalog, Passer, RoleReference};
use crate::source::{ErrorKind, InputError, SourceMap};
use crate::value::{FileId, Node, NodeKind, Text};
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, Body};

/// Resource attributes that hold identity policies (they grant; trust and resource policies do not).
pub const IDENTITY_POLICIES: &[(&str, &[&str])] = &[
    ("aws_iam_policy", &["policy"]),
    ("aws_iam_role_policy", &["policy"]),
    ("aws_iam_user_policy", &["policy"]),
    ("aws_iam_group_policy", &["policy"]),
    ("aws_iam_role", &["inline_policy", "policy"]),
    (
        "aws_ssoadmin_permission_set_inline_policy",
        &["inline_policy"],
    ),
];

/// Lowers the `.tf` files of one directory to a unit. Evaluation problems (a policy heredoc that is
/// not JSON) are returned as errors; the unit still holds everything else.
pub fn lower_module(
    name: String,
    files: &[TfFile],
    sources: &SourceMap,
    catalog: &Catalog,
) -> (Unit, Vec<InputError>) {
    let bodies: Vec<(FileId, &Body)> = files.iter().map(|f| (f.file, &f.body)).collect();
    let module = Module::new(sources, &bodies);
    let mut unit = Unit::new(UnitKind::Terraform, name);
    let lowering = Lowering {
        module: &module,
        sources,
    };
    lowering.roles(&mut unit);
    lowering.profiles(&mut unit);
    lowering.policies(&mut unit);
    lowering.passes(&mut unit, catalog);
    let errors = module.errors.take();
    (unit, errors)
}

struct Lowering<'m, 'a> {
    module: &'m Module<'a>,
    sources: &'a SourceMap,
}

impl<'a> Lowering<'_, 'a> {
    fn resources_of(
        &self,
        ty: &'static str,
    ) -> impl Iterator<Item = (&String, Located<'a, Block>)> {
        self.module
            .resources
            .iter()
            .filter(move |(t, _, _)| t == ty)
            .map(|(_, n, b)| (n, *b))
    }

    fn literal_attr(&self, block: Located<'a, Block>, key: &str) -> Option<String> {
        let attr = block.item.body.get_attribute(key)?;
        self.module
            .eval(&attr.value, block.file)
            .as_text()
            .and_then(Text::as_literal)
    }

    fn block_span(&self, block: Located<'a, Block>) -> crate::value::Span {
        self.module.span(block.file, block.item.span())
    }

    /// Reads a policy expression; a known node that is not a policy is an input error.
    fn read_policy(&self, attr: &Attribute, file: FileId) -> PolicyValue {
        let node = self.module.policy(&attr.value, file);
        match PolicyDocument::from_node(&node) {
            Ok(v) => v,
            Err(e) => {
                self.module.errors.borrow_mut().push(InputError::at(
                    self.sources,
                    e.span,
                    ErrorKind::Parse,
                    format!("not a policy document: {}", e.message),
                ));
                PolicyValue::Unknown {
                    reason: e.message,
                    span: e.span,
                }
            }
        }
    }

    fn roles(&self, unit: &mut Unit) {
        for (name, block) in self.resources_of("aws_iam_role") {
            let span = self.block_span(block);
            let trust = match block.item.body.get_attribute("assume_role_policy") {
                Some(attr) => self.read_policy(attr, block.file),
                None => PolicyValue::Unknown {
                    reason: "the role has no assume_role_policy".into(),
                    span,
                },
            };
            unit.roles.push(Role {
                address: format!("aws_iam_role.{name}"),
                span,
                name: self.literal_attr(block, "name"),
                path: self.literal_attr(block, "path"),
                trust,
            });
        }
    }

    fn profiles(&self, unit: &mut Unit) {
        for (name, block) in self.resources_of("aws_iam_instance_profile") {
            let span = self.block_span(block);
            let (role, role_span) = match block.item.body.get_attribute("role") {
                Some(attr) => (
                    self.role_target(&attr.value, block.file, RoleReference::RoleName, unit, 0),
                    self.module.span(block.file, attr.value.span()),
                ),
                None => (
                    RoleTarget::Unresolved("the instance profile has no role".into()),
                    span,
                ),
            };
            unit.profiles.push(InstanceProfile {
                address: format!("aws_iam_instance_profile.{name}"),
                span,
                name: self.literal_attr(block, "name"),
                role,
                role_span,
                role_attribute: "role",
            });
        }
    }

    fn policies(&self, unit: &mut Unit) {
        for (ty, path) in IDENTITY_POLICIES {
            for (name, block) in self.resources_of(ty) {
                for attr in attributes_at(&block.item.body, path) {
                    unit.policies.push(IdentityPolicy {
                        address: format!("{ty}.{name}"),
                        attribute: path.join("."),
                        document: self.read_policy(attr, block.file),
                    });
                }
            }
        }
    }

    fn passes(&self, unit: &mut Unit, catalog: &Catalog) {
        for (ty, name, block) in &self.module.resources {
            for passer in catalog.terraform_passers(ty) {
                let steps: Vec<&str> = passer.path.iter().map(|s| s.name.as_str()).collect();
                for attr in attributes_at(&block.item.body, &steps) {
                    let exprs: Vec<&Expression> = match (&attr.value, passer.list) {
                        (Expression::Array(items), true) => items.iter().collect(),
                        (e, _) => vec![e],
                    };
                    for expr in exprs {
                        self.pass(unit, passer, format!("{ty}.{name}"), expr, block.file);
                    }
                }
            }
        }
    }

    fn pass(
        &self,
        unit: &mut Unit,
        passer: &Passer,
        address: String,
        expr: &Expression,
        file: FileId,
    ) {
        let target = self.role_target(expr, file, passer.reference, unit, 0);
        unit.passes.push(Pass {
            passer: address,
            attribute: passer
                .path
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join("."),
            span: self.module.span(file, expr.span()),
            service: passer.service.clone(),
            principals: passer.principals.clone(),
            target,
        });
    }

    /// What role (or instance profile) a passing expression names.
    fn role_target(
        &self,
        expr: &Expression,
        file: FileId,
        reference: RoleReference,
        unit: &Unit,
        depth: usize,
    ) -> RoleTarget {
        if depth > 32 {
            return RoleTarget::Unresolved("a reference chain that is too deep (a cycle?)".into());
        }
        match expr {
            Expression::Parenthesis(p) => {
                self.role_target(p.inner(), file, reference, unit, depth + 1)
            }
            Expression::Traversal(t) => {
                let path = traversal_path(t);
                let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                match parts.as_slice() {
                    ["aws_iam_role", name, attr @ ..] => {
                        match unit
                            .roles
                            .iter()
                            .position(|r| r.address == format!("aws_iam_role.{name}"))
                        {
                            Some(i) if matches!(attr, ["arn" | "name" | "id" | "unique_id"]) => {
                                RoleTarget::Role(i)
                            }
                            Some(_) => RoleTarget::Unresolved(format!(
                                "{} is not the role's ARN or name",
                                path.join(".")
                            )),
                            None => RoleTarget::Unresolved(format!(
                                "aws_iam_role.{name} is not defined in this module"
                            )),
                        }
                    }
                    ["aws_iam_instance_profile", name, ..] => {
                        match unit
                            .profiles
                            .iter()
                            .position(|p| p.address == format!("aws_iam_instance_profile.{name}"))
                        {
                            Some(i) => RoleTarget::Profile(i),
                            None => RoleTarget::Unresolved(format!(
                                "aws_iam_instance_profile.{name} is not defined in this module"
                            )),
                        }
                    }
                    ["data", "aws_iam_role", name, ..] => RoleTarget::Unresolved(format!(
                        "data.aws_iam_role.{name} reads an existing role that is not defined in the scan"
                    )),
                    ["data", "aws_iam_instance_profile", name, ..] => {
                        RoleTarget::Unresolved(format!(
                            "data.aws_iam_instance_profile.{name} reads an existing instance profile that is not defined in the scan"
                        ))
                    }
                    ["var", name, ..] => match self.module.variable_default(name) {
                        Some((vfile, e)) => self.role_target(e, vfile, reference, unit, depth + 1),
                        None => RoleTarget::Unresolved(format!(
                            "var.{name} has no default value (give it one in a .tfvars file to check this pass)"
                        )),
                    },
                    ["local", name, ..] => match self.module.locals.get(*name) {
                        Some(l) => {
                            self.role_target(&l.item.value, l.file, reference, unit, depth + 1)
                        }
                        None => RoleTarget::Unresolved(format!("local.{name} is not defined")),
                    },
                    ["module", name, ..] => RoleTarget::Unresolved(format!(
                        "module.{name} outputs are not resolved (modules are not followed yet)"
                    )),
                    _ => RoleTarget::Unresolved(format!("{} is not a role", path.join("."))),
                }
            }
            _ => {
                let node = self.module.eval(expr, file);
                literal_target(&node, reference)
            }
        }
    }
}

/// A role written as a string: an ARN, a name, or an instance profile name or ARN.
fn literal_target(node: &Node, reference: RoleReference) -> RoleTarget {
    match &node.kind {
        NodeKind::Str(text) => {
            let starts_arn = matches!(text.parts.first(), Some(crate::value::TextPart::Lit(s)) if s.starts_with("arn:"));
            match reference {
                RoleReference::InstanceProfile => RoleTarget::ProfileName(text.clone()),
                _ if starts_arn => RoleTarget::Arn(text.clone()),
                _ => RoleTarget::Name(text.clone()),
            }
        }
        NodeKind::Unknown(reason) => RoleTarget::Unresolved(reason.clone()),
        _ => RoleTarget::Unresolved("the value is not a string".into()),
    }
}

/// The attributes at a path of nested blocks: `["iam_instance_profile", "arn"]` is the `arn` attribute
/// of every `iam_instance_profile` block.
pub(super) fn attributes_at<'b>(body: &'b Body, path: &[&str]) -> Vec<&'b Attribute> {
    match path {
        [] => Vec::new(),
        [last] => body.get_attribute(last).into_iter().collect(),
        [first, rest @ ..] => body
            .blocks()
            .filter(|b| b.ident.as_str() == *first)
            .flat_map(|b| attributes_at(&b.body, rest))
            .collect(),
    }
}
