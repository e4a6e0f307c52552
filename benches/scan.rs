//! End-to-end scan throughput on generated Terraform and CloudFormation corpora (files/s and MB/s are
//! in BENCHMARKS.md).
//! `cargo bench --bench scan`.

// The generators are shared with `benches/parsers.rs` and `examples/gen_corpus.rs`; this bench uses
// two of them.
#[allow(dead_code)]
mod corpus;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use passrole::scan::{ScanOptions, scan};

fn terraform(c: &mut Criterion) {
    let mut group = c.benchmark_group("terraform");
    group.sample_size(10);
    for (modules, roles) in [(10, 10), (50, 40)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let bytes = corpus::write_terraform_corpus(dir.path(), modules, roles).expect("corpus");
        group.throughput(Throughput::Bytes(bytes));
        let options = ScanOptions {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        };
        group.bench_function(format!("{modules}x{roles}"), |b| {
            b.iter(|| {
                let result = scan(&options);
                assert!(result.errors.is_empty());
                result.findings.len()
            })
        });
    }
    group.finish();
}

fn cloudformation(c: &mut Criterion) {
    let mut group = c.benchmark_group("cloudformation");
    group.sample_size(10);
    for (templates, roles) in [(10, 10), (50, 40)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let bytes =
            corpus::write_cloudformation_corpus(dir.path(), templates, roles).expect("corpus");
        group.throughput(Throughput::Bytes(bytes));
        let options = ScanOptions {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        };
        group.bench_function(format!("{templates}x{roles}"), |b| {
            b.iter(|| {
                let result = scan(&options);
                assert!(result.errors.is_empty());
                result.findings.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, terraform, cloudformation);
criterion_main!(benches);
