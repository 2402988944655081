//! People's names as overrides and attestations write them, compared the
//! way a reviewer would: `Alice Dev`, `alice dev`, `Ａｌｉｃｅ Dev`,
//! `Alice  Dev`, `Alice Dev <alice@example.com>`, `alice@example.com` and
//! the login `alice` are all one person.
//!
//! A name is refused outright when it holds a control, format or separator
//! character (`U+200B`, `U+202E`, a newline) or when one of its words mixes
//! scripts (a Cyrillic `а` inside a Latin word): neither has an honest use
//! in a name, and both are how a look-alike is made. What is left is
//! compared through [`fold`]: NFKC, default-ignorable characters removed,
//! Unicode case folding, whitespace collapsed, then the UTS #39 confusable
//! skeleton, so `Аlice` (all look-alikes) and `Alice` compare equal.
//!
//! A name of the form `Name <email>` is split, and both parts identify the
//! person; so does an email's local part, which is usually that person's
//! login. Comparing more keys can only call two people one (a refusal), never
//! one person two.

use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};
use unicode_normalization::UnicodeNormalization;
use unicode_security::MixedScript;

use crate::model::Refused;

/// A validated name and the keys it is known by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// As written, trimmed.
    pub shown: String,
    /// The folded forms ([`fold`]) that identify the person: the whole name, and for
    /// `Name <email>` or an email also the name, the email and its local part.
    keys: Vec<String>,
}

impl Identity {
    /// Validates `s` and computes its keys. An error says which character
    /// (or word) is refused and why.
    pub fn parse(s: &str) -> Result<Self, Refused> {
        refuse(s)?;
        Ok(Self::barred(s))
    }

    /// The keys of a name that is not judged, only compared against: a
    /// commit author's, which gate did not choose and must bar whatever it
    /// holds.
    pub fn barred(s: &str) -> Self {
        let shown = s.trim().to_string();
        let mut keys = Vec::new();
        let mut add = |forms: [String; 3]| {
            for k in forms {
                if !k.is_empty() && !keys.contains(&k) {
                    keys.push(k);
                }
            }
        };
        add(fold(&shown));
        let (name, email) = split(&shown);
        if let Some(name) = name {
            add(fold(name));
        }
        if let Some(email) = email {
            add(fold(email));
            for login in logins(email) {
                add(fold(login));
            }
        }
        // `@alice`, as forges write a login.
        if let Some(login) = shown.strip_prefix('@').filter(|l| !l.contains('@')) {
            add(fold(login));
        }
        Self { shown, keys }
    }

    /// Whether nothing visible is left (only spaces or ignorable characters).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The folded forms it is known by.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Whether `self` and `other` may be the same person.
    pub fn same_person(&self, other: &Identity) -> bool {
        self.keys.iter().any(|k| other.keys.contains(k))
    }
}

/// The logins an email stands for: its local part, that part without a
/// `+tag` (`alice+ci@corp.com`), and the login of a forge's private address
/// (`12345678+alice@users.noreply.github.com`).
fn logins(email: &str) -> Vec<&str> {
    let Some((local, _)) = email.rsplit_once('@') else {
        return Vec::new();
    };
    let mut out = vec![local];
    if let Some((before, after)) = local.split_once('+') {
        out.push(before);
        out.push(after);
    }
    out.retain(|l| !l.is_empty());
    out
}

/// `Name <email>` → (name, email); an email alone → (None, email).
fn split(s: &str) -> (Option<&str>, Option<&str>) {
    if let Some(inner) = s.strip_suffix('>') {
        if let Some((name, email)) = inner.rsplit_once('<') {
            let name = Some(name.trim()).filter(|n| !n.is_empty());
            return (name, Some(email.trim()).filter(|e| !e.is_empty()));
        }
    }
    if s.contains('@') && !s.contains(char::is_whitespace) {
        return (None, Some(s));
    }
    (None, None)
}

/// Why `s` cannot be a name, if it cannot.
fn refuse(s: &str) -> Result<(), String> {
    hidden(s)?;
    let clean: String = s.nfkc().collect();
    for word in clean.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '@' | '.')) {
        if !word.is_empty() && !word.is_single_script() {
            return Err(format!(
                "mixes scripts in `{word}` (look-alike letters from another alphabet)"
            ));
        }
    }
    Ok(())
}

/// Whether `s` shows nothing: only spaces and default-ignorable characters.
pub fn is_blank(s: &str) -> bool {
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    s.chars()
        .all(|c| c.is_whitespace() || ignorable.contains(c))
}

/// The first character of `s` that does not show as text (control, format,
/// line or paragraph separator, private use, unassigned), as an error.
pub fn hidden(s: &str) -> Result<(), Refused> {
    let gc = CodePointMapData::<GeneralCategory>::new();
    for c in s.chars() {
        let what = match gc.get(c) {
            GeneralCategory::Control => "a control character",
            GeneralCategory::Format => "a format (invisible) character",
            GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
                "a line separator"
            }
            GeneralCategory::Surrogate | GeneralCategory::Unassigned => "an unassigned code point",
            GeneralCategory::PrivateUse => "a private-use character",
            _ => continue,
        };
        return Err(Refused(format!(
            "holds {what} (U+{:04X}); it must be visible text",
            u32::from(c)
        )));
    }
    Ok(())
}

/// The forms a name is compared in: NFKC with default-ignorable characters
/// removed, then the confusable skeleton of its case fold and the case fold
/// of its skeleton (a capital `I` looks like `l`, a small `i` does not), and
/// the same with every combining mark dropped (`Ali\u{307}ce` and `İ` look
/// like `Alice` and `I`), whitespace collapsed.
pub fn fold(s: &str) -> [String; 3] {
    if s.is_ascii() {
        // NFKC and NFD leave ASCII as it is, and it holds no ignorable
        // character and no mark: the general path's first and third forms
        // share one skeleton.
        let skeleton = skeleton(&case_fold(s));
        let third = tidy(case_fold(&skeleton));
        return [tidy(skeleton), tidy(case_fold(&self::skeleton(s))), third];
    }
    fold_any(s)
}

/// [`fold`] for any text.
fn fold_any(s: &str) -> [String; 3] {
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let gc = CodePointMapData::<GeneralCategory>::new();
    let visible: String = s.nfkc().filter(|c| !ignorable.contains(*c)).collect();
    let unmarked: String = visible
        .nfd()
        .filter(|c| {
            !matches!(
                gc.get(*c),
                GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark
            )
        })
        .collect();
    [
        tidy(skeleton(&case_fold(&visible))),
        tidy(case_fold(&skeleton(&visible))),
        tidy(case_fold(&skeleton(&case_fold(&unmarked)))),
    ]
}

/// The UTS #39 confusable skeleton, NFKC.
fn skeleton(t: &str) -> String {
    unicode_security::skeleton(t).nfkc().collect()
}

/// Unicode default case folding.
fn case_fold(t: &str) -> String {
    caseless::default_case_fold_str(t)
}

/// Whitespace runs as one space, none at the ends.
fn tidy(t: String) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII path folds as the general one does.
        #[test]
        fn ascii_folds_as_any_text_folds(s in "[ -~]{0,24}") {
            proptest::prop_assert_eq!(fold(&s), fold_any(&s));
        }
    }

    #[test]
    fn ascii_look_alikes_fold_as_any_text_folds() {
        for s in [
            "Alice Dev",
            "rn",
            "m",
            "I1l|",
            "0O",
            "alice+ci@corp.com",
            "  a\tb  ",
            "@bob",
            "",
        ] {
            assert_eq!(fold(s), fold_any(s), "{s:?}");
        }
    }

    fn id(s: &str) -> Identity {
        Identity::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    /// The variants of a commit author's identity that approved their own
    /// commit before names were compared this way.
    #[test]
    fn look_alikes_of_one_person_are_that_person() {
        let author = [id("Alice Dev"), id("alice@example.com")];
        let same = [
            "alice dev",
            "ALICE DEV",
            " Alice Dev ",
            "Alice  Dev",
            "Alice\u{a0}Dev",
            "Alice\u{3000}Dev",
            "Ａｌｉｃｅ Ｄｅｖ",
            "Alice Dev <alice@example.com>",
            "Someone Else <alice@example.com>",
            "alice",
            "ALICE@EXAMPLE.COM",
        ];
        for s in same {
            let a = id(s);
            assert!(
                author.iter().any(|b| a.same_person(b)),
                "{s:?} was not recognised as the author"
            );
        }
        // Whole words of look-alike letters: single-script, so not refused,
        // but their skeleton is the Latin one.
        let cyrillic = id("\u{0410}\u{0435}"); // "Ае"
        assert!(cyrillic.same_person(&id("Ae")));
        // Capital I for l, the digit 0 for O: the skeleton maps them together.
        assert!(id("AIice Dev").same_person(&author[0]));
        assert!(id("b0b").same_person(&id("bob")));
        // Combining marks and the dotted capital I.
        assert!(id("Ali\u{307}ce Dev").same_person(&author[0]));
        assert!(id("ALİCE DEV").same_person(&author[0]));
        // Logins: plus-tags, a forge's private address, `@login`.
        let noreply = id("12345678+alice@users.noreply.github.com");
        assert!(id("alice").same_person(&noreply));
        assert!(id("alice").same_person(&id("alice+ci@corp.com")));
        assert!(id("@alice").same_person(&author[1]));
    }

    #[test]
    fn hidden_and_mixed_characters_are_refused() {
        for s in [
            "Alice\u{200b} Dev",
            "Alice\u{200d}Dev",
            "\u{202e}veD ecilA",
            "Alice\u{ad}Dev",
            "Alice\nDev",
            "Alice\tDev",
            "Alice\u{7f}",
            "Alice\u{85}Dev",
            "Alice\u{2028}Dev",
            "\u{feff}Alice",
            "Аlice Dev",         // Cyrillic А in a Latin word
            "Alice Dеv",         // Cyrillic е
            "alice@exаmple.com", // in the email's domain
            "Alice Dev <аlice@example.com>",
            "Alice\u{e000}",
        ] {
            assert!(Identity::parse(s).is_err(), "{s:?} was accepted");
        }
        let e = Identity::parse("Alice\u{200b} Dev").unwrap_err();
        assert!(e.0.contains("U+200B"), "{e}");
    }

    #[test]
    fn different_people_stay_different_and_real_names_pass() {
        assert!(!id("Alice Dev").same_person(&id("Bob Lee")));
        assert!(!id("alice@example.com").same_person(&id("bob@example.com")));
        for s in [
            "Zoë Ångström",
            "山田 太郎",
            "山田たろう",
            "Алиса Петрова",
            "O'Brien-Smith",
            "José",
        ] {
            let i = id(s);
            assert!(!i.is_empty(), "{s}");
        }
    }

    #[test]
    fn only_invisible_or_space_is_empty() {
        assert!(id("   ").is_empty());
        assert!(id("\u{3164}").is_empty()); // Hangul filler: default-ignorable, a letter
        assert!(id("\u{fe0f}").is_empty()); // variation selector
        assert!(!id("a\u{fe0f}").is_empty());
    }
}
