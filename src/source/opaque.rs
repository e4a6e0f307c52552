//! Why a policy attached by ARN cannot be read, shared by the three sources: an AWS managed policy
//! that `rules/managed-policies.toml` does not list, a customer managed policy that the unit does not
//! define, or an ARN that cannot be evaluated statically. The holder's permissions are then only
//! partially known ([`crate::model::OpaquePolicy`]).

use crate::resolve::managed::ManagedPolicies;
use crate::value::{Text, TextPart};

/// The account part of an AWS managed policy ARN (`arn:aws:iam::aws:policy/...`).
const AWS_ACCOUNT_POLICY: &str = ":iam::aws:policy/";

/// What a policy ARN value is, as far as the scan can tell.
#[derive(Debug, PartialEq)]
pub enum ArnKind {
    /// An AWS managed policy of the data file: its statements are known (nothing to record).
    Listed,
    /// An AWS managed policy the data file does not list: its name.
    UnlistedManaged(String),
    /// A customer managed policy ARN written out: its name (the last part of the path).
    Customer(String),
    /// `null` or `""`: nothing is attached.
    Nothing,
    /// Anything else: a value that cannot be known, or is not a policy ARN.
    Unknown,
}

/// Classifies an evaluated policy ARN.
pub fn classify(arn: &Text) -> ArnKind {
    if ManagedPolicies::builtin().by_arn(arn).is_some() {
        return ArnKind::Listed;
    }
    if let Some(literal) = arn.as_literal() {
        if literal.is_empty() {
            return ArnKind::Nothing;
        }
        return match literal.split_once(":policy/") {
            Some((head, tail)) if head.starts_with("arn:") && head.contains(":iam::") => {
                let name = tail.rsplit('/').next().unwrap_or(tail).to_string();
                if head.ends_with(":iam::aws") {
                    ArnKind::UnlistedManaged(name)
                } else {
                    ArnKind::Customer(name)
                }
            }
            _ => ArnKind::Unknown,
        };
    }
    // `arn:${partition}:iam::aws:policy/NAME`: an AWS managed policy whatever the partition, when
    // everything after the account is literal.
    let mut tail = String::new();
    for part in arn.parts.iter().rev() {
        match part {
            TextPart::Lit(s) => tail.insert_str(0, s),
            TextPart::Unknown(_) => break,
        }
    }
    match tail.split_once(AWS_ACCOUNT_POLICY) {
        Some((_, path)) if !path.is_empty() => {
            ArnKind::UnlistedManaged(path.rsplit('/').next().unwrap_or(path).to_string())
        }
        _ => ArnKind::Unknown,
    }
}

/// Why the statements of a policy attached by `arn` cannot be known, `None` when they can (an AWS
/// managed policy of the data file) or when nothing is attached. `shown` is the ARN or expression
/// as written; `defined` says which policy of the unit has a customer policy's name, if any.
pub fn reason(arn: &Text, shown: &str, defined: impl Fn(&str) -> Option<String>) -> Option<String> {
    match classify(arn) {
        ArnKind::Listed | ArnKind::Nothing => None,
        ArnKind::UnlistedManaged(name) => Some(format!(
            "the AWS managed policy {name} is not in rules/managed-policies.toml"
        )),
        ArnKind::Customer(name) => Some(match defined(&name) {
            // Attachments by a written ARN are not linked to the policy that has the name: said,
            // not guessed.
            Some(address) => format!(
                "the policy {shown} is named by its ARN, which is not linked to {address} of the \
                 same name"
            ),
            None => format!("the policy {shown} is not defined in the scan"),
        }),
        ArnKind::Unknown => Some(unknown_reason(shown)),
    }
}

/// The reason for a policy ARN that cannot be evaluated.
pub fn unknown_reason(shown: &str) -> String {
    format!("the policy ARN {shown} cannot be evaluated statically")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partial(parts: &[(bool, &str)]) -> Text {
        Text {
            parts: parts
                .iter()
                .map(|(lit, s)| match lit {
                    true => TextPart::Lit(s.to_string()),
                    false => TextPart::Unknown(s.to_string()),
                })
                .collect(),
        }
    }

    #[test]
    fn arns_are_classified() {
        let lit = |s: &str| classify(&Text::lit(s));
        assert_eq!(
            lit("arn:aws:iam::aws:policy/AdministratorAccess"),
            ArnKind::Listed
        );
        assert_eq!(
            lit("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            ArnKind::UnlistedManaged("ReadOnlyAccess".into())
        );
        assert_eq!(
            lit("arn:aws:iam::aws:policy/service-role/AWSLambdaRole"),
            ArnKind::UnlistedManaged("AWSLambdaRole".into())
        );
        assert_eq!(
            lit("arn:aws:iam::123456789012:policy/team/deploy"),
            ArnKind::Customer("deploy".into())
        );
        assert_eq!(lit(""), ArnKind::Nothing);
        assert_eq!(lit("deploy"), ArnKind::Unknown);
        let sub = partial(&[
            (true, "arn:"),
            (false, "AWS::Partition"),
            (true, ":iam::aws:policy/ReadOnlyAccess"),
        ]);
        assert_eq!(
            classify(&sub),
            ArnKind::UnlistedManaged("ReadOnlyAccess".into())
        );
        let name_unknown = partial(&[(true, "arn:aws:iam::aws:policy/"), (false, "var.n")]);
        assert_eq!(classify(&name_unknown), ArnKind::Unknown);
    }

    #[test]
    fn reasons_name_the_policy() {
        let none = |_: &str| None;
        assert_eq!(
            reason(
                &Text::lit("arn:aws:iam::aws:policy/ReadOnlyAccess"),
                "x",
                none
            )
            .as_deref(),
            Some("the AWS managed policy ReadOnlyAccess is not in rules/managed-policies.toml")
        );
        let arn = "arn:aws:iam::123:policy/x";
        assert_eq!(
            reason(&Text::lit(arn), arn, none).as_deref(),
            Some("the policy arn:aws:iam::123:policy/x is not defined in the scan")
        );
        assert!(
            reason(&Text::lit(arn), arn, |_| Some("aws_iam_policy.x".into()))
                .is_some_and(|r| r.contains("aws_iam_policy.x"))
        );
        assert_eq!(
            reason(&Text::unknown("var.policy_arn"), "var.policy_arn", none).as_deref(),
            Some("the policy ARN var.policy_arn cannot be evaluated statically")
        );
        assert_eq!(
            reason(
                &Text::lit("arn:aws:iam::aws:policy/AdministratorAccess"),
                "x",
                none
            ),
            None
        );
    }
}
