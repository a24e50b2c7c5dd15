//! Schema descriptions kept apart from the schemas: the browser build ships the schemas without
//! their descriptions (hundreds of KB of text the validator never reads), and the designer
//! fetches them as files when a form first needs a tooltip (`data/k8s-docs.json`,
//! `data/kind-docs.json`). Both files map a definition's name, then a JSON pointer into it (`""`
//! for the type itself, `/properties/image` for a field), to the text.

use serde_json::{Map, Value};

/// Puts the descriptions `docs` holds for any of `defs` back where they were taken from.
pub fn apply(defs: &mut Map<String, Value>, docs: &Map<String, Value>) {
    for (name, texts) in docs {
        let Some(def) = defs.get_mut(name) else {
            continue;
        };
        for (pointer, text) in texts.as_object().into_iter().flatten() {
            if let Some(Value::Object(at)) = def.pointer_mut(pointer) {
                at.insert("description".into(), text.clone());
            }
        }
    }
}
