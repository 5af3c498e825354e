// The contract's names, as WasmLib's schema tool would generate them.
#![allow(dead_code)]

pub const SC_NAME: &str = "testcore";
pub const SC_DESCRIPTION: &str = "A tour of the sandbox: one entry point per facility";

pub const PARAM_DATA: &str = "data";
pub const PARAM_NAME: &str = "name";
pub const PARAM_PROGRAM_HASH: &str = "programHash";
pub const PARAM_AMOUNT: &str = "amount";
pub const PARAM_MEGABYTES: &str = "megabytes";
pub const PARAM_N: &str = "n";

pub const RESULT_CALLER: &str = "caller";
pub const RESULT_OWNER: &str = "owner";
pub const RESULT_TIMESTAMP: &str = "timestamp";
pub const RESULT_ENTROPY: &str = "entropy";
pub const RESULT_BALANCE: &str = "balance";
pub const RESULT_CHAIN_ID: &str = "chainID";
pub const RESULT_CONTRACT: &str = "contract";
pub const RESULT_ACCOUNT_ID: &str = "accountID";
pub const RESULT_REQUEST_ID: &str = "requestID";
pub const RESULT_BLAKE2B: &str = "blake2b";
pub const RESULT_SHA3: &str = "sha3";
pub const RESULT_HNAME: &str = "hname";
pub const RESULT_COUNTER: &str = "counter";
pub const RESULT_DEPTH: &str = "depth";
pub const RESULT_FIBONACCI: &str = "fibonacci";

pub const FUNC_TEST_PANIC: &str = "testPanic";
pub const FUNC_TEST_CALLER: &str = "testCaller";
pub const FUNC_TEST_CHAIN_OWNER: &str = "testChainOwner";
pub const FUNC_TEST_TIMESTAMP: &str = "testTimestamp";
pub const FUNC_TEST_ENTROPY: &str = "testEntropy";
pub const FUNC_TEST_EVENT: &str = "testEvent";
pub const FUNC_TEST_CALL_INCREMENT: &str = "testCallIncrement";
pub const FUNC_TEST_CALL_PANIC: &str = "testCallPanic";
pub const FUNC_TEST_ACCOUNTS_BALANCE: &str = "testAccountsBalance";
pub const FUNC_TEST_DEPLOY: &str = "testDeploy";
pub const FUNC_TEST_ENDLESS_LOOP: &str = "testEndlessLoop";
pub const FUNC_TEST_GROW_MEMORY: &str = "testGrowMemory";
pub const FUNC_TEST_DEEP_RECURSION: &str = "testDeepRecursion";
pub const FUNC_TEST_TAKE_ALLOWANCE: &str = "testTakeAllowance";
pub const FUNC_TEST_SEND_TO_CALLER: &str = "testSendToCaller";
pub const FUNC_TEST_HASHES: &str = "testHashes";
pub const FUNC_TEST_POST: &str = "testPost";
pub const FUNC_TEST_FIBONACCI: &str = "testFibonacci";
pub const VIEW_GET_SANDBOX_INFO: &str = "getSandboxInfo";
pub const VIEW_TEST_VIEW_WRITE: &str = "testViewWrite";
