//! The sample pages: the sampling form an inspector fills on a phone (with the units'
//! codes and photos from the camera), and one sample with everything that happens to
//! it — the enterprise's confirmation, the lab's report, the objection and its
//! decision, the re-test, and rectification — each form shown to the role that acts.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::Role;
use zhijian_core::rectification::Step;
use zhijian_core::sample_result::{ObjectionState, ResultStage};
use zhijian_core::test_report::{Item, Outcome, Report};
use zhijian_store::samples::{FiledReport, NewSample, Stage};

use super::fields::{id_of, optional_whole, whole};
use super::sampling::{Done, INDEX, finish, frame};
use super::sampling_texts::{self as st, SamplingTexts};
use super::{ConsoleUser, Layout, respond, shanghai_text, today};
use crate::api::sampling::{objection_rules, take_sample};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// The largest text field of a multipart form.
const MAX_TEXT_BYTES: usize = 16 * 1024;
/// Photos one form may carry.
const MAX_PHOTOS: usize = 20;

/// A multipart form read whole: text fields and the photos (parts named `photo`).
struct Upload {
    fields: std::collections::HashMap<String, String>,
    photos: Vec<(String, Vec<u8>)>,
}

impl Upload {
    async fn read(form: Multipart, max_photo: usize) -> Result<Upload, ApiError> {
        let mut form = form;
        let mut fields = std::collections::HashMap::new();
        let mut photos = Vec::new();
        let refused = |e: axum::extract::multipart::MultipartError| {
            ApiError::new(e.status(), "invalid_upload", e.body_text())
        };
        while let Some(mut field) = form.next_field().await.map_err(refused)? {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let limit = if name == "photo" {
                max_photo
            } else {
                MAX_TEXT_BYTES
            };
            // Read in chunks so an oversized part is refused without being held whole.
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(refused)? {
                if bytes.len() + chunk.len() > limit {
                    return Err(zhijian_core::attachment::AttachmentError::TooLarge {
                        size: bytes.len() + chunk.len(),
                        max: limit,
                    }
                    .into());
                }
                bytes.extend_from_slice(&chunk);
            }
            if name == "photo" {
                // A file input left empty still sends an empty part.
                if !bytes.is_empty() {
                    if photos.len() == MAX_PHOTOS {
                        return Err(ApiError::invalid(
                            "too_many_photos",
                            "photo",
                            format!("at most {MAX_PHOTOS} photos at once"),
                        ));
                    }
                    photos.push((file_name.unwrap_or_else(|| "photo".into()), bytes));
                }
            } else {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        Ok(Upload { fields, photos })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// Adds checked photos to a sample; the first refusal stops and is told.
async fn add_photos(
    state: &AppState,
    user: &ConsoleUser,
    sample: i64,
    photos: &[(String, Vec<u8>)],
) -> Result<(), ApiError> {
    let scoped = state.store.scoped(&user.principal);
    for (name, bytes) in photos {
        let (name, media) =
            zhijian_core::attachment::check_photo(name, bytes, state.config.max_attachment_bytes)?;
        scoped.add_sample_photo(sample, &name, media, bytes).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- the sampling form

#[derive(Template)]
#[template(path = "sampling_take.html")]
struct TakePage {
    l: Layout,
    s: &'static SamplingTexts,
    plan: i64,
    task: i64,
    enterprise: String,
    enterprise_name: String,
    category: String,
    stages: Vec<(&'static str, &'static str)>,
    today: String,
}

/// `GET /console/sampling/plans/{plan}/tasks/{task}/sample`.
pub async fn take_form(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Path((plan, task)): Path<(String, String)>,
) -> Response {
    let (Some(plan), Some(task)) = (id_of(&plan), id_of(&task)) else {
        return user.not_found();
    };
    let lang = user.lang;
    let s = st::texts(lang);
    let work = state
        .store
        .scoped(&user.principal)
        .plan_work(plan, objection_rules(&state), &state.config.calendar())
        .await;
    let work = match work {
        Ok(w) => w,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let Some(t) = work.task(task).cloned() else {
        return user.not_found();
    };
    if t.sample_id.is_some() {
        return super::redirect_with(
            &format!("{INDEX}/samples/{}", t.sample_id.unwrap_or_default()),
            &[],
        );
    }
    let (l, shown) = frame(&user, s.take_title, &headers);
    let page = TakePage {
        l,
        s,
        plan,
        task,
        enterprise: t.enterprise,
        enterprise_name: t.enterprise_name,
        category: super::i18n::category(lang, &t.category),
        stages: [Stage::Production, Stage::Distribution, Stage::Online]
            .into_iter()
            .map(|x| (x.as_str(), st::stage(lang, x)))
            .collect(),
        today: today(),
    };
    respond(StatusCode::OK, &page, shown)
}

/// `POST /console/sampling/plans/{plan}/tasks/{task}/sample` (multipart, with photos).
pub async fn take(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((plan, task)): Path<(String, String)>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let (Some(plan), Some(task)) = (id_of(&plan), id_of(&task)) else {
        return user.not_found();
    };
    let form = match form {
        Ok(f) => Upload::read(f, state.config.max_attachment_bytes).await,
        Err(e) => Err(ApiError::new(e.status(), "invalid_upload", e.body_text())),
    };
    let back = format!("{INDEX}/plans/{plan}/tasks/{task}/sample");
    let form = match form {
        Ok(f) => f,
        Err(e) => return finish(&user, &back, Err(e)),
    };
    if !user.csrf_ok(form.get("csrf").unwrap_or("")) {
        return user.csrf_refused();
    }
    let taken = async {
        let stage = match form.get("stage").unwrap_or("") {
            "distribution" => Stage::Distribution,
            "online" => Stage::Online,
            _ => Stage::Production,
        };
        let production_date = match form.get("production_date").map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(crate::api::extract::date("production_date", d)?),
        };
        let new = NewSample {
            stage,
            product_id: None,
            product_name: form.get("product_name").map(str::to_owned),
            lot: form.get("lot").unwrap_or("").to_owned(),
            production_date,
            quantity: whole("quantity", form.get("quantity"))?,
            retained: optional_whole("retained", form.get("retained"))?.unwrap_or(0),
            place: form.get("place").unwrap_or("").to_owned(),
            taken_at: None,
            codes: Vec::new(),
        };
        let codes: Vec<String> = form
            .get("codes")
            .unwrap_or("")
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，'))
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        let scoped = state.store.scoped(&user.principal);
        take_sample(&state, &scoped, task, new, &codes).await
    }
    .await;
    let sample = match taken {
        Ok(x) => x,
        Err(e) => return finish(&user, &back, Err(e)),
    };
    let page = format!("{INDEX}/samples/{}", sample.id);
    // The sample stands even if a photo is refused; the page says which.
    match add_photos(&state, &user, sample.id, &form.photos).await {
        Ok(()) => finish(&user, &page, Ok(Done::Sampled)),
        Err(e) => finish(&user, &page, Err(e)),
    }
}

// ---------------------------------------------------------------- one sample

struct ReportView {
    heading: &'static str,
    number: String,
    issued_on: String,
    conclusion: &'static str,
    failed: bool,
    lab: String,
    signature: String,
    items: Vec<ItemView>,
}

struct ItemView {
    name: String,
    requirement: String,
    value: String,
    unit: String,
    method: String,
    verdict: &'static str,
    failed: bool,
}

fn report_view(lang: Lang, heading: &'static str, r: FiledReport) -> ReportView {
    ReportView {
        heading,
        number: r.report.number,
        issued_on: r.report.issued_on.to_string(),
        conclusion: st::outcome(lang, r.report.conclusion),
        failed: r.report.conclusion == Outcome::Fail,
        lab: format!("{} · {}", r.lab_name, r.lab),
        signature: r.signature,
        items: r
            .report
            .items
            .into_iter()
            .map(|i| ItemView {
                failed: i.verdict == Outcome::Fail,
                verdict: st::outcome(lang, i.verdict),
                name: i.name,
                requirement: i.requirement,
                value: i.value,
                unit: i.unit.unwrap_or_default(),
                method: i.method.unwrap_or_default(),
            })
            .collect(),
    }
}

struct RectificationView {
    requirements: String,
    deadline: String,
    step: &'static str,
    measures: Option<String>,
    follow_up: Option<String>,
    steps: Vec<String>,
}

#[derive(Template)]
#[template(path = "sampling_sample.html")]
struct SamplePage {
    l: Layout,
    s: &'static SamplingTexts,
    id: i64,
    plan: i64,
    facts: Vec<(&'static str, String)>,
    codes: Vec<(String, String)>,
    photos: Vec<(i64, String)>,
    stage: &'static str,
    stage_label: String,
    deadline: Option<String>,
    reports: Vec<ReportView>,
    objection: Option<String>,
    rectification: Option<RectificationView>,
    can_photo: bool,
    can_confirm: bool,
    can_report: bool,
    can_object: bool,
    can_decide: bool,
    can_order: bool,
    can_measures: bool,
    can_follow_up: bool,
    can_escalate: bool,
    steps: Vec<(&'static str, &'static str)>,
    today: String,
}

/// `GET /console/sampling/samples/{id}`.
pub async fn sample(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = id_of(&id) else {
        return user.not_found();
    };
    let lang = user.lang;
    let s = st::texts(lang);
    let scoped = state.store.scoped(&user.principal);
    let loaded = async {
        let sample = scoped.sample(id).await?;
        let result = scoped
            .sample_result(id, objection_rules(&state), &state.config.calendar())
            .await?;
        let photos = scoped.sample_photos(id).await?;
        let rectification = scoped.rectification(id).await?;
        let name = state
            .store
            .organisation_by_uscc(&sample.enterprise)
            .await?
            .map(|o| o.name);
        Ok::<_, ApiError>((sample, result, photos, rectification, name))
    }
    .await;
    let (sample, result, photos, rectification, enterprise_name) = match loaded {
        Ok(x) => x,
        Err(e) => return user.failed(&e),
    };
    let role = user.principal.role;
    let me = user.principal.username.as_str();
    let standing = result.standing;
    let officer = matches!(role, Role::Officer | Role::Admin);
    let objection_state = result.objection.as_ref().map(|o| o.state);
    let final_fail =
        standing.stage == ResultStage::Final && standing.outcome == Some(Outcome::Fail);
    let facts = vec![
        (
            s.enterprise,
            match enterprise_name {
                Some(n) => format!("{n} · {}", sample.enterprise),
                None => sample.enterprise.clone(),
            },
        ),
        (s.product_name, sample.product_name.clone()),
        (s.lot, sample.lot.clone()),
        (
            s.production_date,
            sample.production_date.clone().unwrap_or_default(),
        ),
        (s.stage, st::stage(lang, sample.stage).to_owned()),
        (
            s.quantity,
            format!("{} / {} {}", sample.quantity, s.retained, sample.retained),
        ),
        (s.place, sample.place.clone()),
        (s.taken_at, shanghai_text(&sample.taken_at)),
        (s.inspectors, sample.inspectors.join("、")),
        (
            s.confirmed,
            match (&sample.confirmed_by, &sample.confirmed_at) {
                (Some(b), Some(a)) => format!("{} · {b}", shanghai_text(a)),
                _ => s.not_confirmed.to_owned(),
            },
        ),
    ];
    let mut reports = Vec::new();
    let first_filed = result.report.is_some();
    if let Some(r) = result.report {
        reports.push(report_view(lang, s.report, r));
    }
    let retest_filed = result.retest_report.is_some();
    if let Some(r) = result.retest_report {
        reports.push(report_view(lang, s.retest_report, r));
    }
    let objection = result.objection.map(|o| {
        let mut text = format!(
            "{} · {} · {}",
            st::objection_state(lang, o.state),
            o.reason,
            shanghai_text(&o.filed_at)
        );
        if let Some(r) = o.decision_reason {
            text.push_str(&format!(" · {r}"));
        }
        if let Some(lab) = o.retest_lab {
            text.push_str(&format!(" · {lab}"));
        }
        text
    });
    let rect_measures = rectification.as_ref().map(|r| r.measures.is_some());
    let rect_followed = rectification.as_ref().map(|r| r.follow_up.is_some());
    let rectification = rectification.map(|r| RectificationView {
        requirements: r.requirements,
        deadline: r.deadline.to_string(),
        step: st::step(lang, r.step),
        measures: r.measures,
        follow_up: r.follow_up.map(|o| {
            format!(
                "{} · {}",
                st::outcome(lang, o),
                r.follow_up_note.unwrap_or_default()
            )
        }),
        steps: r
            .steps
            .into_iter()
            .map(|x| {
                format!(
                    "{} · {} · {} · {}",
                    shanghai_text(&x.taken_at),
                    st::step(lang, x.step),
                    x.reason,
                    x.taken_by
                )
            })
            .collect(),
    });
    let (l, shown) = frame(&user, &format!("{} #{id}", s.sample_title), &headers);
    let page = SamplePage {
        l,
        s,
        id,
        plan: sample.plan_id,
        codes: sample
            .codes
            .iter()
            .map(|c| (c.code.clone(), c.verdict.label(lang == Lang::Zh).to_owned()))
            .collect(),
        photos: photos.into_iter().map(|p| (p.id, p.file_name)).collect(),
        stage: match standing.stage {
            // A final failure is shown as one, whatever the stage's own colour.
            ResultStage::Final if final_fail => "final tone-bad",
            ResultStage::AwaitingReport => "awaiting_report",
            ResultStage::ObjectionWindow => "objection_window",
            ResultStage::ObjectionPending => "objection_pending",
            ResultStage::Retest => "retest",
            ResultStage::Final => "final",
        },
        stage_label: match standing.outcome {
            Some(o) => format!(
                "{} · {}",
                st::result_stage(lang, standing.stage),
                st::outcome(lang, o)
            ),
            None => st::result_stage(lang, standing.stage).to_owned(),
        },
        deadline: standing.objection_deadline.map(|d| d.to_string()),
        reports,
        objection,
        rectification,
        can_photo: role == Role::Admin || sample.inspectors.iter().any(|i| i == me),
        can_confirm: role == Role::Enterprise && sample.confirmed_by.is_none(),
        can_report: role == Role::Lab
            && (!first_filed
                || (objection_state == Some(ObjectionState::Accepted) && !retest_filed)),
        can_object: role == Role::Enterprise && standing.stage == ResultStage::ObjectionWindow,
        can_decide: officer && standing.stage == ResultStage::ObjectionPending,
        can_order: officer && final_fail && rect_measures.is_none(),
        can_measures: role == Role::Enterprise && rect_measures == Some(false),
        can_follow_up: officer && rect_measures == Some(true) && rect_followed == Some(false),
        can_escalate: officer && rect_measures.is_some(),
        steps: [
            Step::PublicAnnouncement,
            Step::Suspension,
            Step::LicenceRevocation,
        ]
        .into_iter()
        .map(|x| (x.as_str(), st::step(lang, x)))
        .collect(),
        today: today(),
        facts,
    };
    respond(StatusCode::OK, &page, shown)
}

/// `POST /console/sampling/samples/{id}/photos` (multipart).
pub async fn add_photo(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(id) = id_of(&id) else {
        return user.not_found();
    };
    let back = format!("{INDEX}/samples/{id}");
    let form = match form {
        Ok(f) => Upload::read(f, state.config.max_attachment_bytes).await,
        Err(e) => Err(ApiError::new(e.status(), "invalid_upload", e.body_text())),
    };
    let form = match form {
        Ok(f) => f,
        Err(e) => return finish(&user, &back, Err(e)),
    };
    if !user.csrf_ok(form.get("csrf").unwrap_or("")) {
        return user.csrf_refused();
    }
    let outcome = if form.photos.is_empty() {
        Err(ApiError::invalid("required", "photo", "choose a photo"))
    } else {
        add_photos(&state, &user, id, &form.photos)
            .await
            .map(|()| Done::PhotoAdded)
    };
    finish(&user, &back, outcome)
}

/// Every text form of the sample page (each action reads the fields it needs).
#[derive(Debug, Default, Deserialize)]
pub struct SampleForm {
    csrf: Option<String>,
    number: Option<String>,
    issued_on: Option<String>,
    conclusion: Option<String>,
    items: Option<String>,
    reason: Option<String>,
    decision: Option<String>,
    retest_lab: Option<String>,
    requirements: Option<String>,
    deadline: Option<String>,
    measures: Option<String>,
    outcome: Option<String>,
    note: Option<String>,
    step: Option<String>,
    licence_id: Option<String>,
}

/// Reads report items typed one per line: `name | requirement | value | unit | method |
/// verdict`.
pub fn parse_items(text: &str) -> Result<Vec<Item>, ApiError> {
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
        let bad = |why: &str| {
            ApiError::invalid(
                "item_line",
                "items",
                format!("line {}: {why}: “{}”", n + 1, line.trim()),
            )
        };
        let [name, requirement, value, unit, method, verdict] = parts.as_slice() else {
            return Err(bad("write six fields separated by |"));
        };
        let verdict = crate::report_upload::outcome(verdict)
            .ok_or_else(|| bad("the verdict is 合格 or 不合格 (pass or fail)"))?;
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        items.push(Item {
            name: (*name).to_owned(),
            requirement: (*requirement).to_owned(),
            value: (*value).to_owned(),
            unit: opt(unit),
            method: opt(method),
            verdict,
        });
    }
    Ok(items)
}

/// The actions of the sample page.
#[derive(Debug, Clone, Copy)]
pub enum SampleAction {
    /// The enterprise confirms the form.
    Confirm,
    /// The lab files its report.
    Report,
    /// The enterprise objects.
    Object,
    /// An officer decides the objection.
    Decide,
    /// An officer orders rectification.
    Order,
    /// The enterprise reports its measures.
    Measures,
    /// An officer records the follow-up.
    FollowUp,
    /// An officer escalates.
    Escalate,
}

async fn act(
    state: &AppState,
    user: &ConsoleUser,
    id: i64,
    action: SampleAction,
    f: &SampleForm,
) -> Result<Done, ApiError> {
    let scoped = state.store.scoped(&user.principal);
    let rules = objection_rules(state);
    let calendar = state.config.calendar();
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let date = |field: &'static str, v: &Option<String>| {
        crate::api::extract::date(field, v.as_deref().unwrap_or("").trim())
    };
    let outcome = |v: &Option<String>, field: &'static str| {
        crate::report_upload::outcome(v.as_deref().unwrap_or("")).ok_or_else(|| {
            ApiError::invalid("invalid_value", field, format!("{field} is pass or fail"))
        })
    };
    Ok(match action {
        SampleAction::Confirm => {
            scoped.confirm_sample(id).await?;
            Done::Confirmed
        }
        SampleAction::Report => {
            let report = Report {
                number: text(&f.number),
                issued_on: date("issued_on", &f.issued_on)?,
                conclusion: outcome(&f.conclusion, "conclusion")?,
                items: parse_items(f.items.as_deref().unwrap_or(""))?,
            };
            scoped.file_report(id, &report).await?;
            crate::api::risk::sweep(state).await;
            Done::Reported
        }
        SampleAction::Object => {
            scoped
                .object(id, &text(&f.reason), rules, &calendar)
                .await?;
            Done::Objected
        }
        SampleAction::Decide => {
            let accept = f.decision.as_deref() == Some("accept");
            let lab = text(&f.retest_lab);
            scoped
                .decide_objection(
                    id,
                    accept,
                    &text(&f.reason),
                    (accept && !lab.is_empty()).then_some(lab.as_str()),
                    rules,
                    &calendar,
                )
                .await?;
            crate::api::risk::sweep(state).await;
            Done::Decided
        }
        SampleAction::Order => {
            scoped
                .order_rectification(
                    id,
                    &text(&f.requirements),
                    date("deadline", &f.deadline)?,
                    rules,
                    &calendar,
                )
                .await?;
            Done::Ordered
        }
        SampleAction::Measures => {
            scoped.report_rectification(id, &text(&f.measures)).await?;
            Done::MeasuresReported
        }
        SampleAction::FollowUp => {
            scoped
                .follow_up_rectification(id, outcome(&f.outcome, "outcome")?, &text(&f.note))
                .await?;
            Done::FollowedUp
        }
        SampleAction::Escalate => {
            let step = Step::parse(f.step.as_deref().unwrap_or("")).ok_or_else(|| {
                ApiError::invalid("invalid_value", "step", "choose a step of the ladder")
            })?;
            let licence = optional_whole("licence_id", f.licence_id.as_deref())?;
            scoped
                .escalate_rectification(id, step, &text(&f.reason), licence)
                .await?;
            Done::Escalated
        }
    })
}

use super::sampling::form_action;

form_action!(
    confirm,
    SampleForm,
    act,
    SampleAction::Confirm,
    "/console/sampling/samples/{id}",
    "`POST /console/sampling/samples/{id}/confirm`."
);
form_action!(
    report,
    SampleForm,
    act,
    SampleAction::Report,
    "/console/sampling/samples/{id}",
    "`POST /console/sampling/samples/{id}/report`."
);
form_action!(
    object,
    SampleForm,
    act,
    SampleAction::Object,
    "/console/sampling/samples/{id}",
    "`POST /console/sampling/samples/{id}/objection`."
);
form_action!(
    decide,
    SampleForm,
    act,
    SampleAction::Decide,
    "/console/sampling/samples/{id}",
    "`POST /console/sampling/samples/{id}/decision`."
);
form_action!(
    order,
    SampleForm,
    act,
    SampleAction::Order,
    "/console/sampling/samples/{id}",
    "`POST /console/sampling/samples/{id}/rectification`."
);
form_action!(
    measures,
    SampleForm,
    act,
    SampleAction::Measures,
    "/console/sampling/samples/{id}",
    "`POST /console/sampling/samples/{id}/measures`."
);
form_action!(
    follow_up,
    SampleForm,
    act,
    SampleAction::FollowUp,
    "/console/sampling/samples/{id}",
    "`POST /console/sampling/samples/{id}/follow-up`."
);
form_action!(
    escalate,
    SampleForm,
    act,
    SampleAction::Escalate,
    "/console/sampling/samples/{id}",
    "`POST /console/sampling/samples/{id}/escalation`."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_read_one_per_line() {
        let items = parse_items(
            "蛋白质 | ≥2.9 | 3.1 | g/100g | GB 5009.5-2016 | 合格\n\n酸度｜12～18｜21｜°T｜｜不合格",
        )
        .unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].unit.as_deref(), Some("g/100g"));
        assert_eq!(items[1].verdict, Outcome::Fail);
        assert_eq!(items[1].method, None);
        for bad in ["蛋白质 | ≥2.9 | 3.1", "a|b|c|d|e|maybe"] {
            let e = parse_items(bad).unwrap_err();
            assert_eq!(e.code, "item_line", "{bad}");
        }
    }
}
