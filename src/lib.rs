//! consentlens: how a website asks for consent, and what it shares before and after the answer.
//!
//! The pipeline, one module per stage (DESIGN.md, `docs/methodology.md`):
//! [`visit`] → detect → measure → explore → decode → judge → report.
//! [`evaluate`] runs them for one site.

pub mod browser;
pub mod engine;
pub mod error;
pub mod evaluate;
pub mod judge;
pub mod model;
pub mod report;
pub mod store;
pub mod visit;
pub mod webserver;

pub use error::{Error, Result};
pub use model::*;
