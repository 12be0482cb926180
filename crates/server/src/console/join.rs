//! `/join`: the public page where an enterprise applies to join the network, and the
//! page where it follows its application. Free and self-service: nothing but a browser.
//! The form is the JSON API's application ([`crate::api::registrations`]) in fields; a
//! refused form comes back with everything typed kept and the fault named.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use zhijian_core::catalogue;
use zhijian_store::registrations::RegistrationStatus;

use super::{Layout, lang_of, message, redirect_with, render};
use crate::api::registrations::{RegistrationInput, deliver_later, parse};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// Rows of licences and of products the form offers (more can be added in the console).
pub const LICENCE_ROWS: usize = 2;
/// See [`LICENCE_ROWS`].
pub const PRODUCT_ROWS: usize = 3;

/// The join form's labels and help, in one language.
struct JoinTexts {
    title: &'static str,
    intro: &'static str,
    steps: &'static str,
    enterprise: &'static str,
    uscc: &'static str,
    uscc_help: &'static str,
    name: &'static str,
    region: &'static str,
    region_help: &'static str,
    address: &'static str,
    legal_representative: &'static str,
    contact: &'static str,
    contact_name: &'static str,
    phone: &'static str,
    phone_help: &'static str,
    email: &'static str,
    admin: &'static str,
    admin_help: &'static str,
    username: &'static str,
    password: &'static str,
    licences: &'static str,
    licences_help: &'static str,
    licence_number: &'static str,
    valid_until: &'static str,
    scope: &'static str,
    products: &'static str,
    products_help: &'static str,
    product_name: &'static str,
    category: &'static str,
    choose: &'static str,
    gtin: &'static str,
    submit: &'static str,
    refused: &'static str,
    status_title: &'static str,
    keep_link: &'static str,
    pending: &'static str,
    approved: &'static str,
    returned: &'static str,
    reasons: &'static str,
    login: &'static str,
    apply_again: &'static str,
    number: &'static str,
}

static ZH: JoinTexts = JoinTexts {
    title: "企业入网申请",
    intro: "免费、自助：填写企业信息、联系方式、管理员账号、已取得的生产许可证和首批产品，由所在地市场监管部门审核。",
    steps: "提交后由所在地（县、区）市场监管部门审核；通过后即可用管理员账号登录，申请监管码、打印标签、赋码激活。",
    enterprise: "企业信息",
    uscc: "统一社会信用代码",
    uscc_help: "18位，见营业执照",
    name: "企业名称",
    region: "所在地区代码",
    region_help: "6位行政区划代码，如 130102（石家庄市长安区）",
    address: "地址",
    legal_representative: "法定代表人",
    contact: "联系方式",
    contact_name: "联系人",
    phone: "联系电话",
    phone_help: "手机或带区号的固定电话；审核结果以短信通知",
    email: "电子邮箱（可选）",
    admin: "管理员账号",
    admin_help: "审核通过后用它登录控制台；用户名3–64位字母、数字或 _ . - @，密码至少8位",
    username: "用户名",
    password: "密码",
    licences: "生产许可证（如有）",
    licences_help: "食品生产许可证（SC开头）或工业产品生产许可证（XK开头）",
    licence_number: "许可证编号",
    valid_until: "有效期至",
    scope: "许可范围（类别代码，逗号分隔）",
    products: "产品",
    products_help: "至少一种；有商品条码（GTIN）的请填写",
    product_name: "产品名称",
    category: "产品类别",
    choose: "请选择",
    gtin: "商品条码（可选）",
    submit: "提交申请",
    refused: "申请未提交：",
    status_title: "入网申请进度",
    keep_link: "请保存本页链接，凭它查看审核进度。",
    pending: "待审核：所在地市场监管部门正在审核。",
    approved: "已通过：请用管理员账号登录控制台。",
    returned: "被退回：请按下列原因修改后重新申请。",
    reasons: "退回原因",
    login: "登录控制台",
    apply_again: "重新申请",
    number: "申请编号",
};

static EN: JoinTexts = JoinTexts {
    title: "Join the network",
    intro: "Free and self-service: give the enterprise's details, a contact, an administrator account, the production licences it holds and its first products; the bureau of its region checks them.",
    steps: "The market regulation bureau of the enterprise's county or district checks the application; once approved, the administrator logs in to apply for supervision codes, print labels and activate them.",
    enterprise: "Enterprise",
    uscc: "Unified social credit code",
    uscc_help: "18 characters, on the business licence",
    name: "Name",
    region: "Region code",
    region_help: "6-digit administrative code, e.g. 130102 (Chang'an district, Shijiazhuang)",
    address: "Address",
    legal_representative: "Legal representative",
    contact: "Contact",
    contact_name: "Contact person",
    phone: "Telephone",
    phone_help: "A mobile, or a landline with its area code; the decision is sent by SMS",
    email: "E-mail (optional)",
    admin: "Administrator account",
    admin_help: "Logs in to the console once approved; a username of 3–64 letters, digits or _ . - @, a password of at least 8 characters",
    username: "Username",
    password: "Password",
    licences: "Production licences (if any)",
    licences_help: "Food production licences (SC…) or industrial product licences (XK…)",
    licence_number: "Licence number",
    valid_until: "Valid until",
    scope: "Scope (category codes, comma-separated)",
    products: "Products",
    products_help: "At least one; give the GTIN where the product has one",
    product_name: "Product",
    category: "Category",
    choose: "Choose",
    gtin: "GTIN (optional)",
    submit: "Submit the application",
    refused: "Not submitted: ",
    status_title: "Application progress",
    keep_link: "Keep the address of this page: it shows the application's progress.",
    pending: "Pending: the bureau of the enterprise's region is checking it.",
    approved: "Approved: log in to the console with the administrator account.",
    returned: "Returned: put right what the bureau says and apply again.",
    reasons: "Reasons",
    login: "Log in to the console",
    apply_again: "Apply again",
    number: "Application number",
};

fn texts(lang: Lang) -> &'static JoinTexts {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    l: Layout,
    j: &'static JoinTexts,
    v: HashMap<String, String>,
    error: Option<String>,
    error_field: String,
    categories: Vec<(&'static str, String)>,
    licence_rows: Vec<usize>,
    product_rows: Vec<usize>,
}

impl JoinPage {
    /// A typed value, to put back into its field.
    fn val(&self, name: &str) -> &str {
        self.v.get(name).map_or("", String::as_str)
    }

    /// The typed value of a field of row `i` (`licence_number_0`, …).
    fn row(&self, name: &str, i: &usize) -> &str {
        self.v
            .get(&format!("{name}_{i}"))
            .map_or("", String::as_str)
    }

    /// Whether the refusal is about this field.
    fn bad(&self, field: &str) -> bool {
        !self.error_field.is_empty() && self.error_field == field
    }

    /// Whether the refusal is about field `f` of row `i` of a list (`products[0].name`).
    fn bad_row(&self, list: &str, i: &usize, f: &str) -> bool {
        self.error_field == format!("{list}[{i}].{f}")
    }
}

fn page(lang: Lang, uri: &Uri, v: HashMap<String, String>, error: Option<&ApiError>) -> JoinPage {
    let j = texts(lang);
    let mut l = Layout::new(lang, uri, j.title);
    l.nav = "";
    JoinPage {
        l,
        j,
        v,
        error: error.map(|e| format!("{}{}", j.refused, message(lang, e))),
        error_field: error.and_then(|e| e.field.clone()).unwrap_or_default(),
        categories: catalogue::CATEGORIES
            .iter()
            .map(|c| (c.id, super::i18n::category(lang, c.id)))
            .collect(),
        licence_rows: (0..LICENCE_ROWS).collect(),
        product_rows: (0..PRODUCT_ROWS).collect(),
    }
}

/// `GET /join`.
pub async fn form(headers: HeaderMap, uri: Uri) -> Response {
    render(
        StatusCode::OK,
        &page(lang_of(&headers), &uri, HashMap::new(), None),
    )
}

/// The form's fields as the API's application: empty rows left out, empty values absent.
fn application(v: &HashMap<String, String>) -> Value {
    let get = |k: &str| {
        v.get(k)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .unwrap_or(Value::Null)
    };
    let enterprise: serde_json::Map<String, Value> = [
        "uscc",
        "name",
        "region",
        "address",
        "legal_representative",
        "contact_name",
        "contact_phone",
    ]
    .into_iter()
    .map(|k| (k.to_owned(), get(k)))
    .filter(|(_, v)| !v.is_null())
    .collect();
    let licences: Vec<Value> = (0..LICENCE_ROWS)
        .filter(|i| !get(&format!("licence_number_{i}")).is_null())
        .map(|i| {
            let scope: Vec<String> = v
                .get(&format!("licence_scope_{i}"))
                .map(|s| {
                    s.split([',', '，', ' ', '、'])
                        .filter(|c| !c.is_empty())
                        .map(|c| c.trim().to_ascii_uppercase())
                        .collect()
                })
                .unwrap_or_default();
            json!({"number": get(&format!("licence_number_{i}")),
                   "valid_until": get(&format!("licence_until_{i}")).as_str().unwrap_or(""),
                   "scope": scope})
        })
        .collect();
    let products: Vec<Value> = (0..PRODUCT_ROWS)
        .filter(|i| {
            !get(&format!("product_name_{i}")).is_null()
                || !get(&format!("product_category_{i}")).is_null()
        })
        .map(|i| {
            let mut p = json!({"name": get(&format!("product_name_{i}")).as_str().unwrap_or(""),
                               "category": get(&format!("product_category_{i}")).as_str().unwrap_or("")});
            let gtin = get(&format!("product_gtin_{i}"));
            if !gtin.is_null() {
                p["gtin"] = gtin;
            }
            p
        })
        .collect();
    json!({
        "enterprise": enterprise,
        "email": get("email"),
        "admin": {"username": v.get("username").map_or("", |s| s.trim()),
                  "password": v.get("password").map_or("", String::as_str)},
        "licences": licences,
        "products": products,
    })
}

/// `POST /join`.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let Form(mut v) = form.unwrap_or_default();
    let outcome = async {
        let input: RegistrationInput = serde_json::from_value(application(&v))
            .map_err(|e| ApiError::invalid("invalid_value", "form", e.to_string()))?;
        let new = parse(&input).await?;
        Ok::<_, ApiError>(state.store.submit_registration(&new).await?)
    }
    .await;
    match outcome {
        Ok((reg, token)) => {
            deliver_later(&state);
            redirect_with(&format!("/join/{}?token={token}", reg.id), &[])
        }
        Err(e) if e.status.is_server_error() => {
            render(e.status, &page(lang, &uri, HashMap::new(), Some(&e)))
        }
        Err(e) => {
            // The password is never sent back into the page.
            v.remove("password");
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(lang, &uri, v, Some(&e)),
            )
        }
    }
}

/// The status page's secret.
#[derive(Debug, Default, Deserialize)]
pub struct StatusQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "join_status.html")]
struct StatusPage {
    l: Layout,
    j: &'static JoinTexts,
    id: i64,
    name: String,
    uscc: String,
    status: &'static str,
    status_text: &'static str,
    reasons: Option<String>,
    admin_username: String,
}

/// `GET /join/{id}?token=…`.
pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let j = texts(lang);
    let found = match id.trim().parse::<i64>() {
        Ok(id) => state
            .store
            .registration_status(id, q.token.as_deref().unwrap_or(""))
            .await
            .map_err(ApiError::from),
        Err(_) => Err(ApiError::not_found()),
    };
    let mut l = Layout::new(lang, &uri, j.status_title);
    l.nav = "";
    match found {
        Ok(r) => render(
            StatusCode::OK,
            &StatusPage {
                l,
                j,
                id: r.id,
                name: r.name,
                uscc: r.uscc,
                status: r.status.as_str(),
                status_text: match r.status {
                    RegistrationStatus::Pending => j.pending,
                    RegistrationStatus::Approved => j.approved,
                    RegistrationStatus::Returned => j.returned,
                },
                reasons: r.reasons,
                admin_username: r.admin_username,
            },
        ),
        Err(e) => super::error_page(e.status, l, message(lang, &e)),
    }
}

#[derive(Template)]
#[template(path = "join_shop.html")]
struct ShopPage {
    l: Layout,
    zh: bool,
    error: Option<String>,
    v: HashMap<String, String>,
}

impl ShopPage {
    fn val(&self, name: &str) -> &str {
        self.v.get(name).map_or("", String::as_str)
    }
}

/// `GET /join/shop`: a shop registers its own query terminal.
pub async fn shop_form(headers: HeaderMap, uri: Uri) -> Response {
    let lang = lang_of(&headers);
    let mut l = Layout::new(
        lang,
        &uri,
        lang.pick("门店查询终端登记", "Register a shop terminal"),
    );
    l.nav = "";
    render(
        StatusCode::OK,
        &ShopPage {
            l,
            zh: lang == Lang::Zh,
            error: None,
            v: HashMap::new(),
        },
    )
}

/// `POST /join/shop`: registers the terminal and opens its page with the token in the
/// address's fragment, which the browser keeps and never sends.
pub async fn shop_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let Form(v) = form.unwrap_or_default();
    let field = |k: &str| v.get(k).map_or("", |s| s.trim());
    let outcome = async {
        let region = crate::api::enterprises::known_region("region", field("region"))?;
        Ok::<_, ApiError>(
            state
                .store
                .register_own_terminal(field("name"), field("shop"), region)
                .await?,
        )
    }
    .await;
    match outcome {
        Ok((_, token)) => redirect_with(&format!("/t#token={token}"), &[]),
        Err(e) => {
            let mut l = Layout::new(
                lang,
                &uri,
                lang.pick("门店查询终端登记", "Register a shop terminal"),
            );
            l.nav = "";
            let status = if e.status.is_server_error() {
                e.status
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(
                status,
                &ShopPage {
                    l,
                    zh: lang == Lang::Zh,
                    error: Some(message(lang, &e)),
                    v,
                },
            )
        }
    }
}
