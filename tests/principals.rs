//! Users, groups and permission sets, group memberships and opaque policies, as each source lowers
//! them (`testdata/principals-*`): these model fields are not in the facts document yet, so they are
//! checked on the units the sources build.

use passrole::model::{IdentityKind, Unit};
use passrole::resolve::catalog::Catalog;
use passrole::source::reader::Reader;
use passrole::source::{SourceFile, SourceMap, cloudformation, plan, terraform};
use passrole::value::Span;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The 1-based line a span starts on.
fn line(sources: &SourceMap, span: Span) -> usize {
    let file = sources.get(span.file).expect("the span's file");
    file.position(span.start as usize).line
}

/// Lowers the Terraform module in `dir` as a scan does (parse, load, lower the root).
fn terraform_unit(dir: &str) -> (Unit, SourceMap) {
    let dir = PathBuf::from(dir);
    let mut sources = SourceMap::default();
    let mut modules: BTreeMap<PathBuf, Vec<terraform::TfFile>> = BTreeMap::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the fixture directory")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("a readable .tf file");
        let id = sources.add(SourceFile::new(path, text));
        let file = terraform::parse_file(id, sources.get(id).expect("just added")).expect("HCL");
        modules.entry(dir.clone()).or_default().push(file);
    }
    let mut errors = Vec::new();
    let reader = Reader::new(&dir);
    let workspace = terraform::load(modules, Vec::new(), &mut sources, &reader, &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    let [root] = workspace.roots.as_slice() else {
        panic!("one root module: {:?}", workspace.roots);
    };
    let (unit, errors) = terraform::lower_module(root, &workspace, &sources, Catalog::builtin());
    assert!(errors.is_empty(), "{errors:?}");
    (unit, sources)
}

/// Lowers one CloudFormation template.
fn template_unit(path: &str) -> (Unit, SourceMap) {
    let mut sources = SourceMap::default();
    let text = std::fs::read_to_string(path).expect("a readable template");
    let id = sources.add(SourceFile::new(path.into(), text));
    let (unit, errors) = cloudformation::lower_template(id, &sources, Catalog::builtin());
    assert!(errors.is_empty(), "{errors:?}");
    (unit.expect("a template"), sources)
}

/// Lowers one plan, without its configuration.
fn plan_unit(path: &str) -> (Unit, SourceMap) {
    let mut sources = SourceMap::default();
    let text = std::fs::read_to_string(path).expect("a readable plan");
    let id = sources.add(SourceFile::new(path.into(), text));
    let (unit, errors) = plan::lower_plan(id, &sources, Catalog::builtin(), None);
    assert!(errors.is_empty(), "{errors:?}");
    (unit.expect("a plan"), sources)
}

/// (kind, address, line, name) of each identity, sorted.
fn identities(
    unit: &Unit,
    sources: &SourceMap,
) -> Vec<(IdentityKind, String, usize, Option<String>)> {
    let mut out: Vec<_> = unit
        .identities
        .iter()
        .map(|i| {
            (
                i.kind,
                i.address.clone(),
                line(sources, i.span),
                i.name.clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// (user, group, line) of each membership, sorted.
fn memberships(unit: &Unit, sources: &SourceMap) -> Vec<(String, String, usize)> {
    let mut out: Vec<_> = unit
        .memberships
        .iter()
        .map(|m| (m.user.clone(), m.group.clone(), line(sources, m.span)))
        .collect();
    out.sort();
    out
}

/// (principal, policy, reason, line) of each opaque policy, sorted.
fn opaque(unit: &Unit, sources: &SourceMap) -> Vec<(String, String, String, usize)> {
    let mut out: Vec<_> = unit
        .opaque_policies
        .iter()
        .map(|o| {
            (
                o.principal.clone(),
                o.policy.clone(),
                o.reason.clone(),
                line(sources, o.span),
            )
        })
        .collect();
    out.sort();
    out
}

/// (principal, policy) of each attachment, sorted.
fn attachments(unit: &Unit) -> Vec<(String, String)> {
    let mut out: Vec<_> = unit
        .attachments
        .iter()
        .map(|a| (a.principal.clone(), a.policy.clone()))
        .collect();
    out.sort();
    out
}

fn s(v: &str) -> String {
    v.to_string()
}

fn o(principal: &str, policy: &str, reason: &str, line: usize) -> (String, String, String, usize) {
    (s(principal), s(policy), s(reason), line)
}

const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const READ_ONLY_REASON: &str =
    "the AWS managed policy ReadOnlyAccess is not in rules/managed-policies.toml";
const CUSTOMER: &str = "arn:aws:iam::123456789012:policy/x";
const CUSTOMER_REASON: &str =
    "the policy arn:aws:iam::123456789012:policy/x is not defined in the scan";

#[test]
fn terraform_identities_memberships_and_opaque_policies() {
    let (unit, sources) = terraform_unit("testdata/principals-tf");
    use IdentityKind::*;
    assert_eq!(
        identities(&unit, &sources),
        [
            (Group, s("aws_iam_group.admins"), 14, Some(s("admins"))),
            (User, s("aws_iam_user.dev"), 5, Some(s("dev"))),
            // One per block, as attachments and memberships name it; its instances' names differ.
            (User, s("aws_iam_user.ops"), 9, None),
            (
                PermissionSet,
                s("aws_ssoadmin_permission_set.deploy"),
                18,
                Some(s("Deploy"))
            ),
        ]
    );
    assert_eq!(
        memberships(&unit, &sources),
        [
            (s("\"carol\""), s("aws_iam_group.admins"), 29),
            // `groups = [..., "outsiders"]` of `user = "dev"`: the user by its literal name.
            (s("aws_iam_user.dev"), s("\"outsiders\""), 35),
            (s("aws_iam_user.dev"), s("aws_iam_group.admins"), 27),
            (s("aws_iam_user.dev"), s("aws_iam_group.admins"), 35),
            // "ann" is the name of an instance of `aws_iam_user.ops`.
            (s("aws_iam_user.ops"), s("aws_iam_group.admins"), 28),
        ]
    );
    assert_eq!(
        opaque(&unit, &sources),
        [
            // A role named by a literal name keeps the name.
            o(
                "\"worker\"",
                "var.policy_arn",
                "the policy ARN var.policy_arn cannot be evaluated statically",
                55
            ),
            o("aws_iam_group.admins", CUSTOMER, CUSTOMER_REASON, 45),
            o(
                "aws_iam_role.app",
                "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
                "the AWS managed policy AWSLambdaVPCAccessExecutionRole is not in \
                 rules/managed-policies.toml",
                69
            ),
            o("aws_iam_user.dev", READ_ONLY, READ_ONLY_REASON, 40),
        ]
    );
    // `group = "admins"` names the group of the module by its name.
    assert_eq!(
        attachments(&unit),
        [
            (
                s("aws_iam_group.admins"),
                s("aws_iam_group_policy_attachment.admin (AWS managed policy AdministratorAccess)")
            ),
            (s("aws_iam_role.app"), s("aws_iam_policy.own")),
        ]
    );
}

#[test]
fn cloudformation_identities_memberships_and_opaque_policies() {
    let (unit, sources) = template_unit("testdata/principals-cfn/template.yaml");
    use IdentityKind::*;
    assert_eq!(
        identities(&unit, &sources),
        [
            (Group, s("Admins"), 16, Some(s("admins"))),
            (PermissionSet, s("Deploy"), 33, Some(s("Deploy"))),
            (User, s("DevUser"), 6, Some(s("dev"))),
            // No `UserName`: CloudFormation generates one.
            (User, s("Unnamed"), 23, None),
        ]
    );
    assert_eq!(
        memberships(&unit, &sources),
        [
            (s("\"carol\""), s("Admins"), 32),
            (s("DevUser"), s("\"outsiders\""), 12),
            (s("DevUser"), s("Admins"), 11),
            // `Users: [dev]` and `GroupName: admins` of the addition: both by their names.
            (s("DevUser"), s("Admins"), 30),
            (s("Unnamed"), s("Admins"), 31),
        ]
    );
    assert_eq!(
        opaque(&unit, &sources),
        [
            o("Admins", CUSTOMER, CUSTOMER_REASON, 21),
            o("DevUser", READ_ONLY, READ_ONLY_REASON, 14),
            o(
                "Worker",
                "!Ref PolicyArn",
                "the policy ARN !Ref PolicyArn cannot be evaluated statically",
                50
            ),
        ]
    );
    assert_eq!(
        attachments(&unit),
        [
            (
                s("Admins"),
                s("Admins (AWS managed policy AdministratorAccess)")
            ),
            // `ManagedPolicyArns: [!Ref OwnPolicy]` of the user, and `Users: [dev]` of the policy.
            (s("DevUser"), s("OwnPolicy")),
            (s("DevUser"), s("OwnPolicy")),
        ]
    );
}

#[test]
fn plan_identities_memberships_and_opaque_policies() {
    let (unit, sources) = plan_unit("testdata/principals-plan/plan.json");
    use IdentityKind::*;
    assert_eq!(
        identities(&unit, &sources),
        [
            (Group, s("aws_iam_group.admins"), 47, Some(s("admins"))),
            (User, s("aws_iam_user.dev"), 8, Some(s("dev"))),
            // `name_prefix`: the name is known only after apply.
            (User, s("aws_iam_user.late"), 34, None),
            (User, s("aws_iam_user.ops[\"ann\"]"), 21, Some(s("ann"))),
            (
                PermissionSet,
                s("aws_ssoadmin_permission_set.deploy"),
                60,
                Some(s("Deploy"))
            ),
        ]
    );
    assert_eq!(
        memberships(&unit, &sources),
        [
            (s("\"carol\""), s("aws_iam_group.admins"), 85),
            (s("aws_iam_user.dev"), s("aws_iam_group.admins"), 83),
            // The user's name is known only after apply: the configuration references the user.
            (s("aws_iam_user.late"), s("\"outsiders\""), 100),
            (s("aws_iam_user.late"), s("aws_iam_group.admins"), 99),
            (
                s("aws_iam_user.ops[\"ann\"]"),
                s("aws_iam_group.admins"),
                84
            ),
        ]
    );
    assert_eq!(
        opaque(&unit, &sources),
        [
            o(
                "\"worker\"",
                "module.policies.arn",
                "the policy ARN module.policies.arn cannot be evaluated statically",
                463
            ),
            o("aws_iam_group.admins", CUSTOMER, CUSTOMER_REASON, 127),
            o("aws_iam_user.dev", READ_ONLY, READ_ONLY_REASON, 114),
        ]
    );
    assert_eq!(
        attachments(&unit),
        [(
            s("aws_iam_group.admins"),
            s("aws_iam_group_policy_attachment.admin (AWS managed policy AdministratorAccess)")
        )]
    );
}

/// A literal name that two users of the unit share names neither: it stays in quotes.
#[test]
fn a_name_two_users_share_is_not_resolved() {
    let dir = std::env::temp_dir().join(format!("passrole-principals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    std::fs::write(
        dir.join("main.tf"),
        r#"
resource "aws_iam_user" "a" {
  name = "same"
}
resource "aws_iam_user" "b" {
  name = "same"
}
resource "aws_iam_group" "g" {
  name = "g"
}
resource "aws_iam_user_group_membership" "m" {
  user   = "same"
  groups = ["g"]
}
"#,
    )
    .expect("a written .tf file");
    let (unit, sources) = terraform_unit(&dir.to_string_lossy());
    let found = memberships(&unit, &sources);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(found, [(s("\"same\""), s("aws_iam_group.g"), 13)]);
}
