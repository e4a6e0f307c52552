//! Where reports go: `--format FORMAT[=FILE]`, repeated, so one scan writes every report a CI job
//! needs (`--format github --format sarif=passrole.sarif`), each to its own destination.

use super::Format;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// One report to write: a format and its destination (standard output when `path` is None).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Format,
    pub path: Option<PathBuf>,
}

impl FromStr for OutputSpec {
    type Err = String;

    /// `json` (standard output) or `sarif=passrole.sarif` (a file).
    fn from_str(s: &str) -> Result<OutputSpec, String> {
        let (name, path) = match s.split_once('=') {
            Some((_, "")) => return Err(format!("`{s}`: no file after `=`")),
            Some((name, path)) => (name, Some(PathBuf::from(path))),
            None => (s, None),
        };
        let format = Format::from_name(name).ok_or_else(|| {
            format!(
                "unknown format `{name}`; one of: {}",
                Format::ALL
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        Ok(OutputSpec { format, path })
    }
}

/// The reports of one run: at most one goes to standard output (`-o FILE` redirects that one),
/// and no two write the same file. Default: the human report on standard output.
pub fn plan_outputs(
    specs: &[OutputSpec],
    stdout_file: Option<&Path>,
) -> Result<Vec<OutputSpec>, String> {
    let mut out: Vec<OutputSpec> = if specs.is_empty() {
        vec![OutputSpec {
            format: Format::Human,
            path: None,
        }]
    } else {
        specs.to_vec()
    };
    let on_stdout = out.iter().filter(|o| o.path.is_none()).count();
    if on_stdout > 1 {
        return Err(
            "more than one --format writes to standard output: give all but one a file \
             (`--format sarif=passrole.sarif`)"
                .into(),
        );
    }
    if let Some(file) = stdout_file {
        match out.iter_mut().find(|o| o.path.is_none()) {
            Some(o) => o.path = Some(file.to_path_buf()),
            None => {
                return Err(
                    "-o/--output names the file of the report written to standard output, but \
                     every --format has its own file"
                        .into(),
                );
            }
        }
    }
    for (i, o) in out.iter().enumerate() {
        if let Some(p) = &o.path
            && out[..i].iter().any(|other| other.path.as_ref() == Some(p))
        {
            return Err(format!(
                "two reports would be written to {}",
                crate::source::display_path(p)
            ));
        }
    }
    Ok(out)
}

/// Writes a report to `path`, else to standard output. A closed pipe (`passrole ... | head`) is
/// not an error; any other failure (a full disk, `> /dev/full`) is, so CI never passes on a report
/// that was not written. A file is written beside its destination and renamed over it: a reader
/// never sees half a report.
pub fn write_report(text: &str, path: Option<&Path>) -> Result<(), String> {
    let Some(path) = path else {
        let mut out = std::io::stdout().lock();
        return match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(format!("writing the report: {e}"))
            }
            _ => Ok(()),
        };
    };
    let shown = crate::source::display_path(path);
    let fail = |e: &dyn std::fmt::Display| format!("writing the report to {shown}: {e}");
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // A missing directory is said plainly (tempfile's error names its temporary file).
    std::fs::metadata(dir).map_err(|e| fail(&e))?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    // Temporary files are private (0600); a report is as readable as any file written.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = file
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| fail(&e))?;
    file.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> OutputSpec {
        s.parse().unwrap()
    }

    #[test]
    fn parses_format_and_file() {
        assert_eq!(
            spec("sarif=out/p.sarif"),
            OutputSpec {
                format: Format::Sarif,
                path: Some(PathBuf::from("out/p.sarif"))
            }
        );
        assert_eq!(spec("json").path, None);
        assert!(
            "xml"
                .parse::<OutputSpec>()
                .unwrap_err()
                .contains("unknown format `xml`")
        );
        assert!("json=".parse::<OutputSpec>().is_err());
    }

    #[test]
    fn one_report_on_standard_output_and_no_file_twice() {
        assert_eq!(plan_outputs(&[], None).unwrap()[0].format, Format::Human);
        assert!(plan_outputs(&[spec("json"), spec("gcc")], None).is_err());
        assert!(plan_outputs(&[spec("json=a"), spec("sarif=a")], None).is_err());
        let planned = plan_outputs(&[spec("gcc"), spec("sarif=s")], Some(Path::new("g"))).unwrap();
        assert_eq!(planned[0].path, Some(PathBuf::from("g")));
        assert!(plan_outputs(&[spec("sarif=s")], Some(Path::new("g"))).is_err());
    }
}
