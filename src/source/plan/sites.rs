//! Where a plan passes a role: each passer attribute of the catalog, read from the planned values
//! when known, else followed through the configuration's references to the role or instance profile
//! the plan creates.

use super::{Leaf, Lower, PlanResource, Target};
use crate::model::{Pass, RoleTarget, Unit};
use crate::resolve::catalog::{Catalog, Passer, RoleReference};
use crate::resolve::literal::literal_target;
use crate::value::{Span, Text};
use std::borrow::Cow;

impl<'a> Lower<'a> {
    pub(super) fn passes(&mut self, unit: &mut Unit, catalog: &Catalog) {
        let resources = std::mem::take(&mut self.resources);
        for r in &resources {
            for passer in catalog.terraform_passers(&r.raw.ty) {
                self.pass(unit, r, passer);
            }
        }
        self.resources = resources;
    }

    fn pass(&mut self, unit: &mut Unit, r: &PlanResource<'a>, passer: &Passer) {
        // Selectors and JSON documents are read from the configuration (.tf), not from plan values
        // yet: without this, every `setting` block's value would be taken for a role.
        if passer.path.iter().any(|s| s.json || !s.select.is_empty()) {
            return;
        }
        let steps: Vec<&str> = passer.path.iter().map(|s| s.name.as_str()).collect();
        for (target, span) in self.sites(unit, r, &steps, passer.reference, passer.list) {
            unit.passes.push(Pass {
                passer: r.address.clone(),
                attribute: steps.join("."),
                span,
                service: passer.service.clone(),
                principals: passer.principals.clone(),
                target,
                hops: Vec::new(),
                ambiguity: None,
                exists_when: None,
            });
        }
    }

    /// The roles (or instance profiles) named at an attribute path of a resource, each with the span
    /// of the expression that names it.
    pub(super) fn sites(
        &mut self,
        unit: &Unit,
        r: &PlanResource<'a>,
        path: &[&str],
        reference: RoleReference,
        list: bool,
    ) -> Vec<(RoleTarget, Span)> {
        let tf = self
            .enricher
            .map(|e| e.attributes(&r.module, &r.raw.ty, &r.raw.name, path))
            .unwrap_or_default();
        let mut out = Vec::new();
        for (i, leaf) in self.leaves(r.values, path).into_iter().enumerate() {
            let tf_attr = tf.get(i).or(tf.first());
            match leaf {
                Leaf::Known(raw) if list => {
                    for (j, item) in self.array(raw).unwrap_or_default().into_iter().enumerate() {
                        let Some((s, span)) = self.string_span(item) else {
                            continue;
                        };
                        let at = tf_attr.map(|a| a.items.get(j).copied().unwrap_or(a.span));
                        let span = self.relocate(span, at);
                        out.push((literal_target(&Text::lit(s), reference), span));
                    }
                }
                Leaf::Known(raw) => {
                    let Some((s, span)) = self.string_span(raw) else {
                        continue;
                    };
                    if s.is_empty() {
                        continue;
                    }
                    let span = self.relocate(span, tf_attr.map(|a| a.span));
                    out.push((literal_target(&Text::lit(s), reference), span));
                }
                Leaf::Unknown => {
                    let Some(c) = self.config_resource(r) else {
                        if self.config_modules.is_empty() {
                            let span = self.relocate(r.span, tf_attr.map(|a| a.span));
                            out.push((
                                RoleTarget::Unresolved(format!(
                                    "{}.{} is known only after apply and the plan has no configuration",
                                    r.address,
                                    path.join(".")
                                )),
                                span,
                            ));
                        }
                        continue;
                    };
                    // Not in the configuration: the attribute is not set.
                    let Some((e, espan)) = self.expression_at(c.expressions, path, i) else {
                        continue;
                    };
                    let span = self.relocate(espan, tf_attr.map(|a| a.span));
                    let refs = e.references.unwrap_or_default();
                    let target = match self.resolve(&r.module, &refs, 0) {
                        Some(t) if !t.data => match self.targets.get(&t) {
                            Some(&i) if t.ty == "aws_iam_role" => RoleTarget::Role(i),
                            Some(&i) => RoleTarget::Profile(i),
                            None => RoleTarget::Unresolved(format!(
                                "{} is not created by the plan",
                                display_target(&t)
                            )),
                        },
                        _ if refs.is_empty() => RoleTarget::Unresolved(format!(
                            "{}.{} is known only after apply",
                            r.address,
                            path.join(".")
                        )),
                        _ if self.refs.borrow().spent() => RoleTarget::Unresolved(format!(
                            "{}.{} is known only after apply, from {}, which was not followed: \
                             the plan's configuration has more references than passrole follows",
                            r.address,
                            path.join("."),
                            shown_references(&refs)
                        )),
                        _ => RoleTarget::Unresolved(format!(
                            "{}.{} is known only after apply, from {}, which is not a role of the plan",
                            r.address,
                            path.join("."),
                            shown_references(&refs)
                        )),
                    };
                    out.push((target, span));
                }
            }
        }
        let _ = unit;
        out
    }
}

fn display_target(t: &Target) -> String {
    let mut s = String::new();
    for m in &t.module {
        s.push_str(&format!("module.{m}."));
    }
    if t.data {
        s.push_str("data.");
    }
    s.push_str(&format!("{}.{}", t.ty, t.name));
    s
}

/// The references of an expression for a message: the first few (a generated expression may list
/// thousands).
fn shown_references(refs: &[Cow<str>]) -> String {
    const SHOWN: usize = 5;
    let mut out = refs
        .iter()
        .take(SHOWN)
        .map(|r| r.as_ref())
        .collect::<Vec<_>>()
        .join(", ");
    if refs.len() > SHOWN {
        out.push_str(&format!(" and {} more", refs.len() - SHOWN));
    }
    out
}
