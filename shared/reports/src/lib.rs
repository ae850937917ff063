//! Ticket reports (being written).
