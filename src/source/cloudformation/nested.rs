//! Nested stacks (`AWS::CloudFormation::Stack` `TemplateURL`, SAM `AWS::Serverless::Application`
//! `Location`) and stack sets: the nested template lives in S3 or the Serverless Application
//! Repository (or, for a stack set, is deployed to other accounts) and is not part of this template,
//! so nothing in it is checked. Each nested stack is stated as a coverage note
//! at the property that names the template, rather than skipped silently. (A template packaged from
//! a local file is scanned on its own when that file is in the scan.)
//!
//! The note is an identity policy of the stack that cannot be read, as for a Terraform module whose
//! source was not read: the nested template may hold grants of `iam:PassRole`, roles and passes.

use super::eval::Template;
use super::prop;
use crate::iam::policy::PolicyValue;
use crate::model::{IdentityPolicy, PolicyOrigin, Unit};
use crate::resolve::iam_resources::IamResources;

pub(super) fn nested_stacks(t: &Template, unit: &mut Unit) {
    for r in &t.resources {
        let Some(nested) = IamResources::builtin().cloudformation.nested_stack(&r.ty) else {
            continue;
        };
        let found = nested
            .properties
            .iter()
            .find_map(|p| prop(r, p).map(|n| (p.as_str(), n)));
        let span = found.map_or(r.key_span, |(_, n)| n.span);
        // A URL, or the Serverless Application Repository application (`{ApplicationId, ...}`);
        // an inline `TemplateBody` is not quoted.
        let location = found
            .filter(|(p, _)| *p != "TemplateBody")
            .and_then(|(_, n)| {
                t.literal(n)
                    .or_else(|| n.get("ApplicationId").and_then(|(_, id)| t.literal(id)))
            });
        unit.policies.push(IdentityPolicy {
            partial: None,
            origin: PolicyOrigin::UnreadSource,
            address: r.address.clone(),
            attribute: "source".into(),
            document: PolicyValue::Unknown {
                reason: reason(location.as_deref()),
                span,
            },
        });
    }
}

fn reason(location: Option<&str>) -> String {
    let Some(location) = location else {
        return "the template it deploys is not part of this template and is not scanned, so \
                none of the roles, policies and role passes in it is checked"
            .into();
    };
    // `aws cloudformation package` input: a path relative to this template. That file, when it is in
    // the scan, is checked as a template of its own, but without the parameters this stack gives it.
    let local = !location.contains("://") && !location.starts_with("arn:");
    if local {
        format!(
            "the template it deploys ({location}) is a local file that is checked only as a \
             template of its own (when it is in the scan), without the parameters this stack gives it"
        )
    } else {
        format!(
            "the template it deploys ({location}) is not part of this template and is not \
             scanned, so none of the roles, policies and role passes in it is checked"
        )
    }
}
