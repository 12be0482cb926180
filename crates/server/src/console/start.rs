//! `/console/start`: the guided first run of an enterprise that has just joined — from
//! its archive to a code verified on a phone, each step with what to do and why, ticked
//! off as the enterprise's own data shows it done.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use zhijian_core::access::Role;
use zhijian_core::page::Page;

use super::{ConsoleUser, Layout, render};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// One step of the first run.
struct Step {
    title: &'static str,
    help: &'static str,
    href: String,
    action: &'static str,
    done: bool,
    /// The step is a form posted to `href` rather than a link.
    form: bool,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    l: Layout,
    csrf: String,
    zh: bool,
    steps: Vec<Step>,
    done: usize,
}

/// `GET /console/start` (enterprise users).
pub async fn start(State(state): State<AppState>, user: ConsoleUser) -> Response {
    if user.principal.role != Role::Enterprise {
        return user.not_found();
    }
    let lang = user.lang;
    let pick = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let scoped = state.store.scoped(&user.principal);
    let one = Page {
        page: 1,
        per_page: 1,
    };
    let loaded = async {
        let org = match user.principal.org_id {
            Some(id) => state.store.organisation(id).await?,
            None => None,
        }
        .ok_or_else(ApiError::not_found)?;
        let uscc = org.uscc.clone().ok_or_else(ApiError::not_found)?;
        let archive = scoped
            .archive(&uscc)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let applications = scoped.code_applications(None, Some(&uscc), one).await?;
        let segments = scoped.segments(one).await?;
        let batches = scoped.batches(one).await?;
        let jobs = scoped.print_jobs(one).await?;
        Ok::<_, ApiError>((
            uscc,
            archive,
            applications,
            segments,
            batches,
            jobs.total > 0,
        ))
    }
    .await;
    let (uscc, archive, applications, segments, batches, printed) = match loaded {
        Ok(x) => x,
        Err(e) => return user.failed(&e),
    };
    let segment = segments.items.first();
    let activated = batches.items.iter().any(|b| b.activated > 0);
    let steps = vec![
        Step {
            title: pick("核对档案和产品", "Check the archive and products"),
            help: pick(
                "监管码按产品申请：确认产品名称、类别和商品条码无误。",
                "Codes are applied for per product: check names, categories and GTINs.",
            ),
            href: format!("/console/enterprises/{uscc}"),
            action: pick("查看档案", "Open the archive"),
            done: !archive.products.is_empty(),
            form: false,
        },
        Step {
            title: pick("申请监管码", "Apply for supervision codes"),
            help: pick(
                "选择产品、填写数量；小批量申请对信用良好的企业可即时批准。",
                "Choose a product and a quantity; small applications from enterprises in good standing may be approved at once.",
            ),
            href: "/console/codes/applications".to_owned(),
            action: pick("申请", "Apply"),
            done: applications.total > 0,
            form: false,
        },
        Step {
            title: pick("打印标签", "Print the labels"),
            help: pick(
                "少量可用办公打印机直接打印A4标签页；大批量交给已备案的印刷企业。",
                "Print a small quantity on an office printer (A4 sheets); hand large runs to a filed printer.",
            ),
            href: segment.map_or_else(
                || "/console/codes/applications".to_owned(),
                |_| "/console/start/print".to_owned(),
            ),
            action: pick("打印一页标签（21枚）", "Print a sheet of labels (21)"),
            done: printed,
            form: segment.is_some(),
        },
        Step {
            title: pick("赋码激活", "Activate the codes on a batch"),
            help: pick(
                "贴好标签后，把这些码登记到生产批次上，消费者查询时即可看到批次信息。",
                "Once labelled, register the codes on a production batch so that consumers see the batch when they check.",
            ),
            href: "/console/codes/activate".to_owned(),
            action: pick("激活", "Activate"),
            done: activated,
            form: false,
        },
        Step {
            title: pick("用手机验证一个码", "Verify one code from a phone"),
            help: pick(
                "用手机扫描标签上的二维码，或在查询页输入20位监管码，确认消费者看到的结果。",
                "Scan a label's QR code with a phone, or type its 20 digits on the check page, and see what consumers see.",
            ),
            href: "/q".to_owned(),
            action: pick("打开查询页", "Open the check page"),
            done: false,
            form: false,
        },
    ];
    let done = steps.iter().filter(|s| s.done).count();
    let page = StartPage {
        l: user.layout(pick("入网向导", "Getting started"), "home"),
        csrf: user.csrf.clone(),
        zh: lang == Lang::Zh,
        steps,
        done,
    };
    render(StatusCode::OK, &page)
}

/// The print form's token.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PrintForm {
    csrf: Option<String>,
}

/// Labels on one A4 sheet.
const SHEET: i64 = 21;

/// `POST /console/start/print`: the enterprise prints the next sheet of its first
/// segment's labels itself, and the sheet opens.
pub async fn print(
    State(state): State<AppState>,
    user: ConsoleUser,
    form: Result<axum::Form<PrintForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let axum::Form(form) = form.unwrap_or_default();
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let scoped = state.store.scoped(&user.principal);
    let one = Page {
        page: 1,
        per_page: 1,
    };
    let printed = async {
        let segment = scoped
            .segments(one)
            .await?
            .items
            .into_iter()
            .next()
            .ok_or_else(ApiError::not_found)?;
        Ok::<_, ApiError>(scoped.print_own_labels(segment.id, SHEET).await?)
    }
    .await;
    match printed {
        Ok(job) => super::redirect_with(
            &format!("/api/v1/print-jobs/{}/sheet?per_page={SHEET}", job.id),
            &[],
        ),
        Err(e) => user.failed(&e),
    }
}
