//! `GET /api/v1/regions/{code}` and `GET /api/v1/categories`: reference data.

use axum::Json as AxumJson;
use serde::Serialize;
use zhijian_core::catalogue::{self, Category};
use zhijian_core::region::{self, Region};

use super::extract::Path;
use crate::error::ApiError;

/// A region in an answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegionView {
    /// The six-digit GB/T 2260 code.
    #[schema(pattern = "^[0-9]{6}$", examples("110101"))]
    code: String,
    /// The Chinese name.
    name: &'static str,
    /// Where it sits in the tree.
    #[schema(schema_with = crate::openapi::region_level)]
    level: &'static str,
    /// Whether the code has been withdrawn from GB/T 2260 (old archives may still carry it).
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
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    region: RegionView,
    /// Its ancestors, province first (the nation is left out).
    parents: Vec<RegionView>,
    /// Its current children.
    children: Vec<RegionView>,
}

/// `GET /api/v1/regions/{code}`.
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}",
    operation_id = "get_region",
    tag = "reference",
    summary = "Look up a region",
    description = "A GB/T 2260 region with its ancestors and current children. Public. A \
        malformed code answers 422 `region_format`, an unknown one 422 `region_unknown`.",
    params(("code" = String, Path, description = "A six-digit GB/T 2260 region code.", example = "110101")),
    responses(
        (status = 200, description = "The region.", body = RegionDetail),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    operation_id = "list_categories",
    tag = "reference",
    summary = "List the product catalogue",
    description = "Every category of the product catalogue, food (`F…`) and industrial (`I…`), \
        with its risk grade. Public and not paginated: `total` is the length of `items`.",
    responses(
        (status = 200, description = "The whole catalogue.", body = zhijian_core::page::Paged<crate::openapi::CategoryView>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
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
