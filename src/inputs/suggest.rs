//! "Did you mean" for unknown keys, environments and check ids.
//!
//! serde's derived `deny_unknown_fields` reports
//! ``unknown field `x`, expected one of `a`, `b` `` (a stable message of
//! `serde::de::Error::unknown_field`); [`enrich_unknown_field`] adds the
//! closest candidate to it, so every parser gets suggestions for free.

/// The candidate closest to `word`, when one is close enough to be a typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "; did you mean `x`?" or nothing.
pub fn hint<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match did_you_mean(word, candidates) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}

/// Rewrites serde's unknown-field message into gate's words, with a
/// suggestion: ``unknown key `atestations`; did you mean `attestations`?
/// (expected one of `version`, `attestations`, `not_applicable`)``.
/// Any other message is returned unchanged.
pub fn enrich_unknown_field(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some(end) = rest.find('`') else {
        return message.to_string();
    };
    let field = &rest[..end];
    let tail = &rest[end + 1..];
    let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    let list = expected
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = hint(field, expected.iter().copied());
    if expected.is_empty() {
        format!("unknown key `{field}`; this table takes no keys")
    } else {
        format!("unknown key `{field}`{hint} (expected one of {list})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("atestations", ["version", "attestations"]),
            Some("attestations")
        );
        assert_eq!(
            did_you_mean("rollback_test", ["rollback_tested", "oncall_notified"]),
            Some("rollback_tested")
        );
        assert_eq!(did_you_mean("zzz", ["version", "attestations"]), None);
    }

    #[test]
    fn enriches_serde_unknown_field() {
        let m = "unknown field `atestations`, expected one of `version`, `attestations`, `not_applicable`";
        assert_eq!(
            enrich_unknown_field(m),
            "unknown key `atestations`; did you mean `attestations`? (expected one of `version`, `attestations`, `not_applicable`)"
        );
        assert_eq!(
            enrich_unknown_field("unknown field `x`, expected `by`"),
            "unknown key `x` (expected one of `by`)"
        );
        assert_eq!(enrich_unknown_field("invalid type"), "invalid type");
    }
}
