//! The small I/O abstraction of the writer, so that tests can inject disk failures
//! (tests run as root, where `chmod` does not stop writes).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// A file the writer appends to.
pub trait AuditFile: Send {
    /// Appends all of `buf`.
    fn append(&mut self, buf: &[u8]) -> io::Result<()>;
    /// Makes appended data durable (`fdatasync`).
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts the file to `len` bytes (undoing a failed partial append).
    fn truncate(&mut self, len: u64) -> io::Result<()>;
}

/// File-system operations of the writer.
pub trait AuditIo: Send + Sync + 'static {
    /// Opens `path` for appending, creating it if absent.
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn AuditFile>>;
    /// Makes directory entries (new or removed files) durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Removes a file.
    fn remove(&self, path: &Path) -> io::Result<()>;
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct StdIo;

struct StdFile(File);

impl AuditFile for StdFile {
    fn append(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)?;
        self.0.sync_all()
    }
}

impl AuditIo for StdIo {
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn AuditFile>> {
        let mut o = OpenOptions::new();
        o.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        Ok(Box::new(StdFile(o.open(path)?)))
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }
}
