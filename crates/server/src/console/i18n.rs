//! Every console label in Chinese and English, in one place.
//!
//! A page gets one [`Texts`] (a struct of `&'static str`), so a label missing in one
//! language is a compile error rather than a blank on screen. Labels of domain values
//! (licence states, roles, categories, …) are functions of [`Lang`] beside it.

use zhijian_core::access::Role;
use zhijian_core::catalogue;
use zhijian_core::enterprise::{EnterpriseStatus, Scale};
use zhijian_core::licence::{LicenceAction, LicenceState};
use zhijian_core::licence_number::LicenceKind;
use zhijian_store::records::RECORD_KINDS;

use crate::lang::Lang;

/// The fixed texts of the console in one language.
#[derive(Debug)]
pub struct Texts {
    /// The product's full name.
    pub app_name: &'static str,
    /// The product's short name (header).
    pub app_short: &'static str,
    /// The product's tagline under the name.
    pub app_tagline: &'static str,
    /// Link that skips the navigation (screen readers, keyboards).
    pub skip_to_content: &'static str,
    /// Navigation: the dashboard.
    pub nav_home: &'static str,
    /// Navigation: enterprise archives.
    pub nav_enterprises: &'static str,
    /// The button that ends the session.
    pub logout: &'static str,
    /// The label of the link to the *other* language.
    pub switch_lang: &'static str,
    /// The `hreflang`/`lang` tag of the other language.
    pub switch_lang_tag: &'static str,
    /// Footer note.
    pub footer: &'static str,

    /// Login: page title.
    pub login_title: &'static str,
    /// Login: heading.
    pub login_heading: &'static str,
    /// Login: who it is for.
    pub login_intro: &'static str,
    /// Login: username label.
    pub username: &'static str,
    /// Login: password label.
    pub password: &'static str,
    /// Login: the button.
    pub login_submit: &'static str,
    /// Login: wrong credentials (never says which one).
    pub login_failed: &'static str,
    /// Login: the session cookie is no longer valid.
    pub session_expired: &'static str,
    /// Login: shown after logging out.
    pub logged_out: &'static str,
    /// Login: shown when a console page sent the visitor here.
    pub login_required: &'static str,

    /// Dashboard: title.
    pub home_title: &'static str,
    /// Dashboard: greeting before the username.
    pub hello: &'static str,
    /// Role label.
    pub role: &'static str,
    /// Region label.
    pub region: &'static str,
    /// Dashboard: the figures heading.
    pub overview: &'static str,
    /// Dashboard: enterprises the user can see.
    pub stat_enterprises: &'static str,
    /// Dashboard: enterprises with a licence application waiting to be accepted.
    pub stat_applied: &'static str,
    /// Dashboard: enterprises with a licence under review.
    pub stat_review: &'static str,
    /// Dashboard: enterprises with a suspended licence.
    pub stat_suspended: &'static str,
    /// Dashboard: quick links heading.
    pub quick_links: &'static str,
    /// Quick link: the search.
    pub link_search: &'static str,
    /// Quick link description: the search.
    pub link_search_hint: &'static str,
    /// Quick link: licences in force.
    pub link_issued: &'static str,
    /// Quick link description: licences in force.
    pub link_issued_hint: &'static str,
    /// Quick link: pending applications.
    pub link_applied: &'static str,
    /// Quick link description: pending applications.
    pub link_applied_hint: &'static str,
    /// "View" on a figure.
    pub view: &'static str,

    /// Enterprise list: title.
    pub ent_title: &'static str,
    /// Enterprise list: the search button.
    pub search: &'static str,
    /// Enterprise list: the text search label.
    pub q_label: &'static str,
    /// Enterprise list: the text search placeholder.
    pub q_placeholder: &'static str,
    /// Filter: operating status.
    pub status: &'static str,
    /// Filter: licence state.
    pub licence_state: &'static str,
    /// Filter: product category.
    pub category: &'static str,
    /// "Any" choice of a filter.
    pub any: &'static str,
    /// Clears all filters.
    pub reset: &'static str,
    /// Column: credit code.
    pub uscc: &'static str,
    /// Column: enterprise name.
    pub ent_name: &'static str,
    /// Nothing matches.
    pub empty_results: &'static str,
    /// Pagination: previous.
    pub prev: &'static str,
    /// Pagination: next.
    pub next: &'static str,
    /// Pagination landmark label.
    pub pagination: &'static str,

    /// Archive: section "basic data".
    pub basic_data: &'static str,
    /// Archive: the legacy credit code warning.
    pub uscc_legacy: &'static str,
    /// Archive: address.
    pub address: &'static str,
    /// Archive: legal representative.
    pub legal_representative: &'static str,
    /// Archive: contact person.
    pub contact_name: &'static str,
    /// Archive: telephone.
    pub contact_phone: &'static str,
    /// Archive: industry.
    pub industry: &'static str,
    /// Archive: size class.
    pub scale: &'static str,
    /// Archive: when archived.
    pub created_at: &'static str,
    /// Archive: last change of basic data.
    pub updated_at: &'static str,
    /// A field with no value.
    pub not_recorded: &'static str,
    /// Archive: section "licences".
    pub licences: &'static str,
    /// Archive: no licences.
    pub no_licences: &'static str,
    /// Licence: kind.
    pub licence_kind: &'static str,
    /// Licence: certificate number.
    pub licence_number: &'static str,
    /// Licence: no number yet.
    pub not_issued: &'static str,
    /// Licence: scope.
    pub scope: &'static str,
    /// Licence: validity.
    pub validity: &'static str,
    /// Licence: applied at.
    pub applied_at: &'static str,
    /// Licence: state.
    pub state: &'static str,
    /// Licence: its event history.
    pub events: &'static str,
    /// Column: time.
    pub time: &'static str,
    /// Column: action taken.
    pub action: &'static str,
    /// Column: state change.
    pub state_change: &'static str,
    /// Column: who.
    pub actor: &'static str,
    /// Column / field: reason.
    pub reason: &'static str,
    /// Licence: the action panel heading.
    pub take_action: &'static str,
    /// Licence: nothing can be done in this state.
    pub no_actions: &'static str,
    /// Field: first day of validity.
    pub valid_from: &'static str,
    /// Field: last day of validity.
    pub valid_until: &'static str,
    /// Placeholder of the reason field.
    pub reason_placeholder: &'static str,
    /// Placeholder of the number field for food licences.
    pub number_placeholder_food: &'static str,
    /// Placeholder of the number field for industrial licences.
    pub number_placeholder_industrial: &'static str,
    /// Confirm button inside an action form.
    pub confirm: &'static str,
    /// Archive: section "products".
    pub products: &'static str,
    /// Archive: no products.
    pub no_products: &'static str,
    /// Product: name.
    pub product_name: &'static str,
    /// Product: specification.
    pub specification: &'static str,
    /// Product: standard.
    pub standard: &'static str,
    /// Product: GTIN.
    pub gtin: &'static str,
    /// Archive: section "supervision records".
    pub records: &'static str,
    /// Archive: no records.
    pub no_records: &'static str,
    /// Record: kind.
    pub record_kind: &'static str,
    /// Record: day.
    pub occurred_on: &'static str,
    /// Record: summary.
    pub summary: &'static str,
    /// Record: findings.
    pub findings: &'static str,
    /// Record: author.
    pub author: &'static str,
    /// Record: attachments.
    pub attachments: &'static str,
    /// Record form: heading.
    pub add_record: &'static str,
    /// Record form: the file field.
    pub attach_file: &'static str,
    /// Record form: the file field's hint.
    pub attach_hint: &'static str,
    /// Record form: save.
    pub save: &'static str,
    /// Archive: section "history".
    pub history: &'static str,
    /// Archive: no history.
    pub no_history: &'static str,
    /// History: the thing changed.
    pub object: &'static str,
    /// Archive: back to the list.
    pub back_to_list: &'static str,
    /// Flash: a record was saved.
    pub record_added: &'static str,
    /// Flash heading of an error.
    pub not_done: &'static str,

    /// Error page: not found title.
    pub not_found_title: &'static str,
    /// Error page: not found text (does not say whether it exists).
    pub not_found_text: &'static str,
    /// Error page: refused title.
    pub forbidden_title: &'static str,
    /// Error page: the form's CSRF token did not match.
    pub csrf_text: &'static str,
    /// Error page: generic failure title.
    pub error_title: &'static str,
    /// Error page: generic failure text.
    pub error_text: &'static str,
    /// Error page: link home.
    pub go_home: &'static str,
    /// Error prefix for a message from the server.
    pub request_failed: &'static str,
}

/// 中文.
pub static ZH: Texts = Texts {
    app_name: "质监 · 产品质量电子监管系统",
    app_short: "质监",
    app_tagline: "产品质量电子监管",
    skip_to_content: "跳到正文",
    nav_home: "工作台",
    nav_enterprises: "企业档案",
    logout: "退出登录",
    switch_lang: "English",
    switch_lang_tag: "en",
    footer: "数据按您所属区划范围显示 · 时间均为北京时间",

    login_title: "登录",
    login_heading: "登录监管工作台",
    login_intro: "供各级市场监管部门及企业、检验机构等用户使用。",
    username: "用户名",
    password: "密码",
    login_submit: "登录",
    login_failed: "用户名或密码错误，请重试。",
    session_expired: "登录已过期，请重新登录。",
    logged_out: "您已安全退出。",
    login_required: "请先登录。",

    home_title: "工作台",
    hello: "您好，",
    role: "角色",
    region: "所属区划",
    overview: "概况",
    stat_enterprises: "可查看的企业",
    stat_applied: "有待受理许可申请的企业",
    stat_review: "有许可在审查中的企业",
    stat_suspended: "有许可被暂停的企业",
    quick_links: "快捷入口",
    link_search: "查询企业档案",
    link_search_hint: "按名称、信用代码、区划、状态和产品类别查找企业",
    link_issued: "持有效许可证的企业",
    link_issued_hint: "许可证状态为“有效”的企业",
    link_applied: "待受理的许可申请",
    link_applied_hint: "企业已提交、尚未受理的生产许可申请",
    view: "查看",

    ent_title: "企业档案",
    search: "查询",
    q_label: "企业名称或信用代码",
    q_placeholder: "名称关键字，或代码前几位",
    status: "经营状态",
    licence_state: "许可证状态",
    category: "产品类别",
    any: "全部",
    reset: "清除条件",
    uscc: "统一社会信用代码",
    ent_name: "企业名称",
    empty_results: "没有符合条件的企业。请调整查询条件后重试。",
    prev: "上一页",
    next: "下一页",
    pagination: "分页",

    basic_data: "基本信息",
    uscc_legacy: "该代码校验码不符合 GB 32100，按试点地区历史代码接收",
    address: "住所",
    legal_representative: "法定代表人",
    contact_name: "联系人",
    contact_phone: "联系电话",
    industry: "所属行业",
    scale: "企业规模",
    created_at: "建档时间",
    updated_at: "最近更新",
    not_recorded: "未登记",
    licences: "生产许可证",
    no_licences: "暂无许可证记录。",
    licence_kind: "许可类别",
    licence_number: "证书编号",
    not_issued: "尚未发证",
    scope: "许可范围",
    validity: "有效期",
    applied_at: "申请时间",
    state: "状态",
    events: "办理记录",
    time: "时间",
    action: "事项",
    state_change: "状态变化",
    actor: "经办人",
    reason: "理由",
    take_action: "办理",
    no_actions: "当前状态下无可办理事项。",
    valid_from: "有效期起",
    valid_until: "有效期至",
    reason_placeholder: "请写明事实和依据",
    number_placeholder_food: "SC 加 14 位数字",
    number_placeholder_industrial: "如 XK16-204-00203",
    confirm: "确认",
    products: "产品",
    no_products: "暂无登记产品。",
    product_name: "产品名称",
    specification: "规格型号",
    standard: "执行标准",
    gtin: "商品条码",
    records: "监管记录",
    no_records: "暂无监管记录。",
    record_kind: "类型",
    occurred_on: "日期",
    summary: "情况摘要",
    findings: "发现问题",
    author: "记录人",
    attachments: "附件",
    add_record: "新增监管记录",
    attach_file: "附件（可选）",
    attach_hint: "PNG、JPEG、GIF 图片或 PDF 文件",
    save: "保存",
    history: "变更历史",
    no_history: "暂无变更记录。",
    object: "对象",
    back_to_list: "返回企业列表",
    record_added: "监管记录已保存。",
    not_done: "未能完成：",

    not_found_title: "未找到",
    not_found_text: "该页面不存在，或您无权查看。",
    forbidden_title: "操作被拒绝",
    csrf_text: "表单已失效或来源无法验证，请返回并刷新页面后重试。未做任何更改。",
    error_title: "出错了",
    error_text: "请求未能完成，请稍后再试。",
    go_home: "返回工作台",
    request_failed: "请求未能完成：",
};

/// English.
pub static EN: Texts = Texts {
    app_name: "Zhijian · Product Quality e-Supervision",
    app_short: "Zhijian",
    app_tagline: "Product quality e-supervision",
    skip_to_content: "Skip to content",
    nav_home: "Dashboard",
    nav_enterprises: "Enterprises",
    logout: "Log out",
    switch_lang: "中文",
    switch_lang_tag: "zh-CN",
    footer: "Data is limited to your region · Times are China Standard Time (UTC+8)",

    login_title: "Sign in",
    login_heading: "Sign in to the console",
    login_intro: "For market regulation bureaus, enterprises, laboratories and printers.",
    username: "Username",
    password: "Password",
    login_submit: "Sign in",
    login_failed: "Wrong username or password. Please try again.",
    session_expired: "Your session has expired. Please sign in again.",
    logged_out: "You have signed out.",
    login_required: "Please sign in first.",

    home_title: "Dashboard",
    hello: "Hello, ",
    role: "Role",
    region: "Region",
    overview: "Overview",
    stat_enterprises: "Enterprises you can see",
    stat_applied: "Enterprises with applications awaiting acceptance",
    stat_review: "Enterprises with a licence under review",
    stat_suspended: "Enterprises with a suspended licence",
    quick_links: "Quick links",
    link_search: "Search enterprise archives",
    link_search_hint: "Find enterprises by name, credit code, region, status and product category",
    link_issued: "Enterprises holding a licence in force",
    link_issued_hint: "Enterprises with a licence whose state is “In force”",
    link_applied: "Applications awaiting acceptance",
    link_applied_hint: "Production licence applications filed but not yet accepted",
    view: "View",

    ent_title: "Enterprise archives",
    search: "Search",
    q_label: "Name or credit code",
    q_placeholder: "Part of the name, or the code's first characters",
    status: "Status",
    licence_state: "Licence state",
    category: "Product category",
    any: "Any",
    reset: "Clear",
    uscc: "Credit code (USCC)",
    ent_name: "Name",
    empty_results: "No enterprise matches. Try other search terms.",
    prev: "Previous",
    next: "Next",
    pagination: "Pages",

    basic_data: "Basic data",
    uscc_legacy: "This code fails the GB 32100 check character; accepted as a legacy pilot-region code",
    address: "Address",
    legal_representative: "Legal representative",
    contact_name: "Contact person",
    contact_phone: "Telephone",
    industry: "Industry",
    scale: "Size",
    created_at: "Archived",
    updated_at: "Last updated",
    not_recorded: "Not recorded",
    licences: "Production licences",
    no_licences: "No licences on record.",
    licence_kind: "Kind",
    licence_number: "Certificate number",
    not_issued: "Not yet issued",
    scope: "Scope",
    validity: "Validity",
    applied_at: "Applied",
    state: "State",
    events: "Processing history",
    time: "Time",
    action: "Action",
    state_change: "State change",
    actor: "By",
    reason: "Reason",
    take_action: "Take action",
    no_actions: "No action is possible in this state.",
    valid_from: "Valid from",
    valid_until: "Valid until",
    reason_placeholder: "State the facts and the legal basis",
    number_placeholder_food: "SC followed by 14 digits",
    number_placeholder_industrial: "e.g. XK16-204-00203",
    confirm: "Confirm",
    products: "Products",
    no_products: "No products registered.",
    product_name: "Product",
    specification: "Specification",
    standard: "Standard",
    gtin: "GTIN",
    records: "Supervision records",
    no_records: "No supervision records.",
    record_kind: "Kind",
    occurred_on: "Date",
    summary: "Summary",
    findings: "Findings",
    author: "Recorded by",
    attachments: "Attachments",
    add_record: "Add a supervision record",
    attach_file: "Attachment (optional)",
    attach_hint: "A PNG, JPEG or GIF image, or a PDF file",
    save: "Save",
    history: "History",
    no_history: "No changes recorded.",
    object: "Object",
    back_to_list: "Back to the list",
    record_added: "The supervision record was saved.",
    not_done: "Not done: ",

    not_found_title: "Not found",
    not_found_text: "This page does not exist, or you may not see it.",
    forbidden_title: "Refused",
    csrf_text: "The form has expired or its origin could not be verified. Go back, reload the page and try again. Nothing was changed.",
    error_title: "Something went wrong",
    error_text: "The request could not be completed. Please try again later.",
    go_home: "Back to the dashboard",
    request_failed: "The request failed: ",
};

/// The texts of a language.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// A licence state's label.
pub fn state(lang: Lang, s: LicenceState) -> &'static str {
    lang.pick(s.label_zh(), s.label_en())
}

/// A licence action's label.
pub fn action(lang: Lang, a: LicenceAction) -> &'static str {
    lang.pick(a.label_zh(), a.label_en())
}

/// A licence kind's label.
pub fn licence_kind(lang: Lang, k: LicenceKind) -> &'static str {
    match k {
        LicenceKind::Industrial => lang.pick("工业产品生产许可证", "Industrial product licence"),
        LicenceKind::Food => lang.pick("食品生产许可证", "Food production licence"),
    }
}

/// An operating status's label.
pub fn status(lang: Lang, s: EnterpriseStatus) -> &'static str {
    match s {
        EnterpriseStatus::Active => lang.pick(s.label_zh(), "Operating"),
        EnterpriseStatus::Suspended => lang.pick(s.label_zh(), "Production halted"),
        EnterpriseStatus::Closed => lang.pick(s.label_zh(), "Closed"),
    }
}

/// A size class's label.
pub fn scale(lang: Lang, s: Scale) -> &'static str {
    match s {
        Scale::Large => lang.pick("大型", "Large"),
        Scale::Medium => lang.pick("中型", "Medium"),
        Scale::Small => lang.pick("小型", "Small"),
        Scale::Micro => lang.pick("微型", "Micro"),
    }
}

/// A role's label.
pub fn role(lang: Lang, r: Role) -> &'static str {
    match r {
        Role::Admin => lang.pick("系统管理员", "Administrator"),
        Role::Officer => lang.pick("监管人员", "Officer"),
        Role::Viewer => lang.pick("查阅人员", "Viewer"),
        Role::Enterprise => lang.pick("企业用户", "Enterprise user"),
        Role::Printer => lang.pick("印刷企业用户", "Printer"),
        Role::Lab => lang.pick("检验机构用户", "Laboratory"),
    }
}

/// A product category's label (`F05 乳制品`), or the id when unknown.
pub fn category(lang: Lang, id: &str) -> String {
    match catalogue::category(id) {
        Some(c) => format!("{} {}", c.id, lang.pick(c.name_zh, c.name_en)),
        None => id.to_owned(),
    }
}

/// A supervision record kind's label, or the stored name when unknown.
pub fn record_kind(lang: Lang, kind: &str) -> String {
    RECORD_KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map_or_else(
            || kind.to_owned(),
            |(_, zh, en)| lang.pick(zh, en).to_owned(),
        )
}

/// The label of an audit entry's action (`licence.issue` → 许可证：发证).
pub fn audit_action(lang: Lang, action: &str) -> String {
    if let Some(step) = action.strip_prefix("licence.") {
        if step == "apply" {
            return lang.pick("许可证：申请", "Licence: application").to_owned();
        }
        if let Some(a) = LicenceAction::parse(step) {
            return format!(
                "{}{}",
                lang.pick("许可证：", "Licence: "),
                self::action(lang, a)
            );
        }
    }
    let known = match action {
        "enterprise.create" => Some(lang.pick("建立档案", "Archive created")),
        "enterprise.import" => Some(lang.pick("导入档案", "Archive imported")),
        "enterprise.update" => Some(lang.pick("基本信息变更", "Basic data changed")),
        "product.create" => Some(lang.pick("登记产品", "Product registered")),
        "record.create" => Some(lang.pick("新增监管记录", "Supervision record added")),
        "attachment.create" => Some(lang.pick("上传附件", "Attachment uploaded")),
        _ => None,
    };
    known.map_or_else(|| action.to_owned(), str::to_owned)
}

/// The label of the kind of thing an audit entry changed.
pub fn entity(lang: Lang, entity: &str) -> String {
    let known = match entity {
        "enterprise" => Some(lang.pick("企业", "Enterprise")),
        "licence" => Some(lang.pick("许可证", "Licence")),
        "product" => Some(lang.pick("产品", "Product")),
        "supervision_record" => Some(lang.pick("监管记录", "Record")),
        "attachment" => Some(lang.pick("附件", "Attachment")),
        _ => None,
    };
    known.map_or_else(|| entity.to_owned(), str::to_owned)
}

/// "共 12 家企业" / "12 enterprises".
pub fn total(lang: Lang, n: i64) -> String {
    match lang {
        Lang::Zh => format!("共 {n} 家企业"),
        Lang::En if n == 1 => "1 enterprise".to_owned(),
        Lang::En => format!("{n} enterprises"),
    }
}

/// "第 2 / 5 页" / "Page 2 of 5".
pub fn page_of(lang: Lang, page: u32, pages: u32) -> String {
    match lang {
        Lang::Zh => format!("第 {page} / {pages} 页"),
        Lang::En => format!("Page {page} of {pages}"),
    }
}

/// The flash after a successful licence step.
pub fn transition_done(lang: Lang, a: LicenceAction, now: LicenceState) -> String {
    match lang {
        Lang::Zh => format!(
            "已办理“{}”，许可证当前状态：{}。",
            a.label_zh(),
            now.label_zh()
        ),
        Lang::En => format!(
            "Done: {}. The licence is now {}.",
            a.label_en(),
            now.label_en()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_filled_in_both_languages() {
        // Debug output lists every field; an empty one shows as `: ""`.
        for t in [&ZH, &EN] {
            let dump = format!("{t:?}");
            assert!(!dump.contains(": \"\""), "{dump}");
        }
    }

    #[test]
    fn audit_actions_read_as_words() {
        assert_eq!(audit_action(Lang::Zh, "licence.issue"), "许可证：发证");
        assert_eq!(
            audit_action(Lang::En, "record.create"),
            "Supervision record added"
        );
        assert_eq!(audit_action(Lang::En, "something.new"), "something.new");
    }
}
