//! The working-day calendar deadlines are counted in (objections, complaints): Monday
//! to Friday, minus the public holidays a node is told about, plus the weekend days
//! made working days in exchange (调休). Which days those are is published each year, so
//! they come from configuration, not from code.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};

/// Holidays and exchanged working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
}

impl Calendar {
    /// A calendar with these public holidays and these weekend days worked.
    pub fn new(
        holidays: impl IntoIterator<Item = Date>,
        workdays: impl IntoIterator<Item = Date>,
    ) -> Calendar {
        Calendar {
            holidays: holidays.into_iter().collect(),
            workdays: workdays.into_iter().collect(),
        }
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: Date) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&day)
    }

    /// The `n`th working day after `from` (`from` itself does not count): the last
    /// day of a window of `n` working days that opens the day after `from`.
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => return Date::MAX,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weekends_and_holidays_do_not_count() {
        let plain = Calendar::default();
        // Friday 2026-11-20 + 1 working day = Monday 23rd; + 7 = Tuesday 1 December.
        assert_eq!(
            plain.add_working_days(date(2026, 11, 20), 1),
            date(2026, 11, 23)
        );
        assert_eq!(
            plain.add_working_days(date(2026, 11, 20), 7),
            date(2026, 12, 1)
        );
        assert_eq!(
            plain.add_working_days(date(2026, 11, 20), 0),
            date(2026, 11, 20)
        );
        // A holiday on the Monday pushes it on; a Saturday worked pulls it in.
        let cal = Calendar::new([date(2026, 11, 23)], [date(2026, 11, 21)]);
        assert_eq!(
            cal.add_working_days(date(2026, 11, 20), 1),
            date(2026, 11, 21)
        );
        assert_eq!(
            cal.add_working_days(date(2026, 11, 20), 2),
            date(2026, 11, 24)
        );
        assert!(!cal.is_working_day(date(2026, 11, 22)));
    }
}
