//! The sampling pages' texts in Chinese and English.

use zhijian_core::plan_terms::PlanStatus;
use zhijian_core::rectification::Step;
use zhijian_core::sample_result::{ObjectionState, ResultStage};
use zhijian_core::sampling::PlanLevel;
use zhijian_core::test_report::Outcome;
use zhijian_store::notices::{Notice, NoticeKind};
use zhijian_store::samples::Stage;

use crate::lang::Lang;

/// Every label of the sampling pages in one language.
#[derive(Debug)]
pub struct SamplingTexts {
    /// Sampling
    pub title: &'static str,
    /// Sampling plans
    pub plans_title: &'static str,
    /// Supervision sampling: plans, double-random draws, samples, lab reports, objections and re-tests, announcements and rectification.
    pub intro: &'static str,
    /// Statistics
    pub stats_link: &'static str,
    /// Announcements
    pub announcements_link: &'static str,
    /// Year
    pub year: &'static str,
    /// All years
    pub all_years: &'static str,
    /// Filter
    pub filter: &'static str,
    /// Plan
    pub plan: &'static str,
    /// Level
    pub level: &'static str,
    /// Region
    pub region: &'static str,
    /// Batches
    pub batches: &'static str,
    /// Status
    pub status: &'static str,
    /// Draw
    pub drawn: &'static str,
    /// Not drawn
    pub not_drawn: &'static str,
    /// No sampling plans yet.
    pub no_plans: &'static str,
    /// {} plans
    pub plans_total: &'static str,
    /// New sampling plan
    pub new_plan: &'static str,
    /// A plan starts as a draft; another officer of its region or above approves it, and samples are taken once it is published.
    pub new_plan_hint: &'static str,
    /// Name
    pub name: &'static str,
    /// Total batches
    pub total_batches: &'static str,
    /// When given, the quotas must add up to it.
    pub total_hint: &'static str,
    /// Budget (yuan)
    pub budget: &'static str,
    /// Starts on
    pub starts_on: &'static str,
    /// Ends on
    pub ends_on: &'static str,
    /// Quotas
    pub quotas: &'static str,
    /// One per line: category region batches [lab credit code], e.g. F05 130100 20
    pub quotas_hint: &'static str,
    /// Create plan
    pub create: &'static str,
    /// Schedule
    pub schedule: &'static str,
    /// Drafted
    pub created: &'static str,
    /// Approved
    pub approved: &'static str,
    /// Published
    pub published: &'static str,
    /// Seed
    pub seed: &'static str,
    /// Category
    pub category: &'static str,
    /// Lab
    pub lab: &'static str,
    /// Not named
    pub no_lab: &'static str,
    /// Approve
    pub approve: &'static str,
    /// Approved by an officer other than its author.
    pub approve_hint: &'static str,
    /// Publish
    pub publish: &'static str,
    /// Once published, the drawn inspectors may take samples.
    pub publish_hint: &'static str,
    /// Double-random draw
    pub draw_heading: &'static str,
    /// Anyone can re-run the draw from the published seed; a plan is drawn once.
    pub draw_hint: &'static str,
    /// Inspectors per task
    pub inspectors_per_task: &'static str,
    /// Declared conflicts (usernames, comma-separated)
    pub exclude: &'static str,
    /// Draw
    pub draw: &'static str,
    /// Announce results
    pub announce_heading: &'static str,
    /// Publishes every final result of the plan, passes and failures alike, once.
    pub announce_hint: &'static str,
    /// Title (optional)
    pub announce_title: &'static str,
    /// Announce
    pub announce: &'static str,
    /// Progress by lab and region
    pub progress: &'static str,
    /// Tasks
    pub tasks: &'static str,
    /// Sampled
    pub sampled: &'static str,
    /// Reported
    pub reported: &'static str,
    /// Final
    pub finals: &'static str,
    /// Failed
    pub failed: &'static str,
    /// Sampling tasks
    pub task_list: &'static str,
    /// {} tasks
    pub tasks_total: &'static str,
    /// Not drawn yet.
    pub no_tasks: &'static str,
    /// Enterprise
    pub enterprise: &'static str,
    /// Inspectors
    pub inspectors: &'static str,
    /// Sample
    pub sample: &'static str,
    /// Take sample
    pub take_sample: &'static str,
    /// Not sampled
    pub not_sampled: &'static str,
    /// Sampling form
    pub take_title: &'static str,
    /// Check the enterprise and product, scan or type the sampled units' codes, take photos on the spot.
    pub take_hint: &'static str,
    /// Stage
    pub stage: &'static str,
    /// Product
    pub product_name: &'static str,
    /// Lot
    pub lot: &'static str,
    /// Production date
    pub production_date: &'static str,
    /// Units taken
    pub quantity: &'static str,
    /// Units retained
    pub retained: &'static str,
    /// Place
    pub place: &'static str,
    /// Supervision codes (one per line)
    pub codes: &'static str,
    /// Supervision codes
    pub codes_heading: &'static str,
    /// Photos
    pub photos: &'static str,
    /// Take or choose several images (PNG, JPEG), each within the attachment limit.
    pub photos_hint: &'static str,
    /// Submit sampling form
    pub submit_sample: &'static str,
    /// Sample
    pub sample_title: &'static str,
    /// Taken at
    pub taken_at: &'static str,
    /// Confirmed by the enterprise
    pub confirmed: &'static str,
    /// Not confirmed by the enterprise
    pub not_confirmed: &'static str,
    /// Confirm the sampling form
    pub confirm: &'static str,
    /// Verdict
    pub verdict: &'static str,
    /// No codes recorded.
    pub no_codes: &'static str,
    /// No photos.
    pub no_photos: &'static str,
    /// Add photo
    pub add_photo: &'static str,
    /// Result
    pub result: &'static str,
    /// Objection deadline
    pub deadline: &'static str,
    /// Test report
    pub report: &'static str,
    /// Re-test report
    pub retest_report: &'static str,
    /// Report number
    pub report_number: &'static str,
    /// Issued on
    pub issued_on: &'static str,
    /// Conclusion
    pub conclusion: &'static str,
    /// Signature (SHA-256)
    pub signature: &'static str,
    /// Item
    pub item: &'static str,
    /// Requirement
    pub requirement: &'static str,
    /// Measured
    pub value: &'static str,
    /// Unit
    pub unit: &'static str,
    /// Method
    pub method: &'static str,
    /// Verdict
    pub item_verdict: &'static str,
    /// Enter the test report
    pub file_report: &'static str,
    /// One item per line, separated by “|”: item | requirement | measured | unit | method | pass/fail. Or fill the template and upload it through the API.
    pub items_hint: &'static str,
    /// Download the template
    pub template: &'static str,
    /// Items
    pub items: &'static str,
    /// Pass
    pub pass: &'static str,
    /// Fail
    pub fail: &'static str,
    /// File report
    pub submit_report: &'static str,
    /// Objection
    pub objection: &'static str,
    /// Object to the result
    pub object_heading: &'static str,
    /// Reason
    pub reason: &'static str,
    /// Object
    pub object: &'static str,
    /// Decide the objection
    pub decide_heading: &'static str,
    /// Accept: re-test
    pub accept: &'static str,
    /// Reject
    pub reject: &'static str,
    /// Re-testing lab (credit code)
    pub retest_lab: &'static str,
    /// Decide
    pub decide: &'static str,
    /// Rectification
    pub rectification: &'static str,
    /// Order rectification
    pub order_heading: &'static str,
    /// Requirements
    pub requirements: &'static str,
    /// Deadline
    pub rect_deadline: &'static str,
    /// Order
    pub order: &'static str,
    /// Measures taken
    pub measures: &'static str,
    /// Report the measures
    pub report_measures: &'static str,
    /// Follow-up
    pub follow_up: &'static str,
    /// Note
    pub note: &'static str,
    /// Record the follow-up
    pub record_follow_up: &'static str,
    /// Escalate
    pub escalate_heading: &'static str,
    /// Step
    pub step: &'static str,
    /// Licence id (for suspension and revocation)
    pub licence_id: &'static str,
    /// Escalate
    pub escalate: &'static str,
    /// Steps taken
    pub steps_taken: &'static str,
    /// None
    pub none: &'static str,
    /// Samples to test
    pub lab_title: &'static str,
    /// Samples of the quotas given to this lab; a filed report is notified to the enterprise at once.
    pub lab_intro: &'static str,
    /// Our sampled products
    pub own_title: &'static str,
    /// Samples taken from this enterprise: confirm the form, read the result, object within the window, report rectification.
    pub own_intro: &'static str,
    /// No samples.
    pub no_samples: &'static str,
    /// {} samples
    pub samples_total: &'static str,
    /// Open
    pub open: &'static str,
    /// Sampling: to do
    pub to_do: &'static str,
}

/// The sampling pages in Chinese.
pub static ZH: SamplingTexts = SamplingTexts {
    title: "抽查",
    plans_title: "抽查计划",
    intro: "监督抽查的计划、双随机抽取、抽样、检验、异议复检、公告与后处理。",
    stats_link: "抽查统计",
    announcements_link: "抽查公告",
    year: "年度",
    all_years: "全部年度",
    filter: "筛选",
    plan: "计划",
    level: "级别",
    region: "地区",
    batches: "批次",
    status: "状态",
    drawn: "抽取",
    not_drawn: "未抽取",
    no_plans: "还没有抽查计划。",
    plans_total: "共 {} 个计划",
    new_plan: "新建抽查计划",
    new_plan_hint: "计划先为草案；须由本地区或上级的另一名监管员审批，发布后方可抽样。",
    name: "名称",
    total_batches: "计划批次总数",
    total_hint: "填写后，各项任务批次之和须与之相等。",
    budget: "预算（元）",
    starts_on: "开始日期",
    ends_on: "结束日期",
    quotas: "任务分配",
    quotas_hint: "每行一项：产品类别 地区代码 批次 [检验机构统一社会信用代码]，如 F05 130100 20",
    create: "创建计划",
    schedule: "抽样时间",
    created: "起草",
    approved: "审批",
    published: "发布",
    seed: "随机种子",
    category: "产品类别",
    lab: "检验机构",
    no_lab: "未指定",
    approve: "审批通过",
    approve_hint: "由起草人以外的监管员审批。",
    publish: "发布计划",
    publish_hint: "发布后，抽中的检查人员即可抽样。",
    draw_heading: "双随机抽取",
    draw_hint: "种子公开后任何人都可复算抽取结果；抽取只进行一次。",
    inspectors_per_task: "每项任务检查人员",
    exclude: "回避人员（用户名，逗号分隔）",
    draw: "抽取",
    announce_heading: "公告结果",
    announce_hint: "公布本计划全部已终结的结果，合格与不合格一并公布，只能公告一次。",
    announce_title: "公告标题（可不填）",
    announce: "发布公告",
    progress: "进度（按检验机构与地区）",
    tasks: "任务",
    sampled: "已抽样",
    reported: "已出报告",
    finals: "已终结",
    failed: "不合格",
    task_list: "抽样任务",
    tasks_total: "共 {} 项任务",
    no_tasks: "尚未抽取。",
    enterprise: "企业",
    inspectors: "检查人员",
    sample: "样品",
    take_sample: "抽样",
    not_sampled: "未抽样",
    take_title: "抽样单",
    take_hint: "核对企业与产品，扫描或输入样品的监管码，现场拍照。",
    stage: "抽样环节",
    product_name: "产品名称",
    lot: "批号",
    production_date: "生产日期",
    quantity: "抽样数量",
    retained: "备样数量",
    place: "抽样地点",
    codes: "监管码（每行一个）",
    codes_heading: "监管码",
    photos: "现场照片",
    photos_hint: "可拍摄或选择多张图片（PNG、JPEG），每张不超过附件大小限制。",
    submit_sample: "提交抽样单",
    sample_title: "样品",
    taken_at: "抽样时间",
    confirmed: "企业确认",
    not_confirmed: "企业尚未确认",
    confirm: "确认抽样单",
    verdict: "查验结果",
    no_codes: "未记录监管码。",
    no_photos: "没有照片。",
    add_photo: "添加照片",
    result: "检验结论",
    deadline: "异议截止",
    report: "检验报告",
    retest_report: "复检报告",
    report_number: "报告编号",
    issued_on: "签发日期",
    conclusion: "结论",
    signature: "签名（SHA-256）",
    item: "检验项目",
    requirement: "标准要求",
    value: "实测值",
    unit: "单位",
    method: "检验方法",
    item_verdict: "单项判定",
    file_report: "录入检验报告",
    items_hint: "每行一项，以“|”分隔：检验项目 | 标准要求 | 实测值 | 单位 | 检验方法 | 合格/不合格。也可下载模板填写后通过接口上传。",
    template: "下载模板",
    items: "检验项目",
    pass: "合格",
    fail: "不合格",
    submit_report: "提交报告",
    objection: "异议",
    object_heading: "提出异议",
    reason: "理由",
    object: "提交异议",
    decide_heading: "处理异议",
    accept: "受理，安排复检",
    reject: "驳回",
    retest_lab: "复检机构（统一社会信用代码）",
    decide: "提交决定",
    rectification: "后处理",
    order_heading: "责令整改",
    requirements: "整改要求",
    rect_deadline: "整改期限",
    order: "下达整改通知",
    measures: "整改措施",
    report_measures: "报告整改情况",
    follow_up: "跟踪复查",
    note: "说明",
    record_follow_up: "记录复查结果",
    escalate_heading: "升级处理",
    step: "措施",
    licence_id: "许可证编号（暂停、吊销时必填）",
    escalate: "升级",
    steps_taken: "已采取措施",
    none: "无",
    lab_title: "待检样品",
    lab_intro: "本机构承担的抽样任务的样品；录入报告后结论即通知企业。",
    own_title: "本企业被抽样品",
    own_intro: "监督抽查抽取的本企业样品：确认抽样单，查看结果，在期限内提出异议，报告整改。",
    no_samples: "没有样品。",
    samples_total: "共 {} 个样品",
    open: "查看",
    to_do: "抽查待办",
};

/// The sampling pages in English.
pub static EN: SamplingTexts = SamplingTexts {
    title: "Sampling",
    plans_title: "Sampling plans",
    intro: "Supervision sampling: plans, double-random draws, samples, lab reports, objections and re-tests, announcements and rectification.",
    stats_link: "Statistics",
    announcements_link: "Announcements",
    year: "Year",
    all_years: "All years",
    filter: "Filter",
    plan: "Plan",
    level: "Level",
    region: "Region",
    batches: "Batches",
    status: "Status",
    drawn: "Draw",
    not_drawn: "Not drawn",
    no_plans: "No sampling plans yet.",
    plans_total: "{} plans",
    new_plan: "New sampling plan",
    new_plan_hint: "A plan starts as a draft; another officer of its region or above approves it, and samples are taken once it is published.",
    name: "Name",
    total_batches: "Total batches",
    total_hint: "When given, the quotas must add up to it.",
    budget: "Budget (yuan)",
    starts_on: "Starts on",
    ends_on: "Ends on",
    quotas: "Quotas",
    quotas_hint: "One per line: category region batches [lab credit code], e.g. F05 130100 20",
    create: "Create plan",
    schedule: "Schedule",
    created: "Drafted",
    approved: "Approved",
    published: "Published",
    seed: "Seed",
    category: "Category",
    lab: "Lab",
    no_lab: "Not named",
    approve: "Approve",
    approve_hint: "Approved by an officer other than its author.",
    publish: "Publish",
    publish_hint: "Once published, the drawn inspectors may take samples.",
    draw_heading: "Double-random draw",
    draw_hint: "Anyone can re-run the draw from the published seed; a plan is drawn once.",
    inspectors_per_task: "Inspectors per task",
    exclude: "Declared conflicts (usernames, comma-separated)",
    draw: "Draw",
    announce_heading: "Announce results",
    announce_hint: "Publishes every final result of the plan, passes and failures alike, once.",
    announce_title: "Title (optional)",
    announce: "Announce",
    progress: "Progress by lab and region",
    tasks: "Tasks",
    sampled: "Sampled",
    reported: "Reported",
    finals: "Final",
    failed: "Failed",
    task_list: "Sampling tasks",
    tasks_total: "{} tasks",
    no_tasks: "Not drawn yet.",
    enterprise: "Enterprise",
    inspectors: "Inspectors",
    sample: "Sample",
    take_sample: "Take sample",
    not_sampled: "Not sampled",
    take_title: "Sampling form",
    take_hint: "Check the enterprise and product, scan or type the sampled units' codes, take photos on the spot.",
    stage: "Stage",
    product_name: "Product",
    lot: "Lot",
    production_date: "Production date",
    quantity: "Units taken",
    retained: "Units retained",
    place: "Place",
    codes: "Supervision codes (one per line)",
    codes_heading: "Supervision codes",
    photos: "Photos",
    photos_hint: "Take or choose several images (PNG, JPEG), each within the attachment limit.",
    submit_sample: "Submit sampling form",
    sample_title: "Sample",
    taken_at: "Taken at",
    confirmed: "Confirmed by the enterprise",
    not_confirmed: "Not confirmed by the enterprise",
    confirm: "Confirm the sampling form",
    verdict: "Verdict",
    no_codes: "No codes recorded.",
    no_photos: "No photos.",
    add_photo: "Add photo",
    result: "Result",
    deadline: "Objection deadline",
    report: "Test report",
    retest_report: "Re-test report",
    report_number: "Report number",
    issued_on: "Issued on",
    conclusion: "Conclusion",
    signature: "Signature (SHA-256)",
    item: "Item",
    requirement: "Requirement",
    value: "Measured",
    unit: "Unit",
    method: "Method",
    item_verdict: "Verdict",
    file_report: "Enter the test report",
    items_hint: "One item per line, separated by “|”: item | requirement | measured | unit | method | pass/fail. Or fill the template and upload it through the API.",
    template: "Download the template",
    items: "Items",
    pass: "Pass",
    fail: "Fail",
    submit_report: "File report",
    objection: "Objection",
    object_heading: "Object to the result",
    reason: "Reason",
    object: "Object",
    decide_heading: "Decide the objection",
    accept: "Accept: re-test",
    reject: "Reject",
    retest_lab: "Re-testing lab (credit code)",
    decide: "Decide",
    rectification: "Rectification",
    order_heading: "Order rectification",
    requirements: "Requirements",
    rect_deadline: "Deadline",
    order: "Order",
    measures: "Measures taken",
    report_measures: "Report the measures",
    follow_up: "Follow-up",
    note: "Note",
    record_follow_up: "Record the follow-up",
    escalate_heading: "Escalate",
    step: "Step",
    licence_id: "Licence id (for suspension and revocation)",
    escalate: "Escalate",
    steps_taken: "Steps taken",
    none: "None",
    lab_title: "Samples to test",
    lab_intro: "Samples of the quotas given to this lab; a filed report is notified to the enterprise at once.",
    own_title: "Our sampled products",
    own_intro: "Samples taken from this enterprise: confirm the form, read the result, object within the window, report rectification.",
    no_samples: "No samples.",
    samples_total: "{} samples",
    open: "Open",
    to_do: "Sampling: to do",
};
/// The sampling texts of a language.
pub fn texts(lang: Lang) -> &'static SamplingTexts {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// A plan status's label.
pub fn plan_status(lang: Lang, s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => lang.pick("草案", "Draft"),
        PlanStatus::Approved => lang.pick("已审批", "Approved"),
        PlanStatus::Published => lang.pick("已发布", "Published"),
    }
}

/// A plan level's label.
pub fn level(lang: Lang, l: PlanLevel) -> &'static str {
    match l {
        PlanLevel::National => lang.pick("国家", "National"),
        PlanLevel::Province => lang.pick("省级", "Province"),
        PlanLevel::City => lang.pick("市级", "City"),
        PlanLevel::County => lang.pick("县级", "County"),
    }
}

/// A sampling stage's label.
pub fn stage(lang: Lang, s: Stage) -> &'static str {
    match s {
        Stage::Production => lang.pick("生产环节", "Production"),
        Stage::Distribution => lang.pick("流通环节", "Distribution"),
        Stage::Online => lang.pick("网络抽样", "Online"),
    }
}

/// Where a result stands.
pub fn result_stage(lang: Lang, s: ResultStage) -> &'static str {
    match s {
        ResultStage::AwaitingReport => lang.pick("待检验", "Awaiting report"),
        ResultStage::ObjectionWindow => lang.pick("异议期内", "Objection window"),
        ResultStage::ObjectionPending => lang.pick("异议待处理", "Objection pending"),
        ResultStage::Retest => lang.pick("复检中", "Re-testing"),
        ResultStage::Final => lang.pick("已终结", "Final"),
    }
}

/// A pass or a failure.
pub fn outcome(lang: Lang, o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => lang.pick("合格", "Pass"),
        Outcome::Fail => lang.pick("不合格", "Fail"),
    }
}

/// A step of the escalation ladder.
pub fn step(lang: Lang, s: Step) -> &'static str {
    match s {
        Step::OrderToCorrect => lang.pick("责令整改", "Order to correct"),
        Step::PublicAnnouncement => lang.pick("公开曝光", "Public announcement"),
        Step::Suspension => lang.pick("暂停生产许可", "Suspension"),
        Step::LicenceRevocation => lang.pick("吊销生产许可", "Licence revocation"),
    }
}

/// An objection's state.
pub fn objection_state(lang: Lang, s: ObjectionState) -> &'static str {
    match s {
        ObjectionState::Pending => lang.pick("待处理", "Pending"),
        ObjectionState::Rejected => lang.pick("已驳回", "Rejected"),
        ObjectionState::Accepted => lang.pick("已受理复检", "Accepted for re-test"),
    }
}

/// A dashboard line for a sampling notice.
pub fn notice(lang: Lang, n: &Notice) -> String {
    let id = n.sample_id;
    let p = &n.product_name;
    let deadline = n.deadline.map(|d| d.to_string()).unwrap_or_default();
    match (n.kind, lang) {
        (NoticeKind::Failed, Lang::Zh) => {
            format!("样品 #{id}（{p}）检验不合格，如有异议请于 {deadline} 前提出")
        }
        (NoticeKind::Failed, Lang::En) => {
            format!("Sample #{id} ({p}) failed; you may object until {deadline}")
        }
        (NoticeKind::Confirm, Lang::Zh) => format!("请确认样品 #{id}（{p}）的抽样单"),
        (NoticeKind::Confirm, Lang::En) => {
            format!("Confirm the sampling form of sample #{id} ({p})")
        }
        (NoticeKind::Rectify, Lang::Zh) => format!("请报告样品 #{id}（{p}）的整改情况"),
        (NoticeKind::Rectify, Lang::En) => {
            format!("Report the rectification of sample #{id} ({p})")
        }
        (NoticeKind::Test, Lang::Zh) => format!("样品 #{id}（{p}）待检验"),
        (NoticeKind::Test, Lang::En) => format!("Sample #{id} ({p}) awaits your report"),
        (NoticeKind::Retest, Lang::Zh) => format!("样品 #{id}（{p}）待复检"),
        (NoticeKind::Retest, Lang::En) => format!("Sample #{id} ({p}) awaits your re-test"),
        (NoticeKind::Decide, Lang::Zh) => format!("样品 #{id}（{p}）的异议待处理"),
        (NoticeKind::Decide, Lang::En) => {
            format!("The objection to sample #{id} ({p}) awaits a decision")
        }
    }
}
