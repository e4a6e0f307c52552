//! Module calls whose source was not read (`terraform init` not run, a source that is not a
//! literal, a directory that is not there): nothing in them is checked, so each call is stated as a
//! coverage note at its `source`, naming the module and why. Without it, a role, a policy or a pass
//! inside an unfetched registry module would be skipped silently whenever nothing outside the module
//! uses its outputs.
//!
//! The note is an identity policy of the module call that cannot be read: the module may hold
//! grants of `iam:PassRole` (PR016 says so), and its message names the roles and passes too.

use super::Lowering;
use crate::iam::policy::PolicyValue;
use crate::model::{IdentityPolicy, PolicyOrigin, Unit};
use crate::source::terraform::calls::is_skipped_source;
use hcl_edit::Span as _;
use std::collections::HashSet;

impl Lowering<'_, '_> {
    /// One note per module call (a call made by several instances of its module is one source
    /// location, so one note).
    pub(super) fn skipped_modules(&self, unit: &mut Unit) {
        let mut noted = HashSet::new();
        for instance in &self.tree.instances {
            for (name, call) in &self.tree.defs[instance.def].calls {
                let Some(Err(reason)) = instance.children.get(name) else {
                    continue;
                };
                if !is_skipped_source(reason) {
                    continue;
                }
                let written = call
                    .item
                    .body
                    .get_attribute("source")
                    .and_then(|a| a.value.span())
                    .or_else(|| call.item.ident.span());
                let span = self.tree.span(call.file, written);
                if !noted.insert(span) {
                    continue;
                }
                unit.policies.push(IdentityPolicy {
                    partial: None,
                    origin: PolicyOrigin::UnreadSource,
                    address: format!("{}module.{name}", instance.prefix),
                    attribute: "source".into(),
                    document: PolicyValue::Unknown {
                        reason: format!(
                            "the module source was not read ({reason}), so none of the roles, \
                             policies and role passes in it is checked"
                        ),
                        span,
                    },
                });
            }
        }
    }
}
