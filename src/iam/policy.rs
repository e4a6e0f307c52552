//! IAM policy documents read from a format-neutral [`Node`] tree, every element with its span.
//!
//! The reader is lenient the way a scanner must be: an element it cannot evaluate (a variable, a function
//! it does not know) is kept as an unknown [`Text`] so that later stages can say "cannot be evaluated"
//! instead of guessing; only structural errors that IAM itself would reject are errors.

use crate::iam::principal::PrincipalKind;
use crate::value::{Key, Node, NodeKind, Span, Text};

/// A policy document: `{"Version": ..., "Statement": [...]}`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
    /// Statements that cannot be known statically (a `dynamic "statement"` block): the reason and
    /// where. The known statements are still checked; a trust policy with one of these is unknown.
    pub unknown_statements: Vec<(String, Span)>,
    pub span: Span,
}

/// `Allow`, `Deny`, or a value that is neither (unknown or misspelt: it grants nothing we can rely on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    Unknown,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
            Effect::Unknown => "Unknown",
        }
    }
}

/// One string element of an `Action`, `Resource` or principal list.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub text: Text,
    pub span: Span,
}

/// `Action`/`NotAction`, `Resource`/`NotResource`: the items, whether the list is negated, and where the
/// key was written (the primary location of findings about `NotAction`/`NotResource`).
#[derive(Clone, Debug, PartialEq)]
pub struct ElementList {
    pub negated: bool,
    pub key_span: Span,
    pub span: Span,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub value: Text,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalBlock {
    pub negated: bool,
    pub key_span: Span,
    pub entries: Vec<Principal>,
    /// Why the principals cannot be known (`Principal = var.principal`); entries are then empty.
    pub unknown: Option<String>,
}

/// One condition key of one operator: `"StringEquals": {"iam:PassedToService": ...}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub key_span: Span,
    /// The values the key is compared with (`["lambda.amazonaws.com"]`), unknown parts kept.
    pub values: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub effect_span: Span,
    pub actions: Option<ElementList>,
    pub resources: Option<ElementList>,
    pub principals: Option<PrincipalBlock>,
    pub conditions: Vec<Condition>,
    /// Where `Condition` is written, even when its value cannot be read (`Condition = var.c`): a
    /// conditioned statement may not apply, whatever its keys.
    pub condition_span: Option<Span>,
    pub span: Span,
}

/// Why a node is not a policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyError {
    pub message: String,
    pub span: Span,
}

/// The document could not be read as a policy, or could not be evaluated statically.
#[derive(Clone, Debug, PartialEq)]
pub enum PolicyValue {
    Known(PolicyDocument),
    /// The document (or its `Statement`) cannot be known statically; the reason says why.
    Unknown {
        reason: String,
        span: Span,
    },
    /// A value that is not a policy document; the source has reported it as an input error, so it
    /// is not a coverage gap as well.
    Invalid {
        reason: String,
        span: Span,
    },
}

/// `{"Statement": [...]}`: a policy document node made of statements gathered from several places
/// (merged documents, `source_policy_documents`, `Fn::If` branches), each keeping its own span.
pub fn statement_document(statements: Vec<Node>, span: Span) -> Node {
    Node::new(
        NodeKind::Map(vec![(
            Key {
                name: "Statement".into(),
                span,
            },
            Node::new(NodeKind::List(statements), span),
        )]),
        span,
    )
}

impl PolicyValue {
    /// `Unknown` becomes `Invalid` when reading the value reported an input error (a policy heredoc
    /// that is not JSON evaluates to unknown): the error says it, a coverage gap would repeat it.
    pub fn invalid_if(self, reported: bool) -> PolicyValue {
        match self {
            PolicyValue::Unknown { reason, span } if reported => {
                PolicyValue::Invalid { reason, span }
            }
            other => other,
        }
    }
}

impl PolicyDocument {
    /// Reads a policy document. An unknown node (a variable, a function we do not evaluate) is
    /// `PolicyValue::Unknown`; a node that is known but is not a policy is an error.
    pub fn from_node(node: &Node) -> Result<PolicyValue, PolicyError> {
        let entries = match &node.kind {
            NodeKind::Map(entries) => entries,
            NodeKind::Unknown(reason) => {
                return Ok(PolicyValue::Unknown {
                    reason: reason.clone(),
                    span: node.span,
                });
            }
            NodeKind::Str(text) if !text.is_known() => {
                return Ok(PolicyValue::Unknown {
                    reason: format!(
                        "the policy is built from {}, which cannot be evaluated statically",
                        text.first_unknown().unwrap_or("a value")
                    ),
                    span: node.span,
                });
            }
            _ => return Err(error(node, "a policy document must be a JSON object")),
        };
        let mut statements = Vec::new();
        let mut unknown_statements = Vec::new();
        for (key, value) in entries {
            if key.name != "Statement" {
                continue;
            }
            match &value.kind {
                NodeKind::Unknown(reason) => {
                    return Ok(PolicyValue::Unknown {
                        reason: reason.clone(),
                        span: value.span,
                    });
                }
                NodeKind::List(items) => {
                    for item in items {
                        match &item.kind {
                            NodeKind::Unknown(reason) => {
                                unknown_statements.push((reason.clone(), item.span))
                            }
                            _ => statements.push(Statement::from_node(item)?),
                        }
                    }
                }
                _ => statements.push(Statement::from_node(value)?),
            }
        }
        Ok(PolicyValue::Known(PolicyDocument {
            statements,
            unknown_statements,
            span: node.span,
        }))
    }
}

impl Statement {
    /// The statement's `Action`/`NotAction` certainly includes `iam:PassRole` (named, through a
    /// wildcard, or not excluded by `NotAction`), whatever its effect.
    pub fn covers_passrole_action(&self) -> bool {
        self.actions.as_ref().is_some_and(|a| {
            let texts: Vec<Text> = a.items.iter().map(|i| i.text.clone()).collect();
            crate::iam::action::analyze_actions(&texts, a.negated)
                .matched
                .is_some()
        })
    }

    /// The statement's `Resource` list names only non-role resources (`iam:*` or `Deny s3:*` on a
    /// bucket): whatever its actions, it allows or denies `iam:PassRole` on no role.
    pub fn names_no_role(&self) -> bool {
        self.resources.as_ref().is_some_and(|list| {
            !list.negated
                && !list.items.is_empty()
                && list.items.iter().all(|i| {
                    crate::iam::arn::classify_passrole_resource(&i.text)
                        == crate::iam::arn::RoleScope::NotRole
                })
        })
    }

    fn from_node(node: &Node) -> Result<Statement, PolicyError> {
        let NodeKind::Map(entries) = &node.kind else {
            return Err(error(node, "a policy statement must be a JSON object"));
        };
        let mut statement = Statement {
            sid: None,
            effect: Effect::Unknown,
            effect_span: node.span,
            actions: None,
            resources: None,
            principals: None,
            conditions: Vec::new(),
            condition_span: None,
            span: node.span,
        };
        for (key, value) in entries {
            match key.name.as_str() {
                "Sid" => statement.sid = value.as_text().and_then(Text::as_literal),
                "Effect" => {
                    statement.effect_span = value.span;
                    statement.effect = match value.as_text().and_then(Text::as_literal).as_deref() {
                        Some("Allow") => Effect::Allow,
                        Some("Deny") => Effect::Deny,
                        _ => Effect::Unknown,
                    };
                }
                "Action" | "NotAction" => {
                    statement.actions = Some(element_list(key.span, key.name == "NotAction", value))
                }
                "Resource" | "NotResource" => {
                    statement.resources =
                        Some(element_list(key.span, key.name == "NotResource", value))
                }
                "Principal" | "NotPrincipal" => {
                    statement.principals =
                        Some(principal_block(key.span, key.name == "NotPrincipal", value))
                }
                "Condition" => {
                    statement.condition_span = Some(key.span);
                    statement.conditions = conditions(value);
                }
                _ => {}
            }
        }
        Ok(statement)
    }
}

fn error(node: &Node, message: &str) -> PolicyError {
    PolicyError {
        message: message.to_string(),
        span: node.span,
    }
}

/// Anything that is not a string becomes an unknown item, so that it is reported as "cannot be
/// evaluated" rather than silently dropped.
fn item(node: &Node) -> Item {
    let text = match &node.kind {
        NodeKind::Str(text) => text.clone(),
        NodeKind::Unknown(reason) => Text::unknown(reason.clone()),
        NodeKind::Number(n) => Text::lit(n.clone()),
        _ => Text::unknown("a value that is not a string"),
    };
    Item {
        text,
        span: node.span,
    }
}

fn items(node: &Node) -> Vec<Item> {
    node.as_list().into_iter().map(item).collect()
}

fn element_list(key_span: Span, negated: bool, value: &Node) -> ElementList {
    ElementList {
        negated,
        key_span,
        span: value.span,
        items: items(value),
    }
}

fn principal_block(key_span: Span, negated: bool, value: &Node) -> PrincipalBlock {
    let mut entries = Vec::new();
    match &value.kind {
        NodeKind::Map(map) => {
            for (key, list) in map {
                // An unrecognised principal type is still a principal that is not a service.
                let kind =
                    crate::iam::principal::principal_kind(&key.name).unwrap_or(PrincipalKind::Aws);
                for it in items(list) {
                    let kind = if kind == PrincipalKind::Aws
                        && it.text.as_literal().as_deref() == Some("*")
                    {
                        PrincipalKind::Any
                    } else {
                        kind
                    };
                    entries.push(Principal {
                        kind,
                        value: it.text,
                        span: it.span,
                    });
                }
            }
        }
        _ => {
            let it = item(value);
            if it.text.as_literal().as_deref() == Some("*") {
                // `"Principal": "*"`: everyone.
                entries.push(Principal {
                    kind: PrincipalKind::Any,
                    value: it.text,
                    span: it.span,
                });
            } else {
                // A variable, or a string IAM does not accept: which principals it names is unknown,
                // never guessed to be everyone.
                return PrincipalBlock {
                    negated,
                    key_span,
                    entries,
                    unknown: Some(match it.text.first_unknown() {
                        Some(reason) => reason.to_string(),
                        None => format!("\"{}\" is not a principal", it.text),
                    }),
                };
            }
        }
    }
    PrincipalBlock {
        negated,
        key_span,
        entries,
        unknown: None,
    }
}

fn conditions(value: &Node) -> Vec<Condition> {
    let mut out = Vec::new();
    let NodeKind::Map(operators) = &value.kind else {
        return out;
    };
    for (operator, keys) in operators {
        if let NodeKind::Map(keys) = &keys.kind {
            for (key, values) in keys {
                out.push(Condition {
                    operator: operator.name.clone(),
                    key: key.name.clone(),
                    key_span: key.span,
                    values: items(values),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{FileId, Key};

    fn sp(a: usize) -> Span {
        Span::new(FileId(0), a, a + 1)
    }
    fn s(v: &str, at: usize) -> Node {
        Node::str(v, sp(at))
    }
    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            NodeKind::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                name: k.to_string(),
                                span: v.span,
                            },
                            v,
                        )
                    })
                    .collect(),
            ),
            sp(0),
        )
    }

    #[test]
    fn reads_statement_elements_with_spans() {
        let doc = map(vec![(
            "Statement",
            map(vec![
                ("Effect", s("Allow", 1)),
                ("Action", s("iam:PassRole", 2)),
                ("NotResource", s("*", 3)),
                (
                    "Condition",
                    map(vec![(
                        "StringEquals",
                        map(vec![("iam:ResourceTag/x", s("y", 4))]),
                    )]),
                ),
            ]),
        )]);
        let PolicyValue::Known(doc) = PolicyDocument::from_node(&doc).unwrap() else {
            panic!("known")
        };
        let st = &doc.statements[0];
        assert_eq!(st.effect, Effect::Allow);
        assert_eq!(st.actions.as_ref().unwrap().items[0].span, sp(2));
        assert!(st.resources.as_ref().unwrap().negated);
        assert_eq!(st.conditions[0].key, "iam:ResourceTag/x");
    }

    #[test]
    fn unknown_document_is_not_an_error() {
        let n = Node::new(NodeKind::Unknown("var.policy has no default".into()), sp(0));
        assert!(matches!(
            PolicyDocument::from_node(&n),
            Ok(PolicyValue::Unknown { .. })
        ));
    }

    #[test]
    fn a_list_is_not_a_policy() {
        let n = Node::new(NodeKind::List(vec![]), sp(0));
        assert!(PolicyDocument::from_node(&n).is_err());
    }

    #[test]
    fn star_principal_is_any() {
        let doc = map(vec![(
            "Statement",
            map(vec![("Effect", s("Allow", 1)), ("Principal", s("*", 2))]),
        )]);
        let PolicyValue::Known(doc) = PolicyDocument::from_node(&doc).unwrap() else {
            panic!()
        };
        let p = doc.statements[0].principals.as_ref().unwrap();
        assert_eq!(p.entries[0].kind, PrincipalKind::Any);
    }
}
