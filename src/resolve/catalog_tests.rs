//! Tests of the passer catalog: the built-in file, merging, and every way an entry is refused.

use super::*;

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| (*s).to_owned()).collect()
}

fn find<'a>(passers: impl Iterator<Item = &'a Passer>, path: &str) -> Option<&'a Passer> {
    passers.into_iter().find(|p| p.path_string() == path)
}

#[test]
fn builtin_catalog_loads() {
    let catalog = Catalog::builtin();
    assert!(catalog.terraform.len() >= 40, "{}", catalog.terraform.len());
    assert!(
        catalog.cloudformation.len() >= 40,
        "{}",
        catalog.cloudformation.len()
    );
    assert!(catalog.principal_sets.len() >= 2);
}

#[test]
fn builtin_catalog_has_no_duplicates() {
    let catalog = Catalog::builtin();
    for passers in [&catalog.terraform, &catalog.cloudformation] {
        let mut seen = HashSet::new();
        for p in passers {
            assert!(
                seen.insert((p.resource.as_str(), p.path_string())),
                "duplicate {} {}",
                p.resource,
                p.path_string()
            );
        }
    }
    let mut names = HashSet::new();
    for set in &catalog.principal_sets {
        assert!(
            names.insert(set.name.as_str()),
            "duplicate set {}",
            set.name
        );
    }
}

#[test]
fn builtin_principals_are_global_service_principals() {
    let catalog = Catalog::builtin();
    let all = catalog
        .terraform
        .iter()
        .chain(&catalog.cloudformation)
        .flat_map(|p| &p.principals)
        .chain(catalog.principal_sets.iter().flat_map(|s| &s.principals));
    for principal in all {
        assert!(principal.ends_with(".amazonaws.com"), "{principal}");
        assert_eq!(
            canonical_service_principal(principal).as_ref(),
            Some(principal),
            "{principal} is not in canonical form"
        );
    }
}

#[test]
fn builtin_passers_with_more_than_one_principal_are_a_declared_set() {
    let catalog = Catalog::builtin();
    for p in catalog.terraform.iter().chain(&catalog.cloudformation) {
        if p.principals.len() > 1 {
            assert!(
                catalog.approved_set_for(&p.principals).is_some(),
                "{} {}: {:?} is not a declared principal set",
                p.resource,
                p.path_string(),
                p.principals
            );
        }
    }
}

#[test]
fn builtin_service_names_follow_principals() {
    // One service name per principal list, so that messages and PR004 agree on what "a
    // different service" is.
    let catalog = Catalog::builtin();
    let mut by_principals: HashMap<&[String], &str> = HashMap::new();
    let mut by_service: HashMap<&str, &[String]> = HashMap::new();
    for p in catalog.terraform.iter().chain(&catalog.cloudformation) {
        let service = *by_principals.entry(&p.principals).or_insert(&p.service);
        assert_eq!(service, p.service, "{} {}", p.resource, p.path_string());
        let principals = *by_service.entry(&p.service).or_insert(&p.principals);
        assert_eq!(principals, p.principals.as_slice(), "{}", p.service);
    }
}

#[test]
fn builtin_instance_profiles_go_to_ec2() {
    let catalog = Catalog::builtin();
    for p in catalog.terraform.iter().chain(&catalog.cloudformation) {
        if p.reference == RoleReference::InstanceProfile {
            assert_eq!(p.principals, ["ec2.amazonaws.com"], "{}", p.resource);
        }
    }
    // Instance profile resources themselves are handled by the scanner, not the catalog.
    assert_eq!(
        catalog
            .terraform_passers("aws_iam_instance_profile")
            .count(),
        0
    );
    assert_eq!(
        catalog
            .cloudformation_passers("AWS::IAM::InstanceProfile")
            .count(),
        0
    );
}

#[test]
#[rustfmt::skip]
fn builtin_has_required_terraform_entries() {
    use RoleReference::*;
    let required: &[(&str, &str, RoleReference, &[&str])] = &[
        ("aws_lambda_function", "role", RoleArn, &["lambda.amazonaws.com"]),
        ("aws_ecs_task_definition", "task_role_arn", RoleArnOrName, &["ecs-tasks.amazonaws.com"]),
        ("aws_ecs_task_definition", "execution_role_arn", RoleArn, &["ecs-tasks.amazonaws.com"]),
        ("aws_ecs_service", "iam_role", RoleArnOrName, &["ecs.amazonaws.com"]),
        ("aws_instance", "iam_instance_profile", InstanceProfile, &["ec2.amazonaws.com"]),
        ("aws_launch_template", "iam_instance_profile.arn", InstanceProfile, &["ec2.amazonaws.com"]),
        ("aws_launch_template", "iam_instance_profile.name", InstanceProfile, &["ec2.amazonaws.com"]),
        ("aws_launch_configuration", "iam_instance_profile", InstanceProfile, &["ec2.amazonaws.com"]),
        ("aws_sfn_state_machine", "role_arn", RoleArn, &["states.amazonaws.com"]),
        ("aws_db_instance", "monitoring_role_arn", RoleArn, &["monitoring.rds.amazonaws.com"]),
        ("aws_rds_cluster", "monitoring_role_arn", RoleArn, &["monitoring.rds.amazonaws.com"]),
        ("aws_rds_cluster_instance", "monitoring_role_arn", RoleArn, &["monitoring.rds.amazonaws.com"]),
        ("aws_codebuild_project", "service_role", RoleArnOrName, &["codebuild.amazonaws.com"]),
        ("aws_cloudwatch_event_target", "role_arn", RoleArn, &["events.amazonaws.com"]),
        ("aws_glue_job", "role_arn", RoleArnOrName, &["glue.amazonaws.com"]),
        ("aws_glue_crawler", "role", RoleArnOrName, &["glue.amazonaws.com"]),
        ("aws_sagemaker_notebook_instance", "role_arn", RoleArn, &["sagemaker.amazonaws.com"]),
        ("aws_sagemaker_model", "execution_role_arn", RoleArn, &["sagemaker.amazonaws.com"]),
        ("aws_eks_cluster", "role_arn", RoleArn, &["eks.amazonaws.com"]),
        ("aws_eks_node_group", "node_role_arn", RoleArn, &["ec2.amazonaws.com"]),
        ("aws_eks_fargate_profile", "pod_execution_role_arn", RoleArn, &["eks-fargate-pods.amazonaws.com"]),
        ("aws_batch_compute_environment", "service_role", RoleArnOrName, &["batch.amazonaws.com"]),
        ("aws_batch_compute_environment", "compute_resources.instance_role", InstanceProfile, &["ec2.amazonaws.com"]),
        ("aws_emr_cluster", "service_role", RoleArnOrName, &["elasticmapreduce.amazonaws.com"]),
        ("aws_emr_cluster", "ec2_attributes.instance_profile", InstanceProfile, &["ec2.amazonaws.com"]),
        ("aws_emr_cluster", "autoscaling_role", RoleArnOrName, &["application-autoscaling.amazonaws.com"]),
        ("aws_codepipeline", "role_arn", RoleArn, &["codepipeline.amazonaws.com"]),
        ("aws_codedeploy_deployment_group", "service_role_arn", RoleArn, &["codedeploy.amazonaws.com"]),
        ("aws_kinesis_firehose_delivery_stream", "extended_s3_configuration.role_arn", RoleArn, &["firehose.amazonaws.com"]),
        ("aws_flow_log", "iam_role_arn", RoleArn, &["vpc-flow-logs.amazonaws.com"]),
        ("aws_cloudtrail", "cloud_watch_logs_role_arn", RoleArn, &["cloudtrail.amazonaws.com"]),
        ("aws_config_configuration_recorder", "role_arn", RoleArn, &["config.amazonaws.com"]),
        ("aws_dms_endpoint", "service_access_role", RoleArn, &["dms.amazonaws.com"]),
        ("aws_datasync_location_s3", "s3_config.bucket_access_role_arn", RoleArn, &["datasync.amazonaws.com"]),
        ("aws_appsync_datasource", "service_role_arn", RoleArn, &["appsync.amazonaws.com"]),
        ("aws_api_gateway_account", "cloudwatch_role_arn", RoleArn, &["apigateway.amazonaws.com"]),
        ("aws_iot_topic_rule", "s3.role_arn", RoleArn, &["iot.amazonaws.com"]),
        ("aws_iot_topic_rule", "error_action.kinesis.role_arn", RoleArn, &["iot.amazonaws.com"]),
        ("aws_scheduler_schedule", "target.role_arn", RoleArn, &["scheduler.amazonaws.com"]),
        ("aws_pipes_pipe", "role_arn", RoleArn, &["pipes.amazonaws.com"]),
        ("aws_mwaa_environment", "execution_role_arn", RoleArn, &["airflow-env.amazonaws.com", "airflow.amazonaws.com"]),
        ("aws_backup_selection", "iam_role_arn", RoleArn, &["backup.amazonaws.com"]),
        ("aws_dlm_lifecycle_policy", "execution_role_arn", RoleArn, &["dlm.amazonaws.com"]),
        ("aws_ssm_maintenance_window_task", "service_role_arn", RoleArn, &["ssm.amazonaws.com"]),
        ("aws_transfer_server", "logging_role", RoleArn, &["transfer.amazonaws.com"]),
        ("aws_transfer_user", "role", RoleArn, &["transfer.amazonaws.com"]),
        ("aws_redshift_cluster", "iam_roles", RoleArn, &["redshift.amazonaws.com"]),
        ("aws_db_instance", "domain_iam_role_name", RoleName, &["rds.amazonaws.com"]),
        ("aws_rds_cluster", "domain_iam_role_name", RoleName, &["rds.amazonaws.com"]),
        ("aws_batch_job_definition", "container_properties{json}.jobRoleArn", RoleArn, &["ecs-tasks.amazonaws.com"]),
        ("aws_batch_job_definition", "container_properties{json}.executionRoleArn", RoleArn, &["ecs-tasks.amazonaws.com"]),
        ("aws_flow_log", "deliver_cross_account_role", RoleArn, &["delivery.logs.amazonaws.com"]),
        ("aws_kinesis_analytics_application", "inputs.kinesis_stream.role_arn", RoleArn, &["kinesisanalytics.amazonaws.com"]),
        ("aws_kinesis_analytics_application", "cloudwatch_logging_options.role_arn", RoleArn, &["kinesisanalytics.amazonaws.com"]),
        ("aws_appautoscaling_target", "role_arn", RoleArn, &["application-autoscaling.amazonaws.com"]),
        ("aws_iot_role_alias", "role_arn", RoleArn, &["credentials.iot.amazonaws.com"]),
        ("aws_ecs_service", "volume_configuration.managed_ebs_volume.role_arn", RoleArn, &["ecs.amazonaws.com"]),
        ("aws_elastic_beanstalk_environment", "setting[namespace=aws:elasticbeanstalk:environment,name=ServiceRole].value", RoleArnOrName, &["elasticbeanstalk.amazonaws.com"]),
        ("aws_elastic_beanstalk_environment", "setting[namespace=aws:autoscaling:launchconfiguration,name=IamInstanceProfile].value", InstanceProfile, &["ec2.amazonaws.com"]),
        ("aws_rolesanywhere_profile", "role_arns", RoleArn, &["rolesanywhere.amazonaws.com"]),
    ];
    let catalog = Catalog::builtin();
    for (resource, path, reference, principals) in required {
        let passer = find(catalog.terraform_passers(resource), path)
            .unwrap_or_else(|| panic!("missing {resource}.{path}"));
        assert_eq!(passer.reference, *reference, "{resource}.{path}");
        assert_eq!(passer.principals, strings(principals), "{resource}.{path}");
    }
    let redshift = find(
        catalog.terraform_passers("aws_redshift_cluster"),
        "iam_roles",
    );
    assert!(redshift.is_some_and(|p| p.list));
    let lambda = find(catalog.terraform_passers("aws_lambda_function"), "role");
    assert!(lambda.is_some_and(|p| !p.list));
}

#[test]
#[rustfmt::skip]
fn builtin_has_required_cloudformation_entries() {
    use RoleReference::*;
    let required: &[(&str, &str, RoleReference, &[&str])] = &[
        ("AWS::Lambda::Function", "Role", RoleArn, &["lambda.amazonaws.com"]),
        ("AWS::Serverless::Function", "Role", RoleArn, &["lambda.amazonaws.com"]),
        ("AWS::ECS::TaskDefinition", "TaskRoleArn", RoleArnOrName, &["ecs-tasks.amazonaws.com"]),
        ("AWS::ECS::TaskDefinition", "ExecutionRoleArn", RoleArn, &["ecs-tasks.amazonaws.com"]),
        ("AWS::ECS::Service", "Role", RoleArnOrName, &["ecs.amazonaws.com"]),
        ("AWS::EC2::Instance", "IamInstanceProfile", InstanceProfile, &["ec2.amazonaws.com"]),
        ("AWS::EC2::LaunchTemplate", "LaunchTemplateData.IamInstanceProfile.Arn", InstanceProfile, &["ec2.amazonaws.com"]),
        ("AWS::EC2::LaunchTemplate", "LaunchTemplateData.IamInstanceProfile.Name", InstanceProfile, &["ec2.amazonaws.com"]),
        ("AWS::AutoScaling::LaunchConfiguration", "IamInstanceProfile", InstanceProfile, &["ec2.amazonaws.com"]),
        ("AWS::StepFunctions::StateMachine", "RoleArn", RoleArn, &["states.amazonaws.com"]),
        ("AWS::Serverless::StateMachine", "Role", RoleArn, &["states.amazonaws.com"]),
        ("AWS::RDS::DBInstance", "MonitoringRoleArn", RoleArn, &["monitoring.rds.amazonaws.com"]),
        ("AWS::RDS::DBCluster", "MonitoringRoleArn", RoleArn, &["monitoring.rds.amazonaws.com"]),
        ("AWS::CodeBuild::Project", "ServiceRole", RoleArnOrName, &["codebuild.amazonaws.com"]),
        ("AWS::Events::Rule", "Targets[].RoleArn", RoleArn, &["events.amazonaws.com"]),
        ("AWS::Glue::Job", "Role", RoleArnOrName, &["glue.amazonaws.com"]),
        ("AWS::SageMaker::NotebookInstance", "RoleArn", RoleArn, &["sagemaker.amazonaws.com"]),
        ("AWS::EKS::Cluster", "RoleArn", RoleArn, &["eks.amazonaws.com"]),
        ("AWS::EKS::Nodegroup", "NodeRole", RoleArn, &["ec2.amazonaws.com"]),
        ("AWS::EKS::FargateProfile", "PodExecutionRoleArn", RoleArn, &["eks-fargate-pods.amazonaws.com"]),
        ("AWS::Batch::ComputeEnvironment", "ComputeResources.InstanceRole", InstanceProfile, &["ec2.amazonaws.com"]),
        ("AWS::EMR::Cluster", "JobFlowRole", InstanceProfile, &["ec2.amazonaws.com"]),
        ("AWS::CodePipeline::Pipeline", "RoleArn", RoleArn, &["codepipeline.amazonaws.com"]),
        ("AWS::CodeDeploy::DeploymentGroup", "ServiceRoleArn", RoleArn, &["codedeploy.amazonaws.com"]),
        ("AWS::EC2::FlowLog", "DeliverLogsPermissionArn", RoleArn, &["vpc-flow-logs.amazonaws.com"]),
        ("AWS::CloudTrail::Trail", "CloudWatchLogsRoleArn", RoleArn, &["cloudtrail.amazonaws.com"]),
        ("AWS::Config::ConfigurationRecorder", "RoleARN", RoleArn, &["config.amazonaws.com"]),
        ("AWS::ApiGateway::Account", "CloudWatchRoleArn", RoleArn, &["apigateway.amazonaws.com"]),
        ("AWS::IoT::TopicRule", "TopicRulePayload.Actions[].S3.RoleArn", RoleArn, &["iot.amazonaws.com"]),
        ("AWS::Scheduler::Schedule", "Target.RoleArn", RoleArn, &["scheduler.amazonaws.com"]),
        ("AWS::Pipes::Pipe", "RoleArn", RoleArn, &["pipes.amazonaws.com"]),
        ("AWS::MWAA::Environment", "ExecutionRoleArn", RoleArn, &["airflow-env.amazonaws.com", "airflow.amazonaws.com"]),
        ("AWS::Backup::BackupSelection", "BackupSelection.IamRoleArn", RoleArn, &["backup.amazonaws.com"]),
        ("AWS::DLM::LifecyclePolicy", "ExecutionRoleArn", RoleArn, &["dlm.amazonaws.com"]),
        ("AWS::Transfer::User", "Role", RoleArn, &["transfer.amazonaws.com"]),
        ("AWS::Redshift::Cluster", "IamRoles", RoleArn, &["redshift.amazonaws.com"]),
        ("AWS::RDS::DBInstance", "DomainIAMRoleName", RoleName, &["rds.amazonaws.com"]),
        ("AWS::RDS::DBCluster", "DomainIAMRoleName", RoleName, &["rds.amazonaws.com"]),
        ("AWS::Batch::JobDefinition", "ContainerProperties.JobRoleArn", RoleArn, &["ecs-tasks.amazonaws.com"]),
        ("AWS::EC2::FlowLog", "DeliverCrossAccountRole", RoleArn, &["delivery.logs.amazonaws.com"]),
        ("AWS::KinesisAnalytics::Application", "Inputs[].KinesisStreamsInput.RoleARN", RoleArn, &["kinesisanalytics.amazonaws.com"]),
        ("AWS::KinesisAnalytics::ApplicationOutput", "Output.LambdaOutput.RoleARN", RoleArn, &["kinesisanalytics.amazonaws.com"]),
        ("AWS::KinesisAnalytics::ApplicationReferenceDataSource", "ReferenceDataSource.S3ReferenceDataSource.ReferenceRoleARN", RoleArn, &["kinesisanalytics.amazonaws.com"]),
        ("AWS::ApiGatewayV2::Integration", "CredentialsArn", RoleArn, &["apigateway.amazonaws.com"]),
        ("AWS::Serverless::Api", "Auth.InvokeRole", RoleArn, &["apigateway.amazonaws.com"]),
        ("AWS::Serverless::Function", "DeploymentPreference.Role", RoleArn, &["codedeploy.amazonaws.com"]),
        ("AWS::ApplicationAutoScaling::ScalableTarget", "RoleARN", RoleArn, &["application-autoscaling.amazonaws.com"]),
        ("AWS::Greengrass::Group", "RoleArn", RoleArn, &["greengrass.amazonaws.com"]),
        ("AWS::ECS::Service", "VolumeConfigurations[].ManagedEBSVolume.RoleArn", RoleArn, &["ecs.amazonaws.com"]),
        ("AWS::ElasticBeanstalk::Environment", "OptionSettings[Namespace=aws:elasticbeanstalk:environment,OptionName=ServiceRole].Value", RoleArnOrName, &["elasticbeanstalk.amazonaws.com"]),
        ("AWS::RolesAnywhere::Profile", "RoleArns", RoleArn, &["rolesanywhere.amazonaws.com"]),
    ];
    let catalog = Catalog::builtin();
    for (resource, path, reference, principals) in required {
        let passer = find(catalog.cloudformation_passers(resource), path)
            .unwrap_or_else(|| panic!("missing {resource} {path}"));
        assert_eq!(passer.reference, *reference, "{resource} {path}");
        assert_eq!(passer.principals, strings(principals), "{resource} {path}");
    }
    let redshift = find(
        catalog.cloudformation_passers("AWS::Redshift::Cluster"),
        "IamRoles",
    );
    assert!(redshift.is_some_and(|p| p.list));
}

#[test]
fn builtin_declares_documented_principal_sets() {
    let catalog = Catalog::builtin();
    let lake = catalog.approved_set_for(&strings(&[
        "glue.amazonaws.com",
        "lakeformation.amazonaws.com",
    ]));
    assert_eq!(lake.map(|s| s.name.as_str()), Some("lake-formation"));
    let rds = catalog.approved_set_for(&strings(&[
        "rds.amazonaws.com",
        "directoryservice.rds.amazonaws.com",
    ]));
    assert_eq!(rds.map(|s| s.name.as_str()), Some("rds-directory-service"));
}

#[test]
fn builtin_file_documents_every_reference_kind() {
    use RoleReference::*;
    let comments: Vec<&str> = BUILTIN_TOML
        .lines()
        .filter_map(|line| line.strip_prefix('#'))
        .map(str::trim_start)
        .collect();
    for kind in [RoleArn, RoleName, RoleArnOrName, InstanceProfile] {
        let documented = comments.iter().any(|c| {
            c.strip_prefix(kind.as_str())
                .is_some_and(|rest| rest.starts_with("  "))
        });
        assert!(
            documented,
            "the header of rules/passers.toml does not explain {kind}"
        );
    }
}

#[test]
fn lookup_by_resource_type() {
    let catalog = Catalog::builtin();
    let paths: Vec<String> = catalog
        .terraform_passers("aws_launch_template")
        .map(Passer::path_string)
        .collect();
    assert_eq!(
        paths,
        ["iam_instance_profile.arn", "iam_instance_profile.name"]
    );
    assert_eq!(catalog.terraform_passers("aws_s3_object").count(), 0);
    assert_eq!(
        catalog.terraform_passers("AWS::Lambda::Function").count(),
        0
    );
    assert_eq!(
        catalog
            .cloudformation_passers("aws_lambda_function")
            .count(),
        0
    );
    assert!(
        catalog
            .cloudformation_passers("AWS::Events::Rule")
            .all(|p| p.resource == "AWS::Events::Rule")
    );
}

#[test]
fn paths_are_parsed_into_steps() {
    let catalog = Catalog::builtin();
    let targets = find(
        catalog.cloudformation_passers("AWS::Events::Rule"),
        "Targets[].RoleArn",
    )
    .expect("Targets[].RoleArn");
    assert_eq!(
        targets.path,
        [
            PathStep {
                each: true,
                ..PathStep::named("Targets")
            },
            PathStep::named("RoleArn"),
        ]
    );
    let arn = find(
        catalog.terraform_passers("aws_launch_template"),
        "iam_instance_profile.arn",
    )
    .expect("iam_instance_profile.arn");
    assert_eq!(
        arn.path,
        [
            PathStep::named("iam_instance_profile"),
            PathStep::named("arn"),
        ]
    );
}

const ONE: &str = r#"
[[terraform]]
resource = "aws_lambda_function"
attribute = "role"
reference = "role_arn"
principals = ["lambda.amazonaws.com"]
service = "AWS Lambda"
"#;

fn invalid(text: &str) -> (String, String) {
    match Catalog::from_toml(text) {
        Err(CatalogError::Invalid { entry, problem }) => (entry, problem),
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

fn parse_error(text: &str) -> String {
    match Catalog::from_toml(text) {
        Err(CatalogError::Parse(message)) => message,
        other => panic!("expected a Parse error, got {other:?}"),
    }
}

#[test]
fn from_toml_accepts_a_small_catalog() {
    let catalog = Catalog::from_toml(ONE).expect("valid");
    assert_eq!(catalog.terraform.len(), 1);
    assert!(catalog.cloudformation.is_empty() && catalog.principal_sets.is_empty());
    let passer = catalog
        .terraform_passers("aws_lambda_function")
        .next()
        .expect("passer");
    assert_eq!(passer.reference, RoleReference::RoleArn);
    assert_eq!(passer.service, "AWS Lambda");
    assert!(!passer.list);
    assert!(
        Catalog::from_toml("")
            .expect("empty is valid")
            .terraform
            .is_empty()
    );
}

#[test]
fn from_toml_rejects_a_bad_reference_kind() {
    let message = parse_error(&ONE.replace("\"role_arn\"", "\"role_arm\""));
    assert!(message.contains("role_arm"), "{message}");
    assert!(message.contains("role_arn_or_name"), "{message}");
    assert!(message.contains("line 5"), "{message}");
    let shown = CatalogError::Parse(message).to_string();
    assert!(shown.starts_with("passer catalog: "), "{shown}");
}

#[test]
fn from_toml_rejects_empty_principals() {
    let (entry, problem) = invalid(&ONE.replace("[\"lambda.amazonaws.com\"]", "[]"));
    assert_eq!(entry, "[[terraform]] #1 (aws_lambda_function.role)");
    assert!(problem.contains("`principals` is empty"), "{problem}");
}

#[test]
fn from_toml_rejects_a_principal_that_is_not_a_service() {
    for bad in [
        "lambda",
        "arn:aws:iam::123456789012:root",
        "Lambda.amazonaws.com",
        ".amazonaws.com",
        "*",
    ] {
        let (_, problem) = invalid(&ONE.replace("lambda.amazonaws.com", bad));
        assert!(
            problem.contains("is not a service principal"),
            "{bad}: {problem}"
        );
    }
    let (_, problem) =
        invalid(&ONE.replace("lambda.amazonaws.com", "lambda.eu-west-1.amazonaws.com"));
    assert!(
        problem.contains("write the global one, \"lambda.amazonaws.com\""),
        "{problem}"
    );
}

#[test]
fn from_toml_rejects_duplicates() {
    let text = format!("{ONE}{ONE}");
    let (entry, problem) = invalid(&text);
    assert_eq!(entry, "[[terraform]] #2 (aws_lambda_function.role)");
    assert!(
        problem.contains("duplicate of [[terraform]] #1"),
        "{problem}"
    );
}

#[test]
fn from_toml_rejects_bad_paths() {
    let cases = [
        ("role..x", "empty step"),
        ("", "is empty"),
        ("targets[].role_arn", "without `[]`"),
        ("role arn", "only letters"),
        ("setting[namespace].value", "not `key=value`"),
        ("setting[namespace=a b].value", "not `key=value`"),
        ("setting[namespace=x.value", "unclosed"),
        ("container_properties{json}", "ends in `{json}`"),
        ("a{json}.b{json}.c", "inside a JSON document"),
    ];
    for (path, expected) in cases {
        let (_, problem) =
            invalid(&ONE.replace("attribute = \"role\"", &format!("attribute = {path:?}")));
        assert!(problem.contains(expected), "{path}: {problem}");
    }
    let cfn = r#"
[[cloudformation]]
resource = "AWS::Redshift::Cluster"
property = "IamRoles[]"
reference = "role_arn"
principals = ["redshift.amazonaws.com"]
service = "Amazon Redshift"
"#;
    let (entry, problem) = invalid(cfn);
    assert_eq!(
        entry,
        "[[cloudformation]] #1 (AWS::Redshift::Cluster.IamRoles[])"
    );
    assert!(problem.contains("list = true"), "{problem}");
}

#[test]
fn from_toml_rejects_wrong_keys_and_resource_types() {
    let (_, problem) = invalid(&ONE.replace("attribute =", "property ="));
    assert!(problem.contains("missing `attribute`"), "{problem}");
    let both = ONE.replace(
        "attribute = \"role\"",
        "attribute = \"role\"\nproperty = \"Role\"",
    );
    let (_, problem) = invalid(&both);
    assert!(
        problem.contains("`property` is not a key of [[terraform]]"),
        "{problem}"
    );
    let message = parse_error(&ONE.replace("principals =", "principal ="));
    assert!(message.contains("principal"), "{message}");
    let (_, problem) = invalid(&ONE.replace("aws_lambda_function", "AWS::Lambda::Function"));
    assert!(problem.contains("is not a resource type"), "{problem}");
    assert!(Catalog::from_toml("this is not toml").is_err());
}

#[test]
fn from_toml_validates_principal_sets() {
    let one_member =
        "[[principal_set]]\nname = \"x\"\nprincipals = [\"a.amazonaws.com\"]\nwhy = \"w\"\n";
    let (entry, problem) = invalid(one_member);
    assert_eq!(entry, "[[principal_set]] #1 (x)");
    assert!(problem.contains("at least two"), "{problem}");
    let twice = "[[principal_set]]\nname = \"x\"\nprincipals = [\"a.amazonaws.com\", \"b.amazonaws.com\"]\nwhy = \"w\"\n";
    let (entry, problem) = invalid(&format!("{twice}{twice}"));
    assert_eq!(entry, "[[principal_set]] #2 (x)");
    assert!(problem.contains("already used"), "{problem}");
}

#[test]
fn approved_set_for_declared_combinations() {
    let catalog = Catalog::builtin();
    let mwaa = strings(&["airflow-env.amazonaws.com", "airflow.amazonaws.com"]);
    assert_eq!(
        catalog.approved_set_for(&mwaa).map(|s| s.name.as_str()),
        Some("mwaa")
    );
    let edge = strings(&["lambda.amazonaws.com", "edgelambda.amazonaws.com"]);
    assert_eq!(
        catalog.approved_set_for(&edge).map(|s| s.name.as_str()),
        Some("lambda-edge")
    );
    let spelled = strings(&["Lambda.amazonaws.com", "edgelambda.us-east-1.amazonaws.com"]);
    assert!(catalog.approved_set_for(&spelled).is_some());
    let cn = strings(&["airflow.amazonaws.com.cn", "airflow-env.amazonaws.com.cn"]);
    assert!(catalog.approved_set_for(&cn).is_some());
    let not_service = strings(&["lambda.amazonaws.com", "edgelambda.amazonaws.com", "*"]);
    assert!(catalog.approved_set_for(&not_service).is_none());
    // Not a combination: one principal, one principal twice, nothing, or an undeclared pair.
    assert!(
        catalog
            .approved_set_for(&strings(&["lambda.amazonaws.com"]))
            .is_none()
    );
    let twice = strings(&["lambda.amazonaws.com", "lambda.amazonaws.com"]);
    assert!(catalog.approved_set_for(&twice).is_none());
    assert!(catalog.approved_set_for(&[]).is_none());
    let undeclared = strings(&["lambda.amazonaws.com", "ec2.amazonaws.com"]);
    assert!(catalog.approved_set_for(&undeclared).is_none());
    let overflow = strings(&[
        "lambda.amazonaws.com",
        "edgelambda.amazonaws.com",
        "ec2.amazonaws.com",
    ]);
    assert!(catalog.approved_set_for(&overflow).is_none());
}

#[test]
fn approved_set_for_subsets_of_larger_sets() {
    let text = "[[principal_set]]\nname = \"three\"\nprincipals = [\"a.amazonaws.com\", \"b.amazonaws.com\", \"c.amazonaws.com\"]\nwhy = \"w\"\n";
    let catalog = Catalog::from_toml(text).expect("valid");
    let pair = strings(&["c.amazonaws.com", "a.amazonaws.com"]);
    assert_eq!(
        catalog.approved_set_for(&pair).map(|s| s.name.as_str()),
        Some("three")
    );
}

#[test]
fn extend_adds_and_replaces() {
    let mut catalog = Catalog::builtin().clone();
    let before = catalog.terraform.len();
    let extra = r#"
[[principal_set]]
name = "mwaa"
principals = ["airflow.amazonaws.com", "airflow-env.amazonaws.com", "example.amazonaws.com"]
why = "replaced"

[[terraform]]
resource = "aws_lambda_function"
attribute = "role"
reference = "role_arn_or_name"
principals = ["lambda.amazonaws.com"]
service = "AWS Lambda"

[[terraform]]
resource = "aws_example_thing"
attribute = "settings.role_arn"
reference = "role_arn"
principals = ["example.amazonaws.com"]
service = "Example"
"#;
    catalog.extend(Catalog::from_toml(extra).expect("valid"));
    assert_eq!(catalog.terraform.len(), before + 1);
    let lambda: Vec<&Passer> = catalog.terraform_passers("aws_lambda_function").collect();
    assert_eq!(lambda.len(), 1);
    assert_eq!(lambda[0].reference, RoleReference::RoleArnOrName);
    let example = catalog
        .terraform_passers("aws_example_thing")
        .next()
        .expect("added");
    assert_eq!(example.path_string(), "settings.role_arn");
    let mwaa = catalog
        .principal_sets
        .iter()
        .filter(|s| s.name == "mwaa")
        .count();
    assert_eq!(mwaa, 1);
    let trio = strings(&["airflow.amazonaws.com", "example.amazonaws.com"]);
    assert_eq!(
        catalog.approved_set_for(&trio).map(|s| s.why.as_str()),
        Some("replaced")
    );
    // The built-in catalog itself is untouched.
    assert_eq!(Catalog::builtin().terraform.len(), before);
}

#[test]
fn role_reference_names() {
    assert_eq!(RoleReference::RoleArn.as_str(), "role_arn");
    assert_eq!(RoleReference::RoleName.as_str(), "role_name");
    assert_eq!(RoleReference::RoleArnOrName.as_str(), "role_arn_or_name");
    assert_eq!(
        RoleReference::InstanceProfile.to_string(),
        "instance_profile"
    );
}
