//! The local journal sink: `<state>.journal`, a header line then one line per entry, each batch
//! written with one `write` and one `fdatasync` (group commit).
//!
//! A kill mid-write leaves a torn tail without its newline: reading ignores it and `begin` cuts
//! it off before appending.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;

use crate::error::StateError;
use crate::fsio;
use crate::journal;
use crate::store::{Fence, JournalContents, JournalHeader, JournalSink};

/// The journal file beside a local state file.
#[derive(Debug)]
pub struct LocalJournal {
    path: PathBuf,
    file: Mutex<Option<File>>,
}

impl LocalJournal {
    /// The journal of the state file at `state_path`: `<state_path>.journal`.
    pub fn new(state_path: PathBuf) -> Self {
        LocalJournal {
            path: fsio::with_suffix(&state_path, ".journal"),
            file: Mutex::new(None),
        }
    }

    /// The journal file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn create(&self, header: &JournalHeader) -> Result<(), StateError> {
        let mut line = serde_json::to_vec(header).map_err(|error| StateError::Corrupt {
            detail: format!("could not encode the journal header: {error}"),
        })?;
        line.push(b'\n');
        let mut file = fsio::create_private(&self.path)?;
        file.write_all(&line)
            .and_then(|()| file.sync_data())
            .map_err(|error| StateError::io("write", &self.path, error))?;
        fsio::sync_dir(&fsio::parent_dir(&self.path))
    }
}

/// What the file holds: the header (if its line is complete and readable), the complete entry
/// lines, and the length of the prefix made of complete lines.
struct Parsed {
    header: Option<JournalHeader>,
    entries: Vec<Vec<u8>>,
    complete_len: u64,
}

fn parse(path: &Path) -> Result<Option<Parsed>, StateError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(StateError::io("read", path, error)),
    };
    let Some(end) = bytes.iter().rposition(|&byte| byte == b'\n') else {
        return Ok(Some(Parsed {
            header: None,
            entries: Vec::new(),
            complete_len: 0,
        }));
    };
    let mut lines = bytes[..end].split(|&byte| byte == b'\n');
    let header_line = lines.next().unwrap_or_default();
    let header: JournalHeader =
        serde_json::from_slice(header_line).map_err(|error| StateError::Corrupt {
            detail: format!("journal {} line 1: {error}", path.display()),
        })?;
    journal::check_header(&header)?;
    Ok(Some(Parsed {
        header: Some(header),
        entries: lines.map(<[u8]>::to_vec).collect(),
        complete_len: end as u64 + 1,
    }))
}

#[async_trait]
impl JournalSink for LocalJournal {
    async fn begin(
        &self,
        header: &JournalHeader,
        _fence: Option<&Fence>,
    ) -> Result<(), StateError> {
        let complete_len = match parse(&self.path)? {
            None => {
                self.create(header)?;
                None
            }
            Some(Parsed { header: None, .. }) => {
                // Only a torn header: nothing was ever journalled. Start over.
                fs::remove_file(&self.path)
                    .map_err(|error| StateError::io("remove", &self.path, error))?;
                self.create(header)?;
                None
            }
            Some(Parsed {
                header: Some(found),
                complete_len,
                ..
            }) => {
                if found.lineage != header.lineage || found.serial != header.serial {
                    return Err(StateError::JournalMismatch {
                        location: self.location(),
                        journal_lineage: found.lineage,
                        journal_serial: found.serial,
                        state_lineage: header.lineage.clone(),
                        state_serial: header.serial,
                    });
                }
                Some(complete_len)
            }
        };
        let file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(|error| StateError::io("open", &self.path, error))?;
        if let Some(complete_len) = complete_len {
            file.set_len(complete_len)
                .map_err(|error| StateError::io("truncate torn tail of", &self.path, error))?;
        }
        *self.file.lock().unwrap_or_else(|p| p.into_inner()) = Some(file);
        Ok(())
    }

    async fn append(&self, entries: &[Vec<u8>], _fence: Option<&Fence>) -> Result<(), StateError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut batch = Vec::with_capacity(entries.iter().map(|e| e.len() + 1).sum());
        for entry in entries {
            batch.extend_from_slice(entry);
            batch.push(b'\n');
        }
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let file = guard.as_mut().ok_or_else(|| StateError::Corrupt {
            detail: format!(
                "journal {} was appended to before it was begun",
                self.location()
            ),
        })?;
        file.write_all(&batch)
            .and_then(|()| file.sync_data())
            .map_err(|error| StateError::io("append to", &self.path, error))
    }

    async fn read(&self) -> Result<Option<JournalContents>, StateError> {
        Ok(parse(&self.path)?.map(|parsed| JournalContents {
            header: parsed.header,
            entries: parsed.entries,
        }))
    }

    async fn clear(&self, _fence: Option<&Fence>) -> Result<(), StateError> {
        self.file.lock().unwrap_or_else(|p| p.into_inner()).take();
        match fs::metadata(&self.path) {
            Ok(_) => fsio::remove_durably(&self.path),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(StateError::io("inspect", &self.path, error)),
        }
    }
}
