//! The only module that touches the YAML parser.
//!
//! serde_yaml is no longer maintained upstream; keeping every YAML call here
//! means swapping it changes one file. Errors come back as [`InputError`]s
//! with the file, line and column, and unknown keys get a did-you-mean.

use std::path::Path;

use serde::de::{DeserializeOwned, DeserializeSeed};

use super::error::InputError;
use super::suggest::enrich_unknown_field;

/// The most bytes a YAML input may hold: release.yaml is written by hand,
/// and the cap bounds the parser's work (see [`MAX_FLOW_OPENERS`]).
pub const MAX_YAML_BYTES: usize = 1 << 20;

/// The most `[` and `{` a YAML input may hold, counted anywhere, quoted text
/// and comments too. libyaml scans every open flow collection for each token,
/// so its time grows with tokens × flow nesting: a megabyte of `[` ran for
/// over ten minutes. Counting the openers bounds the nesting without a
/// second YAML lexer, and 128 × [`MAX_YAML_BYTES`] keeps the worst case under
/// a second.
pub const MAX_FLOW_OPENERS: usize = 128;

/// Parses `text` (the contents of `file`) into `T`.
pub fn from_str<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T, InputError> {
    admit(file, text)?;
    serde_yaml::from_str(text).map_err(|e| to_input_error(file, &e))
}

/// Parses `text` with a seed that carries run-time context (for instance the
/// attestation ids that gate.toml configures).
pub fn from_str_seed<'de, S: DeserializeSeed<'de>>(
    file: &Path,
    text: &'de str,
    seed: S,
) -> Result<S::Value, InputError> {
    admit(file, text)?;
    let de = serde_yaml::Deserializer::from_str(text);
    seed.deserialize(de).map_err(|e| to_input_error(file, &e))
}

/// The checks made before the parser sees `text`: its size, its flow
/// collections, and that it holds something.
fn admit(file: &Path, text: &str) -> Result<(), InputError> {
    if text.len() > MAX_YAML_BYTES {
        return Err(InputError::file(
            file,
            format!(
                "is {} bytes, over the 1 MiB limit for YAML input",
                text.len()
            ),
        ));
    }
    if let Some((at, _)) = text.match_indices(['[', '{']).nth(MAX_FLOW_OPENERS) {
        return Err(InputError::at_offset(
            file,
            text,
            at,
            format!(
                "holds more than {MAX_FLOW_OPENERS} flow collections (`[` or `{{`, counted in \
                 quoted text and comments too), gate's limit for YAML input; \
                 write lists and mappings in block style"
            ),
        ));
    }
    reject_empty(file, text)
}

fn reject_empty(file: &Path, text: &str) -> Result<(), InputError> {
    let has_content = text
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#') && l.trim() != "---");
    if has_content {
        Ok(())
    } else {
        Err(InputError::file(file, "is empty; expected a YAML mapping"))
    }
}

fn to_input_error(file: &Path, e: &serde_yaml::Error) -> InputError {
    let full = e.to_string();
    match e.location() {
        Some(loc) => {
            // The location is ours to report; drop serde_yaml's copy of it.
            let suffix = format!(" at line {} column {}", loc.line(), loc.column());
            let message = full.replacen(&suffix, "", 1);
            // serde_yaml prefixes nested errors with their path ("attestations.x: ...")
            InputError::at(file, loc.line(), loc.column(), tidy(&message))
        }
        None => InputError::file(file, tidy(&full)),
    }
}

fn tidy(message: &str) -> String {
    // Keep a "path: " prefix, enrich what follows it.
    if let Some(i) = message.find("unknown field `") {
        let (prefix, rest) = message.split_at(i);
        return format!("{prefix}{}", enrich_unknown_field(rest));
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        version: String,
        attestations: Option<std::collections::BTreeMap<String, String>>,
    }

    #[test]
    fn unknown_key_has_location_and_suggestion() {
        let e =
            from_str::<Doc>(Path::new("r.yaml"), "version: '1'\natestations: {}\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("did you mean `attestations`?"), "{e}");
    }

    #[test]
    fn empty_and_comment_only_files_are_errors() {
        for text in ["", "\n\n", "# nothing\n---\n"] {
            let e = from_str::<Doc>(Path::new("r.yaml"), text).unwrap_err();
            assert!(e.message.contains("is empty"), "{e}");
        }
    }

    #[test]
    fn flow_openers_and_size_are_bounded_before_parsing() {
        let at_limit = format!("version: '1'\nx: {}{}\n", "[".repeat(64), "]".repeat(64))
            + &format!("y: {}{}\n", "{".repeat(64), "}".repeat(64));
        assert!(from_str::<serde_yaml::Value>(Path::new("r.yaml"), &at_limit).is_ok());
        let over = format!("version: '1'\n# [\n{at_limit}");
        let e = from_str::<serde_yaml::Value>(Path::new("r.yaml"), &over).unwrap_err();
        assert_eq!((e.line, e.column), (Some(5), Some(67)), "{e}");
        assert!(e.message.contains("more than 128 flow collections"), "{e}");
        let big = format!("version: '1'\n{}", "#\n".repeat(MAX_YAML_BYTES / 2));
        let e = from_str::<serde_yaml::Value>(Path::new("r.yaml"), &big).unwrap_err();
        assert!(e.message.contains("over the 1 MiB limit"), "{e}");
    }

    #[test]
    fn alias_bomb_is_refused_not_expanded() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            text.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        text.push_str("version: '1'\n");
        let r = from_str::<serde_yaml::Value>(Path::new("bomb.yaml"), &text);
        assert!(r.is_err(), "an alias bomb must be refused");
    }
}
