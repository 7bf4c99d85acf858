//! Free text people write: trimmed, line endings made plain, length counted in characters,
//! and refused when it holds control characters that could not be shown.

/// The cleaned text, or a message for the field that names `what` ("your high").
pub fn clean(s: &str, max: usize, what: &str) -> Result<String, String> {
    let t = s.trim().replace("\r\n", "\n");
    let count = t.chars().count();
    if count > max {
        return Err(format!("Please keep {what} to {max} characters; this one has {count}."));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("That text contains characters we can’t show.".into());
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_counts_characters_and_refuses_control_characters() {
        assert_eq!(clean("  hé\r\nllo ", 10, "it"), Ok("hé\nllo".into()));
        assert_eq!(clean(&"é".repeat(5), 5, "it").map(|t| t.chars().count()), Ok(5));
        assert!(clean(&"é".repeat(6), 5, "your words").is_err_and(|e| e.contains("your words to 5")));
        assert!(clean("a\u{0}b", 10, "it").is_err());
    }
}
