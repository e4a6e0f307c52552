//! What the configuration says about a role or managed policy by reference: `aws_iam_role.NAME.arn`
//! and `.name` as the exact ARN and name, and whether a `data "aws_iam_policy"` is AWS managed.

use super::*;

impl Tree<'_> {
    /// Whether `data "aws_iam_policy" "NAME"` reads an AWS managed policy by its ARN.
    pub(super) fn aws_managed(&self, inst: usize, name: &str, depth: usize) -> bool {
        let Some(block) = self
            .def(inst)
            .data
            .get(&("aws_iam_policy".to_string(), name.to_string()))
        else {
            return false;
        };
        let Some(arn) = block.item.body.get_attribute("arn") else {
            return false;
        };
        let ctx = Ctx {
            inst,
            file: block.file,
        };
        self.eval_at(ctx, &arn.value, depth + 1)
            .as_text()
            .is_some_and(|t| {
                t.parts
                    .iter()
                    .any(|p| matches!(p, TextPart::Lit(l) if l.contains(":iam::aws:policy/")))
            })
    }

    /// `aws_iam_role.NAME.arn` and `.name`: the role's ARN with the account unknown, so that a grant
    /// on it is classified as one exact role.
    pub fn role_attribute(
        &self,
        inst: usize,
        name: &str,
        attr: &str,
        span: Span,
        depth: usize,
    ) -> Node {
        let Some(role) = self.def(inst).resource("aws_iam_role", name) else {
            return unknown(format!("aws_iam_role.{name} is not defined"), span);
        };
        // Memoised, so that `name = aws_iam_role.r.name` is a cycle rather than endless recursion.
        let literal = |key: &str| {
            role.item.body.get_attribute(key).and_then(|a| {
                let ctx = Ctx {
                    inst,
                    file: role.file,
                };
                let shown = format!("aws_iam_role.{name}.{key}");
                self.eval_target(Target::Expr(ctx, &a.value), span, depth, &shown)
                    .as_text()
                    .and_then(Text::as_literal)
            })
        };
        // A role without a literal name still is one role: name it by its address so that the
        // ARN has no wildcard and classifies as exactly one role.
        let role_name = literal("name").unwrap_or_else(|| format!("{{aws_iam_role.{name}.name}}"));
        match attr {
            "arn" => {
                let path = literal("path").unwrap_or_else(|| "/".to_string());
                let mut text = Text::lit("arn:aws:iam::");
                text.push(TextPart::Unknown("the account id".into()));
                text.push(TextPart::Lit(format!(":role{path}{role_name}")));
                Node::new(NodeKind::Str(text), span)
            }
            "name" | "id" => Node::str(role_name, span),
            _ => unknown(
                format!("aws_iam_role.{name}.{attr} is known only after apply"),
                span,
            ),
        }
    }
}
