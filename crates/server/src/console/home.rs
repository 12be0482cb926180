//! `GET /console`: who I am, and what is waiting in my region.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use zhijian_core::licence::LicenceState;
use zhijian_core::page::Page;
use zhijian_core::region::{self, RegionCode};
use zhijian_store::enterprises::EnterpriseFilter;

use super::{ConsoleUser, Layout, i18n, render};
use crate::error::ApiError;
use crate::state::AppState;

/// One figure on the dashboard, linking to the list it counts.
#[derive(Debug, Clone)]
pub struct Stat {
    /// What is counted.
    pub label: &'static str,
    /// How many.
    pub value: i64,
    /// The list behind the figure.
    pub href: &'static str,
    /// Whether a non-zero value wants attention.
    pub attention: bool,
}

/// A quick link.
#[derive(Debug, Clone)]
pub struct QuickLink {
    /// Title.
    pub label: &'static str,
    /// One line saying what is there.
    pub hint: &'static str,
    /// Where.
    pub href: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    username: String,
    role: &'static str,
    region: String,
    stats: Vec<Stat>,
    links: Vec<QuickLink>,
    to_do: &'static str,
    /// What sampling asks of the user: (address, text).
    notices: Vec<(String, String)>,
    /// The open risk warnings of the user's region, newest first: (address, level, text).
    warnings: Vec<(String, &'static str, String)>,
    /// The inbox's heading.
    warnings_title: &'static str,
}

/// The region and its ancestors, province first: `河北省 / 石家庄市`.
pub fn region_path(code: RegionCode) -> String {
    let mut names: Vec<&str> = region::parent_chain(code)
        .into_iter()
        .rev()
        .map(|r| r.name)
        .collect();
    match region::lookup(code) {
        Some(r) => names.push(r.name),
        None => names.push(code.as_str()),
    }
    names.join(" / ")
}

/// `GET /console`.
pub async fn home(State(state): State<AppState>, user: ConsoleUser) -> Response {
    let t = user.t();
    let scoped = state.store.scoped(&user.principal);
    // One row per count is enough: only `total` is wanted.
    let one = Page {
        page: 1,
        per_page: 1,
    };
    let mut stats = Vec::new();
    for (label, href, licence_state) in [
        (t.stat_enterprises, "/console/enterprises", None),
        (
            t.stat_applied,
            "/console/enterprises?licence_state=applied",
            Some(LicenceState::Applied),
        ),
        (
            t.stat_review,
            "/console/enterprises?licence_state=under_review",
            Some(LicenceState::UnderReview),
        ),
        (
            t.stat_suspended,
            "/console/enterprises?licence_state=suspended",
            Some(LicenceState::Suspended),
        ),
    ] {
        let filter = EnterpriseFilter {
            licence_state,
            ..Default::default()
        };
        match scoped.list_enterprises(&filter, one).await {
            Ok(p) => stats.push(Stat {
                label,
                value: p.total,
                href,
                attention: licence_state.is_some(),
            }),
            Err(e) => return user.failed(&ApiError::from(e)),
        }
    }
    if user.is_bureau() {
        match scoped
            .registrations(
                Some(zhijian_store::registrations::RegistrationStatus::Pending),
                one,
            )
            .await
        {
            Ok(p) => stats.push(Stat {
                label: user.lang.pick("入网申请待审", "Applications to join"),
                value: p.total,
                href: "/console/registrations",
                attention: true,
            }),
            Err(e) => return user.failed(&ApiError::from(e)),
        }
    }
    let mut warnings = Vec::new();
    if user.is_bureau() {
        let open = zhijian_store::warnings::WarningFilter {
            open: true,
            ..Default::default()
        };
        match scoped
            .warnings(
                &open,
                Page {
                    page: 1,
                    per_page: 5,
                },
            )
            .await
        {
            Ok(p) => {
                stats.push(Stat {
                    label: user.lang.pick("未关闭的风险预警", "Open risk warnings"),
                    value: p.total,
                    href: "/console/warnings?status=open",
                    attention: true,
                });
                let lang = user.lang;
                warnings = p
                    .items
                    .iter()
                    .map(|w| {
                        (
                            format!("/console/warnings/{}", w.id),
                            w.level.as_str(),
                            format!(
                                "{} · {} · {} · {} · {}",
                                super::warnings::level_name(lang, w.level),
                                super::warnings::kind_name(lang, &w.kind),
                                i18n::category(lang, &w.category),
                                i18n::region_name(&w.region),
                                super::warnings::status_name(lang, w.status)
                            ),
                        )
                    })
                    .collect();
            }
            Err(e) => return user.failed(&ApiError::from(e)),
        }
    }
    let mut links = Vec::new();
    if user.principal.role == zhijian_core::access::Role::Enterprise {
        links.push(QuickLink {
            label: user.lang.pick("入网向导", "Getting started"),
            hint: user.lang.pick(
                "申请监管码、打印标签、赋码激活、手机验证",
                "Apply for codes, print labels, activate, verify on a phone",
            ),
            href: "/console/start",
        });
        links.push(QuickLink {
            label: user.lang.pick("我的信用等级", "My credit grade"),
            hint: user.lang.pick(
                "等级、评分依据与质量承诺",
                "The grade, its reasons and your commitments",
            ),
            href: "/console/my-grade",
        });
    }
    links.extend([
        QuickLink {
            label: t.link_search,
            hint: t.link_search_hint,
            href: "/console/enterprises",
        },
        QuickLink {
            label: t.link_applied,
            hint: t.link_applied_hint,
            href: "/console/enterprises?licence_state=applied",
        },
        QuickLink {
            label: t.link_issued,
            hint: t.link_issued_hint,
            href: "/console/enterprises?licence_state=issued",
        },
    ]);
    let notices = match scoped
        .sampling_notices(
            crate::api::sampling::objection_rules(&state),
            &state.config.calendar(),
        )
        .await
    {
        Ok(n) => n
            .iter()
            .map(|n| {
                (
                    format!("/console/sampling/samples/{}", n.sample_id),
                    super::sampling_texts::notice(user.lang, n),
                )
            })
            .collect(),
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let page = HomePage {
        warnings,
        warnings_title: user
            .lang
            .pick("风险预警（待处置）", "Risk warnings to handle"),
        to_do: super::sampling_texts::texts(user.lang).to_do,
        notices,
        l: user.layout(t.home_title, "home"),
        username: user.principal.username.clone(),
        role: i18n::role(user.lang, user.principal.role),
        region: region_path(user.principal.region),
        stats,
        links,
    };
    render(StatusCode::OK, &page)
}
