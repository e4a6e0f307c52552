//! Facts and the Guard rules on generated CloudFormation templates: roles with trust policies
//! (service lists, regional and partition forms, `*`, accounts, federated principals), identity
//! policies (PassRole through wildcards and `NotAction`, every shape of resource ARN, `NotResource`,
//! tag conditions) and passers (direct, by name, through an instance profile, `Fn::If`, `Fn::Sub`,
//! parameters), rendered as JSON and run through `scan_texts`: facts, every rule, findings, and the
//! JSON, SARIF, JUnit and GitLab reports. Inputs are always well-formed templates, so each execution
//! reaches the rule engine with a facts document built from them.
//!
//! Checks: no panic; every finding and related location has a position inside its file; the
//! reports render.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const NAMES: u8 = 4;
const MAX_ITEMS: usize = 4;

#[derive(Arbitrary, Debug)]
struct Template {
    roles: Vec<RoleDef>,
    policies: Vec<PolicyDef>,
    passers: Vec<Passer>,
    /// Parameters `P0`.. with a default (or none).
    params: Vec<Option<Svc>>,
}

#[derive(Arbitrary, Debug)]
struct RoleDef {
    principals: Vec<Principal>,
    deny: bool,
    path: bool,
    inline: Vec<Statement>,
    profile: bool,
}

#[derive(Arbitrary, Debug)]
enum Principal {
    Service(Svc),
    Services(Vec<Svc>),
    Account,
    AccountRoot,
    Federated,
    Star,
    AwsStar,
}

#[derive(Arbitrary, Debug)]
enum Svc {
    Lambda,
    Edge,
    Ec2,
    EcsTasks,
    States,
    Regional,
    China,
    Airflow,
    AirflowEnv,
    CodeBuild,
    Odd(u8),
    Param(u8),
    Sub,
}

#[derive(Arbitrary, Debug)]
struct PolicyDef {
    managed: bool,
    statements: Vec<Statement>,
}

#[derive(Arbitrary, Debug)]
struct Statement {
    deny: bool,
    not_action: bool,
    actions: Vec<Action>,
    not_resource: bool,
    resources: Vec<Res>,
    condition: Option<Cond>,
}

#[derive(Arbitrary, Debug)]
enum Action {
    PassRole,
    PassRoleUpper,
    IamStar,
    Star,
    PassStar,
    QuestionMark,
    GetRole,
    S3,
}

#[derive(Arbitrary, Debug)]
enum Res {
    Star,
    AllRoles,
    Prefix,
    Path,
    Named,
    MidWild,
    OtherAccount,
    Bucket,
    RoleArn(u8),
    Sub(u8),
    Param(u8),
    If(Box<Res>, Box<Res>),
}

#[derive(Arbitrary, Debug)]
enum Cond {
    ResourceTag,
    AwsResourceTag,
    PassedToService(Svc),
}

#[derive(Arbitrary, Debug)]
struct Passer {
    kind: PasserKind,
    role: RoleRef,
}

#[derive(Arbitrary, Debug)]
enum PasserKind {
    Lambda,
    Serverless,
    StateMachine,
    EcsTask,
    EcsExecution,
    CodeBuild,
    Instance,
    LaunchTemplate,
}

#[derive(Arbitrary, Debug)]
enum RoleRef {
    Arn(u8),
    Name(u8),
    Profile(u8),
    ProfileArn(u8),
    Literal(Res),
    If(u8, u8),
    Sub(u8),
    Param(u8),
    Missing,
}

fn n(i: u8) -> u8 {
    i % NAMES
}

fn svc(s: &Svc) -> Value {
    match s {
        Svc::Lambda => json!("lambda.amazonaws.com"),
        Svc::Edge => json!("edgelambda.amazonaws.com"),
        Svc::Ec2 => json!("ec2.amazonaws.com"),
        Svc::EcsTasks => json!("ecs-tasks.amazonaws.com"),
        Svc::States => json!("states.us-east-1.amazonaws.com"),
        Svc::Regional => json!("lambda.eu-west-1.amazonaws.com"),
        Svc::China => json!("ec2.amazonaws.com.cn"),
        Svc::Airflow => json!("airflow.amazonaws.com"),
        Svc::AirflowEnv => json!("airflow-env.amazonaws.com"),
        Svc::CodeBuild => json!("codebuild.amazonaws.com"),
        Svc::Odd(i) => json!(format!("svc{}.AmazonAWS.com", n(*i))),
        Svc::Param(i) => json!({"Ref": format!("P{}", n(*i))}),
        Svc::Sub => json!({"Fn::Sub": "lambda.${AWS::URLSuffix}"}),
    }
}

fn principal(p: &Principal) -> Value {
    match p {
        Principal::Service(s) => json!({"Service": svc(s)}),
        Principal::Services(list) => {
            json!({"Service": list.iter().take(MAX_ITEMS).map(svc).collect::<Vec<_>>()})
        }
        Principal::Account => json!({"AWS": "123456789012"}),
        Principal::AccountRoot => {
            json!({"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}})
        }
        Principal::Federated => json!({"Federated": "cognito-identity.amazonaws.com"}),
        Principal::Star => json!("*"),
        Principal::AwsStar => json!({"AWS": "*"}),
    }
}

fn action(a: &Action) -> Value {
    json!(match a {
        Action::PassRole => "iam:PassRole",
        Action::PassRoleUpper => "IAM:passrole",
        Action::IamStar => "iam:*",
        Action::Star => "*",
        Action::PassStar => "iam:Pass*",
        Action::QuestionMark => "iam:PassRol?",
        Action::GetRole => "iam:GetRole",
        Action::S3 => "s3:GetObject",
    })
}

fn res(r: &Res, depth: usize) -> Value {
    match r {
        Res::Star => json!("*"),
        Res::AllRoles => json!("arn:aws:iam::123456789012:role/*"),
        Res::Prefix => json!("arn:aws:iam::123456789012:role/Dev*"),
        Res::Path => json!("arn:aws:iam::123456789012:role/app/*"),
        Res::Named => json!("arn:aws:iam::123456789012:role/app/worker"),
        Res::MidWild => json!("arn:aws:iam::*:role/*admin"),
        Res::OtherAccount => json!("arn:aws-cn:iam::210987654321:role/x"),
        Res::Bucket => json!("arn:aws:s3:::bucket/*"),
        Res::RoleArn(i) => json!({"Fn::GetAtt": [format!("Role{}", n(*i)), "Arn"]}),
        Res::Sub(i) => {
            json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/${{Role{}}}", n(*i))})
        }
        Res::Param(i) => json!({"Ref": format!("P{}", n(*i))}),
        Res::If(a, b) if depth < 4 => {
            json!({"Fn::If": ["C", res(a, depth + 1), res(b, depth + 1)]})
        }
        Res::If(..) => json!({"Ref": "AWS::NoValue"}),
    }
}

fn statement(s: &Statement) -> Value {
    let mut st = Map::new();
    st.insert(
        "Effect".into(),
        json!(if s.deny { "Deny" } else { "Allow" }),
    );
    let actions: Vec<_> = s.actions.iter().take(MAX_ITEMS).map(action).collect();
    let key = if s.not_action { "NotAction" } else { "Action" };
    st.insert(
        key.into(),
        if actions.len() == 1 {
            actions[0].clone()
        } else {
            Value::Array(actions)
        },
    );
    let resources: Vec<_> = s
        .resources
        .iter()
        .take(MAX_ITEMS)
        .map(|r| res(r, 0))
        .collect();
    let key = if s.not_resource {
        "NotResource"
    } else {
        "Resource"
    };
    st.insert(key.into(), Value::Array(resources));
    if let Some(c) = &s.condition {
        let cond = match c {
            Cond::ResourceTag => json!({"StringEquals": {"iam:ResourceTag/team": "a"}}),
            Cond::AwsResourceTag => json!({"StringEquals": {"aws:ResourceTag/team": "a"}}),
            Cond::PassedToService(v) => json!({"StringEquals": {"iam:PassedToService": svc(v)}}),
        };
        st.insert("Condition".into(), cond);
    }
    Value::Object(st)
}

fn role_ref(r: &RoleRef) -> Value {
    match r {
        RoleRef::Arn(i) => json!({"Fn::GetAtt": [format!("Role{}", n(*i)), "Arn"]}),
        RoleRef::Name(i) => json!({"Ref": format!("Role{}", n(*i))}),
        RoleRef::Profile(i) => json!({"Ref": format!("Role{}Profile", n(*i))}),
        RoleRef::ProfileArn(i) => json!({"Fn::GetAtt": [format!("Role{}Profile", n(*i)), "Arn"]}),
        RoleRef::Literal(r) => res(r, 0),
        RoleRef::If(a, b) => json!({"Fn::If": ["C",
            {"Fn::GetAtt": [format!("Role{}", n(*a)), "Arn"]},
            {"Fn::GetAtt": [format!("Role{}", n(*b)), "Arn"]}]}),
        RoleRef::Sub(i) => {
            json!({"Fn::Sub": format!("arn:aws:iam::${{AWS::AccountId}}:role/${{Role{}}}", n(*i))})
        }
        RoleRef::Param(i) => json!({"Ref": format!("P{}", n(*i))}),
        RoleRef::Missing => json!({"Fn::GetAtt": ["Nowhere", "Arn"]}),
    }
}

fn passer(p: &Passer) -> Value {
    let role = role_ref(&p.role);
    match p.kind {
        PasserKind::Lambda => {
            json!({"Type": "AWS::Lambda::Function", "Properties": {"Role": role, "Runtime": "python3.12", "Handler": "i.h", "Code": {"ZipFile": "x"}}})
        }
        PasserKind::Serverless => {
            json!({"Type": "AWS::Serverless::Function", "Properties": {"Role": role, "Runtime": "python3.12", "Handler": "i.h", "InlineCode": "x"}})
        }
        PasserKind::StateMachine => {
            json!({"Type": "AWS::StepFunctions::StateMachine", "Properties": {"RoleArn": role, "DefinitionString": "{}"}})
        }
        PasserKind::EcsTask => {
            json!({"Type": "AWS::ECS::TaskDefinition", "Properties": {"TaskRoleArn": role, "ContainerDefinitions": []}})
        }
        PasserKind::EcsExecution => {
            json!({"Type": "AWS::ECS::TaskDefinition", "Properties": {"ExecutionRoleArn": role, "ContainerDefinitions": []}})
        }
        PasserKind::CodeBuild => {
            json!({"Type": "AWS::CodeBuild::Project", "Properties": {"ServiceRole": role}})
        }
        PasserKind::Instance => {
            json!({"Type": "AWS::EC2::Instance", "Properties": {"IamInstanceProfile": role, "ImageId": "ami-1"}})
        }
        PasserKind::LaunchTemplate => {
            json!({"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"IamInstanceProfile": {"Arn": role}}}})
        }
    }
}

fn render(t: &Template) -> String {
    let mut resources = Map::new();
    for (i, r) in t.roles.iter().take(NAMES as usize).enumerate() {
        let principals: Vec<_> = r.principals.iter().take(MAX_ITEMS).map(principal).collect();
        let trust = json!({
            "Version": "2012-10-17",
            "Statement": principals.into_iter().map(|p| json!({
                "Effect": if r.deny { "Deny" } else { "Allow" },
                "Principal": p,
                "Action": "sts:AssumeRole",
            })).collect::<Vec<_>>(),
        });
        let mut props = Map::new();
        props.insert("AssumeRolePolicyDocument".into(), trust);
        if r.path {
            props.insert("Path".into(), json!("/app/"));
        }
        if !r.inline.is_empty() {
            props.insert(
                "Policies".into(),
                json!([{"PolicyName": "inline", "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": r.inline.iter().take(MAX_ITEMS).map(statement).collect::<Vec<_>>(),
                }}]),
            );
        }
        resources.insert(
            format!("Role{i}"),
            json!({"Type": "AWS::IAM::Role", "Properties": props}),
        );
        if r.profile {
            resources.insert(
                format!("Role{i}Profile"),
                json!({"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": format!("Role{i}")}]}}),
            );
        }
    }
    for (i, p) in t.policies.iter().take(MAX_ITEMS).enumerate() {
        let doc = json!({
            "Version": "2012-10-17",
            "Statement": p.statements.iter().take(MAX_ITEMS).map(statement).collect::<Vec<_>>(),
        });
        let ty = if p.managed {
            "AWS::IAM::ManagedPolicy"
        } else {
            "AWS::IAM::Policy"
        };
        resources.insert(
            format!("Policy{i}"),
            json!({"Type": ty, "Properties": {"PolicyName": format!("p{i}"), "PolicyDocument": doc, "Roles": [{"Ref": "Role0"}]}}),
        );
    }
    for (i, p) in t.passers.iter().take(MAX_ITEMS).enumerate() {
        resources.insert(format!("Passer{i}"), passer(p));
    }
    let mut params = Map::new();
    for (i, p) in t.params.iter().take(NAMES as usize).enumerate() {
        let mut param = json!({"Type": "String"});
        if let (Some(s), Some(obj)) = (p, param.as_object_mut()) {
            obj.insert("Default".into(), svc(s));
        }
        params.insert(format!("P{i}"), param);
    }
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": params,
        "Conditions": {"C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
        "Resources": resources,
    });
    serde_json::to_string_pretty(&template).unwrap_or_default()
}

fuzz_target!(|t: Template| {
    let text = render(&t);
    if std::env::var_os("PASSROLE_FUZZ_PRINT").is_some() {
        eprintln!("{text}");
    }
    let result = passrole::scan::scan_texts(vec![("/passrole-fuzz/template.json".into(), text)]);
    let lines = result
        .sources
        .get(passrole::value::FileId(0))
        .map_or(0, |f| f.text.lines().count() + 1);
    for f in &result.findings {
        let locations = std::iter::once(&f.location).chain(f.related.iter().map(|r| &r.location));
        for l in locations {
            assert!(
                l.start.line >= 1 && l.start.line <= lines && l.start <= l.end,
                "{} at {:?}..{:?} outside {lines} lines",
                f.rule,
                l.start,
                l.end
            );
        }
    }
    let _ = passrole::report::json::render(&result);
    let _ = passrole::report::sarif::render(&result);
    let _ = passrole::report::junit::render(&result);
    let _ = passrole::report::gitlab::render(&result);
});
