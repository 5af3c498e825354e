// What the script console's `viem` holds: viem's main module and the local
// accounts of `viem/accounts` (sign with a private key, then
// eth_sendRawTransaction). Bundled into one ES module by `cargo xtask setup`.
export * from 'viem';
export { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
