#!/usr/bin/env bash
# The logic of the passrole GitHub Action (action.yml): each step of the composite action runs one
# subcommand of this script, so that tests/action.rs can run the same code with a fake GITHUB_*
# environment, a fake `passrole` and a fake download.
#
#   action.sh install   download the release archive for this runner, verify its SHA-256, put it on
#                       PATH; when the release has no asset for this runner (or the action is used from
#                       a branch, a commit or `./`), say so and leave the build from source to `build`
#   action.sh build     cargo install --locked from the action's own source (restored from the cache
#                       when the source is unchanged)
#   action.sh scan      ONE scan writing every report; records its exit code instead of failing, so
#                       that the SARIF upload step still runs
#   action.sh finish    notes what was not uploaded, then exits with passrole's exit code
#
# Inputs come from the environment (INPUT_*), set with `env:` in action.yml, never interpolated into
# the shell text: a pull request controls file names and may control inputs, and text spliced into a
# script is code.
#
# The release asset contract (docs/install.md, "Release assets"; .github/workflows/release.yml makes
# them): tag vX.Y.Z; passrole-TARGET.tar.gz (passrole-TARGET.zip on Windows) holding
# passrole-TARGET/passrole[.exe]; SHA256SUMS listing every archive in `sha256sum` format.
set -euo pipefail

note() { printf '::notice title=passrole::%s\n' "$*"; }
fail() {
  printf '::error title=passrole::%s\n' "$*"
  exit 1
}

# key=value lines for a later step (`steps.<id>.outputs.<key>`); values here never hold a newline.
set_output() { printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }

# sha256sum's output for files, or for standard input without arguments.
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$@"
  else
    shasum -a 256 "$@" # macOS
  fi
}

sha256_of() { sha256 "$1" | cut -d ' ' -f 1; }

# The Rust target whose release archive runs on this runner (RUNNER_OS, RUNNER_ARCH), or nothing.
target_triple() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

# The version of the action's own source (its Cargo.toml), e.g. 1.4.2.
source_version() {
  sed -n 's/^version = "\([^"]*\)".*/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1
}

# The release tag to download, or nothing to build from source. INPUT_VERSION wins; otherwise the ref
# the action was used at (`uses: OWNER/passrole@v1.4.2`). A moving major tag (`@v1`, `@v1.4`) names the
# commit of some v1.x.y release: the action's own Cargo.toml says which. A branch, a commit SHA or a
# local `uses: ./` has no release: build from source.
release_tag() {
  local wanted="${INPUT_VERSION:-}"
  local semver='^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
  if [[ -n "$wanted" ]]; then
    if [[ "$wanted" == source ]]; then
      echo ""
    elif [[ "$wanted" =~ $semver ]]; then
      echo "v${wanted#v}"
    else
      printf '::error title=passrole::version must be a release such as v1.4.2 (or "source"), not "%s"\n' \
        "$wanted" >&2
      return 1
    fi
    return 0
  fi
  local ref="${PASSROLE_ACTION_REF:-}"
  if [[ "$ref" =~ $semver ]]; then
    echo "v${ref#v}"
  elif [[ "$ref" =~ ^v([0-9]+(\.[0-9]+)?)$ ]]; then
    local own
    own="$(source_version)"
    # The tag must be the prefix of the source's version: v1 → 1.x.y, v1.4 → 1.4.y.
    if [[ "$own." == "${BASH_REMATCH[1]}."* ]]; then
      echo "v$own"
    else
      echo ""
    fi
  else
    echo ""
  fi
}

cmd_install() {
  : "${RUNNER_TEMP:?RUNNER_TEMP is not set}" "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
  local root="$RUNNER_TEMP/passrole-install"
  set_output install-root "$root"
  local tag target repo
  tag="$(release_tag)"
  target="$(target_triple)"
  repo="${PASSROLE_ACTION_REPOSITORY:-}"
  local why=""
  if [[ -z "$tag" ]]; then
    why="the action is used at '${PASSROLE_ACTION_REF:-a local path}', which is not a release"
  elif [[ -z "$target" ]]; then
    why="no release archive is built for ${RUNNER_OS:-this OS}/${RUNNER_ARCH:-this architecture}"
  elif [[ -z "$repo" && -z "${PASSROLE_DOWNLOAD_BASE:-}" ]]; then
    why="the action's repository is not known (a local action)"
  fi
  if [[ -n "$why" ]]; then
    note "building passrole from source: $why"
    to_source
    return 0
  fi
  local base="${PASSROLE_DOWNLOAD_BASE:-${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download}"
  local archive="passrole-$target.tar.gz"
  [[ "$target" == *windows* ]] && archive="passrole-$target.zip"
  local work="$RUNNER_TEMP/passrole-download"
  rm -rf "$work"
  mkdir -p "$work"
  local status=0
  download "$base/$tag/$archive" "$work/$archive" || status=$?
  if [[ "$status" -eq 22 ]]; then
    note "building passrole from source: release $tag has no $archive ($base/$tag/$archive)"
    to_source
    return 0
  elif [[ "$status" -ne 0 ]]; then
    fail "could not download $base/$tag/$archive (curl exit $status)"
  fi
  # An archive without its checksum is never installed: a missing SHA256SUMS is an error, not a
  # reason to trust the download.
  download "$base/$tag/SHA256SUMS" "$work/SHA256SUMS" ||
    fail "release $tag has $archive but its SHA256SUMS could not be downloaded"
  local expected actual
  expected="$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$work/SHA256SUMS")"
  [[ -n "$expected" ]] || fail "SHA256SUMS of release $tag does not list $archive"
  actual="$(sha256_of "$work/$archive")"
  if [[ "$actual" != "$expected" ]]; then
    fail "checksum mismatch for $archive of release $tag: expected $expected, got $actual (not installed)"
  fi
  unpack "$work/$archive" "$work"
  local exe=passrole
  [[ "$target" == *windows* ]] && exe=passrole.exe
  [[ -f "$work/passrole-$target/$exe" ]] || fail "$archive does not hold passrole-$target/$exe"
  mkdir -p "$root/bin"
  cp "$work/passrole-$target/$exe" "$root/bin/$exe"
  chmod +x "$root/bin/$exe"
  rm -rf "$work"
  add_to_path "$root/bin"
  set_output method release
  set_output tag "$tag"
  echo "passrole $tag ($target) installed in $root/bin, SHA-256 $actual verified"
}

# curl's exit code 22 is an HTTP error (--fail): the asset does not exist.
download() {
  curl --fail --location --silent --show-error --retry 3 --output "$2" "$1"
}

unpack() {
  if [[ "$1" == *.zip ]]; then
    unzip -q -o "$1" -d "$2"
  else
    tar -xzf "$1" -C "$2"
  fi
}

add_to_path() {
  local dir="$1"
  # Git Bash on Windows runners: GITHUB_PATH takes Windows paths.
  command -v cygpath >/dev/null 2>&1 && dir="$(cygpath -w "$dir")"
  echo "$dir" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
}

# The build from source happens in the `build` step, after actions/cache restored the previous one;
# the cache key is a hash of what cargo compiles, so a restored binary is the one this source builds.
to_source() {
  set_output method source
  set_output cache-key "passrole-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$(source_hash)"
}

source_hash() {
  (
    cd "$GITHUB_ACTION_PATH"
    local -a inputs=()
    local candidate
    for candidate in Cargo.toml Cargo.lock build.rs src rules; do
      if [[ -e "$candidate" ]]; then
        inputs+=("$candidate")
      fi
    done
    find "${inputs[@]}" -type f -print0 | LC_ALL=C sort -z |
      while IFS= read -r -d '' file; do sha256 "$file"; done
  ) | sha256 | cut -c 1-16
}

cmd_build() {
  : "${RUNNER_TEMP:?}" "${GITHUB_ACTION_PATH:?}" "${PASSROLE_CACHE_KEY:?PASSROLE_CACHE_KEY is not set}"
  local root="$RUNNER_TEMP/passrole-install"
  local stamp="$root/source-key"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$PASSROLE_CACHE_KEY" ]]; then
    echo "passrole restored from the cache ($PASSROLE_CACHE_KEY)"
  else
    command -v cargo >/dev/null 2>&1 ||
      fail "building passrole from source needs cargo (e.g. dtolnay/rust-toolchain before this step), or use a released version"
    cargo install --locked --force --path "$GITHUB_ACTION_PATH" --root "$root"
    echo "$PASSROLE_CACHE_KEY" >"$stamp"
  fi
  add_to_path "$root/bin"
}

cmd_scan() {
  : "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
  local reports
  reports="$(mktemp -d "$RUNNER_TEMP/passrole-reports.XXXXXX")"
  local json="$reports/passrole.json" sarif="$reports/passrole.sarif"
  local -a command=(passrole scan)
  [[ -n "${INPUT_FAIL_ON:-}" ]] && command+=(--fail-on "$INPUT_FAIL_ON")
  [[ -n "${INPUT_CONFIG:-}" ]] && command+=(--config "$INPUT_CONFIG")
  local annotations="${INPUT_ANNOTATIONS:-true}" summary="${INPUT_SUMMARY:-true}"
  case "$annotations" in
    true) command+=(--format github) ;;
    matcher) command+=(--format gcc) ;;
    false) command+=(--format human) ;;
    *) fail "annotations must be true, false or matcher, not '$annotations'" ;;
  esac
  # passrole appends the job summary along with its github report; without annotations on standard
  # output, the github report goes to a file so that the summary is still written.
  if [[ "$summary" == true && "$annotations" != true ]]; then
    command+=(--format "github=$reports/annotations.txt")
  fi
  command+=(--format "json=$json")
  [[ "${INPUT_SARIF:-true}" == true ]] && command+=(--format "sarif=$sarif")
  # `args` is split into words at whitespace, deliberately and only that way: no quotes, no globs,
  # no variables (an argument holding a space goes in passrole.toml instead).
  local -a extra=()
  read -r -d '' -a extra <<<"${INPUT_ARGS:-}" || true
  # (The `+` form: bash 3.2, macOS's /bin/bash, calls an empty array unbound under `set -u`.)
  command+=(${extra[@]+"${extra[@]}"} --)
  # `path`: one path per line, so that a path may hold spaces.
  local line any=false
  while IFS= read -r line; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    if [[ -n "$line" ]]; then
      command+=("$line")
      any=true
    fi
  done <<<"${INPUT_PATH:-.}"
  if [[ "$any" != true ]]; then
    command+=(.)
  fi

  if [[ "$annotations" == matcher ]]; then
    echo "::add-matcher::$GITHUB_ACTION_PATH/.github/passrole-problem-matcher.json"
  fi
  local code=0
  if [[ "$summary" == true ]]; then
    "${command[@]}" || code=$?
  else
    env -u GITHUB_STEP_SUMMARY "${command[@]}" || code=$?
  fi
  if [[ "$annotations" == matcher ]]; then
    echo "::remove-matcher owner=passrole::"
    echo "::remove-matcher owner=passrole-note::"
  fi

  set_output exit-code "$code"
  if [[ -s "$json" ]]; then
    set_output findings "$(jq -r '.summary.findings | .error + .warning + .note' "$json")"
    set_output errors "$(jq -r '.summary.errors' "$json")"
  fi
  if [[ -s "$sarif" ]]; then
    set_output sarif-file "$sarif"
  fi
  echo "passrole exited with $code"
}

cmd_finish() {
  if [[ "${PASSROLE_UPLOAD_OUTCOME:-}" == failure ]]; then
    local why="the SARIF report was not uploaded to code scanning: code scanning must be enabled for \
the repository (private repositories need GitHub Advanced Security), the job needs \`permissions: \
security-events: write\`, and pull requests from forks get a read-only token"
    printf '::warning title=passrole::%s\n' "$why"
    if [[ "${INPUT_SUMMARY:-true}" == true && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
      local report=""
      if [[ -n "${PASSROLE_SARIF_FILE:-}" ]]; then
        report=" (the report: \`$PASSROLE_SARIF_FILE\`)"
      fi
      # shellcheck disable=SC2016 # the backquotes are Markdown code spans
      printf '\n> [!NOTE]\n> passrole: %s. The findings are in this summary, the annotations and the log%s; `sarif: false` skips the upload.\n' \
        "$why" "$report" >>"$GITHUB_STEP_SUMMARY"
    fi
  fi
  local code="${PASSROLE_EXIT_CODE:-}"
  if [[ ! "$code" =~ ^[0-9]+$ ]]; then
    printf '::error title=passrole::passrole did not run: see the steps above\n'
    exit 2
  fi
  exit "$code"
}

case "${1:-}" in
  install) cmd_install ;;
  build) cmd_build ;;
  scan) cmd_scan ;;
  finish) cmd_finish ;;
  *)
    echo "usage: action.sh install|build|scan|finish" >&2
    exit 2
    ;;
esac
