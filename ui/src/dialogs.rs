//! The designer's own dialogs for what must not happen by accident: a question before unsaved
//! work is discarded or a file replaced (an `alertdialog` with the action and Cancel), and
//! Save as (a file name, the folder's flows, errors shown where the user is looking).

use crate::erase;
use crate::handle;
use std::sync::Arc;

use leptos::prelude::*;

use crate::state::App;

/// What a question's answer runs. Not a `Callback`: that lives in the reactive owner it was
/// made in, and a question asked from a dialog that closes as it asks (a recent file chosen in
/// Open) would find its answer disposed.
pub type Answer = Arc<dyn Fn() + Send + Sync>;

/// A question with one action and Cancel.
#[derive(Clone)]
pub struct Confirm {
    pub message: String,
    /// The action's button text ("Discard", "Replace").
    pub ok: &'static str,
    pub then: Answer,
    /// What Cancel puts back, if anything (the address after Back, for one).
    pub cancel: Option<Answer>,
}

/// Asks `message`; `then` runs on `ok`, `cancel` on Cancel or Escape.
pub fn ask(
    app: App,
    message: impl Into<String>,
    ok: &'static str,
    then: impl Fn() + Send + Sync + 'static,
    cancel: Option<Answer>,
) {
    app.confirm.set(Some(Confirm {
        message: message.into(),
        ok,
        then: Arc::new(then),
        cancel,
    }));
}

/// Runs `then` at once without unsaved work, else after the user chose to discard it.
pub fn unless_keeping_unsaved(
    app: App,
    then: impl FnOnce() + Send + 'static,
    cancel: Option<Answer>,
) {
    if !app.editor.with_untracked(knflow_editor::Editor::is_dirty) {
        then();
        return;
    }
    let once = std::sync::Mutex::new(Some(then));
    let message = match app.path.get_untracked() {
        Some(path) => format!(
            "Discard unsaved changes to {}? They are not saved in it yet.",
            crate::file_name(&path)
        ),
        None => "Discard unsaved changes? The flow is not in any file yet.".to_string(),
    };
    ask(
        app,
        message,
        "Discard",
        move || {
            if let Some(then) = once.lock().ok().and_then(|mut t| t.take()) {
                then();
            }
        },
        cancel,
    );
}

fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Cancels the question on screen, if any (its Cancel button, Escape).
pub fn cancel(app: App) {
    if let Some(c) = app.confirm.get_untracked() {
        app.confirm.set(None);
        if let Some(f) = c.cancel {
            f();
        }
    }
}

/// The question on screen, if any. Cancel has the focus: Enter never discards by accident.
#[component]
pub fn ConfirmDialog(app: App) -> impl IntoView {
    let cancel = move || cancel(app);
    Effect::new(move |_| {
        if app.confirm.with(Option::is_some) {
            request_animation_frame(|| focus("confirm-cancel"));
        }
    });
    move || {
        app.confirm.get().map(|c| {
            let then = c.then.clone();
            view! {
                <div class="overlay question" on:keydown=handle::key(move |ev| if ev.key() == "Escape" { ev.stop_propagation(); cancel(); })>
                    <div class="dialog" role="alertdialog" aria-modal="true" aria-label=c.message.clone()>
                        <p>{c.message.clone()}</p>
                        <div class="actions">
                            <button type="button" class="primary" on:click=handle::mouse(move |_| { app.confirm.set(None); then(); })>{c.ok}</button>
                            <button type="button" id="confirm-cancel" on:click=handle::mouse(move |_| cancel())>"Cancel"</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

/// `name` as a flow file name: `.yaml` added when it has no YAML extension.
pub fn flow_file_name(name: &str) -> String {
    let name = name.trim();
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        name.to_string()
    } else {
        format!("{name}.yaml")
    }
}

/// Save as: a file name in the served folder, the flows already there (a click takes a name),
/// a question before replacing one, and the save's error shown in the dialog.
#[component]
pub fn SaveAsDialog(app: App) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if app.save_as.with(Option::is_some) {
            let flow = app.editor.with_untracked(|e| e.flow().name.clone());
            name.set(
                app.path
                    .get_untracked()
                    .unwrap_or_else(|| flow_file_name(&flow)),
            );
            error.set(None);
            request_animation_frame(|| focus("save-as-name"));
        }
    });
    let close = move || app.save_as.set(None);
    let save = move || {
        let path = flow_file_name(&name.get_untracked());
        if path == ".yaml" {
            error.set(Some("Write a file name.".into()));
            return;
        }
        if path.contains(['/', '\\']) || path.starts_with('.') {
            error.set(Some(
                "Write a file name without a folder: flows are saved in the folder the designer \
                 was started on."
                    .into(),
            ));
            return;
        }
        let existing = app
            .save_as
            .with_untracked(|l| l.as_ref().is_some_and(|l| l.contains(&path)));
        let write = move |path: String| {
            crate::write_then(app, path, move |r| match r {
                Ok(()) => app.save_as.set(None),
                Err(e) => error.set(Some(e)),
            })
        };
        if existing && app.path.get_untracked().as_deref() != Some(path.as_str()) {
            let p = path.clone();
            ask(
                app,
                format!("Replace {path}? The file there is overwritten."),
                "Replace",
                move || write(p.clone()),
                None,
            );
        } else {
            write(path);
        }
    };
    move || {
        app.save_as.get().map(|flows| {
            let body = view! {
                <label>"File name"
                    <input id="save-as-name" aria-label="File name" prop:value=name
                        on:input=handle::event(move |ev| { name.set(event_target_value(&ev)); error.set(None); })/>
                </label>
                {(!flows.is_empty()).then(|| view! { <h3>"Flows in this folder"</h3> })}
                <ul aria-label="Flows in this folder">
                    {flows.into_iter().map(|f| {
                        let pick = f.clone();
                        view! { <li><button type="button" on:click=handle::mouse(move |_| name.set(pick.clone()))>{f}</button></li> }
                    }).collect_view()}
                </ul>
            };
            form_dialog("Save as", "", "Save", error, close, save, body.into_any())
        })
    }
}

/// A dialog that is a form: its title, its fields, its error (in words, where the user is
/// looking), the action and Cancel; Escape cancels.
fn form_dialog(
    title: &'static str,
    class: &'static str,
    ok: &'static str,
    error: RwSignal<Option<String>>,
    close: impl Fn() + Copy + 'static,
    submit: impl Fn() + Copy + 'static,
    body: AnyView,
) -> AnyView {
    view! {
        <div class="overlay" on:keydown=handle::key(move |ev| if ev.key() == "Escape" { ev.stop_propagation(); close(); })>
            <form class=format!("dialog {class}") role="dialog" aria-modal="true" aria-label=title
                on:submit=handle::submit(move |ev| { ev.prevent_default(); submit(); })>
                <h2>{title}</h2>
                {body}
                {erase::view(move || error.get().map(|e| view! { <p class="field-problem error" role="alert">{e}</p> }))}
                <div class="actions">
                    <button type="submit" class="primary">{ok}</button>
                    <button type="button" on:click=handle::mouse(move |_| close())>"Cancel"</button>
                </div>
            </form>
        </div>
    }
    .into_any()
}

/// Flow settings: the flow's name, namespace and description, applied as one undoable edit;
/// what the editor refuses is said in the dialog.
#[component]
pub fn FlowSettingsDialog(app: App) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let namespace = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let behaviors = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if app.settings.get() {
            app.editor.with_untracked(|e| {
                let f = e.flow();
                name.set(f.name.clone());
                namespace.set(f.namespace.clone().unwrap_or_default());
                description.set(
                    f.metadata_extra
                        .get("annotations")
                        .and_then(|a| a.get(knflow_editor::DESCRIPTION))
                        .and_then(|d| d.as_str())
                        .unwrap_or_default()
                        .to_string(),
                );
                behaviors.set(knflow_sim::behavior::saved_text(f));
            });
            error.set(None);
            request_animation_frame(|| focus("flow-name"));
        }
    });
    let apply = move || {
        let ns = namespace.get_untracked().trim().to_string();
        let mut result = Ok(());
        app.editor.update(|e| {
            result = e.apply(knflow_editor::Edit::FlowSettings {
                name: name.get_untracked().trim().to_string(),
                namespace: (!ns.is_empty()).then_some(ns),
                description: description.get_untracked(),
                behaviors: behaviors.get_untracked(),
            })
        });
        match result {
            Ok(()) => app.settings.set(false),
            Err(e) => error.set(Some(e)),
        }
    };
    let close = move || app.settings.set(false);
    move || {
        app.settings.get().then(|| {
            let body = view! {
                <label>"Name"<input id="flow-name" aria-label="Name" prop:value=name
                    on:input=handle::event(move |ev| { name.set(event_target_value(&ev)); error.set(None); })/></label>
                <label>"Namespace (resources without their own go here; empty: default)"
                    <input aria-label="Namespace" prop:value=namespace
                        on:input=handle::event(move |ev| { namespace.set(event_target_value(&ev)); error.set(None); })/></label>
                <label>"Description (shown above the canvas)"
                    <textarea rows="3" aria-label="Description" prop:value=description
                        on:input=handle::event(move |ev| description.set(event_target_value(&ev)))></textarea></label>
                <label>"Simulation: how sinks answer, KIND/NAME=SPEC per line (ack, reply, reply:TYPE, fail:503x2, timeout, latency:50ms; others ack)"
                    <textarea class="code" rows="3" aria-label="Sink behaviours" placeholder="Service/fulfil=reply:order.fulfilled"
                        prop:value=behaviors
                        on:input=handle::event(move |ev| { behaviors.set(event_target_value(&ev)); error.set(None); })></textarea></label>
            };
            form_dialog("Flow settings", "settings", "Apply", error, close, apply, body.into_any())
        })
    }
}

/// Shows the Open dialog with the recent (desktop) or served (browser) flows: the toolbar's
/// Open, File ▸ Open… and Ctrl+O all come here, so there is one Open.
pub fn show_open(app: App) {
    leptos::task::spawn_local(async move {
        match crate::host::list().await {
            Ok(list) => app.open.set(Some(list)),
            Err(e) => app.say_error(e),
        }
    });
}

/// Focuses the first control `selector` finds (a dialog's first choice).
fn focus_first(selector: &'static str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Open: on the desktop "Browse…" (the native file dialog) and the recent files, in a browser
/// the served folder's flows; both import Knative YAML pasted into it.
#[component]
pub fn OpenDialog(app: App) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let yaml = RwSignal::new(String::new());
    Effect::new(move |_| {
        if app.open.with(Option::is_some) {
            error.set(None);
            request_animation_frame(|| {
                focus_first(".dialog.open-flow button, .dialog.open-flow textarea")
            });
        }
    });
    let close = move || app.open.set(None);
    let desktop = crate::host::desktop();
    move || {
        app.open.get().map(|list| {
            let none = list.is_empty().then(|| {
                view! {
                    <p class="hint">{if desktop {
                        "No recent files yet: Browse… finds a flow or Knative YAML."
                    } else {
                        "No flows in the served folder yet: Save as puts one there."
                    }}</p>
                }
            });
            view! {
                <div class="overlay" on:keydown=handle::key(move |ev| if ev.key() == "Escape" { ev.stop_propagation(); close(); })>
                    <div class="dialog open-flow" role="dialog" aria-modal="true" aria-label="Open flow">
                        <h2>"Open flow"</h2>
                        {desktop.then(|| view! {
                            <button type="button" on:click=handle::mouse(move |_| {
                                close();
                                crate::unless_keeping_unsaved(app, move || crate::desktop::open_native(app));
                            })>"Browse…"</button>
                        })}
                        <h3>{if desktop { "Recent files" } else { "Flows in this folder" }}</h3>
                        {none}
                        <ul aria-label=if desktop { "Recent files" } else { "Flows in this folder" }>
                            {list.into_iter().map(|p| {
                                let path = p.clone();
                                view! { <li><button type="button" on:click=handle::mouse(move |_| {
                                    close();
                                    let path = path.clone();
                                    crate::unless_keeping_unsaved(app, move || crate::open_path(app, path));
                                })>{p}</button></li> }
                            }).collect_view()}
                        </ul>
                        <h3>"Import Knative YAML"</h3>
                        <textarea class="code" rows="6" aria-label="Knative YAML to import"
                            prop:value=yaml
                            on:input=handle::event(move |ev| { yaml.set(event_target_value(&ev)); error.set(None); })></textarea>
                        {erase::view(move || error.get().map(|e| view! { <p class="field-problem error" role="alert">{e}</p> }))}
                        <div class="actions">
                            <button type="button" on:click=handle::mouse(move |_| crate::import(app, yaml.get_untracked(), error))>"Import"</button>
                            <button type="button" on:click=handle::mouse(move |_| close())>"Cancel"</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
