//! Times the phases of a plan scan and prints the peak RSS after each (Linux):
//! `cargo run --release --example plan_phases -- big.tfplan.json`.

use passrole::resolve::{self, catalog::Catalog};
use passrole::source::plan::lower_plan;
use passrole::source::{SourceFile, SourceMap};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Counts live heap bytes and their peak, to tell the phases' own memory from the allocator's.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwards to the system allocator with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwards to the system allocator with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn peak() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    format!(
        "{}  {}  heap live {} MB peak {} MB",
        field("VmHWM"),
        field("VmRSS"),
        LIVE.load(Ordering::Relaxed) >> 20,
        PEAK.load(Ordering::Relaxed) >> 20
    )
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "big.tfplan.json".into());
    let t = Instant::now();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    println!("read      {:>8.2?}  {}", t.elapsed(), peak());
    let mut sources = SourceMap::default();
    let id = sources.add(SourceFile::new(path.into(), text));
    println!("index     {:>8.2?}  {}", t.elapsed(), peak());
    let catalog = Catalog::builtin();
    if let Some(f) = sources.get(id) {
        let mut types: std::collections::HashSet<String> = catalog
            .terraform
            .iter()
            .map(|p| p.resource.clone())
            .collect();
        types.extend(
            [
                "aws_iam_role",
                "aws_iam_role_policy",
                "aws_iam_policy_document",
            ]
            .map(String::from),
        );
        let _keep = passrole::source::plan::read::KeepTypes::new(types);
        let parsed: Result<passrole::source::plan::read::PlanJson, _> =
            serde_json::from_str(&f.text);
        println!(
            "serde     {:>8.2?}  {}  ok {}",
            t.elapsed(),
            peak(),
            parsed.is_ok()
        );
    }
    let (unit, errors) = lower_plan(id, &sources, catalog, None);
    println!(
        "lower     {:>8.2?}  {}  errors {}",
        t.elapsed(),
        peak(),
        errors.len()
    );
    let mut units: Vec<_> = unit.into_iter().collect();
    resolve::link(&mut units);
    println!("link      {:>8.2?}  {}", t.elapsed(), peak());
    let facts = passrole::facts::build(&units, catalog);
    // As in the scan: the units are not needed after the facts.
    drop(units);
    println!("facts     {:>8.2?}  {}", t.elapsed(), peak());
    let rules = passrole::rules::builtin();
    let (failures, _) = passrole::rules::evaluate(&rules, &facts);
    println!(
        "rules     {:>8.2?}  {}  failures {}",
        t.elapsed(),
        peak(),
        failures.len()
    );
}
