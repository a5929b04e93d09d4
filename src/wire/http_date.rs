//! `HTTP-date` (RFC 9110 §5.6.7), for `Retry-After`: the preferred
//! IMF-fixdate and the two obsolete forms a recipient must still accept.
//!
//! ```text
//! Sun, 06 Nov 1994 08:49:37 GMT    ; IMF-fixdate
//! Sunday, 06-Nov-94 08:49:37 GMT   ; obsolete RFC 850 format
//! Sun Nov  6 08:49:37 1994         ; ANSI C's asctime() format
//! ```

use crate::time::UnixTime;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A calendar date and time of day, as written.
struct Civil {
    year: u64,
    month: u64,
    day: u64,
    hour: u64,
    minute: u64,
    second: u64,
}

/// Parses an `HTTP-date`. `now` resolves the two-digit year of the RFC 850
/// form: a date that would lie more than 50 years in the future is read in
/// the past century (RFC 9110 §5.6.7).
pub(crate) fn parse(value: &str, now: UnixTime) -> Option<UnixTime> {
    let civil = imf_fixdate(value)
        .or_else(|| rfc850(value, now))
        .or_else(|| asctime(value))?;
    to_unix(&civil)
}

/// `day-name "," SP date1 SP time-of-day SP GMT`, date1 = `DD Mon YYYY`.
fn imf_fixdate(value: &str) -> Option<Civil> {
    let (day_name, rest) = value.split_once(", ")?;
    if !DAYS.contains(&day_name) {
        return None;
    }
    let mut parts = rest.split(' ');
    let day = digits(parts.next()?, 2)?;
    let month = month(parts.next()?)?;
    let year = digits(parts.next()?, 4)?;
    let (hour, minute, second) = time_of_day(parts.next()?)?;
    (parts.next()? == "GMT" && parts.next().is_none()).then_some(Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

/// `day-name-l "," SP date2 SP time-of-day SP GMT`, date2 = `DD-Mon-YY`.
fn rfc850(value: &str, now: UnixTime) -> Option<Civil> {
    let (day_name, rest) = value.split_once(", ")?;
    if !LONG_DAYS.contains(&day_name) {
        return None;
    }
    let mut parts = rest.split(' ');
    let mut date = parts.next()?.split('-');
    let day = digits(date.next()?, 2)?;
    let month = month(date.next()?)?;
    let two_digit_year = digits(date.next()?, 2)?;
    if date.next().is_some() {
        return None;
    }
    let (hour, minute, second) = time_of_day(parts.next()?)?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    let current_year = year_of(now);
    let century = current_year.checked_sub(current_year % 100)?;
    let mut year = century.checked_add(two_digit_year)?;
    if year > current_year.checked_add(50)? {
        year = year.checked_sub(100)?;
    }
    Some(Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

/// `day-name SP month SP ( 2DIGIT / ( SP DIGIT ) ) SP time-of-day SP year`.
fn asctime(value: &str) -> Option<Civil> {
    let (day_name, rest) = value.split_once(' ')?;
    if !DAYS.contains(&day_name) {
        return None;
    }
    let (month_name, rest) = rest.split_once(' ')?;
    let month = month(month_name)?;
    // The day is two characters: two digits, or a space and a digit.
    let day_text = rest.get(..2)?;
    let rest = rest.get(2..)?.strip_prefix(' ')?;
    let day = digits(
        day_text.trim_start_matches(' '),
        day_text.trim_start().len(),
    )?;
    let (time, year) = rest.split_once(' ')?;
    let (hour, minute, second) = time_of_day(time)?;
    let year = digits(year, 4)?;
    Some(Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
    })
}

/// Exactly `count` ASCII digits.
fn digits(text: &str, count: usize) -> Option<u64> {
    (text.len() == count && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn month(name: &str) -> Option<u64> {
    let index = MONTHS.iter().position(|month| *month == name)?;
    u64::try_from(index).ok()?.checked_add(1)
}

/// `HH:MM:SS`.
fn time_of_day(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split(':');
    let hour = digits(parts.next()?, 2)?;
    let minute = digits(parts.next()?, 2)?;
    let second = digits(parts.next()?, 2)?;
    // A leap second (60) is allowed by the grammar.
    (parts.next().is_none() && hour < 24 && minute < 60 && second <= 60)
        .then_some((hour, minute, second))
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Seconds since the epoch of a valid date at or after 1970.
fn to_unix(civil: &Civil) -> Option<UnixTime> {
    if civil.year < 1970 || civil.day == 0 || civil.day > days_in_month(civil.year, civil.month) {
        return None;
    }
    let mut days: u64 = 0;
    for year in 1970..civil.year {
        days = days.checked_add(if is_leap(year) { 366 } else { 365 })?;
    }
    for month in 1..civil.month {
        days = days.checked_add(days_in_month(civil.year, month))?;
    }
    days = days.checked_add(civil.day.checked_sub(1)?)?;
    let seconds = days
        .checked_mul(86_400)?
        .checked_add(civil.hour.checked_mul(3600)?)?
        .checked_add(civil.minute.checked_mul(60)?)?
        .checked_add(civil.second)?;
    Some(UnixTime::from_secs(seconds))
}

/// The calendar year `now` falls in, at most 9999 (the last year an
/// HTTP-date can name), so that no `now` makes this loop long.
fn year_of(now: UnixTime) -> u64 {
    /// 1970-01-01 to 9999-12-31.
    const LAST_DAY: u64 = 2_932_896;
    let mut days = (now.as_secs() / 86_400).min(LAST_DAY);
    let mut year = 1970;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if days < length {
            return year;
        }
        days = days.saturating_sub(length);
        year = year.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixTime = UnixTime::from_secs(1_700_000_000); // 2023-11-14

    /// RFC 9110 §5.6.7's example, in its three forms.
    #[test]
    fn rfc9110_examples() {
        let expected = Some(UnixTime::from_secs(784_111_777));
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW), expected);
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW), expected);
        assert_eq!(parse("Sun Nov  6 08:49:37 1994", NOW), expected);
        // Hours, minutes and seconds each within their range, a leap
        // second allowed.
        assert!(parse("Sun, 06 Nov 1994 23:59:60 GMT", NOW).is_some());
        for refused in [
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:00:61 GMT",
        ] {
            assert_eq!(parse(refused, NOW), None, "{refused}");
        }
        // The RFC 850 form ends in exactly `GMT`.
        for refused in [
            "Sunday, 06-Nov-94 08:49:37 PST",
            "Sunday, 06-Nov-94 08:49:37 GMT x",
            "Sunday, 06-Nov-94 08:49:37",
        ] {
            assert_eq!(parse(refused, NOW), None, "{refused}");
        }
    }

    #[test]
    fn known_instants() {
        assert_eq!(
            parse("Thu, 01 Jan 1970 00:00:00 GMT", NOW),
            Some(UnixTime::from_secs(0))
        );
        assert_eq!(
            parse("Tue, 14 Nov 2023 22:13:20 GMT", NOW),
            Some(UnixTime::from_secs(1_700_000_000))
        );
        assert_eq!(
            parse("Thu, 29 Feb 2024 00:00:00 GMT", NOW),
            Some(UnixTime::from_secs(1_709_164_800))
        );
        assert_eq!(
            parse("Wed Nov 15 00:00:00 2023", NOW),
            Some(UnixTime::from_secs(1_700_006_400))
        );
    }

    /// A two-digit year more than 50 years ahead is in the past century.
    #[test]
    fn rfc850_years() {
        assert_eq!(
            parse("Wednesday, 15-Nov-23 00:00:00 GMT", NOW),
            Some(UnixTime::from_secs(1_700_006_400))
        );
        assert_eq!(
            year_of(parse("Monday, 01-Jan-73 00:00:00 GMT", NOW).unwrap()),
            2073
        );
        assert_eq!(
            year_of(parse("Monday, 01-Jan-74 00:00:00 GMT", NOW).unwrap()),
            1974
        );
    }

    #[test]
    fn any_now_is_quick() {
        assert_eq!(year_of(UnixTime::from_secs(u64::MAX)), 9999);
        assert_eq!(year_of(UnixTime::from_secs(253_402_300_799)), 9999);
        assert_eq!(year_of(UnixTime::from_secs(0)), 1970);
        assert!(parse(
            "Monday, 01-Jan-73 00:00:00 GMT",
            UnixTime::from_secs(u64::MAX)
        )
        .is_some());
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "120",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 2023 00:00:00 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 06 Nov +994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov 06 08:49:37 94",
            "Sun Nov 6 08:49:37 1994",
            "Sun, 00 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse(bad, NOW), None, "{bad:?}");
        }
    }
}
