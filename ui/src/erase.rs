//! Reactive views boxed to one type: `{erase::view(move || …)}`.
//!
//! Leptos instantiates its render effect, its build and rebuild for every type a reactive
//! closure returns; boxed to `AnyView`, the designer's dynamic parts share one copy
//! (BENCHMARKS.md has what it saved).

use leptos::prelude::*;

/// A reactive view, whatever closure and view type it was made from.
pub type DynView = Box<dyn FnMut() -> AnyView + Send>;

/// The view `f` returns, redrawn when what it reads changes.
pub fn view<V: IntoView + 'static>(mut f: impl FnMut() -> V + Send + 'static) -> DynView {
    Box::new(move || f().into_any())
}
