//! TOML parsing with located errors (gate.toml, pyproject.toml, Cargo.toml).

use std::path::Path;

use serde::de::DeserializeOwned;

use super::error::InputError;
use super::suggest::enrich_unknown_field;

/// Parses `text` (the contents of `file`) into `T`. An empty file is an
/// error: it is far likelier a cut write than a wish for the defaults.
pub fn from_str<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T, InputError> {
    let has_content = text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    if !has_content {
        return Err(InputError::file(
            file,
            "is empty; expected TOML settings (delete the file to mean \"none\")",
        ));
    }
    toml::from_str(text).map_err(|e| {
        let message = enrich_unknown_field(e.message());
        match e.span() {
            Some(span) => InputError::at_offset(file, text, span.start, message),
            None => InputError::file(file, message),
        }
    })
}

/// The 1-based line of a byte offset, for `toml::Spanned` values.
pub fn line_of_span(text: &str, span: std::ops::Range<usize>) -> usize {
    super::error::line_of(text, span.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct C {
        changelog: Option<String>,
    }

    #[test]
    fn errors_are_located_and_suggest() {
        let e = from_str::<C>(Path::new("gate.toml"), "\nchangelg = 'x'\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("did you mean `changelog`?"), "{e}");
        let e = from_str::<C>(Path::new("gate.toml"), "changelog = \n").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        for empty in ["", "\n", "# only a comment\n"] {
            let e = from_str::<C>(Path::new("gate.toml"), empty).unwrap_err();
            assert!(e.message.contains("is empty"), "{e}");
        }
    }
}
