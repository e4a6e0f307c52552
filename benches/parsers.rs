//! The floor: for each format, the bare parser passrole is built on, over the same bytes that passrole
//! scans end to end, beside passrole's end-to-end scan (issue 14's target: end to end at least half the
//! bare parser's throughput). Every group sets `Throughput::Bytes` to the bytes of the input files, so
//! criterion prints MB/s for both lines of a group and the ratio reads off directly.
//!
//! The bare parsers work on texts already in memory (the files are read once, before measuring);
//! passrole's line includes everything a `passrole scan` does: walking, reading, parsing, resolving,
//! the facts and the rules, and the findings (no report is printed).
//!
//! `cargo bench --bench parsers` (all groups), `cargo bench --bench parsers -- mixed` (one group).

mod corpus;

/// The allocator of the `passrole` binary (src/main.rs), so that both lines measure what runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
mod gen_plan;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use passrole::scan::{ScanOptions, scan};
use saphyr_parser::{Event, Parser};
use std::hint::black_box;
use std::path::{Path, PathBuf};

/// The input files below a corpus directory, read into memory, by format.
#[derive(Default)]
struct Inputs {
    terraform: Vec<String>,
    yaml: Vec<String>,
    bytes: u64,
}

impl Inputs {
    fn read(dir: &Path) -> Inputs {
        let mut inputs = Inputs::default();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("read corpus directory") {
                let path = entry.expect("directory entry").path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read corpus file");
                inputs.bytes += text.len() as u64;
                match path.extension().and_then(|e| e.to_str()) {
                    Some("tf") => inputs.terraform.push(text),
                    Some("yaml") => inputs.yaml.push(text),
                    _ => panic!("unexpected file in the corpus: {}", path.display()),
                }
            }
        }
        inputs
    }
}

/// `hcl_edit::parser::parse_body` over every text (what `source::terraform` calls per `.tf` file);
/// returns the number of top-level structures so that the work is used.
fn parse_terraform(texts: &[String]) -> usize {
    texts
        .iter()
        .map(|text| {
            hcl_edit::parser::parse_body(text)
                .expect("the generated Terraform parses")
                .len()
        })
        .sum()
}

/// Every event of the YAML event parser over every text (what `source::cloudformation::yaml` pulls,
/// without building its tree); returns the number of events.
fn parse_yaml(texts: &[String]) -> usize {
    let mut events = 0;
    for text in texts {
        let mut parser = Parser::new_from_str(text);
        while let Some(event) = parser.next_event() {
            let (event, _span) = event.expect("the generated YAML parses");
            events += 1;
            if event == Event::StreamEnd {
                break;
            }
        }
    }
    events
}

/// passrole end to end on `path`, as `passrole scan --no-config PATH` runs it; returns the number of
/// findings (every corpus here is made to have some, so a scan that silently does nothing fails).
fn scan_path(path: &Path) -> usize {
    let options = ScanOptions {
        paths: vec![path.to_path_buf()],
        ..Default::default()
    };
    let result = scan(&options);
    assert!(result.errors.is_empty(), "scan errors: {:?}", result.errors);
    assert!(!result.findings.is_empty(), "the corpus has findings");
    result.findings.len()
}

fn group<'a>(c: &'a mut Criterion, name: &str, bytes: u64) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group
}

fn bench_passrole(group: &mut BenchmarkGroup<'_, WallTime>, path: PathBuf) {
    group.bench_function("passrole scan", |b| b.iter(|| scan_path(black_box(&path))));
}

/// 50 module directories of 40 roles each (1.5 MB), as `benches/scan.rs` measures.
fn terraform(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    corpus::write_terraform_corpus(dir.path(), 50, 40).expect("corpus");
    let inputs = Inputs::read(dir.path());
    let mut group = group(c, "floor_terraform", inputs.bytes);
    group.bench_function("hcl-edit parse_body", |b| {
        b.iter(|| parse_terraform(black_box(&inputs.terraform)))
    });
    bench_passrole(&mut group, dir.path().to_path_buf());
    group.finish();
}

/// 50 templates of 40 roles each (1.8 MB), as `benches/scan.rs` measures.
fn cloudformation(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    corpus::write_cloudformation_corpus(dir.path(), 50, 40).expect("corpus");
    let inputs = Inputs::read(dir.path());
    let mut group = group(c, "floor_cloudformation", inputs.bytes);
    group.bench_function("saphyr-parser events", |b| {
        b.iter(|| parse_yaml(black_box(&inputs.yaml)))
    });
    bench_passrole(&mut group, dir.path().to_path_buf());
    group.finish();
}

/// An 8 MiB plan (`benches/gen_plan.rs`, one line, as `terraform show -json` writes it): serde_json
/// over the whole text into `IgnoredAny` (a full syntax check that keeps nothing) beside the scan of the
/// plan file.
fn plan(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = gen_plan::plan(8 * 1024 * 1024);
    let path = dir.path().join("plan.tfplan.json");
    std::fs::write(&path, &text).expect("write plan");
    let mut group = group(c, "floor_plan", text.len() as u64);
    group.bench_function("serde_json IgnoredAny", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde::de::IgnoredAny>(black_box(text.as_bytes()))
                .expect("the generated plan is JSON")
        })
    });
    bench_passrole(&mut group, path);
    group.finish();
}

/// 200 directories of the mixed corpus (`write_mixed_corpus`: mostly files without IAM): the bare
/// line parses each file with its format's parser, as passrole does.
fn mixed(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    corpus::write_mixed_corpus(dir.path(), 200).expect("corpus");
    let inputs = Inputs::read(dir.path());
    let mut group = group(c, "floor_mixed", inputs.bytes);
    group.bench_function("hcl-edit + saphyr-parser", |b| {
        b.iter(|| {
            parse_terraform(black_box(&inputs.terraform)) + parse_yaml(black_box(&inputs.yaml))
        })
    });
    bench_passrole(&mut group, dir.path().to_path_buf());
    group.finish();
}

criterion_group!(benches, terraform, cloudformation, plan, mixed);
criterion_main!(benches);
