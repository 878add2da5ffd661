use super::*;

fn n(v: f64) -> Value {
    Value::Number(v)
}

#[test]
fn parses_every_kind_of_value() {
    let v = Value::parse(r#" {"a": [1, -2.5, 3e2, 1E-2, true, false, null], "b": {"c": "d\n\u00e9\ud83d\ude00"}, "": 0} "#).unwrap();
    assert_eq!(v.get("a").unwrap(), &Value::Array(vec![n(1.0), n(-2.5), n(300.0), n(0.01), Value::Bool(true), Value::Bool(false), Value::Null]));
    assert_eq!(v.get("b").and_then(|b| b.get("c")).and_then(Value::as_str), Some("d\né😀"));
    assert_eq!(v.get(""), Some(&n(0.0)));
}

#[test]
fn refuses_what_is_not_json() {
    for bad in [
        "",
        " ",
        "{",
        "[1,]",
        "{\"a\":}",
        "{\"a\" 1}",
        "{a:1}",
        "[1 2]",
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "tru",
        "nul",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"a\u{1}\"",
        "{\"a\":1,}",
        "NaN",
        "Infinity",
        "'a'",
    ] {
        assert_eq!(Value::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn a_prefix_ignores_trailing_junk_but_parse_does_not() {
    assert_eq!(Value::parse_prefix("{\"a\":1} <html>"), Some(object([("a", n(1.0))])));
    assert_eq!(Value::parse("{\"a\":1} <html>"), None);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    assert_eq!(Value::parse(&deep), None);
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(Value::parse(&ok).is_some());
}

#[test]
fn a_repeated_key_keeps_the_last_value_like_json_parse() {
    let v = Value::parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
    assert_eq!(v, object([("a", n(3.0)), ("b", n(2.0))]));
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    assert_eq!(Value::parse(r#""\ud800x""#), Some(Value::from("\u{fffd}x")));
    assert_eq!(Value::parse(r#""\udc00""#), Some(Value::from("\u{fffd}")));
}

#[test]
fn numbers_parse_as_javascript_does() {
    for (text, want) in [
        ("0", 0.0),
        ("-0.5", -0.5),
        ("2.345", 2.345),
        ("0.1", 0.1),
        ("3600.0", 3600.0),
        ("1e21", 1e21),
        ("123456789012345678", 123456789012345678.0),
        ("9007199254740993", 9007199254740992.0),
        ("1.5e300", 1.5e300),
        ("-2.5e-30", -2.5e-30),
    ] {
        let got = Value::parse(text).and_then(|v| v.as_f64()).unwrap();
        let rel = ((got - want) / want).abs();
        assert!(got == want || rel < 1e-14, "{text}: {got} != {want}");
    }
    assert_eq!(Value::parse("1e400").and_then(|v| v.as_f64()), Some(f64::INFINITY));
}

#[test]
fn writes_compact_json_that_reads_back_the_same() {
    let v = object([
        ("s", Value::from("quote \" back \\ nl \n tab \t ctl \u{1} é")),
        ("n", Value::Array(vec![n(0.0), n(-3.0), n(2.345), n(0.000001), n(1_700_000_000_123.0), n(f64::NAN)])),
        ("o", object([("t", Value::Bool(true)), ("z", Value::Null)])),
    ]);
    let text = v.to_json();
    assert_eq!(text, r#"{"s":"quote \" back \\ nl \n tab \t ctl \u0001 é","n":[0,-3,2.345,0.000001,1700000000123,null],"o":{"t":true,"z":null}}"#);
    let back = Value::parse(&text).unwrap();
    assert_eq!(back.get("s"), v.get("s"));
    assert_eq!(back.get("n").and_then(|a| a.as_array()).map(|a| a[2].clone()), Some(n(2.345)));
}

#[test]
fn whole_milliseconds_survive_a_round_trip_exactly() {
    for ms in (0..200_000u64).step_by(7) {
        let secs = ms as f64 / 1000.0;
        let back = Value::parse(&n(secs).to_json()).and_then(|v| v.as_f64()).unwrap();
        assert_eq!(back.to_bits(), secs.to_bits(), "{ms} ms");
    }
}

#[test]
fn agrees_with_serde_json_on_what_serde_json_writes() {
    use proptest::prelude::*;
    fn leaf() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i32>().prop_map(|i| serde_json::json!(i)),
            (-1_000_000i64..1_000_000, 0u32..4).prop_map(|(m, d)| serde_json::json!(m as f64 / 10f64.powi(d as i32))),
            ".*".prop_map(serde_json::Value::String),
        ]
    }
    let tree = leaf().prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6).prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    fn same(ours: &Value, theirs: &serde_json::Value) -> bool {
        match (ours, theirs) {
            (Value::Null, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Value::Number(a), serde_json::Value::Number(b)) => Some(*a) == b.as_f64(),
            (Value::String(a), serde_json::Value::String(b)) => a == b,
            (Value::Array(a), serde_json::Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
            (Value::Object(a), serde_json::Value::Object(b)) => a.0.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w))),
            _ => false,
        }
    }
    proptest!(ProptestConfig::with_cases(2000), |(theirs in tree)| {
        let text = serde_json::to_string(&theirs).unwrap();
        let ours = Value::parse(&text).unwrap();
        prop_assert!(same(&ours, &theirs), "{text}");
        // And what we write, serde_json reads as the same value.
        let again: serde_json::Value = serde_json::from_str(&ours.to_json()).unwrap();
        prop_assert!(same(&ours, &again), "{}", ours.to_json());
    });
}

#[test]
fn never_panics_on_arbitrary_bytes() {
    use proptest::prelude::*;
    proptest!(ProptestConfig::with_cases(5000), |(bytes in prop::collection::vec(any::<u8>(), 0..64))| {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Value::parse(&text);
        let _ = Value::parse_prefix(&text);
    });
    proptest!(ProptestConfig::with_cases(3000), |(text in "[\\[\\]{}\",:0-9eE.+\\-tfnrulase\\\\ ]{0,40}")| {
        let _ = Value::parse(&text);
    });
}
