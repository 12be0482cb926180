//! The sampling pages under `/console/sampling`: the plans a bureau sees and makes, one
//! plan with its life (approval, publication), its draw, its progress per lab and region,
//! its tasks and its announcement; and for labs and enterprises, the samples that
//! concern them. The sample pages themselves are in [`super::samples`].
//!
//! Every list comes from the same scoped store calls as the JSON API, so a page shows
//! no more than the API would; every form posts with the session's CSRF token and
//! answers with a redirect back and a one-time message ([`Done`]).

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::{Action, Role};
use zhijian_core::plan_terms::{PlanStatus, PlanStep, Terms};
use zhijian_core::region::RegionCode;
use zhijian_core::sampling::{PlanLevel, Quota};
use zhijian_store::plan_tasks::TaskFilter;
use zhijian_store::samples::Sample;
use zhijian_store::sampling::{DrawRules, NewPlan, Plan};

use super::fields::{id_of, optional_whole};
use super::i18n;
use super::paging::{Pager, page_of, pager};
use super::sampling_texts::{self as st, SamplingTexts};
use super::{ConsoleUser, Flash, Layout, respond, shanghai_text};
use crate::api::enterprises::known_region;
use crate::api::sampling::objection_rules;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// The section's first page.
pub const INDEX: &str = "/console/sampling";

/// What a sampling form did, for the next page's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// A plan was made.
    PlanCreated,
    /// A plan was approved.
    Approved,
    /// A plan was published.
    Published,
    /// A plan was drawn.
    Drawn,
    /// A plan's results were announced.
    Announced,
    /// A sample was recorded.
    Sampled,
    /// A photo was added.
    PhotoAdded,
    /// The enterprise confirmed the sampling form.
    Confirmed,
    /// A lab filed a report.
    Reported,
    /// The enterprise objected.
    Objected,
    /// An officer decided an objection.
    Decided,
    /// A rectification was ordered.
    Ordered,
    /// The enterprise reported its measures.
    MeasuresReported,
    /// The follow-up was recorded.
    FollowedUp,
    /// A rectification went up the ladder.
    Escalated,
}

const DONE: [(Done, &str, &str, &str); 15] = [
    (
        Done::PlanCreated,
        "plan",
        "计划已创建（草案）。",
        "The plan is made (draft).",
    ),
    (
        Done::Approved,
        "approved",
        "计划已审批。",
        "The plan is approved.",
    ),
    (
        Done::Published,
        "published",
        "计划已发布。",
        "The plan is published.",
    ),
    (
        Done::Drawn,
        "drawn",
        "已完成双随机抽取。",
        "The plan is drawn.",
    ),
    (
        Done::Announced,
        "announced",
        "结果已公告。",
        "The results are announced.",
    ),
    (
        Done::Sampled,
        "sampled",
        "抽样单已提交。",
        "The sampling form is recorded.",
    ),
    (
        Done::PhotoAdded,
        "photo",
        "照片已添加。",
        "The photo is added.",
    ),
    (
        Done::Confirmed,
        "confirmed",
        "抽样单已确认。",
        "The sampling form is confirmed.",
    ),
    (
        Done::Reported,
        "reported",
        "检验报告已提交。",
        "The test report is filed.",
    ),
    (
        Done::Objected,
        "objected",
        "异议已提交。",
        "The objection is lodged.",
    ),
    (
        Done::Decided,
        "decided",
        "异议已处理。",
        "The objection is decided.",
    ),
    (
        Done::Ordered,
        "ordered",
        "整改通知已下达。",
        "Rectification is ordered.",
    ),
    (
        Done::MeasuresReported,
        "measures",
        "整改情况已报告。",
        "The measures are reported.",
    ),
    (
        Done::FollowedUp,
        "followed_up",
        "复查结果已记录。",
        "The follow-up is recorded.",
    ),
    (
        Done::Escalated,
        "escalated",
        "已升级处理。",
        "The case is escalated.",
    ),
];

impl Done {
    /// Its name in the flash cookie.
    pub fn encode(self) -> &'static str {
        DONE.iter().find(|d| d.0 == self).map_or("", |d| d.1)
    }

    /// Reads a name written by [`Done::encode`].
    pub fn decode(s: &str) -> Option<Done> {
        DONE.iter().find(|d| d.1 == s).map(|d| d.0)
    }

    /// The message in a language.
    pub fn text(self, lang: Lang) -> String {
        DONE.iter()
            .find(|d| d.0 == self)
            .map_or("", |d| lang.pick(d.2, d.3))
            .to_owned()
    }
}

/// The page frame of this section (see [`ConsoleUser::framed`]).
pub(super) fn frame(user: &ConsoleUser, title: &str, headers: &HeaderMap) -> (Layout, bool) {
    user.framed(title, "sampling", headers)
}

/// Ends a form post of this section (see [`ConsoleUser::after_post`]).
pub(super) fn finish(user: &ConsoleUser, back: &str, outcome: Result<Done, ApiError>) -> Response {
    user.after_post(back, outcome.map(Flash::Sampling))
}

/// Reads the quotas typed one per line: `category region batches [lab]`.
pub fn parse_quotas(text: &str) -> Result<Vec<Quota>, ApiError> {
    let mut quotas = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let parts: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | ';' | '；'))
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            continue;
        }
        let bad = |why: &str| {
            ApiError::invalid(
                "quota_line",
                "quotas",
                format!("line {}: {why}: “{}”", n + 1, line.trim()),
            )
        };
        let (category, region, batches, lab) = match parts.as_slice() {
            [c, r, b] => (c, r, b, None),
            [c, r, b, l] => (c, r, b, Some(l.to_string())),
            _ => {
                return Err(bad(
                    "write category, region, batches and optionally the lab",
                ));
            }
        };
        let region = known_region("quotas", region).map_err(|_| bad("unknown region"))?;
        let batches = batches
            .parse::<u32>()
            .map_err(|_| bad("batches must be a whole number"))?;
        quotas.push(Quota {
            category: category.to_ascii_uppercase(),
            region,
            batches,
            lab,
        });
    }
    Ok(quotas)
}

// ---------------------------------------------------------------- index

/// The plan list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct IndexParams {
    year: Option<String>,
    page: Option<String>,
}

struct PlanRow {
    id: i64,
    name: String,
    year: i32,
    level: &'static str,
    region: String,
    batches: String,
    status: &'static str,
    status_label: &'static str,
    seed: Option<String>,
}

struct SampleRow {
    id: i64,
    product: String,
    lot: String,
    enterprise: String,
    taken_at: String,
    stage: &'static str,
}

#[derive(Template)]
#[template(path = "sampling_plans.html")]
struct PlansPage {
    l: Layout,
    s: &'static SamplingTexts,
    rows: Vec<PlanRow>,
    pager: Pager,
    year: String,
    can_create: bool,
    own_region: String,
    this_year: i16,
}

#[derive(Template)]
#[template(path = "sampling_samples.html")]
struct SamplesPage {
    l: Layout,
    s: &'static SamplingTexts,
    title: &'static str,
    intro: &'static str,
    rows: Vec<SampleRow>,
    pager: Pager,
    lab: bool,
}

/// `GET /console/sampling`: plans for bureaus; samples for labs and enterprises.
pub async fn index(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<IndexParams>, QueryRejection>,
) -> Response {
    let lang = user.lang;
    let s = st::texts(lang);
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let page = page_of(p.page.as_deref());
    let scoped = state.store.scoped(&user.principal);
    match user.principal.role {
        Role::Lab | Role::Enterprise => {
            let lab = user.principal.role == Role::Lab;
            let found = match scoped.own_samples(page).await {
                Ok(f) => f,
                Err(e) => return user.failed(&ApiError::from(e)),
            };
            let title = if lab { s.lab_title } else { s.own_title };
            let (l, shown) = frame(&user, title, &headers);
            let rows = found
                .items
                .into_iter()
                .map(|x| sample_row(lang, x))
                .collect();
            let total = s.samples_total.replace("{}", &found.total.to_string());
            let page = SamplesPage {
                l,
                s,
                title,
                intro: if lab { s.lab_intro } else { s.own_intro },
                rows,
                pager: pager(lang, found.total, page.page, "/console/sampling?", total),
                lab,
            };
            respond(StatusCode::OK, &page, shown)
        }
        Role::Officer | Role::Admin | Role::Viewer => {
            let year = p.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok());
            let found = match scoped.plans(year, page).await {
                Ok(f) => f,
                Err(e) => return user.failed(&ApiError::from(e)),
            };
            let (l, shown) = frame(&user, s.plans_title, &headers);
            let rows = found.items.into_iter().map(|p| plan_row(lang, p)).collect();
            let base = match year {
                Some(y) => format!("/console/sampling?year={y}&"),
                None => "/console/sampling?".to_owned(),
            };
            let total = s.plans_total.replace("{}", &found.total.to_string());
            let page = PlansPage {
                l,
                s,
                rows,
                pager: pager(lang, found.total, page.page, &base, total),
                year: year.map(|y| y.to_string()).unwrap_or_default(),
                can_create: matches!(user.principal.role, Role::Officer | Role::Admin),
                own_region: user.principal.region.as_str().to_owned(),
                this_year: jiff::Zoned::now().year(),
            };
            respond(StatusCode::OK, &page, shown)
        }
        Role::Printer => user.not_found(),
    }
}

fn plan_row(lang: Lang, p: Plan) -> PlanRow {
    PlanRow {
        id: p.id,
        name: p.name,
        year: p.year,
        level: st::level(lang, p.level),
        region: i18n::region_name(&p.region),
        batches: p.batches.map_or_else(|| "—".to_owned(), |b| b.to_string()),
        status: p.status.as_str(),
        status_label: st::plan_status(lang, p.status),
        seed: p.seed,
    }
}

fn sample_row(lang: Lang, x: Sample) -> SampleRow {
    SampleRow {
        id: x.id,
        product: x.product_name,
        lot: x.lot,
        enterprise: x.enterprise,
        taken_at: shanghai_text(&x.taken_at),
        stage: st::stage(lang, x.stage),
    }
}

/// The new-plan form.
#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    csrf: Option<String>,
    name: Option<String>,
    year: Option<String>,
    region: Option<String>,
    batches: Option<String>,
    budget: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    quotas: Option<String>,
}

fn optional_date(
    field: &'static str,
    v: Option<&str>,
) -> Result<Option<jiff::civil::Date>, ApiError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(d) => crate::api::extract::date(field, d).map(Some),
    }
}

/// `POST /console/sampling/plans`.
pub async fn create_plan(
    State(state): State<AppState>,
    user: ConsoleUser,
    form: Result<Form<PlanForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let made = async {
        let region = known_region("region", form.region.as_deref().unwrap_or("").trim())?;
        let year = optional_whole("year", form.year.as_deref())?
            .and_then(|y| i32::try_from(y).ok())
            .ok_or_else(|| ApiError::invalid("plan_year", "year", "the year is required"))?;
        let new = NewPlan {
            name: form.name.clone().unwrap_or_default(),
            year,
            level: PlanLevel::of(region),
            region,
            quotas: parse_quotas(form.quotas.as_deref().unwrap_or(""))?,
            terms: Terms {
                batches: optional_whole("batches", form.batches.as_deref())?
                    .map(|b| u32::try_from(b).unwrap_or(u32::MAX)),
                budget: optional_whole("budget", form.budget.as_deref())?,
                starts_on: optional_date("starts_on", form.starts_on.as_deref())?,
                ends_on: optional_date("ends_on", form.ends_on.as_deref())?,
            },
        };
        Ok::<_, ApiError>(
            state
                .store
                .scoped(&user.principal)
                .create_plan(&new)
                .await?,
        )
    }
    .await;
    match made {
        Ok(plan) => finish(
            &user,
            &format!("{INDEX}/plans/{}", plan.id),
            Ok(Done::PlanCreated),
        ),
        Err(e) => finish(&user, INDEX, Err(e)),
    }
}

// ---------------------------------------------------------------- one plan

/// The plan page's task filters.
#[derive(Debug, Default, Deserialize)]
pub struct PlanParams {
    page: Option<String>,
    lab: Option<String>,
    region: Option<String>,
}

struct QuotaRow {
    category: String,
    region: String,
    batches: u32,
    lab: Option<String>,
}

struct ProgressRow {
    lab: String,
    region: String,
    tasks: u64,
    sampled: u64,
    reported: u64,
    finals: u64,
    failed: u64,
}

struct TaskRow {
    id: i64,
    category: String,
    enterprise: String,
    enterprise_name: String,
    region: String,
    inspectors: String,
    sample_id: Option<i64>,
    standing: Option<String>,
    failed: bool,
    can_take: bool,
}

#[derive(Template)]
#[template(path = "sampling_plan.html")]
struct PlanPage {
    l: Layout,
    s: &'static SamplingTexts,
    id: i64,
    name: String,
    status: &'static str,
    status_label: &'static str,
    facts: Vec<(&'static str, String)>,
    quotas: Vec<QuotaRow>,
    can_approve: bool,
    can_publish: bool,
    can_draw: bool,
    can_announce: bool,
    announcement: Option<i64>,
    progress: Vec<ProgressRow>,
    tasks: Vec<TaskRow>,
    pager: Pager,
}

/// `GET /console/sampling/plans/{id}`.
pub async fn plan(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: Result<Query<PlanParams>, QueryRejection>,
) -> Response {
    let Some(id) = id_of(&id) else {
        return user.not_found();
    };
    let lang = user.lang;
    let s = st::texts(lang);
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let page = page_of(p.page.as_deref());
    let scoped = state.store.scoped(&user.principal);
    let rules = objection_rules(&state);
    let calendar = state.config.calendar();
    let loaded = async {
        let plan = scoped.plan(id).await?;
        let filter = TaskFilter {
            lab: p.lab.clone().filter(|l| !l.trim().is_empty()),
            region: match p.region.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(r) => Some(known_region("region", r)?),
            },
        };
        let work = scoped.plan_work(id, rules, &calendar).await?;
        let (tasks, progress) = (work.page(&filter, page), work.progress());
        let announcement = state.store.plan_announcement(id).await?;
        Ok::<_, ApiError>((plan, tasks, progress, announcement))
    }
    .await;
    let (plan, tasks, progress, announcement) = match loaded {
        Ok(x) => x,
        Err(e) => return user.failed(&e),
    };
    let region = RegionCode::parse(&plan.region).unwrap_or(RegionCode::NATIONAL);
    let me = user.principal.username.as_str();
    let plans_here = user
        .principal
        .scope(Action::PlanSampling)
        .contains(0, region);
    let dash = || "—".to_owned();
    let when = |by: &Option<String>, at: &Option<String>| match (by, at) {
        (Some(b), Some(a)) => format!("{} · {b}", shanghai_text(a)),
        _ => dash(),
    };
    let facts = vec![
        (s.year, plan.year.to_string()),
        (s.level, st::level(lang, plan.level).to_owned()),
        (s.region, i18n::region_name(&plan.region)),
        (
            s.total_batches,
            plan.batches.map_or_else(dash, |b| b.to_string()),
        ),
        (s.budget, plan.budget.map_or_else(dash, |b| b.to_string())),
        (
            s.schedule,
            match (&plan.starts_on, &plan.ends_on) {
                (None, None) => dash(),
                (a, b) => format!(
                    "{} – {}",
                    a.clone().unwrap_or_default(),
                    b.clone().unwrap_or_default()
                ),
            },
        ),
        (
            s.created,
            format!("{} · {}", shanghai_text(&plan.created_at), plan.created_by),
        ),
        (s.approved, when(&plan.approved_by, &plan.approved_at)),
        (s.published, when(&plan.published_by, &plan.published_at)),
        (
            s.seed,
            match &plan.seed {
                Some(seed) => format!("{seed} · {}", when(&plan.drawn_by, &plan.drawn_at)),
                None => s.not_drawn.to_owned(),
            },
        ),
    ];
    let quotas = plan
        .quotas
        .iter()
        .map(|q| QuotaRow {
            category: i18n::category(lang, &q.category),
            region: i18n::region_name(q.region.as_str()),
            batches: q.batches,
            lab: q.lab.clone(),
        })
        .collect();
    let published = plan.status == PlanStatus::Published;
    let rows = tasks
        .items
        .into_iter()
        .map(|t| TaskRow {
            id: t.task_id,
            category: i18n::category(lang, &t.category),
            region: i18n::region_name(&t.enterprise_region),
            inspectors: t.inspectors.join("、"),
            can_take: published
                && t.sample_id.is_none()
                && (user.principal.role == Role::Admin || t.inspectors.iter().any(|i| i == me)),
            sample_id: t.sample_id,
            failed: t
                .standing
                .is_some_and(|s| s.outcome == Some(zhijian_core::test_report::Outcome::Fail)),
            standing: t.standing.map(|s| {
                let stage = st::result_stage(lang, s.stage);
                match s.outcome {
                    Some(o) => format!("{stage} · {}", st::outcome(lang, o)),
                    None => stage.to_owned(),
                }
            }),
            enterprise: t.enterprise,
            enterprise_name: t.enterprise_name,
        })
        .collect();
    let base = format!(
        "{INDEX}/plans/{id}?{}{}",
        p.lab
            .as_deref()
            .map(|l| format!("lab={}&", super::pct_encode(l)))
            .unwrap_or_default(),
        p.region
            .as_deref()
            .map(|r| format!("region={}&", super::pct_encode(r)))
            .unwrap_or_default(),
    );
    let total = s.tasks_total.replace("{}", &tasks.total.to_string());
    let (l, shown) = frame(&user, &plan.name, &headers);
    let page = PlanPage {
        l,
        s,
        id,
        status: plan.status.as_str(),
        status_label: st::plan_status(lang, plan.status),
        facts,
        quotas,
        can_approve: plans_here && plan.status == PlanStatus::Draft && plan.created_by != me,
        can_publish: plans_here && plan.status == PlanStatus::Approved,
        can_draw: plans_here && plan.seed.is_none(),
        can_announce: plans_here && plan.seed.is_some() && announcement.is_none(),
        announcement,
        progress: progress
            .into_iter()
            .map(|g| ProgressRow {
                lab: g.lab_name.or(g.lab).unwrap_or_else(|| s.no_lab.to_owned()),
                region: g.region_name,
                tasks: g.tasks,
                sampled: g.sampled,
                reported: g.reported,
                finals: g.finals,
                failed: g.failed,
            })
            .collect(),
        tasks: rows,
        pager: pager(lang, tasks.total, page.page, &base, total),
        name: plan.name,
    };
    respond(StatusCode::OK, &page, shown)
}

/// Every form of the plan page (each action reads the fields it needs).
#[derive(Debug, Default, Deserialize)]
pub struct PlanActionForm {
    csrf: Option<String>,
    seed: Option<String>,
    inspectors_per_task: Option<String>,
    exclude: Option<String>,
    title: Option<String>,
}

/// The actions of the plan page.
#[derive(Debug, Clone, Copy)]
pub enum PlanAction {
    /// Approve a draft.
    Approve,
    /// Publish an approved plan.
    Publish,
    /// Draw it.
    Draw,
    /// Announce its results.
    Announce,
}

async fn act(
    state: &AppState,
    user: &ConsoleUser,
    id: i64,
    action: PlanAction,
    f: &PlanActionForm,
) -> Result<Done, ApiError> {
    let scoped = state.store.scoped(&user.principal);
    Ok(match action {
        PlanAction::Approve => {
            scoped.plan_step(id, PlanStep::Approve).await?;
            Done::Approved
        }
        PlanAction::Publish => {
            scoped.plan_step(id, PlanStep::Publish).await?;
            Done::Published
        }
        PlanAction::Draw => {
            let per_task = optional_whole("inspectors_per_task", f.inspectors_per_task.as_deref())?
                .unwrap_or(2);
            let rules = DrawRules {
                inspectors_per_task: usize::try_from(per_task).unwrap_or(0),
                exclude: f
                    .exclude
                    .as_deref()
                    .unwrap_or("")
                    .split([',', '，', '、', ' ', '\n'])
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .collect(),
                grade_weights: state
                    .grading
                    .current(&state.store)
                    .await?
                    .rules
                    .draw_weights(),
            };
            scoped
                .draw_plan(id, f.seed.as_deref().unwrap_or(""), &rules)
                .await?;
            Done::Drawn
        }
        PlanAction::Announce => {
            let title = f.title.as_deref().map(str::trim).filter(|t| !t.is_empty());
            scoped
                .announce(id, title, objection_rules(state), &state.config.calendar())
                .await?;
            Done::Announced
        }
    })
}

/// A handler for one of a page's form actions: the CSRF token checked, the id read,
/// the action taken by `$act`, back to the page with the outcome.
macro_rules! form_action {
    ($name:ident, $form:ty, $act:path, $action:expr, $page:literal, $doc:literal) => {
        #[doc = $doc]
        pub async fn $name(
            axum::extract::State(state): axum::extract::State<crate::state::AppState>,
            user: crate::console::ConsoleUser,
            axum::extract::Path(id): axum::extract::Path<String>,
            form: Result<axum::Form<$form>, axum::extract::rejection::FormRejection>,
        ) -> axum::response::Response {
            let axum::Form(form) = form.unwrap_or_default();
            let id = match user.form_target(form.csrf.as_deref(), &id) {
                Ok(id) => id,
                Err(refused) => return *refused,
            };
            let outcome = $act(&state, &user, id, $action, &form).await;
            crate::console::sampling::finish(&user, &format!($page, id = id), outcome)
        }
    };
}
pub(crate) use form_action;

form_action!(
    approve,
    PlanActionForm,
    act,
    PlanAction::Approve,
    "/console/sampling/plans/{id}",
    "`POST /console/sampling/plans/{id}/approve`."
);
form_action!(
    publish,
    PlanActionForm,
    act,
    PlanAction::Publish,
    "/console/sampling/plans/{id}",
    "`POST /console/sampling/plans/{id}/publish`."
);
form_action!(
    draw,
    PlanActionForm,
    act,
    PlanAction::Draw,
    "/console/sampling/plans/{id}",
    "`POST /console/sampling/plans/{id}/draw`."
);
form_action!(
    announce,
    PlanActionForm,
    act,
    PlanAction::Announce,
    "/console/sampling/plans/{id}",
    "`POST /console/sampling/plans/{id}/announce`."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_are_read_one_per_line() {
        let q = parse_quotas("F05 130100 20\n\n i03，130000，5，91130000MA0000000X \n").unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!((q[0].category.as_str(), q[0].batches), ("F05", 20));
        assert_eq!(q[1].category, "I03");
        assert_eq!(q[1].lab.as_deref(), Some("91130000MA0000000X"));
        for bad in ["F05 130100", "F05 999999 3", "F05 130100 x", "a b c d e"] {
            let e = parse_quotas(bad).unwrap_err();
            assert_eq!(e.code, "quota_line", "{bad}");
            assert!(e.detail_en.starts_with("line 1:"), "{bad}: {}", e.detail_en);
        }
    }
}
