//! Resolution across the scan: role ARNs and names written as strings are linked to the roles defined
//! anywhere in the scan, and instance profiles that nothing uses become pass sites of their own.

pub mod catalog;
pub mod iam_resources;
pub mod literal;
pub mod managed;
pub mod service_use;

use crate::iam::arn::{is_account, parse_role_arn};
use crate::model::{Pass, RoleTarget, Unit, UnitKind};
use crate::value::Text;

/// The principal an instance profile hands its role to.
const EC2_PRINCIPAL: &str = "ec2.amazonaws.com";

/// Links string targets to roles and adds the pass sites of unused instance profiles.
///
/// A role named by a string is looked for in the passing unit first, then in the units closest to it
/// in the directory tree: copies of one project (`envs/prod`, `envs/dev`) each keep their own roles.
/// When several roles are equally close, the pass is checked against each of them, and its findings
/// say so.
pub fn link(units: &mut [Unit]) {
    let index = RoleIndex::new(units);
    let names: Vec<String> = units.iter().map(|u| u.name.clone()).collect();
    for (u, unit) in units.iter_mut().enumerate() {
        let mut copies = Vec::new();
        for pass in &mut unit.passes {
            let (target, others) = index.link_candidates(u, &pass.target);
            pass.target = target;
            if others.is_empty() {
                continue;
            }
            let every: Vec<&RoleTarget> = std::iter::once(&pass.target).chain(&others).collect();
            let note = ambiguity_note(&names, u, &every);
            pass.ambiguity = Some(note.clone());
            for other in others {
                copies.push(Pass {
                    target: other,
                    ambiguity: Some(note.clone()),
                    hops: pass.hops.clone(),
                    passer: pass.passer.clone(),
                    attribute: pass.attribute.clone(),
                    span: pass.span,
                    service: pass.service.clone(),
                    principals: pass.principals.clone(),
                    exists_when: pass.exists_when.clone(),
                });
            }
        }
        unit.passes.extend(copies);
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
    /// Each unit's directory components, for closeness.
    dirs: Vec<Vec<String>>,
    /// Each unit's account, when known.
    accounts: Vec<Option<String>>,
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
            dirs: units.iter().map(unit_dirs).collect(),
            accounts: units.iter().map(|u| u.account.clone()).collect(),
        }
    }

    /// The roles of that name (and path) closest to unit `from`: its own role when it has one, else
    /// those of the units sharing the longest directory prefix with it. Several when they tie.
    ///
    /// A role is passed in the account of the passer, so when the account is known (`account`, from
    /// the ARN or the passing unit) a role of a unit known to deploy to another account is not it.
    fn roles(
        &self,
        from: usize,
        name: &str,
        path: Option<&str>,
        account: Option<&str>,
    ) -> Vec<RoleTarget> {
        let other_account = |u: usize| match (account, self.accounts[u].as_deref()) {
            (Some(a), Some(b)) => a != b,
            _ => false,
        };
        let matching: Vec<(usize, usize)> = self
            .roles
            .iter()
            .filter(|(u, _, n, p)| {
                n == name && path.is_none_or(|path| path == p) && !other_account(*u)
            })
            .map(|(u, i, _, _)| (*u, *i))
            .collect();
        if let Some((_, i)) = matching.iter().find(|(u, _)| *u == from) {
            return vec![RoleTarget::Role(*i)];
        }
        let closeness = |u: usize| common_dirs(&self.dirs[from], &self.dirs[u]);
        let best = matching.iter().map(|(u, _)| closeness(*u)).max();
        matching
            .iter()
            .filter(|(u, _)| Some(closeness(*u)) == best)
            .map(|(u, i)| RoleTarget::External(*u, *i))
            .collect()
    }

    /// [`RoleIndex::link`], keeping every equally close candidate: the target, and the other
    /// candidates a copy of the pass is checked against.
    fn link_candidates(&self, from: usize, target: &RoleTarget) -> (RoleTarget, Vec<RoleTarget>) {
        let named = match target {
            RoleTarget::Arn(text) => self.literal_role(text, |s| {
                let arn = parse_role_arn(s)?;
                Some((arn.name, Some(arn.path)))
            }),
            RoleTarget::Name(text) => self.literal_role(text, |s| Some((s.to_string(), None))),
            _ => return (self.link(from, target), Vec::new()),
        };
        let (name, path) = match named {
            Ok(named) => named,
            Err(unresolved) => return (unresolved, Vec::new()),
        };
        let account = self.account_of(from, target);
        let mut candidates = self
            .roles(from, &name, path.as_deref(), account.as_deref())
            .into_iter();
        match candidates.next() {
            Some(first) => (first, candidates.collect()),
            None => (
                self.not_in_scan(from, &name, path.as_deref(), account.as_deref()),
                Vec::new(),
            ),
        }
    }

    fn link(&self, from: usize, target: &RoleTarget) -> RoleTarget {
        match target {
            // The first of the closest roles (exports and instance profiles name one).
            RoleTarget::Arn(_) | RoleTarget::Name(_) => self.link_candidates(from, target).0,
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
            RoleTarget::Nothing => RoleTarget::Nothing,
        }
    }

    /// The account a role named by a pass of unit `from` is in: the ARN's, when written, else the
    /// passing unit's (a role is always passed in the passer's own account).
    fn account_of(&self, from: usize, target: &RoleTarget) -> Option<String> {
        let written = match target {
            RoleTarget::Arn(text) => text
                .as_literal()
                .and_then(|s| s.split(':').nth(4).map(str::to_string))
                .filter(|a| is_account(a)),
            _ => None,
        };
        written.or_else(|| self.accounts[from].clone())
    }

    /// Why no role is found: the account is named only when roles of that name are in the scan,
    /// in other accounts.
    fn not_in_scan(
        &self,
        from: usize,
        name: &str,
        path: Option<&str>,
        account: Option<&str>,
    ) -> RoleTarget {
        RoleTarget::Unresolved(match account {
            Some(account) if !self.roles(from, name, path, None).is_empty() => format!(
                "no role named {name} in account {account} is defined in the scan (roles of that \
                 name are, in other accounts)"
            ),
            _ => format!("no role named {name} is defined in the scan"),
        })
    }

    /// The role name (and path, for an ARN) a string names, or why it names none.
    #[allow(clippy::type_complexity)]
    fn literal_role(
        &self,
        text: &Text,
        parse: impl Fn(&str) -> Option<(String, Option<String>)>,
    ) -> Result<(String, Option<String>), RoleTarget> {
        let Some(s) = text.as_literal().or_else(|| arn_with_unknown_account(text)) else {
            return Err(unresolved_text("the role", text));
        };
        parse(&s).ok_or_else(|| RoleTarget::Unresolved(format!("{s} is not a role ARN")))
    }
}

/// The directories a unit was read from, as components: a template's own directory, a module's path.
fn unit_dirs(unit: &Unit) -> Vec<String> {
    let path = std::path::Path::new(&unit.name);
    let dir = match unit.kind {
        UnitKind::Terraform => path,
        UnitKind::CloudFormation | UnitKind::Plan => path.parent().unwrap_or(path),
    };
    dir.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

/// How many leading directories two units share.
fn common_dirs(a: &[String], b: &[String]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// What a finding on an ambiguous pass says: which roles of the name were checked.
fn ambiguity_note(names: &[String], from: usize, candidates: &[&RoleTarget]) -> String {
    let places: Vec<String> = candidates
        .iter()
        .map(|t| match t {
            RoleTarget::External(u, _) => names.get(*u).cloned().unwrap_or_default(),
            _ => names.get(from).cloned().unwrap_or_default(),
        })
        .collect();
    format!(
        "one of {} roles of that name equally close to the pass, in {}; each is checked",
        candidates.len(),
        places.join(" and ")
    )
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
            hops: Vec::new(),
            ambiguity: None,
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
