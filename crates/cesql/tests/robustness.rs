//! Arbitrary input never panics, never overflows the stack and always terminates: parsing gives
//! an expression or a positioned parse error, evaluation always a value.

use knflow_cesql::{ErrorKind, Expression};
use proptest::prelude::*;
use serde_json::json;

fn event() -> serde_json::Map<String, serde_json::Value> {
    json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "t", "n": 7, "b": true, "s": "abc"}).as_object().unwrap().clone()
}

fn check(src: &str) {
    match Expression::parse(src) {
        Ok(e) => {
            let ev = event();
            let r = e.evaluate(&ev);
            for err in &r.errors {
                assert!(
                    err.span.end <= src.len() && err.span.start <= err.span.end,
                    "{err:?} in {src:?}"
                );
                assert_ne!(err.kind, ErrorKind::Parse);
            }
        }
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Parse);
            assert!(e.span.start <= src.len(), "{e:?} in {src:?}");
            assert!(e.span.column(src) >= 1);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(src in "\\PC{0,80}") {
        check(&src);
    }

    #[test]
    fn token_soup(parts in prop::collection::vec(prop_oneof![
        Just("("), Just(")"), Just(","), Just("NOT "), Just(" AND "), Just(" OR "), Just(" XOR "), Just("-"), Just("+"), Just("*"), Just("/"), Just("%"),
        Just("="), Just("!="), Just("<>"), Just("<="), Just(">"), Just(" LIKE "), Just(" IN "), Just("EXISTS "), Just("'a%_\\\\'"), Just("\"x\""),
        Just("0"), Just("2147483647"), Just("-2147483648"), Just("n"), Just("s"), Just("b"), Just("missing"), Just("TRUE"), Just("false"),
        Just("SUBSTRING("), Just("ABS("), Just("CONCAT_WS("), Just("INT("), Just("LEFT("), Just("NOPE("),
    ], 0..30)) {
        check(&parts.concat());
    }

    #[test]
    fn arithmetic_never_overflows(a in any::<i32>(), b in any::<i32>(), op in prop_oneof![Just("+"), Just("-"), Just("*"), Just("/"), Just("%")]) {
        let src = format!("{a} {op} {b}");
        let e = Expression::parse(&src).unwrap();
        let ev = event();
        let r = e.evaluate(&ev);
        prop_assert!(r.errors.is_empty() || (b == 0 && r.errors[0].kind == ErrorKind::Math));
    }
}

#[test]
fn pathological_inputs_are_errors_not_crashes() {
    for src in [
        "(".repeat(100_000),
        format!("{}1", "-".repeat(100_000)),
        format!("{}TRUE", "NOT ".repeat(50_000)),
        vec!["1"; 50_000].join(" + "),
        vec!["TRUE"; 50_000].join(" AND "),
        format!("x IN ({})", vec!["1"; 50_000].join(",")),
        format!("CONCAT({})", vec!["'a'"; 50_000].join(",")),
        format!("'{}' LIKE '{}'", "a".repeat(10_000), "%a".repeat(5_000)),
    ] {
        check(&src);
    }
}
