//! The script console, as Remix's "run script": JavaScript that uses
//! `ethers` (v6) or `viem` (v2) against `provider`, the page's EIP-1193
//! provider over the in-page chain; its console output below. Every
//! transaction it sends is a request in the session, with its receipt.

use super::{Message, Note, Shared};
use isc_app::page::script::{Event, ScriptRun};
use isc_app::page::web;
use isc_app::protocol::{Command, Reply};
use leptos::prelude::*;

/// The bundled example: ethers deploys the Token, transfers, reads the
/// log back with `getLogs`, and undoes the transfer with a snapshot.
pub(crate) const EXAMPLE: &str = r#"// `provider` is the page's chain (EIP-1193); `ethers` and `viem` are loaded.
const artifact = (await (await fetch('examples/solidity/Token.json')).json())
  .contracts['Token.sol'].Token;
const browser = new ethers.BrowserProvider(provider);
const [owner, alice, bob] = await browser.listAccounts();

const factory = new ethers.ContractFactory(artifact.abi, artifact.evm.bytecode.object, alice);
const token = await factory.deploy('Script token', 'SCR', 1000n);
await token.waitForDeployment();
console.log('deployed at', await token.getAddress());

const snapshot = await provider.request({ method: 'evm_snapshot' });
await (await token.transfer(bob.address, 25n)).wait();
console.log('bob holds', await token.balanceOf(bob.address));
const logs = await token.queryFilter(token.filters.Transfer(alice.address), 0);
console.log('transfers from alice:', logs.map((log) => `${log.args.to} ${log.args.value}`).join('; '));

await provider.request({ method: 'evm_revert', params: [snapshot] });
console.log('after evm_revert bob holds', await token.balanceOf(bob.address));
"#;

/// One line of a script's output.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    level: String,
    text: String,
}

/// The script console.
#[component]
pub(crate) fn ScriptConsole() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let code = RwSignal::new(EXAMPLE.to_owned());
    let output = RwSignal::new(Vec::<Line>::new());
    let status: Note = RwSignal::new(None);
    let running = RwSignal::new(false);
    let current = StoredValue::new_local(None::<ScriptRun>);

    let stop = move |_| {
        current.with_value(|run| {
            if let Some(run) = run {
                run.stop();
            }
        });
        if running.get_untracked() {
            running.set(false);
            status.set(Some(Err("stopped".into())));
        }
    };
    let run = move |_| {
        current.with_value(|run| {
            if let Some(run) = run {
                run.stop();
            }
        });
        output.set(Vec::new());
        let started = ScriptRun::start(&code.get_untracked(), move |event| match event {
            Event::Log(level, text) => output.update(|lines| lines.push(Line { level, text })),
            Event::Done(error) => {
                running.set(false);
                // The console's files load in its worker: keep them for
                // offline use once they have.
                web::keep_offline(&[
                    "script-worker.js",
                    "vendor/ethers.min.js",
                    "vendor/viem.min.js",
                ]);
                status.set(Some(match error {
                    None => Ok("done".into()),
                    Some(error) => Err(format!("failed: {error}")),
                }));
                current.with_value(|run| {
                    if let Some(run) = run {
                        run.stop();
                    }
                });
            }
            Event::Rpc(id, method, params) => {
                let label = format!("script: {method}");
                shared.send(&label, Command::Rpc { method, params }, move |reply| {
                    let outcome = match reply {
                        Reply::Rpc { outcome, .. } => outcome
                            .map_err(|failure| serde_json::to_value(failure).unwrap_or_default()),
                        Reply::Failed { message } => {
                            Err(serde_json::json!({ "code": -32000, "message": message }))
                        }
                        other => Err(serde_json::json!({
                            "code": -32603,
                            "message": format!("unexpected answer: {other:?}"),
                        })),
                    };
                    current.with_value(|run| {
                        if let Some(run) = run {
                            run.answer(id, outcome);
                        }
                    });
                });
            }
        });
        match started {
            Ok(handle) => {
                current.set_value(Some(handle));
                running.set(true);
                status.set(Some(Ok("running…".into())));
            }
            Err(err) => status.set(Some(Err(err))),
        }
    };
    view! {
        <details class="more script" data-testid="script-console">
            <summary>"Script console (ethers, viem)"</summary>
            <p class="hint">
                "JavaScript against the page's chain: " <code>"provider"</code>
                " is an EIP-1193 provider (JSON-RPC), " <code>"ethers"</code> " (v6) and "
                <code>"viem"</code> " (v2) are loaded. Its transactions are requests: they show in the receipts and the session."
            </p>
            <textarea data-testid="script-code" class="code script-code" rows="14" spellcheck="false"
                aria-label="script"
                prop:value=move || code.get()
                on:input=move |ev| code.set(event_target_value(&ev))></textarea>
            <div class="row">
                <button data-testid="script-run" on:click=run>"Run script"</button>
                <Show when=move || running.get()>
                    <button data-testid="script-stop" on:click=stop>"Stop script"</button>
                </Show>
            </div>
            <div data-testid="script-status"><Message message=status/></div>
            <pre class="script-output" data-testid="script-output" aria-live="polite">
                {move || output.get().into_iter().map(|Line { level, text }| view! {
                    <span class=format!("line {level}")>{text}"\n"</span>
                }).collect_view()}
            </pre>
        </details>
    }
}
