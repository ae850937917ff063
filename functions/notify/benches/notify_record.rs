//! Per-record CPU of notify without the network: decode the SQS body, decide the recipients,
//! compose and render every message (HTML + text). `cargo bench -p notify --bench notify_record`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use deskbell_contract::fixtures::{self, user};
use deskbell_contract::{Job, JobType, Payload, Role, decode};
use deskbell_notify::{Site, plan};

fn job(t: JobType) -> Job {
    fixtures::one_of_each().into_iter().find(|j| j.job_type() == t).unwrap()
}

fn cases() -> Vec<(&'static str, String)> {
    let mut busy = job(JobType::CommentCreated);
    if let Payload::CommentCreated(p) = &mut busy.payload {
        p.ticket.watchers = (0..5).map(|i| user(&format!("w{i}"), Role::Agent)).collect();
        p.comment.body = "Thanks, it works again after the driver update.\n".repeat(10);
    }
    vec![
        ("ticket.assigned (2 recipients)", job(JobType::TicketAssigned).to_body()),
        ("comment.created (6 recipients)", busy.to_body()),
        ("user.password_reset (1 recipient)", job(JobType::UserPasswordReset).to_body()),
        ("stats.digest (1 recipient)", job(JobType::StatsDigest).to_body()),
    ]
}

fn per_record(c: &mut Criterion) {
    let site = Site { app_url: "https://help.example.com".into(), product: "Helpdesk".into() };
    let mut group = c.benchmark_group("notify record");
    group.throughput(Throughput::Elements(1));
    for (name, body) in cases() {
        group.bench_function(format!("decode+decide+render {name}"), |b| {
            b.iter(|| {
                let job = decode(black_box(&body)).unwrap();
                black_box(plan(&job, &site, None).unwrap())
            })
        });
    }
    let (_, body) = &cases()[0];
    group.bench_function("decode only ticket.assigned", |b| b.iter(|| black_box(decode(black_box(body)).unwrap())));
    group.finish();
}

criterion_group!(benches, per_record);
criterion_main!(benches);
