//! Date parsing for every way exports write a time: RFC 3339 with `Z` or an offset and 0–7
//! fractional digits, PowerShell 5.1's `\/Date(ms[±hhmm])\/`, zone-less ISO (taken as UTC), and
//! culture strings (`9/19/2023, 1:45:17.287 PM`, `20.09.2023 20:54:58`, `12/4/2025 8:19`).
//! Culture strings are taken as UTC. Their day/month order is one file's, never one date's: a file
//! whose dates are day-first (`13/06/2025`) reads `7/03/2025` as 7 March too ([`FileDates`]);
//! `--date-order` decides for every file, and a file no date of which settles it is read month-first
//! (day-first for dotted dates) with a warning.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

/// Parses one time; `None` when the text is not a time mfaudit knows.
pub fn parse_time(text: &str, day_first: Option<bool>) -> Option<Timestamp> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(t) = parse_ms_date(s) {
        return Some(t);
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    if s.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && s.len() >= 10
        && s.as_bytes()[4] == b'-'
    {
        let iso = s.replacen(' ', "T", 1);
        if let Ok(t) = iso.parse::<Timestamp>() {
            return Some(t);
        }
        if let Ok(dt) = iso.parse::<DateTime>() {
            return TimeZone::UTC.to_timestamp(dt).ok();
        }
        if let Ok(d) = s.parse::<Date>() {
            return TimeZone::UTC
                .to_timestamp(d.to_datetime(Time::midnight()))
                .ok();
        }
    }
    parse_culture(s, day_first)
}

/// `/Date(1695243298000)/`, `\/Date(1695243298000+0200)\/` (the offset is display only: the
/// number is already UTC milliseconds).
fn parse_ms_date(s: &str) -> Option<Timestamp> {
    let inner = s
        .strip_prefix("\\/")
        .or_else(|| s.strip_prefix('/'))
        .unwrap_or(s);
    let inner = inner.strip_prefix("Date(")?;
    let end = inner.find(')')?;
    let body = &inner[..end];
    let digits_end = body
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(body.len(), |(i, _)| i);
    let ms: i64 = body[..digits_end].parse().ok()?;
    Timestamp::from_millisecond(ms).ok()
}

fn parse_culture(s: &str, day_first: Option<bool>) -> Option<Timestamp> {
    parse_culture_in(s, Order::Loose(day_first))
}

/// How a culture date's day and month are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The file's order: a date that does not fit it is no date.
    Strict { day_first: bool },
    /// This date alone decides when it can (a number above 12 is the day), else `day_first`
    /// (month first unless the date is dotted).
    Loose(Option<bool>),
}

/// The three numbers of a culture date and its separator: `(first, second, third, separator)`.
fn culture_numbers(date: &str) -> Option<([i64; 3], char)> {
    let sep = date.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let nums: Vec<i64> = date
        .split(sep)
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    <[i64; 3]>::try_from(nums).ok().map(|n| (n, sep))
}

/// What one time's text says about its file's day/month order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    DayFirst,
    MonthFirst,
    /// A culture date whose day and month are both 12 or less.
    Either,
    /// Not a day/month culture date (ISO, `\/Date()\/`, year first, or no date at all).
    Neither,
}

/// Whether `text` settles its file's day/month order.
pub fn order_hint(text: &str) -> Hint {
    let s = text.trim();
    if s.is_empty() || parse_ms_date(s).is_some() || s.parse::<Timestamp>().is_ok() {
        return Hint::Neither;
    }
    let s = s.replace(',', " ");
    let Some(date) = s.split_whitespace().next() else {
        return Hint::Neither;
    };
    match culture_numbers(date) {
        Some(([a, _, _], _)) if a > 31 => Hint::Neither,
        Some(([a, b, _], _)) if a > 12 && b <= 12 => Hint::DayFirst,
        Some(([a, b, _], _)) if b > 12 && a <= 12 => Hint::MonthFirst,
        Some(([a, b, _], _)) if a <= 12 && b <= 12 => Hint::Either,
        _ => Hint::Neither,
    }
}

/// The day/month order of one file's culture dates, decided once for the whole file: by
/// `--date-order`, else by the first date that settles it (a number above 12 is the day).
#[derive(Debug, Clone, Default)]
pub struct FileDates {
    forced: Option<bool>,
    decided: Option<bool>,
    /// Culture dates read before the order was settled (with the default order).
    read_unsettled: u64,
    /// The date that settled it after some were read unsettled, and where.
    late: Option<(String, String)>,
    /// The default the unsettled dates were read with.
    default_day_first: Option<bool>,
}

impl FileDates {
    /// `forced` is `--date-order` (true: day first).
    pub fn new(forced: Option<bool>) -> FileDates {
        FileDates {
            forced,
            ..FileDates::default()
        }
    }

    /// Learns from a date seen ahead of reading (the file's head, a first pass): it may settle
    /// the order before any date is read.
    pub fn learn(&mut self, text: &str) {
        if self.forced.is_none() && self.decided.is_none() {
            match order_hint(text) {
                Hint::DayFirst => self.decided = Some(true),
                Hint::MonthFirst => self.decided = Some(false),
                Hint::Either | Hint::Neither => {}
            }
        }
    }

    /// Whether the order is known (forced, or settled by a date).
    pub fn settled(&self) -> bool {
        self.forced.or(self.decided).is_some()
    }

    /// Parses one time of the file; `where_` says where it is, for the warning a late decision
    /// gets. A culture date that does not fit the file's order is no date.
    pub fn parse(&mut self, text: &str, where_: impl FnOnce() -> String) -> Option<Timestamp> {
        if let Some(day_first) = self.forced.or(self.decided) {
            return parse_time_in(text, Order::Strict { day_first });
        }
        match order_hint(text) {
            Hint::Neither => parse_time(text, None),
            Hint::Either => {
                self.read_unsettled += 1;
                let t = parse_time(text, None);
                if self.default_day_first.is_none() {
                    self.default_day_first = Some(text.contains('.'));
                }
                t
            }
            hint => {
                let day_first = hint == Hint::DayFirst;
                self.decided = Some(day_first);
                if self.read_unsettled > 0 {
                    self.late = Some((text.trim().to_string(), where_()));
                }
                parse_time_in(text, Order::Strict { day_first })
            }
        }
    }

    /// Why `text` (in column `field`) could not be read: not a date, or a culture date that does
    /// not fit the file's order.
    pub fn why_not(&self, field: &str, text: &str) -> String {
        let shown = crate::text::quoted(text.trim(), 40);
        match (self.forced.or(self.decided), order_hint(text)) {
            (Some(day_first), Hint::DayFirst | Hint::MonthFirst) => format!(
                "{field} '{shown}' does not fit the {} dates of this file{}",
                if day_first {
                    "day-first"
                } else {
                    "month-first"
                },
                if self.forced.is_some() {
                    " (--date-order)"
                } else {
                    ""
                }
            ),
            _ => format!("{field} '{shown}' is not a date"),
        }
    }

    /// What the file's dates leave open, once it is read: a warning naming `--date-order`.
    pub fn warning(&self) -> Option<String> {
        if self.forced.is_some() || self.read_unsettled == 0 {
            return None;
        }
        let read_as = |day_first: bool| {
            if day_first {
                "day-first"
            } else {
                "month-first"
            }
        };
        match (self.decided, &self.late) {
            (Some(day_first), Some((settler, at))) => Some(format!(
                "the dates are {} ({} {at} settles it), but the {} date(s) before it were read {} as nothing had settled the order yet: pass --date-order {} to read them all {}",
                read_as(day_first),
                crate::text::quoted(settler, 40),
                self.read_unsettled,
                read_as(!day_first),
                if day_first { "dmy" } else { "mdy" },
                read_as(day_first)
            )),
            (None, _) => {
                let default = self.default_day_first.unwrap_or(false);
                Some(format!(
                    "none of the {} culture dates in this file tells the day from the month (every one is 12 or less in both); they were read {}: pass --date-order {} if the export was written {}",
                    self.read_unsettled,
                    read_as(default),
                    if default { "mdy" } else { "dmy" },
                    read_as(!default)
                ))
            }
            _ => None,
        }
    }
}

/// [`parse_time`] with a culture date read in `order`.
fn parse_time_in(text: &str, order: Order) -> Option<Timestamp> {
    let s = text.trim();
    match order_hint(s) {
        Hint::Neither => parse_time(s, None),
        _ => parse_culture_in(s, order),
    }
}

fn parse_culture_in(s: &str, order: Order) -> Option<Timestamp> {
    // Split "date[,] time [AM|PM]".
    let s = s.replace(',', " ");
    let mut parts = s.split_whitespace();
    let date = parts.next()?;
    let time = parts.next();
    let ampm = parts.next().map(str::to_ascii_uppercase);
    if parts.next().is_some() {
        return None;
    }
    let (nums, sep) = culture_numbers(date)?;
    let (year, a, b) = if nums[0] > 31 {
        (nums[0], nums[1], nums[2]) // y-m-d
    } else {
        (nums[2], nums[0], nums[1])
    };
    let year = if year < 100 { 2000 + year } else { year };
    let (month, day) = match order {
        _ if nums[0] > 31 => (a, b),
        Order::Strict { day_first: true } => (b, a),
        Order::Strict { day_first: false } => (a, b),
        Order::Loose(_) if a > 12 => (b, a),
        Order::Loose(_) if b > 12 => (a, b),
        Order::Loose(day_first) if day_first.unwrap_or(sep == '.') => (b, a),
        Order::Loose(_) => (a, b),
    };
    let date = Date::new(year as i16, month as i8, day as i8).ok()?;
    let time = match time {
        None => Time::midnight(),
        Some(t) => {
            let mut hms = t.split(':');
            let mut hour: i64 = hms.next()?.parse().ok()?;
            let minute: i64 = hms.next().map_or(Some(0), |m| m.parse().ok())?;
            let sec_text = hms.next().unwrap_or("0");
            let (sec, frac) = sec_text.split_once('.').unwrap_or((sec_text, ""));
            let second: i64 = sec.parse().ok()?;
            // Fraction digits only (found by fuzzing: anything else once sliced a character).
            if !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let nanos: i64 = if frac.is_empty() {
                0
            } else {
                frac.chars()
                    .chain(std::iter::repeat('0'))
                    .take(9)
                    .collect::<String>()
                    .parse()
                    .ok()?
            };
            match ampm.as_deref() {
                Some("PM") if hour < 12 => hour += 12,
                Some("AM") if hour == 12 => hour = 0,
                Some("AM" | "PM") | None => {}
                Some(_) => return None,
            }
            Time::new(hour as i8, minute as i8, second as i8, nanos as i32).ok()?
        }
    };
    TimeZone::UTC.to_timestamp(date.to_datetime(time)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        parse_time(s, None)
            .map(|t| t.to_string())
            .unwrap_or_else(|| "none".into())
    }

    /// Crashes the fuzzer found (fuzz/fuzz_targets/dates.rs): never a panic.
    #[test]
    fn fuzz_regressions() {
        let crash = b"1.1.2\n\t2:-00:4329760141.f\xef\xbb\xbf\xef\xbb\xbf5\xef\xbb\xbf\xef\xbb\xbf55\xef\xbb\xbf5\xef\xbb\xbff\xef\xbb\xbff\xef\xbb\xbff2\n0000";
        let text = std::str::from_utf8(crash).unwrap();
        assert_eq!(parse_time(text, None), None);
        assert_eq!(parse_time("1/1/2020 1:2:3.\u{e9}", None), None);
    }

    #[test]
    fn every_shape() {
        assert_eq!(
            t("2026-09-18T21:36:33.91918Z"),
            "2026-09-18T21:36:33.91918Z"
        );
        assert_eq!(
            t("2022-01-24T05:10:08.6816663+00:00"),
            "2022-01-24T05:10:08.6816663Z"
        );
        assert_eq!(t("2020-03-09T10:00:00-05:00"), "2020-03-09T15:00:00Z");
        assert_eq!(t("\\/Date(1695243298000)\\/"), "2023-09-20T20:54:58Z");
        assert_eq!(t("/Date(1695243298000+0200)/"), "2023-09-20T20:54:58Z");
        assert_eq!(t("/Date(-62135568000000)/"), "0001-01-01T08:00:00Z");
        assert_eq!(t("2024-06-15T10:30:00"), "2024-06-15T10:30:00Z");
        assert_eq!(t("2025-12-04 08:19:41"), "2025-12-04T08:19:41Z");
        assert_eq!(t("9/19/2023, 1:45:17.287 PM"), "2023-09-19T13:45:17.287Z");
        assert_eq!(t("9/20/2023 8:54:58 PM"), "2023-09-20T20:54:58Z");
        assert_eq!(t("12/4/2025 8:19"), "2025-12-04T08:19:00Z");
        assert_eq!(t("20.09.2023 20:54:58"), "2023-09-20T20:54:58Z");
        assert_eq!(t("20/09/2023 20:54:58"), "2023-09-20T20:54:58Z");
        assert_eq!(t("12/4/2025 12:05:00 AM"), "2025-12-04T00:05:00Z");
        assert_eq!(t("hello"), "none");
        assert_eq!(
            t("1/1/2020 1:2:3.1234567891"),
            "2020-01-01T01:02:03.123456789Z"
        );
        assert_eq!(
            parse_time("4/12/2025", Some(true)).unwrap().to_string(),
            "2025-12-04T00:00:00Z"
        );
    }

    fn file_dates(
        forced: Option<bool>,
        head: &[&str],
        dates: &[&str],
    ) -> (Vec<String>, Option<String>) {
        let mut f = FileDates::new(forced);
        for h in head {
            f.learn(h);
        }
        let read = dates
            .iter()
            .enumerate()
            .map(|(i, d)| {
                f.parse(d, || format!("at line {}", i + 2))
                    .map_or("none".to_string(), |t| t.to_string())
            })
            .collect();
        (read, f.warning())
    }

    /// One file, one order: `13/06/2025` makes `7/03/2025` the 7th of March, wherever it is.
    #[test]
    fn a_files_dates_share_one_order() {
        let (read, warning) = file_dates(
            None,
            &["13/06/2025 10:00"],
            &["13/06/2025 10:00", "7/03/2025 09:00"],
        );
        assert_eq!(read, ["2025-06-13T10:00:00Z", "2025-03-07T09:00:00Z"]);
        assert_eq!(warning, None);
        // Month first, settled by 6/13: 7/03 is the 3rd of July; a later 13/06 does not fit.
        let (read, _) = file_dates(None, &["6/13/2025"], &["7/03/2025", "13/06/2025"]);
        assert_eq!(read, ["2025-07-03T00:00:00Z", "none"]);
        // Settled only after an ambiguous date was read: said, naming --date-order.
        let (read, warning) = file_dates(None, &[], &["7/03/2025", "13/06/2025"]);
        assert_eq!(read, ["2025-07-03T00:00:00Z", "2025-06-13T00:00:00Z"]);
        assert_eq!(
            warning.as_deref(),
            Some(
                "the dates are day-first (13/06/2025 at line 3 settles it), but the 1 date(s) before it were read month-first as nothing had settled the order yet: pass --date-order dmy to read them all day-first"
            )
        );
        // Never settled: read month-first, said.
        let (read, warning) = file_dates(None, &["4/12/2025"], &["4/12/2025", "5/11/2025"]);
        assert_eq!(read, ["2025-04-12T00:00:00Z", "2025-05-11T00:00:00Z"]);
        assert_eq!(
            warning.as_deref(),
            Some(
                "none of the 2 culture dates in this file tells the day from the month (every one is 12 or less in both); they were read month-first: pass --date-order dmy if the export was written day-first"
            )
        );
        // --date-order decides for every date, with nothing to say.
        let (read, warning) = file_dates(Some(true), &[], &["4/12/2025", "13/06/2025"]);
        assert_eq!(read, ["2025-12-04T00:00:00Z", "2025-06-13T00:00:00Z"]);
        assert_eq!(warning, None);
        // ISO dates are not culture dates.
        let (read, warning) = file_dates(None, &[], &["2025-06-13T10:00:00Z"]);
        assert_eq!(read, ["2025-06-13T10:00:00Z"]);
        assert_eq!(warning, None);
    }
}
