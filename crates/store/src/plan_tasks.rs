//! A drawn plan's tasks as the organising bureau follows them: per task whether its
//! sample is taken and where its result stands, and the progress per lab and region.

use std::collections::BTreeMap;

use serde::Serialize;
use zhijian_core::calendar::Calendar;
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::{self, RegionCode};
use zhijian_core::sample_result::{ObjectionRules, ResultStage, Standing};
use zhijian_core::test_report::Outcome;

use crate::objections::Facts;
use crate::{Scoped, StoreError, params, rfc3339, today};

/// One task and how far it has come.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct TaskProgress {
    /// The task.
    pub task_id: i64,
    /// The quota it fills (0-based).
    pub quota: usize,
    /// The quota's category.
    pub category: String,
    /// The quota's region.
    pub region: String,
    /// The quota's lab (credit code), if named.
    pub lab: Option<String>,
    /// The enterprise's credit code.
    pub enterprise: String,
    /// Its name.
    pub enterprise_name: String,
    /// Its region.
    pub enterprise_region: String,
    /// The inspectors.
    pub inspectors: Vec<String>,
    /// The sample, once taken.
    pub sample_id: Option<i64>,
    /// When it was taken.
    #[schema(format = DateTime)]
    pub taken_at: Option<String>,
    /// Where its result stands, once sampled.
    pub standing: Option<Standing>,
}

/// The tasks of one lab in one region and how far they have come.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Progress {
    /// The lab's credit code (none: quotas without a lab).
    pub lab: Option<String>,
    /// Its name.
    pub lab_name: Option<String>,
    /// The quotas' region.
    pub region: String,
    /// Its name.
    pub region_name: String,
    /// Tasks drawn.
    pub tasks: u64,
    /// Samples taken.
    pub sampled: u64,
    /// First reports filed.
    pub reported: u64,
    /// Results final.
    pub finals: u64,
    /// Of them, failed.
    pub failed: u64,
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only the quotas of this lab (credit code).
    pub lab: Option<String>,
    /// Only quotas in this region's subtree.
    pub region: Option<RegionCode>,
}

impl Scoped<'_> {
    /// Every task of a plan the caller may read, with its progress, in task order: read
    /// once, then paged ([`PlanWork::page`]) and counted ([`PlanWork::progress`]).
    pub async fn plan_work(
        &self,
        plan_id: i64,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<PlanWork, StoreError> {
        // Reading the plan checks that the caller may see it.
        self.plan(plan_id).await?;
        let rows = self
            .store
            .db
            .fetch_all(
                "SELECT t.id, t.position, q.category, q.region, l.uscc, o.uscc, o.name, t.inspectors, s.id, s.taken_at, \
                 rf.conclusion, rf.filed_at, ob.sample_id, ob.decision, rr.conclusion, l.name, o.region \
                 FROM sampling_tasks t JOIN sampling_quotas q ON q.plan_id = t.plan_id AND q.position = t.position \
                 JOIN organisations o ON o.id = t.enterprise_id LEFT JOIN organisations l ON l.id = q.lab_id \
                 LEFT JOIN samples s ON s.task_id = t.id \
                 LEFT JOIN test_reports rf ON rf.sample_id = s.id AND rf.retest = $2 \
                 LEFT JOIN objections ob ON ob.sample_id = s.id \
                 LEFT JOIN test_reports rr ON rr.sample_id = s.id AND rr.retest = $3 \
                 WHERE t.plan_id = $1 ORDER BY t.id",
                params![plan_id, false, true],
            )
            .await?;
        let today = today();
        rows.iter()
            .map(|r| {
                let category = r.text(2)?;
                let sample_id = r.opt_int(8)?;
                let standing = match sample_id {
                    Some(_) => {
                        Some(Facts::read(r, 10)?.standing(&category, rules, calendar, today))
                    }
                    None => None,
                };
                Ok((
                    TaskProgress {
                        task_id: r.int(0)?,
                        quota: usize::try_from(r.int(1)?).unwrap_or_default(),
                        category,
                        region: r.text(3)?,
                        lab: r.opt_text(4)?,
                        enterprise: r.text(5)?,
                        enterprise_name: r.text(6)?,
                        enterprise_region: r.text(16)?,
                        inspectors: r
                            .text(7)?
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                        sample_id,
                        taken_at: r.opt_int(9)?.map(rfc3339),
                        standing,
                    },
                    r.opt_text(15)?,
                ))
            })
            .collect::<Result<_, StoreError>>()
            .map(|tasks| PlanWork { tasks })
    }

    /// A plan's tasks, filtered by lab and region, a page at a time.
    pub async fn plan_tasks(
        &self,
        plan_id: i64,
        filter: &TaskFilter,
        page: Page,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<Paged<TaskProgress>, StoreError> {
        Ok(self
            .plan_work(plan_id, rules, calendar)
            .await?
            .page(filter, page))
    }

    /// A plan's progress per lab and quota region.
    pub async fn plan_progress(
        &self,
        plan_id: i64,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<Vec<Progress>, StoreError> {
        Ok(self.plan_work(plan_id, rules, calendar).await?.progress())
    }
}

/// A plan's tasks with their progress, each with its quota lab's name.
#[derive(Debug, Clone)]
pub struct PlanWork {
    tasks: Vec<(TaskProgress, Option<String>)>,
}

impl PlanWork {
    /// One task of the plan.
    pub fn task(&self, id: i64) -> Option<&TaskProgress> {
        self.tasks.iter().map(|(t, _)| t).find(|t| t.task_id == id)
    }

    /// The tasks a filter keeps, a page at a time.
    pub fn page(&self, filter: &TaskFilter, page: Page) -> Paged<TaskProgress> {
        let wanted: Vec<&TaskProgress> = self
            .tasks
            .iter()
            .map(|(t, _)| t)
            .filter(|t| filter.lab.is_none() || t.lab == filter.lab)
            .filter(|t| {
                filter
                    .region
                    .is_none_or(|r| RegionCode::parse(&t.region).is_ok_and(|own| r.contains(own)))
            })
            .collect();
        let total = i64::try_from(wanted.len()).unwrap_or(i64::MAX);
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        Paged {
            items: wanted
                .into_iter()
                .skip(offset)
                .take(limit)
                .cloned()
                .collect(),
            total,
        }
    }

    /// The progress per lab and quota region.
    pub fn progress(&self) -> Vec<Progress> {
        let mut groups: BTreeMap<(Option<String>, String), Progress> = BTreeMap::new();
        for (t, lab_name) in &self.tasks {
            let g = groups
                .entry((t.lab.clone(), t.region.clone()))
                .or_insert_with(|| Progress {
                    lab: t.lab.clone(),
                    lab_name: lab_name.clone(),
                    region_name: RegionCode::parse(&t.region)
                        .ok()
                        .and_then(region::lookup)
                        .map(|r| r.name.to_string())
                        .unwrap_or_else(|| t.region.clone()),
                    region: t.region.clone(),
                    tasks: 0,
                    sampled: 0,
                    reported: 0,
                    finals: 0,
                    failed: 0,
                });
            g.tasks += 1;
            if let Some(s) = &t.standing {
                g.sampled += 1;
                g.reported += u64::from(s.stage != ResultStage::AwaitingReport);
                if s.stage == ResultStage::Final {
                    g.finals += 1;
                    g.failed += u64::from(s.outcome == Some(Outcome::Fail));
                }
            }
        }
        groups.into_values().collect()
    }
}
