//! One report row per ticket, and its columns.

use chrono::{DateTime, Utc};
use deskbell_contract::{Priority, Status, Ticket};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::cell::Cell;

/// The columns, in their stable order (also the NDJSON field names).
pub const COLUMNS: [&str; 15] = [
    "number",
    "id",
    "subject",
    "status",
    "priority",
    "company_id",
    "company_name",
    "requester_name",
    "requester_email",
    "assignee_name",
    "assignee_email",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
];

/// One report row, borrowed from its ticket.
///
/// Serialises (serde) as a struct with exactly the [`COLUMNS`] as field names, in that order. Dates are RFC 3339
/// UTC with seconds precision and `Z` (`2026-11-24T10:00:00Z`); statuses and priorities are their wire names;
/// absent values are `None` (empty string in CSV, null in NDJSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    /// The number people see (`1042`).
    pub number: u64,
    /// The app's ticket id.
    pub id: &'a str,
    /// The subject as typed.
    pub subject: &'a str,
    /// Where the ticket is in its life (`on_hold`).
    pub status: Status,
    /// How urgent it is (`urgent`).
    pub priority: Priority,
    /// The customer company's id, if the ticket has one.
    pub company_id: Option<&'a str>,
    /// The customer company's name, if the ticket has one.
    pub company_name: Option<&'a str>,
    /// Who asked.
    pub requester_name: &'a str,
    /// Their address.
    pub requester_email: &'a str,
    /// The agent it is assigned to, if any.
    pub assignee_name: Option<&'a str>,
    /// Their address, if assigned.
    pub assignee_email: Option<&'a str>,
    /// When the ticket was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When an agent first answered, if they have.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When it was last solved or closed, if it is.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl<'a> From<&'a Ticket> for Row<'a> {
    fn from(ticket: &'a Ticket) -> Self {
        let company = ticket.company.as_ref();
        let assignee = ticket.assignee.as_ref();
        Self {
            number: ticket.number,
            id: &ticket.id,
            subject: &ticket.subject,
            status: ticket.status,
            priority: ticket.priority,
            company_id: company.map(|c| c.id.as_str()),
            company_name: company.map(|c| c.name.as_str()),
            requester_name: &ticket.requester.name,
            requester_email: &ticket.requester.email,
            assignee_name: assignee.map(|a| a.name.as_str()),
            assignee_email: assignee.map(|a| a.email.as_str()),
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
            first_response_at: ticket.first_response_at,
            resolved_at: ticket.resolved_at,
        }
    }
}

impl<'a> Row<'a> {
    /// The values, one per column of [`COLUMNS`], in that order.
    pub(crate) fn cells(&self) -> [Cell<'a>; COLUMNS.len()] {
        let text = |value: Option<&'a str>| value.map_or(Cell::Absent, Cell::Text);
        let time = |value: Option<DateTime<Utc>>| value.map_or(Cell::Absent, Cell::Time);
        [
            Cell::Number(self.number),
            Cell::Text(self.id),
            Cell::Text(self.subject),
            Cell::Text(self.status.as_str()),
            Cell::Text(self.priority.as_str()),
            text(self.company_id),
            text(self.company_name),
            Cell::Text(self.requester_name),
            Cell::Text(self.requester_email),
            text(self.assignee_name),
            text(self.assignee_email),
            Cell::Time(self.created_at),
            Cell::Time(self.updated_at),
            time(self.first_response_at),
            time(self.resolved_at),
        ]
    }
}

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut row = serializer.serialize_struct("Row", COLUMNS.len())?;
        for (column, cell) in COLUMNS.into_iter().zip(self.cells()) {
            row.serialize_field(column, &cell)?;
        }
        row.end()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use deskbell_contract::fixtures::{at, ticket};

    use super::*;

    #[test]
    fn row_takes_every_column_from_the_ticket() {
        let t = Ticket {
            status: Status::OnHold,
            priority: Priority::Urgent,
            first_response_at: Some(at() + Duration::minutes(5)),
            ..ticket(1042)
        };
        let cells = Row::from(&t).cells();
        let text: Vec<String> = cells.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "1042",
                "t-1042",
                "Printer on fire",
                "on_hold",
                "urgent",
                "acme",
                "ACME",
                "User cust",
                "cust@example.com",
                "User agent",
                "agent@example.com",
                "2026-11-24T10:00:00Z",
                "2026-11-24T10:00:00Z",
                "2026-11-24T10:05:00Z",
                "",
            ]
        );
    }

    #[test]
    fn missing_company_and_assignee_are_absent() {
        let t = Ticket { company: None, assignee: None, ..ticket(1) };
        let row = Row::from(&t);
        assert_eq!((row.company_id, row.company_name, row.assignee_name, row.assignee_email), (None, None, None, None));
        let cells = row.cells();
        for column in ["company_id", "company_name", "assignee_name", "assignee_email", "resolved_at"] {
            let index = COLUMNS.iter().position(|c| *c == column).unwrap();
            assert_eq!(cells[index], Cell::Absent, "{column}");
        }
    }

    #[test]
    fn row_serialises_with_the_columns_as_keys_in_order() {
        let json = serde_json::to_string(&Row::from(&ticket(7))).unwrap();
        let mut rest = json.as_str();
        for column in COLUMNS {
            let key = format!("\"{column}\":");
            let found = rest.find(&key).unwrap_or_else(|| panic!("{column} missing or out of order in {json}"));
            rest = &rest[found + key.len()..];
        }
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value.as_object().map(serde_json::Map::len), Some(COLUMNS.len()));
        assert_eq!(value["resolved_at"], serde_json::Value::Null);
        assert_eq!(value["number"], serde_json::json!(7));
    }
}
