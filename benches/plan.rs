//! Plan parsing throughput: `lower_plan` (streaming read, IAM resources, policies, references) over a
//! generated plan, in MB/s.

mod gen_plan;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use passrole::resolve::catalog::Catalog;
use passrole::source::plan::lower_plan;
use passrole::source::{SourceFile, SourceMap};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let text = gen_plan::plan(16 * 1024 * 1024);
    let len = text.len() as u64;
    let mut sources = SourceMap::default();
    let id = sources.add(SourceFile::new("big.tfplan.json".into(), text));
    let catalog = Catalog::builtin();
    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Bytes(len));
    group.sample_size(10);
    group.bench_function("lower_plan 16 MB", |b| {
        b.iter(|| {
            let (unit, errors) = lower_plan(id, &sources, catalog, None);
            assert!(errors.is_empty());
            black_box(unit)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
