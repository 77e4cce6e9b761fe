//! Time helpers: RFC 3339 UTC in the log, JST (UTC+9, no daylight saving) for people.

use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// Japan Standard Time.
pub const JST: UtcOffset = offset!(+9);

/// `2026-11-25T01:02:03.456Z`: the stored form.
pub fn format_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.format(&fmt)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00.000Z"))
}

/// `2026-11-25 10:02:03`: JST for exports (Excel parses it as a date-time).
pub fn format_jst(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.to_offset(JST)
        .format(&fmt)
        .unwrap_or_else(|_| String::from("1970-01-01 09:00:00"))
}

/// Parses RFC 3339 (any offset).
pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Parses a command-line time: RFC 3339, or `YYYY-MM-DD` meaning 00:00 JST that day.
pub fn parse_cli_time(s: &str) -> Result<OffsetDateTime, String> {
    if let Some(t) = parse_rfc3339(s) {
        return Ok(t);
    }
    let fmt = format_description!("[year]-[month]-[day]");
    Date::parse(s, &fmt)
        .map(|d| d.midnight().assume_offset(JST))
        .map_err(|_| format!("bad time `{s}`: use YYYY-MM-DD (JST) or RFC 3339"))
}

/// The JST month `(year, month)` of `t`.
pub fn jst_month(t: OffsetDateTime) -> (i32, Month) {
    let j = t.to_offset(JST);
    (j.year(), j.month())
}

/// 00:00 JST on the first day of the JST month of `t`.
pub fn month_start(t: OffsetDateTime) -> OffsetDateTime {
    let (y, m) = jst_month(t);
    first_of(y, m)
}

/// 00:00 JST on the first day of the month after the JST month of `t`.
pub fn next_month_start(t: OffsetDateTime) -> OffsetDateTime {
    let (y, m) = jst_month(t);
    let (y, m) = if m == Month::December {
        (y + 1, Month::January)
    } else {
        (y, m.next())
    };
    first_of(y, m)
}

fn first_of(y: i32, m: Month) -> OffsetDateTime {
    Date::from_calendar_date(y, m, 1)
        .unwrap_or(Date::MIN)
        .midnight()
        .assume_offset(JST)
}

/// Parses `YYYY-MM` into the JST month's `[start, end)`.
pub fn parse_month(s: &str) -> Result<(OffsetDateTime, OffsetDateTime), String> {
    let bad = || format!("bad month `{s}`: use YYYY-MM");
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    let m = Month::try_from(m).map_err(|_| bad())?;
    let start = first_of(y, m);
    Ok((start, next_month_start(start)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn month_boundaries_are_jst() {
        // (instant, month start, next month start)
        let cases = [
            (
                datetime!(2026-11-30 14:59:59 UTC),
                datetime!(2026-11-01 00:00 +9),
                datetime!(2026-12-01 00:00 +9),
            ),
            (
                datetime!(2026-11-30 15:00:00 UTC),
                datetime!(2026-12-01 00:00 +9),
                datetime!(2027-01-01 00:00 +9),
            ),
            (
                datetime!(2026-12-31 15:00:00 UTC),
                datetime!(2027-01-01 00:00 +9),
                datetime!(2027-02-01 00:00 +9),
            ),
        ];
        for (t, start, next) in cases {
            assert_eq!(month_start(t), start, "{t}");
            assert_eq!(next_month_start(t), next, "{t}");
        }
    }

    #[test]
    fn formats_round_trip() {
        let t = datetime!(2026-11-25 01:02:03.456 UTC);
        assert_eq!(format_utc(t), "2026-11-25T01:02:03.456Z");
        assert_eq!(parse_rfc3339(&format_utc(t)), Some(t));
        assert_eq!(format_jst(t), "2026-11-25 10:02:03");
        assert_eq!(
            parse_cli_time("2026-11-25").unwrap(),
            datetime!(2026-11-25 00:00 +9)
        );
        assert!(parse_month("2026-13").is_err());
    }
}
