//! The AWS account a Terraform root deploys to, when its configuration says so: the `aws`
//! provider's `allowed_account_ids` (one account), or the account of the role its `assume_role`
//! block assumes. Used to tell apart roles of the same name in different accounts (`resolve`).
//! Several `aws` providers (aliases) that disagree name no single account.

use super::*;
use crate::iam::arn::{is_account, parse_role_arn};

impl Lowering<'_, '_> {
    /// The one account the root's `aws` providers name, if they name exactly one.
    pub(super) fn root_account(&self, root: &Path) -> Option<String> {
        let module = self.tree.ws.dirs.get(root)?;
        let mut accounts = Vec::new();
        for f in &module.files {
            for block in f.body.blocks() {
                let is_aws = block.ident.as_str() == "provider"
                    && block.labels.first().is_some_and(|l| l.as_str() == "aws");
                if !is_aws {
                    continue;
                }
                let ctx = Ctx {
                    inst: 0,
                    file: f.file,
                };
                accounts.push(self.provider_account(ctx, &block.body));
            }
        }
        let first = accounts.first()?.clone()?;
        accounts
            .iter()
            .all(|a| a.as_deref() == Some(first.as_str()))
            .then_some(first)
    }

    fn provider_account(&self, ctx: Ctx, body: &Body) -> Option<String> {
        if let Some(ids) = body.get_attribute("allowed_account_ids") {
            let node = self.tree.eval(ctx, &ids.value);
            return match &node.kind {
                NodeKind::List(items) if items.len() == 1 => {
                    items[0].as_text()?.as_literal().filter(|a| is_account(a))
                }
                _ => None,
            };
        }
        let assume = body.get_blocks("assume_role").next()?;
        let arn = assume.body.get_attribute("role_arn")?;
        let text = self.tree.eval(ctx, &arn.value).as_text()?.as_literal()?;
        let account = text.split(':').nth(4)?.to_string();
        (parse_role_arn(&text).is_some() && is_account(&account)).then_some(account)
    }
}
