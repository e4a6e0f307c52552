//! Following the references of a plan's `configuration`: `var.x` to the argument of the module call,
//! `module.m.out` to the output's expression in the called module, until a role, an instance profile
//! or a policy document data source.
//!
//! The configuration is input: an output may reference three outputs of the next module, each of
//! which references three of the one after, so following every reference of every expression takes
//! 3^depth steps. Each (module, variable or output) is therefore resolved once and remembered, and
//! the whole plan has a work budget ([`MAX_REFERENCE_STEPS`]): once it is spent, what is left
//! unresolved is reported as such (PR005/PR016 notes) and one `limit` error names the plan.

use super::read::Expression;
use super::{Lower, ModulePath, Target, address_parts};
use crate::source::{ErrorKind, InputError};
use std::borrow::Cow;
use std::collections::HashMap;

/// Deeper chains of `var`/`module` references than this are cycles or generated code.
const MAX_REFERENCE_DEPTH: usize = 32;

/// References a plan's configuration may have followed, in all (each reference looked at counts one
/// step, remembered ones included). A real plan needs a few per pass or policy; this bounds a
/// hostile one to well under a second.
pub const MAX_REFERENCE_STEPS: usize = 1_000_000;

/// A variable or an output of one module instance path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Var(ModulePath, String),
    Output(ModulePath, String),
}

/// What each variable and output led to (`None` while it is being resolved: a cycle ends there),
/// and the steps taken.
#[derive(Debug, Default)]
pub(super) struct Resolved {
    memo: HashMap<Key, Option<Target>>,
    steps: usize,
    spent: bool,
}

impl Resolved {
    /// Whether the budget ran out (some references were not followed).
    pub(super) fn spent(&self) -> bool {
        self.spent
    }

    /// The error that names the plan whose budget ran out.
    pub(super) fn budget_error(&self, file: &str) -> Option<InputError> {
        self.spent.then(|| InputError {
            file: file.to_string(),
            kind: ErrorKind::Limit,
            message: format!(
                "following the references of the plan's configuration took more than \
                 {MAX_REFERENCE_STEPS} steps: the rest were not followed, and the roles and \
                 policies they lead to are reported as unresolved"
            ),
            position: None,
        })
    }

    /// Takes one step; false once the budget is spent.
    fn step(&mut self) -> bool {
        if self.steps >= MAX_REFERENCE_STEPS {
            self.spent = true;
            return false;
        }
        self.steps += 1;
        true
    }
}

impl<'a> Lower<'a> {
    /// What the references of an expression lead to, following `var.*` into the module call and
    /// `module.*.out` into the module's output.
    pub(super) fn resolve(
        &self,
        module: &ModulePath,
        references: &[Cow<str>],
        depth: usize,
    ) -> Option<Target> {
        if depth > MAX_REFERENCE_DEPTH {
            return None;
        }
        references.iter().find_map(|r| {
            if !self.refs.borrow_mut().step() {
                return None;
            }
            self.resolve_one(module, &address_parts(r), depth)
        })
    }

    fn resolve_one(&self, module: &ModulePath, parts: &[String], depth: usize) -> Option<Target> {
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let target = |data: bool, ty: &str, name: &str| Target {
            module: module.clone(),
            data,
            ty: ty.to_string(),
            name: name.to_string(),
        };
        match parts.as_slice() {
            [ty @ ("aws_iam_role" | "aws_iam_instance_profile"), name, ..] => {
                Some(target(false, ty, name))
            }
            ["data", ty @ "aws_iam_policy_document", name, ..] => Some(target(true, ty, name)),
            ["var", var, ..] => self.remembered(Key::Var(module.clone(), var.to_string()), || {
                let (call, parent) = module.split_last()?;
                let parent = parent.to_vec();
                let m = self.config_modules.get(&parent)?;
                let call = m.module_calls.as_ref()?.get(call.as_str())?;
                let (e, _) = self.expression_at(call.expressions, &[var], 0)?;
                self.resolve(&parent, e.references.as_deref()?, depth + 1)
            }),
            ["module", call, output, ..] => {
                let mut child = module.clone();
                child.push(call.to_string());
                self.remembered(Key::Output(child.clone(), output.to_string()), || {
                    let m = self.config_modules.get(&child)?;
                    let out = m.outputs.as_ref()?.get(*output)?;
                    let e: Expression = serde_json::from_str(out.expression?.get()).ok()?;
                    self.resolve(&child, e.references.as_deref()?, depth + 1)
                })
            }
            _ => None,
        }
    }

    /// The remembered result of `key`, or `resolve`'s, remembered. A key met again while it is
    /// being resolved (a cycle) leads nowhere. A result cut short by the budget is remembered like
    /// any other: once the budget is spent nothing new is followed anyway.
    fn remembered(&self, key: Key, resolve: impl FnOnce() -> Option<Target>) -> Option<Target> {
        if let Some(known) = self.refs.borrow().memo.get(&key) {
            return known.clone();
        }
        self.refs.borrow_mut().memo.insert(key.clone(), None);
        let found = resolve();
        self.refs.borrow_mut().memo.insert(key, found.clone());
        found
    }
}
