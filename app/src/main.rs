//! # isc-app — the ISC Playground page
//!
//! A leptos client-side-rendered app. This first slice runs the engine's
//! [`isc_engine::first_light`] demo in the page and shows both engines' results.
//! Components only wire values to views; the logic lives in `isc-engine`.

mod sys;

use isc_engine::{FirstLight, first_light};
use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The whole page.
#[component]
fn App() -> impl IntoView {
    // The demo is pure and takes a few milliseconds; it runs once on load.
    let report = first_light().map_err(|err| err.to_string());
    view! {
        <header class="topbar">
            <h1>"ISC Playground"</h1>
            <span class="tagline">"IOTA Smart Contracts, in your browser"</span>
        </header>
        <main>
            {match report {
                Ok(report) => view! { <FirstLightReport report/> }.into_any(),
                Err(message) => view! {
                    <p class="error" role="alert" data-testid="engine-error">{message}</p>
                }.into_any(),
            }}
        </main>
    }
}

/// Both engines' results side by side, and the state hash they produced.
#[component]
fn FirstLightReport(
    /// The demo's report.
    report: FirstLight,
) -> impl IntoView {
    view! {
        <section class="intro">
            <p>
                "One chain, two VMs. On load the page created a chain, ran a WebAssembly "
                "program on " <b>"wasmi"</b> " and EVM bytecode on " <b>"revm"</b>
                ", and stored both results in the chain state."
            </p>
        </section>
        <section class="cards">
            <article class="card" data-testid="wasm-card">
                <h2>"Wasm · wasmi"</h2>
                <p class="program">"fib(20), recursive, in WebAssembly"</p>
                <p class="value" data-testid="wasm-result">{report.wasm.value}</p>
                <p class="gas">"fuel used: " <span data-testid="wasm-gas">{report.wasm.gas_used}</span></p>
            </article>
            <article class="card" data-testid="evm-card">
                <h2>"EVM · revm"</h2>
                <p class="program">"PUSH1 7 PUSH1 6 MUL … RETURN"</p>
                <p class="value" data-testid="evm-result">{report.evm.value}</p>
                <p class="gas">"gas used: " <span data-testid="evm-gas">{report.evm.gas_used}</span></p>
            </article>
        </section>
        <section class="hash">
            <span>"state hash "</span>
            <code data-testid="state-hash">{report.state_hash.to_string()}</code>
        </section>
    }
}
