//! `GET /console/sampling/stats`: pass rates of sampling results for officers — a
//! filter form, a bar chart per group, the monthly trend against last year, the table,
//! the items that failed most, and links to the same figures as JSON and Excel.
//!
//! The page's labels live here rather than in `i18n.rs`: only this page uses them, and
//! the struct keeps both languages complete as `Texts` does.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::sampling::PlanLevel;
use zhijian_store::sampling_stats::{GroupBy, Stats, StatsRow};

use super::chart::{self, Bar, Series};
use super::{ConsoleUser, Layout, render};
use crate::api::sampling_stats::{StatsQuery, compute};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// The page's labels in one language.
#[derive(Debug)]
pub struct StatsTexts {
    /// Page title.
    pub title: &'static str,
    /// Filter: region code.
    pub region: &'static str,
    /// Filter: plan year.
    pub year: &'static str,
    /// Filter: first month.
    pub from: &'static str,
    /// Filter: last month.
    pub to: &'static str,
    /// Filter: category id.
    pub category: &'static str,
    /// Filter: plan level.
    pub level: &'static str,
    /// Filter: grouping.
    pub group_by: &'static str,
    /// Any value.
    pub any: &'static str,
    /// The form's button.
    pub show: &'static str,
    /// Link to the JSON.
    pub json: &'static str,
    /// Link to the workbook.
    pub xlsx: &'static str,
    /// Heading of the bar chart.
    pub by_group: &'static str,
    /// Heading of the trend.
    pub trend: &'static str,
    /// Legend: this period.
    pub this_period: &'static str,
    /// Legend: a year earlier.
    pub last_year: &'static str,
    /// Table columns.
    pub columns: [&'static str; 9],
    /// Heading of the failing items.
    pub failing: &'static str,
    /// Items column.
    pub times: &'static str,
    /// Nothing counted.
    pub empty: &'static str,
    /// Grouping names, in [`GROUPS`] order.
    pub groups: [&'static str; 5],
    /// Level names, in [`LEVELS`] order.
    pub levels: [&'static str; 4],
}

static ZH: StatsTexts = StatsTexts {
    title: "抽查统计",
    region: "地区代码",
    year: "计划年度",
    from: "起始月份",
    to: "截止月份",
    category: "产品类别代码",
    level: "计划级别",
    group_by: "分组",
    any: "不限",
    show: "统计",
    json: "JSON",
    xlsx: "下载 Excel",
    by_group: "各组合格率",
    trend: "月度合格率趋势",
    this_period: "本期",
    last_year: "上年同期",
    columns: [
        "分组",
        "检验批次",
        "合格",
        "不合格",
        "合格率",
        "未定",
        "上年批次",
        "上年合格率",
        "变化",
    ],
    failing: "主要不合格项目",
    times: "次数",
    empty: "没有符合条件的抽查结果。",
    groups: ["产品类别", "地区", "月份", "抽查计划", "计划级别"],
    levels: ["国家", "省级", "市级", "县级"],
};

static EN: StatsTexts = StatsTexts {
    title: "Sampling statistics",
    region: "Region code",
    year: "Plan year",
    from: "From month",
    to: "To month",
    category: "Category id",
    level: "Plan level",
    group_by: "Group by",
    any: "Any",
    show: "Show",
    json: "JSON",
    xlsx: "Download Excel",
    by_group: "Pass rate by group",
    trend: "Monthly pass rate",
    this_period: "This period",
    last_year: "A year earlier",
    columns: [
        "Group",
        "Tested",
        "Passed",
        "Failed",
        "Pass rate",
        "Pending",
        "Tested last year",
        "Pass rate last year",
        "Change",
    ],
    failing: "Items failed most",
    times: "Times",
    empty: "No sampling results match.",
    groups: ["Category", "Region", "Month", "Plan", "Plan level"],
    levels: ["National", "Province", "City", "County"],
};

/// The groupings, in the form's order.
const GROUPS: [GroupBy; 5] = [
    GroupBy::Category,
    GroupBy::Region,
    GroupBy::Period,
    GroupBy::Plan,
    GroupBy::Level,
];

/// The plan levels, in the form's order.
const LEVELS: [PlanLevel; 4] = [
    PlanLevel::National,
    PlanLevel::Province,
    PlanLevel::City,
    PlanLevel::County,
];

/// The form as submitted: every field text, empty when not filled, so a blank field
/// never fails to parse.
#[derive(Debug, Default, Deserialize)]
pub struct StatsForm {
    region: Option<String>,
    year: Option<String>,
    from: Option<String>,
    to: Option<String>,
    category: Option<String>,
    level: Option<String>,
    group_by: Option<String>,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl StatsForm {
    /// The API's parameters for this form.
    fn query(&self) -> Result<StatsQuery, ApiError> {
        let year = given(&self.year)
            .map(|y| {
                y.parse::<i32>()
                    .map_err(|_| ApiError::invalid("year", "year", "the year is a number"))
            })
            .transpose()?;
        let level = given(&self.level)
            .map(|l| {
                PlanLevel::parse(l)
                    .ok_or_else(|| ApiError::invalid("plan_level", "level", "no such plan level"))
            })
            .transpose()?;
        let group_by = given(&self.group_by)
            .map(|g| {
                GROUPS
                    .into_iter()
                    .find(|x| x.as_str() == g)
                    .ok_or_else(|| ApiError::invalid("group_by", "group_by", "no such grouping"))
            })
            .transpose()?;
        Ok(StatsQuery {
            region: given(&self.region).map(str::to_owned),
            group_by,
            year,
            from: given(&self.from).map(str::to_owned),
            to: given(&self.to).map(str::to_owned),
            category: given(&self.category).map(str::to_owned),
            plan: None,
            level,
        })
    }

    /// The filled fields as a query string (for the JSON and Excel links).
    fn query_string(&self) -> String {
        [
            ("region", &self.region),
            ("year", &self.year),
            ("from", &self.from),
            ("to", &self.to),
            ("category", &self.category),
            ("level", &self.level),
            ("group_by", &self.group_by),
        ]
        .iter()
        .filter_map(|(k, v)| given(v).map(|v| format!("{k}={}", super::pct_encode(v))))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// An option of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The submitted value.
    pub value: &'static str,
    /// The label.
    pub label: &'static str,
    /// Whether it is chosen.
    pub selected: bool,
}

/// One table row, formatted.
#[derive(Debug, Clone)]
pub struct RowView {
    /// The group's key and name.
    pub name: String,
    /// Counts and rates, formatted.
    pub cells: [String; 8],
}

#[derive(Template)]
#[template(path = "sampling_stats.html")]
struct StatsPage {
    l: Layout,
    s: &'static StatsTexts,
    region: String,
    year: String,
    from: String,
    to: String,
    category: String,
    levels: Vec<Choice>,
    groups: Vec<Choice>,
    links: String,
    error: Option<String>,
    bar_svg: String,
    trend_svg: String,
    rows: Vec<RowView>,
    total: Option<RowView>,
    failing: Vec<(String, u64)>,
}

fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

fn row_view(r: &StatsRow) -> RowView {
    let last = r.last_year.as_ref();
    RowView {
        name: if r.key == r.name {
            r.name.clone()
        } else {
            format!("{} {}", r.key, r.name)
        },
        cells: [
            r.tested.to_string(),
            r.passed.to_string(),
            r.failed.to_string(),
            percent(r.pass_rate),
            r.pending.to_string(),
            last.map_or_else(|| "–".into(), |l| l.tested.to_string()),
            percent(last.and_then(|l| l.pass_rate)),
            last.and_then(|l| l.change)
                .map_or_else(|| "–".into(), |c| format!("{:+.1}", c * 100.0)),
        ],
    }
}

fn charts(s: &StatsTexts, stats: &Stats) -> (String, String) {
    let bars: Vec<Bar> = stats
        .rows
        .iter()
        .map(|r| Bar {
            label: r.name.clone(),
            rate: r.pass_rate,
        })
        .collect();
    let labels: Vec<String> = stats.trend.iter().map(|r| r.key.clone()).collect();
    let series = [
        Series {
            name: s.this_period.into(),
            class: "chart-line-now",
            rates: stats.trend.iter().map(|r| r.pass_rate).collect(),
        },
        Series {
            name: s.last_year.into(),
            class: "chart-line-before",
            rates: stats
                .trend
                .iter()
                .map(|r| r.last_year.as_ref().and_then(|l| l.pass_rate))
                .collect(),
        },
    ];
    (
        chart::bar_chart(s.by_group, &bars),
        chart::line_chart(s.trend, &labels, &series),
    )
}

/// `GET /console/sampling/stats`.
pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
    Query(form): Query<StatsForm>,
) -> Response {
    let s = match user.lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    };
    let result = match form.query() {
        Ok(q) => compute(&state, &Authed(user.principal.clone()), &q).await,
        Err(e) => Err(e),
    };
    let (stats, error, status) = match result {
        Ok(stats) => (Some(stats), None, StatusCode::OK),
        // Refusals (a region outside the caller's) get the error page; a bad field
        // shows the form again with the message.
        Err(e) if e.status == StatusCode::FORBIDDEN || e.status.is_server_error() => {
            return user.failed(&e);
        }
        Err(e) => (None, Some(super::message(user.lang, &e)), e.status),
    };
    let chosen_group = given(&form.group_by).unwrap_or("category");
    let chosen_level = given(&form.level).unwrap_or("");
    let (bar_svg, trend_svg) = stats
        .as_ref()
        .filter(|st| !st.rows.is_empty())
        .map(|st| charts(s, st))
        .unwrap_or_default();
    let page = StatsPage {
        l: user.layout(s.title, "sampling"),
        s,
        region: given(&form.region).unwrap_or_default().to_owned(),
        year: given(&form.year).unwrap_or_default().to_owned(),
        from: given(&form.from).unwrap_or_default().to_owned(),
        to: given(&form.to).unwrap_or_default().to_owned(),
        category: given(&form.category).unwrap_or_default().to_owned(),
        levels: LEVELS
            .iter()
            .zip(s.levels)
            .map(|(l, label)| Choice {
                value: l.as_str(),
                label,
                selected: l.as_str() == chosen_level,
            })
            .collect(),
        groups: GROUPS
            .iter()
            .zip(s.groups)
            .map(|(g, label)| Choice {
                value: g.as_str(),
                label,
                selected: g.as_str() == chosen_group,
            })
            .collect(),
        links: form.query_string(),
        error,
        bar_svg,
        trend_svg,
        rows: stats
            .as_ref()
            .map(|st| st.rows.iter().map(row_view).collect())
            .unwrap_or_default(),
        total: stats.as_ref().map(|st| row_view(&st.total)),
        failing: stats
            .as_ref()
            .map(|st| {
                st.failing_items
                    .iter()
                    .map(|i| (i.name.clone(), i.count))
                    .collect()
            })
            .unwrap_or_default(),
    };
    render(status, &page)
}
