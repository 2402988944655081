//! Comparing versions as people mean them: by their numeric components, so
//! the CalVer `25.07.1` a tag writes is the `25.7.1` Cargo.toml writes, and
//! `v1.2.3` is `1.2.3`. A pre-release or build suffix (`-rc.1`, `+local`)
//! must be the same to the letter: `1.2.3-rc.1` is another version.

/// Whether `a` and `b` name the same version.
pub fn same(a: &str, b: &str) -> bool {
    let (ra, sa) = split(a);
    let (rb, sb) = split(b);
    if ra.is_empty() || rb.is_empty() {
        return false; // nothing is no version
    }
    let (ca, cb): (Vec<&str>, Vec<&str>) = (ra.split('.').collect(), rb.split('.').collect());
    ca.len() == cb.len() && ca.iter().zip(&cb).all(|(x, y)| component_eq(x, y)) && sa == sb
}

/// (release part, suffix from the first `-` or `+`), without a leading `v`.
fn split(v: &str) -> (&str, &str) {
    let v = v.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    match v.find(['-', '+']) {
        Some(i) => (&v[..i], &v[i..]),
        None => (v, ""),
    }
}

fn component_eq(x: &str, y: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(x) && digits(y) {
        x.trim_start_matches('0') == y.trim_start_matches('0')
    } else {
        x.eq_ignore_ascii_case(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_components_compare() {
        for (a, b) in [
            ("25.07.1", "25.7.1"),
            ("v1.2.3", "1.2.3"),
            ("1.0.0", "01.0.00"),
            ("1.2.3-rc.1", "v1.2.3-rc.1"),
        ] {
            assert!(same(a, b), "{a} = {b}");
        }
        for (a, b) in [
            ("1.2.30", "1.2.3"),
            ("11.2.3", "1.2.3"),
            ("1.2.3-rc.1", "1.2.3"),
            ("1.2", "1.2.0"),
            ("1.2.3.1", "1.2.3"),
            ("1.2.3", "1.2.4"),
            ("", ""),
            ("v", "v"),
            ("1.2.3-rc.1", "1.2.3-RC.1"),
        ] {
            assert!(!same(a, b), "{a} != {b}");
        }
    }
}
