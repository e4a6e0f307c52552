//! The instances of one resource block with `count` or `for_each`. Terraform makes a resource of
//! each (`aws_iam_role.svc["api"]`, `aws_iam_role.svc[0]`), with its own `each.key`/`each.value`
//! or `count.index`: a role whose trust policy names `"${each.value}.amazonaws.com"` is one role per
//! service, each with a trust policy that can be read, not one role whose trust cannot.

use super::*;

/// Instances of one block lowered one by one. Real configurations make a handful of roles per
/// block (one per service, environment or shard). Each instance evaluates the block again under its
/// own binding (nothing memoised under one binding is reused under another), so the work grows with
/// the number of instances: past this bound the block is one merged resource, as when its
/// collection cannot be known, and what differs per instance is unknown with the reason.
pub const MAX_RESOURCE_INSTANCES: usize = 64;

/// The key of one instance as its address shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceKey {
    /// `api` (a `for_each` key) or `0` (a `count` index).
    pub name: String,
    /// Written `["api"]` (for_each) rather than `[0]` (count).
    pub quoted: bool,
}

impl std::fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.quoted {
            write!(f, "[{:?}]", self.name)
        } else {
            write!(f, "[{}]", self.name)
        }
    }
}

/// What `each` or `count` stands for while one instance is evaluated.
#[derive(Clone, Debug)]
pub struct Binding {
    iterator: &'static str,
    /// The module instance of the resource.
    inst: usize,
    key: Node,
    value: Node,
}

/// One resource made from a block: an instance with its key, or the whole block when it has no
/// `count`/`for_each` (no key, nothing bound) or its instances cannot be told apart (no key,
/// `each`/`count` bound to unknown values that say why).
#[derive(Clone, Debug)]
pub struct ResourceInstance {
    pub key: Option<InstanceKey>,
    binding: Option<Binding>,
}

impl<'a> Tree<'a> {
    /// The resources a block makes (`shown` is its address, for reasons). A collection known to be
    /// empty makes none.
    pub fn resource_instances(
        &self,
        ctx: Ctx,
        block: &Block,
        shown: &str,
    ) -> Vec<ResourceInstance> {
        if let Some(count) = block.body.get_attribute("count") {
            return self.count_instances(ctx, &count.value, shown);
        }
        match block.body.get_attribute("for_each") {
            Some(for_each) => self.for_each_instances(ctx, &for_each.value, shown),
            None => vec![ResourceInstance {
                key: None,
                binding: None,
            }],
        }
    }

    fn count_instances(&self, ctx: Ctx, count: &Expression, shown: &str) -> Vec<ResourceInstance> {
        let span = self.span(ctx.file, count.span());
        let merged = |why: &str| merged("count", ctx.inst, span, shown, why);
        match self.collection(ctx, count, 0).kind {
            NodeKind::Number(n) => match n.trim().parse::<usize>() {
                Ok(n) if n > MAX_RESOURCE_INSTANCES => merged(&too_many()),
                Ok(n) => (0..n)
                    .map(|i| {
                        let index = Node::new(NodeKind::Number(i.to_string()), span);
                        let key = InstanceKey {
                            name: i.to_string(),
                            quoted: false,
                        };
                        instance(key, ctx.inst, "count", index.clone(), index)
                    })
                    .collect(),
                Err(_) => merged("its count is not a whole number"),
            },
            NodeKind::Unknown(reason) => merged(&format!(
                "its count cannot be evaluated statically: {reason}"
            )),
            _ => merged("its count is not a number"),
        }
    }

    /// The instances a `for_each` collection makes (of a resource, or of a module call).
    pub fn for_each_instances(
        &self,
        ctx: Ctx,
        for_each: &Expression,
        shown: &str,
    ) -> Vec<ResourceInstance> {
        let span = self.span(ctx.file, for_each.span());
        let merged = |why: &str| merged("each", ctx.inst, span, shown, why);
        let elements: Vec<(String, Node)> = match self.collection(ctx, for_each, 0).kind {
            NodeKind::Map(entries) => entries.into_iter().map(|(k, v)| (k.name, v)).collect(),
            // A set of strings: each element is its own key.
            NodeKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_text().and_then(Text::as_literal) {
                        Some(s) => out.push((s, item)),
                        None => {
                            return merged(
                                "an element of its for_each set cannot be evaluated statically",
                            );
                        }
                    }
                }
                out
            }
            NodeKind::Unknown(reason) => {
                return merged(&format!(
                    "its for_each cannot be evaluated statically: {reason}"
                ));
            }
            _ => return merged("its for_each is not a map or a set"),
        };
        if elements.len() > MAX_RESOURCE_INSTANCES {
            return merged(&too_many());
        }
        elements
            .into_iter()
            .map(|(name, value)| {
                let key = Node::str(name.clone(), value.span);
                instance(
                    InstanceKey { name, quoted: true },
                    ctx.inst,
                    "each",
                    key,
                    value,
                )
            })
            .collect()
    }

    /// Runs `f` with the instance's `each`/`count` bound, to lower the resource's own attributes.
    ///
    /// Values memoised meanwhile are shared with the other instances: what is memoised is what a
    /// reference stands for (a local, a variable, a module output, a data source), and Terraform
    /// lets none of them use the resource's `each`/`count`; evaluating them again per instance would
    /// multiply the unit's work by the number of instances. A data source or role read through a
    /// reference with a key has a frame of its own (see [`Tree::in_instance_of`]).
    pub fn within<T>(&self, instance: &ResourceInstance, f: impl FnOnce() -> T) -> T {
        self.bound_instance(instance, false, f)
    }

    fn bound_instance<T>(
        &self,
        instance: &ResourceInstance,
        own_frame: bool,
        f: impl FnOnce() -> T,
    ) -> T {
        match &instance.binding {
            Some(b) => self.bound(
                super::conditions::Bound {
                    name: b.iterator.to_string(),
                    inst: Some(b.inst),
                    key: b.key.clone(),
                    value: b.value.clone(),
                },
                own_frame,
                f,
            ),
            None => f(),
        }
    }
}

impl Tree<'_> {
    /// The key an index operator names (`["api"]`, `[each.key]`, `.0`) in a reference to the
    /// resource `shown`, or why it cannot be known.
    pub fn instance_key(
        &self,
        ctx: Ctx,
        op: Option<&TraversalOperator>,
        shown: &str,
    ) -> Result<String, String> {
        match op {
            Some(TraversalOperator::LegacyIndex(i)) => Ok(i.value().to_string()),
            Some(TraversalOperator::Index(expr)) => {
                let written = self.sources.snippet(self.span(ctx.file, expr.span()));
                match self.eval(ctx, expr).kind {
                    NodeKind::Number(n) => Ok(n.trim().to_string()),
                    NodeKind::Str(text) => text.as_literal().ok_or_else(|| {
                        format!("the instance key `{written}` cannot be evaluated statically")
                    }),
                    NodeKind::Unknown(reason) => Err(format!(
                        "the instance key `{written}` cannot be evaluated statically: {reason}"
                    )),
                    _ => Err(format!(
                        "the instance key `{written}` is not a string or a number"
                    )),
                }
            }
            Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)) => {
                Err(format!("{shown}[*] names every instance"))
            }
            _ => Err(format!("{shown} is referenced without an instance key")),
        }
    }

    /// Runs `f` without the `each`/`count` of the resource being lowered: a data source read from
    /// it has instances of its own.
    pub(super) fn outside_resources<T>(&self, f: impl FnOnce() -> T) -> T {
        let all = self.bindings.take();
        let (resources, iterators): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|b| b.inst.is_some());
        let outer = iterators.len();
        *self.bindings.borrow_mut() = iterators;
        let out = f();
        // `f` leaves the stack as it found it; the resource bindings were outermost.
        let mut iterators = self.bindings.take();
        iterators.truncate(outer);
        let mut all = resources;
        all.extend(iterators);
        *self.bindings.borrow_mut() = all;
        out
    }

    /// Runs `f`, which reads the resource or data source `block` (`shown`) through a reference
    /// (`data.aws_iam_policy_document.NAME[KEY].json`, `aws_iam_role.NAME[KEY].arn`), with the
    /// block's own `count`/`for_each` bound to the instance `KEY` names (`key`, the operator after
    /// NAME); without a key that can be known, the block as one (what differs per instance is
    /// unknown). The `each`/`count` of the resource being lowered never leak into it.
    pub(super) fn in_instance_of<T>(
        &self,
        ctx: Ctx,
        block: Located<'_, Block>,
        key: Option<&hcl_edit::Decorated<TraversalOperator>>,
        shown: &str,
        f: impl FnOnce() -> T,
    ) -> T {
        let key = key.map(|op| op.value());
        let body = &block.item.body;
        let counted =
            body.get_attribute("count").is_some() || body.get_attribute("for_each").is_some();
        let instance = match counted.then(|| self.instance_key(ctx, key, shown)) {
            Some(Ok(k)) => {
                let own = Ctx {
                    inst: ctx.inst,
                    file: block.file,
                };
                self.resource_instances(own, block.item, shown)
                    .into_iter()
                    .find(|i| i.key.as_ref().is_some_and(|ik| ik.name == k))
            }
            _ => None,
        };
        self.outside_resources(|| match &instance {
            // The block's attributes are memoised (`aws_iam_role.NAME.name`): per instance.
            Some(i) => self.bound_instance(i, true, f),
            None => f(),
        })
    }
}

fn too_many() -> String {
    format!(
        "it has more than {MAX_RESOURCE_INSTANCES} instances, which are checked as one resource"
    )
}

/// The block as one resource whose `each`/`count` (`iterator`) is unknown, and why.
fn merged(
    iterator: &'static str,
    inst: usize,
    span: Span,
    shown: &str,
    why: &str,
) -> Vec<ResourceInstance> {
    let reason = |part: &str| unknown(format!("{iterator}.{part} of {shown}: {why}"), span);
    let (key, value) = match iterator {
        "count" => (reason("index"), reason("index")),
        _ => (reason("key"), reason("value")),
    };
    vec![ResourceInstance {
        key: None,
        binding: Some(Binding {
            iterator,
            inst,
            key,
            value,
        }),
    }]
}

fn instance(
    key_shown: InstanceKey,
    inst: usize,
    iterator: &'static str,
    key: Node,
    value: Node,
) -> ResourceInstance {
    ResourceInstance {
        key: Some(key_shown),
        binding: Some(Binding {
            iterator,
            inst,
            key,
            value,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of `resource "x" "probe"` in a module made of `text`, and its name per instance.
    fn instances_of(text: &str) -> Vec<(Option<String>, String)> {
        super::super::with_probe(
            &format!("{text}\nlocals {{ probe = null }}"),
            |tree, _, _| {
                let (_, _, block) = tree.def(0).resources[0];
                let ctx = Ctx {
                    inst: 0,
                    file: block.file,
                };
                let name = &block.item.body.get_attribute("name").expect("a name").value;
                tree.resource_instances(ctx, block.item, "x.probe")
                    .iter()
                    .map(|i| {
                        let shown = tree.within(i, || format!("{:?}", tree.eval(ctx, name).kind));
                        (i.key.as_ref().map(ToString::to_string), shown)
                    })
                    .collect()
            },
        )
    }

    #[test]
    fn a_known_for_each_or_count_makes_one_instance_per_key() {
        let got = instances_of(
            r#"resource "x" "probe" {
  for_each = { api = "lambda", jobs = "glue" }
  name     = "${each.key}-${each.value}"
}"#,
        );
        let keys: Vec<_> = got.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(
            keys,
            [Some(r#"["api"]"#.to_string()), Some(r#"["jobs"]"#.into())]
        );
        assert!(got[1].1.contains("jobs-glue"), "{got:?}");
        let got =
            instances_of("resource \"x\" \"probe\" {\n count = 2\n name = \"s${count.index}\"\n}");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].0.as_deref(), Some("[1]"));
        assert!(got[1].1.contains("s1"), "{got:?}");
    }

    #[test]
    fn an_unknown_or_too_large_collection_is_one_resource_with_the_reason() {
        let got = instances_of(
            "variable \"n\" {}\nresource \"x\" \"probe\" {\n count = var.n\n name = count.index\n}",
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, None);
        assert!(
            got[0]
                .1
                .contains("count.index of x.probe: its count cannot be evaluated"),
            "{got:?}"
        );
        let got = instances_of(&format!(
            "resource \"x\" \"probe\" {{\n count = {}\n name = count.index\n}}",
            MAX_RESOURCE_INSTANCES + 1
        ));
        assert_eq!(got.len(), 1);
        assert!(got[0].1.contains("more than 64 instances"), "{got:?}");
    }
}
