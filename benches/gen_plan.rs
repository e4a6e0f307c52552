//! A corpus generator: a `terraform show -json` plan (format 1.2, one line, as Terraform writes it)
//! with many modules, IAM resources and other resources, of about the size asked for.
//!
//! Every module `m{i}` has a role (trust policy as a JSON string), a Lambda function passing the role
//! through a reference known only after apply, an inline role policy, and filler resources (buckets,
//! security groups) with large values that the scanner must skip. Every 10th module passes an EC2 role
//! to Lambda (PR001) and every 7th policy grants `iam:PassRole` on `*` (PR010), so findings are made.

use std::fmt::Write;

fn module(out: &mut String, i: usize, planned: bool) {
    let service = if i.is_multiple_of(10) {
        "ec2"
    } else {
        "lambda"
    };
    let trust = format!(
        r#"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{{\"Service\":\"{service}.amazonaws.com\"}}}}]}}"#
    );
    let resource = if i.is_multiple_of(7) {
        "*".to_string()
    } else {
        format!("arn:aws:iam::123456789012:role/app/m{i}/*")
    };
    let policy = format!(
        r#"{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Effect\": \"Allow\",\n      \"Action\": \"iam:PassRole\",\n      \"Resource\": \"{resource}\"\n    }}\n  ]\n}}"#
    );
    let a = format!("module.m{i}");
    let res = |out: &mut String, ty: &str, name: &str, values: &str| {
        let _ = write!(
            out,
            r#"{{"address":"{a}.{ty}.{name}","mode":"managed","type":"{ty}","name":"{name}","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{values},"sensitive_values":{{}}}},"#
        );
    };
    if planned {
        let _ = write!(out, r#"{{"address":"{a}","resources":["#);
    }
    res(
        out,
        "aws_iam_role",
        "this",
        &format!(
            r#"{{"assume_role_policy":"{trust}","description":null,"force_detach_policies":false,"max_session_duration":3600,"name":"m{i}-role","path":"/","permissions_boundary":null,"tags":{{"team":"t{i}"}}}}"#
        ),
    );
    res(
        out,
        "aws_iam_role_policy",
        "this",
        &format!(r#"{{"name":"m{i}-policy","policy":"{policy}"}}"#),
    );
    res(
        out,
        "aws_lambda_function",
        "this",
        &format!(
            r#"{{"function_name":"m{i}","handler":"index.handler","runtime":"python3.12","timeout":30,"memory_size":128,"environment":[{{"variables":{{"STAGE":"prod","MODULE":"m{i}"}}}}],"dead_letter_config":[],"tracing_config":[{{"mode":"PassThrough"}}],"vpc_config":[]}}"#
        ),
    );
    for b in 0..6 {
        let rules: String = (0..8)
            .map(|r| format!(r#"{{"cidr_blocks":["10.{b}.{r}.0/24"],"description":"rule {r} of module {i}","from_port":44{r},"protocol":"tcp","self":false,"to_port":44{r}}},"#))
            .collect();
        res(
            out,
            "aws_security_group",
            &format!("sg{b}"),
            &format!(
                r#"{{"name":"m{i}-sg{b}","description":"Security group {b} of module {i}","ingress":[{}],"egress":[],"tags":{{"Name":"m{i}-sg{b}","Owner":"platform","CostCenter":"cc-{i}"}}}}"#,
                rules.trim_end_matches(',')
            ),
        );
        res(
            out,
            "aws_s3_bucket",
            &format!("b{b}"),
            &format!(
                r#"{{"bucket":"m{i}-bucket-{b}","force_destroy":false,"tags":{{"Name":"m{i}-bucket-{b}","Owner":"platform"}},"timeouts":null}}"#
            ),
        );
    }
    out.pop();
    if planned {
        out.push_str("]},");
    } else {
        out.push(',');
    }
}

fn config_module(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#""m{i}":{{"source":"./modules/app","module":{{"resources":[{{"address":"aws_iam_role.this","mode":"managed","type":"aws_iam_role","name":"this","provider_config_key":"aws","expressions":{{"name":{{"constant_value":"m{i}-role"}}}},"schema_version":0}},{{"address":"aws_lambda_function.this","mode":"managed","type":"aws_lambda_function","name":"this","provider_config_key":"aws","expressions":{{"function_name":{{"constant_value":"m{i}"}},"role":{{"references":["aws_iam_role.this.arn","aws_iam_role.this"]}}}},"schema_version":0}},{{"address":"aws_s3_bucket.b0","mode":"managed","type":"aws_s3_bucket","name":"b0","provider_config_key":"aws","expressions":{{"bucket":{{"constant_value":"m{i}-bucket-0"}}}},"schema_version":0}}]}}}},"#
    );
}

/// A plan of about `bytes` bytes.
pub fn plan(bytes: usize) -> String {
    let mut probe = String::new();
    module(&mut probe, 1, true);
    module(&mut probe, 1, false);
    config_module(&mut probe, 1);
    let modules = (bytes / probe.len()).max(1);
    let mut out = String::with_capacity(bytes + bytes / 10);
    out.push_str(r#"{"format_version":"1.2","terraform_version":"1.5.7","planned_values":{"root_module":{"child_modules":["#);
    for i in 0..modules {
        module(&mut out, i, true);
    }
    out.pop();
    out.push_str(r#"]}},"resource_changes":["#);
    // The changes: the same resources with their `after` values (a plan holds them twice).
    let mut changes = String::new();
    for i in 0..modules {
        changes.clear();
        module(&mut changes, i, false);
        let _ = write!(
            out,
            r#"{{"address":"module.m{i}.aws_s3_bucket.b0","module_address":"module.m{i}","mode":"managed","type":"aws_s3_bucket","name":"b0","change":{{"actions":["create"],"before":null,"after":[{}],"after_unknown":{{"arn":true}}}}}},"#,
            changes.trim_end_matches(',')
        );
    }
    out.pop();
    out.push_str(r#"],"configuration":{"root_module":{"module_calls":{"#);
    for i in 0..modules {
        config_module(&mut out, i);
    }
    out.pop();
    out.push_str("}}}}\n");
    out
}
