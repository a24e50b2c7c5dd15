//! Name and format rules shared by the webhook checks.

fn label_chars(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// DNS-1123 label: what namespaces (and many names) must be.
pub fn dns1123_label(s: &str) -> Result<(), String> {
    if s.len() > 63 {
        return Err(format!("`{s}` is longer than 63 characters"));
    }
    if !label_chars(s) {
        return Err(format!(
            "`{s}` must consist of lower case letters, digits and '-', and start and end with a letter or digit"
        ));
    }
    Ok(())
}

/// DNS-1123 subdomain: what object names must be.
pub fn dns1123_subdomain(s: &str) -> Result<(), String> {
    if s.len() > 253 {
        return Err(format!("`{s}` is longer than 253 characters"));
    }
    if s.split('.').all(label_chars) {
        Ok(())
    } else {
        Err(format!(
            "`{s}` must consist of lower case letters, digits, '-' and '.', each part starting and ending with a letter or digit"
        ))
    }
}

/// DNS-1035 label: names of Services (Knative and Kubernetes), which become host names.
pub fn dns1035_label(s: &str) -> Result<(), String> {
    dns1123_label(s)?;
    if !s.as_bytes()[0].is_ascii_lowercase() {
        return Err(format!("`{s}` must start with a letter"));
    }
    Ok(())
}

/// `^[a-z][a-z0-9]*$`: attribute names in trigger filters.
pub fn filter_attribute_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// CloudEvents extension names: lower-case letters and digits.
pub fn extension_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// An absolute URL with a scheme and a host, as Knative's `apis.URL` requires for `uri`.
pub fn is_absolute_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    scheme_ok && !host.is_empty() && !s.contains(char::is_whitespace)
}

/// An ISO-8601 duration (`PT0.5S`, `P1DT2H`, `P2W`) in milliseconds, as Knative's period parser
/// reads it (years and months approximated as 365.2425 and 30.436875 days). Written here rather
/// than taken from the `iso8601` crate because that one silently ignores trailing garbage
/// (`PT1Sxyz` parses), which a validator must not.
pub fn duration_ms(s: &str) -> Result<u64, String> {
    let bad = || format!("`{s}` is not an ISO-8601 duration such as PT0.2S or PT1M");
    let body = s.strip_prefix('P').ok_or_else(bad)?;
    let (date, time) = match body.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return Err(bad()),
        None => (body, None),
    };
    const DAY: f64 = 86_400_000.0;
    let mut total = 0.0;
    let mut any = false;
    for (part, units) in [
        (
            date,
            &[
                ('Y', 365.2425 * DAY),
                ('M', 30.436875 * DAY),
                ('W', 7.0 * DAY),
                ('D', DAY),
            ][..],
        ),
        (
            time.unwrap_or(""),
            &[('H', 3_600_000.0), ('M', 60_000.0), ('S', 1000.0)][..],
        ),
    ] {
        let mut rest = part;
        let mut next_unit = 0;
        while !rest.is_empty() {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
                .ok_or_else(bad)?;
            let (num, tail) = rest.split_at(end);
            let unit = tail.chars().next().ok_or_else(bad)?;
            let pos = units[next_unit..]
                .iter()
                .position(|(u, _)| *u == unit)
                .ok_or_else(bad)?
                + next_unit;
            let n = crate::num::parse_f64(&num.replace(',', ".")).ok_or_else(bad)?;
            total += n * units[pos].1;
            next_unit = pos + 1;
            rest = &tail[1..];
            any = true;
        }
    }
    if !any {
        return Err(bad());
    }
    Ok(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(dns1123_subdomain("my-broker.v1").is_ok());
        assert!(dns1123_subdomain("My_Broker").is_err());
        assert!(dns1123_label("a.b").is_err());
        assert!(dns1035_label("1abc").is_err());
        assert!(dns1035_label(&"a".repeat(64)).is_err());
        assert!(
            filter_attribute_name("type")
                && !filter_attribute_name("Type")
                && !filter_attribute_name("1a")
        );
    }

    #[test]
    fn urls_and_durations() {
        assert!(is_absolute_url("http://x.default.svc.cluster.local/a"));
        assert!(!is_absolute_url("/relative"));
        assert!(!is_absolute_url("http://"));
        assert_eq!(duration_ms("PT0.2S"), Ok(200));
        assert_eq!(duration_ms("PT1M30S"), Ok(90_000));
        assert_eq!(duration_ms("P1D"), Ok(86_400_000));
        assert!(duration_ms("200ms").is_err());
        assert!(duration_ms("").is_err());
        assert!(
            duration_ms("PT1Sxyz").is_err()
                && duration_ms("P").is_err()
                && duration_ms("PT").is_err()
                && duration_ms("PT1S1M").is_err()
        );
        assert_eq!(duration_ms("P2W"), Ok(14 * 86_400_000));
    }
}
