//! # isc-app — the ISC Playground page
//!
//! A leptos client-side-rendered page over the engine worker
//! ([`isc_app::page::client::Engine`]): the examples gallery, uploads and the
//! editor; deployed contracts with a form per entry point and their state;
//! accounts, blocks (with time travel), gas and receipts. Each panel is a
//! module of [`ui`]; components only wire signals to views, the logic lives
//! in the library, tested natively.

mod ui;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::app::App);
    isc_app::page::web::register_service_worker();
}
