// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import "./ISC.sol";

/// @title CrossVM: Solidity driving the Wasm `inccounter` through the ISC
/// magic contract — an EVM → Wasm call the receipt's trace shows.
contract CrossVM {
    uint32 constant INCCOUNTER = 0xaf2438e9; // hname("inccounter")
    uint32 constant INCREMENT = 0xd351bd12; // hname("increment")
    uint32 constant GET_COUNTER = 0xb423e607; // hname("getCounter")

    event Counted(int64 counter, uint64 timestamp);

    /// The Wasm counter, read through `callView`.
    function counter() public view returns (int64) {
        ISCDict memory results = ISC.sandbox.callView(INCCOUNTER, GET_COUNTER, ISC.emptyDict());
        return ISC.int64FromBytes(ISC.get(results, "counter"));
    }

    /// Increments the Wasm counter `times` times, then reads it back.
    function increment(uint8 times) external returns (int64 value) {
        for (uint8 i = 0; i < times; i++) {
            ISC.sandbox.call(INCCOUNTER, INCREMENT, ISC.emptyDict(), ISC.noAssets());
        }
        value = counter();
        emit Counted(value, uint64(ISC.sandbox.getTimestampUnixSeconds()));
        ISC.sandbox.triggerEvent("crossvm.incremented");
    }

    /// The base-token balance of `account`, through the base-token ERC-20.
    function baseBalanceOf(address account) external view returns (uint256) {
        return ISC.baseTokens.balanceOf(account);
    }

    /// Pays `amount` base tokens from this contract's chain account.
    function payBase(address to, uint256 amount) external {
        require(ISC.baseTokens.transfer(to, amount), "CrossVM: payment failed");
    }

    /// Takes everything the caller allowed this contract in the request.
    function deposit() external returns (uint64 taken) {
        ISCAssets memory allowed = ISC.sandbox.getAllowanceFrom(msg.sender);
        taken = allowed.baseTokens;
        ISC.sandbox.takeAllowedFunds(msg.sender, allowed);
    }

    /// Tries to increment a contract that does not exist: the magic contract
    /// reverts with the chain's reason, which Solidity can catch.
    function tryMissing() external returns (string memory reason) {
        try ISC.sandbox.call(0x12345678, INCREMENT, ISC.emptyDict(), ISC.noAssets()) {
            return "no error";
        } catch Error(string memory why) {
            return why;
        }
    }
}
