//! consentlens: how a website asks for consent, and what it shares before and after the answer.
//!
//! The pipeline, one module per stage (DESIGN.md, `docs/methodology.md`):
//! [`visit`] → detect → measure → explore → decode → judge → report.
//! [`evaluate`] runs them for one site.

pub mod browser;
pub mod crawl;
pub mod decode;
pub mod detect;
pub mod engine;
pub mod error;
pub mod evaluate;
pub mod explore;
#[doc(hidden)]
pub mod fuzzing;
pub mod judge;
pub mod measure;
pub mod model;
pub mod report;
pub mod store;
pub mod visit;
pub mod webserver;

pub use error::{Error, Result};
pub use model::*;

#[cfg(feature = "python")]
mod python;
