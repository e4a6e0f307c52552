//! Lowers one Terraform module tree to the common model: roles, instance profiles, passes, policies.

use super::eval::{Ctx, Located, Target, Tree, iterator_name, traversal_path};
use super::load::Workspace;
use crate::iam::policy::{PolicyDocument, PolicyValue};
use crate::model::{
    IdentityKind, IdentityPolicy, InstanceProfile, Pass, PolicyAttachment, Role, RoleTarget, Unit,
    UnitKind,
};
use crate::resolve::catalog::{Catalog, Passer, RoleReference};
use crate::resolve::iam_resources::IamResources;
use crate::source::{InputError, SourceMap, display_path};
use crate::value::{Node, NodeKind, Span, Text, TextPart};
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Attribute, Block, Body};
use std::collections::HashMap;
use std::path::Path;

mod account;
mod evaluated;
mod hops;
mod identities;
mod managed;
mod passer_path;
mod per_instance;
mod skipped;
mod targets;

/// Bound on reference chains followed to find a role (var → module output → local → ...).
const MAX_TARGET_DEPTH: usize = 32;

/// Lowers the module tree rooted at `root` to a unit. Evaluation problems (a policy heredoc that is
/// not JSON) are returned as errors; the unit still holds everything else.
pub fn lower_module(
    root: &Path,
    ws: &Workspace,
    sources: &SourceMap,
    catalog: &Catalog,
) -> (Unit, Vec<InputError>) {
    let tree = Tree::new(sources, ws, root);
    let mut unit = Unit::new(UnitKind::Terraform, display_path(root));
    let lowering = Lowering {
        tree: &tree,
        sources,
        role_index: HashMap::new(),
        profile_index: HashMap::new(),
        targets_memo: Default::default(),
        role_texts: Default::default(),
        names: Default::default(),
    };
    let mut lowering = lowering;
    lowering.roles(&mut unit);
    lowering.identities(&mut unit);
    lowering.profiles(&mut unit);
    lowering.policies(&mut unit);
    lowering.passes(&mut unit, catalog);
    lowering.attachments(&mut unit);
    lowering.memberships(&mut unit);
    lowering.exclusive_attachments(&mut unit);
    lowering.skipped_modules(&mut unit);
    unit.account = lowering.root_account(root);
    let mut errors = tree.errors.take();
    // The instances of a `count`/`for_each` block are evaluated one by one: a mistake written once
    // in the block is reported once.
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| seen.insert(format!("{} {e}", e.kind.as_str())));
    (unit, errors)
}

struct Lowering<'t, 'a> {
    tree: &'t Tree<'a>,
    sources: &'a SourceMap,
    /// (instance, resource name) → indexes in `unit.roles` / `unit.profiles`, one per resource
    /// instance of a block with `count`/`for_each`.
    role_index: HashMap<(usize, String), per_instance::Lowered>,
    profile_index: HashMap<(usize, String), per_instance::Lowered>,
    targets_memo: std::cell::RefCell<targets::TargetMemo>,
    /// Built on first use, after every role is indexed.
    role_texts: std::cell::OnceCell<evaluated::RoleTexts>,
    /// Static names of users, groups and customer managed policies (set by `identities`).
    names: identities::NameIndex,
}

/// A resource of one instance: (instance, name, block).
type InstanceResource<'a> = (usize, String, Located<'a, Block>);

impl<'a> Lowering<'_, 'a> {
    fn resources_of(&self, ty: &str) -> Vec<InstanceResource<'a>> {
        let mut out = Vec::new();
        for (inst, instance) in self.tree.instances.iter().enumerate() {
            for (t, n, b) in &self.tree.defs[instance.def].resources {
                if t == ty && self.tree.exists(inst, *b) {
                    out.push((inst, n.clone(), *b));
                }
            }
        }
        out
    }

    fn address(&self, inst: usize, ty: &str, name: &str) -> String {
        format!("{}{ty}.{name}", self.tree.instances[inst].prefix)
    }

    fn literal_attr(&self, inst: usize, block: Located<'a, Block>, key: &str) -> Option<String> {
        let attr = block.item.body.get_attribute(key)?;
        self.tree
            .eval(
                Ctx {
                    inst,
                    file: block.file,
                },
                &attr.value,
            )
            .as_text()
            .and_then(Text::as_literal)
    }

    fn block_span(&self, block: Located<'a, Block>) -> Span {
        self.tree.span(block.file, block.item.span())
    }

    /// Reads a policy expression; a known node that is not a policy is an input error.
    /// `trust`: a trust policy, whose choices between principals are not both trusted.
    fn read_policy(&self, ctx: Ctx, attr: &Attribute, trust: bool) -> PolicyValue {
        // The mark (not the error count) also moves when an invalid value is reused from the
        // memo, and not for `limit` errors, which leave a value unknown rather than invalid.
        let mark = self.tree.error_mark();
        let value = self.read_policy_node(ctx, attr, trust);
        value.invalid_if(self.tree.error_mark() > mark)
    }

    fn read_policy_node(&self, ctx: Ctx, attr: &Attribute, trust: bool) -> PolicyValue {
        let mut node = self.tree.policy(ctx, &attr.value);
        if trust {
            self.tree.principal_choices_unknown(&mut node);
        }
        let here = self.tree.span(ctx.file, attr.value.span());
        let written_here =
            |s: Span| s.file == here.file && s.start >= here.start && s.end <= here.end;
        match PolicyDocument::from_node(&node) {
            Ok(v) => v,
            // A malformed policy is an input error only where it is written; one that arrives
            // through a variable or output (`default = {}`) is unknown.
            Err(e) if !written_here(e.span) => PolicyValue::Unknown {
                reason: format!("the value is not a policy document: {}", e.message),
                span: here,
            },
            Err(e) => {
                let (value, error) = crate::source::invalid_policy(self.sources, e);
                self.tree.errors.borrow_mut().push(error);
                value
            }
        }
    }

    fn roles(&mut self, unit: &mut Unit) {
        for (inst, name, block) in self.resources_of("aws_iam_role") {
            let roles =
                self.lower_instances(inst, "aws_iam_role", &name, block, |l, address, ctx| {
                    l.role(address, ctx, block)
                });
            let alike = per_instance::all_equal(
                roles
                    .iter()
                    .map(|(_, r)| per_instance::trust_signature(&r.trust)),
            );
            let mut lowered = Vec::with_capacity(roles.len());
            for (key, role) in roles {
                lowered.push((key, unit.roles.len()));
                unit.roles.push(role);
            }
            self.role_index
                .insert((inst, name), per_instance::Lowered::new(lowered, alike));
        }
    }

    /// One role (one instance of its block, whose `each`/`count` the caller has bound).
    fn role(&self, address: String, ctx: Ctx, block: Located<'a, Block>) -> Role {
        let span = self.block_span(block);
        let trust = match block.item.body.get_attribute("assume_role_policy") {
            Some(attr) => self.read_policy(ctx, attr, true),
            None => PolicyValue::Unknown {
                reason: "the role has no assume_role_policy".into(),
                span,
            },
        };
        Role {
            address,
            span,
            name: self.literal_attr(ctx.inst, block, "name"),
            path: self.literal_attr(ctx.inst, block, "path"),
            trust,
        }
    }

    fn profiles(&mut self, unit: &mut Unit) {
        for (inst, name, block) in self.resources_of("aws_iam_instance_profile") {
            let profiles = self.lower_instances(
                inst,
                "aws_iam_instance_profile",
                &name,
                block,
                |l, address, ctx| l.profile(address, ctx, block),
            );
            let alike = per_instance::profiles_alike(&unit.roles, profiles.iter().map(|(_, p)| p));
            let mut lowered = Vec::with_capacity(profiles.len());
            for (key, profile) in profiles {
                lowered.push((key, unit.profiles.len()));
                unit.profiles.push(profile);
            }
            self.profile_index
                .insert((inst, name), per_instance::Lowered::new(lowered, alike));
        }
    }

    /// One instance profile (one instance of its block, bound by the caller).
    fn profile(&self, address: String, ctx: Ctx, block: Located<'a, Block>) -> InstanceProfile {
        let span = self.block_span(block);
        let (role, role_span) = match block.item.body.get_attribute("role") {
            Some(attr) => {
                let mut targets =
                    self.role_targets(ctx, &attr.value, RoleReference::RoleName, None, 0);
                // A profile holds one role; alternatives (a conditional) keep the first.
                let first = targets.drain(..).next();
                first.unwrap_or((RoleTarget::Unresolved("no role".into()), span))
            }
            None => (
                RoleTarget::Unresolved("the instance profile has no role".into()),
                span,
            ),
        };
        InstanceProfile {
            address,
            span,
            name: self.literal_attr(ctx.inst, block, "name"),
            role,
            role_span,
            role_attribute: "role",
        }
    }

    fn policies(&self, unit: &mut Unit) {
        for holder in &IamResources::builtin().terraform.policy_holders {
            let ty = holder.resource.as_str();
            let path: Vec<&str> = holder.path.iter().map(String::as_str).collect();
            for (inst, name, block) in self.resources_of(ty) {
                let attrs = attributes_at(&block.item.body, &path);
                // Read per instance (`Resource = "...:role/${each.key}/*"` is known for each), but
                // kept under the block's address, which attachments name; a document every
                // instance shares is one policy.
                let instances = self.lower_instances(inst, ty, &name, block, |l, _, ctx| {
                    attrs
                        .iter()
                        .map(|attr| l.read_policy(ctx, attr, false))
                        .collect::<Vec<_>>()
                });
                let mut documents: Vec<PolicyValue> = Vec::new();
                for document in instances.into_iter().flat_map(|(_, docs)| docs) {
                    if !documents.contains(&document) {
                        documents.push(document);
                    }
                }
                for document in documents {
                    unit.policies.push(IdentityPolicy {
                        partial: None,
                        origin: crate::model::PolicyOrigin::Written,
                        address: self.address(inst, ty, &name),
                        attribute: path.join("."),
                        document,
                    });
                }
            }
        }
    }

    fn attachments(&self, unit: &mut Unit) {
        for attachment in &IamResources::builtin().terraform.attachments {
            let ty = attachment.resource.as_str();
            let principal_attrs: Vec<&str> =
                attachment.principals.iter().map(String::as_str).collect();
            let policy_attr = attachment.policy_attribute.as_deref();
            for (inst, name, block) in self.resources_of(ty) {
                let ctx = Ctx {
                    inst,
                    file: block.file,
                };
                let via = self.address(inst, ty, &name);
                let principals = self.principals_named(ctx, &block.item.body, &principal_attrs);
                let policy = match policy_attr.and_then(|a| block.item.body.get_attribute(a)) {
                    None if policy_attr.is_none() => Some(via.clone()),
                    None => None,
                    Some(a) => {
                        let attr = a.key.as_str();
                        let attached = self.attached_policy(unit, ctx, &a.value, &via, attr);
                        if attached.is_none() {
                            // A customer policy that is not in the scan, an AWS managed policy
                            // the data file does not list, or an ARN that cannot be evaluated:
                            // no grants here, but the principals' permissions are partial.
                            let resource = (inst, ty, name.as_str(), block);
                            self.opaque_attachment(unit, resource, &a.value, &principals);
                        }
                        attached
                    }
                };
                let Some(policy) = policy else {
                    continue;
                };
                for (principal, span) in principals {
                    unit.attachments.push(PolicyAttachment {
                        policy: policy.clone(),
                        principal,
                        via: via.clone(),
                        span,
                    });
                }
            }
        }
        self.self_attachments(unit);
    }

    /// Principals that attach managed policies to themselves (`managed_policy_arns` of a role).
    fn self_attachments(&self, unit: &mut Unit) {
        for attachment in &IamResources::builtin().terraform.self_attachments {
            let ty = attachment.resource.as_str();
            let arns_attr = attachment.policies_attribute.as_str();
            for (inst, name, block) in self.resources_of(ty) {
                let Some(attr) = block.item.body.get_attribute(arns_attr) else {
                    continue;
                };
                let ctx = Ctx {
                    inst,
                    file: block.file,
                };
                let role = self.address(inst, ty, &name);
                let Expression::Array(items) = &attr.value else {
                    // `managed_policy_arns = var.policy_arns`: the ARNs where they are written.
                    self.managed_in_list(unit, ctx, &attr.value, (&role, &role, arns_attr));
                    continue;
                };
                for item in items.iter() {
                    let attached = self.attached_policy(unit, ctx, item, &role, arns_attr);
                    let span = self.tree.span(ctx.file, item.span());
                    match attached {
                        Some(policy) => unit.attachments.push(PolicyAttachment {
                            policy,
                            principal: role.clone(),
                            via: role.clone(),
                            span,
                        }),
                        None => {
                            let resource = (inst, ty, name.as_str(), block);
                            let holder = [(role.clone(), span)];
                            self.opaque_attachment(unit, resource, item, &holder);
                        }
                    }
                }
            }
        }
    }

    /// The address of the policy an ARN expression attaches: an `aws_iam_policy` of the scan, or
    /// an AWS managed policy that grants PassRole (added to the unit as held through `via`).
    fn attached_policy(
        &self,
        unit: &mut Unit,
        ctx: Ctx,
        expr: &Expression,
        via: &str,
        attribute: &str,
    ) -> Option<String> {
        if let Some(address) = self.resource_address(ctx, expr, &["aws_iam_policy"], 0) {
            return Some(address);
        }
        let managed = self.managed_policy(ctx, expr)?;
        let span = self.tree.span(ctx.file, expr.span());
        Some(managed.add_to(unit, via, attribute, span))
    }

    /// The address of the resource of one of `types` that an expression references, through
    /// variables, locals and module outputs (`aws_iam_policy.deploy.arn` → `aws_iam_policy.deploy`).
    fn resource_address<T: AsRef<str>>(
        &self,
        ctx: Ctx,
        expr: &Expression,
        types: &[T],
        depth: usize,
    ) -> Option<String> {
        if depth > MAX_TARGET_DEPTH {
            return None;
        }
        match expr {
            Expression::Parenthesis(p) => self.resource_address(ctx, p.inner(), types, depth + 1),
            Expression::StringTemplate(t) if t.iter().count() == 1 => match t.iter().next() {
                Some(hcl_edit::template::Element::Interpolation(i)) => {
                    self.resource_address(ctx, &i.expr, types, depth + 1)
                }
                _ => None,
            },
            Expression::Traversal(t) => {
                let path = traversal_path(t);
                let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                if let Some(target) = self.tree.reference(ctx.inst, &parts) {
                    return match target {
                        Target::Expr(c, e) => self.resource_address(c, e, types, depth + 1),
                        _ => None,
                    };
                }
                match parts.as_slice() {
                    [ty, name, ..] if types.iter().any(|t| t.as_ref() == *ty) => {
                        Some(self.address(ctx.inst, ty, name))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A principal as a finding shows it: the resource's address, else its name as written. A
    /// user or group (`kind`) named by a literal name that a user or group of the unit has is
    /// shown by that one's address; roles keep the name.
    fn principal_shown(&self, ctx: Ctx, expr: &Expression, kind: Option<IdentityKind>) -> String {
        if let Some(address) = self.resource_address(
            ctx,
            expr,
            &IamResources::builtin().terraform.principal_types,
            0,
        ) {
            return address;
        }
        self.principal_of_value(&self.tree.eval(ctx, expr), kind)
    }

    /// The principals an attachment names in `attributes`, each with its expression's span.
    fn principals_named(&self, ctx: Ctx, body: &Body, attributes: &[&str]) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        for attr in attributes.iter().filter_map(|a| body.get_attribute(a)) {
            let kind = identities::kind_of_attribute(attr.key.as_str());
            let exprs: Vec<&Expression> = match &attr.value {
                Expression::Array(items) => items.iter().collect(),
                e => vec![e],
            };
            for expr in exprs {
                let span = self.tree.span(ctx.file, expr.span());
                out.push((self.principal_shown(ctx, expr, kind), span));
            }
        }
        out
    }

    fn passes(&self, unit: &mut Unit, catalog: &Catalog) {
        for (inst, instance) in self.tree.instances.iter().enumerate() {
            for (ty, name, block) in &self.tree.defs[instance.def].resources {
                // `count = var.create ? 1 : 0` with `create = false`: nothing is passed.
                if catalog.terraform_passers(ty).next().is_none() || !self.tree.exists(inst, *block)
                {
                    continue;
                }
                let for_each = block
                    .item
                    .body
                    .get_attribute("for_each")
                    .map(|a| (block.file, &a.value));
                let instances = self.tree.resource_instances(
                    Ctx {
                        inst,
                        file: block.file,
                    },
                    block.item,
                    &self.address(inst, ty, name),
                );
                let exists_when = self.tree.exists_when(inst, *block);
                for passer in catalog.terraform_passers(ty) {
                    for hit in passer_path::hits(&block.item.body, &passer.path) {
                        let ctx = Ctx {
                            inst,
                            file: block.file,
                        };
                        let each = for_each.map(|(file, e)| (Ctx { inst, file }, e));
                        let address = self.address(inst, ty, name);
                        // Once per passing instance, so that `aws_iam_role.svc[each.key]` names
                        // each instance's role; one pass per role named.
                        let mut targets = Vec::new();
                        for instance in &instances {
                            targets.extend(self.tree.within(instance, || {
                                self.dynamic_targets(&hit.dynamics, ctx, &mut |l| {
                                    l.hit_targets(ctx, &hit, passer, each)
                                })
                            }));
                        }
                        let targets = targets::dedup(targets);
                        let hops = self.hit_hops(ctx, &hit, passer);
                        for (target, span) in targets {
                            // `null` or `""` passes no role (the attribute is unset): the other
                            // branch of a conditional is the real pass.
                            if target == RoleTarget::Nothing {
                                continue;
                            }
                            let when = exists_when.clone();
                            let mut pass = pass(passer, address.clone(), span, target, when);
                            pass.hops = hops.clone();
                            unit.passes.push(pass);
                        }
                    }
                }
            }
        }
    }

    /// Runs `targets` once per element of the enclosing `dynamic` blocks (outermost first), with
    /// their iterators bound, so that `tls.value.role_arn` names each element's role. A block whose
    /// elements cannot be known makes the pass unresolved.
    fn dynamic_targets(
        &self,
        dynamics: &[&Block],
        ctx: Ctx,
        targets: &mut dyn FnMut(&Self) -> Vec<(RoleTarget, Span)>,
    ) -> Vec<(RoleTarget, Span)> {
        let Some((first, rest)) = dynamics.split_first() else {
            return targets(self);
        };
        let iterator = iterator_name(first);
        match self.tree.dynamic_elements(ctx, first) {
            Ok(elements) => {
                let mut out = Vec::new();
                for (key, value) in elements {
                    out.extend(self.tree.with_binding(&iterator, key, value, || {
                        self.dynamic_targets(rest, ctx, targets)
                    }));
                }
                out
            }
            // Elements that cannot be known: the iterator stands for an unknown value, so a pass
            // that uses it is unresolved with the reason, at the passing expression.
            Err(reason) => {
                let span = self.tree.span(ctx.file, first.span());
                let (key, value) = (
                    Node::new(NodeKind::Unknown(reason.clone()), span),
                    Node::new(NodeKind::Unknown(reason), span),
                );
                self.tree.with_binding(&iterator, key, value, || {
                    self.dynamic_targets(rest, ctx, targets)
                })
            }
        }
    }
}

fn pass(
    passer: &Passer,
    address: String,
    span: Span,
    target: RoleTarget,
    exists_when: Option<(String, bool)>,
) -> Pass {
    Pass {
        passer: address,
        attribute: passer.path_string(),
        span,
        service: passer.service.clone(),
        principals: passer.principals.clone(),
        target,
        hops: Vec::new(),
        ambiguity: None,
        exists_when,
    }
}

pub(super) fn attributes_at<'b>(body: &'b Body, path: &[&str]) -> Vec<&'b Attribute> {
    match path {
        [] => Vec::new(),
        [last] => body.get_attribute(last).into_iter().collect(),
        [first, rest @ ..] => body
            .blocks()
            .flat_map(|b| {
                if b.ident.as_str() == *first {
                    attributes_at(&b.body, rest)
                } else if b.ident.as_str() == "dynamic"
                    && b.labels.first().is_some_and(|l| l.as_str() == *first)
                {
                    b.body
                        .blocks()
                        .filter(|c| c.ident.as_str() == "content")
                        .flat_map(|c| attributes_at(&c.body, rest))
                        .collect()
                } else {
                    Vec::new()
                }
            })
            .collect(),
    }
}
