//! A value refused, with the reason: what a parser of one field or one name
//! says. The caller places it (file, line, flag) as an
//! [`InputError`](crate::inputs::error::InputError) or a usage error.

/// Why a value was refused, in words that complete "`<value>` …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

impl From<String> for Refused {
    fn from(why: String) -> Self {
        Refused(why)
    }
}

impl From<&str> for Refused {
    fn from(why: &str) -> Self {
        Refused(why.to_string())
    }
}

impl From<Refused> for String {
    fn from(r: Refused) -> Self {
        r.0
    }
}
