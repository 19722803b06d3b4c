//! consentlens: how a website asks for consent, and what it shares before and after the answer.
//!
//! The pipeline, one module per stage (see `docs/` and DESIGN.md):
//! visit → detect → measure → explore → decode → judge → report.

pub mod error;
pub mod model;
pub mod visit;

pub use error::{Error, Result};
pub use model::*;
