//! Rules for files attached to supervision records: photos and PDFs, size-limited,
//! typed by their content (not by what the sender claims), with harmless names.

use thiserror::Error;

/// The media types accepted, recognised by their first bytes.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
];

/// Why an attachment was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AttachmentError {
    /// The file is empty.
    #[error("the file is empty")]
    Empty,
    /// The file is larger than allowed.
    #[error("the file is {size} bytes; at most {max} are allowed")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The content is not a PNG, JPEG, GIF or PDF.
    #[error("only PNG, JPEG, GIF and PDF files are accepted")]
    UnsupportedType,
    /// A photo that is not a PNG, JPEG or GIF image.
    #[error("only PNG, JPEG and GIF images are accepted as photos")]
    NotAnImage,
    /// The name is empty, too long, or looks like a path.
    #[error("the file name must be a plain name without folders, at most 200 characters")]
    BadName,
}

impl AttachmentError {
    /// A stable code for problem+json bodies.
    pub fn code(&self) -> &'static str {
        match self {
            AttachmentError::Empty => "attachment_empty",
            AttachmentError::TooLarge { .. } => "attachment_too_large",
            AttachmentError::UnsupportedType => "attachment_type",
            AttachmentError::NotAnImage => "photo_type",
            AttachmentError::BadName => "attachment_name",
        }
    }
}

/// The media type of `bytes` by their signature, if accepted.
pub fn sniff_media_type(bytes: &[u8]) -> Option<&'static str> {
    SIGNATURES
        .iter()
        .find(|(sig, _)| bytes.starts_with(sig))
        .map(|(_, t)| *t)
}

/// Checks a file name: a plain name (no folders, no `..`, no control characters).
pub fn check_file_name(name: &str) -> Result<String, AttachmentError> {
    let name = name.trim();
    let bad = name.is_empty()
        || name.chars().count() > 200
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', ':', '\0'])
        || name.chars().any(char::is_control)
        || name.starts_with('.');
    if bad {
        Err(AttachmentError::BadName)
    } else {
        Ok(name.to_owned())
    }
}

/// Checks a whole upload and returns its name and media type.
pub fn check(
    name: &str,
    bytes: &[u8],
    max: usize,
) -> Result<(String, &'static str), AttachmentError> {
    let name = check_file_name(name)?;
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > max {
        return Err(AttachmentError::TooLarge {
            size: bytes.len(),
            max,
        });
    }
    let media = sniff_media_type(bytes).ok_or(AttachmentError::UnsupportedType)?;
    Ok((name, media))
}

/// Checks a photo: an attachment that is an image.
pub fn check_photo(
    name: &str,
    bytes: &[u8],
    max: usize,
) -> Result<(String, &'static str), AttachmentError> {
    match check(name, bytes, max) {
        Ok((_, media)) if !media.starts_with("image/") => Err(AttachmentError::NotAnImage),
        Err(AttachmentError::UnsupportedType) => Err(AttachmentError::NotAnImage),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_images() {
        assert_eq!(
            check_photo("p.png", b"\x89PNG\r\n\x1a\n....", 100),
            Ok(("p.png".into(), "image/png"))
        );
        assert_eq!(
            check_photo("p.png", b"%PDF-1.7", 100),
            Err(AttachmentError::NotAnImage)
        );
        assert_eq!(
            check_photo("p.png", b"hello", 100),
            Err(AttachmentError::NotAnImage)
        );
    }

    #[test]
    fn content_decides_the_type() {
        assert_eq!(
            check("a.jpg", b"%PDF-1.7 ...", 100),
            Ok(("a.jpg".into(), "application/pdf"))
        );
        assert_eq!(
            check("a.pdf", b"MZ\x90\x00", 100),
            Err(AttachmentError::UnsupportedType)
        );
    }

    #[test]
    fn path_like_names_are_refused() {
        for n in [
            "../etc/passwd",
            "a/b.png",
            "C:\\x.png",
            "..",
            ".hidden",
            "",
            "a\nb.png",
        ] {
            assert_eq!(check_file_name(n), Err(AttachmentError::BadName), "{n:?}");
        }
        assert_eq!(check_file_name(" 现场照片.png "), Ok("现场照片.png".into()));
    }

    #[test]
    fn size_is_limited() {
        let big = [b"%PDF-".as_slice(), &[0u8; 100]].concat();
        assert_eq!(
            check("x.pdf", &big, 50),
            Err(AttachmentError::TooLarge { size: 105, max: 50 })
        );
        assert_eq!(check("x.pdf", b"", 50), Err(AttachmentError::Empty));
    }
}
