//! Finding the Chromium executable: never downloaded, always the one the machine has.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Names tried on `PATH`, in order.
const CANDIDATES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// `CONSENTLENS_CHROME` when set (it must exist), else the first candidate on `PATH`.
pub fn find_chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CONSENTLENS_CHROME").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(Error::LaunchFailed {
                path,
                message: "CONSENTLENS_CHROME does not name an executable file".into(),
            })
        };
    }
    let search_path = std::env::var_os("PATH").unwrap_or_default();
    find_on_path(&search_path).ok_or(Error::BrowserNotFound)
}

fn find_on_path(search_path: &std::ffi::OsStr) -> Option<PathBuf> {
    CANDIDATES.iter().find_map(|name| {
        std::env::split_paths(search_path)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_candidate_on_path_and_nothing_on_an_empty_path() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(find_on_path(dir.path().as_os_str()), None);
        let fake = dir.path().join("google-chrome");
        std::fs::write(&fake, "#!/bin/sh\n").unwrap();
        // Not executable yet: not a candidate.
        assert_eq!(find_on_path(dir.path().as_os_str()), None);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_on_path(dir.path().as_os_str()), Some(fake));
    }

    #[test]
    fn the_missing_browser_error_says_how_to_install_it() {
        let message = Error::BrowserNotFound.to_string();
        assert!(message.contains("apt-get install -y chromium"), "{message}");
        assert!(message.contains("CONSENTLENS_CHROME"), "{message}");
    }
}
