//! Keeps the in-memory name index ([`zhijian_core::name_index`]) in step with the
//! database: built on first use, caught up from the change clock before every search,
//! rebuilt when the changes since the last build grow large.

use tokio::sync::Mutex;
use zhijian_core::enterprise::EnterpriseStatus;
use zhijian_core::name_index::{Listing, NameIndex};

use crate::StoreError;
use crate::db::{Db, Row, Value};

/// Changed enterprises kept beside the base before it is rebuilt.
const REBUILD_AFTER: usize = 2_000;

const SELECT_LISTING: &str = "SELECT o.id, o.uscc, o.name, o.region, e.status FROM organisations o JOIN enterprises e ON e.id = o.id";

/// The current index and the clock tick it is complete up to.
#[derive(Default)]
pub(crate) struct IndexHolder {
    state: Mutex<Option<(i64, NameIndex)>>,
}

fn read_listing(r: &Row) -> Result<Listing, StoreError> {
    Ok(Listing {
        org_id: r.int(0)?,
        uscc: r.text(1)?,
        name: r.text(2)?,
        region: r.text(3)?,
        status: EnterpriseStatus::parse(&r.text(4)?).unwrap_or(EnterpriseStatus::Active),
    })
}

impl IndexHolder {
    /// The index as of now: every change committed before the call is in it.
    pub(crate) async fn current(&self, db: &Db) -> Result<NameIndex, StoreError> {
        let changes = db.changes();
        changes.poll(db).await?;
        // One caller at a time catches up; the others wait for it rather than repeat it.
        let mut state = self.state.lock().await;
        let caught_up = match &*state {
            Some((at, index)) if index.overlay_len() < REBUILD_AFTER => {
                match changes.changed_since(*at) {
                    Some((_, changed)) if changed.is_empty() => return Ok(index.clone()),
                    Some((tick, changed)) => {
                        Some((tick, index.with_changes(load(db, &changed).await?)))
                    }
                    None => None,
                }
            }
            _ => None,
        };
        let (tick, index) = match caught_up {
            Some(done) => done,
            None => {
                // The tick is read before the rows, so changes racing the load are
                // caught up next time rather than lost.
                let tick = changes.head();
                let rows = db.fetch_all(SELECT_LISTING, &[]).await?;
                let listings = rows.iter().map(read_listing).collect::<Result<_, _>>()?;
                (tick, NameIndex::build(listings))
            }
        };
        *state = Some((tick, index.clone()));
        Ok(index)
    }
}

/// The current rows of the named enterprises (`None` for those that are gone).
async fn load(db: &Db, usccs: &[String]) -> Result<Vec<(String, Option<Listing>)>, StoreError> {
    let mut out: Vec<(String, Option<Listing>)> = usccs.iter().map(|u| (u.clone(), None)).collect();
    for chunk in usccs.chunks(200) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let params: Vec<Value> = chunk.iter().map(|u| Value::from(u.as_str())).collect();
        let rows = db
            .fetch_all(
                &format!("{SELECT_LISTING} WHERE o.uscc IN ({list})"),
                &params,
            )
            .await?;
        for r in &rows {
            let l = read_listing(r)?;
            if let Ok(i) = usccs.binary_search(&l.uscc) {
                out[i].1 = Some(l);
            }
        }
    }
    Ok(out)
}
