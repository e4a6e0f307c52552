//! Users, groups and permission sets, group memberships and opaque policies, as each source lowers
//! them (`testdata/principals-*`): these model fields are not in the facts document yet, so they are
//! checked on the units the sources build.

use passrole::model::{IdentityKind, Unit};
use passrole::resolve::catalog::Catalog;
use passrole::source::reader::Reader;
use passrole::source::{SourceFile, SourceMap, cloudformation, plan, terraform};
use passrole::value::Span;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The 1-based line a span starts on.
fn line(sources: &SourceMap, span: Span) -> usize {
    let file = sources.get(span.file).expect("the span's file");
    file.position(span.start as usize).line
}

/// Lowers the Terraform module in `dir` as a scan does (parse, load, lower the root).
fn terraform_unit(dir: &str) -> (Unit, SourceMap) {
    let dir = PathBuf::from(dir);
    let mut sources = SourceMap::default();
    let mut modules: BTreeMap<PathBuf, Vec<terraform::TfFile>> = BTreeMap::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the fixture directory")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("a readable .tf file");
        let id = sources.add(SourceFile::new(path, text));
        let file = terraform::parse_file(id, sources.get(id).expect("just added")).expect("HCL");
        modules.entry(dir.clone()).or_default().push(file);
    }
    let mut errors = Vec::new();
    let reader = Reader::new(&dir);
    let workspace = terraform::load(modules, Vec::new(), &mut sources, &reader, &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    let [root] = workspace.roots.as_slice() else {
        panic!("one root module: {:?}", workspace.roots);
    };
    let (unit, errors) = terraform::lower_module(root, &workspace, &sources, Catalog::builtin());
    assert!(errors.is_empty(), "{errors:?}");
    (unit, sources)
}

/// Lowers one CloudFormation template.
fn template_unit(path: &str) -> (Unit, SourceMap) {
    let mut sources = SourceMap::default();
    let text = std::fs::read_to_string(path).expect("a readable template");
    let id = sources.add(SourceFile::new(path.into(), text));
    let (unit, errors) = cloudformation::lower_template(id, &sources, Catalog::builtin());
    assert!(errors.is_empty(), "{errors:?}");
    (unit.expect("a template"), sources)
}

/// Lowers one plan, without its configuration.
fn plan_unit(path: &str) -> (Unit, SourceMap) {
    let mut sources = SourceMap::default();
    let text = std::fs::read_to_string(path).expect("a readable plan");
    let id = sources.add(SourceFile::new(path.into(), text));
    let (unit, errors) = plan::lower_plan(id, &sources, Catalog::builtin(), None);
    assert!(errors.is_empty(), "{errors:?}");
    (unit.expect("a plan"), sources)
}

/// (kind, address, line, name) of each identity, sorted.
fn identities(
    unit: &Unit,
    sources: &SourceMap,
) -> Vec<(IdentityKind, String, usize, Option<String>)> {
    let mut out: Vec<_> = unit
        .identities
        .iter()
        .map(|i| {
            (
                i.kind,
                i.address.clone(),
                line(sources, i.span),
                i.name.clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// (user, group, line) of each membership, sorted.
fn memberships(unit: &Unit, sources: &SourceMap) -> Vec<(String, String, usize)> {
    let mut out: Vec<_> = unit
        .memberships
        .iter()
        .map(|m| (m.user.clone(), m.group.clone(), line(sources, m.span)))
        .collect();
    out.sort();
    out
}

/// (principal, policy, reason, line) of each opaque policy, sorted.
fn opaque(unit: &Unit, sources: &SourceMap) -> Vec<(String, String, String, usize)> {
    let mut out: Vec<_> = unit
        .opaque_policies
        .iter()
        .map(|o| {
            (
                o.principal.clone(),
                o.policy.clone(),
                o.reason.clone(),
                line(sources, o.span),
            )
        })
        .collect();
    out.sort();
    out
}

/// (principal, policy) of each attachment, sorted.
fn attachments(unit: &Unit) -> Vec<(String, String)> {
    let mut out: Vec<_> = unit
        .attachments
        .iter()
        .map(|a| (a.principal.clone(), a.policy.clone()))
        .collect();
    out.sort();
    out
}

fn s(v: &str) -> String {
    v.to_string()
}

#[test]
fn dump() {
    let (unit, sources) = terraform_unit("testdata/principals-tf");
    eprintln!("{:#?}", identities(&unit, &sources));
    eprintln!("{:#?}", memberships(&unit, &sources));
    eprintln!("{:#?}", opaque(&unit, &sources));
    eprintln!("{:#?}", attachments(&unit));
    let _ = (template_unit, plan_unit, s, Path::new("."));
}

#[test]
fn dump_cfn() {
    let (unit, sources) = template_unit("testdata/principals-cfn/template.yaml");
    eprintln!("{:#?}", identities(&unit, &sources));
    eprintln!("{:#?}", memberships(&unit, &sources));
    eprintln!("{:#?}", opaque(&unit, &sources));
    eprintln!("{:#?}", attachments(&unit));
}

#[test]
fn dump_plan() {
    let (unit, sources) = plan_unit("testdata/principals-plan/plan.json");
    eprintln!("{:#?}", identities(&unit, &sources));
    eprintln!("{:#?}", memberships(&unit, &sources));
    eprintln!("{:#?}", opaque(&unit, &sources));
    eprintln!("{:#?}", attachments(&unit));
}
