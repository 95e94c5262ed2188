//! The first-run setup gate. While no owner exists, a one-time token is printed to the log
//! and written to `DATA_DIR/setup-token` (mode 0600); `/setup` needs it to create the owner.
//! After the owner exists the gate is closed for good and the file is deleted.

use super::token::{random_token, secrets_equal};
use crate::secret::SecretString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file name of the setup token inside the data dir.
pub const SETUP_TOKEN_FILE: &str = "setup-token";

pub struct SetupGate {
    token: Mutex<Option<String>>,
    path: PathBuf,
}

impl SetupGate {
    /// A gate for an instance that already has an owner. Removes a left-over token file.
    pub fn closed(data_dir: &Path) -> Self {
        let path = data_dir.join(SETUP_TOKEN_FILE);
        let _ = std::fs::remove_file(&path);
        Self { token: Mutex::new(None), path }
    }

    /// A gate that is closed and touches no file: for command-line tools that must not
    /// consume or delete a pending setup token.
    #[must_use]
    pub fn detached() -> Self {
        Self { token: Mutex::new(None), path: PathBuf::new() }
    }

    /// Opens the gate with `fixed` or a fresh random token, written to the token file.
    /// Returns the gate and the token, which the caller prints once.
    pub fn open(data_dir: &Path, fixed: Option<&SecretString>) -> std::io::Result<(Self, String)> {
        let token = fixed.map_or_else(|| random_token(24), |s| s.expose().to_owned());
        let path = data_dir.join(SETUP_TOKEN_FILE);
        write_private(&path, &token)?;
        Ok((Self { token: Mutex::new(Some(token.clone())), path }, token))
    }

    #[must_use]
    pub fn is_open(&self) -> bool {
        self.lock().is_some()
    }

    /// Whether `candidate` is the current setup token (constant-time).
    #[must_use]
    pub fn verify(&self, candidate: &str) -> bool {
        self.lock().as_deref().is_some_and(|t| secrets_equal(t, candidate.trim()))
    }

    /// Closes the gate after the owner was created and deletes the token file.
    pub fn close(&self) {
        *self.lock() = None;
        if self.path.as_os_str().is_empty() {
            return;
        }
        if let Err(e) = std::fs::remove_file(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %self.path.display(), error = %e, "could not delete the used setup token file");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.token.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Writes `content` to `path` readable by the owner only.
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(content.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn opening_writes_a_private_token_file_and_closing_deletes_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (gate, token) = SetupGate::open(dir.path(), None).expect("opens");
        let path = dir.path().join(SETUP_TOKEN_FILE);
        let meta = std::fs::metadata(&path).expect("file exists");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).expect("reads").trim(), token);
        assert!(gate.verify(&token));
        assert!(gate.verify(&format!(" {token}\n")), "pasted whitespace is tolerated");
        assert!(!gate.verify("wrong"));
        gate.close();
        assert!(!gate.is_open());
        assert!(!gate.verify(&token), "a used token never works again");
        assert!(!path.exists());
    }

    #[test]
    fn a_fixed_token_from_config_is_used_as_is() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fixed = SecretString::new("automated-install-token");
        let (gate, token) = SetupGate::open(dir.path(), Some(&fixed)).expect("opens");
        assert_eq!(token, "automated-install-token");
        assert!(gate.verify("automated-install-token"));
    }

    #[test]
    fn a_closed_gate_removes_a_stale_token_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(SETUP_TOKEN_FILE), "old").expect("writes");
        let gate = SetupGate::closed(dir.path());
        assert!(!gate.is_open());
        assert!(!dir.path().join(SETUP_TOKEN_FILE).exists());
    }
}
