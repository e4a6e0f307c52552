//! Catalog paths: the steps from a resource to the value that passes a role, as the catalog writes
//! them (`Targets[].RoleArn`, `setting[namespace=…,name=ServiceRole].value`,
//! `container_properties{json}.jobRoleArn`).

use std::fmt;

/// The step name `*[]`: every value of the object reached so far.
pub const ANY_KEY: &str = "*";

/// One step of a passer's path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PathStep {
    /// The block, attribute or property name.
    pub name: String,
    /// The value at this step is a list (or a map of named objects) and every element is visited
    /// (`Targets[]`).
    pub each: bool,
    /// Only the elements (list elements, repeated blocks) whose keys have these literal values
    /// (`OptionSettings[Namespace=aws:elasticbeanstalk:environment,OptionName=ServiceRole]`):
    /// settings lists where one element in many passes a role. Implies `each`.
    pub select: Vec<(String, String)>,
    /// The value at this step is a JSON document held in a string (`container_properties{json}`:
    /// `jsonencode({...})` or a JSON heredoc in Terraform); the following steps are keys inside it.
    pub json: bool,
}

impl PathStep {
    /// A plain step: a block, attribute or property name.
    pub fn named(name: &str) -> PathStep {
        PathStep {
            name: name.to_owned(),
            ..PathStep::default()
        }
    }
}

impl fmt::Display for PathStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.select.is_empty() {
            let keys: Vec<String> = self
                .select
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, "[{}]", keys.join(","))?;
        } else if self.each {
            f.write_str("[]")?;
        }
        if self.json {
            f.write_str("{json}")?;
        }
        Ok(())
    }
}

/// Parses a catalog path; `key` is how the entry names it (`attribute`, `property`), `terraform`
/// whether it is a Terraform path.
pub(super) fn parse_path(text: &str, key: &str, terraform: bool) -> Result<Vec<PathStep>, String> {
    if text.is_empty() {
        return Err(format!("`{key}` is empty"));
    }
    let parts = split_steps(text);
    let mut steps = Vec::with_capacity(parts.len());
    let mut in_json = false;
    for (n, part) in parts.iter().enumerate() {
        let step = parse_step(part).map_err(|problem| format!("`{key}` {text:?}: {problem}"))?;
        let last = n + 1 == parts.len();
        // Inside a JSON document `[]` is a JSON array, not a Terraform block.
        if step.each && step.select.is_empty() && !in_json && terraform {
            return Err(format!(
                "`{key}` {text:?}: Terraform paths name nested blocks without `[]`; every block instance is checked"
            ));
        }
        if last && (step.each || step.json) {
            return Err(format!(
                "`{key}` {text:?} ends in `{}`: the last step names the value that passes the role (for a list of role references write the plain name and `list = true`)",
                &part[step.name.len()..]
            ));
        }
        if step.name == ANY_KEY && terraform {
            return Err(format!(
                "`{key}` {text:?}: `*[]` is for CloudFormation objects (OpenAPI bodies)"
            ));
        }
        if step.json && !terraform {
            return Err(format!(
                "`{key}` {text:?}: `{{json}}` is for Terraform string attributes; CloudFormation properties are objects"
            ));
        }
        if step.json && in_json {
            return Err(format!(
                "`{key}` {text:?}: a JSON document inside a JSON document"
            ));
        }
        if in_json && !step.select.is_empty() {
            return Err(format!(
                "`{key}` {text:?}: selectors are not supported inside a JSON document"
            ));
        }
        in_json |= step.json;
        steps.push(step);
    }
    Ok(steps)
}

/// Splits a path at the dots that are not inside a `[...]` selector.
fn split_steps(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// One step: `name`, `name[]`, `name[key=value,...]`, `name{json}`.
fn parse_step(part: &str) -> Result<PathStep, String> {
    let (rest, json) = match part.strip_suffix("{json}") {
        Some(rest) => (rest, true),
        None => (part, false),
    };
    let (name, selector) = match rest.split_once('[') {
        Some((name, sel)) => match sel.strip_suffix(']') {
            Some(sel) => (name, Some(sel)),
            None => return Err(format!("step {part:?} has an unclosed `[`")),
        },
        None => (rest, None),
    };
    if name.is_empty() {
        return Err("an empty step".into());
    }
    let name_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    // `*[]`: every value of the object reached so far, whatever its keys (the methods of an
    // OpenAPI path item).
    if name == ANY_KEY && selector != Some("") {
        return Err(format!(
            "step {part:?}: `*` is written `*[]` (every value of the object)"
        ));
    }
    if name != ANY_KEY && !name.bytes().all(name_char) {
        return Err(format!(
            "step {part:?} may contain only letters, digits, `_` and `-` (then `[]`, `[key=value,...]` or `{{json}}`)"
        ));
    }
    let mut select = Vec::new();
    if let Some(sel) = selector.filter(|s| !s.is_empty()) {
        for pair in sel.split(',') {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("selector {pair:?} in step {part:?} is not `key=value`"))?;
            let value_char = |b: u8| name_char(b) || b == b':' || b == b'.' || b == b'/';
            if k.is_empty()
                || !k.bytes().all(name_char)
                || v.is_empty()
                || !v.bytes().all(value_char)
            {
                return Err(format!(
                    "selector {pair:?} in step {part:?} is not `key=value`"
                ));
            }
            select.push((k.to_owned(), v.to_owned()));
        }
    }
    Ok(PathStep {
        name: name.to_owned(),
        each: selector.is_some(),
        select,
        json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_and_json_steps_are_parsed() {
        let steps = parse_path(
            "setting[namespace=aws:autoscaling:launchconfiguration,name=IamInstanceProfile].value",
            "attribute",
            true,
        )
        .expect("a selector parses");
        assert_eq!(steps.len(), 2);
        assert!(steps[0].each && !steps[0].json);
        assert_eq!(
            steps[0].select,
            [
                (
                    "namespace".to_string(),
                    "aws:autoscaling:launchconfiguration".to_string()
                ),
                ("name".to_string(), "IamInstanceProfile".to_string()),
            ]
        );
        let steps = parse_path(
            "ecs_properties{json}.taskProperties[].executionRoleArn",
            "attribute",
            true,
        )
        .expect("`[]` inside a JSON document parses in Terraform");
        assert!(steps[0].json && !steps[0].each);
        assert!(steps[1].each && steps[1].select.is_empty());
        let text = "OptionSettings[Namespace=aws:elasticbeanstalk:environment,OptionName=ServiceRole].Value";
        let steps = parse_path(text, "property", false).expect("parses");
        let shown: Vec<String> = steps.iter().map(PathStep::to_string).collect();
        assert_eq!(shown.join("."), text, "paths print as written");
    }
}
