//! `passrole init`: a commented starting `passrole.toml`. Every key is present, commented out,
//! with its default; uncommenting one line at a time gives a valid file.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The file `passrole init` writes.
pub const INIT_TEMPLATE: &str = r#"# passrole configuration. Every key is optional; the values shown are the defaults.
# Key by key reference: docs/configuration.md. Settings given as flags override this file.

# Rules to run: rule ids or id prefixes ("PR01" is PR010-PR016). Default: every rule.
# select = ["PR"]

# Rules not to run, ids or prefixes. The more specific of `select` and `ignore` wins.
# ignore = []

# The lowest severity that makes the exit code 1: "error", "warning", "note", or "never"
# (report findings but exit 0; unreadable input still exits 2).
# fail-on = "error"

# Paths not to scan: gitignore-style globs relative to this file's directory.
# exclude = []

# Skip what .gitignore, .ignore and .git/info/exclude list.
# respect-gitignore = false

# A baseline file of accepted findings, relative to this file's directory. Default: none.
# baseline = "passrole-baseline.json"

# The Terraform configuration of scanned plans, relative to this file's directory.
# Default: each plan's own directory, when it holds .tf files.
# source = "infra"

# Per-rule severity: "error", "warning", "note", or "off" (the rule is not run).
# [severity]
# PR015 = "warning"

# A resource attribute that passes a role, in the passer catalog's format (rules/passers.toml):
# `terraform` + `attribute`, or `cloudformation` + `property`.
# [[passer]]
# terraform = "aws_example_service"
# attribute = "service_role_arn"
# reference = "role_arn"            # role_arn, role_name, role_arn_or_name or instance_profile
# principals = ["example.amazonaws.com"]
# service = "Example Service"
# list = false
# cloudformation = "AWS::Example::Service"   # instead of terraform + attribute
# property = "ServiceRoleArn"

# Service principals that may share one trust policy (PR002 stays quiet for them).
# [[principal_set]]
# name = "example"
# principals = ["a.amazonaws.com", "b.amazonaws.com"]
# why = "Service B assumes the role on behalf of service A."

# An approved PassRole exception: findings it matches are kept as suppressed, with the reason.
# [[allow]]
# rule = "PR011"
# resource = "arn:aws:iam::*:role/deploy-*"   # `*` any characters, `?` one character
# holder = "aws_iam_policy.ci_deploy"         # optional: the policy or what it is attached to
# reason = "The CI deploy role creates and passes the deploy-* roles of each stack."
"#;

/// Writes [`INIT_TEMPLATE`] to `dir/passrole.toml` and returns the path. An existing file is kept
/// unless `force`; the new file is created without following a symlink in its place.
pub fn write_init(dir: &Path, force: bool) -> Result<PathBuf, String> {
    let path = dir.join(super::FILE_NAME);
    let shown = crate::source::display_path(&path);
    let exists = path.symlink_metadata().is_ok();
    if exists && !force {
        return Err(format!("{shown} already exists; use --force to replace it"));
    }
    if exists {
        std::fs::remove_file(&path).map_err(|e| format!("{shown}: {e}"))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("{shown}: {e}"))?;
    file.write_all(INIT_TEMPLATE.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{shown}: {e}"))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key appears in the template, commented out.
    #[test]
    fn template_lists_every_key() {
        for key in super::super::keys() {
            let (table, leaf) = match key.split_once('.') {
                Some((t, k)) => (Some(t), k),
                None => (None, key.as_str()),
            };
            let written = match (table, leaf) {
                (None, "severity") => "# [severity]".to_string(),
                (None, t @ ("passer" | "principal_set" | "allow")) => format!("# [[{t}]]"),
                (_, k) => format!("# {k} = "),
            };
            assert!(
                INIT_TEMPLATE.contains(&written),
                "`{key}` is missing from the init template"
            );
        }
    }

    /// The template with nothing uncommented parses.
    #[test]
    fn template_parses() {
        super::super::parse(Path::new("passrole.toml"), INIT_TEMPLATE).expect("valid");
    }
}
