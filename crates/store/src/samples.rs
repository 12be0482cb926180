//! Samples (抽样): what a sampling task's inspectors took from the enterprise, where and
//! when, with the verdicts of the sampled units' supervision codes checked on the spot,
//! and the enterprise's confirmation of the sampling form.

use serde::Serialize;
use zhijian_core::access::{Action, Role};
use zhijian_core::code::verdict::Verdict;
use zhijian_core::page::{Page, Paged};
use zhijian_core::plan_terms::PlanStatus;
use zhijian_core::region::RegionCode;
use zhijian_core::test_report::{self, Outcome, Report};

use crate::audit::{self, Change};
use crate::db::Row;
use crate::{Scoped, StoreError, now_ms, params, rfc3339};

/// Where in the chain a sample was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// At the maker (生产环节).
    Production,
    /// In a shop or warehouse (流通环节).
    Distribution,
    /// Bought online (网络抽样).
    Online,
}

impl Stage {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Production => "production",
            Stage::Distribution => "distribution",
            Stage::Online => "online",
        }
    }

    fn parse(s: &str) -> Option<Stage> {
        [Stage::Production, Stage::Distribution, Stage::Online]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A sampled unit's supervision code and what verifying it said.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CheckedCode {
    /// The code as typed or scanned (normalised when well-formed).
    pub code: String,
    /// The verdict.
    pub verdict: Verdict,
}

/// A sample to record.
#[derive(Debug, Clone)]
pub struct NewSample {
    /// Where in the chain.
    pub stage: Stage,
    /// One of the enterprise's products, when it is one.
    pub product_id: Option<i64>,
    /// The product as labelled (required when no product is named).
    pub product_name: Option<String>,
    /// Batch or lot number.
    pub lot: String,
    /// Production date on the label.
    pub production_date: Option<jiff::civil::Date>,
    /// Units taken.
    pub quantity: i64,
    /// Units of them retained for a re-test (备样).
    pub retained: i64,
    /// Where (address, shop or web address).
    pub place: String,
    /// When, ms since the epoch (default now).
    pub taken_at: Option<i64>,
    /// The sampled units' codes, verified.
    pub codes: Vec<CheckedCode>,
}

/// A recorded sample.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Sample {
    /// Its id.
    pub id: i64,
    /// The sampling task.
    pub task_id: i64,
    /// The plan.
    pub plan_id: i64,
    /// The enterprise's credit code.
    pub enterprise: String,
    /// Where in the chain.
    pub stage: Stage,
    /// The product, when one of the enterprise's.
    pub product_id: Option<i64>,
    /// The product's name.
    pub product_name: String,
    /// Batch or lot number.
    pub lot: String,
    /// Production date.
    pub production_date: Option<String>,
    /// Units taken.
    pub quantity: i64,
    /// Units retained for a re-test.
    pub retained: i64,
    /// Where.
    pub place: String,
    /// When.
    #[schema(format = DateTime)]
    pub taken_at: String,
    /// The inspectors who took it.
    pub inspectors: Vec<String>,
    /// The sampled units' codes and their verdicts.
    pub codes: Vec<CheckedCode>,
    /// Who confirmed it for the enterprise.
    pub confirmed_by: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub confirmed_at: Option<String>,
}

/// A filed test report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FiledReport {
    /// The sample.
    pub sample_id: i64,
    /// Whether this is the re-test after an accepted objection.
    pub retest: bool,
    /// The lab's credit code.
    pub lab: String,
    /// Its name.
    pub lab_name: String,
    /// The report.
    #[serde(flatten)]
    pub report: Report,
    /// Hex SHA-256 of the report's canonical text.
    pub signature: String,
    /// Who filed it.
    pub filed_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub filed_at: String,
}

/// Columns: 0 id, 1 task, 2 plan, 3 enterprise uscc, 4 stage, 5 product id, 6 product
/// name, 7 lot, 8 production date, 9 quantity, 10 retained, 11 place, 12 taken at,
/// 13 inspectors, 14 codes, 15 confirmed by, 16 confirmed at, 17 enterprise id,
/// 18 enterprise region, 19 plan region, 20 quota lab, 21 re-test lab, 22 objection
/// decision, 23 category.
pub(crate) const SELECT_SAMPLE: &str = "SELECT s.id, s.task_id, t.plan_id, o.uscc, s.stage, s.product_id, s.product_name, s.lot, s.production_date, s.quantity, s.retained, s.place, s.taken_at, t.inspectors, s.codes, s.confirmed_by, s.confirmed_at, o.id, o.region, p.region, q.lab_id, ob.retest_lab_id, ob.decision, q.category FROM samples s JOIN sampling_tasks t ON t.id = s.task_id JOIN organisations o ON o.id = t.enterprise_id JOIN sampling_plans p ON p.id = t.plan_id JOIN sampling_quotas q ON q.plan_id = t.plan_id AND q.position = t.position LEFT JOIN objections ob ON ob.sample_id = s.id";

pub(crate) fn read_sample(r: &Row) -> Result<Sample, StoreError> {
    let stage = r.text(4)?;
    Ok(Sample {
        id: r.int(0)?,
        task_id: r.int(1)?,
        plan_id: r.int(2)?,
        enterprise: r.text(3)?,
        stage: Stage::parse(&stage).ok_or(StoreError::Invalid {
            code: "corrupt_row",
            field: "stage",
            message: format!("unknown stage {stage}"),
        })?,
        product_id: r.opt_int(5)?,
        product_name: r.text(6)?,
        lot: r.text(7)?,
        production_date: r.opt_text(8)?,
        quantity: r.int(9)?,
        retained: r.int(10)?,
        place: r.text(11)?,
        taken_at: rfc3339(r.int(12)?),
        inspectors: split(&r.text(13)?),
        codes: serde_json::from_str(&r.text(14)?).unwrap_or_default(),
        confirmed_by: r.opt_text(15)?,
        confirmed_at: r.opt_int(16)?.map(rfc3339),
    })
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        code,
        field,
        message: message.into(),
    }
}

/// Checks a free-text field: trimmed, 1–`max` characters, no control characters.
fn text(field: &'static str, value: &str, max: usize) -> Result<String, StoreError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(invalid(
            "text",
            field,
            format!("{field} must be 1–{max} printable characters"),
        ));
    }
    Ok(v.to_owned())
}

/// The rules a sample's fields follow; returns the trimmed lot and place.
fn check(new: &NewSample) -> Result<(String, String), StoreError> {
    let lot = text("lot", &new.lot, 50)?;
    let place = text("place", &new.place, 200)?;
    if new.product_id.is_none() {
        text(
            "product_name",
            new.product_name.as_deref().unwrap_or_default(),
            100,
        )?;
    }
    if !(1..=10_000).contains(&new.quantity) {
        return Err(invalid("quantity", "quantity", "take 1 to 10 000 units"));
    }
    if !(0..=new.quantity).contains(&new.retained) {
        return Err(invalid(
            "retained",
            "retained",
            "the retained units are part of those taken",
        ));
    }
    if new.codes.len() > 100 {
        return Err(invalid("codes", "codes", "at most 100 codes per sample"));
    }
    if new.taken_at.is_some_and(|t| t > now_ms() + 60_000) {
        return Err(invalid(
            "taken_at",
            "taken_at",
            "a sample cannot be taken in the future",
        ));
    }
    Ok((lot, place))
}

impl Scoped<'_> {
    /// The task's enterprise (id, credit code, region) and inspectors, when the caller
    /// may see its plan and the plan is published.
    async fn task(&self, id: i64) -> Result<(i64, String, String, Vec<String>), StoreError> {
        let row = self
            .store
            .db
            .fetch_optional(
                "SELECT t.plan_id, o.id, o.uscc, o.region, t.inspectors FROM sampling_tasks t JOIN organisations o ON o.id = t.enterprise_id WHERE t.id = $1",
                params![id],
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: "sampling task",
            })?;
        // Reading the plan checks that the caller may see it.
        let plan = self.plan(row.int(0)?).await.map_err(|e| match e {
            StoreError::NotFound { .. } => StoreError::NotFound {
                entity: "sampling task",
            },
            other => other,
        })?;
        if plan.status != PlanStatus::Published {
            return Err(StoreError::Conflict {
                code: "plan_not_published",
                field: "task",
                message: format!(
                    "plan {} is {}; samples are taken once it is published",
                    plan.id,
                    plan.status.as_str()
                ),
            });
        }
        Ok((
            row.int(1)?,
            row.text(2)?,
            row.text(3)?,
            split(&row.text(4)?),
        ))
    }

    /// Whether the caller may record this sample of this task (one of its inspectors, or
    /// an admin; none recorded yet; the fields valid, the product the enterprise's): so
    /// that nothing is verified for a sample that would be refused. Returns the
    /// enterprise's region, where the sampled units' codes are checked.
    pub async fn may_sample(
        &self,
        task_id: i64,
        new: &NewSample,
    ) -> Result<RegionCode, StoreError> {
        let (enterprise_id, uscc, region, inspectors) = self.task(task_id).await?;
        if self.principal.role != Role::Admin && !inspectors.contains(&self.principal.username) {
            return Err(StoreError::Forbidden);
        }
        if self
            .store
            .db
            .fetch_optional("SELECT 1 FROM samples WHERE task_id = $1", params![task_id])
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict {
                code: "sample_taken",
                field: "task",
                message: format!("task {task_id} already has its sample"),
            });
        }
        check(new)?;
        if let Some(p) = new.product_id {
            self.store
                .db
                .fetch_optional(
                    "SELECT 1 FROM products WHERE id = $1 AND enterprise_id = $2",
                    params![p, enterprise_id],
                )
                .await?
                .ok_or_else(|| {
                    invalid(
                        "product_unknown",
                        "product_id",
                        format!("enterprise {uscc} has no product {p}"),
                    )
                })?;
        }
        Ok(RegionCode::parse(&region).unwrap_or(RegionCode::NATIONAL))
    }

    /// Records the sample of a task: one of the task's inspectors (or an admin), once.
    pub async fn record_sample(&self, task_id: i64, new: &NewSample) -> Result<Sample, StoreError> {
        let (enterprise_id, uscc, _, inspectors) = self.task(task_id).await?;
        let me = &self.principal.username;
        if self.principal.role != Role::Admin && !inspectors.contains(me) {
            return Err(StoreError::Forbidden);
        }
        let (lot, place) = check(new)?;
        let at = now_ms();
        let taken_at = new.taken_at.unwrap_or(at);
        let mut tx = self.store.db.begin().await?;
        let product_name = match new.product_id {
            Some(p) => tx
                .fetch_optional(
                    "SELECT name FROM products WHERE id = $1 AND enterprise_id = $2",
                    params![p, enterprise_id],
                )
                .await?
                .ok_or_else(|| {
                    invalid(
                        "product_unknown",
                        "product_id",
                        format!("enterprise {uscc} has no product {p}"),
                    )
                })?
                .text(0)?,
            None => text(
                "product_name",
                new.product_name.as_deref().unwrap_or_default(),
                100,
            )?,
        };
        let codes = serde_json::to_string(&new.codes).unwrap_or_else(|_| "[]".into());
        let id = tx
            .fetch_optional(
                "INSERT INTO samples (task_id, stage, product_id, product_name, lot, production_date, quantity, retained, place, taken_at, codes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (task_id) DO NOTHING RETURNING id",
                params![
                    task_id,
                    new.stage.as_str(),
                    new.product_id,
                    product_name.as_str(),
                    lot.as_str(),
                    new.production_date.map(|d| d.to_string()),
                    new.quantity,
                    new.retained,
                    place.as_str(),
                    taken_at,
                    codes.as_str(),
                    me.as_str(),
                    at
                ],
            )
            .await?
            .ok_or_else(|| StoreError::Conflict {
                code: "sample_taken",
                field: "task",
                message: format!("task {task_id} already has its sample"),
            })?
            .int(0)?;
        let seq = audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "sampling.sample",
                entity: "sample",
                entity_id: id.to_string(),
                enterprise: Some(uscc),
                before: None,
                after: Some(serde_json::json!({
                    "task": task_id, "stage": new.stage.as_str(), "product": product_name,
                    "lot": lot, "quantity": new.quantity, "retained": new.retained,
                    "place": place, "codes": new.codes,
                })),
            },
        )
        .await?;
        crate::sample_results::refresh(&mut tx, id, seq).await?;
        tx.commit().await?;
        self.sample(id).await
    }

    /// One sample: for the bureaus that see its plan, and the sampled enterprise.
    pub async fn sample(&self, id: i64) -> Result<Sample, StoreError> {
        read_sample(&self.sample_row(id).await?)
    }

    /// A sample's row (see [`SELECT_SAMPLE`]) when the caller may see it.
    pub(crate) async fn sample_row(&self, id: i64) -> Result<Row, StoreError> {
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT_SAMPLE} WHERE s.id = $1"), params![id])
            .await?
            .ok_or(StoreError::NotFound { entity: "sample" })?;
        if !self.sees_sample(&row)? {
            return Err(StoreError::NotFound { entity: "sample" });
        }
        Ok(row)
    }

    /// Bureaus that see the plan, the sampled enterprise, the lab of the quota.
    fn sees_sample(&self, row: &Row) -> Result<bool, StoreError> {
        let plan_region = RegionCode::parse(&row.text(19)?).unwrap_or(RegionCode::NATIONAL);
        let org = self.principal.org_id;
        Ok(match self.principal.role {
            Role::Enterprise => org == Some(row.int(17)?),
            Role::Lab => org.is_some() && (org == row.opt_int(20)? || org == row.opt_int(21)?),
            _ => self.sees_plan(plan_region),
        })
    }

    /// The samples a lab is to test (its quotas'), newest first.
    pub async fn lab_samples(&self, page: Page) -> Result<Paged<Sample>, StoreError> {
        let lab = match (self.principal.role, self.principal.org_id) {
            (Role::Lab, Some(id)) => id,
            _ => {
                return Ok(Paged {
                    items: Vec::new(),
                    total: 0,
                });
            }
        };
        let db = &self.store.db;
        let total = db
            .fetch_one(
                "SELECT COUNT(*) FROM samples s JOIN sampling_tasks t ON t.id = s.task_id JOIN sampling_quotas q ON q.plan_id = t.plan_id AND q.position = t.position WHERE q.lab_id = $1",
                params![lab],
            )
            .await?
            .int(0)?;
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT_SAMPLE} WHERE q.lab_id = $1 ORDER BY s.id DESC LIMIT $2 OFFSET $3"
                ),
                params![lab, page.limit(), page.offset()],
            )
            .await?;
        let items = rows.iter().map(read_sample).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// Files the test report of a sample: the lab of its quota, once.
    pub async fn file_report(
        &self,
        sample_id: i64,
        report: &Report,
    ) -> Result<FiledReport, StoreError> {
        self.file_report_at(sample_id, report, now_ms()).await
    }

    /// Files a report as of an earlier instant (importing a lab's past reports, demo
    /// data): the objection window runs from that day.
    pub async fn file_report_at(
        &self,
        sample_id: i64,
        report: &Report,
        filed_at: i64,
    ) -> Result<FiledReport, StoreError> {
        let row = self.sample_row(sample_id).await?;
        // The quota's lab files the first report; after an accepted objection, the lab
        // named for it files the re-test.
        let org = self
            .principal
            .org_id
            .filter(|_| self.principal.role == Role::Lab);
        let accepted = row.opt_text(22)?.as_deref() == Some("accepted");
        let retest = match org {
            Some(o) if accepted && Some(o) == row.opt_int(21)? => true,
            Some(o) if Some(o) == row.opt_int(20)? => false,
            _ => return Err(StoreError::Forbidden),
        };
        let lab = org;
        let report = test_report::check(report).map_err(|e| StoreError::Invalid {
            code: e.code(),
            field: "items",
            message: e.to_string(),
        })?;
        let signature = test_report::signature(&report);
        let uscc = row.text(3)?;
        let at = now_ms();
        let me = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        if tx
            .fetch_optional(
                "SELECT 1 FROM test_reports WHERE sample_id = $1 AND retest = $2",
                params![sample_id, retest],
            )
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict {
                code: "report_filed",
                field: "sample",
                message: format!("sample {sample_id} already has its report"),
            });
        }
        tx.execute(
            "INSERT INTO test_reports (sample_id, retest, lab_id, number, issued_on, conclusion, items, signature, filed_by, filed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            params![
                sample_id,
                retest,
                lab,
                report.number.as_str(),
                report.issued_on.to_string(),
                report.conclusion.as_str(),
                serde_json::to_string(&report.items).unwrap_or_default(),
                signature.as_str(),
                me,
                filed_at.min(at)
            ],
        )
        .await
        .map_err(|e| {
            crate::conflict_on_unique(
                e,
                "report_number_taken",
                "number",
                format!("this lab already filed report {}", report.number),
            )
        })?;
        let seq = audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: if retest {
                    "sampling.retest_report"
                } else {
                    "sampling.report"
                },
                entity: "sample",
                entity_id: sample_id.to_string(),
                enterprise: Some(uscc),
                before: None,
                after: Some(serde_json::json!({
                    "number": report.number, "conclusion": report.conclusion.as_str(),
                    "signature": signature,
                })),
            },
        )
        .await?;
        crate::sample_results::refresh(&mut tx, sample_id, seq).await?;
        tx.commit().await?;
        self.filed_report(sample_id, retest)
            .await?
            .ok_or(StoreError::NotFound { entity: "report" })
    }

    /// The test report of a sample, for whoever may see the sample (none before it is
    /// filed).
    pub async fn report(&self, sample_id: i64) -> Result<Option<FiledReport>, StoreError> {
        self.sample_row(sample_id).await?;
        self.filed_report(sample_id, false).await
    }

    /// The re-test's report, after an accepted objection (none before it is filed).
    pub async fn retest_report(&self, sample_id: i64) -> Result<Option<FiledReport>, StoreError> {
        self.sample_row(sample_id).await?;
        self.filed_report(sample_id, true).await
    }

    /// A sample's first or re-test report, for a caller already shown the sample.
    pub(crate) async fn filed_report(
        &self,
        sample_id: i64,
        retest: bool,
    ) -> Result<Option<FiledReport>, StoreError> {
        let Some(r) = self
            .store
            .db
            .fetch_optional(
                "SELECT r.number, r.issued_on, r.conclusion, r.items, r.signature, r.filed_by, r.filed_at, l.uscc, l.name FROM test_reports r JOIN organisations l ON l.id = r.lab_id WHERE r.sample_id = $1 AND r.retest = $2",
                params![sample_id, retest],
            )
            .await?
        else {
            return Ok(None);
        };
        let corrupt = |field: &'static str| StoreError::Invalid {
            code: "corrupt_row",
            field,
            message: format!("a stored report's {field} is unreadable"),
        };
        Ok(Some(FiledReport {
            sample_id,
            retest,
            lab: r.text(7)?,
            lab_name: r.text(8)?,
            report: Report {
                number: r.text(0)?,
                issued_on: r.text(1)?.parse().map_err(|_| corrupt("issued_on"))?,
                conclusion: Outcome::parse(&r.text(2)?).ok_or_else(|| corrupt("conclusion"))?,
                items: serde_json::from_str(&r.text(3)?).map_err(|_| corrupt("items"))?,
            },
            signature: r.text(4)?,
            filed_by: r.text(5)?,
            filed_at: rfc3339(r.int(6)?),
        }))
    }

    /// The sampled enterprise confirms the sampling form (its own user), once.
    pub async fn confirm_sample(&self, id: i64) -> Result<Sample, StoreError> {
        let sample = self.sample(id).await?;
        let row = self
            .store
            .db
            .fetch_one(
                "SELECT o.id, o.region FROM organisations o WHERE o.uscc = $1",
                params![sample.enterprise.as_str()],
            )
            .await?;
        let region = RegionCode::parse(&row.text(1)?).unwrap_or(RegionCode::NATIONAL);
        if self.principal.role != Role::Enterprise
            || !self.principal.may(Action::Read, row.int(0)?, region)
        {
            return Err(StoreError::Forbidden);
        }
        let at = now_ms();
        let me = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        let done = tx
            .execute(
                "UPDATE samples SET confirmed_by = $1, confirmed_at = $2 WHERE id = $3 AND confirmed_by IS NULL",
                params![me, at, id],
            )
            .await?;
        if done != 1 {
            return Err(StoreError::Conflict {
                code: "sample_confirmed",
                field: "sample",
                message: format!("sample {id} was already confirmed"),
            });
        }
        audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "sampling.confirm",
                entity: "sample",
                entity_id: id.to_string(),
                enterprise: Some(sample.enterprise.clone()),
                before: None,
                after: Some(serde_json::json!({"confirmed_by": me})),
            },
        )
        .await?;
        tx.commit().await?;
        self.sample(id).await
    }
}
