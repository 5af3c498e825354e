// The bench page's baseline: `@ethereumjs/evm` (npm, pinned) running the
// same Token transfers as the engine, in the page's V8. Bundled into one
// ES module by `cargo xtask setup`.
import { createEVM } from '@ethereumjs/evm';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createAddressFromString, hexToBytes } from '@ethereumjs/util';

/** Deploys `creation` (hex, constructor arguments appended) from `from`,
 * then times `count` calls of `calldata` (hex) to it. */
export async function timeCalls(creation, calldata, from, count) {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
  const evm = await createEVM({ common });
  const caller = createAddressFromString(from);
  const deployed = await evm.runCall({ caller, data: hexToBytes(creation), gasLimit: 30_000_000n });
  if (deployed.execResult.exceptionError) throw new Error(`deploy: ${deployed.execResult.exceptionError.error}`);
  const to = deployed.createdAddress;
  const data = hexToBytes(calldata);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const result = await evm.runCall({ caller, to, data, gasLimit: 1_000_000n });
    if (result.execResult.exceptionError) throw new Error(`call: ${result.execResult.exceptionError.error}`);
  }
  const total_ms = performance.now() - start;
  return { ops: count, total_ms, per_op_us: (total_ms * 1000) / count };
}
