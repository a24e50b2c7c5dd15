//! `kn-flow cesql`: evaluate one CESQL expression.

use std::path::Path;

use knflow_cesql::{Expression, Value};

use crate::{events, exit};

pub fn run(expr: &str, event: Option<&Path>) -> u8 {
    let event = match event.map(events::read_event).transpose() {
        Ok(e) => e.unwrap_or_else(events::minimal_event),
        Err(e) => {
            eprintln!("kn-flow: {e}");
            return exit::USAGE;
        }
    };
    let compiled = match Expression::parse(expr) {
        Ok(c) => c,
        Err(e) => {
            // The spec's default for a failed expression: false.
            println!("{}", Value::Boolean(false).to_json());
            println!("{}", e.render(expr));
            return exit::PROBLEMS;
        }
    };
    let result = compiled.evaluate(&event);
    println!("{}", result.value.to_json());
    for e in &result.errors {
        println!("{}", e.render(expr));
    }
    if result.errors.is_empty() {
        exit::OK
    } else {
        exit::PROBLEMS
    }
}
