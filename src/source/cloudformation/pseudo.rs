//! Pseudo parameters that are one value for the whole stack.
//!
//! `AWS::AccountId`, `AWS::Region` and `AWS::StackName` are unknown before deployment, but every use in
//! one template is the same value: the stack's account, region and name. A role named
//! `cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}` is therefore exactly one role, and an
//! ARN ending in `:role/app-${AWS::Region}/*` is scoped to one path. Where such a pseudo parameter is part
//! of a role's name or path, the name part of an ARN, or a service principal
//! (`states.${AWS::Region}.amazonaws.com`, which the principal catalog reads as the regional form), it
//! is kept as the literal placeholder `${AWS::Region}`: IAM names cannot contain `$`, `{` or `}`, so the
//! placeholder never equals a real name, and equal placeholders within a template are equal values.
//!
//! The account and region fields of an ARN are left unknown: the ARN code already treats an unknown
//! account as "some account", and a placeholder there would read as an account id.

use crate::value::{Node, NodeKind, Text, TextPart};

/// The pseudo parameters that are one fixed value within a stack and never contain a `:`.
const STACK_CONSTANTS: &[&str] = &["AWS::AccountId", "AWS::Region", "AWS::StackName"];

/// Service principal domains, as in the principal catalog.
const SERVICE_SUFFIXES: &[&str] = &[".amazonaws.com", ".amazonaws.com.cn", ".api.aws"];

/// The placeholder written for a stack constant.
pub fn placeholder(name: &str) -> String {
    format!("${{{name}}}")
}

fn is_stack_constant(what: &str) -> bool {
    STACK_CONSTANTS.contains(&what)
}

/// Whether a name contains the stack name placeholder: such a name can only be a role of the same
/// template (another stack has another name).
pub fn names_this_stack(name: &str) -> bool {
    name.contains(&placeholder("AWS::StackName"))
}

/// Every stack constant of `text` as its placeholder: for a role's or profile's name and path, or a
/// role named without an ARN.
pub fn in_name(text: &Text) -> Text {
    replace_from(text, 0)
}

/// A value with its stack constants made placeholders where they are part of a name: a whole-value
/// `Ref AWS::StackName` and any string (see [`in_name`]).
pub fn name_node(node: &Node) -> Node {
    match &node.kind {
        NodeKind::Unknown(what) if is_stack_constant(what) => {
            Node::str(placeholder(what), node.span)
        }
        NodeKind::Str(text) => Node::new(NodeKind::Str(in_name(text)), node.span),
        _ => node.clone(),
    }
}

/// A string built by `Fn::Sub` or `Fn::Join`: in an ARN, the stack constants of the resource field
/// (after the fifth `:`) become placeholders; in a service principal, all of them. Other strings are
/// returned as they are.
pub fn in_value(mut node: Node) -> Node {
    let NodeKind::Str(text) = &node.kind else {
        return node;
    };
    if !text
        .parts
        .iter()
        .any(|p| matches!(p, TextPart::Unknown(w) if is_stack_constant(w)))
    {
        return node;
    }
    let from = match resource_field_start(text) {
        Some(i) => Some(i),
        None if is_service_principal(text) => Some(0),
        None => None,
    };
    if let Some(from) = from {
        node.kind = NodeKind::Str(replace_from(text, from));
    }
    node
}

/// The index of the first part that lies wholly in an ARN's resource field, for a text that starts
/// with a literal `arn:`. Unknown parts count as holding no `:` (a stack constant never does).
fn resource_field_start(text: &Text) -> Option<usize> {
    let starts_arn = matches!(text.parts.first(), Some(TextPart::Lit(s)) if s.starts_with("arn:"));
    if !starts_arn {
        return None;
    }
    let mut colons = 0;
    for (i, part) in text.parts.iter().enumerate() {
        if let TextPart::Lit(s) = part {
            colons += s.matches(':').count();
        }
        if colons >= 5 {
            return Some(i + 1);
        }
    }
    None
}

/// `states.${AWS::Region}.amazonaws.com`: a literal service domain at the end, and no `:` or `/`.
fn is_service_principal(text: &Text) -> bool {
    let ends_with_domain = matches!(
        text.parts.last(),
        Some(TextPart::Lit(s)) if SERVICE_SUFFIXES.iter().any(|d| s.ends_with(d))
    );
    let plain = text
        .parts
        .iter()
        .all(|p| !matches!(p, TextPart::Lit(s) if s.contains([':', '/'])));
    ends_with_domain && plain
}

/// The text with every stack constant at part index `from` or later replaced by its placeholder.
fn replace_from(text: &Text, from: usize) -> Text {
    let mut out = Text::default();
    for (i, part) in text.parts.iter().enumerate() {
        match part {
            TextPart::Unknown(w) if i >= from && is_stack_constant(w) => {
                out.push(TextPart::Lit(placeholder(w)))
            }
            other => out.push(other.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Span;

    fn text(parts: &[(&str, bool)]) -> Text {
        let mut t = Text::default();
        for (s, known) in parts {
            t.push(if *known {
                TextPart::Lit(s.to_string())
            } else {
                TextPart::Unknown(s.to_string())
            });
        }
        t
    }

    fn value(parts: &[(&str, bool)]) -> Text {
        let node = Node::new(NodeKind::Str(text(parts)), Span::default());
        match in_value(node).kind {
            NodeKind::Str(t) => t,
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn the_resource_field_of_an_arn_gets_placeholders_and_the_account_stays_unknown() {
        let out = value(&[
            ("arn:aws:iam::", true),
            ("AWS::AccountId", false),
            (":role/cdk-exec-", true),
            ("AWS::AccountId", false),
            ("-", true),
            ("AWS::Region", false),
        ]);
        assert_eq!(
            out,
            text(&[
                ("arn:aws:iam::", true),
                ("AWS::AccountId", false),
                (":role/cdk-exec-${AWS::AccountId}-${AWS::Region}", true),
            ])
        );
    }

    #[test]
    fn a_regional_service_principal_gets_a_placeholder() {
        let out = value(&[
            ("states.", true),
            ("AWS::Region", false),
            (".amazonaws.com", true),
        ]);
        assert_eq!(
            out.as_literal().as_deref(),
            Some("states.${AWS::Region}.amazonaws.com")
        );
    }

    #[test]
    fn other_unknowns_and_other_strings_are_left_alone() {
        // A parameter without a default stays unknown even in the resource field.
        let parameter = text(&[("arn:aws:iam::1:role/", true), ("Env", false)]);
        assert_eq!(
            value(&[("arn:aws:iam::1:role/", true), ("Env", false)]),
            parameter
        );
        // A string that is neither an ARN nor a principal (a condition value) keeps its unknowns.
        let plain = text(&[("AWS::Region", false), ("-bucket", true)]);
        assert_eq!(value(&[("AWS::Region", false), ("-bucket", true)]), plain);
        // The stack id holds colons: not a stack constant.
        assert!(!is_stack_constant("AWS::StackId"));
    }

    #[test]
    fn names_take_placeholders_everywhere() {
        let name = in_name(&text(&[("AWS::StackName", false), ("-worker", true)]));
        assert_eq!(
            name.as_literal().as_deref(),
            Some("${AWS::StackName}-worker")
        );
        assert!(names_this_stack("${AWS::StackName}-worker"));
        let whole = name_node(&Node::new(
            NodeKind::Unknown("AWS::Region".into()),
            Span::default(),
        ));
        assert_eq!(
            whole.as_text().and_then(Text::as_literal).as_deref(),
            Some("${AWS::Region}")
        );
    }
}
