//! Tests of ARN classification and role ARN matching.

use super::*;

fn classify(s: &str) -> RoleScope {
    classify_passrole_resource(&Text::lit(s))
}

/// Builds a text from `{...}`-marked unknown parts: `"arn:{var.a}:x"`.
fn text(template: &str) -> Text {
    let mut out = Text::default();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (lit, after) = rest.split_at(open);
        out.push(TextPart::Lit(lit.to_string()));
        let close = after.find('}').unwrap_or(after.len());
        out.push(TextPart::Unknown(after[1..close].to_string()));
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push(TextPart::Lit(rest.to_string()));
    out
}

fn classify_t(template: &str) -> RoleScope {
    classify_passrole_resource(&text(template))
}

#[test]
fn scope_names_and_descriptions() {
    let all = [
        (RoleScope::Exact, "exact", "one named role"),
        (RoleScope::Path, "path", "the roles under one path"),
        (
            RoleScope::NamePrefix,
            "name_prefix",
            "every role whose name starts with a prefix",
        ),
        (
            RoleScope::AccountRoles,
            "account_roles",
            "every role in the account",
        ),
        (RoleScope::All, "all", "every resource"),
        (
            RoleScope::InnerWildcard,
            "inner_wildcard",
            "roles matched by a wildcard that is not at the end",
        ),
        (
            RoleScope::Unknown,
            "unknown",
            "a value that cannot be evaluated statically",
        ),
        (RoleScope::NotRole, "not_role", "not an IAM role"),
    ];
    for (scope, name, phrase) in all {
        assert_eq!(scope.as_str(), name);
        assert_eq!(scope.describe(), phrase);
    }
}

#[test]
fn all_wildcards() {
    for s in [
        "*",
        "**",
        "*?",
        "arn:aws:iam::123456789012:*",
        "arn:*:*:*:*:*",
        "arn:aws:*::*:*",
        "arn:aws:iam::*:**",
        "arn:aws-cn:IAM::1:*",
    ] {
        assert_eq!(classify(s), RoleScope::All, "{s}");
    }
}

#[test]
fn exact_roles() {
    for s in [
        "arn:aws:iam::123456789012:role/lambda_role",
        "arn:aws:iam::123456789012:role/service-role/MyFn",
        "arn:aws-cn:iam::123:role/app/x",
        "arn:aws-us-gov:iam::123:role/x",
        "arn:aws:iam::*:role/x",
        "arn:aws:*::*:role/x",
    ] {
        assert_eq!(classify(s), RoleScope::Exact, "{s}");
    }
    assert_eq!(
        classify_t("arn:aws:iam::{var.account}:role/lambda_role"),
        RoleScope::Exact
    );
    assert_eq!(
        classify_t("arn:{data.p.partition}:iam::{var.a}:role/x"),
        RoleScope::Exact
    );
}

#[test]
fn path_scopes() {
    for s in [
        "arn:aws:iam::123:role/app/*",
        "arn:aws:iam::123:role/app/sub/*",
        "arn:aws:iam::123:role/app/Dev*",
        "arn:aws-cn:iam::123:role/app/*",
        "arn:aws-us-gov:iam::123456789012:role/app/**",
        "arn:aws:iam::*:role/app/*",
    ] {
        assert_eq!(classify(s), RoleScope::Path, "{s}");
    }
    assert_eq!(
        classify_t("arn:aws:iam::{var.account}:role/app/*"),
        RoleScope::Path
    );
    assert_eq!(
        classify_t("arn:aws:iam::123:role/app/{var.name}"),
        RoleScope::Path
    );
    assert_eq!(
        classify_t("arn:aws:iam::123:role/app/dev-{var.env}"),
        RoleScope::Path
    );
    assert_eq!(
        classify_t("arn:aws:iam::123:role/app/{var.sub}/x"),
        RoleScope::Path
    );
}

#[test]
fn name_prefix_scopes() {
    for s in [
        "arn:aws:iam::123:role/Dev*",
        "arn:aws:iam::123:role/lambda-*",
        "arn:aws-us-gov:iam::123:role/x**",
    ] {
        assert_eq!(classify(s), RoleScope::NamePrefix, "{s}");
    }
}

#[test]
fn account_role_scopes() {
    for s in [
        "arn:aws:iam::123:role/*",
        "arn:aws:iam::123:role/**",
        "arn:aws:iam::123:role*",
        "arn:aws:iam::123:rol*",
        "arn:aws:iam::123:r*",
        "arn:aws:iam::*:role/*",
        "arn:aws-cn:iam::123:role/*",
    ] {
        assert_eq!(classify(s), RoleScope::AccountRoles, "{s}");
    }
    assert_eq!(
        classify_t("arn:aws:iam::{var.account}:role/*"),
        RoleScope::AccountRoles
    );
}

#[test]
fn inner_wildcards() {
    for s in [
        "arn:aws:iam::123:role/*-admin",
        "arn:aws:iam::123:role/a*b",
        "arn:aws:iam::123:role/*/admin",
        "arn:aws:iam::123:role/app/*/x",
        "arn:aws:iam::123:role/app/a?b",
        "arn:aws:iam::123:role/Dev?",
        "arn:aws:iam::123:role/*/*",
        "arn:aws:iam::123:ro?e/x",
        "arn:aws:iam::123:*/x",
        "arn:aws:iam::123:??????",
    ] {
        assert_eq!(classify(s), RoleScope::InnerWildcard, "{s}");
    }
}

#[test]
fn unknown_scopes() {
    for t in [
        "{var.role_arn}",
        "arn:aws:iam::123:role/{var.name}",
        "arn:aws:iam::123:role/{var.path}/x",
        "arn:aws:iam::123:{var.resource}",
        "arn:aws:iam::{var.rest}",
        "arn:aws:{var.service}::123:role/x",
        "ar{var.x}",
        "*{var.x}",
        "arn:aws:iam::123:role/app*/{var.x}",
    ] {
        assert_eq!(classify_t(t), RoleScope::Unknown, "{t}");
    }
}

#[test]
fn not_roles() {
    for s in [
        "arn:aws:s3:::bucket/*",
        "arn:aws:s3:::*",
        "arn:aws:iam::123:user/*",
        "arn:aws:iam::123:policy/x",
        "arn:aws:iam::123:instance-profile/x",
        "arn:aws:iam::123:Role/x",
        "arn:aws:iam::123:role/",
        "arn:aws:iam::123",
        "arn:aws:iam::123:?",
        "lambda_role",
        "",
        "?",
        "ARN:aws:iam::123:role/x",
        "arn:aws::::role/x",
    ] {
        assert_eq!(classify(s), RoleScope::NotRole, "{s:?}");
    }
    for t in [
        "arn:aws:s3:::{var.bucket}",
        "arn:aws:iam::123:user/{var.name}",
        "arn:aws:s3{var.x}::123:role/x",
        "role/{var.name}",
        "arn:aws:{var.service}::123:user/x",
    ] {
        assert_eq!(classify_t(t), RoleScope::NotRole, "{t}");
    }
}

#[test]
fn classification_never_panics_on_odd_input() {
    for s in [
        ":",
        "::::::",
        "arn:",
        "arn:::::",
        "arn::::::::",
        "arn:é:ï:ö::ü",
        "arn:aws:iam::1:role/é*",
    ] {
        let _ = classify(s);
        let _ = parse_role_arn(s);
        let _ = role_arn_pattern_matches(s, "/", "x");
    }
    let _ = classify_passrole_resource(&Text::default());
    let _ = classify_passrole_resource(&Text {
        parts: vec![TextPart::Unknown("a".into()), TextPart::Unknown("b".into())],
    });
}

#[test]
fn parses_role_arns() {
    assert_eq!(
        parse_role_arn("arn:aws:iam::123456789012:role/service-role/MyFn"),
        Some(RoleArn {
            partition: "aws".into(),
            account: Some("123456789012".into()),
            path: "/service-role/".into(),
            name: "MyFn".into(),
        })
    );
    assert_eq!(
        parse_role_arn("arn:aws-cn:iam:::role/MyFn"),
        Some(RoleArn {
            partition: "aws-cn".into(),
            account: None,
            path: "/".into(),
            name: "MyFn".into(),
        })
    );
    let deep = parse_role_arn("arn:aws-us-gov:iam::1:role/a/b/c");
    assert_eq!(
        deep.map(|r| (r.path, r.name)),
        Some(("/a/b/".into(), "c".into()))
    );
}

#[test]
fn rejects_non_role_arns() {
    for s in [
        "arn:aws:iam::1:role/*",
        "arn:aws:iam::*:role/x",
        "arn:aws:iam::1:role/app/",
        "arn:aws:iam::1:role/",
        "arn:aws:iam::1:user/x",
        "arn:aws:s3:::role/x",
        "arn::iam::1:role/x",
        "arn:aws:iam::1",
        "role/x",
        "*",
    ] {
        assert_eq!(parse_role_arn(s), None, "{s}");
    }
}

#[test]
fn pattern_matching_roles() {
    assert!(role_arn_pattern_matches("*", "/", "x"));
    assert!(role_arn_pattern_matches(
        "arn:aws:iam::*:role/app/*",
        "/app/",
        "x"
    ));
    assert!(role_arn_pattern_matches(
        "arn:aws:iam::*:role/app/*",
        "/app/sub/",
        "x"
    ));
    assert!(role_arn_pattern_matches(
        "arn:aws-cn:iam::1:role/x",
        "/",
        "x"
    ));
    assert!(role_arn_pattern_matches("arn:aws:iam::1:*", "/a/", "x"));
    assert!(role_arn_pattern_matches("arn:aws:*::1:role/?", "/", "x"));
    assert!(role_arn_pattern_matches("arn:aws:IAM::1:role/x", "/", "x"));
    assert!(role_arn_pattern_matches(
        "arn:aws:iam::1:role/service-role/MyFn",
        "/service-role/",
        "MyFn"
    ));
}

#[test]
fn pattern_matching_misses() {
    assert!(!role_arn_pattern_matches(
        "arn:aws:iam::*:role/app/*",
        "/",
        "x"
    ));
    assert!(!role_arn_pattern_matches(
        "arn:aws:iam::1:role/App*",
        "/",
        "app-x"
    ));
    assert!(!role_arn_pattern_matches("arn:aws:s3:::role/x", "/", "x"));
    assert!(!role_arn_pattern_matches("arn:aws:iam::1:user/x", "/", "x"));
    assert!(!role_arn_pattern_matches("role/x", "/", "x"));
    assert!(!role_arn_pattern_matches("", "/", "x"));
}

#[test]
fn pattern_matching_tolerates_bare_paths() {
    assert!(role_arn_pattern_matches(
        "arn:aws:iam::1:role/app/x",
        "app",
        "x"
    ));
    assert!(role_arn_pattern_matches("arn:aws:iam::1:role/x", "", "x"));
}
