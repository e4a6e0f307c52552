//! The parameters a passed value came through, as related locations of its findings: a reader sees
//! which value was checked (the `Default`, or each of the `AllowedValues`) without looking it up.
//! `Fn::If` needs no hop: each branch is its own pass site already.

use super::eval::Template;
use crate::model::Hop;
use crate::value::Node;

impl Template<'_> {
    /// One hop per template parameter a passed value mentions (`Ref`, `${Name}` in `Fn::Sub`), at
    /// the values that were checked.
    pub fn parameter_hops(&self, value: &Node) -> Vec<Hop> {
        let mut names = Vec::new();
        self.mentioned_parameters(value, &mut names, 0);
        names
            .into_iter()
            .filter_map(|name| {
                let param = self.parameters.get(&name)?;
                let (span, message) = match (param.get("AllowedValues"), param.get("Default")) {
                    (Some((_, allowed)), _) => (
                        allowed.span,
                        format!("the parameter {name} is checked with each of its AllowedValues"),
                    ),
                    (None, Some((_, default))) => (
                        default.span,
                        format!("the parameter {name} is checked with its Default"),
                    ),
                    (None, None) => (param.span, format!("the parameter {name} has no Default")),
                };
                Some(Hop { span, message })
            })
            .collect()
    }
}
