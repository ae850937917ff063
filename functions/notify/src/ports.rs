//! The ports notify acts through: [`NotifyPorts`] names one type per trait, so the notifier
//! and the function take one parameter instead of one per port; [`Ports`] holds their values.

use std::marker::PhantomData;

use deskbell_inbox::{DynamoInbox, MemoryInbox, NotificationStore};
use deskbell_jobs::{MemoryVisibility, SqsVisibility, Visibility};
use deskbell_mailer::{Mailer, MemoryMailer, SesMailer};
use deskbell_objects::{MemoryObjects, ObjectStore, S3Objects};
use deskbell_push::{DynamoConnections, ManagementGateway, MemoryConnections, MemoryGateway, Push, Pusher};
use deskbell_records::{DeliveryLog, DynamoRecords, FailureLog, MemoryRecords, OutcomeLog};
use deskbell_tickets::{DynamoTickets, MemoryTickets, TicketStore};

/// Which implementation of each trait a notify instance uses: [`AwsPorts`] as deployed,
/// [`MemoryPorts`] in unit tests. Those only name types (nothing builds one); the values are
/// a [`Ports`].
pub trait NotifyPorts {
    /// Sends the emails.
    type Mailer: Mailer;
    /// The idempotency log every delivery is claimed and completed in.
    type Deliveries: DeliveryLog;
    /// Where in-app notifications are stored (and unread counts read).
    type Inbox: NotificationStore;
    /// The ticket snapshots and activity items kept for reports and statistics.
    type Tickets: TicketStore;
    /// The reports bucket, for a report email's download link.
    type Reports: ObjectStore;
    /// Pushes a new in-app notification to its user's connected clients.
    type Push: Push;
    /// The job core's back-off: a record's visibility timeout.
    type Visibility: Visibility;
    /// The job core's failure reasons and outcome counters.
    type Failures: FailureLog + OutcomeLog;
}

/// The ports of one notifier, as values of the types `P` names.
pub struct Ports<P: NotifyPorts> {
    pub mailer: P::Mailer,
    pub deliveries: P::Deliveries,
    pub inbox: P::Inbox,
    pub tickets: P::Tickets,
    /// The reports bucket; without one, a report email links to the report's page.
    pub reports: Option<P::Reports>,
    pub push: P::Push,
}

/// Push as deployed: connections in DynamoDB, posts through the API Gateway Management API
/// (none when `DESKBELL_CONNECTIONS_TABLE` and `DESKBELL_PUSH_ENDPOINT` are not set).
pub type AwsPush = Option<Pusher<DynamoConnections, ManagementGateway>>;

/// notify as deployed: SES, DynamoDB, S3, SQS and the WebSocket API.
pub enum AwsPorts {}

impl NotifyPorts for AwsPorts {
    type Mailer = SesMailer;
    type Deliveries = DynamoRecords;
    type Inbox = DynamoInbox;
    type Tickets = DynamoTickets;
    type Reports = S3Objects;
    type Push = AwsPush;
    type Visibility = SqsVisibility;
    type Failures = DynamoRecords;
}

/// notify in memory, for tests: every port's in-memory implementation, push included, and
/// any mailer `M` (a test's own, to inject failures).
pub struct MemoryPorts<M = MemoryMailer>(PhantomData<fn() -> M>);

impl<M: Mailer> NotifyPorts for MemoryPorts<M> {
    type Mailer = M;
    type Deliveries = MemoryRecords;
    type Inbox = MemoryInbox;
    type Tickets = MemoryTickets;
    type Reports = MemoryObjects;
    type Push = Option<Pusher<MemoryConnections, MemoryGateway>>;
    type Visibility = MemoryVisibility;
    type Failures = MemoryRecords;
}

impl<M: Mailer> Ports<MemoryPorts<M>> {
    /// Every port empty and in memory around `mailer`, with a reports bucket (`memory`, as
    /// [`MemoryObjects`] names it) and no push.
    pub fn memory(mailer: M) -> Self {
        Self {
            mailer,
            deliveries: MemoryRecords::default(),
            inbox: MemoryInbox::default(),
            tickets: MemoryTickets::default(),
            reports: Some(MemoryObjects::default()),
            push: None,
        }
    }
}
