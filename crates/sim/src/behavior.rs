//! How a simulated sink answers: `ack` (202, the default), `reply` (200 + the same event),
//! `reply:TYPE` (200 + an event of that type with a new id), `fail:STATUS` (always),
//! `fail:STATUSxN` (the first N attempts of each delivery fail, then ack), `timeout` (never
//! answers in time), `latency:DURATION`; combined with `,` (`latency:50ms,fail:503x2`).

use knflow_model::validate::names::duration_ms;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Behavior {
    pub latency_ms: u64,
    pub reply: Option<Reply>,
    /// Status, and for how many attempts (`None`: always).
    pub fail: Option<(u16, Option<u32>)>,
    pub timeout: bool,
}

/// How a sink's reply relates to what it received (the event-type analysis reads it too).
pub use knflow_dataplane::analysis::Reply;

/// `50ms`, `2s`, `1m`, `1h`, or an ISO-8601 duration (`PT0.5S`).
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s.starts_with('P') {
        return duration_ms(s);
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n = knflow_model::num::parse_f64(num)
        .ok_or_else(|| format!("`{s}` is not a duration such as 50ms, 2s, 1m or PT0.5S"))?;
    let factor = match unit {
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => {
            return Err(format!(
                "`{s}` is not a duration such as 50ms, 2s, 1m or PT0.5S"
            ))
        }
    };
    Ok((n * factor).round() as u64)
}

impl Behavior {
    pub fn parse(spec: &str) -> Result<Behavior, String> {
        let mut b = Behavior::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, arg) = match part.split_once(':') {
                Some((n, a)) => (n, Some(a)),
                None => (part, None),
            };
            match (name, arg) {
                ("ack", None) => {}
                ("reply", None) => b.reply = Some(Reply::Same),
                ("reply", Some(t)) if !t.is_empty() => b.reply = Some(Reply::Type(t.to_string())),
                ("timeout", None) => b.timeout = true,
                ("latency", Some(d)) => b.latency_ms = parse_duration(d)?,
                ("fail", Some(a)) => {
                    let (status, times) = match a.split_once('x') {
                        Some((s, n)) => (s, Some(n.parse::<u32>().map_err(|_| format!("`{part}`: the count after x must be a number"))?)),
                        None => (a, None),
                    };
                    let status: u16 = status.parse().ok().filter(|s| (100..600).contains(s)).ok_or_else(|| format!("`{part}`: `{status}` is not an HTTP status"))?;
                    b.fail = Some((status, times));
                }
                _ => return Err(format!("unknown behavior `{part}`: use ack, reply, reply:TYPE, fail:STATUS, fail:STATUSxN, timeout or latency:DURATION")),
            }
        }
        Ok(b)
    }

    pub fn replying() -> Behavior {
        Behavior {
            reply: Some(Reply::Same),
            ..Behavior::default()
        }
    }
}

/// How each sink replies under the flow's saved behaviours, for the event-type analysis
/// ([`knflow_dataplane::analysis::analyze`]): a sink without one, or whose behaviour does not
/// parse, does not reply.
pub fn replies(flow: &knflow_model::Flow) -> impl Fn(&str) -> Vec<Reply> + '_ {
    move |label| {
        flow.simulation
            .get(label)
            .and_then(|v| v.get("behavior")?.as_str())
            .and_then(|spec| Behavior::parse(spec).ok()?.reply)
            .into_iter()
            .collect()
    }
}

/// The flow's saved sink behaviours as text, one `KIND/NAME=SPEC` per line: how the designer
/// shows and edits them (Flow settings, the Simulate form).
pub fn saved_text(flow: &knflow_model::Flow) -> String {
    flow.simulation
        .iter()
        .filter_map(|(label, v)| Some(format!("{label}={}", v.get("behavior")?.as_str()?)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Behaviours written one `KIND/NAME=SPEC` per line (blank lines skipped), each spec checked;
/// an error names the line.
pub fn parse_text(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (label, spec) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: `{line}`: write KIND/NAME=SPEC", n + 1))?;
        let (label, spec) = (label.trim(), spec.trim());
        if knflow_model::ResourceId::parse(label).is_none() {
            return Err(format!("line {}: `{label}` is not KIND/NAME", n + 1));
        }
        Behavior::parse(spec).map_err(|e| format!("line {}: {label}: {e}", n + 1))?;
        out.push((label.to_string(), spec.to_string()));
    }
    Ok(out)
}

/// The behaviours a run uses when the user wrote `text` over the saved ones: its lines, and
/// `ack` for every saved behaviour the text leaves out (what is written is what runs).
pub fn for_run(
    flow: &knflow_model::Flow,
    text: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let mut out: serde_json::Map<String, serde_json::Value> = parse_text(text)?
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    for (label, _) in flow.simulation.iter() {
        out.entry(label.clone())
            .or_insert_with(|| serde_json::Value::String("ack".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_combines() {
        assert_eq!(Behavior::parse("ack").unwrap(), Behavior::default());
        assert_eq!(
            Behavior::parse("latency:50ms, fail:503x2").unwrap(),
            Behavior {
                latency_ms: 50,
                fail: Some((503, Some(2))),
                ..Behavior::default()
            }
        );
        assert_eq!(
            Behavior::parse("reply:order.done").unwrap().reply,
            Some(Reply::Type("order.done".into()))
        );
        assert_eq!(Behavior::parse("latency:PT0.5S").unwrap().latency_ms, 500);
        assert!(Behavior::parse("fail:abc").is_err());
        assert!(Behavior::parse("explode").is_err());
        assert!(Behavior::parse("latency:soon").is_err());
    }
}
