//! Unit tests of the permission queries on small hand-written policies (the glob algebra has its own
//! tests in `tests_glob.rs`).

use super::*;

// ---------------------------------------------------------------------------------------------------
// Builders: an item with `${...}` is a partial value whose `over` glob reads each `${...}` as `*`.

fn pattern(item: &str) -> Pattern {
    if !item.contains("${") {
        return Pattern::Glob(item.to_owned());
    }
    let mut over = String::new();
    let mut rest = item;
    while let Some(start) = rest.find("${") {
        over.push_str(&rest[..start]);
        over.push('*');
        rest = rest[start..]
            .find('}')
            .map_or("", |end| &rest[start + end + 1..]);
    }
    over.push_str(rest);
    Pattern::Partial { over }
}

fn list(items: &[&str]) -> PatternList {
    PatternList {
        negated: false,
        items: items.iter().map(|i| pattern(i)).collect(),
    }
}

fn statement(allow: bool, actions: &[&str], resources: &[&str]) -> PermissionStatement {
    PermissionStatement {
        allow,
        actions: list(actions),
        resources: list(resources),
        conditioned: false,
        origin: 0,
    }
}

fn allow(actions: &[&str], resources: &[&str]) -> PermissionStatement {
    statement(true, actions, resources)
}

fn deny(actions: &[&str], resources: &[&str]) -> PermissionStatement {
    statement(false, actions, resources)
}

fn conditioned(mut s: PermissionStatement) -> PermissionStatement {
    s.conditioned = true;
    s
}

fn not_action(mut s: PermissionStatement) -> PermissionStatement {
    s.actions.negated = true;
    s
}

fn not_resource(mut s: PermissionStatement) -> PermissionStatement {
    s.resources.negated = true;
    s
}

/// Permissions whose statements' origins are their indexes.
fn perms(statements: Vec<PermissionStatement>) -> Permissions {
    Permissions {
        statements: statements
            .into_iter()
            .enumerate()
            .map(|(origin, s)| PermissionStatement { origin, ..s })
            .collect(),
    }
}

fn excess(origin: usize, action: &str, resource: &str) -> Excess {
    Excess {
        origin,
        action: action.to_owned(),
        resource: resource.to_owned(),
    }
}

const APP_ROLES: &str = "arn:aws:iam::*:role/app/*";

// ---------------------------------------------------------------------------------------------------
// Certain allows and denies

#[test]
fn certainly_allows_action_table() {
    let cases: Vec<(&str, Vec<PermissionStatement>, &str, Option<usize>)> = vec![
        (
            "plain allow",
            vec![allow(&["lambda:*"], &["*"])],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "case of actions",
            vec![allow(&["LAMBDA:create*"], &["*"])],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "other service",
            vec![allow(&["ec2:*"], &["*"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "conditioned allow",
            vec![conditioned(allow(&["*"], &["*"]))],
            "lambda:CreateFunction",
            None,
        ),
        (
            "no resource",
            vec![allow(&["*"], &[])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "partial action",
            vec![allow(&["lambda:${var.x}"], &["*"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "partial resource names something",
            vec![allow(&["lambda:*"], &["${var.arn}"])],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "deny everywhere",
            vec![allow(&["*"], &["*"]), deny(&["lambda:*"], &["*"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "deny on one function leaves the others",
            vec![
                allow(&["*"], &["*"]),
                deny(&["lambda:*"], &["arn:aws:lambda:*:*:function:prod"]),
            ],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "conditioned deny may apply",
            vec![
                allow(&["*"], &["*"]),
                conditioned(deny(&["lambda:*"], &["*"])),
            ],
            "lambda:CreateFunction",
            None,
        ),
        (
            "deny with unknown resource may be everything",
            vec![allow(&["*"], &["*"]), deny(&["lambda:*"], &["${var.arn}"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "deny of another action",
            vec![allow(&["*"], &["*"]), deny(&["lambda:Delete*"], &["*"])],
            "lambda:CreateFunction",
            Some(0),
        ),
        (
            "deny on the only resource granted",
            vec![allow(&["*"], &["arn:x"]), deny(&["*"], &["arn:x"])],
            "lambda:CreateFunction",
            None,
        ),
        (
            "second allow survives",
            vec![
                allow(&["lambda:*"], &["arn:x"]),
                deny(&["*"], &["arn:x"]),
                allow(&["lambda:CreateFunction"], &["*"]),
            ],
            "lambda:CreateFunction",
            Some(2),
        ),
        (
            "NotAction excludes another service",
            vec![not_action(allow(&["iam:*"], &["*"]))],
            "s3:GetObject",
            Some(0),
        ),
        (
            "NotAction excludes it",
            vec![not_action(allow(&["iam:*"], &["*"]))],
            "iam:PassRole",
            None,
        ),
        (
            "NotAction with a partial item is not certain",
            vec![not_action(allow(&["iam:*", "${var.extra}"], &["*"]))],
            "s3:GetObject",
            None,
        ),
        (
            "NotResource * names nothing",
            vec![not_resource(allow(&["*"], &["*"]))],
            "s3:GetObject",
            None,
        ),
        (
            "NotResource leaves others",
            vec![not_resource(allow(&["*"], &["arn:x"]))],
            "s3:GetObject",
            Some(0),
        ),
    ];
    for (name, statements, action, expected) in cases {
        assert_eq!(
            perms(statements).certainly_allows_action(action),
            expected,
            "{name}"
        );
    }
}

#[test]
fn certainly_allows_and_denies_table() {
    let role_a = "arn:aws:iam::123:role/app/a";
    let admin = "arn:aws:iam::123:role/admin";
    let p = perms(vec![
        allow(&["iam:PassRole"], &[APP_ROLES]),
        deny(&["iam:PassRole"], &["arn:aws:iam::123:role/app/secret"]),
    ]);
    assert_eq!(p.certainly_allows("iam:passrole", role_a), Some(0));
    assert_eq!(p.certainly_allows("iam:PassRole", admin), None);
    assert_eq!(
        p.certainly_allows("iam:PassRole", "arn:aws:iam::123:role/app/secret"),
        None
    );
    // A glob must be covered whole and no Deny may touch it.
    assert_eq!(p.certainly_allows("iam:PassRole", APP_ROLES), None);
    assert_eq!(
        p.certainly_allows("iam:PassRole", "arn:aws:iam::1:role/app/web/*"),
        Some(0)
    );
    assert_eq!(
        p.certainly_denies("iam:PassRole", "arn:aws:iam::123:role/app/secret"),
        Some(1)
    );
    assert_eq!(p.certainly_denies("iam:PassRole", role_a), None);
    assert_eq!(
        p.certainly_denies("iam:PassRole", "arn:aws:iam::*:role/app/secret"),
        None
    );
    assert_eq!(
        p.certainly_denies("iam:GetRole", "arn:aws:iam::123:role/app/secret"),
        None
    );

    let cancels =
        |s: PermissionStatement| perms(vec![s]).certainly_denies("iam:PassRole", APP_ROLES);
    assert_eq!(cancels(deny(&["iam:*"], &["*"])), Some(0));
    assert_eq!(
        cancels(deny(&["IAM:Pass*"], &["arn:aws:iam::*:role/*"])),
        Some(0)
    );
    assert_eq!(
        cancels(deny(&["iam:PassRole"], &["arn:aws:iam::*:role/app/a"])),
        None
    );
    assert_eq!(cancels(conditioned(deny(&["iam:*"], &["*"]))), None);
    assert_eq!(cancels(deny(&["iam:*"], &["${var.arn}"])), None);
    assert_eq!(cancels(not_action(deny(&["s3:*"], &["*"]))), Some(0));
    assert_eq!(cancels(not_action(deny(&["iam:*"], &["*"]))), None);
    assert_eq!(
        cancels(not_resource(deny(&["*"], &["arn:aws:s3:::*"]))),
        Some(0)
    );
    assert_eq!(cancels(allow(&["*"], &["*"])), None);
}

// ---------------------------------------------------------------------------------------------------
// Differences

type Role = Vec<PermissionStatement>;
type Principal = Vec<PermissionStatement>;

#[test]
fn exceeds_table() {
    let admin = || vec![allow(&["*"], &["*"])];
    let cases: Vec<(&str, Role, Principal, Vec<Excess>)> = vec![
        (
            "administrator role vs ec2 user",
            admin(),
            vec![
                allow(&["ec2:*"], &["*"]),
                allow(&["iam:PassRole"], &[APP_ROLES]),
            ],
            vec![excess(0, "*", "*")],
        ),
        (
            "role within the principal",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::bucket/*"])],
            vec![allow(&["s3:*"], &["*"])],
            vec![],
        ),
        (
            "principal deny takes the iam part away",
            admin(),
            vec![allow(&["*"], &["*"]), deny(&["iam:*"], &["*"])],
            vec![excess(0, "*", "*")],
        ),
        (
            "conditioned role allow",
            vec![conditioned(allow(&["*"], &["*"]))],
            vec![],
            vec![],
        ),
        (
            "role deny covering its own allow",
            vec![allow(&["s3:*"], &["*"]), deny(&["*"], &["*"])],
            vec![],
            vec![],
        ),
        (
            "role partial resource vs principal lacking the action",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::${var.bucket}/*"])],
            vec![allow(&["ec2:*"], &["*"])],
            vec![excess(
                0,
                "s3:GetObject",
                "arn:aws:s3:::*/* (partly unknown)",
            )],
        ),
        (
            "role partial resource vs principal with the action somewhere",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::${var.bucket}/*"])],
            vec![allow(&["s3:Get*"], &["arn:aws:s3:::logs/*"])],
            vec![],
        ),
        (
            "role partial resource vs principal denied that action",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::${var.bucket}/*"])],
            vec![allow(&["*"], &["*"]), deny(&["s3:*"], &["*"])],
            vec![excess(
                0,
                "s3:GetObject",
                "arn:aws:s3:::*/* (partly unknown)",
            )],
        ),
        (
            "principal conditioned allow of everything",
            admin(),
            vec![conditioned(allow(&["*"], &["*"]))],
            vec![],
        ),
        (
            "principal allow with unknown parts read at most",
            vec![allow(&["s3:GetObject"], &["arn:aws:s3:::data/*"])],
            vec![allow(
                &["s3:${var.verb}"],
                &["arn:aws:s3:::${var.bucket}/*"],
            )],
            vec![],
        ),
        (
            "principal conditioned deny does not subtract",
            admin(),
            vec![allow(&["*"], &["*"]), conditioned(deny(&["iam:*"], &["*"]))],
            vec![],
        ),
        (
            "principal deny with unknown parts does not subtract",
            admin(),
            vec![allow(&["*"], &["*"]), deny(&["iam:*"], &["${var.arn}"])],
            vec![],
        ),
        (
            "merged per statement: s3:* on * once",
            vec![allow(
                &["s3:*"],
                &["arn:aws:s3:::a", "*", "arn:aws:s3:::b/*"],
            )],
            vec![allow(&["ec2:*"], &["*"])],
            vec![excess(0, "s3:*", "*")],
        ),
        (
            "one difference per uncovered action item",
            vec![allow(
                &["s3:GetObject", "kms:Decrypt", "ec2:Describe*"],
                &["*"],
            )],
            vec![allow(&["ec2:*"], &["*"])],
            vec![
                excess(0, "s3:GetObject", "*"),
                excess(0, "kms:Decrypt", "*"),
            ],
        ),
        (
            "case of actions",
            vec![allow(&["S3:GETOBJECT"], &["*"])],
            vec![allow(&["s3:get*"], &["*"])],
            vec![],
        ),
        (
            "principal's resources narrower than the role's",
            vec![allow(&["s3:GetObject"], &["*"])],
            vec![allow(&["s3:*"], &["arn:aws:s3:::bucket/*"])],
            vec![excess(0, "s3:GetObject", "*")],
        ),
        (
            "role NotAction as a whole",
            vec![not_action(allow(&["iam:*", "organizations:*"], &["*"]))],
            vec![allow(&["s3:*"], &["*"])],
            vec![excess(0, "NotAction iam:*, organizations:*", "*")],
        ),
        (
            "role NotAction within a principal NotAction",
            vec![not_action(allow(&["iam:*"], &["*"]))],
            vec![not_action(allow(&["iam:*"], &["*"]))],
            vec![],
        ),
        (
            "role NotAction * allows nothing",
            vec![not_action(allow(&["*"], &["*"]))],
            vec![],
            vec![],
        ),
        (
            "principal NotAction lacks what the role has",
            admin(),
            vec![not_action(allow(&["iam:*"], &["*"]))],
            vec![excess(0, "*", "*")],
        ),
        (
            "role NotResource",
            vec![not_resource(allow(&["s3:*"], &["arn:aws:s3:::secret/*"]))],
            vec![allow(&["s3:*"], &["arn:aws:s3:::public/*"])],
            vec![excess(0, "s3:*", "NotResource arn:aws:s3:::secret/*")],
        ),
    ];
    for (name, role, principal, expected) in cases {
        assert_eq!(exceeds(&perms(role), &perms(principal)), expected, "{name}");
    }
}

#[test]
fn role_denies_over_part_of_a_request_need_a_concrete_difference() {
    let role = perms(vec![allow(&["*"], &["*"]), deny(&["iam:*"], &["*"])]);
    // The principal lacks exactly what the role denies itself: no difference.
    let same_gap = perms(vec![allow(&["*"], &["*"]), deny(&["iam:*"], &["*"])]);
    assert_eq!(exceeds(&role, &same_gap), vec![]);
    // The principal lacks more: the role's `*` still exceeds it.
    let ec2_only = perms(vec![allow(&["ec2:*"], &["*"])]);
    assert_eq!(exceeds(&role, &ec2_only), vec![excess(0, "*", "*")]);
    let wider_gap = perms(vec![
        allow(&["*"], &["*"]),
        deny(&["iam:*", "s3:*"], &["*"]),
    ]);
    assert_eq!(exceeds(&role, &wider_gap), vec![excess(0, "*", "*")]);
    // The principal's own Deny steers the search even behind many Allows.
    let role = perms(vec![allow(&["*"], &["*"]), deny(&["s3:*"], &["*"])]);
    let services: Vec<String> = (0..12).map(|i| format!("svc{i}:*")).collect();
    let mut statements: Vec<PermissionStatement> = services
        .iter()
        .map(|s| allow(&[s.as_str()], &["*"]))
        .collect();
    statements.push(allow(&["*"], &["*"]));
    statements.push(deny(&["iam:*"], &["*"]));
    assert_eq!(
        exceeds(&role, &perms(statements.clone())),
        vec![excess(0, "*", "*")]
    );
    statements.pop();
    assert_eq!(exceeds(&role, &perms(statements)), vec![]);
    // A conditioned role Deny over everything may apply: nothing is certain.
    let role = perms(vec![
        allow(&["*"], &["*"]),
        conditioned(deny(&["*"], &["*"])),
    ]);
    assert_eq!(exceeds(&role, &ec2_only), vec![]);
}

#[test]
fn exceeds_keeps_origins_merges_across_statements_and_caps() {
    let role = perms(vec![
        allow(&["s3:GetObject"], &["arn:aws:s3:::a/*"]),
        deny(&["kms:*"], &["*"]),
        allow(&["s3:*"], &["*"]),
    ]);
    // The later `s3:*` on `*` covers the earlier, narrower difference.
    assert_eq!(exceeds(&role, &perms(vec![])), vec![excess(2, "s3:*", "*")]);

    let actions: Vec<String> = (0..40).map(|i| format!("svc{i}:Act")).collect();
    let action_refs: Vec<&str> = actions.iter().map(String::as_str).collect();
    let many = perms(vec![allow(&action_refs, &["*"])]);
    let found = exceeds(&many, &perms(vec![]));
    assert_eq!(found.len(), 20);
    assert_eq!(found.first(), Some(&excess(0, "svc0:Act", "*")));
}

#[test]
fn describe_texts() {
    assert_eq!(describe(&[], 3), "nothing");
    assert_eq!(
        describe(&[excess(0, "*", "*")], 3),
        "every action (`*`) on `*`"
    );
    assert_eq!(describe(&[excess(0, "s3:*", "*")], 3), "`s3:*` on `*`");
    let five = [
        excess(0, "s3:*", "*"),
        excess(1, "kms:Decrypt", "arn:aws:kms:*:*:key/*"),
        excess(1, "a:B", "*"),
        excess(1, "c:D", "*"),
        excess(1, "e:F", "*"),
    ];
    assert_eq!(
        describe(&five, 2),
        "`s3:*` on `*`, `kms:Decrypt` on `arn:aws:kms:*:*:key/*` and 3 more"
    );
    assert_eq!(
        describe(&five[..2], 2),
        "`s3:*` on `*` and `kms:Decrypt` on `arn:aws:kms:*:*:key/*`"
    );
    assert_eq!(
        describe(&five[..3], 3),
        "`s3:*` on `*`, `kms:Decrypt` on `arn:aws:kms:*:*:key/*` and `a:B` on `*`"
    );
    assert_eq!(describe(&five, 0), "`s3:*` on `*` and 4 more");
    assert_eq!(
        describe(
            &[excess(0, "NotAction iam:*, sts:*", "NotResource arn:x")],
            1
        ),
        "every action except `iam:*, sts:*` on every resource except `arn:x`"
    );
}

#[test]
fn pattern_accessors() {
    let partial = pattern("arn:aws:s3:::${var.b}/${var.k}");
    assert_eq!(partial.over(), "arn:aws:s3:::*/*");
    assert_eq!(partial.known(), None);
    assert_eq!(Pattern::Glob("s3:*".into()).known(), Some("s3:*"));
}

#[test]
fn partly_unknown_differences_cover_nothing_when_merging() {
    let role = perms(vec![allow(
        &["s3:GetObject"],
        &["${var.arn}", "arn:aws:s3:::logs/*"],
    )]);
    assert_eq!(
        exceeds(&role, &perms(vec![])),
        vec![
            excess(0, "s3:GetObject", "* (partly unknown)"),
            excess(0, "s3:GetObject", "arn:aws:s3:::logs/*"),
        ]
    );
    assert_eq!(
        describe(
            &[excess(
                0,
                "s3:GetObject",
                "arn:aws:s3:::*/* (partly unknown)"
            )],
            1
        ),
        "`s3:GetObject` on `arn:aws:s3:::*/*` (partly unknown)"
    );
}
