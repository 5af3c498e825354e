// Solidity as Remix users know it: the compiler picked from the pragma or
// chosen (with optimizer and EVM version), OpenZeppelin imports, and a
// share link that rebuilds each program with the compiler that built it.
import { readFileSync } from 'node:fs';
import { test, expect, unpackLink, opensAtTheSameHash } from '../playground.mjs';

const OLD = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

contract Old {
    uint256 public total;
    function add(uint256 n) external { total += n; }
}
`;

const GOLD = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract Gold is ERC20, Ownable {
    constructor() ERC20("Gold", "GLD") Ownable(msg.sender) {
        _mint(msg.sender, 1000);
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
`;

test('the pragma picks the compiler, a chosen one builds with its settings, and a link rebuilds both', async ({ playground, browser }) => {
  test.setTimeout(180_000);
  const { page } = playground;
  const editor = page.locator('section.editor-panel');
  const status = page.getByTestId('compile-status');
  await playground.open();
  await page.getByTestId('editor-language').selectOption('solidity');

  // No shipped compiler fits: said before anything loads.
  await playground.typeCode(OLD.replace('0.8.19', '^0.7.6'));
  await page.getByTestId('compile').click();
  await expect(status).toContainText('no compiler the playground ships fits `pragma solidity ^0.7.6`');

  // `pragma solidity 0.8.19` is built by solc 0.8.19.
  await playground.typeCode(OLD);
  await page.getByTestId('compile').click();
  await expect(status).toHaveText(/^compiled: Old \(\d+ bytes\), by solc 0\.8\.19 \(the newest that fits the pragma\)$/, {
    timeout: 60_000,
  });
  await playground.deployFrom(editor, 'old');
  await expect(await playground.call('add', { n: '5' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('total')).toHaveText(/#0 = 5/);

  // Chosen by hand: solc 0.8.24, optimizer off, EVM version london.
  await playground.typeCode(OLD.replace('0.8.19', '^0.8.19').replace('contract Old', 'contract Chosen'));
  await page.getByTestId('solc-version').selectOption('0.8.24');
  await page.getByTestId('optimizer').uncheck();
  await expect(page.getByTestId('optimizer-runs')).toBeHidden();
  await page.getByTestId('evm-version').selectOption('london');
  await page.getByTestId('compile').click();
  await expect(status).toHaveText(/^compiled: Chosen \(\d+ bytes\), by solc 0\.8\.24$/, { timeout: 60_000 });
  await playground.deployFrom(editor, 'chosen');
  await expect(await playground.call('add', { n: '7' })).toHaveText(/^block \d+: ok/);

  // A version that does not fit the pragma: solc itself says so.
  await page.getByTestId('solc-version').selectOption('0.8.19');
  await playground.typeCode(OLD.replace('0.8.19', '^0.8.24'));
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('problem').first()).toContainText('requires different compiler version', {
    timeout: 60_000,
  });
  await page.screenshot({ path: 'e2e/screenshots/solidity-compilers.png', fullPage: true });

  // The link carries both sources with their compilers' records and
  // rebuilds both programs the same way in another browser.
  const { url, hash } = await playground.share();
  const json = unpackLink(url);
  const records = json.session.sources.filter((s) => s.language === 'solidity').map((s) => s.compiler);
  expect(records).toEqual([
    expect.stringMatching(/^solc-js 0\.8\.19\+commit\.\S+$/),
    expect.stringMatching(/^solc-js 0\.8\.24\+commit\.\S+ --no-optimize --evm-version london$/),
  ]);
  expect(json.omitted).toHaveLength(2);
  await opensAtTheSameHash(browser, url, hash);
  expect(playground.consoleErrors).toEqual([]);
});

test('OpenZeppelin Contracts import as in Remix; the build output is there to copy and download; a missing file is a problem at its import', async ({ playground }) => {
  test.setTimeout(120_000);
  const { page } = playground;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const editor = page.locator('section.editor-panel');
  const status = page.getByTestId('compile-status');
  await playground.open();
  await page.getByTestId('editor-language').selectOption('solidity');
  await playground.typeCode(GOLD);
  await page.getByTestId('compile').click();
  await expect(status).toHaveText(/^compiled: Gold \(\d+ bytes\), by solc 0\.8\.37 \(the newest that fits the pragma\)$/, {
    timeout: 60_000,
  });
  await playground.deployFrom(editor, 'gold');
  await expect(await playground.call('name')).toHaveText(/#0 = "?Gold"?/);
  await expect(await playground.call('totalSupply')).toHaveText(/#0 = 1000/);
  await expect(await playground.call('mint', { to: '0x00000000000000000000000000000000000000aa', amount: '5' })).toHaveText(
    /^block \d+: ok/,
  );
  await expect(await playground.call('totalSupply')).toHaveText(/#0 = 1005/);

  // The build output: method identifiers, storage layout, ABI, bytecode.
  const output = editor.getByTestId('build-output');
  await expect(output).toHaveCount(1);
  await output.locator('summary').click();
  await expect(output.getByTestId('method-identifiers')).toContainText('0xa9059cbb');
  await expect(output.getByTestId('method-identifiers')).toContainText('transfer(address,uint256)');
  const balances = output.getByTestId('storage-layout').locator('tr', { hasText: '_balances' });
  await expect(balances).toContainText('mapping(address => uint256)');
  await expect(output.getByTestId('deployed-bytecode')).toHaveText(/^0x[0-9a-f]+$/);
  await output.getByTestId('copy-abi').click();
  await expect(output.getByTestId('message')).toHaveText('The ABI is on the clipboard.');
  const abi = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  expect(abi.some((item) => item.name === 'mint')).toBe(true);
  const download = page.waitForEvent('download');
  await output.getByTestId('download-artifact').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('Gold.json');
  const artifact = JSON.parse(readFileSync(await file.path(), 'utf8'));
  expect(artifact._format).toBe('hh-sol-artifact-1');
  expect(artifact.contractName).toBe('Gold');
  expect(artifact.bytecode).toMatch(/^0x60/);
  expect(artifact.deployedBytecode).toBe(await output.getByTestId('deployed-bytecode').textContent());
  expect(artifact.compiler).toMatch(/^solc-js 0\.8\.37\+/);
  await output.screenshot({ path: 'e2e/screenshots/build-output.png' });

  // A path the library does not have: solc's error, on the import's line.
  await playground.typeCode(GOLD.replace('token/ERC20/ERC20.sol', 'token/ERC20/ERC21.sol'));
  await page.getByTestId('compile').click();
  const problem = page.getByTestId('problem').first();
  await expect(problem).toContainText('ERC21.sol', { timeout: 60_000 });
  await expect(problem).toContainText(' 4:');
  expect(playground.consoleErrors).toEqual([]);
});

const CALC = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Twice} from "./lib/Twice.sol";

contract Calc {
    function twice(uint256 x) external pure returns (uint256) {
        return Twice.double(x);
    }
}
`;

const TWICE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

library Twice {
    function double(uint256 x) internal pure returns (uint256) {
        return 2 * x;
    }
}
`;

test('a project of several files: import between them, problems in their file, kept on reload and in a link', async ({ playground, browser }) => {
  test.setTimeout(180_000);
  const { page } = playground;
  const editor = page.locator('section.editor-panel');
  await playground.open();
  await page.getByTestId('editor-language').selectOption('solidity');
  await playground.typeCode(CALC);

  // A name that is no plain path is refused, and adds nothing.
  await page.getByTestId('new-file-name').fill('my lib.sol');
  await page.getByTestId('add-file').click();
  await expect(page.getByTestId('file-message')).toContainText('plain path');
  await page.getByTestId('new-file-name').fill('lib/Twice.sol');
  await page.getByTestId('add-file').click();
  const lib = page.getByTestId('file-lib/Twice.sol');
  const main = page.getByTestId('file-Contract.sol');
  await expect(lib).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('file-message')).toHaveCount(0);
  await playground.typeCode(TWICE.replace('2 * x', '2 * x +'));

  // Compiling the main file: the library's syntax error is placed in its
  // file; following it shows that file.
  await main.click();
  await expect(main).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('.monaco .view-lines')).toContainText('contract Calc');
  await page.getByTestId('compile').click();
  const problem = page.getByTestId('problem').first();
  await expect(problem).toContainText('lib/Twice.sol:6:', { timeout: 60_000 });
  // Monaco marks a problem in the file it is in, not in the one shown.
  const errorLines = () =>
    page.evaluate(() =>
      window.monaco.editor
        .getModelMarkers({})
        .filter((m) => m.severity === window.monaco.MarkerSeverity.Error)
        .map((m) => m.startLineNumber),
    );
  expect(await errorLines()).toEqual([]);
  await problem.getByTestId('problem-go').click();
  await expect(lib).toHaveAttribute('aria-selected', 'true');
  expect(await errorLines()).toEqual([6]);
  await playground.typeCode(TWICE);
  await main.click();
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: Calc \(\d+ bytes\)/, { timeout: 60_000 });
  await playground.deployFrom(editor, 'calc');
  await expect(await playground.call('twice', { x: '21' })).toHaveText(/#0 = 42/);

  // The project comes back after a reload, the same file shown.
  await page.reload();
  await expect(page.getByTestId('engine-status')).toHaveText('engine ready');
  await expect(page.getByTestId('file-lib/Twice.sol')).toHaveAttribute('aria-selected', 'false');
  await expect(page.getByTestId('file-Contract.sol')).toHaveAttribute('aria-selected', 'true');

  // The link carries both files (which needs session version 3; a new
  // chain's compact receipts need 5) and rebuilds Calc.
  const { url, hash } = await playground.share();
  const json = unpackLink(url);
  expect(json.session.version).toBe(5);
  expect(json.session.config.receipt_form).toBe('compact');
  const source = json.session.sources.find((s) => s.language === 'solidity');
  expect(source.path).toBeUndefined();
  expect(Object.keys(source.files)).toEqual(['lib/Twice.sol']);
  expect(json.omitted).toHaveLength(1);
  await opensAtTheSameHash(browser, url, hash);

  // Removing a file; the last one stays.
  await page.getByTestId('file-lib/Twice.sol').click();
  await page.getByTestId('remove-file').click();
  await expect(page.getByTestId('file-lib/Twice.sol')).toHaveCount(0);
  await expect(page.getByTestId('remove-file')).toBeHidden();
  expect(playground.consoleErrors).toEqual([]);
});
