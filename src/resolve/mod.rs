//! Resolution across the scan: role ARNs and names written as strings are linked to the roles defined
//! anywhere in the scan, and instance profiles that nothing uses become pass sites of their own.

pub mod catalog;

use crate::iam::arn::parse_role_arn;
use crate::model::{Pass, RoleTarget, Unit};
use crate::value::Text;

/// The principal an instance profile hands its role to.
const EC2_PRINCIPAL: &str = "ec2.amazonaws.com";

/// Links string targets to roles and adds the pass sites of unused instance profiles.
pub fn link(units: &mut [Unit]) {
    let index = RoleIndex::new(units);
    for (u, unit) in units.iter_mut().enumerate() {
        for pass in &mut unit.passes {
            pass.target = index.link(u, &pass.target);
        }
        for profile in &mut unit.profiles {
            profile.role = index.link(u, &profile.role);
        }
        add_unused_profile_passes(unit);
    }
}

/// Roles and instance profiles of the whole scan by name, for string references.
struct RoleIndex {
    /// (unit, role index, name, path)
    roles: Vec<(usize, usize, String, String)>,
    /// (unit, profile index, name)
    profiles: Vec<(usize, usize, String)>,
    /// (unit, export name, exported target)
    exports: Vec<(usize, String, RoleTarget)>,
}

impl RoleIndex {
    fn new(units: &[Unit]) -> RoleIndex {
        let mut roles = Vec::new();
        let mut profiles = Vec::new();
        let mut exports = Vec::new();
        for (u, unit) in units.iter().enumerate() {
            for e in &unit.exports {
                exports.push((u, e.name.clone(), e.target.clone()));
            }
            for (i, role) in unit.roles.iter().enumerate() {
                if let Some(name) = &role.name {
                    let path = role.path.clone().unwrap_or_else(|| "/".into());
                    roles.push((u, i, name.clone(), path));
                }
            }
            for (i, p) in unit.profiles.iter().enumerate() {
                if let Some(name) = &p.name {
                    profiles.push((u, i, name.clone()));
                }
            }
        }
        RoleIndex {
            roles,
            profiles,
            exports,
        }
    }

    fn role(&self, from: usize, name: &str, path: Option<&str>) -> Option<RoleTarget> {
        let (u, i, _, _) = self
            .roles
            .iter()
            .find(|(_, _, n, p)| n == name && path.is_none_or(|path| path == p))?;
        Some(if *u == from {
            RoleTarget::Role(*i)
        } else {
            RoleTarget::External(*u, *i)
        })
    }

    fn link(&self, from: usize, target: &RoleTarget) -> RoleTarget {
        match target {
            RoleTarget::Arn(text) => self.link_literal(from, text, |s| {
                let arn = parse_role_arn(s)?;
                Some((arn.name, Some(arn.path)))
            }),
            RoleTarget::Name(text) => {
                self.link_literal(from, text, |s| Some((s.to_string(), None)))
            }
            RoleTarget::ProfileName(text) => {
                let Some(s) = text.as_literal() else {
                    return unresolved_text("the instance profile", text);
                };
                // `arn:aws:iam::123:instance-profile/path/name` or a bare name.
                let name = s.rsplit('/').next().unwrap_or(&s).to_string();
                match self.profiles.iter().find(|(_, _, n)| *n == name) {
                    Some((u, i, _)) if *u == from => RoleTarget::Profile(*i),
                    Some(_) => RoleTarget::Unresolved(format!(
                        "the instance profile {name} is defined in another module of the scan"
                    )),
                    None => RoleTarget::Unresolved(format!(
                        "no instance profile named {name} is defined in the scan"
                    )),
                }
            }
            RoleTarget::Import(name) => self.link_import(from, name),
            other => other.clone(),
        }
    }

    /// `Fn::ImportValue NAME`: the target exported under NAME by a unit of the scan.
    fn link_import(&self, from: usize, name: &str) -> RoleTarget {
        let Some((eu, _, target)) = self.exports.iter().find(|(_, n, _)| n == name) else {
            return RoleTarget::Unresolved(format!(
                "Fn::ImportValue {name}: no template in the scan exports it"
            ));
        };
        match target {
            RoleTarget::Role(i) if *eu == from => RoleTarget::Role(*i),
            RoleTarget::Role(i) => RoleTarget::External(*eu, *i),
            RoleTarget::Profile(i) if *eu == from => RoleTarget::Profile(*i),
            RoleTarget::Profile(_) => RoleTarget::Unresolved(format!(
                "Fn::ImportValue {name}: the export is an instance profile of another template"
            )),
            RoleTarget::External(u, i) => RoleTarget::External(*u, *i),
            RoleTarget::Arn(_) | RoleTarget::Name(_) | RoleTarget::ProfileName(_) => {
                self.link(from, target)
            }
            RoleTarget::Import(_) => RoleTarget::Unresolved(format!(
                "Fn::ImportValue {name}: the export is itself an import"
            )),
            RoleTarget::Unresolved(reason) => {
                RoleTarget::Unresolved(format!("Fn::ImportValue {name}: {reason}"))
            }
        }
    }

    fn link_literal(
        &self,
        from: usize,
        text: &Text,
        parse: impl Fn(&str) -> Option<(String, Option<String>)>,
    ) -> RoleTarget {
        let Some(s) = text.as_literal().or_else(|| arn_with_unknown_account(text)) else {
            return unresolved_text("the role", text);
        };
        let Some((name, path)) = parse(&s) else {
            return RoleTarget::Unresolved(format!("{s} is not a role ARN"));
        };
        self.role(from, &name, path.as_deref()).unwrap_or_else(|| {
            RoleTarget::Unresolved(format!("no role named {name} is defined in the scan"))
        })
    }
}

/// `arn:${partition}:iam::${account}:role/app/worker` names one role whatever the partition and
/// account: the ARN with placeholders in those two fields, when every other part is known.
fn arn_with_unknown_account(text: &Text) -> Option<String> {
    use crate::value::TextPart;
    const UNKNOWN: &str = "\u{0}";
    let shown: String = text
        .parts
        .iter()
        .map(|p| match p {
            TextPart::Lit(s) => s.as_str(),
            TextPart::Unknown(_) => UNKNOWN,
        })
        .collect();
    let mut fields: Vec<String> = shown.splitn(6, ':').map(str::to_string).collect();
    if fields.len() != 6 || fields[0] != "arn" || fields[2] != "iam" || fields[5].contains(UNKNOWN)
    {
        return None;
    }
    for (i, placeholder) in [(1, "aws"), (4, "000000000000")] {
        if fields[i].contains(UNKNOWN) {
            if fields[i] != UNKNOWN {
                return None;
            }
            fields[i] = placeholder.to_string();
        }
    }
    (!fields.iter().any(|f| f.contains(UNKNOWN))).then(|| fields.join(":"))
}

fn unresolved_text(what: &str, text: &Text) -> RoleTarget {
    RoleTarget::Unresolved(format!(
        "{what} \"{text}\" cannot be evaluated statically: {} is unknown",
        crate::iam::arn::name_unknown(text).unwrap_or("a part")
    ))
}

/// An instance profile that no resource of the scan uses is itself the pass site: creating it hands the
/// role to EC2. A profile that is used is reported at its use, never twice.
fn add_unused_profile_passes(unit: &mut Unit) {
    let used: Vec<bool> = (0..unit.profiles.len())
        .map(|i| {
            unit.passes
                .iter()
                .any(|p| p.target == RoleTarget::Profile(i))
        })
        .collect();
    for (i, profile) in unit.profiles.iter().enumerate() {
        if used[i] {
            continue;
        }
        unit.passes.push(Pass {
            passer: profile.address.clone(),
            attribute: profile.role_attribute.into(),
            span: profile.role_span,
            service: "Amazon EC2".into(),
            principals: vec![EC2_PRINCIPAL.into()],
            target: RoleTarget::Profile(i),
            exists_when: None,
        });
    }
}

#[cfg(test)]
mod arn_tests {
    use super::arn_with_unknown_account;
    use crate::value::{Text, TextPart};

    fn text(parts: &[Option<&str>]) -> Text {
        Text {
            parts: parts
                .iter()
                .map(|p| match p {
                    Some(s) => TextPart::Lit(s.to_string()),
                    None => TextPart::Unknown("x".into()),
                })
                .collect(),
        }
    }

    #[test]
    fn an_unknown_partition_or_account_still_names_one_role() {
        let arn = text(&[
            Some("arn:"),
            None,
            Some(":iam::"),
            None,
            Some(":role/app/worker"),
        ]);
        assert_eq!(
            arn_with_unknown_account(&arn).as_deref(),
            Some("arn:aws:iam::000000000000:role/app/worker")
        );
    }

    #[test]
    fn an_unknown_name_or_partial_account_names_no_role() {
        let name = text(&[Some("arn:aws:iam::123456789012:role/"), None]);
        assert_eq!(arn_with_unknown_account(&name), None);
        let partial = text(&[Some("arn:aws:iam::12"), None, Some(":role/worker")]);
        assert_eq!(arn_with_unknown_account(&partial), None);
    }
}
