//! Configuration: what governs each file. [`settings`] reads one configuration file (TOML, or a
//! `pyproject.toml` table) and the run-wide keys; [`project`] what the project's packaging files
//! declare of its versions; [`resolve`] finds the configuration governing a
//! path (nested configurations, the project's versions, trusted packs) and builds its rule set;
//! [`discover`] walks the paths of a run, honouring [`filters`] (excludes, `.gitignore`).

pub mod discover;
pub mod filters;
pub mod project;
pub mod resolve;
pub mod settings;
