//! Who may see and change what: roles, the caller resolved once into a [`Principal`],
//! and the [`Scope`] every store query is narrowed to.
//!
//! These rules are the only place access is decided; the store turns a [`Scope`] into a
//! `WHERE` clause, so a new query cannot forget it.

use serde::{Deserialize, Serialize};

use crate::region::RegionCode;

/// A user's role. The anonymous public has no role and no [`Principal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the node: sees and changes everything.
    Admin,
    /// A bureau officer: reads and writes within the bureau's region subtree.
    Officer,
    /// A bureau member who reads the region subtree but changes nothing.
    Viewer,
    /// An enterprise operator: its own enterprise only.
    Enterprise,
    /// A registered printer's operator.
    Printer,
    /// A lab's operator.
    Lab,
}

impl Role {
    /// Every role, for walking access matrices.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Officer,
        Role::Viewer,
        Role::Enterprise,
        Role::Printer,
        Role::Lab,
    ];

    /// The stable name used in the API, the database and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Viewer => "viewer",
            Role::Enterprise => "enterprise",
            Role::Printer => "printer",
            Role::Lab => "lab",
        }
    }

    /// Parses a stable role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The kind of organisation a user of this role belongs to (`None` for admins).
    pub fn organisation_kind(self) -> Option<OrgKind> {
        match self {
            Role::Admin => None,
            Role::Officer | Role::Viewer => Some(OrgKind::Bureau),
            Role::Enterprise => Some(OrgKind::Enterprise),
            Role::Printer => Some(OrgKind::Printer),
            Role::Lab => Some(OrgKind::Lab),
        }
    }
}

/// The kinds of organisation users belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A regulator attached to one region.
    Bureau,
    /// A producer, identified by its credit code.
    Enterprise,
    /// A registered printing enterprise.
    Printer,
    /// A testing laboratory.
    Lab,
}

impl OrgKind {
    /// The stable name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Bureau => "bureau",
            OrgKind::Enterprise => "enterprise",
            OrgKind::Printer => "printer",
            OrgKind::Lab => "lab",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<OrgKind> {
        [
            OrgKind::Bureau,
            OrgKind::Enterprise,
            OrgKind::Printer,
            OrgKind::Lab,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// An authenticated caller, resolved once per request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Principal {
    /// The user's id.
    pub user_id: i64,
    /// The login name.
    pub username: String,
    /// The role.
    pub role: Role,
    /// The organisation the user belongs to (none for admins).
    pub org_id: Option<i64>,
    /// The region of the user's organisation (national for admins).
    #[schema(value_type = String, pattern = "^[0-9]{6}$", examples("110000"))]
    pub region: RegionCode,
}

/// The set of enterprises (and their records) a query may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every enterprise.
    All,
    /// Enterprises registered in this region's subtree.
    Region(RegionCode),
    /// One organisation.
    Organisation(i64),
    /// None at all.
    Nothing,
}

impl Scope {
    /// Whether an enterprise with this id and region lies inside the scope.
    pub fn contains(&self, org_id: i64, region: RegionCode) -> bool {
        match *self {
            Scope::All => true,
            Scope::Region(r) => r.contains(region),
            Scope::Organisation(id) => id == org_id,
            Scope::Nothing => false,
        }
    }
}

/// What a caller wants to do to an enterprise's archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the archive.
    Read,
    /// Register an enterprise or change its basic data.
    EditArchive,
    /// Add or change a product.
    EditProducts,
    /// Apply for a licence.
    ApplyLicence,
    /// Move a licence through its lifecycle (accept, review, issue, suspend, …).
    DecideLicence,
    /// Add a supervision record or an attachment.
    AddRecord,
    /// Register printers and labs.
    RegisterOrganisation,
    /// Apply for supervision codes.
    ApplyCodes,
    /// Approve or refuse code applications, register shop terminals.
    DecideCodes,
    /// Handle issued codes: download them, hand them to printers, activate them on a
    /// batch. Only the enterprise that owns them: codes are as good as the goods.
    UseCodes,
    /// Flag a batch recalled or decommissioned.
    FlagBatch,
    /// Read sampling plans and their draws (bureaus only: whom a plan will inspect is
    /// not told in advance).
    ReadSampling,
    /// Make sampling plans and draw them.
    PlanSampling,
    /// Publish or withdraw a quality commitment or certification (the enterprise
    /// itself, or its bureau on its behalf).
    PublishCommitment,
    /// Read risk warnings and incidents (bureaus only).
    ReadRisk,
    /// Raise, handle and close warnings and incidents.
    HandleRisk,
    /// Capture EPCIS events (an enterprise only about its own codes and locations).
    CaptureEvents,
    /// Read EPCIS events, traces and batch dossiers.
    ReadEvents,
    /// Start a recall of a product (its enterprise: voluntary, pending until confirmed;
    /// a bureau: ordered, in force at once) and read recalls.
    StartRecall,
    /// Confirm and close recalls (bureaus only).
    DecideRecall,
    /// Accept, reject, transfer and close complaints (bureaus only).
    HandleComplaints,
    /// List enterprises on the blacklist and remove them (bureaus only).
    Blacklist,
    /// Open and handle law-enforcement cases (bureaus only).
    HandleCases,
}

impl Principal {
    /// The scope in which this caller may perform `action`.
    pub fn scope(&self, action: Action) -> Scope {
        let own = || self.org_id.map_or(Scope::Nothing, Scope::Organisation);
        match (self.role, action) {
            (_, Action::UseCodes) if self.role != Role::Enterprise => Scope::Nothing,
            (Role::Admin, _) => Scope::All,
            (Role::Officer | Role::Viewer, Action::CaptureEvents) => Scope::Nothing,
            (Role::Officer, _) => Scope::Region(self.region),
            (
                Role::Viewer,
                Action::Read | Action::ReadSampling | Action::ReadRisk | Action::ReadEvents,
            ) => Scope::Region(self.region),
            (Role::Viewer, _) => Scope::Nothing,
            (
                Role::Enterprise,
                Action::Read
                | Action::EditProducts
                | Action::ApplyLicence
                | Action::ApplyCodes
                | Action::UseCodes
                | Action::FlagBatch
                | Action::PublishCommitment
                | Action::CaptureEvents
                | Action::ReadEvents
                | Action::StartRecall,
            ) => own(),
            (Role::Enterprise, _) => Scope::Nothing,
            (Role::Printer | Role::Lab, _) => Scope::Nothing,
        }
    }

    /// Whether this caller may perform `action` on an enterprise with this id and region.
    pub fn may(&self, action: Action, org_id: i64, region: RegionCode) -> bool {
        self.scope(action).contains(org_id, region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, region: &str, org: Option<i64>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            org_id: org,
            region: RegionCode::parse(region).unwrap(),
        }
    }

    #[test]
    fn officers_act_only_inside_their_subtree() {
        let p = who(Role::Officer, "130100", Some(9));
        let inside = RegionCode::parse("130102").unwrap();
        let outside = RegionCode::parse("130602").unwrap();
        assert!(p.may(Action::EditArchive, 5, inside));
        assert!(!p.may(Action::EditArchive, 5, outside));
        assert!(!p.may(Action::Read, 5, outside));
    }

    #[test]
    fn viewers_read_but_never_write() {
        let p = who(Role::Viewer, "130000", Some(9));
        let inside = RegionCode::parse("130102").unwrap();
        assert!(p.may(Action::Read, 5, inside));
        for a in [
            Action::EditArchive,
            Action::EditProducts,
            Action::DecideLicence,
            Action::AddRecord,
        ] {
            assert!(!p.may(a, 5, inside), "{a:?}");
        }
    }

    #[test]
    fn enterprises_see_only_themselves_and_never_decide_licences() {
        let p = who(Role::Enterprise, "130102", Some(42));
        let r = RegionCode::parse("130102").unwrap();
        assert!(p.may(Action::Read, 42, r));
        assert!(p.may(Action::EditProducts, 42, r));
        assert!(!p.may(Action::Read, 43, r));
        assert!(!p.may(Action::DecideLicence, 42, r));
        assert!(!p.may(Action::EditArchive, 42, r));
    }

    #[test]
    fn printers_and_labs_see_no_archives() {
        for role in [Role::Printer, Role::Lab] {
            let p = who(role, "130102", Some(42));
            assert_eq!(p.scope(Action::Read), Scope::Nothing);
        }
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
