//! Panic isolation: a bug met while handling one unit (a Terraform root, a template, a plan, a rule)
//! becomes an `errors` entry for that unit, and every other unit is still reported.
//!
//! passrole runs on pull requests from strangers; a panic on one crafted file must not cost the
//! whole report (which would also hide every finding of the honest files beside it).
//!
//! The default panic hook prints the message on stderr. Inside [`isolate`] that print is redundant
//! (the message is in the report), so a hook installed once stays silent for panics raised on a
//! thread while it runs an isolated closure and records where the panic happened; every other panic
//! goes to the previous hook unchanged.
//!
//! Fuzzing must see every panic: libFuzzer's hook aborts the process on one, and a fuzz build
//! (`cargo fuzz` sets `--cfg fuzzing`) does not isolate at all. When panics abort
//! (`-Cpanic=abort`), nothing can be caught either, so the hook never silences anything there.

use crate::source::{ErrorKind, InputError};
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// How many isolated closures this thread is running (they nest: a rule run inside a unit).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// Where the last silenced panic of this thread happened (`file:line:column`).
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

fn install_hook() {
    if cfg!(panic = "abort") {
        return;
    }
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) > 0 {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LOCATION.with(|l| *l.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic in it becomes an error of kind `internal` on `file`, whose message reads
/// "internal error while `what`: <panic message>; please report it".
///
/// `f` is run as if it were unwind safe: on a panic its partial results are dropped and whatever
/// it had borrowed mutably is only ever appended to (errors, the source map), never left half
/// rewritten in a way the rest of the scan reads.
pub fn isolate<T>(file: &str, what: &str, f: impl FnOnce() -> T) -> Result<T, InputError> {
    if cfg!(fuzzing) {
        return Ok(f());
    }
    install_hook();
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        let at = LOCATION
            .with(|l| l.borrow_mut().take())
            .map(|l| format!(" (at {l})"))
            .unwrap_or_default();
        InputError {
            file: file.to_string(),
            kind: ErrorKind::Internal,
            message: format!("internal error while {what}: {message}{at}; please report it"),
            position: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn a_panic_becomes_an_error_and_the_others_still_run() {
        let results: Vec<Result<u32, InputError>> = (0..8u32)
            .into_par_iter()
            .map(|i| {
                isolate(&format!("unit{i}"), &format!("lowering unit{i}"), || {
                    if i == 3 {
                        panic!("boom {i}");
                    }
                    i * 2
                })
            })
            .collect();
        for (i, r) in results.iter().enumerate() {
            if i == 3 {
                let e = r.as_ref().unwrap_err();
                assert_eq!(e.kind, ErrorKind::Internal);
                assert_eq!(e.file, "unit3");
                assert!(
                    e.message
                        .starts_with("internal error while lowering unit3: boom 3 (at src/"),
                    "{}",
                    e.message
                );
                assert!(e.message.ends_with("; please report it"), "{}", e.message);
            } else {
                assert_eq!(r.as_ref().ok(), Some(&(i as u32 * 2)));
            }
        }
        // Not inside `isolate` any more: the counter is back to zero.
        assert_eq!(DEPTH.with(Cell::get), 0);
    }

    #[test]
    fn a_str_payload_is_kept() {
        let e = isolate("f", "parsing f", || -> () {
            std::panic::panic_any("plain")
        })
        .unwrap_err();
        assert!(e.message.contains(": plain"), "{}", e.message);
    }
}
