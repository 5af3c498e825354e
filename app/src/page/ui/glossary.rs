//! ISC's concepts, explained where they appear: a small "?" next to a
//! field or heading ([`Hint`]: its one-line explanation on hover, a link to
//! the entry) and the [`Glossary`] at the foot of the page.

use leptos::prelude::*;

/// One concept: its anchor, its name, a line for the hover, a paragraph.
struct Term {
    id: &'static str,
    name: &'static str,
    line: &'static str,
    text: &'static str,
}

const TERMS: &[Term] = &[
    Term {
        id: "base-token",
        name: "Base tokens",
        line: "The chain's token, IOTA, in its smallest unit: 1 000 000 base tokens = 1 IOTA.",
        text: "The chain's own token, IOTA, counted in its smallest unit: 1 000 000 base tokens make 1 IOTA (6 decimals). Every balance, fee, allowance and deposit on this page is in base tokens. Solidity counts in wei: 1 base token = 10^12 wei, so 1 IOTA is 10^18 wei, what Solidity calls 1 ether.",
    },
    Term {
        id: "on-chain",
        name: "On chain and L1 wallet",
        line: "On chain: tokens the chain keeps for an agent. L1 wallet: tokens on the ledger, outside the chain.",
        text: "An L1 wallet holds a user's tokens on the ledger (layer 1), outside the chain. An on-chain account holds tokens the chain itself keeps, for any agent: users, contracts and Ethereum addresses. A request can bring tokens from its sender's L1 wallet into their on-chain account (a deposit); contracts only ever see on-chain accounts, and fees are paid from them.",
    },
    Term {
        id: "two-blocks",
        name: "Why a deploy takes two blocks",
        line: "blob.storeBlob stores the program, then root.deployContract creates the contract from it.",
        text: "In ISC a program is stored first, as a blob (blob.storeBlob: its bytes, identified by their hash), and root.deployContract then creates a contract from that program hash and runs its init. Each is a request and, here, each request closes a block. Deploying a program the chain already stores skips the first step.",
    },
    Term {
        id: "queue",
        name: "The queue and asynchronous requests",
        line: "Requests waiting for a block: posted by contracts (with a time lock) or queued by you.",
        text: "A contract can post a request to its own chain instead of calling: it does not run now but waits in the queue, with the contract as its sender, the tokens it carries in flight, and an optional time lock (a delay in seconds). A later block runs the queued requests whose time has come, several to a block, after the request that made the block. \"Run next block\" makes a block of just the ready ones; \"Advance time\" moves the clock so a time lock opens. \"Queue\" on a func puts your own request there.",
    },
    Term {
        id: "allowance",
        name: "Allowance",
        line: "How much of your on-chain account the called contract may take during this request.",
        text: "An allowance is how much of the sender's on-chain account the called contract may take during this request: ISC's way to pay a contract, which takes the tokens explicitly (a bet, a deposit). What it does not take stays with the sender.",
    },
    Term {
        id: "value",
        name: "Value (msg.value)",
        line: "Base tokens sent to a payable Solidity function: they arrive as msg.value, in wei.",
        text: "Value is Solidity's msg.value: tokens moved from the sender's on-chain account to the EVM contract with the call, for payable functions only. Type it in base tokens, wei, gwei or ether; it must be a whole number of base tokens (10^12 wei each).",
    },
    Term {
        id: "gas",
        name: "Gas, fee and the minimum",
        line: "A request burns gas; its fee is gas ÷ 100 base tokens, and it is charged at least 10 000 gas.",
        text: "Every request burns gas for what it runs, stores and copies, and pays a fee of gas ÷ 100 base tokens (rounded up) from the sender's on-chain account. ISC charges every request at least 10 000 gas, however little it does, so the smallest fee is 100 base tokens. The gas budget caps what a request may burn: past it the request fails with out of gas, its changes are undone, and the fee is still paid.",
    },
    Term {
        id: "hname",
        name: "hname",
        line: "A contract's or entry point's 4-byte id, from the hash of its name.",
        text: "A contract's or entry point's 4-byte id: the first 4 bytes of the blake2b-256 hash of its name, written as 8 hex digits (inccounter is af2438e9). Requests, receipts and state refer to contracts by hname; the page adds the name wherever it knows it.",
    },
    Term {
        id: "agent",
        name: "Agent id",
        line: "Who holds an account or sends a request: a user, a contract or an Ethereum address.",
        text: "An agent id names who holds an account or sends a request: a user's L1 address, a contract (its hname on this chain) or an Ethereum address. Solidity sees every agent as a 20-byte address; the accounts table shows both forms.",
    },
    Term {
        id: "state-hash",
        name: "State hash",
        line: "A hash of the whole chain state: the same requests give the same hash everywhere.",
        text: "A hash of the whole chain state after a block. The same requests give the same hash on every machine and browser: that is how a shared link or an exported session proves it replayed exactly.",
    },
];

fn term(id: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.id == id)
}

/// A "?" linking to the glossary entry `term`, its line on hover.
#[component]
pub(crate) fn Hint(
    /// The entry's id.
    term: &'static str,
) -> impl IntoView {
    let entry = self::term(term);
    entry.map(|entry| {
        view! {
            <a class="glossary-hint" href=format!("#glossary-{}", entry.id) title=entry.line
                data-testid=format!("hint-{}", entry.id)
                aria-label=format!("{}: {}", entry.name, entry.line)>"?"</a>
        }
    })
}

/// Every entry, at the foot of the page.
#[component]
pub(crate) fn Glossary() -> impl IntoView {
    view! {
        <section class="panel glossary" aria-labelledby="glossary-title" data-testid="glossary">
            <h2 id="glossary-title">"Glossary"</h2>
            <dl>
                {TERMS.iter().map(|t| view! {
                    <dt id=format!("glossary-{}", t.id)>{t.name}</dt>
                    <dd>{t.text}</dd>
                }).collect_view()}
            </dl>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_term_has_a_line_shorter_than_its_text() {
        for term in super::TERMS {
            assert!(term.line.len() < term.text.len(), "{}", term.id);
            assert!(
                term.line.len() <= 110,
                "{}: keep the hover to one line",
                term.id
            );
        }
    }
}
