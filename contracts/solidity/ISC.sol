// SPDX-License-Identifier: Apache-2.0
// ISC Playground's interface to the ISC magic contract, written here from
// the ISC sandbox interface's signatures. Import it to reach the chain.
// The engine reads its structs and interfaces from this very file (alloy's
// `sol!`), so what contracts call is what the engine answers.
pragma solidity ^0.8.24;

/// A key/value pair of an ISC dict.
struct ISCDictItem {
    bytes key;
    bytes value;
}

/// An ISC dict: params and results of ISC calls.
struct ISCDict {
    ISCDictItem[] items;
}

struct NativeTokenID {
    bytes data;
}

struct NativeToken {
    NativeTokenID ID;
    uint256 amount;
}

/// Tokens: base tokens (native tokens and NFTs are not supported here).
struct ISCAssets {
    uint64 baseTokens;
    NativeToken[] nativeTokens;
    bytes32[] nfts;
}

/// An ISC agent id, in WasmLib's byte encoding.
struct ISCAgentID {
    bytes data;
}

struct ISCRequestID {
    bytes data;
}

type ISCHname is uint32;

/// An L1 address, serialized: a type byte and its bytes. This chain's is
/// 8 followed by its chain id (`ISC.chainAddress()`).
struct L1Address {
    bytes data;
}

/// The request `send` posts: its target, params, allowance and gas budget
/// (0: the chain's maximum).
struct ISCSendMetadata {
    uint32 targetContract;
    uint32 entrypoint;
    ISCDict params;
    ISCAssets allowance;
    uint64 gasBudget;
}

/// When an on-ledger output expires (no L1 here: ignored).
struct ISCExpiration {
    int64 time;
    L1Address returnAddress;
}

/// The request's time lock (Unix seconds; 0: none) and expiration.
struct ISCSendOptions {
    int64 timelock;
    ISCExpiration expiration;
}

/// The ISC sandbox, at the magic address.
interface ISCSandbox {
    function getRequestID() external view returns (ISCRequestID memory);
    function getSenderAccount() external view returns (ISCAgentID memory);
    function triggerEvent(string memory s) external;
    function getEntropy() external view returns (bytes32);
    function getChainID() external view returns (bytes32);
    function getChainOwnerID() external view returns (ISCAgentID memory);
    function getTimestampUnixSeconds() external view returns (int64);
    function call(uint32 contractHname, uint32 entryPoint, ISCDict memory params, ISCAssets memory allowance)
        external
        returns (ISCDict memory);
    function callView(uint32 contractHname, uint32 entryPoint, ISCDict memory params)
        external
        view
        returns (ISCDict memory);
    /// Lets `target` take up to `allowance` more from the caller's account.
    function allow(address target, ISCAssets memory allowance) external;
    /// What `addr` allows the caller to take (including, for the called
    /// contract, what the request's sender allowed it in this request).
    function getAllowanceFrom(address addr) external view returns (ISCAssets memory);
    /// What the caller allows `target` to take.
    function getAllowanceTo(address target) external view returns (ISCAssets memory);
    /// What `from` allows `to` to take.
    function getAllowance(address from, address to) external view returns (ISCAssets memory);
    /// Moves `allowance` from `addr`'s account into the caller's, within
    /// what `addr` allowed it.
    function takeAllowedFunds(address addr, ISCAssets memory allowance) external;
    /// Posts a request to this chain (`targetAddress` = `ISC.chainAddress()`)
    /// with the caller as its sender, carrying `assets` from the caller's
    /// account: a later block runs it, once `sendOptions.timelock` has
    /// passed. The allowance may not exceed `assets`.
    function send(
        L1Address memory targetAddress,
        ISCAssets memory assets,
        bool adjustMinimumStorageDeposit,
        ISCSendMetadata memory metadata,
        ISCSendOptions memory sendOptions
    ) external payable;
}

/// The chain's base token as an ERC-20: balances are the chain's accounts.
interface ISCBaseTokens {
    function name() external view returns (string memory);
    function symbol() external view returns (string memory);
    function decimals() external view returns (uint8);
    function totalSupply() external view returns (uint256);
    function balanceOf(address account) external view returns (uint256);
    function allowance(address owner, address spender) external view returns (uint256);
    /// Pays from the caller's own chain account.
    function transfer(address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
}

library ISC {
    ISCSandbox constant sandbox = ISCSandbox(0x1074000000000000000000000000000000000000);
    ISCBaseTokens constant baseTokens = ISCBaseTokens(0x1074010000000000000000000000000000000000);

    function emptyDict() internal pure returns (ISCDict memory dict) {
        dict.items = new ISCDictItem[](0);
    }

    function noAssets() internal pure returns (ISCAssets memory assets) {
        assets.nativeTokens = new NativeToken[](0);
        assets.nfts = new bytes32[](0);
    }

    /// This chain's L1 address: where `sandbox.send` posts a request to.
    function chainAddress() internal view returns (L1Address memory) {
        return L1Address(abi.encodePacked(uint8(8), sandbox.getChainID()));
    }

    /// `amount` base tokens as assets.
    function baseAssets(uint64 amount) internal pure returns (ISCAssets memory assets) {
        assets = noAssets();
        assets.baseTokens = amount;
    }

    /// WasmLib's value bytes of an int64 (8 bytes, little-endian).
    function int64FromBytes(bytes memory b) internal pure returns (int64) {
        require(b.length == 8 || b.length == 0, "ISC: not an int64");
        uint64 v = 0;
        for (uint256 i = 0; i < b.length; i++) {
            v |= uint64(uint8(b[i])) << uint64(8 * i);
        }
        return int64(v);
    }

    /// The value under `key` in `dict`, or empty.
    function get(ISCDict memory dict, bytes memory key) internal pure returns (bytes memory) {
        for (uint256 i = 0; i < dict.items.length; i++) {
            if (keccak256(dict.items[i].key) == keccak256(key)) {
                return dict.items[i].value;
            }
        }
        return "";
    }
}
