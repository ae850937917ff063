//! EventBridge schedule expressions (`rate(…)`, `cron(…)`) and the scheduled event a target
//! receives, so the local runner fires schedules as EventBridge would; and `deskbell schedule`,
//! which lists the local stack's schedules and fires one now.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::cli::ScheduleAction;
use crate::context::CliError;
use crate::invoke::CargoLambda;
use crate::output;
use crate::runner;
use crate::topology::{Schedule, Topology};

/// A parsed schedule expression.
#[derive(Debug, Clone)]
pub enum Expression {
    /// `rate(N minute|minutes|hour|hours|day|days)`: every period, counted from the start.
    Rate(Duration),
    /// `cron(minutes hours day-of-month month day-of-week year)`, in UTC.
    Cron(Box<cron::Schedule>),
}

/// An expression EventBridge would refuse, or that this runner cannot play.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("schedule expression {expression:?}: {reason}")]
pub struct ExpressionError {
    pub expression: String,
    pub reason: String,
}

impl FromStr for Expression {
    type Err = ExpressionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = |reason: &str| ExpressionError { expression: s.to_owned(), reason: reason.to_owned() };
        let inner = |prefix: &str| s.trim().strip_prefix(prefix).and_then(|r| r.strip_suffix(')'));
        if let Some(rate) = inner("rate(") {
            let (n, unit) = rate.trim().split_once(' ').ok_or_else(|| error("expected rate(N unit)"))?;
            let n: i64 = n.parse().map_err(|_| error("the rate's value is not a positive whole number"))?;
            if n < 1 {
                return Err(error("the rate's value must be at least 1"));
            }
            let period = match (unit.trim(), n) {
                ("minute", 1) | ("minutes", 2..) => Duration::minutes(n),
                ("hour", 1) | ("hours", 2..) => Duration::hours(n),
                ("day", 1) | ("days", 2..) => Duration::days(n),
                _ => return Err(error("the unit must be minute(s), hour(s) or day(s), singular for 1")),
            };
            return Ok(Expression::Rate(period));
        }
        if let Some(fields) = inner("cron(") {
            let fields: Vec<&str> = fields.split_whitespace().collect();
            if fields.len() != 6 {
                return Err(error("a cron expression has 6 fields: minutes hours day-of-month month day-of-week year"));
            }
            // The cron crate reads `sec min hour dom month dow year`; `?` means "any" in both
            // day fields for EventBridge, and `*` says the same here.
            let translated =
                format!("0 {}", fields.iter().map(|f| if *f == "?" { "*" } else { f }).collect::<Vec<_>>().join(" "));
            let schedule = cron::Schedule::from_str(&translated).map_err(|e| error(&e.to_string()))?;
            return Ok(Expression::Cron(Box::new(schedule)));
        }
        Err(error("expected rate(…) or cron(…)"))
    }
}

impl Expression {
    /// The first time strictly after `after` at which it fires; a rate counts from `start`.
    pub fn next_after(&self, start: DateTime<Utc>, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Expression::Rate(period) => {
                let periods = (after - start).num_milliseconds().div_euclid(period.num_milliseconds()) + 1;
                Some(start + *period * i32::try_from(periods).ok()?)
            }
            Expression::Cron(schedule) => schedule.after(&after).next(),
        }
    }
}

/// The schedules `name` designates: the one of that name; else those of the function of that
/// name; else those whose name contains it, ignoring case.
pub fn find<'a>(schedules: &'a [Schedule], name: &str) -> Vec<&'a Schedule> {
    let by = |f: &dyn Fn(&Schedule) -> bool| schedules.iter().filter(|s| f(s)).collect::<Vec<_>>();
    let exact = by(&|s| s.name == name);
    if !exact.is_empty() {
        return exact;
    }
    let of_function = by(&|s| s.function == name);
    if !of_function.is_empty() {
        return of_function;
    }
    let lower = name.to_lowercase();
    by(&|s| s.name.to_lowercase().contains(&lower))
}

/// The event EventBridge sends a schedule's target (unless the target has a constant input).
pub fn scheduled_event(rule_arn: &str, region: &str, at: DateTime<Utc>, id: &str) -> Value {
    json!({
        "version": "0",
        "id": id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "region": region,
        "resources": [rule_arn],
        "detail": {}
    })
}

/// Runs `deskbell schedule ACTION` on the local stack of `topology`: `list` prints its
/// schedules (JSON with `json`), `fire` runs the one `name` designates ([`find`]) now and prints
/// the function's answer as JSON; answers the exit code.
pub async fn command(topology: &Topology, action: ScheduleAction, json: bool) -> Result<i32, CliError> {
    match action {
        ScheduleAction::List => {
            if json {
                output::json(
                    &topology.schedules.iter().map(|s| (&s.name, &s.function, &s.expression)).collect::<Vec<_>>(),
                );
            } else {
                let rows: Vec<Vec<String>> = topology
                    .schedules
                    .iter()
                    .map(|s| vec![s.name.clone(), s.function.clone(), s.expression.clone(), s.enabled.to_string()])
                    .collect();
                output::table(&["schedule", "function", "expression", "enabled"], &rows);
            }
        }
        ScheduleAction::Fire { name, detail, lambda } => {
            let matching = find(&topology.schedules, &name);
            let [schedule] = matching.as_slice() else {
                return Err(CliError::Invalid(format!(
                    "{} schedule(s) match {name:?}: name one (see `deskbell schedule list`)",
                    matching.len()
                )));
            };
            let detail = detail
                .map(|d| serde_json::from_str(&d))
                .transpose()
                .map_err(|e| CliError::Invalid(format!("--detail is not JSON: {e}")))?;
            let result = runner::fire(topology, schedule, detail, &CargoLambda::new(lambda))
                .await
                .map_err(|e| CliError::Invalid(e.to_string()))?;
            output::json(&result);
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn rate_fires_every_period_from_the_start() {
        let e: Expression = "rate(5 minutes)".parse().unwrap();
        let start = at("2026-12-01T10:00:00Z");
        assert_eq!(e.next_after(start, start), Some(at("2026-12-01T10:05:00Z")));
        assert_eq!(e.next_after(start, at("2026-12-01T10:07:30Z")), Some(at("2026-12-01T10:10:00Z")));
    }

    #[test]
    fn cron_fires_at_its_next_matching_minute_in_utc() {
        let daily: Expression = "cron(15 2 * * ? *)".parse().unwrap();
        let now = at("2026-12-01T10:00:00Z");
        assert_eq!(daily.next_after(now, now), Some(at("2026-12-02T02:15:00Z")));
        let monday: Expression = "cron(0 6 ? * MON *)".parse().unwrap();
        assert_eq!(monday.next_after(now, now), Some(at("2026-12-07T06:00:00Z")));
    }

    #[test]
    fn malformed_expressions_are_refused_with_the_reason() {
        for bad in
            ["rate(0 minutes)", "rate(1 minutes)", "rate(5 weeks)", "cron(0 6 * *)", "every day", "cron(x y z a b c)"]
        {
            let err = bad.parse::<Expression>().unwrap_err();
            assert_eq!(err.expression, bad);
            assert!(!err.reason.is_empty());
        }
    }

    #[test]
    fn a_schedule_is_found_by_name_by_function_or_by_part_of_its_name() {
        let schedule = |name: &str, function: &str| Schedule {
            name: name.into(),
            arn: format!("arn:aws:events:eu-west-1:1:rule/{name}"),
            function: function.into(),
            expression: "rate(1 day)".into(),
            enabled: true,
            input: None,
        };
        let all = [
            schedule("deskbell-StatsFunctionDaily-A", "stats"),
            schedule("deskbell-StatsFunctionWeekly-B", "stats"),
            schedule("deskbell-CleanupFunctionDaily-C", "cleanup"),
        ];
        let names = |found: Vec<&Schedule>| found.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(find(&all, "cleanup")), vec!["deskbell-CleanupFunctionDaily-C"]);
        assert_eq!(names(find(&all, "stats")).len(), 2, "ambiguous: the caller asks for one");
        assert_eq!(names(find(&all, "statsfunctionweekly")), vec!["deskbell-StatsFunctionWeekly-B"]);
        assert_eq!(names(find(&all, "deskbell-StatsFunctionDaily-A")), vec!["deskbell-StatsFunctionDaily-A"]);
        assert!(find(&all, "report").is_empty());
    }

    #[test]
    fn scheduled_event_names_its_rule_and_time() {
        let e = scheduled_event("arn:aws:events:eu-west-1:1:rule/daily", "eu-west-1", at("2026-12-01T02:15:00Z"), "x");
        assert_eq!(e["detail-type"], "Scheduled Event");
        assert_eq!(e["resources"][0], "arn:aws:events:eu-west-1:1:rule/daily");
        assert_eq!(e["time"], "2026-12-01T02:15:00Z");
    }
}
