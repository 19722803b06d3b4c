//! Turns SQLite's errors into [`Error::Store`] messages that say what happened to the study and
//! what to do about it. Every store call goes through here, so the wording is decided once.

use std::path::Path;

use rusqlite::ErrorCode;

use crate::error::Error;

/// The study `path` failed with `error`.
pub(super) fn store_error(path: &Path, error: rusqlite::Error) -> Error {
    let message = match &error {
        // Some writes on a full disk (the shared-memory file of a study being opened, among
        // them) come back as a plain I/O error: the free space tells them apart.
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.code == ErrorCode::SystemIoFailure && no_space_left(path) =>
        {
            format!(
                "disk full: the disk holding the study has no space left, and nothing was \
                 written; free some space and run again to resume where it stopped \
                 (SQLite: {error})"
            )
        }
        rusqlite::Error::SqliteFailure(failure, _) => match explain(failure.code) {
            Some(explanation) => format!("{explanation} (SQLite: {error})"),
            None => format!("SQLite: {error}"),
        },
        _ => format!("SQLite: {error}"),
    };
    Error::Store {
        path: path.to_path_buf(),
        message,
    }
}

/// A message about the study that is not an SQLite error (bad stored JSON, a refused file).
pub(super) fn store_message(path: &Path, message: impl Into<String>) -> Error {
    Error::Store {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Whether the file system holding `path` has (all but) no space left for this user.
fn no_space_left(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(folder) = std::ffi::CString::new(folder.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid C string and a zeroed struct that statvfs fills.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(folder.as_ptr(), &mut stats) } != 0 {
        return false;
    }
    // Less than SQLite's smallest shared-memory region (32 KiB) is as good as full.
    (stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64) < 32 * 1024
}

fn explain(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        // A failed write is rolled back whole, so the advice to resume is safe.
        ErrorCode::DiskFull => {
            "disk full: this write was rolled back and the study is intact; free some space \
             and run again to resume where it stopped"
        }
        ErrorCode::DatabaseCorrupt => {
            "the study file is corrupt (was it copied while a crawl was writing, or stored on a \
             network file system?)"
        }
        ErrorCode::NotADatabase => "this file is not an SQLite database",
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
            "the study is locked by another process (is another crawl writing to it?)"
        }
        ErrorCode::ReadOnly => "the study file is read-only",
        ErrorCode::PermissionDenied => "permission denied",
        ErrorCode::CannotOpen => {
            "cannot open the study file (does its folder exist, and may this user write there?)"
        }
        ErrorCode::SystemIoFailure => "the disk reported an I/O error",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: std::os::raw::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn disk_full_says_so_and_how_to_recover() {
        let error = store_error(Path::new("s.sqlite"), failure(rusqlite::ffi::SQLITE_FULL));
        let Error::Store { path, message } = error else {
            panic!("expected a store error");
        };
        assert_eq!(path, Path::new("s.sqlite"));
        assert!(message.starts_with("disk full"), "{message}");
        assert!(message.contains("resume"), "{message}");
    }

    #[test]
    fn unexplained_errors_keep_sqlites_words() {
        let error = store_error(
            Path::new("s.sqlite"),
            failure(rusqlite::ffi::SQLITE_MISMATCH),
        );
        assert_eq!(error.kind(), "store");
        let Error::Store { message, .. } = error else {
            panic!("expected a store error");
        };
        assert!(message.starts_with("SQLite: "), "{message}");
    }
}
