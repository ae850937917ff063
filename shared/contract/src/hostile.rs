//! Hostile JSON for property tests (feature `hostile`), shared by every decoder's tests: the
//! contract's bodies and the scheduled functions' events meet the same values, so a hostile
//! case added here reaches all of them.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::MAX_BODY_BYTES;

/// Texts that attack a reader: dates far off, at the edges of 2000..2100 or impossible, bidi
/// and zero-width characters, CR/LF header injection, a script URL, nothing.
const HOSTILE_TEXTS: &[&str] = &[
    "+99999-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "2099-12-31",
    "1999-12-31T23:59:59+00:00",
    "0000-01-01T00:00:00Z",
    "-262143-01-01T00:00:00Z",
    "+262142-12-31T23:59:59.999999999Z",
    "+262142-12-31",
    "2026-02-30T00:00:00Z",
    "invoice\u{202E}fdp.exe",
    "a\r\nBcc: evil@x.io",
    "\u{2066}\u{200B}\u{FEFF}",
    "ada@example.com\r\n",
    "javascript:alert(1)",
    "",
];

/// `depth` arrays, one inside the other, around a string.
fn nested(depth: usize) -> Value {
    (0..depth).fold(json!("deep"), |v, _| json!([v]))
}

/// A JSON value to put where a field is expected: wrong types, huge, negative and fractional
/// numbers, the texts above, `words` (strings the decoder under test gives a meaning to, such
/// as `"weekly"`, so that cases also get past its type checks), strings of up to 1.3 MiB,
/// nesting 200 deep, and arrays and objects of these whose keys match the regex `keys`.
pub fn hostile_value(keys: &'static str, words: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let texts: Vec<&'static str> = HOSTILE_TEXTS.iter().chain(words).copied().collect();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON has no NaN or infinity", |f| f.is_finite()).prop_map(Value::from),
        Just(json!(9_007_199_254_740_992_u64)),
        Just(json!(-1)),
        Just(json!(1e308)),
        prop::sample::select(texts).prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        (1usize..4).prop_map(|n| Value::from("x".repeat(n * MAX_BODY_BYTES / 3))),
        (100usize..200).prop_map(nested),
    ];
    leaf.prop_recursive(3, 16, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(keys, inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
