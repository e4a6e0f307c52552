//! The work budget of one unit's evaluation, and the memo behind it.
//!
//! A pull request can hold Terraform written to make a naive evaluator do exponential work: locals
//! that double a list forty times, conditionals whose two branches refer to the same previous level
//! (both branches are evaluated), reference cycles, module trees where every level calls the next
//! twice. Three things keep the evaluation of a unit bounded, whatever its input:
//! - each reference (`local.x`, `var.x`, `module.m.o`, a policy document data source) is evaluated
//!   once per module instance and `dynamic` binding, and its value reused ([`Tree::memoized`]); a
//!   reference reached again while it is being evaluated is a cycle, which Terraform rejects;
//! - every value built counts against a budget per unit ([`MAX_NODES`]), a reused value by its size
//!   each time it is reused, so that doubling is cut after about twenty levels; past the budget
//!   every evaluation is unknown at once, and one `limit` error names the unit;
//! - evaluations nested in each other are bounded ([`MAX_NESTING`]) whatever path they take, so
//!   that the stack cannot overflow.

use super::{MAX_DEPTH, Tree, unknown};
use crate::source::{ErrorKind, InputError, display_path};
use crate::value::{Node, NodeKind, Span, Text};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

/// Values (nodes) one unit may build, counting a reused value by its size each time. The units of
/// the real module trees in `notes/terraform-real-world.md` (terraform-aws-modules eks, lambda, iam)
/// spend at most 11,719; a million is 85 times that, and small enough that a unit written to spend
/// it all is cut in under a second in a debug build, holding at most about 100 MB.
pub const MAX_NODES: u64 = 1_000_000;

/// Module instances of one unit. The real trees above have at most 30 (every `module` block reached
/// is one instance; calls with identical arguments share one); two thousand is far past that, and
/// small enough that lowering every instance's resources stays fast.
pub const MAX_INSTANCES: usize = 2_000;

/// Evaluations running inside each other (references, nested expressions, policy documents,
/// conditions). Reference chains are already cut at [`MAX_DEPTH`], but some evaluations start
/// afresh (a `count`, a `dynamic` block's `for_each`, a statement's attributes): this bounds the
/// stack on every path. Measured in a debug build: a policy document that refers to itself through
/// its `dynamic` statements (the deepest path per nested evaluation) reaches this bound within
/// 256 KB of stack; scan threads have 2 MB.
pub const MAX_NESTING: usize = 200;

/// Text counts as one node per this many bytes, so that a string doubled by templates
/// (`"${local.a}${local.a}"`) spends the budget as a list doubled by `concat` does.
const BYTES_PER_NODE: usize = 64;

/// The reason of a value not evaluated because the budget is spent.
pub const BUDGET_REASON: &str = "the unit's evaluation budget is exhausted (see the `limit` error): this value is not evaluated";

/// What a memoised evaluation computes for an expression: its value, the policy it holds, a policy
/// document data source, or its value as a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Memo {
    Value,
    Policy,
    Document,
    Condition,
}

/// A memoised evaluation: what, in which module instance, of which expression or block (its
/// address in the workspace, which outlives the tree), under which `dynamic` binding frame (an
/// iterator such as `statement.value` can change what an expression evaluates to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    what: Memo,
    inst: usize,
    at: usize,
    frame: u64,
}

enum Slot {
    /// Being evaluated: reaching it again is a cycle.
    Busy,
    Node {
        node: Node,
        size: u64,
        height: usize,
        /// Whether evaluating it reported the value invalid (see [`Tree::error_mark`]).
        invalid: bool,
    },
    Bool(Option<bool>),
}

/// The budget, memo and nesting count of one tree.
#[derive(Default)]
pub struct Work {
    spent: Cell<u64>,
    exhausted: Cell<bool>,
    nesting: Cell<usize>,
    memo: RefCell<HashMap<Key, Slot>>,
    /// Ids of the `dynamic` bindings in force, innermost last (ids are never reused).
    frames: RefCell<Vec<u64>>,
    next_frame: Cell<u64>,
    /// Counts the errors that make a value invalid, and reuses of values whose evaluation did.
    invalid_marks: Cell<u64>,
    /// Where a cut module call was reported, so that each is reported once.
    reported: RefCell<HashSet<Span>>,
    /// The references whose cycle was reported (instance, address), so that each is reported once.
    cycles: RefCell<HashSet<(usize, usize)>>,
    /// The limits reached and reported once per unit (`deep`, `instances`).
    reached: RefCell<HashSet<&'static str>>,
}

/// One evaluation counted in [`Work::nesting`] until dropped.
pub struct Nested<'w>(&'w Cell<usize>);

impl Drop for Nested<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// The size of a value in budget units and its height.
pub fn measure(node: &Node) -> (u64, usize) {
    let text = |t: &Text| -> u64 {
        t.parts
            .iter()
            .map(|p| {
                let s = match p {
                    crate::value::TextPart::Lit(s) | crate::value::TextPart::Unknown(s) => s,
                };
                1 + (s.len() / BYTES_PER_NODE) as u64
            })
            .sum()
    };
    match &node.kind {
        NodeKind::Null | NodeKind::Bool(_) => (1, 1),
        NodeKind::Number(s) | NodeKind::Unknown(s) => (1 + (s.len() / BYTES_PER_NODE) as u64, 1),
        NodeKind::Str(t) => (1 + text(t), 1),
        NodeKind::List(items) => items.iter().fold((1, 1), |(size, height), n| {
            let (s, h) = measure(n);
            (size.saturating_add(s), height.max(h + 1))
        }),
        NodeKind::Map(entries) => entries.iter().fold((1, 1), |(size, height), (k, n)| {
            let (s, h) = measure(n);
            let key = 1 + (k.name.len() / BYTES_PER_NODE) as u64;
            (
                size.saturating_add(s).saturating_add(key),
                height.max(h + 1),
            )
        }),
    }
}

impl Tree<'_> {
    /// Spends `n` units of the budget for work at `span`. False once the budget is exhausted: the
    /// first time, the unit's one `limit` error is recorded at `span`.
    pub fn spend(&self, n: u64, span: Span) -> bool {
        let work = &self.work;
        if work.exhausted.get() {
            return false;
        }
        let spent = work.spent.get().saturating_add(n);
        if spent <= MAX_NODES {
            work.spent.set(spent);
            return true;
        }
        work.exhausted.set(true);
        let e = InputError::at(
            self.sources,
            span,
            ErrorKind::Limit,
            format!(
                "the evaluation budget of the unit {} is exhausted here ({MAX_NODES} values built): \
                 this and every value evaluated after it in the unit are unknown",
                display_path(&self.root)
            ),
        );
        self.errors.borrow_mut().push(e);
        false
    }

    /// Whether the budget is spent: every evaluation is then unknown at once.
    pub fn exhausted(&self) -> bool {
        self.work.exhausted.get()
    }

    /// Budget units spent so far (for tests).
    #[cfg(test)]
    pub fn spent(&self) -> u64 {
        self.work.spent.get()
    }

    /// Counts one more evaluation nested in the running ones; None past [`MAX_NESTING`].
    pub fn nest(&self) -> Option<Nested<'_>> {
        let n = self.work.nesting.get();
        if n >= MAX_NESTING {
            return None;
        }
        self.work.nesting.set(n + 1);
        Some(Nested(&self.work.nesting))
    }

    /// The binding frame in force (0 outside `dynamic` blocks).
    pub fn frame(&self) -> u64 {
        self.work.frames.borrow().last().copied().unwrap_or(0)
    }

    /// Enters a new binding frame; [`Tree::pop_frame`] leaves it.
    pub(super) fn push_frame(&self) {
        let id = self.work.next_frame.get() + 1;
        self.work.next_frame.set(id);
        self.work.frames.borrow_mut().push(id);
    }

    pub(super) fn pop_frame(&self) {
        self.work.frames.borrow_mut().pop();
    }

    /// A mark that moves when a value is found invalid (an error of kind `parse` about a policy),
    /// also when such a value is reused from the memo: compare marks before and after reading a
    /// value to know whether it is invalid.
    pub fn error_mark(&self) -> u64 {
        self.work.invalid_marks.get()
    }

    pub(super) fn mark_invalid(&self) {
        self.work
            .invalid_marks
            .set(self.work.invalid_marks.get() + 1);
    }

    /// Drops every memoised value: after the module tree is built, since values evaluated while
    /// instances were still being added may have missed a module that was not there yet.
    pub(super) fn forget(&self) {
        self.work.memo.borrow_mut().clear();
    }

    /// Records a `limit` error at `span` the first time the limit `which` is reached in the unit.
    pub(super) fn limit_once_in_unit(&self, which: &'static str, span: Span, message: String) {
        if self.work.reached.borrow_mut().insert(which) {
            let e = InputError::at(self.sources, span, ErrorKind::Limit, message);
            self.errors.borrow_mut().push(e);
        }
    }

    /// Records a `limit` error at `span`, once per span.
    pub(super) fn limit_once(&self, span: Span, message: String) {
        if self.work.reported.borrow_mut().insert(span) {
            let e = InputError::at(self.sources, span, ErrorKind::Limit, message);
            self.errors.borrow_mut().push(e);
        }
    }

    /// A cycle through the reference `shown` (`local.a`) reached again at `span`: reported once
    /// per reference; the reason of the unknown value.
    pub fn cycle(&self, shown: &str, span: Span, inst: usize, at: usize) -> String {
        let reason = format!("{shown} refers to itself (a cycle)");
        if self.work.cycles.borrow_mut().insert((inst, at)) {
            let e = InputError::at(
                self.sources,
                span,
                ErrorKind::Limit,
                format!(
                    "{reason}: Terraform rejects this configuration; the values that depend on it \
                     are unknown"
                ),
            );
            self.errors.borrow_mut().push(e);
        }
        reason
    }

    /// A value cut because references or evaluations nest deeper than a bound ([`MAX_DEPTH`],
    /// [`MAX_NESTING`], lowering's bound on role references): unknown, and the first one in the
    /// unit is reported.
    pub fn too_deep(&self, span: Span) -> Node {
        self.limit_once_in_unit(
            "deep",
            span,
            format!(
                "the unit {} nests references or expressions too deeply here (a chain of \
                 references, generated code or a cycle): values at the end of the chain are unknown",
                display_path(&self.root)
            ),
        );
        unknown("a reference chain that is too deep (a cycle?)", span)
    }

    /// The value `eval` computes for `(what, inst, at)` in the current binding frame, computed once:
    /// a reuse spends the value's size, a reuse `depth` levels down a reference chain whose value is
    /// deeper than [`MAX_DEPTH`] allows is cut as before, and reaching the evaluation from inside
    /// itself is a cycle. `shown` names the reference for the cycle's message.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn memoized(
        &self,
        what: Memo,
        inst: usize,
        at: usize,
        depth: usize,
        span: Span,
        shown: &dyn Fn() -> String,
        eval: impl FnOnce() -> Node,
    ) -> Node {
        if self.exhausted() {
            return unknown(BUDGET_REASON, span);
        }
        let key = Key {
            what,
            inst,
            at,
            frame: self.frame(),
        };
        let seen = match self.work.memo.borrow().get(&key) {
            None | Some(Slot::Bool(_)) => None,
            Some(Slot::Busy) => Some(None),
            Some(Slot::Node {
                size,
                height,
                invalid,
                ..
            }) => Some(Some((*size, *height, *invalid))),
        };
        match seen {
            Some(None) => return unknown(self.cycle(&shown(), span, inst, at), span),
            Some(Some((size, height, invalid))) => {
                if depth + height > MAX_DEPTH {
                    return self.too_deep(span);
                }
                if !self.spend(size, span) {
                    return unknown(BUDGET_REASON, span);
                }
                if invalid {
                    self.mark_invalid();
                }
                return match self.work.memo.borrow().get(&key) {
                    Some(Slot::Node { node, .. }) => node.clone(),
                    _ => unknown(BUDGET_REASON, span),
                };
            }
            None => {}
        }
        self.work.memo.borrow_mut().insert(key, Slot::Busy);
        let mark = self.error_mark();
        let node = eval();
        let (size, height) = measure(&node);
        // Keeping a copy is building the value again: paid for, so that values nested in values
        // (a policy document that refers to itself through `dynamic` blocks) cannot be copied at
        // every level for free.
        if !self.spend(size, span) {
            self.work.memo.borrow_mut().remove(&key);
            return node;
        }
        let slot = Slot::Node {
            node: node.clone(),
            size,
            height,
            invalid: self.error_mark() > mark,
        };
        self.work.memo.borrow_mut().insert(key, slot);
        node
    }

    /// Like [`Tree::memoized`] for a condition: a cycle is a condition that cannot be known.
    pub(super) fn memoized_condition(
        &self,
        inst: usize,
        at: usize,
        span: Span,
        shown: &dyn Fn() -> String,
        eval: impl FnOnce() -> Option<bool>,
    ) -> Option<bool> {
        if self.exhausted() {
            return None;
        }
        let key = Key {
            what: Memo::Condition,
            inst,
            at,
            frame: self.frame(),
        };
        match self.work.memo.borrow().get(&key) {
            Some(Slot::Bool(b)) => return *b,
            Some(Slot::Busy) => {
                self.cycle(&shown(), span, inst, at);
                return None;
            }
            _ => {}
        }
        self.work.memo.borrow_mut().insert(key, Slot::Busy);
        let b = eval();
        self.work.memo.borrow_mut().insert(key, Slot::Bool(b));
        b
    }
}

/// The address of an expression or block of the workspace, as a memo key.
pub fn address<T>(item: &T) -> usize {
    item as *const T as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates `local.probe` in a module made of `text`: the value, the budget spent, the errors.
    fn probe(text: &str) -> (Node, u64, Vec<InputError>) {
        super::super::with_probe(text, |tree, ctx, probe| {
            let node = tree.eval(ctx, probe);
            (node, tree.spent(), tree.errors.take())
        })
    }

    /// Locals `a0` … `aN` where each level is `f(local.a(i-1))`.
    fn levels(n: usize, f: &str) -> String {
        let mut text = String::from("locals {\n  a0 = [\"x\"]\n");
        for i in 1..=n {
            let prev = format!("local.a{}", i - 1);
            text.push_str(&format!("  a{i} = {}\n", f.replace("PREV", &prev)));
        }
        text.push_str(&format!("  probe = local.a{n}\n}}\n"));
        text
    }

    #[test]
    fn a_value_reused_is_evaluated_once_and_paid_for_by_its_size() {
        // Ten levels of doubling: 1024 elements, each level evaluated once.
        let (node, spent, errors) = probe(&levels(10, "concat(PREV, PREV)"));
        let NodeKind::List(items) = node.kind else {
            panic!("a list");
        };
        assert_eq!(items.len(), 1024);
        assert!(errors.is_empty());
        // About twice the final size (each level pays for its reused half), far from exponential
        // work in the number of references.
        assert!((2048..10_000).contains(&spent), "{spent}");
    }

    #[test]
    fn doubling_past_the_budget_is_cut_with_one_limit_error() {
        let (node, spent, errors) = probe(&levels(
            16,
            "concat(PREV, PREV, PREV, PREV, PREV, PREV, PREV, PREV)",
        ));
        assert!(
            matches!(&node.kind, NodeKind::Unknown(r) if r == BUDGET_REASON),
            "{node:?}"
        );
        assert!(spent <= MAX_NODES);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].kind, ErrorKind::Limit);
        assert!(
            errors[0].message.contains("the unit m"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn a_cycle_is_unknown_and_reported_once() {
        let (node, _, errors) =
            probe("locals {\n  a = [local.b, local.b]\n  b = [local.a]\n  probe = local.a\n}\n");
        let text = format!("{node:?}");
        assert!(
            text.contains("local.a refers to itself (a cycle)"),
            "{text}"
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].kind, ErrorKind::Limit);
    }
}
