//! Writes a generated corpus for measurements outside criterion:
//! `cargo run --release --example gen_corpus -- terraform|cloudformation DIR [UNITS] [ROLES]`, or
//! `... -- mixed DIR [DIRS]` for the mixed corpus (mostly files without IAM, as real repositories are;
//! ROLES does not apply to it).

#[path = "../benches/corpus.rs"]
mod corpus;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(kind), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!(
            "usage: gen_corpus terraform|cloudformation DIR [UNITS] [ROLES] | mixed DIR [DIRS]"
        );
        std::process::exit(2);
    };
    let units = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let roles = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(40);
    let dir = std::path::Path::new(dir);
    let written = std::fs::create_dir_all(dir).and_then(|_| match kind.as_str() {
        "terraform" => corpus::write_terraform_corpus(dir, units, roles),
        "cloudformation" => corpus::write_cloudformation_corpus(dir, units, roles),
        "mixed" => corpus::write_mixed_corpus(dir, units),
        other => Err(std::io::Error::other(format!(
            "unknown corpus kind {other}"
        ))),
    });
    match written {
        Ok(bytes) => eprintln!("wrote {}: {bytes} bytes", dir.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
