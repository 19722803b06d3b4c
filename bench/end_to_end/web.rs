//! The fixture web of the end-to-end benchmark: `n` sites under distinct host names, generated at
//! bench time into a temporary folder as copies of the test suite's fixture sites
//! (`tests/sites`), cycling through the templates below. Tracker hosts (`www.facebook.com`, …)
//! need no folder: the fixture server answers them as sinks.
//!
//! Each template also says what a site-specific script with perfect knowledge does on it (the
//! floor, `floor.rs`): which button texts to click, in order, for each answer, and which
//! subpage the evaluation visits after an answer. The harness checks these plans against what
//! the evaluation really did and prints any difference.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One step of an answer, as the floor performs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Click the visible button or link with exactly this text.
    Click(&'static str),
    /// Click every ticked, enabled purpose switch of the dialog, so that it ends unticked.
    UntickAll,
}

/// A fixture site copied into the benchmark web.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Folder (host name) under `tests/sites`.
    pub host: &'static str,
    /// Steps to "accept all"; empty when the site has no consent dialog.
    pub accept: &'static [Action],
    pub reject: &'static [Action],
    /// The same-site page the evaluation opens after an answer, if the site links to one.
    pub subpage: Option<&'static str>,
}

use Action::{Click, UntickAll};

const ACCEPT_ALL: &[Action] = &[Click("Accept all")];
const REJECT_ALL: &[Action] = &[Click("Reject all")];
const GODTA: &[Action] = &[Click("Godta alle")];
const AVVIS: &[Action] = &[Click("Avvis alle")];

/// The templates: dialog designs, click paths and the Datatilsynet-style tracker sites, plus two
/// sites without a dialog. Left out: fixtures that need a helper host of their own
/// (`dialog-iframe`, `dialog-shadow-closed`), error and hostile fixtures (they measure failure
/// handling, not throughput), and non-consent overlays.
pub const TEMPLATES: &[Template] = &[
    Template {
        host: "dialog-equal.test",
        accept: ACCEPT_ALL,
        reject: REJECT_ALL,
        subpage: None,
    },
    Template {
        host: "dialog-lowcontrast.test",
        accept: ACCEPT_ALL,
        reject: REJECT_ALL,
        subpage: None,
    },
    Template {
        host: "dialog-link.test",
        accept: &[Click("Accept")],
        reject: &[Click("Decline")],
        subpage: None,
    },
    Template {
        host: "dialog-settings-only.test",
        accept: ACCEPT_ALL,
        reject: &[Click("Settings"), Click("Reject all")],
        subpage: None,
    },
    Template {
        host: "dialog-preticked.test",
        accept: ACCEPT_ALL,
        reject: REJECT_ALL,
        subpage: None,
    },
    Template {
        host: "dialog-shadow-open.test",
        accept: ACCEPT_ALL,
        reject: REJECT_ALL,
        subpage: None,
    },
    Template {
        host: "dialog-no.test",
        accept: GODTA,
        reject: AVVIS,
        subpage: None,
    },
    Template {
        host: "dialog-de.test",
        accept: &[Click("Alle akzeptieren")],
        reject: &[Click("Nur notwendige")],
        subpage: None,
    },
    Template {
        host: "dialog-fr.test",
        accept: &[Click("Tout accepter")],
        reject: &[Click("Tout refuser")],
        subpage: None,
    },
    Template {
        host: "dialog-late.test",
        accept: ACCEPT_ALL,
        reject: REJECT_ALL,
        subpage: None,
    },
    Template {
        host: "paths-first-layer.test",
        accept: ACCEPT_ALL,
        reject: REJECT_ALL,
        subpage: Some("/about.html"),
    },
    Template {
        host: "paths-settings.test",
        accept: ACCEPT_ALL,
        reject: &[Click("Settings"), Click("Reject all")],
        subpage: Some("/about.html"),
    },
    Template {
        host: "paths-toggles.test",
        accept: ACCEPT_ALL,
        reject: &[Click("Settings"), UntickAll, Click("Save")],
        subpage: Some("/about.html"),
    },
    Template {
        host: "paths-honoured.test",
        accept: ACCEPT_ALL,
        reject: REJECT_ALL,
        subpage: Some("/about.html"),
    },
    Template {
        host: "paths-ignored-reject.test",
        accept: ACCEPT_ALL,
        reject: REJECT_ALL,
        subpage: Some("/about.html"),
    },
    Template {
        host: "paths-tcf.test",
        accept: ACCEPT_ALL,
        reject: REJECT_ALL,
        subpage: Some("/about.html"),
    },
    Template {
        host: "health-info.test",
        accept: GODTA,
        reject: AVVIS,
        subpage: Some("/sykdommer/erektil-dysfunksjon/"),
    },
    Template {
        host: "pharmacy.test",
        accept: GODTA,
        reject: AVVIS,
        subpage: Some("/produkt/clearblue-graviditetstest/"),
    },
    Template {
        host: "donation.test",
        accept: GODTA,
        reject: AVVIS,
        subpage: Some("/gave/"),
    },
    Template {
        host: "childchat.test",
        accept: GODTA,
        reject: AVVIS,
        subpage: Some("/barn-av-innsatte/"),
    },
    Template {
        host: "compliant.test",
        accept: GODTA,
        reject: AVVIS,
        subpage: Some("/om-oss.html"),
    },
    Template {
        host: "no-dialog.test",
        accept: &[],
        reject: &[],
        subpage: None,
    },
    Template {
        host: "footer-only.test",
        accept: &[],
        reject: &[],
        subpage: None,
    },
];

/// One generated site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Site {
    pub url: String,
    /// Index into [`TEMPLATES`].
    pub template: usize,
}

impl Site {
    pub fn template(&self) -> &'static Template {
        &TEMPLATES[self.template]
    }
}

/// A generated web: its root folder (deleted on drop) and its sites.
pub struct Web {
    root: tempfile::TempDir,
    pub sites: Vec<Site>,
}

impl Web {
    pub fn root(&self) -> &Path {
        self.root.path()
    }
}

/// Generates `count` sites from the fixtures under `sites_root`: site `i` is a copy of template
/// `i mod TEMPLATES.len()` named `<template-stem>-<i>.test`, with every mention of the template's
/// own host name in its files rewritten to the new name.
pub fn generate(sites_root: &Path, count: usize) -> io::Result<Web> {
    let root = tempfile::Builder::new()
        .prefix("consentlens-bench-web-")
        .tempdir()?;
    let mut sites = Vec::with_capacity(count);
    for i in 0..count {
        let template_index = i % TEMPLATES.len();
        let template = &TEMPLATES[template_index];
        let from = sites_root.join(template.host);
        if !from.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("fixture site {} is missing", from.display()),
            ));
        }
        let stem = template.host.trim_end_matches(".test");
        let host = format!("{stem}-{i:04}.test");
        copy_site(&from, &root.path().join(&host), template.host, &host)?;
        sites.push(Site {
            url: format!("https://{host}/"),
            template: template_index,
        });
    }
    // Scripts that several fixtures share, served by every site under `/_shared/`.
    let shared = sites_root.join("_shared");
    if shared.is_dir() {
        copy_site(&shared, &root.path().join("_shared"), "", "")?;
    }
    Ok(Web { root, sites })
}

fn copy_site(from: &Path, to: &Path, old_host: &str, new_host: &str) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_site(&entry.path(), &target, old_host, new_host)?;
            continue;
        }
        let bytes = fs::read(entry.path())?;
        match String::from_utf8(bytes) {
            Ok(text) if !old_host.is_empty() => {
                fs::write(&target, text.replace(old_host, new_host))?
            }
            Ok(text) => fs::write(&target, text)?,
            Err(binary) => fs::write(&target, binary.into_bytes())?,
        }
    }
    Ok(())
}
