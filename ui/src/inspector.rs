//! The inspector: the selected resource as a form with every field of its kind (inline
//! validation messages, a CESQL editor), and its raw YAML, editable in place.

use crate::erase;
use crate::handle;
use knflow_editor::{icon_of, Edit};
use knflow_model::ResourceId;
use leptos::prelude::*;
use serde_json::Value;

use crate::form;
use crate::state::{App, InspectorMode};

/// Puts `current` back into the field an event came from, and shows the status bar's
/// error (what the refused edit said) beside the field.
fn refused(app: App, ev: &web_sys::Event, current: &str) {
    let Some(input) = ev
        .target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
    else {
        return;
    };
    input.set_value(current);
    if let Some((true, text)) = app.status.get_untracked() {
        let r = input.get_bounding_client_rect();
        app.tip_at(r.left(), r.bottom() + 4.0, text);
    }
}

#[component]
pub fn Inspector(app: App) -> impl IntoView {
    let yaml_tab = RwSignal::new(false);
    // The one selected resource and its manifest; the form is rebuilt when either changes.
    let selected = Memo::new(move |_| {
        app.editor.with(|e| {
            let id = e.selection().only()?;
            e.flow().get(id).map(|r| (r.id.clone(), r.manifest.clone()))
        })
    });
    // What the inspector shows follows `selected` once the event that changed it is over: a
    // field committed by Tab is rebuilt after the focus has moved on, so that the new form
    // can put the focus back where the user went (see `refocus`).
    // While a button is held down the form is not replaced either: a click that blurred a
    // field would otherwise land on a button that is gone.
    let current = RwSignal::new(selected.get_untracked());
    track_pointer();
    type Shown = Option<(ResourceId, Value)>;
    fn show(current: RwSignal<Shown>, selected: Memo<Shown>) {
        let held = POINTER_DOWN_AT
            .with(std::cell::Cell::get)
            .is_some_and(|at| crate::now() - at < 2000.0);
        let wait = if held { 30 } else { 0 };
        set_timeout(
            move || {
                if held {
                    return show(current, selected);
                }
                // The latest, whichever of several scheduled shows runs last.
                let next = selected.get_untracked();
                if current.with_untracked(|s| *s != next) {
                    current.set(next);
                }
            },
            std::time::Duration::from_millis(wait),
        );
    }
    Effect::new(move |_| {
        selected.track();
        show(current, selected);
    });
    let count = move || app.editor.with(|e| e.selection().len());
    // A clicked problem names a field: show the form and put the cursor in that field once
    // the form for the newly selected resource is on the page.
    Effect::new(move |_| {
        let Some(path) = app.focus_field.get() else {
            return;
        };
        yaml_tab.set(false);
        leptos::task::spawn_local(async move {
            let doc = web_sys::window().and_then(|w| w.document());
            let selector = format!(".inspector [data-path=\"{path}\"]");
            if let Some(field) = doc.and_then(|d| d.query_selector(&selector).ok().flatten()) {
                field.scroll_into_view();
                if let Some(input) = field
                    .query_selector("input, select, textarea, button")
                    .ok()
                    .flatten()
                    .and_then(|i| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(i).ok())
                {
                    let _ = input.focus();
                }
            }
            app.focus_field.set(None);
        });
    });
    // Shown while something is selected, unless the user folded it away (or pinned it open).
    let shown = move || match app.inspector.get() {
        InspectorMode::Open => true,
        InspectorMode::Collapsed => false,
        InspectorMode::Auto => count() > 0,
    };
    let rail = move || {
        view! {
            <aside class="inspector rail" aria-label="Inspector">
                <button class="inspector-toggle" aria-label="Expand inspector" title="Expand inspector"
                    on:click=handle::mouse(move |_| app.inspector.set(InspectorMode::Open))>"◂"</button>
            </aside>
        }
    };
    view! {
        <Show when=shown fallback=rail>
        <aside class="inspector" aria-label="Inspector">
            <button class="inspector-toggle collapse" aria-label="Collapse inspector" title="Collapse inspector"
                on:click=handle::mouse(move |_| app.inspector.set(InspectorMode::Collapsed))>"▸"</button>
            {erase::view(move || match current.get() {
                None => view! {
                    <p class="hint">{move || match count() {
                        0 => "Select a node to edit it. Drag kinds from the palette onto the canvas; drag from a port to a node to wire them.".to_string(),
                        n => format!("{n} nodes selected"),
                    }}</p>
                }.into_any(),
                Some((id, manifest)) => {
                    let info = knflow_model::kinds::lookup(
                        manifest["apiVersion"].as_str().unwrap_or_default(),
                        &id.kind,
                    );
                    view! {
                        <header>
                            <span class="icon" aria-hidden="true">{icon_of(&id.kind)}</span>
                            <h2>{id.kind.clone()}</h2>
                            <span class="api">{manifest["apiVersion"].as_str().unwrap_or_default().to_string()}</span>
                        </header>
                        <div role="tablist" class="tabs" aria-label="Inspector views">
                            <button role="tab" aria-selected=move || (!yaml_tab.get()).to_string() on:click=handle::mouse(move |_| yaml_tab.set(false))>"Form"</button>
                            <button role="tab" aria-selected=move || yaml_tab.get().to_string() on:click=handle::mouse(move |_| yaml_tab.set(true))>"YAML"</button>
                        </div>
                        {resource_problems(app, id.to_string(), yaml_tab)}
                        {move || match info {
                            Some(info) if !yaml_tab.get() => form_view(app, id.clone(), &manifest, info),
                            _ => raw_yaml(app, id.clone(), &manifest),
                        }}
                    }.into_any()
                }
            })}
        </aside>
        </Show>
    }
}

/// Problems of the resource that belong to no field shown below (all of them over the YAML).
fn resource_problems(app: App, label: String, yaml_tab: RwSignal<bool>) -> impl IntoView {
    move || {
        let yaml = yaml_tab.get();
        let shown = app.form_paths.get();
        app.diagnostics.with(|ds| {
            let mine: Vec<_> = ds
                .iter()
                .filter(|d| d.resource.as_deref() == Some(label.as_str()))
                .filter(|d| yaml || !shown.contains(&d.path))
                .collect();
            (!mine.is_empty()).then(|| {
                view! {
                    <ul class="resource-problems" aria-label="Problems of this resource">
                        {mine.iter().map(|d| view! {
                            <li class=format!("{:?}", d.severity).to_lowercase()>
                                <code>{d.path.clone()}</code>" "{d.message.clone()}
                            </li>
                        }).collect_view()}
                    </ul>
                }
            })
        })
    }
}

fn form_view(
    app: App,
    id: ResourceId,
    manifest: &Value,
    info: &'static knflow_model::kinds::KindInfo,
) -> AnyView {
    // The form is rebuilt after every applied change: the field the user was in, or moved to
    // (Tab after typing), keeps the focus in the new form.
    // Text typed in the field that has the focus and not yet applied stays too.
    // Right after the new form is in the page (a microtask), before any further input.
    let typed = typed_text();
    leptos::task::spawn_local(async move {
        refocus();
        restore_typed(typed);
    });
    app.form_paths.update_untracked(Vec::clear);
    let schema = info.spec_schema();
    let defs: &'static Value = schema.get("$defs").unwrap_or(&Value::Null);
    let spec = manifest
        .get("spec")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    let name = id.name.clone();
    let rename_id = id.clone();
    let meta = manifest["metadata"].clone();
    let labels_id = id.clone();
    let form = view! {
        <form class="form" on:submit=handle::submit(|ev| ev.prevent_default())
            on:focusin=handle::focus(|ev| FOCUSED.set(ev.target().and_then(|t| {
                wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()?.get_attribute("aria-label")
            })))>
            <div class="field">
                <label>"name"</label>
                <input type="text" aria-label="name" prop:value=name spellcheck="false"
                    on:change=handle::event(move |ev| {
                        let v = event_target_value(&ev);
                        if !app.edit(Edit::Rename { id: rename_id.clone(), name: v }) {
                            // Refused (a name the flow has, an unusable one): the field shows
                            // the name the resource still has, and why beside it.
                            refused(app, &ev, &rename_id.name);
                        }
                    })/>
            </div>
            {form::field(app, &labels_id, ".metadata.namespace".into(), "namespace", &STRING, &Value::Null, meta.get("namespace"), 1, None)}
            {form::field(app, &labels_id, ".metadata.labels".into(), "labels", &MAP, &Value::Null, meta.get("labels"), 1, None)}
            {form::field(app, &labels_id, ".metadata.annotations".into(), "annotations", &MAP, &Value::Null, meta.get("annotations"), 1, None)}
            {(id.kind == "Broker").then(|| broker_class(app, id.clone(), &meta))}
            {(id.kind == "Trigger").then(|| crate::events::receives(app, id.to_string()))}
            <h3>"spec"</h3>
            {if schema.get("properties").is_some() {
                form::object_fields(app, &id, ".spec", schema, defs, &spec, 1, false)
            } else {
                form::field(app, &id, ".spec".into(), "spec", schema, defs, Some(&spec), 1, None)
            }}
        </form>
    }
    .into_any();
    // The fields are known now: the problems at the top leave theirs out.
    app.form_paths.notify();
    form
}

/// Notes when a pointer button goes down and up anywhere (capture phase: nothing stops it).
fn track_pointer() {
    thread_local!(static ON: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if ON.with(|on| on.replace(true)) {
        return;
    }
    let Some(w) = web_sys::window() else { return };
    for (kind, down) in [
        ("pointerdown", true),
        ("pointerup", false),
        ("pointercancel", false),
    ] {
        let f = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            POINTER_DOWN_AT.with(|c| c.set(down.then(crate::now)));
        });
        let _ = w.add_event_listener_with_callback_and_bool(
            kind,
            wasm_bindgen::JsCast::unchecked_ref(f.as_ref()),
            true,
        );
        f.forget();
    }
}

thread_local! {
    /// When a pointer button went down, while it is held.
    static POINTER_DOWN_AT: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
    /// The accessible name of the form control that last had the focus.
    static FOCUSED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Puts the focus back on the control it was on when the form was replaced under it.
/// The focused inspector text field's name and text, before the form is replaced.
fn typed_text() -> Option<(String, String)> {
    let el = web_sys::window()?.document()?.active_element()?;
    el.closest(".inspector").ok()??;
    let label = el.get_attribute("aria-label")?;
    let text = if let Some(i) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlInputElement>(&el) {
        i.value()
    } else {
        wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlTextAreaElement>(&el)?.value()
    };
    Some((label, text))
}

/// Puts text being typed back into the new form's field of the same name, if it has the
/// focus: the user's change fires when they leave it, as it would have.
fn restore_typed(typed: Option<(String, String)>) {
    let Some((label, text)) = typed else { return };
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .filter(|e| e.get_attribute("aria-label").as_deref() == Some(label.as_str()))
    else {
        return;
    };
    if let Some(i) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlInputElement>(&el) {
        if i.value() != text {
            i.set_value(&text);
        }
    } else if let Some(t) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlTextAreaElement>(&el) {
        if t.value() != text {
            t.set_value(&text);
        }
    }
}

fn refocus() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let lost = doc
        .active_element()
        .is_none_or(|e| e.tag_name() == "BODY" || !e.is_connected());
    let Some(label) = FOCUSED.with_borrow(Clone::clone).filter(|_| lost) else {
        return;
    };
    let Ok(all) = doc.query_selector_all(".inspector [aria-label]") else {
        return;
    };
    for i in 0..all.length() {
        let el = all
            .item(i)
            .and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(n).ok());
        if let Some(el) = el.filter(|e| e.get_attribute("aria-label").as_deref() == Some(&label)) {
            let _ = el.focus();
            return;
        }
    }
}

static STRING: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| serde_json::json!({"type": "string"}));
static MAP: std::sync::LazyLock<Value> = std::sync::LazyLock::new(
    || serde_json::json!({"type": "object", "additionalProperties": {"type": "string"}}),
);

fn raw_yaml(app: App, id: ResourceId, manifest: &Value) -> AnyView {
    let text = knflow_model::yaml::to_yaml(manifest);
    let draft = RwSignal::new(text.clone());
    let error = RwSignal::new(None::<String>);
    view! {
        <div class="raw">
            <textarea class="code" rows="24" spellcheck="false" aria-label="Resource YAML"
                prop:value=text
                on:input=handle::event(move |ev| draft.set(event_target_value(&ev)))></textarea>
            <button type="button" aria-label="Apply YAML" on:click=handle::mouse(move |_| {
                match knflow_model::yaml::parse_documents(&draft.get_untracked()) {
                    Ok(mut docs) if docs.len() == 1 => {
                        // Refused edits change nothing and say why here, under the editor.
                        let mut result = Ok(());
                        let manifest = docs.remove(0).value;
                        app.editor.update(|e| result = e.apply(Edit::Replace { id: id.clone(), manifest }));
                        match result {
                            Ok(()) => { error.set(None); app.status.set(None); }
                            Err(e) => error.set(Some(format!("Not applied: {e}"))),
                        }
                    }
                    Ok(_) => error.set(Some("one resource, please (one YAML document)".into())),
                    Err(e) => error.set(Some(e.to_string())),
                }
            })>"Apply YAML"</button>
            {erase::view(move || error.get().map(|e| view! { <p class="field-problem error" role="alert">{e}</p> }))}
        </div>
    }
    .into_any()
}

/// The Broker's class, chosen from the known ones; choosing one also points `spec.config` at the
/// kind that class reads (one undoable change).
fn broker_class(app: App, id: ResourceId, meta: &Value) -> impl IntoView {
    use knflow_model::kinds::extensions::broker::{with_class, BROKER_CLASSES, CLASS_ANNOTATION};
    let current = meta["annotations"][CLASS_ANNOTATION]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let known = BROKER_CLASSES.iter().any(|c| c.class == current);
    let change = move |ev: web_sys::Event| {
        let v = event_target_value(&ev);
        let manifest = app.editor.with_untracked(|e| {
            let flow = e.flow();
            flow.get(&id)
                .map(|r| with_class(flow, r, (!v.is_empty()).then_some(v.as_str())))
        });
        if let Some(manifest) = manifest {
            app.edit(Edit::Replace {
                id: id.clone(),
                manifest,
            });
        }
    };
    view! {
        <div class="field">
            <label>"class"</label>
            <select aria-label="broker class" on:change=handle::event(change)>
                <option value="" selected=current.is_empty()>"(cluster default)"</option>
                {(!known && !current.is_empty()).then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> })}
                {BROKER_CLASSES.iter().map(|c| view! {
                    <option value=c.class selected=c.class == current title=c.summary>{c.class}</option>
                }).collect_view()}
            </select>
        </div>
    }
}
