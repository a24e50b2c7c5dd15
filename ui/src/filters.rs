//! A filter editor for people: Knative's `filters` dialects chosen from a menu with a line of
//! help each, attributes as name/value rows (names offered from the CloudEvents context
//! attributes and the extensions the flow uses), nested `all`/`any`/`not` as an indented tree,
//! CESQL checked as it is typed; and the legacy `filter.attributes` as rows.

use crate::handle;
use knflow_editor::Edit;
use knflow_model::ResourceId;
use leptos::prelude::*;
use serde_json::{json, Map, Value};
use std::sync::Arc;

use crate::form::{cesql_editor, field_problems};
use crate::state::App;

/// The dialects in the order Knative looks at them, each with its line of help.
const DIALECTS: [(&str, &str); 7] = [
    (
        "exact",
        "Each attribute equals its value exactly (case-sensitive).",
    ),
    ("prefix", "Each attribute starts with its value."),
    ("suffix", "Each attribute ends with its value."),
    ("all", "Every nested filter matches (and)."),
    ("any", "At least one nested filter matches (or)."),
    ("not", "The nested filter does not match."),
    (
        "cesql",
        "A CloudEvents SQL expression is true, e.g. type = 'order.paid' AND amount > 100.",
    ),
];

/// The dialect of an entry: the first one Knative looks at.
fn dialect(entry: &Value) -> &'static str {
    DIALECTS
        .iter()
        .map(|(d, _)| *d)
        .find(|d| entry.get(*d).is_some())
        .unwrap_or("exact")
}

fn is_attrs(d: &str) -> bool {
    matches!(d, "exact" | "prefix" | "suffix")
}

fn is_list(d: &str) -> bool {
    matches!(d, "all" | "any")
}

/// `entry` in dialect `to`, keeping what carries over: the attributes between exact, prefix
/// and suffix, the list between all and any; anything else goes under the new all/any/not.
fn convert(entry: &Value, to: &str) -> Value {
    let from = dialect(entry);
    let content = entry.get(from).cloned().unwrap_or(Value::Null);
    let v = if is_attrs(to) {
        if is_attrs(from) {
            content
        } else {
            json!({ "type": "" })
        }
    } else if is_list(to) {
        if is_list(from) {
            content
        } else {
            json!([entry])
        }
    } else if to == "not" {
        match content {
            Value::Array(mut items) if is_list(from) && !items.is_empty() => items.remove(0),
            _ => entry.clone(),
        }
    } else {
        json!("")
    };
    json!({ to: v })
}

/// The value of the simple field `path` (`.spec.filters`) of resource `id` as the editor has
/// it now: every handler starts from it, so an edit made a moment before (a value committed by
/// leaving its field) is never undone by a later one.
fn current(app: App, id: &ResourceId, path: &str) -> Option<Value> {
    app.editor.with_untracked(|e| {
        e.flow()
            .get(id)
            .and_then(|r| r.manifest.pointer(&path.replace('.', "/")).cloned())
    })
}

/// Commits what is being typed in the inspector (its `change` runs now) before a structural
/// change — another dialect, a row or entry added or removed — reads the field: a browser
/// that changes a menu without moving the focus would otherwise lose the text.
fn flush_typing() {
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
    else {
        return;
    };
    let typing = matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA")
        && el.closest(".inspector").ok().flatten().is_some();
    if let Some(el) = typing
        .then(|| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
        .flatten()
    {
        let _ = el.blur();
    }
}

/// One `filters` list being edited: every change rewrites the whole list as one edit.
#[derive(Clone)]
struct Tree {
    app: App,
    id: ResourceId,
    /// The field the list is (`.spec.filters`): the root of every path shown.
    path: String,
    names: Arc<Vec<String>>,
    datalist: &'static str,
}

impl Tree {
    fn root(&self) -> Value {
        current(self.app, &self.id, &self.path)
            .filter(Value::is_array)
            .unwrap_or_else(|| json!([]))
    }

    fn commit(&self, root: Value) {
        let empty = root.as_array().is_some_and(Vec::is_empty);
        self.app.edit(Edit::SetField {
            id: self.id.clone(),
            path: self.path.clone(),
            value: (!empty).then_some(root),
        });
    }

    /// Changes the value at the JSON pointer `ptr` of the list.
    fn update(&self, ptr: &str, f: impl FnOnce(&mut Value)) {
        let mut root = self.root();
        if let Some(slot) = root.pointer_mut(ptr) {
            f(slot);
            self.commit(root);
        }
    }

    fn remove(&self, ptr: &str) {
        let Some((parent, key)) = ptr.rsplit_once('/') else {
            return;
        };
        self.update(parent, |p| match p {
            Value::Array(items) => {
                if let Ok(i) = key.parse::<usize>() {
                    if i < items.len() {
                        items.remove(i);
                    }
                }
            }
            Value::Object(m) => {
                m.shift_remove(key);
            }
            _ => {}
        });
    }
}

/// A new entry: `exact` on `type`, the attribute most filters test.
fn new_entry() -> Value {
    json!({ "exact": { "type": "" } })
}

/// The editor of a `filters` list (Trigger, ApiServerSource).
pub fn filters_editor(app: App, id: &ResourceId, path: &str, value: Option<&Value>) -> AnyView {
    let names = app
        .editor
        .with_untracked(|e| knflow_sim::sources::attribute_names(e.flow()));
    let root = value
        .filter(|v| v.is_array())
        .cloned()
        .unwrap_or_else(|| json!([]));
    let items = root.as_array().cloned().unwrap_or_default();
    let t = Tree {
        app,
        id: id.clone(),
        path: path.to_string(),
        names: Arc::new(names),
        datalist: "ce-names-filters",
    };
    view! {
        <div class="filters">
            {datalist(t.datalist, &t.names)}
            {list(&t, String::new(), path.to_string(), &items)}
        </div>
    }
    .into_any()
}

fn datalist(id: &'static str, names: &[String]) -> impl IntoView {
    view! {
        <datalist id=id>
            {names.iter().map(|n| view! { <option value=n.clone()></option> }).collect_view()}
        </datalist>
    }
}

/// Entries of a list (the root, or an all/any), then a button that adds one.
fn list(t: &Tree, ptr: String, dotted: String, items: &[Value]) -> AnyView {
    let add_label = if ptr.is_empty() {
        "Add filter".to_string()
    } else {
        format!("Add filter to {dotted}")
    };
    let tree = t.clone();
    view! {
        <div class="filter-list">
            {items.iter().enumerate().map(|(i, v)| {
                entry(t, format!("{ptr}/{i}"), format!("{dotted}[{i}]"), v, true)
            }).collect_view()}
            <button type="button" class="add" aria-label=add_label
                on:click=handle::mouse(move |_| { flush_typing(); tree.update(&ptr, |l| if let Value::Array(items) = l { items.push(new_entry()) }) })>
                "+ filter"
            </button>
        </div>
    }
    .into_any()
}

/// One entry: its dialect menu and help, its content, and (but for a `not`'s one entry) a
/// button that removes it.
fn entry(t: &Tree, ptr: String, dotted: String, value: &Value, removable: bool) -> AnyView {
    let d = dialect(value);
    let help = DIALECTS
        .iter()
        .find(|(name, _)| *name == d)
        .map_or("", |(_, h)| *h);
    let inner = format!("{ptr}/{d}");
    let inner_dotted = format!("{dotted}.{d}");
    let body = if is_attrs(d) {
        let (tree, reader) = (t.clone(), t.clone());
        let (at, read_at) = (inner.clone(), inner.clone());
        rows(
            Attrs {
                app: t.app,
                id: t.id.clone(),
                names: t.names.clone(),
                datalist: t.datalist,
                read: Arc::new(move || {
                    reader
                        .root()
                        .pointer(&read_at)
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default()
                }),
                changed: Arc::new(move |m| tree.update(&at, |slot| *slot = Value::Object(m))),
            },
            inner_dotted,
            value[d].as_object().cloned().unwrap_or_default(),
        )
    } else if is_list(d) {
        list(
            t,
            inner,
            inner_dotted,
            value[d].as_array().map(Vec::as_slice).unwrap_or_default(),
        )
    } else if d == "not" {
        view! {
            <div class="filter-list">{entry(t, inner, inner_dotted, &value["not"], false)}</div>
        }
        .into_any()
    } else {
        let tree = t.clone();
        cesql_editor(
            t.app,
            t.id.to_string(),
            inner_dotted,
            value[d].as_str().unwrap_or_default().to_string(),
            Callback::new(move |text: String| {
                tree.update(&inner, |slot| *slot = Value::String(text))
            }),
        )
    };
    let (switch, drop) = (t.clone(), t.clone());
    let (switch_at, drop_at) = (ptr.clone(), ptr);
    view! {
        <div class="filter-entry" role="group" aria-label=dotted.clone()>
            <div class="filter-head">
                <select aria-label=format!("{dotted} dialect") title=help
                    on:change=handle::event(move |ev| {
                        let to = event_target_value(&ev);
                        flush_typing();
                        switch.update(&switch_at, |slot| *slot = convert(slot, &to));
                    })>
                    {DIALECTS.iter().map(|(name, h)| view! {
                        <option value=*name title=*h selected=*name == d>{*name}</option>
                    }).collect_view()}
                </select>
                <span class="help">{help}</span>
                {removable.then(|| view! {
                    <button type="button" class="remove" aria-label=format!("Remove {dotted}")
                        on:click=handle::mouse(move |_| { flush_typing(); drop.remove(&drop_at) })>"remove"</button>
                })}
            </div>
            {body}
        </div>
    }
    .into_any()
}

/// Where a set of attribute rows reads its map now and writes it back.
#[derive(Clone)]
struct Attrs {
    app: App,
    id: ResourceId,
    names: Arc<Vec<String>>,
    datalist: &'static str,
    read: Arc<dyn Fn() -> Map<String, Value> + Send + Sync>,
    changed: Arc<dyn Fn(Map<String, Value>) + Send + Sync>,
}

/// Attributes as name/value rows: names offered from the flow's, each row's problems under it,
/// a button that adds the next name not yet used. A name another row has is refused.
fn rows(a: Attrs, dotted: String, map: Map<String, Value>) -> AnyView {
    let label = a.id.to_string();
    let (ren, val, del, add) = (a.clone(), a.clone(), a.clone(), a.clone());
    let rename = move |old: String, new: String, input: Option<web_sys::HtmlInputElement>| {
        let new = new.trim().to_string();
        let now = (ren.read)();
        if new != old && now.contains_key(&new) {
            ren.app
                .say_error(format!("`{new}` is already an attribute of this filter"));
            if let Some(i) = input {
                i.set_value(&old);
            }
            return;
        }
        let m = now
            .into_iter()
            .map(|(k, v)| if k == old { (new.clone(), v) } else { (k, v) })
            .collect();
        (ren.changed)(m);
    };
    let set_value = move |key: String, v: String| {
        let mut m = (val.read)();
        m.insert(key, Value::String(v));
        (val.changed)(m);
    };
    let drop = move |key: String| {
        flush_typing();
        let mut m = (del.read)();
        m.shift_remove(&key);
        (del.changed)(m);
    };
    let add = move |_| {
        flush_typing();
        let mut m = (add.read)();
        let next = add
            .names
            .iter()
            .find(|n| !m.contains_key(*n))
            .cloned()
            .unwrap_or_default();
        if !m.contains_key(&next) {
            m.insert(next, Value::String(String::new()));
            (add.changed)(m);
        }
    };
    let datalist = a.datalist;
    view! {
        <div class="attr-rows">
            {map.into_iter().enumerate().map(|(i, (k, v))| {
                let n = i + 1;
                let value = match v { Value::String(s) => s, other => other.to_string() };
                let (k1, k2, k3) = (k.clone(), k.clone(), k.clone());
                let (rename, set_value, drop) = (rename.clone(), set_value.clone(), drop.clone());
                let at = knflow_model::yaml::child_key(&dotted, &k);
                let problems = field_problems(a.app, label.clone(), at.clone());
                view! {
                    <div class="attr-row" data-path=at>
                        <input type="text" class="attr-name" list=datalist spellcheck="false" prop:value=k
                            aria-label=format!("{dotted} attribute {n} name")
                            on:change=handle::event(move |ev| {
                                let input = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into(t).ok());
                                rename(k1.clone(), event_target_value(&ev), input)
                            })/>
                        <input type="text" class="attr-value" spellcheck="false" prop:value=value
                            aria-label=format!("{dotted} attribute {n} value")
                            on:change=handle::event(move |ev| set_value(k2.clone(), event_target_value(&ev)))/>
                        <button type="button" class="remove" aria-label=format!("Remove {dotted} attribute {n}")
                            on:click=handle::mouse(move |_| drop(k3.clone()))>"✕"</button>
                        {problems}
                    </div>
                }
            }).collect_view()}
            <button type="button" class="add" aria-label=format!("Add attribute to {dotted}") on:click=handle::mouse(add)>"+ attribute"</button>
        </div>
    }
    .into_any()
}

/// The legacy `filter.attributes` (exact matches, all of them) as rows.
pub fn attributes_editor(app: App, id: &ResourceId, path: &str, value: Option<&Value>) -> AnyView {
    let names = Arc::new(
        app.editor
            .with_untracked(|e| knflow_sim::sources::attribute_names(e.flow())),
    );
    let map = value
        .and_then(|v| v.get("attributes"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let (rid, field) = (id.clone(), path.to_string());
    let (read_id, read_field) = (id.clone(), path.to_string());
    let attrs = Attrs {
        app,
        id: id.clone(),
        names: names.clone(),
        datalist: "ce-names-filter",
        read: Arc::new(move || {
            current(app, &read_id, &read_field)
                .and_then(|f| f.get("attributes").and_then(Value::as_object).cloned())
                .unwrap_or_default()
        }),
        changed: Arc::new(move |m| {
            app.edit(Edit::SetField {
                id: rid.clone(),
                path: field.clone(),
                value: (!m.is_empty()).then(|| json!({ "attributes": m })),
            });
        }),
    };
    view! {
        <div class="filters legacy">
            {datalist("ce-names-filter", &names)}
            <p class="help">"Every attribute equals its value exactly; Knative uses these only when filters is empty."</p>
            {rows(attrs, format!("{path}.attributes"), map)}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_dialects_keeps_what_carries_over() {
        let exact = json!({"exact": {"type": "a"}});
        assert_eq!(convert(&exact, "prefix"), json!({"prefix": {"type": "a"}}));
        assert_eq!(convert(&exact, "any"), json!({"any": [exact.clone()]}));
        assert_eq!(convert(&exact, "not"), json!({"not": exact.clone()}));
        assert_eq!(convert(&exact, "cesql"), json!({"cesql": ""}));
        let any = json!({"any": [exact.clone()]});
        assert_eq!(convert(&any, "all"), json!({"all": [exact.clone()]}));
        assert_eq!(convert(&any, "not"), json!({"not": exact.clone()}));
        assert_eq!(dialect(&json!({"cesql": "x"})), "cesql");
    }
}
