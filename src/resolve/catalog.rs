//! TEMPORARY loader (replaced by the full one).
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleReference {
    RoleArn,
    RoleName,
    RoleArnOrName,
    InstanceProfile,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PrincipalSet {
    pub name: String,
    pub principals: Vec<String>,
    pub why: String,
}

#[derive(Clone, Debug)]
pub struct PathStep {
    pub name: String,
    pub each: bool,
}

#[derive(Clone, Debug)]
pub struct Passer {
    pub resource: String,
    pub path: Vec<PathStep>,
    pub reference: RoleReference,
    pub principals: Vec<String>,
    pub service: String,
    pub list: bool,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    principal_set: Vec<PrincipalSet>,
    #[serde(default)]
    terraform: Vec<RawPasser>,
    #[serde(default)]
    cloudformation: Vec<RawPasser>,
}
#[derive(Deserialize)]
struct RawPasser {
    resource: String,
    #[serde(alias = "property")]
    attribute: String,
    reference: RoleReference,
    principals: Vec<String>,
    service: String,
    #[serde(default)]
    list: bool,
}

pub struct Catalog {
    pub principal_sets: Vec<PrincipalSet>,
    pub terraform: Vec<Passer>,
    pub cloudformation: Vec<Passer>,
}

fn conv(r: RawPasser) -> Passer {
    Passer {
        resource: r.resource,
        path: r
            .attribute
            .split('.')
            .map(|s| PathStep {
                name: s.trim_end_matches("[]").to_string(),
                each: s.ends_with("[]"),
            })
            .collect(),
        reference: r.reference,
        principals: r.principals,
        service: r.service,
        list: r.list,
    }
}

impl Catalog {
    pub fn builtin() -> &'static Catalog {
        static C: OnceLock<Catalog> = OnceLock::new();
        C.get_or_init(|| {
            let raw: Raw =
                toml::from_str(include_str!("../../rules/passers.toml")).expect("catalog");
            Catalog {
                principal_sets: raw.principal_set,
                terraform: raw.terraform.into_iter().map(conv).collect(),
                cloudformation: raw.cloudformation.into_iter().map(conv).collect(),
            }
        })
    }
    pub fn terraform_passers<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Passer> {
        self.terraform.iter().filter(move |p| p.resource == ty)
    }
    pub fn approved_set_for(&self, principals: &[String]) -> Option<&PrincipalSet> {
        if principals.len() < 2 {
            return None;
        }
        self.principal_sets.iter().find(|s| {
            principals.iter().all(|p| {
                s.principals
                    .iter()
                    .any(|q| crate::iam::principal::same_service(p, q))
            })
        })
    }
}
