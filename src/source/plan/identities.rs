//! IAM users, groups and permission sets of a plan, users' group memberships, and policies given by
//! an ARN whose statements cannot be known (opaque policies), as the `.tf` lowering records them.
//! A principal named by a name (`users = ["dev"]`, as a plan writes every reference by name) is
//! shown by the address of the user or group of the plan with that name.

use super::{Leaf, Lower, PlanResource, address_parts};
use crate::model::{GroupMembership, Identity, IdentityKind, Unit};
use crate::resolve::iam_resources::{IamResources, Membership};
use crate::source::opaque;
use crate::value::{Span, Text};
use std::collections::HashMap;

/// How a principal that cannot be known is shown (as the `.tf` lowering shows it).
const UNKNOWN_PRINCIPAL: &str = "a principal that cannot be evaluated statically";

/// The kind of principal an attachment attribute names; `None` for roles and permission sets,
/// which are not resolved by name.
pub(super) fn kind_of_attribute(attribute: &str) -> Option<IdentityKind> {
    match attribute {
        "user" | "users" | "user_name" => Some(IdentityKind::User),
        "group" | "groups" | "group_name" => Some(IdentityKind::Group),
        _ => None,
    }
}

/// The addresses of the users, groups and customer managed policies of a plan by (type, name).
#[derive(Default)]
pub(super) struct Names {
    by_name: HashMap<(String, String), Vec<String>>,
}

fn type_of(kind: IdentityKind) -> &'static str {
    IamResources::builtin()
        .terraform
        .identity_type(kind)
        .unwrap_or("aws_iam_user")
}

impl<'a> Lower<'a> {
    /// The users, groups and permission sets of the plan (each instance, as the plan lists them).
    pub(super) fn identities(&mut self, unit: &mut Unit) {
        let resources = std::mem::take(&mut self.resources);
        for r in &resources {
            let Some(kind) = IamResources::builtin().terraform.identity_kind(&r.raw.ty) else {
                continue;
            };
            let tf = self
                .enricher
                .and_then(|e| e.resource_span(&r.module, false, &r.raw.ty, &r.raw.name));
            let span = self.relocate(r.span, tf);
            unit.identities.push(Identity {
                kind,
                address: r.address.clone(),
                span,
                name: self.literal(r, "name"),
            });
        }
        self.resources = resources;
    }

    /// The one resource of type `ty` whose planned `name` is `name` (none when several have it:
    /// which one is meant cannot be told).
    pub(super) fn named(&self, ty: &str, name: &str) -> Option<String> {
        let terraform = &IamResources::builtin().terraform;
        let names = self.names.get_or_init(|| {
            let mut names = Names::default();
            for r in &self.resources {
                let indexed =
                    terraform.identity_kind(&r.raw.ty).is_some() || r.raw.ty == "aws_iam_policy";
                if let Some(name) = self.literal(r, "name").filter(|_| indexed) {
                    let key = (r.raw.ty.to_string(), name);
                    names
                        .by_name
                        .entry(key)
                        .or_default()
                        .push(r.address.clone());
                }
            }
            names
        });
        match names
            .by_name
            .get(&(ty.to_string(), name.to_string()))?
            .as_slice()
        {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// A principal named by `name` in an attribute naming principals of `kind`.
    pub(super) fn principal_named(&self, name: &str, kind: Option<IdentityKind>) -> String {
        kind.and_then(|k| self.named(type_of(k), name))
            .unwrap_or_else(|| format!("\"{name}\""))
    }

    /// The principals named at an attribute (a string or a list of strings), each with its span
    /// (in the `.tf` when the configuration was found). A value known only after apply is the
    /// user or group its configuration references directly, else a principal that cannot be known.
    pub(super) fn principals_at(
        &mut self,
        r: &PlanResource<'a>,
        attribute: &str,
        kind: Option<IdentityKind>,
    ) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        for value in self.attribute_strings(r, attribute) {
            match value {
                AttributeString::Known(name, span) => {
                    out.push((self.principal_named(&name, kind), span))
                }
                AttributeString::Unknown(at) => {
                    let (shown, span) = self.referenced_principal(r, attribute, kind);
                    out.push((shown, self.relocate(span, at)));
                }
            }
        }
        out
    }

    /// The user or group an attribute known only after apply references in the configuration
    /// (`aws_iam_user.dev.name`, in the resource's own module), with the expression's span.
    fn referenced_principal(
        &self,
        r: &PlanResource<'a>,
        attribute: &str,
        kind: Option<IdentityKind>,
    ) -> (String, Span) {
        let Some((e, span)) = self
            .config_resource(r)
            .and_then(|c| self.expression_at(c.expressions, &[attribute], 0))
        else {
            return (UNKNOWN_PRINCIPAL.into(), r.span);
        };
        let ty = kind.map(type_of);
        let found = e.references.iter().flatten().find_map(|reference| {
            let parts = address_parts(reference);
            match parts.as_slice() {
                [t, name, ..] if Some(t.as_str()) == ty => self.resource_in(r, t, name),
                _ => None,
            }
        });
        (found.unwrap_or_else(|| UNKNOWN_PRINCIPAL.into()), span)
    }

    /// The address of the one resource `ty.name` of the plan in `r`'s module.
    fn resource_in(&self, r: &PlanResource<'a>, ty: &str, name: &str) -> Option<String> {
        let mut found = self
            .resources
            .iter()
            .filter(|o| o.raw.ty == ty && o.raw.name == name && o.module == r.module);
        let first = found.next()?;
        found.next().is_none().then(|| first.address.clone())
    }

    /// `aws_iam_group_membership` and `aws_iam_user_group_membership`.
    pub(super) fn memberships(&mut self, unit: &mut Unit) {
        let terraform = &IamResources::builtin().terraform;
        // Copies: naming a principal looks up the users and groups among the resources.
        let selected: Vec<PlanResource<'a>> = self
            .resources
            .iter()
            .filter(|r| terraform.membership(&r.raw.ty).is_some())
            .cloned()
            .collect();
        for r in selected {
            let Some(Membership {
                holder_attribute: one_attr,
                holder_kind: single,
                members_attribute: list_attr,
                members_kind: listed,
                ..
            }) = terraform.membership(&r.raw.ty)
            else {
                continue;
            };
            let holders = self.principals_at(&r, one_attr, Some(*single));
            let members = self.principals_at(&r, list_attr, Some(*listed));
            for (holder, _) in &holders {
                for (member, span) in &members {
                    let (user, group) = match listed {
                        IdentityKind::User => (member.clone(), holder.clone()),
                        _ => (holder.clone(), member.clone()),
                    };
                    unit.memberships.push(GroupMembership {
                        user,
                        group,
                        span: *span,
                    });
                }
            }
        }
    }

    /// The policies an ARN attribute attaches whose statements cannot be known: (the policy as
    /// written, why, the span of the ARN). AWS managed policies of the data file, and policies of
    /// the plan referenced by the configuration (`aws_iam_policy.x.arn`), are known.
    pub(super) fn opaque_arns(
        &mut self,
        r: &PlanResource<'a>,
        attribute: &str,
    ) -> Vec<(String, String, Span)> {
        let mut out = Vec::new();
        for value in self.attribute_strings(r, attribute) {
            match value {
                AttributeString::Known(arn, span) => {
                    let defined = |name: &str| self.named("aws_iam_policy", name);
                    if let Some(reason) = opaque::reason(&Text::lit(arn.clone()), &arn, defined) {
                        out.push((arn, reason, span));
                    }
                }
                AttributeString::Unknown(at) => {
                    let config = self
                        .config_resource(r)
                        .and_then(|c| self.expression_at(c.expressions, &[attribute], 0));
                    let (shown, span) = match config {
                        Some((e, span)) => {
                            let refs: Vec<String> = e
                                .references
                                .iter()
                                .flatten()
                                .map(|s| s.to_string())
                                .collect();
                            // A policy the plan creates: its statements are in the scan.
                            let policy = |s: &String| {
                                address_parts(s)
                                    .first()
                                    .is_some_and(|p| p == "aws_iam_policy")
                            };
                            if refs.iter().any(policy) {
                                continue;
                            }
                            match refs.first() {
                                Some(first) => (first.clone(), span),
                                None => (format!("{}.{attribute}", r.address), span),
                            }
                        }
                        None => (format!("{}.{attribute}", r.address), r.span),
                    };
                    let span = self.relocate(span, at);
                    let reason = opaque::unknown_reason(&shown);
                    out.push((shown, reason, span));
                }
            }
        }
        out
    }
}

/// A string an attribute of a planned resource holds (each string of a list), or a value known
/// only after apply.
pub(super) enum AttributeString {
    /// The string and its span (in the `.tf` when the configuration was found).
    Known(String, Span),
    /// Known only after apply; the span of the attribute in the `.tf`, when it was found.
    Unknown(Option<Span>),
}

impl<'a> Lower<'a> {
    /// The strings at `attribute` of `r`, each located in the `.tf` when its configuration was
    /// found (the n-th item of a list at the n-th item written).
    pub(super) fn attribute_strings(
        &mut self,
        r: &PlanResource<'a>,
        attribute: &str,
    ) -> Vec<AttributeString> {
        let tf = self
            .enricher
            .map(|e| e.attributes(&r.module, &r.raw.ty, &r.raw.name, &[attribute]))
            .unwrap_or_default();
        let tf_attr = tf.first();
        let mut out = Vec::new();
        for leaf in self.leaves(r.values, &[attribute]) {
            let Leaf::Known(raw) = leaf else {
                out.push(AttributeString::Unknown(tf_attr.map(|a| a.span)));
                continue;
            };
            let items = match raw.get().starts_with('[') {
                true => self.array(raw).unwrap_or_default(),
                false => vec![raw],
            };
            for (j, item) in items.into_iter().enumerate() {
                let Some((text, span)) = self.string_span(item) else {
                    continue;
                };
                let at = tf_attr.map(|a| a.items.get(j).copied().unwrap_or(a.span));
                out.push(AttributeString::Known(text, self.relocate(span, at)));
            }
        }
        out
    }
}
