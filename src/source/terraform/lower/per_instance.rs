//! Roles and instance profiles made by a block with `count`/`for_each`: one per instance, and a
//! reference `aws_iam_role.svc["api"]` (or `[each.value.role]`, evaluated per passing instance)
//! linked to the instance it names.

use super::*;
use crate::source::terraform::eval::{InstanceKey, ResourceInstance};
use hcl_edit::expr::{Expression, Traversal};

/// The roles (or instance profiles) one block was lowered to: their indexes in the unit.
pub(super) struct Lowered {
    /// By instance key; one entry without a key when the block has no instances to tell apart.
    instances: Vec<(Option<InstanceKey>, usize)>,
    /// Whether every instance would be checked alike (see [`trust_signature`]): a reference
    /// whose key cannot be known then names a role whose checks do not depend on which it is.
    alike: bool,
}

impl Lowered {
    pub(super) fn new(instances: Vec<(Option<InstanceKey>, usize)>, alike: bool) -> Lowered {
        Lowered { instances, alike }
    }

    /// The one resource of a block without instances to tell apart.
    pub(super) fn only(&self) -> Option<usize> {
        match self.instances.as_slice() {
            [(_, index)] => Some(*index),
            _ => None,
        }
    }
}

/// What the checks of a passed role read from its trust policy (the principals its Allow statements
/// trust, or why they cannot be read), without spans and statement ids: instances with equal
/// signatures are checked alike.
pub(super) fn trust_signature(trust: &PolicyValue) -> String {
    use crate::iam::policy::Effect;
    match trust {
        PolicyValue::Known(doc) => {
            let unknown: Vec<&String> = doc.unknown_statements.iter().map(|(r, _)| r).collect();
            let trusted: Vec<_> = doc
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
                .filter_map(|s| s.principals.as_ref())
                .map(|p| {
                    let entries: Vec<_> = p.entries.iter().map(|e| (e.kind, &e.value)).collect();
                    (p.negated, &p.unknown, entries)
                })
                .collect();
            format!("{unknown:?} {trusted:?}")
        }
        PolicyValue::Unknown { reason, .. } | PolicyValue::Invalid { reason, .. } => {
            format!("unknown: {reason}")
        }
    }
}

/// Whether instance profiles are checked alike: they hold the same role, or roles of the scan
/// checked alike.
pub(super) fn profiles_alike<'p>(
    roles: &[Role],
    profiles: impl Iterator<Item = &'p InstanceProfile> + Clone,
) -> bool {
    let role = |p: &InstanceProfile| match p.role {
        RoleTarget::Role(i) => roles.get(i).map(|r| trust_signature(&r.trust)),
        _ => None,
    };
    all_equal(profiles.clone().map(|p| &p.role))
        || (profiles.clone().all(|p| role(p).is_some()) && all_equal(profiles.map(role)))
}

/// Whether values are all equal (true for none or one).
pub(super) fn all_equal<T: PartialEq>(mut values: impl Iterator<Item = T>) -> bool {
    match values.next() {
        Some(first) => values.all(|v| v == first),
        None => true,
    }
}

impl<'a> Lowering<'_, 'a> {
    /// The resources a block makes, each lowered by `lower` with its `each`/`count` bound, and
    /// their indexes once pushed by the caller.
    pub(super) fn lower_instances<T>(
        &self,
        inst: usize,
        ty: &str,
        name: &str,
        block: Located<'a, Block>,
        mut lower: impl FnMut(&Self, String, Ctx) -> T,
    ) -> Vec<(Option<InstanceKey>, T)> {
        let ctx = Ctx {
            inst,
            file: block.file,
        };
        let address = self.address(inst, ty, name);
        self.tree
            .resource_instances(ctx, block.item, &address)
            .into_iter()
            .map(|i: ResourceInstance| {
                let shown = match &i.key {
                    Some(k) => format!("{address}{k}"),
                    None => address.clone(),
                };
                let lowered = self.tree.within(&i, || lower(self, shown, ctx));
                (i.key, lowered)
            })
            .collect()
    }

    /// The targets of a reference whose key is evaluated once per instance of the `for_each` it is
    /// evaluated with, when every key is known (else None).
    fn per_call_instance(
        &self,
        ctx: Ctx,
        t: &Traversal,
        lowered: &Lowered,
        shown: &str,
        make: fn(usize) -> RoleTarget,
        each: Option<(Ctx, &'a Expression)>,
    ) -> Option<Vec<RoleTarget>> {
        let (ectx, for_each) = each?;
        // Already bound (a passing resource's own for_each): its key was evaluated with it.
        if self.tree.is_bound("each", ectx.inst) {
            return None;
        }
        let instances = self
            .tree
            .for_each_instances(ectx, for_each, "the module call");
        let mut out = Vec::with_capacity(instances.len());
        for instance in instances.iter().filter(|i| i.key.is_some()) {
            let op = t.operators.get(1).map(|op| op.value());
            let key = self
                .tree
                .within(instance, || self.tree.instance_key(ctx, op, shown))
                .ok()?;
            let (_, i) = lowered
                .instances
                .iter()
                .find(|(k, _)| k.as_ref().is_some_and(|k| k.name == key))?;
            if !out.contains(&make(*i)) {
                out.push(make(*i));
            }
        }
        (!out.is_empty() && instances.iter().all(|i| i.key.is_some())).then_some(out)
    }

    /// The targets a reference to a lowered block names (`make` turns an index into the target):
    /// the instance its key names; when the key cannot be known, every instance if they are
    /// checked alike, else an unresolved target that says why.
    ///
    /// `each` is the `for_each` the expression is evaluated with when it is not bound already: a
    /// module call's, whose instances are evaluated as one (`role_arn = aws_iam_role.r[each.key].arn`
    /// in a `module` block names one role per call instance).
    pub(super) fn instance_targets(
        &self,
        ctx: Ctx,
        t: &Traversal,
        lowered: &Lowered,
        shown: &str,
        make: fn(usize) -> RoleTarget,
        each: Option<(Ctx, &'a Expression)>,
    ) -> Vec<RoleTarget> {
        if let [(None, i)] = lowered.instances.as_slice() {
            return vec![make(*i)];
        }
        if let Some(targets) = self.per_call_instance(ctx, t, lowered, shown, make, each) {
            return targets;
        }
        let keys = || {
            lowered
                .instances
                .iter()
                .filter_map(|(k, _)| k.as_ref().map(ToString::to_string))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self
            .tree
            .instance_key(ctx, t.operators.get(1).map(|op| op.value()), shown)
        {
            Ok(key) => match lowered
                .instances
                .iter()
                .find(|(k, _)| k.as_ref().is_some_and(|k| k.name == key))
            {
                Some((_, i)) => vec![make(*i)],
                None => vec![RoleTarget::Unresolved(format!(
                    "{shown} has no instance with the key \"{key}\" (its instances: {})",
                    keys()
                ))],
            },
            // Terraform passes one of them; which one does not change what is checked.
            Err(_) if lowered.alike => lowered.instances.iter().map(|(_, i)| make(*i)).collect(),
            Err(reason) => vec![RoleTarget::Unresolved(format!(
                "{reason}; the instances of {shown} ({}) trust different principals, so which \
                 one is passed cannot be known",
                keys()
            ))],
        }
    }
}
