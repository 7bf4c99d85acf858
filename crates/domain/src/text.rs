//! Free text people write: trimmed, line endings made plain, length counted in characters,
//! and refused when it holds control characters that could not be shown (a NUL, a bell, an
//! escape: PostgreSQL refuses NUL outright, and the others only garble a page). Every free-text
//! field goes through one of the functions here, or a `parse_*` function that refuses control
//! characters the same way.

/// A control character other than the line break and tab that written text may hold.
fn unshowable(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

const UNSHOWABLE: &str = "That text contains characters we can’t show.";

/// The cleaned text, or a message for the field that names `what` ("your high"). Line endings
/// become `\n`, whichever system wrote them.
pub fn clean(s: &str, max: usize, what: &str) -> Result<String, String> {
    let t = s.trim().replace("\r\n", "\n").replace('\r', "\n");
    let count = t.chars().count();
    if count > max {
        return Err(format!("Please keep {what} to {max} characters; this one has {count}."));
    }
    if t.chars().any(unshowable) {
        return Err(UNSHOWABLE.into());
    }
    Ok(t)
}

/// One line, such as a name: runs of whitespace (line breaks and tabs too) become one space;
/// `None` when nothing is left, so the caller can say what it needs.
pub fn one_line(s: &str, max: usize, what: &str) -> Result<Option<String>, String> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().any(char::is_control) {
        return Err(UNSHOWABLE.into());
    }
    let count = t.chars().count();
    if count > max {
        return Err(format!("Please keep {what} to {max} characters."));
    }
    Ok((!t.is_empty()).then_some(t))
}

/// Words to search for: control characters count as spaces, so a stray one never fails a
/// search; runs of whitespace become one space. Empty when nothing is left to look for.
pub fn search_terms(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Text as search compares it: lower-cased by Rust, which knows every alphabet (SQLite's
/// `lower()` knows only ASCII). Stores keep this beside the text they search and fold the
/// search words the same way.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_counts_characters_and_refuses_control_characters() {
        assert_eq!(clean("  hé\r\nllo ", 10, "it"), Ok("hé\nllo".into()));
        assert_eq!(clean("tab\there", 10, "it"), Ok("tab\there".into()));
        assert_eq!(clean("old\rmac", 10, "it"), Ok("old\nmac".into()));
        assert_eq!(clean(&"é".repeat(5), 5, "it").map(|t| t.chars().count()), Ok(5));
        assert!(clean(&"é".repeat(6), 5, "your words").is_err_and(|e| e.contains("your words to 5")));
        for bad in ["a\u{0}b", "a\u{7}b", "a\u{1b}[31mb", "a\u{7f}b", "a\u{85}b", "a\u{b}b"] {
            assert!(clean(bad, 10, "it").is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn one_line_collapses_whitespace_and_refuses_control_characters() {
        assert_eq!(one_line(" my \t  script\n", 20, "it"), Ok(Some("my script".into())));
        assert_eq!(one_line("  \n ", 20, "it"), Ok(None));
        assert!(one_line("a\u{0}b", 20, "it").is_err());
        assert!(one_line("a\u{7}b", 20, "it").is_err());
        assert!(one_line(&"n".repeat(21), 20, "the name").is_err_and(|e| e.contains("the name to 20")));
    }

    #[test]
    fn search_terms_drop_control_characters() {
        assert_eq!(search_terms("\u{0}"), "");
        assert_eq!(search_terms(" tea\u{0}time \u{7} now\n"), "tea time now");
        assert_eq!(search_terms("crème brûlée"), "crème brûlée");
    }
}
