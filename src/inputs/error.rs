//! The one error type for anything read from disk.
//!
//! Every input problem names the file, and where it applies the line and
//! column (both 1-based), and says what was expected. The JSON reports carry
//! the same fields, so a wrapper never has to parse stderr.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// A problem with one input file (or directory), located as precisely as the
/// parser allows. Shown as `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema, thiserror::Error)]
#[error("{}{}: {message}", .file.display(), at(*.line, *.column))]
pub struct InputError {
    /// The file as the user named it (or as gate found it).
    pub file: PathBuf,
    /// 1-based line, where the problem has one.
    pub line: Option<usize>,
    /// 1-based column in characters, where the problem has one.
    pub column: Option<usize>,
    /// What was wrong and what was expected.
    pub message: String,
}

impl InputError {
    /// An error about a whole file.
    pub fn file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self {
            file: file.as_ref().to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// An error at a line and column of a file.
    pub fn at(
        file: impl AsRef<Path>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.as_ref().to_path_buf(),
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }

    /// An error at a byte offset of `text`, the contents of `file`.
    pub fn at_offset(
        file: impl AsRef<Path>,
        text: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_col(text, offset);
        Self::at(file, line, column, message)
    }
}

/// `:line:column`, `:line` or nothing.
fn at(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
/// Offsets past the end clamp to the end; offsets inside a character count
/// that character.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The lines of one text, indexed once so that locating many offsets costs
/// a binary search each, not a scan from the top.
pub struct Lines {
    /// Byte offset of every `\n`.
    breaks: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Self {
        Self {
            breaks: text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// 1-based line of a byte offset, as [`line_of`] gives it.
    pub fn line_of(&self, offset: usize) -> usize {
        self.breaks.partition_point(|&b| b < offset) + 1
    }
}

/// 1-based line of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    line_col(text, offset).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_agree_with_line_of() {
        let text = "a\nbc\n\ndé\n";
        let lines = Lines::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                lines.line_of(offset),
                line_of(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let text = "ab\nçd\nx";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // 'ç' is two bytes; 'd' is the second character of line 2
        assert_eq!(line_col(text, 5), (2, 2));
        assert_eq!(line_col(text, 999), (3, 2));
    }

    #[test]
    fn display_names_file_line_and_column() {
        let e = InputError::at("release.yaml", 3, 5, "unknown key");
        assert_eq!(e.to_string(), "release.yaml:3:5: unknown key");
        assert_eq!(
            InputError::file("x.toml", "not found").to_string(),
            "x.toml: not found"
        );
    }
}
