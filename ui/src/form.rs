//! A form for every field of a resource, generated from the kind's JSON schema (the same schema
//! the model validates with, so the form cannot miss a field). Objects and lists the manifest
//! does not have yet are offered as "add" buttons, which keeps recursive shapes (`filters` with
//! nested all/any/not) finite. Pod templates and other large Kubernetes types get a YAML editor.

use crate::erase;
use crate::handle;
use knflow_editor::Edit;
use knflow_model::ResourceId;
use leptos::prelude::*;
use serde_json::{json, Value};

use crate::state::App;

thread_local! {
    /// The schemas' descriptions, which the browser build ships without them (see
    /// `knflow_model::kinds::docs`): fetched from the host when a form first needs one, merged
    /// into one map by definition name. Reference-counted, not owned by the form that first
    /// asked, which may be gone by then.
    static DOCS: ArcRwSignal<serde_json::Map<String, Value>> = {
        let docs = ArcRwSignal::new(serde_json::Map::new());
        for file in ["/kind-docs.json", "/k8s-docs.json"] {
            let fetched = docs.clone();
            leptos::task::spawn_local(async move {
                let texts = crate::host::asset(file).await.and_then(|text| {
                    serde_json::from_str::<serde_json::Map<String, Value>>(&text)
                        .map_err(|e| e.to_string())
                });
                match texts {
                    Ok(texts) => fetched.update(|all| all.extend(texts)),
                    Err(e) => leptos::logging::warn!("field descriptions ({file}): {e}"),
                }
            });
        }
        docs
    };
}

/// Where a field's description may be found when its schema has none: `(definition, pointer)`
/// pairs into the descriptions, most specific first.
type DocKeys = Vec<(String, String)>;

fn doc(keys: &DocKeys) -> Option<String> {
    DOCS.with(|docs| {
        docs.with(|d| {
            keys.iter()
                .find_map(|(def, pointer)| d.get(def)?.get(pointer)?.as_str())
                .map(str::to_string)
        })
    })
}

/// The name of the definition `schema` is, when it is one of `defs`.
fn def_name(schema: &Value, defs: &Value) -> Option<String> {
    defs.as_object()?
        .iter()
        .find(|(_, d)| std::ptr::eq(*d, schema))
        .map(|(name, _)| name.clone())
}

/// Follows `$ref`, and unwraps `anyOf [X, null]` and `type: [t, null]`.
fn resolve<'a>(s: &'a Value, defs: &'a Value) -> &'a Value {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return resolve(&defs[name], defs);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            let non_null: Vec<&Value> = alts.iter().filter(|a| a["type"] != "null").collect();
            if non_null.len() == 1 && s.get("properties").is_none() {
                return resolve(non_null[0], defs);
            }
        }
    }
    s
}

fn type_of(s: &Value) -> &str {
    match &s["type"] {
        Value::String(t) => t,
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or(""),
        _ if s.get("properties").is_some() => "object",
        _ => "",
    }
}

/// Allowed string values, from `enum` or `oneOf` of consts.
fn enum_values(s: &Value) -> Vec<String> {
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
    }
    s.get("oneOf")
        .and_then(Value::as_array)
        .map(|alts| {
            alts.iter()
                .flat_map(|a| {
                    a.get("const").into_iter().chain(
                        a.get("enum")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten(),
                    )
                })
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn set(app: App, id: &ResourceId, path: &str, value: Option<Value>) {
    app.edit(Edit::SetField {
        id: id.clone(),
        path: path.to_string(),
        value,
    });
}

/// The field's problems from validation, shown under it.
pub fn field_problems(app: App, label: String, path: String) -> impl IntoView {
    app.form_paths.update_untracked(|p| p.push(path.clone()));
    move || {
        app.diagnostics.with(|ds| {
            ds.iter()
                .filter(|d| d.resource.as_deref() == Some(label.as_str()) && d.path == path)
                .map(|d| {
                    view! {
                        <p class=format!("field-problem {}", if d.severity == knflow_model::Severity::Error { "error" } else { "warning" }) role="alert">
                            {d.message.clone()}
                        </p>
                    }
                })
                .collect_view()
        })
    }
}

/// A CESQL expression checked as it is typed: the column marker here, the problem under the
/// field and in Problems at once (the draft stands in for the saved value until `commit`).
pub fn cesql_editor(
    app: App,
    resource: String,
    path: String,
    value: String,
    commit: Callback<String>,
) -> AnyView {
    let text = RwSignal::new(value);
    let column = move || {
        let t = text.get();
        knflow_cesql::Expression::parse(&t)
            .err()
            .map(|e| t[..e.span.start.min(t.len())].chars().count())
    };
    let (r, p) = (resource.clone(), path.clone());
    on_cleanup(move || {
        app.cesql_draft.update(|d| {
            if d.as_ref().is_some_and(|(dr, dp, _)| *dr == r && *dp == p) {
                *d = None;
            }
        })
    });
    let problems = field_problems(app, resource.clone(), path.clone());
    let draft_path = path.clone();
    view! {
        <div class="cesql" data-path=path.clone()>
            <textarea
                class="code"
                rows="2"
                spellcheck="false"
                aria-label=format!("{path} (CESQL)")
                prop:value=text
                on:input=handle::event(move |ev| {
                    let t = event_target_value(&ev);
                    text.set(t.clone());
                    app.cesql_draft.set(Some((resource.clone(), draft_path.clone(), t)));
                })
                on:change=handle::event(move |ev| {
                    app.cesql_draft.set(None);
                    commit.run(event_target_value(&ev));
                })
            ></textarea>
            {erase::view(move || column().map(|col| view! {
                <pre class="cesql-marker" aria-hidden="true">{format!("{}^", " ".repeat(col))}</pre>
            }))}
            {problems}
        </div>
    }
    .into_any()
}

/// Any value as YAML, edited as text.
fn yaml_editor(app: App, id: ResourceId, path: String, value: Option<&Value>) -> AnyView {
    let text = value.map(knflow_model::yaml::to_yaml).unwrap_or_default();
    let error = RwSignal::new(None::<String>);
    let p = path.clone();
    view! {
        <div class="yaml-field">
            <textarea
                class="code"
                rows=text.lines().count().clamp(2, 14)
                spellcheck="false"
                aria-label=format!("{path} (YAML)")
                prop:value=text
                on:change=handle::event(move |ev| {
                    let t = event_target_value(&ev);
                    if t.trim().is_empty() {
                        set(app, &id, &p, None);
                        return;
                    }
                    match knflow_model::yaml::parse_documents(&t) {
                        Ok(mut docs) if docs.len() == 1 => {
                            error.set(None);
                            set(app, &id, &p, Some(docs.remove(0).value));
                        }
                        Ok(_) => error.set(Some("one YAML value, please".into())),
                        Err(e) => error.set(Some(e.to_string())),
                    }
                })
            ></textarea>
            {erase::view(move || error.get().map(|e| view! { <p class="field-problem error" role="alert">{e}</p> }))}
        </div>
    }
    .into_any()
}

/// One field: its label, its input, its problems. `parent` is the definition the field is a
/// property of, if it is one.
#[allow(clippy::too_many_arguments)]
pub fn field(
    app: App,
    id: &ResourceId,
    path: String,
    key: &str,
    schema: &'static Value,
    defs: &'static Value,
    value: Option<&Value>,
    depth: usize,
    parent: Option<&str>,
) -> AnyView {
    let s = resolve(schema, defs);
    let description = schema
        .get("description")
        .or_else(|| s.get("description"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let doc_keys: DocKeys = if description.is_some() {
        Vec::new()
    } else {
        parent
            .map(|p| (p.to_string(), format!("/properties/{key}")))
            .into_iter()
            .chain(def_name(s, defs).map(|d| (d, String::new())))
            .collect()
    };
    let description = move || {
        description
            .clone()
            .or_else(|| (!doc_keys.is_empty()).then(|| doc(&doc_keys)).flatten())
            .unwrap_or_default()
    };
    let label = id.to_string();
    let problems = field_problems(app, label, path.clone());
    let ty = type_of(s);
    let enums = enum_values(s);
    let id = id.clone();
    let input: AnyView = if key == "filters"
        && resolve(&s["items"], defs)["properties"]
            .get("cesql")
            .is_some()
    {
        crate::filters::filters_editor(app, &id, &path, value)
    } else if key == "filter" && s["properties"].get("attributes").is_some() {
        crate::filters::attributes_editor(app, &id, &path, value)
    } else if !enums.is_empty() {
        let current = value
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let p = path.clone();
        view! {
            <select aria-label=path.clone() on:change=handle::event(move |ev| {
                let v = event_target_value(&ev);
                set(app, &id, &p, (!v.is_empty()).then(|| Value::String(v)));
            })>
                <option value="" selected=current.is_empty()>"—"</option>
                {enums.into_iter().map(|e| { let sel = e == current; view! { <option value=e.clone() selected=sel>{e.clone()}</option> } }).collect_view()}
            </select>
        }
        .into_any()
    } else {
        match ty {
            "string" => {
                let p = path.clone();
                let current = match value {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                view! {
                    <input type="text" aria-label=path.clone() prop:value=current spellcheck="false"
                        on:change=handle::event(move |ev| {
                            let v = event_target_value(&ev);
                            set(app, &id, &p, (!v.is_empty()).then(|| Value::String(v)));
                        })/>
                }
                .into_any()
            }
            "integer" | "number" => {
                let p = path.clone();
                let current = value.map(|v| v.to_string()).unwrap_or_default();
                let integer = ty == "integer";
                view! {
                    <input type="number" aria-label=path.clone() prop:value=current
                        on:change=handle::event(move |ev| {
                            let v = event_target_value(&ev);
                            let parsed = if integer {
                                v.parse::<i64>().ok().map(|n| json!(n))
                            } else {
                                knflow_model::num::parse_f64(&v).map(|n| json!(n))
                            };
                            set(app, &id, &p, parsed);
                        })/>
                }
                .into_any()
            }
            "boolean" => {
                let p = path.clone();
                let current = value.and_then(Value::as_bool);
                view! {
                    <select aria-label=path.clone() on:change=handle::event(move |ev| {
                        let v = event_target_value(&ev);
                        set(app, &id, &p, match v.as_str() { "true" => Some(json!(true)), "false" => Some(json!(false)), _ => None });
                    })>
                        <option value="" selected=current.is_none()>"—"</option>
                        <option value="true" selected=current == Some(true)>"true"</option>
                        <option value="false" selected=current == Some(false)>"false"</option>
                    </select>
                }
                .into_any()
            }
            "object" if s.get("properties").is_some() && depth < 6 => match value {
                Some(v @ Value::Object(_)) => {
                    object_fields(app, &id, &path, s, defs, v, depth + 1, true)
                }
                _ => add_button(app, id.clone(), path.clone(), key, json!({})),
            },
            "array" if depth < 6 => {
                let items = resolve(&s["items"], defs);
                if type_of(items) == "object" && items.get("properties").is_some() {
                    list_fields(app, &id, &path, key, &s["items"], defs, value, depth + 1)
                } else {
                    yaml_editor(app, id.clone(), path.clone(), value)
                }
            }
            _ => yaml_editor(app, id.clone(), path.clone(), value),
        }
    };
    view! {
        <div class="field" data-path=path.clone()>
            <label title=description>{key.to_string()}</label>
            {input}
            {problems}
        </div>
    }
    .into_any()
}

fn add_button(app: App, id: ResourceId, path: String, key: &str, empty: Value) -> AnyView {
    view! {
        <button type="button" class="add" aria-label=format!("Add {key}") on:click=handle::mouse(move |_| set(app, &id, &path, Some(empty.clone())))>
            {format!("+ {key}")}
        </button>
    }
    .into_any()
}

/// The properties of an object value; `removable` offers to remove the object itself.
#[allow(clippy::too_many_arguments)]
pub fn object_fields(
    app: App,
    id: &ResourceId,
    path: &str,
    schema: &'static Value,
    defs: &'static Value,
    value: &Value,
    depth: usize,
    removable: bool,
) -> AnyView {
    let props = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let id2 = id.clone();
    let p2 = path.to_string();
    // A kind's own spec type is the schema's root, named by its title.
    let def = def_name(schema, defs).or_else(|| schema["title"].as_str().map(str::to_string));
    view! {
        <fieldset class="object">
            {props.keys().map(|k| {
                let child = &schema["properties"][k.as_str()];
                field(app, id, format!("{path}.{k}"), k, child, defs, value.get(k), depth, def.as_deref())
            }).collect_view()}
            {removable.then(|| view! {
                <button type="button" class="remove" aria-label=format!("Remove {p2}") on:click=handle::mouse(move |_| set(app, &id2, &p2, None))>"remove"</button>
            })}
        </fieldset>
    }
    .into_any()
}

#[allow(clippy::too_many_arguments)]
fn list_fields(
    app: App,
    id: &ResourceId,
    path: &str,
    key: &str,
    item_schema: &'static Value,
    defs: &'static Value,
    value: Option<&Value>,
    depth: usize,
) -> AnyView {
    let items = value.and_then(Value::as_array).cloned().unwrap_or_default();
    let resolved = resolve(item_schema, defs);
    let id2 = id.clone();
    let p2 = path.to_string();
    let n = items.len();
    let list = items.clone();
    view! {
        <div class="list">
            {items.iter().enumerate().map(|(i, item)| {
                let ip = format!("{path}[{i}]");
                let idr = id.clone();
                let all = list.clone();
                let lp = path.to_string();
                view! {
                    <div class="item">
                        <span class="index">{format!("{key}[{i}]")}</span>
                        {object_fields(app, id, &ip, resolved, defs, item, depth, false)}
                        <button type="button" class="remove" aria-label=format!("Remove {key}[{i}]") on:click=handle::mouse(move |_| {
                            let mut rest = all.clone();
                            rest.remove(i);
                            set(app, &idr, &lp, (!rest.is_empty()).then_some(Value::Array(rest)));
                        })>"remove item"</button>
                    </div>
                }
            }).collect_view()}
            <button type="button" class="add" aria-label=format!("Add {key} item") on:click=handle::mouse(move |_| {
                let mut next = list.clone();
                next.push(json!({}));
                set(app, &id2, &p2, Some(Value::Array(next)));
            })>{format!("+ {key}[{n}]")}</button>
        </div>
    }
    .into_any()
}
