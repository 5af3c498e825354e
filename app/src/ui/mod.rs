//! The page's larger panels, each in its own module.

// leptos's `#[component]` expands a `pub(crate)` component into `pub` items.
#![allow(unreachable_pub)]

pub(crate) mod editor;
pub(crate) mod glossary;
pub(crate) mod sessions;
pub(crate) mod workshop;
