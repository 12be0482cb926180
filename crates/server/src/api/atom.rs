//! Atom feeds (RFC 4287) of the public lists, so that newsrooms, other bureaus and feed
//! readers follow announcements, recalls, warnings, penalties and the blacklist without
//! polling pages. Written with quick-xml (already used for EPCIS XML) rather than a feed
//! crate: a feed is a handful of elements, and the feed crates pull in builders we would
//! not otherwise need.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_xml::Writer;
use quick_xml::events::BytesText;

use crate::state::AppState;

/// One entry of a feed.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its page, relative to the node (`/recalls/7`); also its id.
    pub path: String,
    /// Title.
    pub title: String,
    /// When it last changed (RFC 3339).
    pub updated: String,
    /// A plain-text summary.
    pub summary: String,
}

/// A feed: the list page it mirrors and its entries, newest first.
#[derive(Debug, Clone)]
pub struct Feed {
    /// The list page (`/recalls`).
    pub page: String,
    /// The feed's own path (`/recalls.atom`).
    pub path: String,
    /// Title.
    pub title: String,
    /// Entries, newest first.
    pub entries: Vec<Entry>,
}

/// The node's address as the public reaches it: `public_url` when set, else the request's
/// host (a feed's ids and links must be absolute).
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = state.config.public_url.as_deref() {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

impl Feed {
    /// The feed as Atom XML; `base` is the node's absolute address.
    pub fn to_xml(&self, base: &str) -> Vec<u8> {
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
        // Writing to a Vec cannot fail.
        let _ = self.write(&mut w, base);
        let mut out = br#"<?xml version="1.0" encoding="utf-8"?>"#.to_vec();
        out.push(b'\n');
        out.extend(w.into_inner());
        out
    }

    fn write(&self, w: &mut Writer<Vec<u8>>, base: &str) -> std::io::Result<()> {
        // The feed changes when its newest entry does; an empty feed never changed.
        let updated = self
            .entries
            .iter()
            .map(|e| e.updated.as_str())
            .max()
            .unwrap_or("1970-01-01T00:00:00Z")
            .to_owned();
        w.create_element("feed")
            .with_attribute(("xmlns", "http://www.w3.org/2005/Atom"))
            .write_inner_content(|w| {
                text(w, "id", &format!("{base}{}", self.path))?;
                text(w, "title", &self.title)?;
                text(w, "updated", &updated)?;
                w.create_element("link")
                    .with_attribute(("rel", "self"))
                    .with_attribute(("href", format!("{base}{}", self.path).as_str()))
                    .write_empty()?;
                w.create_element("link")
                    .with_attribute(("rel", "alternate"))
                    .with_attribute(("type", "text/html"))
                    .with_attribute(("href", format!("{base}{}", self.page).as_str()))
                    .write_empty()?;
                w.create_element("author")
                    .write_inner_content(|w| text(w, "name", "zhijian"))?;
                for e in &self.entries {
                    let url = format!("{base}{}", e.path);
                    w.create_element("entry").write_inner_content(|w| {
                        text(w, "id", &url)?;
                        text(w, "title", &e.title)?;
                        text(w, "updated", &e.updated)?;
                        w.create_element("link")
                            .with_attribute(("rel", "alternate"))
                            .with_attribute(("type", "text/html"))
                            .with_attribute(("href", url.as_str()))
                            .write_empty()?;
                        text(w, "summary", &e.summary)
                    })?;
                }
                Ok(())
            })?;
        Ok(())
    }
}

fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

/// Answers a feed request: the entries read (or the error reading them) as the feed of
/// the list page `page`, served at `path`.
pub fn serve(
    state: &AppState,
    headers: &HeaderMap,
    page: &str,
    path: &str,
    title: &str,
    entries: Result<Vec<Entry>, zhijian_store::StoreError>,
) -> Response {
    match entries {
        Ok(entries) => respond(
            &Feed {
                page: page.into(),
                path: path.into(),
                title: title.into(),
                entries,
            },
            &base_url(state, headers),
        ),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

/// The feed as a response.
pub fn respond(feed: &Feed, base: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        feed.to_xml(base),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_reads_back() {
        let feed = Feed {
            page: "/recalls".into(),
            path: "/recalls.atom".into(),
            title: "召回 <公告> & more".into(),
            entries: vec![Entry {
                path: "/recalls/1".into(),
                title: "A & B".into(),
                updated: "2026-12-07T08:00:00Z".into(),
                summary: "<script>".into(),
            }],
        };
        let xml = String::from_utf8(feed.to_xml("https://n.example")).unwrap();
        assert!(
            xml.contains("<title>召回 &lt;公告&gt; &amp; more</title>"),
            "{xml}"
        );
        assert!(xml.contains("<summary>&lt;script&gt;</summary>"), "{xml}");
        assert!(
            xml.contains("<id>https://n.example/recalls/1</id>"),
            "{xml}"
        );
        assert!(
            xml.contains("<updated>2026-12-07T08:00:00Z</updated>"),
            "{xml}"
        );
        // It parses as XML from start to end.
        let mut r = quick_xml::Reader::from_str(&xml);
        let mut entries = 0;
        loop {
            match r.read_event().unwrap() {
                quick_xml::events::Event::Start(e) if e.name().as_ref() == b"entry" => entries += 1,
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(entries, 1);
    }
}
