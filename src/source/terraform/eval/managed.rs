//! `data "aws_iam_policy"` reading an AWS managed policy of `rules/managed-policies.toml`: a copy of
//! its text (`policy = data.aws_iam_policy.admin.policy`) grants what AWS wrote in it.

use super::{Ctx, Tree};
use crate::resolve::managed::{ManagedPolicies, ManagedPolicy};

impl Tree<'_> {
    /// The policy of `rules/managed-policies.toml` that `data "aws_iam_policy" "NAME"` reads.
    pub(super) fn listed_managed(
        &self,
        inst: usize,
        name: &str,
        depth: usize,
    ) -> Option<&'static ManagedPolicy> {
        let block = self
            .def(inst)
            .data
            .get(&("aws_iam_policy".to_string(), name.to_string()))?;
        let arn = block.item.body.get_attribute("arn")?;
        let ctx = Ctx {
            inst,
            file: block.file,
        };
        let value = self.eval_at(ctx, &arn.value, depth + 1);
        ManagedPolicies::builtin().by_arn(value.as_text()?)
    }
}
