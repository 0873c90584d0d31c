//! Files written safely. Every result file is written under a unique, unpredictable
//! temporary name in its target folder, created exclusively (`O_CREAT | O_EXCL`, which
//! never follows a link planted at that name), and renamed over the target when
//! complete (a rename replaces a link at the target, it does not write through it).
//! Two runs into one folder never share a temporary; a failed write leaves none behind.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A name no other process or thread is using: process id, a counter and 64 random bits.
pub fn unique_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_usize(n);
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{}.{n}.{:016x}", std::process::id(), h.finish())
}

/// Writes a file through `write(tmp_path)` and renames it into place on success.
pub fn atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", unique_suffix()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    let result = write(&tmp);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result.with_context(|| format!("writing {}", path.display()));
    }
    std::fs::rename(&tmp, path).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("renaming {} to {}", tmp.display(), path.display())
    })
}

/// A short, escaped excerpt of text read from a file, for an error message: a file that
/// is not what it should be (a mesh path pointing at a secret) is never echoed.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 12;
    let short: String = text.chars().take(MAX).collect();
    let more = if text.chars().count() > MAX {
        "…"
    } else {
        ""
    };
    format!("{}{more}", short.escape_debug())
}

/// A folder only this process can use (mode 0700 on Unix), removed when dropped: for
/// intermediate files such as the mesh Gmsh writes.
pub struct PrivateDir(PathBuf);

impl PrivateDir {
    pub fn new() -> Result<Self> {
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        let path = std::env::temp_dir().join(format!("vproto-{}", unique_suffix()));
        builder
            .create(&path)
            .with_context(|| format!("cannot create a private folder {}", path.display()))?;
        Ok(Self(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planted_link_is_replaced_not_written_through() {
        let dir = std::env::temp_dir().join(format!("vproto-files-test-{}", unique_suffix()));
        std::fs::create_dir(&dir).unwrap();
        let outside = dir.join("outside.txt");
        std::fs::write(&outside, "precious").unwrap();
        let target = dir.join("result.json");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, &target).unwrap();
        // The old fixed temporary name, planted as a link, is not used either.
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, dir.join("result.json.tmp")).unwrap();
        atomically(&target, |tmp| Ok(std::fs::write(tmp, "new")?)).unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(!std::fs::symlink_metadata(&target)
            .unwrap()
            .file_type()
            .is_symlink());
        // A failed write leaves no temporary behind.
        let e = atomically(&dir.join("x.h5"), |_| anyhow::bail!("disk full"));
        assert!(e.is_err());
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            left.iter()
                .all(|n| !n.to_string_lossy().starts_with(".x.h5")),
            "{left:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn excerpts_are_short_and_escaped() {
        let secret = "root:$6$abcdefghijklmnopqrstuvwxyz0123456789:19000:0:99999:7:::\n";
        let e = excerpt(secret);
        assert!(
            e.len() < 20 && !e.contains("abcdef") && e.ends_with('…'),
            "{e}"
        );
        assert_eq!(excerpt("a\u{1b}[31m"), "a\\u{1b}[31m");
    }

    #[test]
    fn private_folders_are_unique_and_removed() {
        let (a, b) = (PrivateDir::new().unwrap(), PrivateDir::new().unwrap());
        assert_ne!(a.path(), b.path());
        let p = a.path().to_path_buf();
        drop(a);
        assert!(!p.exists());
    }
}
