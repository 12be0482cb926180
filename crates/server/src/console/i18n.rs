//! Every console label in Chinese and English, in one place.
//!
//! A page gets one [`Texts`] (a struct of `&'static str`), so a label missing in one
//! language is a compile error rather than a blank on screen. Labels of domain values
//! (licence states, roles, categories, …) are functions of [`Lang`] beside it.

use zhijian_core::access::Role;
use zhijian_core::catalogue;
use zhijian_core::code::verdict::Verdict;
use zhijian_core::enterprise::{EnterpriseStatus, Scale};
use zhijian_core::licence::{LicenceAction, LicenceState};
use zhijian_core::licence_number::LicenceKind;
use zhijian_core::region::{self, RegionCode};
use zhijian_store::codes::ApplicationStatus;
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
    /// Navigation: supervision codes.
    pub nav_codes: &'static str,
    /// Navigation: sampling.
    pub nav_sampling: &'static str,
    /// Navigation: credit grades and supervision.
    pub nav_grades: &'static str,
    /// Navigation: risk warnings and incidents.
    pub nav_risk: &'static str,
    /// Nav: traces.
    pub nav_trace: &'static str,
    /// Navigation: recalls.
    pub nav_recalls: &'static str,
    /// Navigation: complaints.
    pub nav_complaints: &'static str,
    /// Navigation: enforcement cases.
    pub nav_cases: &'static str,
    /// Navigation: EPCIS events (flow).
    pub nav_events: &'static str,
    /// Link from a batch to its traceability dossier.
    pub dossier_link: &'static str,
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
    nav_codes: "监管码",
    nav_sampling: "抽查",
    nav_grades: "信用监管",
    nav_risk: "风险预警",
    nav_trace: "追溯",
    nav_recalls: "召回",
    nav_complaints: "投诉",
    nav_cases: "执法",
    nav_events: "流向事件",
    dossier_link: "追溯档案",
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
    nav_codes: "Codes",
    nav_sampling: "Sampling",
    nav_grades: "Grades",
    nav_risk: "Risk",
    nav_trace: "Trace",
    nav_recalls: "Recalls",
    nav_complaints: "Complaints",
    nav_cases: "Cases",
    nav_events: "Events",
    dossier_link: "Dossier",
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

/// The texts of the supervision-code pages (`/console/codes/…`) in one language, kept
/// apart from [`Texts`] so each page family reads its own labels.
#[derive(Debug)]
pub struct CodeTexts {
    /// Section index: title.
    pub title: &'static str,
    /// Section index: what the section is for.
    pub intro: &'static str,
    /// Section index: the user's role has no code pages.
    pub no_pages: &'static str,
    /// Section index: figures heading.
    pub overview: &'static str,
    /// Figure: applications waiting for a decision.
    pub stat_pending: &'static str,
    /// Figure: batches.
    pub stat_batches: &'static str,
    /// Figure: counterfeit signals.
    pub stat_signals: &'static str,
    /// Figure: print jobs.
    pub stat_jobs: &'static str,

    /// Page: applications.
    pub apps_title: &'static str,
    /// Applications: what the page is for.
    pub apps_hint: &'static str,
    /// Page: print jobs.
    pub jobs_title: &'static str,
    /// Print jobs: what the page is for.
    pub jobs_hint: &'static str,
    /// Page: activation.
    pub act_title: &'static str,
    /// Activation: what the page is for.
    pub act_hint: &'static str,
    /// Page: batches.
    pub batches_title: &'static str,
    /// Batches: what the page is for.
    pub batches_hint: &'static str,
    /// Page: a code's history.
    pub history_title: &'static str,
    /// History: what the page is for.
    pub history_hint: &'static str,
    /// Page: counterfeit signals.
    pub signals_title: &'static str,
    /// Signals: what the page is for.
    pub signals_hint: &'static str,
    /// The sub-navigation's label.
    pub sections: &'static str,

    /// Column: enterprise.
    pub enterprise: &'static str,
    /// Column: product.
    pub product: &'static str,
    /// Column / field: quantity of codes.
    pub quantity: &'static str,
    /// Column: status.
    pub status: &'static str,
    /// Column: code segment.
    pub segment: &'static str,
    /// The first code of a range.
    pub first_code: &'static str,
    /// The last code of a range.
    pub last_code: &'static str,
    /// Column: applied at / by.
    pub applied: &'static str,
    /// Column: decided at / by.
    pub decided: &'static str,
    /// Field: the applicant's note.
    pub note: &'static str,
    /// Placeholder of the note.
    pub note_placeholder: &'static str,
    /// Field / column: reason.
    pub reason: &'static str,
    /// Placeholder of a reason.
    pub reason_placeholder: &'static str,
    /// "By" before a username.
    pub by: &'static str,
    /// The colon between a label and its value.
    pub colon: &'static str,
    /// "Line" before a line number.
    pub line: &'static str,
    /// A value that is not there.
    pub none: &'static str,
    /// Filter: any status.
    pub any_status: &'static str,
    /// Filter button.
    pub filter: &'static str,
    /// Application form heading.
    pub apply_heading: &'static str,
    /// Application form button.
    pub apply_submit: &'static str,
    /// The enterprise has no product to apply for.
    pub no_products: &'static str,
    /// Button: approve an application.
    pub approve: &'static str,
    /// Button: refuse an application.
    pub refuse: &'static str,
    /// No applications at all.
    pub apps_empty: &'static str,
    /// No applications with the chosen status.
    pub apps_empty_filtered: &'static str,
    /// Waiting for a decision.
    pub app_pending: &'static str,
    /// Approved.
    pub app_approved: &'static str,
    /// Refused.
    pub app_refused: &'static str,

    /// Print job form heading.
    pub hand_heading: &'static str,
    /// Print job form: what it does.
    pub hand_hint: &'static str,
    /// Field: the printer's credit code.
    pub printer_uscc: &'static str,
    /// Field: where in the segment the part starts.
    pub offset: &'static str,
    /// Hint of the offset field.
    pub offset_hint: &'static str,
    /// Hint of the optional quantity field.
    pub quantity_hint: &'static str,
    /// Print job form button.
    pub hand_submit: &'static str,
    /// No segment to hand out yet.
    pub no_segments: &'static str,
    /// Printer: its own credit code, to give to enterprises.
    pub my_uscc: &'static str,
    /// Column: print job.
    pub job: &'static str,
    /// Column: the range of codes.
    pub codes: &'static str,
    /// Column: printer.
    pub printer: &'static str,
    /// Labels printed.
    pub printed: &'static str,
    /// Labels spoiled.
    pub spoiled: &'static str,
    /// How often the file was downloaded.
    pub downloads: &'static str,
    /// When the job was handed over.
    pub handed_at: &'static str,
    /// Link: the code file.
    pub download: &'static str,
    /// Confirm form heading.
    pub confirm_heading: &'static str,
    /// Confirm form button.
    pub confirm_submit: &'static str,
    /// No print jobs (enterprise, bureau).
    pub jobs_empty: &'static str,
    /// No print jobs (printer).
    pub jobs_empty_printer: &'static str,
    /// Waiting for the printer.
    pub job_assigned: &'static str,
    /// Confirmed by the printer.
    pub job_confirmed: &'static str,

    /// Activation: batch fields heading.
    pub batch_heading: &'static str,
    /// Field: lot number.
    pub lot: &'static str,
    /// Field: production date.
    pub production_date: &'static str,
    /// Field: expiry date.
    pub expiry_date: &'static str,
    /// Field: inspection report number.
    pub inspection_report: &'static str,
    /// Activation: codes heading.
    pub codes_heading: &'static str,
    /// Activation: how codes may be given.
    pub codes_hint: &'static str,
    /// Field: codes, one per line.
    pub codes_list: &'static str,
    /// Field: a first/last range.
    pub range: &'static str,
    /// Field: a CSV file.
    pub file: &'static str,
    /// Hint of the file field.
    pub file_hint: &'static str,
    /// Activation button.
    pub act_submit: &'static str,
    /// Activation refused: the codes named.
    pub named_codes: &'static str,
    /// Activation: printed ranges ready for activation.
    pub ready_heading: &'static str,
    /// Activation: nothing printed yet.
    pub ready_empty: &'static str,

    /// Column: lot.
    pub batch: &'static str,
    /// Column: codes activated on a batch.
    pub activated: &'static str,
    /// Batch in circulation.
    pub batch_active: &'static str,
    /// Batch recalled.
    pub batch_recalled: &'static str,
    /// Batch decommissioned.
    pub batch_decommissioned: &'static str,
    /// Batch in circulation but past its expiry date (its codes verify as expired).
    pub batch_expired: &'static str,
    /// Button: recall.
    pub recall: &'static str,
    /// Button: decommission.
    pub decommission: &'static str,
    /// No batches.
    pub batches_empty: &'static str,
    /// Column: dates.
    pub dates: &'static str,

    /// History: the code field.
    pub code: &'static str,
    /// History: placeholder of the code field.
    pub code_placeholder: &'static str,
    /// History: the button.
    pub look_up: &'static str,
    /// Column: time.
    pub time: &'static str,
    /// Column: channel.
    pub channel: &'static str,
    /// Column: region.
    pub region: &'static str,
    /// Column: verdict.
    pub verdict: &'static str,
    /// History: never queried.
    pub history_empty: &'static str,
    /// History: not a code the user may see.
    pub history_not_found: &'static str,
    /// History: a terminal.
    pub terminal: &'static str,
    /// A place that is not known.
    pub unknown_place: &'static str,

    /// Column: kind of signal.
    pub kind: &'static str,
    /// Column: details.
    pub details: &'static str,
    /// A code that is not shown because the node never issued it.
    pub code_withheld: &'static str,
    /// No signals.
    pub signals_empty: &'static str,
    /// Link to a code's history.
    pub view_history: &'static str,
}

/// 中文 (supervision codes).
pub static CODES_ZH: CodeTexts = CodeTexts {
    title: "监管码",
    intro: "电子监管码从申领、审批、交付印刷、赋码激活到消费者查询的全过程。",
    no_pages: "您的角色没有可用的监管码功能。如需使用，请联系系统管理员。",
    overview: "概况",
    stat_pending: "待审批的申请",
    stat_batches: "生产批次",
    stat_signals: "假冒线索",
    stat_jobs: "印刷任务",

    apps_title: "赋码申请",
    apps_hint: "企业申领监管码，监管部门审批并分配码段",
    jobs_title: "印刷任务",
    jobs_hint: "码段交付备案印刷企业，印刷后确认数量",
    act_title: "赋码激活",
    act_hint: "把已印刷的监管码绑定到生产批次",
    batches_title: "生产批次",
    batches_hint: "已激活监管码的批次，可召回或注销",
    history_title: "单码查询记录",
    history_hint: "查看一个监管码被查询的时间、渠道、地点和结果",
    signals_title: "假冒线索",
    signals_hint: "查询中发现的可疑情况：未签发的码、重复查询、多地查询",
    sections: "监管码功能",

    enterprise: "企业",
    product: "产品",
    quantity: "数量",
    status: "状态",
    segment: "码段",
    first_code: "起始码",
    last_code: "结束码",
    applied: "申请",
    decided: "审批",
    note: "备注",
    note_placeholder: "如用途、包装规格（可选）",
    reason: "理由",
    reason_placeholder: "请写明理由",
    by: "经办人",
    colon: "：",
    line: "第 {} 行",
    none: "—",
    any_status: "全部状态",
    filter: "筛选",
    apply_heading: "申领监管码",
    apply_submit: "提交申请",
    no_products: "本企业尚未登记产品。申领监管码前需先登记产品，请联系属地市场监管部门。",
    approve: "批准并分配码段",
    refuse: "不予批准",
    apps_empty: "还没有赋码申请。企业提交申请后会显示在这里。",
    apps_empty_filtered: "没有该状态的申请。请选择其他状态。",
    app_pending: "待审批",
    app_approved: "已批准",
    app_refused: "未批准",

    hand_heading: "交付印刷",
    hand_hint: "把码段的全部或一部分交给备案印刷企业。不填起始位置和数量时，交付码段中尚未交付的其余全部监管码。",
    printer_uscc: "印刷企业统一社会信用代码",
    offset: "起始位置",
    offset_hint: "从 0 起，可不填",
    quantity_hint: "可不填，默认到码段末尾",
    hand_submit: "交付印刷",
    no_segments: "还没有已批准的码段。赋码申请获批后即可交付印刷。",
    my_uscc: "本单位统一社会信用代码（请告知委托印刷的企业）",
    job: "任务",
    codes: "监管码",
    printer: "印刷企业",
    printed: "已印刷",
    spoiled: "废品",
    downloads: "下载次数",
    handed_at: "交付时间",
    download: "下载码文件（CSV）",
    confirm_heading: "确认印刷结果",
    confirm_submit: "确认",
    jobs_empty: "还没有印刷任务。码段交付印刷企业后会显示在这里。",
    jobs_empty_printer: "目前没有交给本单位的印刷任务。企业交付后会显示在这里。",
    job_assigned: "待印刷",
    job_confirmed: "已确认",

    batch_heading: "生产批次",
    lot: "批号",
    production_date: "生产日期",
    expiry_date: "保质期至",
    inspection_report: "出厂检验报告编号",
    codes_heading: "监管码",
    codes_hint: "可逐行粘贴监管码、填写起止码，或上传 CSV 文件（取第一列），几种方式可以同时使用。只能激活已确认印刷的监管码。",
    codes_list: "监管码（每行一个）",
    range: "号段",
    file: "CSV 文件",
    file_hint: "包装线导出的文件，或印刷任务的码文件",
    act_submit: "激活",
    named_codes: "涉及的监管码",
    ready_heading: "已确认印刷的号段",
    ready_empty: "还没有已确认印刷的监管码。印刷企业确认印刷后才能激活。",

    batch: "批号",
    activated: "已激活",
    batch_active: "流通中",
    batch_recalled: "已召回",
    batch_decommissioned: "已注销",
    batch_expired: "已过保质期",
    recall: "召回",
    decommission: "注销",
    batches_empty: "还没有生产批次。企业激活监管码时会建立批次。",
    dates: "日期",

    code: "监管码",
    code_placeholder: "20位监管码",
    look_up: "查看",
    time: "时间",
    channel: "渠道",
    region: "地点",
    verdict: "结果",
    history_empty: "该监管码还没有被查询过。",
    history_not_found: "没有找到该监管码，或您无权查看它的记录。",
    terminal: "终端",
    unknown_place: "未知地点",

    kind: "类型",
    details: "详情",
    code_withheld: "（非本平台签发，不予公开）",
    signals_empty: "暂无假冒线索。查询中发现可疑监管码时会显示在这里。",
    view_history: "查询记录",
};

/// English (supervision codes).
pub static CODES_EN: CodeTexts = CodeTexts {
    title: "Supervision codes",
    intro: "Supervision codes from application and approval to printing, activation on a batch and consumer verification.",
    no_pages: "Your role has no supervision-code pages. Ask the administrator if you need them.",
    overview: "Overview",
    stat_pending: "Applications awaiting a decision",
    stat_batches: "Batches",
    stat_signals: "Counterfeit signals",
    stat_jobs: "Print jobs",

    apps_title: "Code applications",
    apps_hint: "Enterprises apply for codes; bureaus approve and allocate segments",
    jobs_title: "Print jobs",
    jobs_hint: "Segments handed to registered printers, and what they printed",
    act_title: "Activate codes",
    act_hint: "Bind printed codes to a production batch",
    batches_title: "Batches",
    batches_hint: "Batches with activated codes; recall or decommission them",
    history_title: "A code's queries",
    history_hint: "When, how, where and with what result one code was verified",
    signals_title: "Counterfeit signals",
    signals_hint: "Suspicious queries: unissued codes, repeated and multi-region queries",
    sections: "Code pages",

    enterprise: "Enterprise",
    product: "Product",
    quantity: "Quantity",
    status: "Status",
    segment: "Segment",
    first_code: "First code",
    last_code: "Last code",
    applied: "Applied",
    decided: "Decided",
    note: "Note",
    note_placeholder: "e.g. purpose, pack size (optional)",
    reason: "Reason",
    reason_placeholder: "State the reason",
    by: "by",
    colon: ": ",
    line: "line {}",
    none: "—",
    any_status: "Any status",
    filter: "Filter",
    apply_heading: "Apply for codes",
    apply_submit: "Apply",
    no_products: "Your enterprise has no registered product. Register a product before applying for codes; your local bureau can help.",
    approve: "Approve and allocate",
    refuse: "Refuse",
    apps_empty: "No code applications yet. They appear here once an enterprise applies.",
    apps_empty_filtered: "No application has this status. Choose another status.",
    app_pending: "Pending",
    app_approved: "Approved",
    app_refused: "Refused",

    hand_heading: "Hand codes to a printer",
    hand_hint: "Hand all or part of a segment to a registered printer. Leave start and quantity empty to hand over every code of the segment not yet with a printer.",
    printer_uscc: "Printer's credit code",
    offset: "Start",
    offset_hint: "From 0; optional",
    quantity_hint: "Optional; up to the segment's end",
    hand_submit: "Hand over",
    no_segments: "No approved segment yet. Once an application is approved its codes can be printed.",
    my_uscc: "Your organisation's credit code (give it to the enterprises you print for)",
    job: "Job",
    codes: "Codes",
    printer: "Printer",
    printed: "Printed",
    spoiled: "Spoiled",
    downloads: "Downloads",
    handed_at: "Handed over",
    download: "Download the codes (CSV)",
    confirm_heading: "Confirm what was printed",
    confirm_submit: "Confirm",
    jobs_empty: "No print jobs yet. They appear here once codes are handed to a printer.",
    jobs_empty_printer: "No print jobs for your organisation yet. They appear here once an enterprise hands codes to you.",
    job_assigned: "To print",
    job_confirmed: "Confirmed",

    batch_heading: "Production batch",
    lot: "Lot",
    production_date: "Production date",
    expiry_date: "Expiry date",
    inspection_report: "Inspection report number",
    codes_heading: "Codes",
    codes_hint: "Paste codes one per line, give a first and last code, or upload a CSV file (first column); you may combine them. Only codes confirmed as printed can be activated.",
    codes_list: "Codes (one per line)",
    range: "Range",
    file: "CSV file",
    file_hint: "A packaging line's export, or a print job's code file",
    act_submit: "Activate",
    named_codes: "The codes concerned",
    ready_heading: "Ranges confirmed as printed",
    ready_empty: "No codes are confirmed as printed yet. Codes can be activated once the printer confirms them.",

    batch: "Lot",
    activated: "Activated",
    batch_active: "In circulation",
    batch_recalled: "Recalled",
    batch_decommissioned: "Decommissioned",
    batch_expired: "Past its expiry date",
    recall: "Recall",
    decommission: "Decommission",
    batches_empty: "No batches yet. A batch is created when an enterprise activates codes.",
    dates: "Dates",

    code: "Supervision code",
    code_placeholder: "The 20-digit code",
    look_up: "Look up",
    time: "Time",
    channel: "Channel",
    region: "Place",
    verdict: "Result",
    history_empty: "This code has never been queried.",
    history_not_found: "No such code, or you may not see its queries.",
    terminal: "terminal",
    unknown_place: "Unknown place",

    kind: "Kind",
    details: "Details",
    code_withheld: "(not issued here; not shown)",
    signals_empty: "No counterfeit signals. Suspicious queries appear here.",
    view_history: "Queries",
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
        "codes.apply" => Some(lang.pick("申领监管码", "Codes applied for")),
        "codes.approve" => Some(lang.pick("批准赋码申请", "Code application approved")),
        "codes.refuse" => Some(lang.pick("驳回赋码申请", "Code application refused")),
        "codes.download" => Some(lang.pick("下载码文件", "Code file downloaded")),
        "codes.print_job" => Some(lang.pick("交付印刷", "Codes handed to a printer")),
        "codes.print_confirm" => Some(lang.pick("确认印刷", "Printing confirmed")),
        "codes.activate" => Some(lang.pick("激活监管码", "Codes activated")),
        "batch.recalled" => Some(lang.pick("批次召回", "Batch recalled")),
        "batch.decommissioned" => Some(lang.pick("批次注销", "Batch decommissioned")),
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
        "code_application" => Some(lang.pick("赋码申请", "Code application")),
        "code_segment" => Some(lang.pick("码段", "Code segment")),
        "code_file" => Some(lang.pick("码文件", "Code file")),
        "print_job" => Some(lang.pick("印刷任务", "Print job")),
        "batch" => Some(lang.pick("批次", "Batch")),
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

/// The supervision-code texts of a language.
pub fn code_texts(lang: Lang) -> &'static CodeTexts {
    match lang {
        Lang::Zh => &CODES_ZH,
        Lang::En => &CODES_EN,
    }
}

/// A code application's status label.
pub fn application_status(lang: Lang, s: ApplicationStatus) -> &'static str {
    let c = code_texts(lang);
    match s {
        ApplicationStatus::Pending => c.app_pending,
        ApplicationStatus::Approved => c.app_approved,
        ApplicationStatus::Refused => c.app_refused,
    }
}

/// A print job's status label (`assigned`, `confirmed`), or the stored name.
pub fn job_status(lang: Lang, s: &str) -> String {
    let c = code_texts(lang);
    match s {
        "assigned" => c.job_assigned.to_owned(),
        "confirmed" => c.job_confirmed.to_owned(),
        other => other.to_owned(),
    }
}

/// A batch's status label (`active`, `recalled`, `decommissioned`), or the stored name.
pub fn batch_status(lang: Lang, s: &str) -> String {
    let c = code_texts(lang);
    match s {
        "active" => c.batch_active.to_owned(),
        "recalled" => c.batch_recalled.to_owned(),
        "decommissioned" => c.batch_decommissioned.to_owned(),
        other => other.to_owned(),
    }
}

/// A verification channel's label, or the stored name.
pub fn channel(lang: Lang, s: &str) -> String {
    let label = match s {
        "web" => Some(lang.pick("网页查询", "Web page")),
        "sms" => Some(lang.pick("短信查询", "Text message")),
        "terminal" => Some(lang.pick("商场查询终端", "Shop terminal")),
        "officer" => Some(lang.pick("执法检查", "Officer check")),
        "api" => Some(lang.pick("系统接口", "API")),
        _ => None,
    };
    label.map_or_else(|| s.to_owned(), str::to_owned)
}

/// A verdict's label, or the stored name.
pub fn verdict(lang: Lang, s: &str) -> String {
    Verdict::parse(s).map_or_else(|| s.to_owned(), |v| v.label(lang == Lang::Zh).to_owned())
}

/// A counterfeit signal's kind in words, or the stored name.
pub fn signal_kind(lang: Lang, kind: &str) -> String {
    let label = match kind {
        "unknown_code" => Some(lang.pick(
            "查询了本平台未签发的监管码",
            "A code this node never issued was queried",
        )),
        "repeat_threshold" => {
            Some(lang.pick("同一监管码被反复查询", "One code queried unusually often"))
        }
        "multi_region" => Some(lang.pick(
            "同一监管码在多个地区被查询",
            "One code queried in several regions",
        )),
        "not_activated" => Some(lang.pick(
            "未激活的监管码被查询",
            "A code not yet activated was queried",
        )),
        _ => None,
    };
    label.map_or_else(|| kind.to_owned(), str::to_owned)
}

/// A region's short name (`长安区`), or the code when unknown.
pub fn region_name(code: &str) -> String {
    RegionCode::parse(code)
        .ok()
        .and_then(region::lookup)
        .map_or_else(|| code.to_owned(), |r| r.name.to_owned())
}

/// A counterfeit signal's details in words (what the store records per kind).
pub fn signal_detail(lang: Lang, kind: &str, detail: &serde_json::Value) -> String {
    let via = |d: &serde_json::Value| {
        d.get("channel")
            .and_then(|c| c.as_str())
            .map(|c| match lang {
                Lang::Zh => format!("经{}", channel(lang, c)),
                Lang::En => format!("via {}", channel(lang, c).to_lowercase()),
            })
    };
    let text = match kind {
        "repeat_threshold" => {
            let queries = detail.get("queries").and_then(serde_json::Value::as_i64);
            let threshold = detail.get("threshold").and_then(serde_json::Value::as_i64);
            match (queries, threshold, lang) {
                (Some(q), Some(t), Lang::Zh) => Some(format!("已查询 {q} 次，超过 {t} 次")),
                (Some(q), Some(t), Lang::En) => Some(format!("queried {q} times, more than {t}")),
                _ => None,
            }
        }
        "multi_region" => detail
            .get("regions")
            .and_then(serde_json::Value::as_array)
            .map(|rs| {
                let names: Vec<String> = rs
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(region_name)
                    .collect();
                match lang {
                    Lang::Zh => format!("在 {} 个地区查询：{}", names.len(), names.join("、")),
                    Lang::En => {
                        format!("queried in {} regions: {}", names.len(), names.join(", "))
                    }
                }
            }),
        _ => via(detail),
    };
    // Details the console does not know how to word are shown as recorded.
    text.unwrap_or_else(|| {
        if detail.is_null() || detail.as_object().is_some_and(serde_json::Map::is_empty) {
            String::new()
        } else {
            detail.to_string()
        }
    })
}

/// "共 12 份申请" / "12 applications": a count with its unit.
pub fn count(lang: Lang, n: i64, zh_unit: &str, en_one: &str, en_many: &str) -> String {
    match lang {
        Lang::Zh => format!("共 {n} {zh_unit}"),
        Lang::En if n == 1 => format!("1 {en_one}"),
        Lang::En => format!("{n} {en_many}"),
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
        for t in [&CODES_ZH, &CODES_EN] {
            let dump = format!("{t:?}");
            assert!(!dump.contains(": \"\""), "{dump}");
        }
    }

    #[test]
    fn signal_details_read_as_words() {
        let d = |v: &str| serde_json::from_str::<serde_json::Value>(v).unwrap();
        assert_eq!(
            signal_detail(
                Lang::Zh,
                "repeat_threshold",
                &d(r#"{"queries":6,"threshold":5}"#)
            ),
            "已查询 6 次，超过 5 次"
        );
        assert_eq!(
            signal_detail(
                Lang::En,
                "multi_region",
                &d(r#"{"regions":["130102","130602"]}"#)
            ),
            "queried in 2 regions: 长安区, 竞秀区"
        );
        assert_eq!(
            signal_detail(Lang::Zh, "not_activated", &d(r#"{"channel":"sms"}"#)),
            "经短信查询"
        );
        assert_eq!(
            signal_detail(Lang::En, "unknown_code", &d(r#"{"channel":"web"}"#)),
            "via web page"
        );
        // Details the console cannot word are shown as recorded, not dropped.
        assert_eq!(
            signal_detail(Lang::En, "new_kind", &d(r#"{"x":1}"#)),
            r#"{"x":1}"#
        );
        assert_eq!(signal_detail(Lang::En, "new_kind", &d("{}")), "");
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
