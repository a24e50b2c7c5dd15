//! Event handlers boxed, one type per DOM event type: `on:click=handle::mouse(move |_| …)`.
//!
//! Leptos instantiates its machinery for an `on:` attribute (attach, clone, type erasure,
//! rebuild) once per handler type, and every closure is a type of its own. Boxed, the
//! designer's handlers share one copy per event type instead of carrying one each
//! (BENCHMARKS.md has what it saved).

use web_sys::{
    DragEvent, Event, FocusEvent, KeyboardEvent, MouseEvent, PointerEvent, SubmitEvent, WheelEvent,
};

/// A handler of `E` events, whatever closure it was made from.
pub type Handler<E> = Box<dyn FnMut(E)>;

macro_rules! boxed {
    ($($(#[$doc:meta])* $name:ident: $event:ty;)*) => {$(
        $(#[$doc])*
        pub fn $name(f: impl FnMut($event) + 'static) -> Handler<$event> {
            Box::new(f)
        }
    )*};
}

boxed! {
    /// For `click`, `dblclick`, `contextmenu`.
    mouse: MouseEvent;
    /// For `input`, `change`.
    event: Event;
    /// For `submit`.
    submit: SubmitEvent;
    /// For `focus`, `blur`, `focusin`.
    focus: FocusEvent;
    /// For `keydown`.
    key: KeyboardEvent;
    /// For `pointerdown`, `pointermove`, `pointerup`, `pointerenter`, `pointerleave`.
    pointer: PointerEvent;
    /// For `dragstart`, `dragover`, `drop`.
    drag: DragEvent;
    /// For `wheel`.
    wheel: WheelEvent;
}
