//! Conditionals are choices: `var.x ? "lambda.amazonaws.com" : "ecs-tasks.amazonaws.com"` is one of
//! the two, never both. Values are evaluated to a list of both branches (each is checked, as for a
//! grant's `Resource`), and the branches are remembered here so that a trust policy does not read a
//! choice as a role trusting two services at once.

use super::*;

/// One conditional's branches: which conditional (a stable id) and its condition as written.
#[derive(Clone, Debug)]
pub(super) struct Choice {
    id: usize,
    condition: String,
}

impl Tree<'_> {
    /// Remembers that `branches` are the alternatives of the conditional whose condition is `cond`.
    pub(super) fn remember_choice(&self, ctx: Ctx, cond: &Expression, branches: &[Node]) {
        let strings: Vec<&Node> = branches
            .iter()
            .filter(|b| matches!(b.kind, NodeKind::Str(_)))
            .collect();
        if strings.len() < 2 || strings.iter().all(|b| b.kind == strings[0].kind) {
            return;
        }
        // `china ? "lambda.amazonaws.com.cn" : "lambda.amazonaws.com"` trusts one service either way.
        let services: Vec<Option<String>> = strings
            .iter()
            .map(|b| {
                b.as_text()
                    .and_then(Text::as_literal)
                    .and_then(|s| crate::iam::principal::canonical_service_principal(&s))
            })
            .collect();
        if services[0].is_some() && services.iter().all(|s| *s == services[0]) {
            return;
        }
        let snippet = self.sources.snippet(self.span(ctx.file, cond.span()));
        let condition: String = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut choices = self.choices.borrow_mut();
        let id = choices.len();
        for b in strings {
            choices.insert(
                b.span,
                Choice {
                    id,
                    condition: condition.clone(),
                },
            );
        }
    }

    /// A trust policy with each choice between principals replaced by one unknown principal that
    /// names the condition: which service the role trusts depends on it.
    pub fn principal_choices_unknown(&self, node: &mut Node) {
        match &mut node.kind {
            NodeKind::List(items) => {
                items
                    .iter_mut()
                    .for_each(|n| self.principal_choices_unknown(n));
                self.merge_choices(items);
            }
            NodeKind::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, n)| self.principal_choices_unknown(n)),
            _ => {}
        }
    }

    /// The elements of `items` that are branches of one conditional, merged into one unknown.
    fn merge_choices(&self, items: &mut Vec<Node>) {
        let choices = self.choices.borrow();
        let mut out: Vec<Node> = Vec::with_capacity(items.len());
        // (choice id, index in `out` of its unknown, the values seen)
        let mut merged: Vec<(usize, usize, Vec<String>)> = Vec::new();
        for item in items.drain(..) {
            let (Some(choice), NodeKind::Str(text)) = (choices.get(&item.span), &item.kind) else {
                out.push(item);
                continue;
            };
            match merged.iter_mut().find(|(id, _, _)| *id == choice.id) {
                Some((_, at, seen)) => {
                    seen.push(text.to_string());
                    out[*at] = unknown(
                        // Shown as the choice it is: `var.x ? a : b`.
                        format!("{} ? {}", choice.condition, seen.join(" : ")),
                        out[*at].span,
                    );
                }
                None => {
                    merged.push((choice.id, out.len(), vec![text.to_string()]));
                    out.push(item);
                }
            }
        }
        *items = out;
    }
}
