#!/usr/bin/env bash
# Packs release assets in the layout scripts/action.sh installs from (docs/install.md, "Release
# assets"); .github/workflows/release.yml runs it, tests/action.rs checks the round trip.
#
#   release.sh archive TARGET BINARY OUTDIR   OUTDIR/passrole-TARGET.tar.gz (.zip for Windows)
#                                             holding passrole-TARGET/{passrole[.exe],README.md}
#   release.sh checksums DIR                  DIR/SHA256SUMS: `sha256sum` lines for every archive
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"

archive() {
  local target="$1" binary="$2" outdir="$3"
  local name="passrole-$target"
  local exe=passrole
  [[ "$target" == *windows* ]] && exe=passrole.exe
  local stage
  stage="$(mktemp -d)"
  mkdir -p "$stage/$name" "$outdir"
  cp "$binary" "$stage/$name/$exe"
  chmod +x "$stage/$name/$exe"
  cp "$here/README.md" "$stage/$name/README.md"
  local out
  out="$(cd "$outdir" && pwd)"
  if [[ "$target" == *windows* ]]; then
    # Windows runners have 7-Zip; elsewhere (tests) zip does the same.
    if command -v 7z >/dev/null 2>&1; then
      (cd "$stage" && 7z a -tzip -bd "$out/$name.zip" "$name" >/dev/null)
    else
      (cd "$stage" && zip -qr "$out/$name.zip" "$name")
    fi
  else
    tar -czf "$out/$name.tar.gz" -C "$stage" "$name"
  fi
  rm -rf "$stage"
  echo "$outdir/$name.$([[ "$target" == *windows* ]] && echo zip || echo tar.gz)"
}

checksums() {
  local dir="$1"
  (
    cd "$dir"
    shopt -s nullglob
    local -a archives=(passrole-*.tar.gz passrole-*.zip)
    if [[ ${#archives[@]} -eq 0 ]]; then
      echo "no passrole-* archive in $dir" >&2
      exit 1
    fi
    if command -v sha256sum >/dev/null 2>&1; then
      sha256sum "${archives[@]}"
    else
      shasum -a 256 "${archives[@]}"
    fi >SHA256SUMS
  )
  cat "$dir/SHA256SUMS"
}

case "${1:-}" in
  archive) archive "$2" "$3" "$4" ;;
  checksums) checksums "$2" ;;
  *)
    echo "usage: release.sh archive TARGET BINARY OUTDIR | checksums DIR" >&2
    exit 2
    ;;
esac
