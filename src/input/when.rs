//! Date parsing for every way exports write a time: RFC 3339 with `Z` or an offset and 0–7
//! fractional digits, PowerShell 5.1's `\/Date(ms[±hhmm])\/`, zone-less ISO (taken as UTC), and
//! culture strings (`9/19/2023, 1:45:17.287 PM`, `20.09.2023 20:54:58`, `12/4/2025 8:19`).
//! Culture strings are taken as UTC; when day and month cannot be told apart, `day_first` decides
//! (month first by default, as en-US portals write).

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
    // Split "date[,] time [AM|PM]".
    let s = s.replace(',', " ");
    let mut parts = s.split_whitespace();
    let date = parts.next()?;
    let time = parts.next();
    let ampm = parts.next().map(str::to_ascii_uppercase);
    if parts.next().is_some() {
        return None;
    }
    let sep = date.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let nums: Vec<i64> = date
        .split(sep)
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if nums.len() != 3 {
        return None;
    }
    let (year, a, b) = if nums[0] > 31 {
        (nums[0], nums[1], nums[2]) // y-m-d
    } else {
        (nums[2], nums[0], nums[1])
    };
    let year = if year < 100 { 2000 + year } else { year };
    let (month, day) = if nums[0] > 31 {
        (a, b)
    } else if a > 12 {
        (b, a)
    } else if b > 12 {
        (a, b)
    } else if day_first.unwrap_or(sep == '.') {
        (b, a)
    } else {
        (a, b)
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
}
