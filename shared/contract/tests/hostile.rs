//! Hostile bodies: `decode` never panics, and every refusal names a field (or says the body is
//! not JSON, or too large).
//!
//! Each case takes a valid body of some job type and, at a random place in it, puts a hostile
//! value (wrong type, huge, negative or fractional number, a date far in the future or past, a
//! 1 MiB string, bidi and CR/LF text, deep nesting), adds an unknown field, or removes one;
//! or it sends raw text that is barely JSON.

use deskbell_contract::{DecodeError, JobType, decode, fixtures, hostile};
use proptest::prelude::*;
use serde_json::Value;

/// Every place of `v`, as JSON pointers (`/data/ticket/watchers/0`), the root included.
fn places(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| places(c, format!("{at}/{k}"), out)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| places(c, format!("{at}/{i}"), out)),
        _ => {}
    }
}

fn samples() -> Vec<Value> {
    fixtures::one_of_each().iter().map(|j| serde_json::from_str(&j.to_body()).unwrap()).collect()
}

fn hostile_value() -> impl Strategy<Value = Value> {
    hostile::hostile_value("[a-z_]{1,8}", &[])
}

/// What one case does to a valid body.
#[derive(Debug, Clone)]
enum Change {
    Replace(Value),
    AddUnknown(String, Value),
    Remove,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => hostile_value().prop_map(Change::Replace),
        1 => ("[a-z_]{1,12}", hostile_value()).prop_map(|(k, v)| Change::AddUnknown(k, v)),
        1 => Just(Change::Remove),
    ]
}

fn apply(mut body: Value, place: &str, change: Change) -> Value {
    match change {
        Change::Replace(v) if place.is_empty() => return v,
        Change::Replace(v) => {
            if let Some(slot) = body.pointer_mut(place) {
                *slot = v;
            }
        }
        Change::AddUnknown(k, v) => {
            if let Some(Value::Object(m)) = body.pointer_mut(place) {
                m.insert(k, v);
            }
        }
        Change::Remove => {
            if let Some((parent, key)) = place.rsplit_once('/') {
                match body.pointer_mut(parent) {
                    Some(Value::Object(m)) => {
                        m.remove(key);
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = key.parse::<usize>() {
                            if i < a.len() {
                                a.remove(i);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    body
}

/// A refusal is useful: it names a field that its message shows, or says what is wrong with
/// the body as a whole.
fn check_refusal(err: &DecodeError) -> Result<(), TestCaseError> {
    let message = err.to_string();
    match err {
        DecodeError::TooLarge { size, limit } => prop_assert!(size > limit),
        DecodeError::NotJson { .. } => prop_assert!(message.starts_with("body is not JSON")),
        _ => {
            let field = err.field().unwrap_or_default();
            prop_assert!(!field.is_empty(), "no field: {message}");
            prop_assert!(message.contains(field), "{message} does not show {field}");
            prop_assert!(message.chars().count() < 2000, "message of {} characters", message.chars().count());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_hostile_change_anywhere_in_a_body_never_panics_and_is_named(
        which in 0..JobType::ALL.len(),
        place in any::<prop::sample::Index>(),
        change in change(),
    ) {
        let body = samples().swap_remove(which);
        let mut all = Vec::new();
        places(&body, String::new(), &mut all);
        let place = place.get(&all).clone();
        let text = apply(body, &place, change).to_string();
        if let Err(err) = decode(&text) {
            check_refusal(&err)?;
        }
    }

    #[test]
    fn raw_text_never_panics_and_is_named(
        text in prop_oneof![
            ".{0,200}",
            r#"\{"id":("[^"]{0,10}"|[0-9]{1,30}|null),"type":"[a-z._]{0,20}","version":-?[0-9]{1,25}(\.[0-9])?,"occurred_at":"[-+0-9:TZ.]{0,32}","data":(\{\}|\[\]|null|"x")\}"#,
            (0usize..3000).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n))),
            (0usize..3000).prop_map(|n| format!("{}{}", "{\"a\":".repeat(n), "1")),
        ],
    ) {
        if let Err(err) = decode(&text) {
            check_refusal(&err)?;
        }
    }
}
