//! The JSON Schema and the decoder state the same limits.
//!
//! Walks every field of every job type's generated schema alongside a sample body that has
//! every optional field present; at each field it sets values at and just past the limits the
//! schema states (lengths, item counts, integer and number ranges, the instant range, map
//! keys) and checks that the committed schema and `decode` give the same verdict, and that a
//! refusal names that field. A string, list or number the schema leaves unlimited fails too,
//! and so does a field of the schema no sample reaches.

use std::collections::BTreeSet;

use deskbell_contract::{JobType, decode, fixtures, schema};
use serde_json::{Value, json};

/// One step of a path into a body.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// A place in a body: its steps, and the dotted name the decoder reports (`data.ticket.id`).
#[derive(Debug, Clone, Default)]
struct Place(Vec<Step>);

impl Place {
    fn key(&self, k: &str) -> Place {
        let mut p = self.0.clone();
        p.push(Step::Key(k.to_owned()));
        Place(p)
    }

    fn index(&self, i: usize) -> Place {
        let mut p = self.0.clone();
        p.push(Step::Index(i));
        Place(p)
    }

    fn dotted(&self) -> String {
        let mut out = String::new();
        for step in &self.0 {
            match step {
                Step::Key(k) if out.is_empty() => out.push_str(k),
                Step::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    fn get_mut<'a>(&self, mut v: &'a mut Value) -> &'a mut Value {
        for step in &self.0 {
            v = match step {
                Step::Key(k) => &mut v[k.as_str()],
                Step::Index(i) => &mut v[*i],
            };
        }
        v
    }
}

/// What the schema limits at one place.
#[derive(Debug, Clone)]
enum Limit {
    Text { min: usize, max: usize, filler: Filler },
    List { min: usize, max: usize },
    Integer { max: u64 },
    Number { min: f64, max: f64 },
    Instant,
    MapKeys { min: usize, max: usize },
}

/// How to write a valid string of a given length for a field.
#[derive(Debug, Clone, Copy)]
enum Filler {
    /// Any characters: a two-byte one, so characters and bytes differ.
    Any,
    Email,
    Link,
    /// Letters only (fields with a character pattern).
    Letters,
}

impl Filler {
    fn of_len(self, n: usize) -> String {
        match self {
            Self::Any => "é".repeat(n),
            Self::Letters => "a".repeat(n),
            Self::Link if n >= 8 => format!("http://a{}", "é".repeat(n - 8)),
            Self::Link => "h".repeat(n),
            Self::Email if n >= 5 => {
                let local = (n - 4).min(64);
                format!("{}@{}.c", "a".repeat(local), "b".repeat(n - local - 3))
            }
            Self::Email => "a".repeat(n),
        }
    }
}

struct Walk<'a> {
    root: &'a Value,
    found: Vec<(Place, Limit)>,
    unlimited: Vec<String>,
    visited: BTreeSet<(String, String)>,
}

/// `node`, or the definition it refers to (whose name becomes `def`).
fn resolve<'a>(root: &'a Value, node: &'a Value, def: &mut String) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            *def = name.to_owned();
            &root["$defs"][name]
        }
        None => node,
    }
}

impl<'a> Walk<'a> {
    fn walk(&mut self, node: &'a Value, def: &str, value: &Value, at: Place) {
        let mut def = def.to_owned();
        let node = resolve(self.root, node, &mut def);
        if let Some(branches) = node.get("anyOf").and_then(Value::as_array) {
            // Option<T>: the branch that is not null.
            if let Some(branch) = branches.iter().find(|b| b.get("type") != Some(&json!("null"))) {
                self.walk(branch, &def, value, at);
            }
            return;
        }
        if value.is_null() || node.get("const").is_some() || node.get("enum").is_some() || node.get("oneOf").is_some() {
            return;
        }
        let types: Vec<&str> = match node.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let num = |k: &str| node.get(k).and_then(Value::as_u64).map(|n| n as usize);
        let name = at.dotted();
        if types.contains(&"object") {
            if let Some(props) = node.get("properties").and_then(Value::as_object) {
                for (k, sub) in props {
                    if value.get(k).is_some_and(|v| !v.is_null()) {
                        self.visited.insert((def.clone(), k.clone()));
                        self.walk(sub, &def, &value[k.as_str()], at.key(k));
                    }
                }
            }
            if let Some(values) = node.get("additionalProperties").filter(|a| a.is_object()) {
                let names = node.get("propertyNames").cloned().unwrap_or_default();
                match (names.get("minLength").and_then(Value::as_u64), names.get("maxLength").and_then(Value::as_u64)) {
                    (Some(min), Some(max)) => {
                        self.found.push((at.clone(), Limit::MapKeys { min: min as usize, max: max as usize }))
                    }
                    _ => self.unlimited.push(format!("{name}: map keys")),
                }
                for (k, v) in value.as_object().into_iter().flatten() {
                    self.walk(values, &def, v, at.key(k));
                }
            }
        } else if types.contains(&"array") {
            match (num("minItems"), num("maxItems")) {
                (Some(min), Some(max)) => self.found.push((at.clone(), Limit::List { min, max })),
                _ => self.unlimited.push(format!("{name}: list size")),
            }
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                self.walk(&node["items"], &def, item, at.index(i));
            }
        } else if types.contains(&"string") {
            if node.get("format") == Some(&json!("date-time")) {
                self.found.push((at, Limit::Instant));
                return;
            }
            let filler = match node.get("format").and_then(Value::as_str) {
                Some("email") => Filler::Email,
                Some("uri") => Filler::Link,
                _ if node.get("pattern").is_some() => Filler::Letters,
                _ => Filler::Any,
            };
            match (num("minLength"), num("maxLength")) {
                (Some(min), Some(max)) => self.found.push((at, Limit::Text { min, max, filler })),
                _ => self.unlimited.push(format!("{name}: length")),
            }
        } else if types.contains(&"integer") {
            match (node.get("minimum").and_then(Value::as_u64), node.get("maximum").and_then(Value::as_u64)) {
                (Some(0), Some(max)) => self.found.push((at, Limit::Integer { max })),
                _ => self.unlimited.push(format!("{name}: integer range")),
            }
        } else if types.contains(&"number") {
            match (node.get("minimum").and_then(Value::as_f64), node.get("maximum").and_then(Value::as_f64)) {
                (Some(min), Some(max)) => self.found.push((at, Limit::Number { min, max })),
                _ => self.unlimited.push(format!("{name}: number range")),
            }
        }
    }
}

/// The sample of `job_type` with every optional field present and every list non-empty.
fn full_body(job_type: JobType) -> Value {
    let job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == job_type).unwrap();
    let mut v: Value = serde_json::from_str(&job.to_body()).unwrap();
    let user = serde_json::to_value(fixtures::user("watcher", deskbell_contract::Role::Agent)).unwrap();
    let data = &mut v["data"];
    if data.get("ticket").is_some() {
        data["ticket"]["watchers"] = json!([user]);
        data["ticket"]["first_response_at"] = json!("2026-11-24T11:00:00Z");
        data["ticket"]["resolved_at"] = json!("2026-11-24T12:00:00Z");
    }
    match job_type {
        JobType::ReportRequested => data["filters"]["priorities"] = json!(["high"]),
        JobType::StatsDigest => {
            let figures = &mut data["figures"];
            figures["by_status"] = json!({"open": 3});
            figures["by_priority"] = json!({"high": 2});
            figures["by_company"] = json!({"acme": 4});
            for secs in [
                "first_response_median_secs",
                "first_response_p90_secs",
                "resolution_median_secs",
                "resolution_p90_secs",
            ] {
                figures[secs] = json!(60);
            }
        }
        JobType::SystemAlert => data["cleared_at"] = json!("2026-11-24T10:05:00Z"),
        _ => {}
    }
    v
}

/// Sets every instant of `places` in `body` to `value`.
fn set_instants(body: &mut Value, places: &[Place], value: &str) {
    for p in places {
        *p.get_mut(body) = json!(value);
    }
}

#[test]
fn schema_and_decoder_agree_at_every_limit_of_every_field() {
    let mut disagreements = Vec::new();
    let mut unlimited = BTreeSet::new();
    let mut visited = BTreeSet::new();
    let mut probes = 0;
    for job_type in JobType::ALL {
        let schema = schema::envelope_for(job_type);
        let validator = jsonschema::validator_for(&schema).unwrap();
        let base = full_body(job_type);
        assert!(decode(&base.to_string()).is_ok(), "{job_type}: the full sample does not decode");
        assert!(validator.is_valid(&base), "{job_type}: the full sample does not match its schema");

        let mut walk = Walk { root: &schema, found: vec![], unlimited: vec![], visited: BTreeSet::new() };
        walk.walk(&schema, "envelope", &base, Place::default());
        unlimited.extend(walk.unlimited.iter().map(|u| format!("{job_type}: {u}")));
        visited.extend(walk.visited.iter().cloned());
        let instants: Vec<Place> =
            walk.found.iter().filter(|(_, l)| matches!(l, Limit::Instant)).map(|(p, _)| p.clone()).collect();

        for (place, limit) in &walk.found {
            let name = place.dotted();
            // (value to set, whether the schema should accept it when the probe knows)
            let mut cases: Vec<(Value, Option<bool>)> = Vec::new();
            let mut all_instants = Vec::new();
            match limit {
                Limit::Text { min, max, filler } => {
                    if *min > 0 {
                        cases.push((json!(filler.of_len(min - 1)), None));
                    }
                    cases.push((json!(filler.of_len(*min)), Some(true)));
                    cases.push((json!(filler.of_len(*max)), Some(true)));
                    cases.push((json!(filler.of_len(max + 1)), Some(false)));
                }
                Limit::List { min, max } => {
                    let Some(item) = place.clone().get_mut(&mut base.clone()).get(0).cloned() else {
                        disagreements.push(format!("{job_type} {name}: no sample item to repeat"));
                        continue;
                    };
                    if *min > 0 {
                        cases.push((json!(vec![item.clone(); min - 1]), Some(false)));
                    }
                    cases.push((json!(vec![item.clone(); *min]), Some(true)));
                    cases.push((json!(vec![item.clone(); *max]), Some(true)));
                    cases.push((json!(vec![item; max + 1]), Some(false)));
                }
                Limit::Integer { max } => {
                    cases.push((json!(0), Some(true)));
                    cases.push((json!(max), Some(true)));
                    cases.push((json!(max + 1), Some(false)));
                    cases.push((json!(-1), Some(false)));
                }
                Limit::Number { min, max } => {
                    cases.push((json!(min), Some(true)));
                    cases.push((json!(max), Some(true)));
                    cases.push((json!(max + 1.0), Some(false)));
                    cases.push((json!(min - 1.0), Some(false)));
                }
                Limit::Instant => {
                    all_instants.push("2000-01-01T00:00:00Z");
                    all_instants.push("2099-12-31T23:59:59Z");
                    cases.push((json!("1999-12-31T23:59:59Z"), Some(false)));
                    cases.push((json!("2100-01-01T00:00:00Z"), Some(false)));
                    cases.push((json!("+99999-01-01T00:00:00Z"), Some(false)));
                }
                Limit::MapKeys { min, max } => {
                    let map = place.clone().get_mut(&mut base.clone()).clone();
                    for (len, ok) in [(min.saturating_sub(1), *min == 0), (*max, true), (max + 1, false)] {
                        let mut m = map.clone();
                        m[Filler::Letters.of_len(len)] = json!(1);
                        cases.push((m, Some(ok)));
                    }
                }
            }
            let mut bodies: Vec<(String, Value, Option<bool>)> = Vec::new();
            for instant in all_instants {
                let mut body = base.clone();
                set_instants(&mut body, &instants, instant);
                bodies.push((format!("every instant {instant}"), body, Some(true)));
            }
            for (value, expect) in cases {
                let mut body = base.clone();
                let shown: String = value.to_string().chars().take(40).collect();
                *place.get_mut(&mut body) = value;
                bodies.push((shown, body, expect));
            }
            for (shown, body, expect) in bodies {
                probes += 1;
                let by_schema = validator.is_valid(&body);
                let by_decoder = decode(&body.to_string());
                // A probe the schema judges otherwise than planned means the filler is wrong.
                if expect.is_some_and(|e| e != by_schema) {
                    disagreements.push(format!(
                        "{job_type} {name} = {shown}: the schema {} it, unlike the probe's plan",
                        if by_schema { "accepts" } else { "refuses" }
                    ));
                }
                match (&by_decoder, by_schema) {
                    (Ok(_), true) => {}
                    (Err(e), false) if e.field().is_some_and(|f| f.starts_with(&name)) => {}
                    (Err(e), false) => {
                        disagreements.push(format!("{job_type} {name} = {shown}: refused naming another field: {e}"))
                    }
                    (Ok(_), false) => disagreements
                        .push(format!("{job_type} {name} = {shown}: the schema refuses, the decoder accepts")),
                    (Err(e), true) => {
                        disagreements.push(format!("{job_type} {name} = {shown}: the schema accepts, the decoder: {e}"))
                    }
                }
            }
        }
    }

    // Every property of every definition was reached by some sample.
    let mut all_fields = BTreeSet::new();
    for job_type in JobType::ALL {
        let schema = schema::envelope_for(job_type);
        for (name, def) in schema["$defs"].as_object().unwrap() {
            for prop in def.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k) {
                all_fields.insert((name.clone(), prop.clone()));
            }
        }
    }
    let unreached: Vec<_> = all_fields.difference(&visited).collect();

    eprintln!("{probes} probes over {} fields", visited.len());
    assert!(probes > 500, "only {probes} probes: the walk missed fields");
    let unlimited = Vec::from_iter(unlimited);
    assert!(
        unreached.is_empty() && unlimited.is_empty() && disagreements.is_empty(),
        "schema fields no sample reaches: {unreached:?}\n{} fields the schema leaves unlimited:\n{}\n{} disagreements:\n{}",
        unlimited.len(),
        unlimited.join("\n"),
        disagreements.len(),
        disagreements.join("\n")
    );
}
