//! The GitHub Action's script (scripts/action.sh), run with bash in a fake job: temp files for
//! GITHUB_OUTPUT, GITHUB_PATH and GITHUB_STEP_SUMMARY, a RUNNER_TEMP, and fakes on PATH for passrole,
//! curl (serving a local release directory) and cargo (tests/action/fake-*). Each test checks exactly
//! what the step writes for the steps after it.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

const LINUX_X64: &str = "x86_64-unknown-linux-musl";

/// One fake job: its files, and an action directory whose Cargo.toml says 1.4.2.
struct Job {
    root: TempDir,
}

impl Job {
    fn new() -> Job {
        let job = Job {
            root: tempfile::tempdir().unwrap(),
        };
        let fakes = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/action");
        for dir in [
            "bin",
            "runner-temp",
            "log",
            "releases",
            "work",
            "action/src",
        ] {
            fs::create_dir_all(job.path(dir)).unwrap();
        }
        for tool in ["passrole", "curl", "cargo"] {
            let fake = job.path("bin").join(tool);
            fs::copy(fakes.join(format!("fake-{tool}")), &fake).unwrap();
        }
        let action = job.path("action");
        fs::write(
            action.join("Cargo.toml"),
            "[package]\nname = \"passrole\"\nversion = \"1.4.2\"\n",
        )
        .unwrap();
        fs::write(action.join("Cargo.lock"), "# lock\n").unwrap();
        fs::write(action.join("src/main.rs"), "fn main() {}\n").unwrap();
        job
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn text(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// `bash scripts/action.sh STEP` with the job's environment plus `env`.
    fn run(&self, step: &str, env: &[(&str, &str)]) -> Output {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action.sh");
        let path = format!(
            "{}:/usr/local/bin:/usr/bin:/bin",
            self.path("bin").display()
        );
        let mut command = Command::new("bash");
        command
            .arg(script)
            .arg(step)
            .current_dir(self.path("work"))
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.root.path())
            .env("GITHUB_OUTPUT", self.path("github-output"))
            .env("GITHUB_PATH", self.path("github-path"))
            .env("GITHUB_STEP_SUMMARY", self.path("step-summary"))
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_ACTION_PATH", self.path("action"))
            .env("PASSROLE_ACTION_REPOSITORY", "OWNER/passrole")
            .env("RUNNER_TEMP", self.path("runner-temp"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("FAKE_LOG", self.path("log"))
            .env("FAKE_RELEASES", self.path("releases"));
        command.envs(env.iter().copied());
        command.output().unwrap()
    }

    /// Publishes release TAG with an archive for TARGET holding a passrole that prints `release TAG`,
    /// and a SHA256SUMS saying `checksum` (default: the archive's real one).
    fn publish(&self, tag: &str, target: &str, checksum: Option<&str>) -> String {
        let stage = self.path("stage").join(format!("passrole-{target}"));
        fs::create_dir_all(&stage).unwrap();
        write_executable(
            &stage.join("passrole"),
            &format!("#!/bin/sh\necho release {tag}\n"),
        );
        let release = self.path("releases").join(tag);
        fs::create_dir_all(&release).unwrap();
        let archive = release.join(format!("passrole-{target}.tar.gz"));
        let tar = Command::new("tar")
            .arg("-czf")
            .arg(&archive)
            .arg("-C")
            .arg(self.path("stage"))
            .arg(format!("passrole-{target}"))
            .status()
            .unwrap();
        assert!(tar.success());
        let real = hex::encode(Sha256::digest(fs::read(&archive).unwrap()));
        let listed = checksum.unwrap_or(&real);
        fs::write(
            release.join("SHA256SUMS"),
            format!(
                "{listed}  passrole-{target}.tar.gz\n{}  other.zip\n",
                "0".repeat(64)
            ),
        )
        .unwrap();
        real
    }

    fn temp(&self) -> String {
        self.path("runner-temp").display().to_string()
    }
}

fn write_executable(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn release_url(tag: &str, file: &str) -> String {
    format!("https://github.com/OWNER/passrole/releases/download/{tag}/{file}")
}

#[test]
fn install_downloads_the_release_verifies_it_and_puts_it_on_path() {
    let job = Job::new();
    let sum = job.publish("v1.4.2", LINUX_X64, None);
    let out = job.run("install", &[("PASSROLE_ACTION_REF", "v1.4.2")]);
    assert!(out.status.success(), "{out:?}");
    let root = format!("{}/passrole-install", job.temp());
    assert_eq!(
        job.text("github-output"),
        format!("install-root={root}\nmethod=release\ntag=v1.4.2\n")
    );
    assert_eq!(job.text("github-path"), format!("{root}/bin\n"));
    assert_eq!(
        stdout(&out),
        format!("passrole v1.4.2 ({LINUX_X64}) installed in {root}/bin, SHA-256 {sum} verified\n")
    );
    assert_eq!(
        job.text("log/curl.log"),
        format!(
            "{}\n{}\n",
            release_url("v1.4.2", "passrole-x86_64-unknown-linux-musl.tar.gz"),
            release_url("v1.4.2", "SHA256SUMS")
        )
    );
    let installed = Command::new(format!("{root}/bin/passrole"))
        .output()
        .unwrap();
    assert_eq!(stdout(&installed), "release v1.4.2\n");
}

#[test]
fn a_checksum_mismatch_fails_loudly_and_installs_nothing() {
    let job = Job::new();
    let wrong = "ab".repeat(32);
    let sum = job.publish("v1.4.2", LINUX_X64, Some(&wrong));
    let out = job.run("install", &[("PASSROLE_ACTION_REF", "v1.4.2")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        format!(
            "::error title=passrole::checksum mismatch for passrole-{LINUX_X64}.tar.gz of release \
             v1.4.2: expected {wrong}, got {sum} (not installed)\n"
        )
    );
    assert_eq!(job.text("github-path"), "");
    assert!(!job.path("runner-temp/passrole-install/bin").exists());
}

#[test]
fn an_archive_without_its_checksum_is_not_installed() {
    let job = Job::new();
    job.publish("v1.4.2", LINUX_X64, None);
    fs::remove_file(job.path("releases/v1.4.2/SHA256SUMS")).unwrap();
    let out = job.run("install", &[("INPUT_VERSION", "1.4.2")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        format!(
            "::error title=passrole::release v1.4.2 has passrole-{LINUX_X64}.tar.gz but its \
             SHA256SUMS could not be downloaded\n"
        )
    );
    assert_eq!(job.text("github-path"), "");
}

#[test]
fn a_moving_major_tag_installs_the_release_of_the_action_source() {
    for reference in ["v1", "v1.4"] {
        let job = Job::new();
        job.publish("v1.4.2", LINUX_X64, None);
        let out = job.run("install", &[("PASSROLE_ACTION_REF", reference)]);
        assert!(out.status.success(), "{reference}: {out:?}");
        assert!(
            job.text("github-output")
                .ends_with("method=release\ntag=v1.4.2\n"),
            "{reference}: {}",
            job.text("github-output")
        );
    }
}

/// The cache key of the fake action's source: what the build step restores.
fn source_key(job: &Job, os_arch: &str) -> String {
    let output = job.text("github-output");
    let key = output
        .lines()
        .find_map(|l| l.strip_prefix("cache-key="))
        .unwrap()
        .to_string();
    let hash = key.strip_prefix(&format!("passrole-{os_arch}-")).unwrap();
    assert_eq!(hash.len(), 16, "{key}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{key}");
    key
}

#[test]
fn no_release_asset_for_the_runner_builds_from_source() {
    let job = Job::new();
    job.publish("v1.4.2", LINUX_X64, None);
    let out = job.run(
        "install",
        &[("PASSROLE_ACTION_REF", "v1.4.2"), ("RUNNER_ARCH", "ARM64")],
    );
    assert!(out.status.success(), "{out:?}");
    let asset = "passrole-aarch64-unknown-linux-musl.tar.gz";
    assert_eq!(
        stdout(&out),
        format!(
            "::notice title=passrole::building passrole from source: release v1.4.2 has no {asset} \
             ({})\n",
            release_url("v1.4.2", asset)
        )
    );
    let key = source_key(&job, "Linux-ARM64");
    assert_eq!(
        job.text("github-output"),
        format!(
            "install-root={}/passrole-install\nmethod=source\ncache-key={key}\n",
            job.temp()
        )
    );
    assert_eq!(job.text("github-path"), "");
}

#[test]
fn a_branch_a_mismatched_major_tag_or_a_local_action_builds_from_source_without_downloading() {
    for (reference, why) in [
        (
            "main",
            "the action is used at 'main', which is not a release",
        ),
        ("v2", "the action is used at 'v2', which is not a release"),
        (
            "",
            "the action is used at 'a local path', which is not a release",
        ),
    ] {
        let job = Job::new();
        let out = job.run("install", &[("PASSROLE_ACTION_REF", reference)]);
        assert!(out.status.success(), "{reference}: {out:?}");
        assert_eq!(
            stdout(&out),
            format!("::notice title=passrole::building passrole from source: {why}\n")
        );
        assert!(job.text("github-output").contains("\nmethod=source\n"));
        assert_eq!(job.text("log/curl.log"), "", "{reference}");
    }
}

#[test]
fn the_cache_key_changes_with_the_source() {
    let job = Job::new();
    job.run("install", &[("INPUT_VERSION", "source")]);
    let before = source_key(&job, "Linux-X64");
    fs::write(job.path("action/src/main.rs"), "fn main() { }\n").unwrap();
    fs::remove_file(job.path("github-output")).unwrap();
    job.run("install", &[("INPUT_VERSION", "source")]);
    assert_ne!(source_key(&job, "Linux-X64"), before);
}

#[test]
fn a_version_that_is_not_a_release_is_an_error() {
    let job = Job::new();
    let out = job.run("install", &[("INPUT_VERSION", "latest; rm -rf /")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "::error title=passrole::version must be a release such as v1.4.2 (or \"source\"), not \
         \"latest; rm -rf /\"\n"
    );
    assert_eq!(job.text("log/curl.log"), "");
}

#[test]
fn build_compiles_the_action_source_unless_the_cache_restored_the_same_one() {
    let job = Job::new();
    let root = format!("{}/passrole-install", job.temp());
    let out = job.run("build", &[("PASSROLE_CACHE_KEY", "passrole-Linux-X64-1")]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        job.text("log/cargo.args"),
        format!(
            "install\n--locked\n--force\n--path\n{}\n--root\n{root}\n",
            job.path("action").display()
        )
    );
    assert_eq!(job.text("github-path"), format!("{root}/bin\n"));
    assert_eq!(
        job.text("runner-temp/passrole-install/source-key"),
        "passrole-Linux-X64-1\n"
    );

    // The cache restored this build: no cargo.
    fs::remove_file(job.path("log/cargo.args")).unwrap();
    let out = job.run("build", &[("PASSROLE_CACHE_KEY", "passrole-Linux-X64-1")]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout(&out),
        "passrole restored from the cache (passrole-Linux-X64-1)\n"
    );
    assert!(!job.path("log/cargo.args").exists());

    // A restore-keys hit from older source is rebuilt.
    let out = job.run("build", &[("PASSROLE_CACHE_KEY", "passrole-Linux-X64-2")]);
    assert!(out.status.success(), "{out:?}");
    assert!(job.path("log/cargo.args").exists());
}

/// The reports directory the scan step made under RUNNER_TEMP.
fn reports_dir(job: &Job) -> String {
    let dirs: Vec<_> = fs::read_dir(job.path("runner-temp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let name = dirs[0].file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("passrole-reports."), "{name}");
    dirs[0].display().to_string()
}

#[test]
fn scan_runs_passrole_once_writing_every_report_and_records_the_exit_code() {
    let job = Job::new();
    let out = job.run(
        "scan",
        &[
            ("INPUT_PATH", "infra\n  app dir  \n\n"),
            ("INPUT_FAIL_ON", "warning"),
            ("INPUT_CONFIG", "ci/passrole.toml"),
            ("INPUT_ARGS", "--select PR0\n  --exclude legacy/"),
            ("INPUT_SARIF", "true"),
            ("INPUT_SUMMARY", "true"),
            ("INPUT_ANNOTATIONS", "true"),
            ("FAKE_PASSROLE_EXIT", "1"),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let reports = reports_dir(&job);
    assert_eq!(
        job.text("log/passrole.args"),
        format!(
            "scan\n--fail-on\nwarning\n--config\nci/passrole.toml\n--format\ngithub\n\
             --format\njson={reports}/passrole.json\n--format\nsarif={reports}/passrole.sarif\n\
             --select\nPR0\n--exclude\nlegacy/\n--\ninfra\napp dir\n"
        )
    );
    assert_eq!(
        job.text("github-output"),
        format!("exit-code=1\nfindings=4\nerrors=1\nsarif-file={reports}/passrole.sarif\n")
    );
    assert_eq!(
        fs::read_to_string(format!("{reports}/passrole.sarif")).unwrap(),
        "{\"version\":\"2.1.0\",\"runs\":[]}\n"
    );
    assert_eq!(job.text("step-summary"), "summary from passrole\n");
    assert_eq!(
        stdout(&out),
        "report on standard output\npassrole exited with 1\n"
    );
}

#[test]
fn the_defaults_scan_the_current_directory() {
    let job = Job::new();
    let out = job.run("scan", &[]);
    assert!(out.status.success(), "{out:?}");
    let reports = reports_dir(&job);
    assert_eq!(
        job.text("log/passrole.args"),
        format!(
            "scan\n--format\ngithub\n--format\njson={reports}/passrole.json\n\
             --format\nsarif={reports}/passrole.sarif\n--\n.\n"
        )
    );
    assert!(job.text("github-output").starts_with("exit-code=0\n"));
}

#[test]
fn args_and_paths_are_words_never_code() {
    let job = Job::new();
    let out = job.run(
        "scan",
        &[
            (
                "INPUT_ARGS",
                "--exclude '*.tf' $(touch pwned) ;touch x `id`",
            ),
            ("INPUT_PATH", "$(touch pwned2)\n*"),
            ("INPUT_SARIF", "false"),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let reports = reports_dir(&job);
    assert_eq!(
        job.text("log/passrole.args"),
        format!(
            "scan\n--format\ngithub\n--format\njson={reports}/passrole.json\n--exclude\n'*.tf'\n\
             $(touch\npwned)\n;touch\nx\n`id`\n--\n$(touch pwned2)\n*\n"
        )
    );
    let created: Vec<_> = fs::read_dir(job.path("work")).unwrap().collect();
    assert!(created.is_empty(), "{created:?}");
    assert_eq!(
        job.text("github-output"),
        "exit-code=0\nfindings=4\nerrors=1\n"
    );
}

#[test]
fn without_annotations_the_summary_still_comes_from_a_github_report_in_a_file() {
    let job = Job::new();
    let out = job.run(
        "scan",
        &[("INPUT_ANNOTATIONS", "false"), ("INPUT_SARIF", "false")],
    );
    assert!(out.status.success(), "{out:?}");
    let reports = reports_dir(&job);
    assert_eq!(
        job.text("log/passrole.args"),
        format!(
            "scan\n--format\nhuman\n--format\ngithub={reports}/annotations.txt\n\
             --format\njson={reports}/passrole.json\n--\n.\n"
        )
    );
    assert_eq!(job.text("step-summary"), "summary from passrole\n");
}

#[test]
fn summary_off_hides_the_step_summary_from_passrole() {
    let job = Job::new();
    let out = job.run(
        "scan",
        &[("INPUT_SUMMARY", "false"), ("INPUT_ANNOTATIONS", "false")],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(job.text("log/passrole.env"), "GITHUB_STEP_SUMMARY=unset\n");
    assert!(!job.text("log/passrole.args").contains("github"));
    assert_eq!(job.text("step-summary"), "");
}

#[test]
fn matcher_annotations_register_the_shipped_problem_matcher_around_gcc_lines() {
    let job = Job::new();
    let repository = env!("CARGO_MANIFEST_DIR");
    let out = job.run(
        "scan",
        &[
            ("INPUT_ANNOTATIONS", "matcher"),
            ("GITHUB_ACTION_PATH", repository),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let matcher = format!("{repository}/.github/passrole-problem-matcher.json");
    assert!(Path::new(&matcher).is_file());
    assert_eq!(
        stdout(&out),
        format!(
            "::add-matcher::{matcher}\nreport on standard output\n\
             ::remove-matcher owner=passrole::\n::remove-matcher owner=passrole-note::\n\
             passrole exited with 0\n"
        )
    );
    assert!(job.text("log/passrole.args").contains("\n--format\ngcc\n"));
}

#[test]
fn an_unknown_annotations_value_is_an_error() {
    let job = Job::new();
    let out = job.run("scan", &[("INPUT_ANNOTATIONS", "yes")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "::error title=passrole::annotations must be true, false or matcher, not 'yes'\n"
    );
    assert!(!job.path("log/passrole.args").exists());
}

#[test]
fn a_scan_that_writes_no_report_records_only_the_exit_code() {
    let job = Job::new();
    let out = job.run(
        "scan",
        &[("FAKE_PASSROLE_WRITES", "no"), ("FAKE_PASSROLE_EXIT", "2")],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(job.text("github-output"), "exit-code=2\n");
}

#[test]
fn finish_exits_with_the_scan_exit_code() {
    for code in [0, 1, 2] {
        let job = Job::new();
        let text = code.to_string();
        let out = job.run(
            "finish",
            &[
                ("PASSROLE_EXIT_CODE", &text),
                ("PASSROLE_UPLOAD_OUTCOME", "success"),
            ],
        );
        assert_eq!(out.status.code(), Some(code));
        assert_eq!(stdout(&out), "");
        assert_eq!(job.text("step-summary"), "");
    }
}

#[test]
fn finish_explains_a_failed_upload_in_the_log_and_the_summary() {
    let job = Job::new();
    fs::write(job.path("step-summary"), "summary from passrole\n").unwrap();
    let out = job.run(
        "finish",
        &[
            ("PASSROLE_EXIT_CODE", "1"),
            ("PASSROLE_UPLOAD_OUTCOME", "failure"),
            ("PASSROLE_SARIF_FILE", "/tmp/r/passrole.sarif"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let why = "the SARIF report was not uploaded to code scanning: code scanning must be enabled \
               for the repository (private repositories need GitHub Advanced Security), the job \
               needs `permissions: security-events: write`, and pull requests from forks get a \
               read-only token";
    assert_eq!(stdout(&out), format!("::warning title=passrole::{why}\n"));
    assert_eq!(
        job.text("step-summary"),
        format!(
            "summary from passrole\n\n> [!NOTE]\n> passrole: {why}. The findings are in this \
             summary, the annotations and the log (the report: `/tmp/r/passrole.sarif`); \
             `sarif: false` skips the upload.\n"
        )
    );
}

#[test]
fn finish_without_a_scan_fails_with_exit_2() {
    let job = Job::new();
    let out = job.run("finish", &[("PASSROLE_UPLOAD_OUTCOME", "")]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        "::error title=passrole::passrole did not run: see the steps above\n"
    );
}

/// scripts/release.sh packs what scripts/action.sh installs: the asset contract, end to end.
#[test]
fn release_assets_packed_by_release_sh_install_on_linux_and_windows() {
    for (os, target, archive) in [
        (
            "Linux",
            LINUX_X64,
            "passrole-x86_64-unknown-linux-musl.tar.gz",
        ),
        (
            "Windows",
            "x86_64-pc-windows-msvc",
            "passrole-x86_64-pc-windows-msvc.zip",
        ),
    ] {
        let job = Job::new();
        let binary = job.path("built-passrole");
        write_executable(&binary, "#!/bin/sh\necho packed by release.sh\n");
        let release = job.path("releases/v1.4.2");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh");
        let packed = Command::new("bash")
            .arg(&script)
            .args(["archive", target])
            .arg(&binary)
            .arg(&release)
            .output()
            .unwrap();
        assert!(packed.status.success(), "{packed:?}");
        assert_eq!(
            stdout(&packed),
            format!("{}/{archive}\n", release.display())
        );
        let sums = Command::new("bash")
            .arg(&script)
            .arg("checksums")
            .arg(&release)
            .output()
            .unwrap();
        assert!(sums.status.success(), "{sums:?}");
        let sum = hex::encode(Sha256::digest(fs::read(release.join(archive)).unwrap()));
        assert_eq!(
            fs::read_to_string(release.join("SHA256SUMS")).unwrap(),
            format!("{sum}  {archive}\n")
        );

        let out = job.run(
            "install",
            &[("PASSROLE_ACTION_REF", "v1.4.2"), ("RUNNER_OS", os)],
        );
        assert!(out.status.success(), "{os}: {out:?}");
        let exe = if os == "Windows" {
            "passrole.exe"
        } else {
            "passrole"
        };
        let installed = job.path("runner-temp/passrole-install/bin").join(exe);
        let ran = Command::new(installed).output().unwrap();
        assert_eq!(stdout(&ran), "packed by release.sh\n", "{os}");
    }
}
