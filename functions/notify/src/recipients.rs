//! Who hears about a job, and through which channels. Pure: contract types in, a list out.

use deskbell_contract::{Payload, Ticket, User};
use deskbell_records::Channel;

/// Why a person receives a message; decides its wording and its footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Requester,
    Assignee,
    PreviousAssignee,
    Watcher,
    /// The owner of the account a `user.*` job is about.
    AccountHolder,
    /// Someone a system message or digest is addressed to.
    Admin,
    /// Whoever asked for a report.
    ReportOwner,
}

/// One person to tell, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user: User,
    pub audience: Audience,
    pub channels: &'static [Channel],
}

const EMAIL_AND_IN_APP: &[Channel] = &[Channel::Email, Channel::InApp];
/// Account links (activation, password reset) are secrets for one mailbox: email only.
const EMAIL_ONLY: &[Channel] = &[Channel::Email];

/// Collects recipients: each person once (the first reason found wins), never the actor.
struct List<'a> {
    actor: Option<&'a User>,
    out: Vec<Recipient>,
}

impl<'a> List<'a> {
    fn new(actor: Option<&'a User>) -> Self {
        Self { actor, out: Vec::new() }
    }

    fn add(&mut self, user: &User, audience: Audience, channels: &'static [Channel]) {
        let is_actor = self.actor.is_some_and(|a| a.id == user.id);
        if !is_actor && !self.out.iter().any(|r| r.user.id == user.id) {
            self.out.push(Recipient { user: user.clone(), audience, channels });
        }
    }

    fn ticket_people(&mut self, ticket: &Ticket, with_requester: bool, staff_only: bool) {
        let admit = |u: &User| !staff_only || u.role.is_staff();
        if with_requester && admit(&ticket.requester) {
            self.add(&ticket.requester, Audience::Requester, EMAIL_AND_IN_APP);
        }
        if let Some(assignee) = ticket.assignee.as_ref().filter(|u| admit(u)) {
            self.add(assignee, Audience::Assignee, EMAIL_AND_IN_APP);
        }
        for watcher in ticket.watchers.iter().filter(|u| admit(u)) {
            self.add(watcher, Audience::Watcher, EMAIL_AND_IN_APP);
        }
    }
}

/// The recipients of a job's payload, in order: requester, assignee, previous assignee,
/// watchers (or the account holder, admins, report owner).
///
/// - The actor is never told about their own action.
/// - Internal comments reach staff only: never the requester, never a customer watcher.
/// - `report.requested` has no recipients: it is work for the report function.
pub fn recipients(payload: &Payload) -> Vec<Recipient> {
    match payload {
        Payload::TicketCreated(p) => everyone_on(&p.ticket, &p.actor),
        Payload::TicketUpdated(p) => everyone_on(&p.ticket, &p.actor),
        Payload::TicketStatusChanged(p) => everyone_on(&p.ticket, &p.actor),
        Payload::TicketAssigned(p) => {
            let mut list = List::new(Some(&p.actor));
            if let Some(assignee) = &p.ticket.assignee {
                list.add(assignee, Audience::Assignee, EMAIL_AND_IN_APP);
            }
            if let Some(previous) = &p.previous_assignee {
                list.add(previous, Audience::PreviousAssignee, EMAIL_AND_IN_APP);
            }
            list.ticket_people(&p.ticket, false, false);
            list.out
        }
        Payload::CommentCreated(p) => {
            let mut list = List::new(Some(&p.actor));
            list.ticket_people(&p.ticket, !p.comment.internal, p.comment.internal);
            if p.comment.internal {
                // Not even as a staff watcher: an internal note is about the requester.
                list.out.retain(|r| r.user.id != p.ticket.requester.id);
            }
            list.out
        }
        Payload::UserWelcome(p) => vec![account(&p.user, EMAIL_AND_IN_APP)],
        Payload::UserActivation(p) => vec![account(&p.user, EMAIL_ONLY)],
        Payload::UserPasswordReset(p) => vec![account(&p.user, EMAIL_ONLY)],
        Payload::SystemMaintenance(p) => admins(&p.recipients),
        Payload::StatsDigest(p) => admins(&p.recipients),
        Payload::SystemAlert(p) => admins(&p.recipients),
        Payload::ReportReady(p) => {
            vec![Recipient {
                user: p.requested_by.clone(),
                audience: Audience::ReportOwner,
                channels: EMAIL_AND_IN_APP,
            }]
        }
        Payload::ReportRequested(_) => vec![],
    }
}

/// Requester, assignee and watchers of a ticket, but the actor.
fn everyone_on(ticket: &Ticket, actor: &User) -> Vec<Recipient> {
    let mut list = List::new(Some(actor));
    list.ticket_people(ticket, true, false);
    list.out
}

/// The account holder hears about their own account even when they triggered it (a
/// password reset is always asked for by its actor).
fn account(user: &User, channels: &'static [Channel]) -> Recipient {
    Recipient { user: user.clone(), audience: Audience::AccountHolder, channels }
}

fn admins(users: &[User]) -> Vec<Recipient> {
    let mut list = List::new(None);
    for user in users {
        list.add(user, Audience::Admin, EMAIL_AND_IN_APP);
    }
    list.out
}

#[cfg(test)]
mod tests {
    use deskbell_contract::fixtures::{self, user};
    use deskbell_contract::{JobType, Role};
    use proptest::prelude::*;

    use super::*;

    fn payload(t: JobType) -> Payload {
        fixtures::one_of_each().into_iter().find(|j| j.job_type() == t).unwrap().payload
    }

    fn ids(list: &[Recipient]) -> Vec<&str> {
        list.iter().map(|r| r.user.id.as_str()).collect()
    }

    #[test]
    fn requester_who_opened_the_ticket_is_not_told() {
        // Fixture: the requester (cust) is the actor.
        assert_eq!(ids(&recipients(&payload(JobType::TicketCreated))), vec!["agent"]);
    }

    #[test]
    fn reassignment_tells_new_and_previous_assignee_and_watchers_once() {
        let Payload::TicketAssigned(mut p) = payload(JobType::TicketAssigned) else { unreachable!() };
        p.ticket.watchers = vec![user("w1", Role::Agent), user("agent", Role::Agent), user("w1", Role::Agent)];
        let list = recipients(&Payload::TicketAssigned(p));
        assert_eq!(ids(&list), vec!["agent", "agent2", "w1"]);
        assert_eq!(list[1].audience, Audience::PreviousAssignee);
    }

    #[test]
    fn internal_comment_reaches_staff_only() {
        let Payload::CommentCreated(mut p) = payload(JobType::CommentCreated) else { unreachable!() };
        p.comment.internal = true;
        p.actor = user("boss", Role::Admin);
        p.ticket.watchers = vec![user("cust-colleague", Role::Customer), user("w-agent", Role::Agent)];
        p.ticket.requester.role = Role::Agent; // even a staff requester: internal notes skip the requester
        let list = recipients(&Payload::CommentCreated(p));
        assert_eq!(ids(&list), vec!["agent", "w-agent"]);
    }

    #[test]
    fn public_comment_reaches_requester_but_not_its_author() {
        let list = recipients(&payload(JobType::CommentCreated));
        assert_eq!(ids(&list), vec!["cust"]);
    }

    #[test]
    fn password_reset_goes_to_the_account_holder_by_email_only() {
        let list = recipients(&payload(JobType::UserPasswordReset));
        assert_eq!(ids(&list), vec!["cust"]);
        assert_eq!(list[0].channels, &[Channel::Email]);
    }

    #[test]
    fn report_requested_has_no_recipients() {
        assert!(recipients(&payload(JobType::ReportRequested)).is_empty());
    }

    fn any_user() -> impl Strategy<Value = User> {
        ("[a-e]", prop_oneof![Just(Role::Customer), Just(Role::Agent), Just(Role::Admin)])
            .prop_map(|(id, role)| user(&id, role))
    }

    proptest! {
        #[test]
        fn never_the_actor_never_twice_internal_never_customers(
            actor in any_user(), requester in any_user(), assignee in proptest::option::of(any_user()),
            watchers in proptest::collection::vec(any_user(), 0..6), internal in any::<bool>(),
        ) {
            let Payload::CommentCreated(mut p) = payload(JobType::CommentCreated) else { unreachable!() };
            p.actor = actor.clone();
            p.ticket.requester = requester.clone();
            p.ticket.assignee = assignee;
            p.ticket.watchers = watchers;
            p.comment.internal = internal;
            let list = recipients(&Payload::CommentCreated(p));
            let mut seen = std::collections::HashSet::new();
            for r in &list {
                prop_assert!(r.user.id != actor.id);
                prop_assert!(seen.insert(r.user.id.clone()));
                if internal {
                    prop_assert!(r.user.role.is_staff());
                    prop_assert!(r.user.id != requester.id);
                }
            }
        }
    }
}
