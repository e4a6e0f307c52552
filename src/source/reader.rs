//! The one way passrole opens a file.
//!
//! passrole runs on pull requests from strangers, so every read goes through a [`Reader`] that
//! - stays inside one confinement root: the path is resolved (symlinks included) and must lie below
//!   the root, else it is not opened at all ([`ReadError::Outside`]);
//! - opens regular files only: a named pipe would block forever and `/dev/zero` never ends, so the
//!   file is opened without blocking and checked with `fstat` before a byte is read;
//! - applies the size limit before reading, and again while reading (a file may grow);
//! - decodes UTF-8 (with or without a BOM) and UTF-16 with a BOM, and says where decoding failed.
//!
//! Error messages never quote the content of what was read: a file outside the root is never opened,
//! and a file that is not a recognised input is only named.

use crate::source::{ErrorKind, InputError, display_path};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Default size limit of one input file. No IaC source is that big; reading more could exhaust memory.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Default size limit of a Terraform plan, which may legitimately be larger than any source file.
pub const DEFAULT_MAX_PLAN_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// No such file.
    NotFound,
    /// The path resolves (through `..` or a symlink) to `target`, outside the root.
    Outside { target: PathBuf, root: PathBuf },
    /// Inside the root's `.git` directory, which may hold credentials (`actions/checkout` keeps its
    /// token in `.git/config`): never read, whatever points there.
    GitDir,
    /// Not a regular file: what it is instead (`a named pipe`, `a device`, ...).
    NotRegular(&'static str),
    /// Larger than the limit.
    TooLarge { size: u64, limit: u64 },
    /// The operating system refused.
    Io(std::io::Error),
    /// The directory walk could not go on (a symlink loop): what happened.
    Walk(String),
    /// Not UTF-8 / UTF-16 text.
    Encoding(String),
    /// A path named on the command line that is no file to read (a pipe such as `<(...)`, a device,
    /// `/dev/stdin`): what it is and what to do instead.
    Special(String),
}

impl ReadError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ReadError::Outside { .. } | ReadError::GitDir => ErrorKind::Outside,
            ReadError::TooLarge { .. } => ErrorKind::Limit,
            ReadError::Encoding(_) => ErrorKind::Encoding,
            ReadError::NotFound
            | ReadError::NotRegular(_)
            | ReadError::Io(_)
            | ReadError::Walk(_)
            | ReadError::Special(_) => ErrorKind::Io,
        }
    }

    /// What went wrong, without the file's name (the caller says which file).
    pub fn message(&self) -> String {
        match self {
            ReadError::NotFound => "no such file".into(),
            ReadError::Outside { target, root } => format!(
                "resolves to {}, which is outside the scan root {}: not read (use --root to widen the root)",
                target.display(),
                root.display()
            ),
            ReadError::GitDir => {
                "resolves into the repository's .git directory, which passrole never reads".into()
            }
            ReadError::NotRegular(what) => format!("{what}, not a regular file: not read"),
            ReadError::TooLarge { size, limit } => format!(
                "the file is {size} bytes, more than the limit of {limit} (--max-file-size): not read"
            ),
            ReadError::Io(e) => format!("cannot read the file: {e}"),
            ReadError::Encoding(m) | ReadError::Walk(m) | ReadError::Special(m) => m.clone(),
        }
    }

    /// The `errors` entry for `path`, with `what` naming the role of the file
    /// (`the module file`, `the file given to file()`); empty for an input.
    pub fn to_input_error(&self, path: &Path, what: &str) -> InputError {
        let message = if what.is_empty() {
            self.message()
        } else {
            format!("{what}: {}", self.message())
        };
        InputError {
            file: display_path(path),
            kind: self.kind(),
            message,
            position: None,
        }
    }
}

/// Opens files inside one root, with limits. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Reader {
    /// Canonical (symlinks resolved) absolute path of the confinement root.
    root: PathBuf,
    /// Further directories passrole itself wrote (the plan of `passrole plan`), also readable.
    own: Vec<PathBuf>,
    pub max_file_bytes: u64,
    pub max_plan_bytes: u64,
}

impl Reader {
    /// A reader confined to `root` (resolved now; a root that does not exist confines to its absolute
    /// path, so nothing below it can be read either).
    pub fn new(root: &Path) -> Reader {
        let root = root
            .canonicalize()
            .unwrap_or_else(|_| std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()));
        Reader {
            root,
            own: Vec::new(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_plan_bytes: DEFAULT_MAX_PLAN_BYTES,
        }
    }

    /// Also allows reading below `dir`, a directory passrole created itself (never one named by
    /// the input).
    pub fn allow_own_dir(&mut self, dir: &Path) {
        if let Ok(d) = dir.canonicalize() {
            self.own.push(d);
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The resolved path of `path` when it exists and lies inside the root.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, ReadError> {
        let target = path.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Io(e),
        })?;
        if target.starts_with(&self.root) || self.own.iter().any(|d| target.starts_with(d)) {
            if target
                .strip_prefix(&self.root)
                .is_ok_and(|rel| rel.components().any(|c| c.as_os_str() == ".git"))
            {
                return Err(ReadError::GitDir);
            }
            Ok(target)
        } else {
            Err(ReadError::Outside {
                target,
                root: self.root.clone(),
            })
        }
    }

    /// Opens a regular file inside the root and returns it with its size. A named pipe, a device or a
    /// socket is refused before anything is read (opened without blocking, checked with `fstat`).
    pub fn open(&self, path: &Path) -> Result<(File, u64), ReadError> {
        let target = self.resolve(path)?;
        // `symlink_metadata` of the resolved path: refuses a FIFO before `open` could block on it.
        let meta = std::fs::symlink_metadata(&target).map_err(ReadError::Io)?;
        check_regular(&meta)?;
        let file = open_nonblocking(&target).map_err(ReadError::Io)?;
        // And again on the open file: the path may have been replaced in between.
        let meta = file.metadata().map_err(ReadError::Io)?;
        check_regular(&meta)?;
        Ok((file, meta.len()))
    }

    /// The bytes of a regular file inside the root, at most `limit` of them.
    pub fn read_bytes_limited(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        let (mut file, size) = self.open(path)?;
        if size > limit {
            return Err(ReadError::TooLarge { size, limit });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        // A file that grows while it is read still stops at the limit.
        read_up_to(&mut file, &mut bytes, limit)?;
        Ok(bytes)
    }

    /// The first `n` bytes of a regular file inside the root (to classify a file that is over the
    /// size limit: a plan may be larger).
    pub fn read_head(&self, path: &Path, n: u64) -> Result<Vec<u8>, ReadError> {
        let (file, _) = self.open(path)?;
        let mut bytes = Vec::new();
        file.take(n)
            .read_to_end(&mut bytes)
            .map_err(ReadError::Io)?;
        Ok(bytes)
    }

    /// A source file as text, within the size limit.
    pub fn read_text(&self, path: &Path) -> Result<String, ReadError> {
        decode(self.read_bytes_limited(path, self.max_file_bytes)?).map_err(ReadError::Encoding)
    }

    /// The entries of a directory inside the root, sorted. Entries are not resolved: each is
    /// checked when it is opened.
    pub fn read_dir(&self, dir: &Path) -> Result<Vec<PathBuf>, ReadError> {
        self.resolve(dir)?;
        let entries = std::fs::read_dir(dir).map_err(ReadError::Io)?;
        let mut out: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        out.sort();
        Ok(out)
    }
}

fn check_regular(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    let t = meta.file_type();
    if t.is_file() {
        return Ok(());
    }
    if t.is_dir() {
        return Err(ReadError::NotRegular("a directory"));
    }
    Err(ReadError::NotRegular(special_kind(meta)))
}

/// What a file that is neither a regular file nor a directory is, in words.
pub fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "a special file"
}

/// Reads standard input, at most `limit` bytes; when there is more and the first 64 KiB say it is a
/// plan (plans may be larger), up to `plan_limit`. The same limits as a file, checked while reading
/// (standard input has no size to check first).
pub fn read_stdin_limited(
    input: &mut impl Read,
    limit: u64,
    plan_limit: u64,
    is_plan: impl Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    match read_up_to(input, &mut bytes, limit) {
        // Over the file limit: a plan may go on up to the plan limit; anything else fails again.
        Err(ReadError::TooLarge { .. }) => {
            let head = &bytes[..bytes.len().min(64 * 1024)];
            let limit = if is_plan(head) { plan_limit } else { limit };
            read_up_to(input, &mut bytes, limit)?;
        }
        other => other?,
    }
    Ok(bytes)
}

/// Appends what `input` holds to `bytes` until `bytes` is `limit` long, reading one byte more to
/// tell a reader that has more: then `TooLarge`, with what is in `bytes` (at most `limit + 1`).
fn read_up_to(input: &mut impl Read, bytes: &mut Vec<u8>, limit: u64) -> Result<(), ReadError> {
    let read = bytes.len() as u64;
    input
        .by_ref()
        .take(limit.saturating_add(1).saturating_sub(read))
        .read_to_end(bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(())
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// The confinement root for a scanned path: the Git work tree that holds it (the nearest ancestor
/// with a `.git` directory or file), else the path itself (its directory, for a file).
pub fn default_root(path: &Path) -> PathBuf {
    // Looked up on the path as written, not as resolved: `passrole scan fs` where `fs -> /` is
    // committed must find the repository around `fs`, not take `/` as the root.
    let lexical =
        lexical_normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    let start = if lexical.is_dir() {
        lexical.clone()
    } else {
        lexical
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(lexical.clone())
    };
    for dir in start.ancestors() {
        if dir.join(".git").symlink_metadata().is_ok() {
            return dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        }
    }
    start.canonicalize().unwrap_or(start)
}

/// `/a/./b/../c` → `/a/c` and `a/../../b` → `../b`, without touching the file system: a path as
/// written, with `.` and `..` resolved lexically (`..` above the root is the root; above a relative
/// start it is kept). Symlinks are not resolved: reads go through [`Reader::resolve`] for that.
pub fn lexical_normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

/// The root of a scan of several paths: their common ancestor's, so that every path named on the
/// command line is inside it.
pub fn common_root(paths: &[PathBuf]) -> PathBuf {
    let mut roots = paths.iter().map(|p| default_root(p));
    let Some(mut common) = roots.next() else {
        return default_root(Path::new("."));
    };
    for r in roots {
        while !r.starts_with(&common) {
            match common.parent() {
                Some(p) => common = p.to_path_buf(),
                None => break,
            }
        }
    }
    common
}

/// UTF-8 (with or without a BOM) or UTF-16 with a BOM (PowerShell's `>` writes UTF-16LE).
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    decode_keeping(bytes).map_err(|(message, _)| message)
}

/// As [`decode`], giving the bytes back beside the message when they are not text, so that the
/// caller can still tell what the file is without reading it again.
pub fn decode_keeping(bytes: Vec<u8>) -> Result<String, (String, Vec<u8>)> {
    let utf16 = |rest: &[u8], le: bool| -> Result<String, String> {
        if !rest.len().is_multiple_of(2) {
            return Err("the file is UTF-16 with an odd number of bytes (truncated?)".into());
        }
        char::decode_utf16(utf16_units(rest, le))
            .collect::<Result<String, _>>()
            .map_err(|e| format!("the file is not valid UTF-16: {e}"))
    };
    let utf8 =
        |bytes: Vec<u8>| String::from_utf8(bytes).map_err(|e| (utf8_message(&e), e.into_bytes()));
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => {
            let text = utf16(rest, true);
            text.map_err(|m| (m, bytes))
        }
        [0xFE, 0xFF, rest @ ..] => {
            let text = utf16(rest, false);
            text.map_err(|m| (m, bytes))
        }
        [0xEF, 0xBB, 0xBF, ..] => {
            // Dropped in place: a copy of the rest would hold the file twice at once.
            let mut bytes = bytes;
            bytes.drain(..3);
            utf8(bytes)
        }
        _ => utf8(bytes),
    }
}

/// The text of bytes that could not be decoded, with replacement characters: only to classify the
/// file (is it a template or a plan that must be reported?), never shown.
pub fn decode_lossy(bytes: &[u8]) -> String {
    match bytes {
        [0xFF, 0xFE, rest @ ..] => char::decode_utf16(utf16_units(rest, true))
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect(),
        [0xFE, 0xFF, rest @ ..] => char::decode_utf16(utf16_units(rest, false))
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn utf16_units(rest: &[u8], le: bool) -> impl Iterator<Item = u16> + '_ {
    rest.chunks_exact(2).map(move |c| {
        let pair = [c[0], c[1]];
        if le {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    })
}

fn utf8_message(e: &std::string::FromUtf8Error) -> String {
    let at = e.utf8_error().valid_up_to();
    // Say where, as a line, so the user can find the byte; never quote it.
    let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
    format!("the file is not UTF-8 text (invalid byte at offset {at}, line {line})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_normalize_resolves_dots_without_the_file_system() {
        let n = |p: &str| lexical_normalize(Path::new(p));
        assert_eq!(n("/a/./b/../c"), Path::new("/a/c"));
        assert_eq!(n("a/../../b"), Path::new("../b"));
        assert_eq!(n("../../x"), Path::new("../../x"));
        assert_eq!(n("/.."), Path::new("/"));
        assert_eq!(n("./"), Path::new(""));
    }

    #[test]
    fn outside_the_root_is_refused_before_reading() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(outer.path().join("secret"), "canary").unwrap();
        std::fs::write(root.join("in.tf"), "x").unwrap();
        let reader = Reader::new(&root);
        assert_eq!(reader.read_text(&root.join("in.tf")).unwrap(), "x");
        let e = reader.read_text(&root.join("../secret")).unwrap_err();
        assert!(matches!(e, ReadError::Outside { .. }), "{e:?}");
        assert!(!e.message().contains("canary"));
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/config"), "token").unwrap();
        let e = reader
            .read_text(&root.join("x/../.git/config"))
            .unwrap_err();
        assert!(matches!(e, ReadError::NotFound), "{e:?}");
        let e = reader.read_text(&root.join(".git/config")).unwrap_err();
        assert!(matches!(e, ReadError::GitDir), "{e:?}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../secret", root.join("link.tf")).unwrap();
            let e = reader.read_text(&root.join("link.tf")).unwrap_err();
            assert!(matches!(e, ReadError::Outside { .. }), "{e:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("main.tf");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = Reader::new(dir.path());
        let e = reader.read_text(&fifo).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular(_)), "{e:?}");
        let reader = Reader::new(Path::new("/"));
        let e = reader.read_text(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular("a device")), "{e:?}");
    }

    #[test]
    fn the_size_limit_applies_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.tf");
        let f = File::create(&big).unwrap();
        f.set_len(10_000).unwrap();
        let mut reader = Reader::new(dir.path());
        reader.max_file_bytes = 1000;
        let e = reader.read_text(&big).unwrap_err();
        assert!(
            matches!(e, ReadError::TooLarge { size: 10_000, .. }),
            "{e:?}"
        );
    }

    #[test]
    fn decoding_errors_say_where() {
        let e = decode(b"a\nb\xE9c".to_vec()).unwrap_err();
        assert!(e.contains("offset 3, line 2"), "{e}");
        assert!(decode(vec![0xFF, 0xFE, b'a']).is_err());
        assert_eq!(decode(vec![0xFF, 0xFE, b'a', 0]).unwrap(), "a");
        assert_eq!(decode_lossy(&[0xFF, 0xFE, b'a', 0, b'b']), "a");
    }

    #[test]
    fn the_root_is_the_git_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("envs/prod")).unwrap();
        let canonical = repo.canonicalize().unwrap();
        assert_eq!(default_root(&repo.join("envs/prod")), canonical);
        let lone = dir.path().join("lone");
        std::fs::create_dir(&lone).unwrap();
        assert_eq!(default_root(&lone), lone.canonicalize().unwrap());
        assert_eq!(
            common_root(&[repo.join("envs"), repo.join("envs/prod")]),
            canonical
        );
        #[cfg(unix)]
        {
            // A committed link to `/` scanned by name: the root is still the repository.
            std::os::unix::fs::symlink("/", repo.join("fs")).unwrap();
            assert_eq!(default_root(&repo.join("fs")), canonical);
        }
        // `..` is taken as written: `repo/../lone` is not inside the repository.
        assert_eq!(
            default_root(&repo.join("../lone")),
            lone.canonicalize().unwrap()
        );
    }
}
