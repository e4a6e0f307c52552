//! Writes a generated plan for benchmarks: `cargo run --release --example gen_plan -- OUT.json [MB]`.

#[path = "../benches/gen_plan.rs"]
mod gen_plan;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "big.tfplan.json".into());
    let mb: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let text = gen_plan::plan(mb * 1024 * 1024);
    if let Err(e) = std::fs::write(&out, &text) {
        eprintln!("error: cannot write {out}: {e}");
        std::process::exit(2);
    }
    eprintln!("wrote {out}: {} bytes", text.len());
}
