//! `GET /api/v1/regions/{code}` and `GET /api/v1/categories`: reference data.

use axum::Json as AxumJson;
use serde::Serialize;
use zhijian_core::catalogue::{self, Category};
use zhijian_core::region::{self, Region};

use super::extract::Path;
use crate::error::ApiError;

/// A region in an answer.
#[derive(Serialize)]
pub struct RegionView {
    code: String,
    name: &'static str,
    level: &'static str,
    retired: bool,
}

impl From<&Region> for RegionView {
    fn from(r: &Region) -> Self {
        RegionView {
            code: r.code.as_str().to_owned(),
            name: r.name,
            level: match r.level {
                region::RegionLevel::National => "national",
                region::RegionLevel::Province => "province",
                region::RegionLevel::City => "city",
                region::RegionLevel::County => "county",
            },
            retired: r.retired,
        }
    }
}

/// A region with its ancestors (province first) and its current children.
#[derive(Serialize)]
pub struct RegionDetail {
    #[serde(flatten)]
    region: RegionView,
    parents: Vec<RegionView>,
    children: Vec<RegionView>,
}

/// `GET /api/v1/regions/{code}`.
pub async fn get_region(Path(code): Path<String>) -> Result<AxumJson<RegionDetail>, ApiError> {
    let r = region::resolve(&code)?;
    let mut parents: Vec<RegionView> = region::parent_chain(r.code)
        .into_iter()
        .map(RegionView::from)
        .collect();
    parents.reverse();
    Ok(AxumJson(RegionDetail {
        region: r.into(),
        parents,
        children: region::children(r.code)
            .into_iter()
            .map(RegionView::from)
            .collect(),
    }))
}

/// `GET /api/v1/categories`.
pub async fn categories() -> AxumJson<serde_json::Value> {
    let items: Vec<&Category> = catalogue::CATEGORIES.iter().collect();
    AxumJson(serde_json::json!({
        "items": items.iter().map(|c| serde_json::json!({
            "id": c.id, "name": c.name_zh, "name_en": c.name_en,
            "kind": c.kind, "risk_grade": c.risk.as_str(),
        })).collect::<Vec<_>>(),
        "total": items.len(),
    }))
}
