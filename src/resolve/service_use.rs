//! Which services a principal can make use a role (`rules/service-use.toml`, compiled in).
//!
//! A PassRole grant escalates only together with actions that make a service act with the passed
//! role: creating a function and invoking it, launching an instance, creating and starting a job.
//! The data file lists those action sets per service, each with its public source; escalation paths
//! read them from here. `iam:PassRole` itself is never part of a set: it is checked on its own.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::iam::principal::same_service;

const BUILTIN_TOML: &str = include_str!("../../rules/service-use.toml");

/// The action that every set leaves out, because the grant it goes with is checked separately.
const PASS_ROLE: &str = "iam:PassRole";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    service: Vec<ServiceUse>,
}

/// A service that can be made to act with a passed role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceUse {
    /// Shown in messages: "AWS Lambda".
    pub name: String,
    /// The service principal the role must trust, global form: `lambda.amazonaws.com`.
    pub principal: String,
    /// The service part of the ARNs of what the service creates (`iam:AssociatedResourceArn`).
    pub arn_service: String,
    /// The ways to make the service act with the role; any one of them is enough.
    #[serde(rename = "use")]
    pub uses: Vec<UseCase>,
}

/// One set of actions that makes a service act with a passed role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UseCase {
    /// Every action needed besides `iam:PassRole`.
    pub actions: Vec<String>,
    /// What the principal does with them, for messages.
    pub how: String,
    /// The public page that documents the combination.
    pub source: String,
    /// Further public pages for the facts used.
    #[serde(default)]
    pub also: Vec<String>,
    /// The role reaches the service only through an instance profile (EC2).
    #[serde(default)]
    pub requires_instance_profile: bool,
}

/// The services of the data file.
#[derive(Debug)]
pub struct ServiceUses {
    pub services: Vec<ServiceUse>,
}

impl ServiceUses {
    /// The built-in data file, parsed once.
    pub fn builtin() -> &'static ServiceUses {
        static BUILTIN: OnceLock<ServiceUses> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The file is compiled in and a test loads it: failing here is a bug, not an input error.
            ServiceUses::from_toml(BUILTIN_TOML)
                .expect("the built-in rules/service-use.toml is invalid")
        })
    }

    /// Parses the data file and checks every entry (see the file's header for the keys).
    pub fn from_toml(text: &str) -> Result<ServiceUses, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut names: Vec<&str> = Vec::new();
        for service in &raw.service {
            if names.contains(&service.name.as_str()) {
                return Err(format!("{}: the service is listed twice", service.name));
            }
            names.push(&service.name);
            service.check()?;
        }
        Ok(ServiceUses {
            services: raw.service,
        })
    }

    /// The service whose principal a trusted principal names, in any of its spellings
    /// (`states.eu-west-1.amazonaws.com` is Step Functions).
    pub fn for_principal(&self, principal: &str) -> Option<&ServiceUse> {
        self.services
            .iter()
            .find(|s| same_service(&s.principal, principal))
    }
}

impl ServiceUse {
    fn check(&self) -> Result<(), String> {
        let name = &self.name;
        if name.trim().is_empty() {
            return Err("a service has no name".into());
        }
        let principal_name = self.principal.strip_suffix(".amazonaws.com");
        if !principal_name.is_some_and(|p| !p.is_empty() && p.split('.').all(is_dns_label)) {
            return Err(format!(
                "{name}: the principal {:?} is not a service principal ending in .amazonaws.com",
                self.principal
            ));
        }
        if !is_dns_label(&self.arn_service) {
            return Err(format!(
                "{name}: the ARN service {:?} is not an ARN service name",
                self.arn_service
            ));
        }
        if self.uses.is_empty() {
            return Err(format!("{name}: no [[service.use]]"));
        }
        for (i, case) in self.uses.iter().enumerate() {
            case.check()
                .map_err(|why| format!("{name}, use {}: {why}", i + 1))?;
        }
        Ok(())
    }
}

impl UseCase {
    fn check(&self) -> Result<(), String> {
        if self.actions.is_empty() {
            return Err("no actions".into());
        }
        for action in &self.actions {
            if action.eq_ignore_ascii_case(PASS_ROLE) {
                return Err(format!(
                    "{action} is checked separately: do not list it in a set"
                ));
            }
            if !is_action_name(action) {
                return Err(format!(
                    "{action:?} is not an action name `service:Action` without wildcards"
                ));
            }
        }
        if self.how.trim().is_empty() {
            return Err("`how` is empty".into());
        }
        for page in std::iter::once(&self.source).chain(&self.also) {
            if !is_https_page(page) {
                return Err(format!("the source {page:?} is not an https address"));
            }
        }
        Ok(())
    }
}

/// `service:Action`: a lowercase service prefix (`bedrock-agentcore`) and an action name of letters
/// and digits that starts with a capital (`CreateFunction`); no wildcard, no space.
fn is_action_name(action: &str) -> bool {
    let Some((service, name)) = action.split_once(':') else {
        return false;
    };
    is_dns_label(service)
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_dns_label(label: &str) -> bool {
    !label.is_empty()
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_https_page(address: &str) -> bool {
    address
        .strip_prefix("https://")
        .is_some_and(|rest| rest.contains('.') && !rest.contains(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::catalog::Catalog;

    const ONE: &str = r#"
[[service]]
name = "AWS Lambda"
principal = "lambda.amazonaws.com"
arn_service = "lambda"

[[service.use]]
actions = ["lambda:CreateFunction", "lambda:InvokeFunction"]
how = "create a function and invoke it"
source = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html"
"#;

    fn refused(text: &str) -> String {
        match ServiceUses::from_toml(text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(why) => why,
        }
    }

    #[test]
    fn builtin_file_loads_with_the_service_families_of_escalation_paths() {
        let all = ServiceUses::builtin();
        for principal in [
            "lambda.amazonaws.com",
            "ec2.amazonaws.com",
            "glue.amazonaws.com",
            "cloudformation.amazonaws.com",
            "codebuild.amazonaws.com",
            "sagemaker.amazonaws.com",
            "ecs-tasks.amazonaws.com",
            "states.amazonaws.com",
            "tasks.apprunner.amazonaws.com",
        ] {
            assert!(all.for_principal(principal).is_some(), "{principal}");
        }
        let ec2 = all.for_principal("ec2.amazonaws.com.cn");
        assert!(ec2.is_some_and(|s| s.uses.iter().all(|u| u.requires_instance_profile)));
        let lambda = all.for_principal("lambda.amazonaws.com");
        assert!(lambda.is_some_and(|s| !s.uses.iter().any(|u| u.requires_instance_profile)));
        assert!(
            all.for_principal("states.eu-west-1.amazonaws.com")
                .is_some_and(|s| s.arn_service == "states")
        );
        assert!(all.for_principal("*").is_none());
    }

    #[test]
    fn every_principal_of_the_file_is_a_principal_of_the_passer_catalog() {
        let catalog = Catalog::builtin();
        let known: Vec<&String> = catalog
            .terraform
            .iter()
            .chain(&catalog.cloudformation)
            .flat_map(|p| &p.principals)
            .collect();
        for service in &ServiceUses::builtin().services {
            assert!(
                known.iter().any(|k| **k == service.principal),
                "{}: {} is not a principal of rules/passers.toml",
                service.name,
                service.principal
            );
        }
    }

    #[test]
    fn a_valid_entry_is_accepted() {
        let one = ServiceUses::from_toml(ONE);
        assert!(one.is_ok_and(|u| u.services.len() == 1 && u.services[0].uses.len() == 1));
    }

    #[test]
    fn a_service_listed_twice_is_refused() {
        assert!(refused(&format!("{ONE}{ONE}")).contains("listed twice"));
    }

    #[test]
    fn a_principal_that_is_not_a_global_service_principal_is_refused() {
        for bad in [
            "lambda",
            "lambda.amazonaws.com.cn",
            "arn:aws:iam::1:root",
            "*.amazonaws.com",
        ] {
            let text = ONE.replace("\"lambda.amazonaws.com\"", &format!("{bad:?}"));
            assert!(refused(&text).contains("not a service principal"), "{bad}");
        }
    }

    #[test]
    fn actions_must_be_exact_action_names_without_passrole() {
        for bad in [
            "lambda:*",
            "lambda:Create*",
            "CreateFunction",
            "lambda: Invoke",
            "Lambda:X",
        ] {
            let text = ONE.replace("\"lambda:InvokeFunction\"", &format!("{bad:?}"));
            assert!(refused(&text).contains("is not an action name"), "{bad}");
        }
        for pass in ["iam:PassRole", "IAM:passrole"] {
            let text = ONE.replace("\"lambda:InvokeFunction\"", &format!("{pass:?}"));
            assert!(refused(&text).contains("checked separately"), "{pass}");
        }
        let none = ONE.replace(
            "[\"lambda:CreateFunction\", \"lambda:InvokeFunction\"]",
            "[]",
        );
        assert!(refused(&none).contains("no actions"));
    }

    #[test]
    fn sources_must_be_https() {
        let http = ONE.replace("https://docs.aws", "http://docs.aws");
        assert!(refused(&http).contains("not an https address"));
        let also = format!("{ONE}also = [\"see the AWS docs\"]\n");
        assert!(refused(&also).contains("not an https address"));
    }

    #[test]
    fn a_service_without_a_use_or_with_unknown_keys_is_refused() {
        let bare = "[[service]]\nname = \"X\"\nprincipal = \"x.amazonaws.com\"\narn_service = \"x\"\nuse = []\n";
        assert!(refused(bare).contains("no [[service.use]]"));
        let unknown = ONE.replace("arn_service", "arn_prefix");
        assert!(!refused(&unknown).is_empty());
        let extra = format!("{ONE}requires_profile = true\n");
        assert!(!refused(&extra).is_empty());
        let bad_arn = ONE.replace(
            "arn_service = \"lambda\"",
            "arn_service = \"arn:aws:lambda\"",
        );
        assert!(refused(&bad_arn).contains("not an ARN service name"));
    }
}
