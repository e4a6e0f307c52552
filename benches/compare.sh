#!/usr/bin/env bash
# passrole beside checkov (Terraform) and cfn-lint (CloudFormation) on the same generated corpora:
# 500 Terraform files and 500 templates (benches/corpus.rs), timed by hyperfine with the commands
# interleaved, and the ratio of the means printed at the end.
#
# Usage: benches/compare.sh [UNITS] [ROLES]      (default 500 units of 4 roles each)
#
# checkov and cfn-lint are installed from PyPI into a temporary virtual environment that is removed
# afterwards; passrole is built in release mode. Needs python3 (with venv) and hyperfine.
set -euo pipefail

units=${1:-500}
roles=${2:-4}
runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }

echo "== building passrole (release) and the corpora ($units units x $roles roles)" >&2
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --example gen_corpus
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
passrole="$root/target/release/passrole"
gen="$root/target/release/examples/gen_corpus"
"$gen" terraform "$work/tf" "$units" "$roles"
"$gen" cloudformation "$work/cfn" "$units" "$roles"

echo "== installing checkov and cfn-lint into a temporary virtual environment" >&2
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check checkov cfn-lint
checkov="$work/venv/bin/checkov"
cfnlint="$work/venv/bin/cfn-lint"
"$checkov" --version >&2
"$cfnlint" --version >&2

# Every tool exits non-zero when it finds something; the corpora are made to have findings.
hyperfine --runs "$runs" --warmup 1 -i --export-json "$work/tf.json" \
  -n passrole "$passrole scan --format json --no-config $work/tf" \
  -n checkov "$checkov -d $work/tf --framework terraform --quiet --compact -o json"
hyperfine --runs "$runs" --warmup 1 -i --export-json "$work/cfn.json" \
  -n passrole "$passrole scan --format json --no-config $work/cfn" \
  -n cfn-lint "$cfnlint --format json $work/cfn/*.yaml"

python3 - "$work/tf.json" "$work/cfn.json" <<'EOF'
import json, sys
for path in sys.argv[1:]:
    results = {r["command"]: r["mean"] for r in json.load(open(path))["results"]}
    ours = results.pop("passrole")
    for other, mean in results.items():
        print(f"{other}: {mean:.2f} s, passrole: {ours:.3f} s, passrole is {mean / ours:.0f}x faster")
EOF
