//! AWS managed policies (`rules/managed-policies.toml`, compiled in): every one that grants
//! `iam:PassRole`, and others recorded whole for escalation paths.
//!
//! An AWS managed policy attached by ARN is a grant the scan cannot read: its text is AWS's. The data
//! file holds, for each policy it lists, either every statement of its default version (`complete`)
//! or only the statements that grant PassRole, and the sources turn an attachment of one of them into
//! an identity policy whose every element is spanned at the ARN expression of the attachment, so that
//! PR010-PR016 point there. A policy recorded only in part makes its holders' permissions partially
//! known ([`IdentityPolicy::partial`]). A policy the file does not list is taken to grant no PassRole
//! (the file says it lists them all).

use std::sync::OnceLock;

use serde::Deserialize;

use crate::iam::action::analyze_actions;
use crate::iam::policy::{PolicyDocument, PolicyValue};
use crate::model::{AWS_MANAGED_POLICY_MARK, IdentityPolicy, Unit};
use crate::value::{Key, Node, NodeKind, Span, Text, TextPart};

const BUILTIN_TOML: &str = include_str!("../../rules/managed-policies.toml");

/// The partitions an AWS managed policy ARN may be written in.
const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"];

/// The ARN prefix after the partition: AWS managed policies belong to the account `aws`.
const MANAGED_PREFIX: &str = ":iam::aws:policy/";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    policy: Vec<ManagedPolicy>,
}

/// One AWS managed policy of the data file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    pub name: String,
    /// The ARN in the `aws` partition.
    pub arn: String,
    /// The AWS page the statements were read from.
    pub source: String,
    /// The default policy version the statements were read from.
    pub version: Option<String>,
    /// `statements` are every statement of the version (else only those that grant PassRole).
    #[serde(default)]
    pub complete: bool,
    /// The statements, in IAM JSON shape: all of them when `complete`, else those that grant
    /// `iam:PassRole`.
    #[serde(default)]
    pub statements: Vec<toml::Table>,
    /// For a policy known to grant `iam:PassRole` whose statements are not recorded yet: why it is
    /// listed. Its attachments are a coverage note (PR016) rather than silent.
    pub unchecked: Option<String>,
}

/// The managed policies of the data file.
#[derive(Debug)]
pub struct ManagedPolicies {
    pub policies: Vec<ManagedPolicy>,
}

impl ManagedPolicies {
    /// The built-in data file, parsed once.
    pub fn builtin() -> &'static ManagedPolicies {
        static BUILTIN: OnceLock<ManagedPolicies> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The file is compiled in and a test loads it: failing here is a bug, not an input error.
            ManagedPolicies::from_toml(BUILTIN_TOML)
                .expect("the built-in rules/managed-policies.toml is invalid")
        })
    }

    /// Parses the data file and checks that every ARN is an AWS managed policy ARN.
    pub fn from_toml(text: &str) -> Result<ManagedPolicies, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for p in &raw.policy {
            let Some(tail) = p.arn.strip_prefix("arn:aws:iam::aws:policy/") else {
                return Err(format!(
                    "{}: the ARN is not an AWS managed policy ARN",
                    p.name
                ));
            };
            if tail.rsplit('/').next() != Some(p.name.as_str()) {
                return Err(format!("{}: the ARN does not end in the name", p.name));
            }
            if p.statements.is_empty() == p.unchecked.is_none() {
                return Err(format!(
                    "{}: give either the statements or why they are unchecked",
                    p.name
                ));
            }
            if !p.statements.is_empty() && p.version.is_none() {
                return Err(format!("{}: the policy version read is missing", p.name));
            }
            if !p.source.starts_with("https://docs.aws.amazon.com/") {
                return Err(format!(
                    "{}: the source is not an AWS documentation page",
                    p.name
                ));
            }
            p.check_partial_statements()?;
        }
        let mut names: Vec<&str> = raw.policy.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        if let Some(twice) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("{}: the policy is listed twice", twice[0]));
        }
        Ok(ManagedPolicies {
            policies: raw.policy,
        })
    }

    /// The policy an ARN names, when the ARN is an AWS managed policy of the file: the partition may
    /// be a literal or a value that cannot be known statically (`${AWS::Partition}`,
    /// `data.aws_partition.current.partition`); the path and name must be literal.
    pub fn by_arn(&self, arn: &Text) -> Option<&ManagedPolicy> {
        let tail = managed_tail(arn)?;
        self.policies
            .iter()
            .find(|p| p.arn.strip_prefix("arn:aws:iam::aws:policy/") == Some(tail.as_str()))
    }
    /// Whether an ARN names a policy of the file (in any partition, as [`Self::by_arn`] reads it).
    pub fn is_listed(&self, arn: &Text) -> bool {
        self.by_arn(arn).is_some()
    }
}

/// `path/name` of an AWS managed policy ARN, when the text is one.
fn managed_tail(arn: &Text) -> Option<String> {
    let mut parts = arn.parts.iter();
    let (partition, rest) = match parts.next()? {
        TextPart::Lit(first) => {
            let after = first.strip_prefix("arn:")?;
            if after.is_empty() {
                // `arn:${partition}...`: the partition is the next, unknown, part.
                match parts.next()? {
                    TextPart::Unknown(_) => (None, String::new()),
                    TextPart::Lit(_) => return None,
                }
            } else {
                let (p, rest) = after.split_once(':')?;
                (Some(p.to_string()), format!(":{rest}"))
            }
        }
        TextPart::Unknown(_) => return None,
    };
    if partition
        .as_deref()
        .is_some_and(|p| !PARTITIONS.contains(&p))
    {
        return None;
    }
    // The rest must be literal.
    let mut rest = rest;
    for p in parts {
        match p {
            TextPart::Lit(s) => rest.push_str(s),
            TextPart::Unknown(_) => return None,
        }
    }
    rest.strip_prefix(MANAGED_PREFIX).map(str::to_string)
}

impl ManagedPolicy {
    /// An entry that is not `complete` lists the statements that grant PassRole and nothing else: a
    /// statement that grants none would be a part of the policy recorded as if it were the part
    /// that matters, and its holders' other permissions would look known.
    fn check_partial_statements(&self) -> Result<(), String> {
        if self.complete {
            return match self.unchecked {
                Some(_) => Err(format!(
                    "{}: a complete policy cannot be unchecked",
                    self.name
                )),
                None => Ok(()),
            };
        }
        for (i, statement) in self.statements.iter().enumerate() {
            if !grants_passrole(statement) {
                return Err(format!(
                    "{}: statement {} does not grant iam:PassRole (list it only with complete = true)",
                    self.name,
                    i + 1
                ));
            }
        }
        Ok(())
    }

    /// Why the holders' permissions from this policy are only partially known, if they are.
    pub fn partial(&self) -> Option<String> {
        (!self.complete).then(|| {
            format!(
                "only the iam:PassRole statements of the AWS managed policy {} are recorded",
                self.name
            )
        })
    }

    /// The policy's recorded statements as a policy document, every element spanned at `span` (the
    /// attachment's ARN expression: the only place in the scan that stands for the policy).
    pub fn document(&self, span: Span) -> Node {
        if let Some(why) = &self.unchecked {
            let reason = format!(
                "the AWS managed policy {} is not recorded in rules/managed-policies.toml ({why})",
                self.name
            );
            return Node::new(NodeKind::Unknown(reason), span);
        }
        let statements = self
            .statements
            .iter()
            .map(|t| table_node(t, span))
            .collect();
        let key = Key {
            name: "Statement".into(),
            span,
        };
        Node::new(
            NodeKind::Map(vec![
                (
                    Key {
                        name: "Version".into(),
                        span,
                    },
                    Node::str("2012-10-17", span),
                ),
                (key, Node::new(NodeKind::List(statements), span)),
            ]),
            span,
        )
    }

    /// How findings name the policy held through an attachment.
    pub fn shown(&self, via: &str) -> String {
        format!("{via}{AWS_MANAGED_POLICY_MARK}{})", self.name)
    }

    /// Adds the policy's statements to `unit` as an identity policy held through `via` (once: two
    /// attachments of one policy by one resource are one grant) and returns its address.
    pub fn add_to(&self, unit: &mut Unit, via: &str, attribute: &str, span: Span) -> String {
        let address = self.shown(via);
        if !unit.policies.iter().any(|p| p.address == address) {
            let document = PolicyDocument::from_node(&self.document(span)).unwrap_or_else(|e| {
                PolicyValue::Unknown {
                    reason: e.message,
                    span,
                }
            });
            unit.policies.push(IdentityPolicy {
                partial: self.partial(),
                origin: crate::model::PolicyOrigin::Written,
                address: address.clone(),
                attribute: attribute.to_string(),
                document,
            });
        }
        address
    }
}

/// Whether a statement of the data file is an Allow whose `Action` (or `NotAction`) grants
/// `iam:PassRole`.
fn grants_passrole(statement: &toml::Table) -> bool {
    let allow = statement.get("Effect").and_then(toml::Value::as_str) == Some("Allow");
    let (value, negated) = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(v), None) => (v, false),
        (None, Some(v)) => (v, true),
        _ => return false,
    };
    let items: Vec<Text> = match value {
        toml::Value::String(s) => vec![Text::lit(s.clone())],
        toml::Value::Array(items) => items
            .iter()
            .filter_map(toml::Value::as_str)
            .map(|s| Text::lit(s.to_string()))
            .collect(),
        _ => return false,
    };
    allow && analyze_actions(&items, negated).matched.is_some()
}

fn table_node(table: &toml::Table, span: Span) -> Node {
    let entries = table
        .iter()
        .map(|(k, v)| {
            (
                Key {
                    name: k.clone(),
                    span,
                },
                value_node(v, span),
            )
        })
        .collect();
    Node::new(NodeKind::Map(entries), span)
}

fn value_node(value: &toml::Value, span: Span) -> Node {
    match value {
        toml::Value::String(s) => Node::str(s.clone(), span),
        toml::Value::Integer(i) => Node::new(NodeKind::Number(i.to_string()), span),
        toml::Value::Float(f) => Node::new(NodeKind::Number(f.to_string()), span),
        toml::Value::Boolean(b) => Node::new(NodeKind::Bool(*b), span),
        toml::Value::Datetime(d) => Node::str(d.to_string(), span),
        toml::Value::Array(items) => Node::new(
            NodeKind::List(items.iter().map(|v| value_node(v, span)).collect()),
            span,
        ),
        toml::Value::Table(t) => table_node(t, span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy::{PolicyDocument, PolicyValue};
    use crate::model::UnitKind;
    use crate::value::FileId;

    fn text(parts: &[(bool, &str)]) -> Text {
        Text {
            parts: parts
                .iter()
                .map(|(lit, s)| {
                    if *lit {
                        TextPart::Lit(s.to_string())
                    } else {
                        TextPart::Unknown(s.to_string())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn builtin_file_loads_and_every_policy_is_a_readable_document() {
        let all = ManagedPolicies::builtin();
        assert!(all.policies.iter().any(|p| p.name == "AdministratorAccess"));
        let span = Span::new(FileId(0), 0, 0);
        for p in &all.policies {
            match PolicyDocument::from_node(&p.document(span)) {
                Ok(PolicyValue::Known(doc)) => assert!(!doc.statements.is_empty(), "{}", p.name),
                Ok(PolicyValue::Unknown { .. }) if p.unchecked.is_some() => {}
                other => panic!("{}: {other:?}", p.name),
            }
        }
    }

    #[test]
    fn power_user_access_is_listed_whole_and_grants_no_passrole() {
        let arn = Text::lit("arn:aws:iam::aws:policy/PowerUserAccess");
        let all = ManagedPolicies::builtin();
        assert!(all.is_listed(&arn));
        let Some(power) = all.by_arn(&arn) else {
            panic!("PowerUserAccess is not listed");
        };
        assert!(power.complete);
        assert_eq!(power.partial(), None);
        assert!(!power.statements.is_empty());
        assert!(!power.statements.iter().any(grants_passrole));
        assert!(!all.is_listed(&Text::lit("arn:aws:iam::aws:policy/ReadOnlyAccess")));
    }

    #[test]
    fn the_policies_escalation_paths_need_are_recorded_whole() {
        let all = ManagedPolicies::builtin();
        for name in [
            "AdministratorAccess",
            "PowerUserAccess",
            "IAMFullAccess",
            "AmazonEC2FullAccess",
            "AWSLambda_FullAccess",
            "AWSCloudFormationFullAccess",
            "AWSStepFunctionsFullAccess",
            "AmazonS3FullAccess",
        ] {
            let found = all.policies.iter().find(|p| p.name == name);
            assert!(found.is_some_and(|p| p.complete), "{name}");
        }
    }

    #[test]
    fn partly_recorded_policies_make_their_holders_partially_known() {
        let all = ManagedPolicies::builtin();
        let span = Span::new(FileId(0), 0, 0);
        let mut unit = Unit::new(UnitKind::Terraform, "u");
        for (name, partial) in [("AmazonECS_FullAccess", true), ("IAMFullAccess", false)] {
            let Some(policy) = all.policies.iter().find(|p| p.name == name) else {
                panic!("{name} is not listed");
            };
            let address = policy.add_to(&mut unit, "aws_iam_role.r", "policy_arn", span);
            let Some(added) = unit.policies.iter().find(|p| p.address == address) else {
                panic!("{name} was not added");
            };
            assert_eq!(added.partial.is_some(), partial, "{name}");
            if partial {
                let why = added.partial.as_deref().unwrap_or_default();
                assert!(
                    why.contains("only the iam:PassRole statements") && why.contains(name),
                    "{why}"
                );
            }
        }
    }

    #[test]
    fn every_statement_of_a_partial_entry_grants_passrole() {
        let head = "[[policy]]\nname = \"X\"\narn = \"arn:aws:iam::aws:policy/X\"\n\
                    source = \"https://docs.aws.amazon.com/x\"\nversion = \"v1\"\n";
        let s3 = "[[policy.statements]]\nEffect = \"Allow\"\nAction = \"s3:*\"\nResource = \"*\"\n";
        let partial = ManagedPolicies::from_toml(&format!("{head}{s3}"));
        assert!(
            partial
                .as_ref()
                .is_err_and(|e| e.contains("does not grant iam:PassRole")),
            "{partial:?}"
        );
        let complete = format!("{head}complete = true\n{s3}");
        assert!(ManagedPolicies::from_toml(&complete).is_ok());
        // A NotAction that excludes iam:* grants no PassRole either.
        let not_iam = "[[policy.statements]]\nEffect = \"Allow\"\nNotAction = [\"iam:*\"]\n\
                       Resource = \"*\"\n";
        assert!(ManagedPolicies::from_toml(&format!("{head}{not_iam}")).is_err());
        let not_s3 = not_iam.replace("iam:*", "s3:*");
        assert!(ManagedPolicies::from_toml(&format!("{head}{not_s3}")).is_ok());
    }

    #[test]
    fn a_policy_listed_twice_or_complete_and_unchecked_is_refused() {
        let one = "[[policy]]\nname = \"Y\"\narn = \"arn:aws:iam::aws:policy/Y\"\n\
                   source = \"https://docs.aws.amazon.com/x\"\nunchecked = \"why\"\n";
        let twice = ManagedPolicies::from_toml(&format!("{one}{one}"));
        assert!(twice.is_err_and(|e| e.contains("listed twice")));
        let both = format!("{one}complete = true\n");
        assert!(ManagedPolicies::from_toml(&both).is_err());
    }

    #[test]
    fn arns_match_in_any_partition_but_not_customer_policies() {
        let all = ManagedPolicies::builtin();
        let admin = |t: &Text| all.by_arn(t).map(|p| p.name.as_str());
        assert_eq!(
            admin(&Text::lit("arn:aws-cn:iam::aws:policy/AdministratorAccess")),
            Some("AdministratorAccess")
        );
        let sub = text(&[
            (true, "arn:"),
            (false, "AWS::Partition"),
            (true, ":iam::aws:policy/IAMFullAccess"),
        ]);
        assert_eq!(admin(&sub), Some("IAMFullAccess"));
        assert_eq!(
            admin(&Text::lit(
                "arn:aws:iam::123456789012:policy/AdministratorAccess"
            )),
            None
        );
        assert_eq!(
            admin(&Text::lit("arn:other:iam::aws:policy/AdministratorAccess")),
            None
        );
        let unknown_name = text(&[(true, "arn:aws:iam::aws:policy/"), (false, "var.name")]);
        assert_eq!(admin(&unknown_name), None);
    }

    #[test]
    fn entries_that_cannot_be_checked_are_refused() {
        let bad = "[[policy]]\nname = \"X\"\narn = \"arn:aws:iam::aws:policy/Y\"\n\
                   source = \"https://docs.aws.amazon.com/x\"\nversion = \"v1\"\n\
                   [[policy.statements]]\nEffect = \"Allow\"\n";
        assert!(ManagedPolicies::from_toml(bad).is_err());
        let neither = "[[policy]]\nname = \"Y\"\narn = \"arn:aws:iam::aws:policy/Y\"\n\
                       source = \"https://docs.aws.amazon.com/x\"\n";
        assert!(ManagedPolicies::from_toml(neither).is_err());
        let unchecked = format!("{neither}unchecked = \"documented to allow iam:PassRole\"\n");
        assert!(ManagedPolicies::from_toml(&unchecked).is_ok());
    }
}
