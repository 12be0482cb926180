//! Contact details people type when they join the network: a telephone number that
//! can be called or sent an SMS in mainland China, and an e-mail address.

use thiserror::Error;

/// Why a contact detail was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ContactError {
    /// Not a mainland mobile (1[3-9]xxxxxxxxx) or landline (0xx-xxxxxxxx) number.
    #[error(
        "a telephone number is a mobile number of 11 digits starting 13–19, or a landline with its area code, such as 0311-87654321"
    )]
    Phone,
    /// Not an address of the form name@domain.tld.
    #[error("an e-mail address looks like name@example.com")]
    Email,
}

impl ContactError {
    /// A stable code for API errors.
    pub fn code(self) -> &'static str {
        match self {
            ContactError::Phone => "phone_format",
            ContactError::Email => "email_format",
        }
    }
}

/// A telephone number with spaces and dashes as typed; returns it normalised (digits,
/// and one dash after a landline's area code). Full-width digits are accepted.
pub fn phone(typed: &str) -> Result<String, ContactError> {
    let digits: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '－' | '　'))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
            c => c,
        })
        .collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(ContactError::Phone);
    }
    let b = digits.as_bytes();
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Ok(digits);
    }
    // Landlines: 0 + area code (2–3 digits, 010 and 02x are 3 long) + 7–8 digits.
    if b.first() == Some(&b'0') && (10..=12).contains(&b.len()) {
        let area = if matches!(b.get(1), Some(b'1' | b'2')) {
            3
        } else {
            4
        };
        let local = b.len() - area;
        if (7..=8).contains(&local) {
            return Ok(format!("{}-{}", &digits[..area], &digits[area..]));
        }
    }
    Err(ContactError::Phone)
}

/// An e-mail address: one `@`, a local part, a dotted domain; trimmed and with the
/// domain in lower case.
pub fn email(typed: &str) -> Result<String, ContactError> {
    let t = typed.trim();
    let Some((local, domain)) = t.split_once('@') else {
        return Err(ContactError::Email);
    };
    let ok = !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 253
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && t.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
    } else {
        Err(ContactError::Email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phones_as_people_type_them() {
        assert_eq!(phone("138 0013 8000"), Ok("13800138000".into()));
        assert_eq!(phone("１３８００１３８０００"), Ok("13800138000".into()));
        assert_eq!(phone("0311-87654321"), Ok("0311-87654321".into()));
        assert_eq!(phone("010 12345678"), Ok("010-12345678".into()));
        for bad in [
            "",
            "12345",
            "12800138000",
            "0311-123",
            "+86 138 0013 8000",
            "138001380001",
        ] {
            assert_eq!(phone(bad), Err(ContactError::Phone), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Li.Na@Example.COM "), Ok("Li.Na@example.com".into()));
        for bad in [
            "", "a", "a@b", "@b.cn", "a@.cn", "a@b..cn", "a b@c.cn", "a@b@c.cn",
        ] {
            assert_eq!(email(bad), Err(ContactError::Email), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_text_gives_an_answer(s in "\\PC{0,40}") {
            let _ = phone(&s);
            let _ = email(&s);
        }
    }
}
