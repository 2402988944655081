//! `gate schema`: the JSON Schemas of gate's inputs and of its decision,
//! generated from the Rust types that parse and produce them.

use serde_json::{json, Value};

/// The schemas `gate schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// release.yaml
    ReleaseYaml,
    /// gate.toml
    GateToml,
    /// An override file
    Override,
    /// The decision JSON (`--format json`)
    Decision,
}

/// One schema as JSON.
pub fn of(kind: SchemaKind) -> Value {
    let s = match kind {
        SchemaKind::ReleaseYaml => schemars::schema_for!(crate::inputs::manifest::ManifestSchema),
        SchemaKind::GateToml => schemars::schema_for!(crate::inputs::config::RawConfig),
        SchemaKind::Override => schemars::schema_for!(crate::inputs::override_file::OverrideData),
        SchemaKind::Decision => schemars::schema_for!(crate::decision::Decision),
    };
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// Every schema, by the name of what it describes.
pub fn all() -> Value {
    json!({
        "release.yaml": of(SchemaKind::ReleaseYaml),
        "gate.toml": of(SchemaKind::GateToml),
        "override": of(SchemaKind::Override),
        "decision": of(SchemaKind::Decision),
    })
}
