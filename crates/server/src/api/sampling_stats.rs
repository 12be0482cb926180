//! Sampling statistics as JSON and as an Excel workbook; the console page
//! (`crate::console::sampling_stats`) reads the same filters.

use axum::Json as AxumJson;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use zhijian_core::sampling::PlanLevel;
use zhijian_store::sampling_stats::{GroupBy, Month, Stats, StatsFilter, StatsRow};

use super::enterprises::known_region;
use super::sampling::objection_rules;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// Filters of `GET /api/v1/sampling/stats` (and `.xlsx`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// Region subtree of the sampled enterprises (default: the caller's region).
    pub region: Option<String>,
    /// `category`, `region` (one level below `region`), `period` (month sampled),
    /// `plan` or `level` (of the plan).
    pub group_by: Option<GroupBy>,
    /// Only plans of this year.
    pub year: Option<i32>,
    /// Only samples taken in or after this month, `YYYY-MM`.
    pub from: Option<String>,
    /// Only samples taken in or before this month, `YYYY-MM`.
    pub to: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only this plan.
    pub plan: Option<i64>,
    /// Only plans of this level: `national`, `province`, `city` or `county`.
    pub level: Option<PlanLevel>,
}

impl StatsQuery {
    /// The filter these parameters name; empty strings (an unfilled form field) are
    /// left out.
    pub fn filter(&self) -> Result<StatsFilter, ApiError> {
        let given = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let month = |field: &'static str, s: &Option<String>| {
            given(s)
                .map(|m| {
                    Month::parse(&m).map_err(|e| ApiError::invalid("month", field, e.to_string()))
                })
                .transpose()
        };
        let (from, to) = (month("from", &self.from)?, month("to", &self.to)?);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(ApiError::invalid(
                "period",
                "to",
                "the period ends before it starts",
            ));
        }
        Ok(StatsFilter {
            region: given(&self.region)
                .map(|r| known_region("region", &r))
                .transpose()?,
            year: self.year,
            from,
            to,
            category: given(&self.category),
            plan: self.plan,
            level: self.level,
            group_by: self.group_by.unwrap_or(GroupBy::Category),
        })
    }
}

/// The statistics for `who` under `q`.
pub async fn compute(state: &AppState, who: &Authed, q: &StatsQuery) -> Result<Stats, ApiError> {
    let filter = q.filter()?;
    Ok(state
        .store
        .scoped(&who.0)
        .sampling_stats(&filter, objection_rules(state), &state.config.calendar())
        .await?)
}

/// `GET /api/v1/sampling/stats`.
#[utoipa::path(get, path = "/api/v1/sampling/stats", operation_id = "sampling_stats", tag = "sampling",
    summary = "Pass rates of final sampling results",
    description = "Counts samples whose result is final (see the sample result endpoint): tested, passed, failed, pass rate, and those still pending, per group and in total, with the monthly trend and the ten items that failed most. When the filter names a year or months, each row also carries the same counts one year earlier. Bureaus, within their region.",
    security(("bearer" = []), ("session" = [])), params(StatsQuery),
    responses(
        (status = 200, body = Stats),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn stats(
    State(state): State<AppState>,
    who: Authed,
    Query(q): Query<StatsQuery>,
) -> Result<AxumJson<Stats>, ApiError> {
    Ok(AxumJson(compute(&state, &who, &q).await?))
}

/// `GET /api/v1/sampling/stats.xlsx`.
#[utoipa::path(get, path = "/api/v1/sampling/stats.xlsx", operation_id = "sampling_stats_xlsx", tag = "sampling",
    summary = "Pass rates of final sampling results as an Excel workbook",
    description = "The same statistics as `/api/v1/sampling/stats`. Sheet 统计: the headings in row 1, one row per group, the total last. Sheet 趋势: one row per month. Sheet 不合格项目: the items that failed most.",
    security(("bearer" = []), ("session" = [])), params(StatsQuery),
    responses(
        (status = 200, description = "The workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn xlsx(
    State(state): State<AppState>,
    who: Authed,
    Query(q): Query<StatsQuery>,
) -> Result<Response, ApiError> {
    let stats = compute(&state, &who, &q).await?;
    let body = workbook(&stats).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"sampling-stats.xlsx\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// The columns of the statistics and trend sheets.
const HEADINGS: [&str; 10] = [
    "分组",
    "名称",
    "检验批次",
    "合格",
    "不合格",
    "合格率",
    "未定",
    "上年检验批次",
    "上年合格率",
    "变化",
];

/// Writes one row of counts; rates as numbers with a percent format, so they sort and
/// chart in the spreadsheet.
fn write_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    at: u32,
    r: &StatsRow,
    percent: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    sheet.write_string(at, 0, &r.key)?;
    sheet.write_string(at, 1, &r.name)?;
    sheet.write_number(at, 2, r.tested as f64)?;
    sheet.write_number(at, 3, r.passed as f64)?;
    sheet.write_number(at, 4, r.failed as f64)?;
    if let Some(rate) = r.pass_rate {
        sheet.write_number_with_format(at, 5, rate, percent)?;
    }
    sheet.write_number(at, 6, r.pending as f64)?;
    if let Some(l) = &r.last_year {
        sheet.write_number(at, 7, l.tested as f64)?;
        if let Some(rate) = l.pass_rate {
            sheet.write_number_with_format(at, 8, rate, percent)?;
        }
        if let Some(change) = l.change {
            sheet.write_number_with_format(at, 9, change, percent)?;
        }
    }
    Ok(())
}

/// The workbook of `stats`.
pub fn workbook(stats: &Stats) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let percent = rust_xlsxwriter::Format::new().set_num_format("0.0%");
    let sheet = book.add_worksheet();
    sheet.set_name("统计")?;
    for (col, h) in HEADINGS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (i, r) in stats.rows.iter().enumerate() {
        write_row(sheet, 1 + i as u32, r, &percent)?;
    }
    write_row(sheet, 1 + stats.rows.len() as u32, &stats.total, &percent)?;
    sheet.set_column_width(1, 24)?;
    let sheet = book.add_worksheet();
    sheet.set_name("趋势")?;
    for (col, h) in HEADINGS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (i, r) in stats.trend.iter().enumerate() {
        write_row(sheet, 1 + i as u32, r, &percent)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name("不合格项目")?;
    sheet.write_string_with_format(0, 0, "项目", &bold)?;
    sheet.write_string_with_format(0, 1, "次数", &bold)?;
    for (i, item) in stats.failing_items.iter().enumerate() {
        sheet.write_string(1 + i as u32, 0, &item.name)?;
        sheet.write_number(1 + i as u32, 1, item.count as f64)?;
    }
    sheet.set_column_width(0, 24)?;
    book.save_to_buffer()
}
