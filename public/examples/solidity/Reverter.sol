// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Reverter: every way a call can fail.
contract Reverter {
    uint256 public touched;

    error Unauthorized(address caller, uint256 code);

    /// require with a reason: Error(string).
    function failWithReason() external {
        touched += 1;
        require(touched == 0, "Reverter: no, not today");
    }

    /// A custom error with arguments.
    function failWithCustomError(uint256 code) external {
        touched += 1;
        revert Unauthorized(msg.sender, code);
    }

    /// A checked-arithmetic panic: Panic(0x11).
    function failWithPanic() external returns (uint256) {
        touched += 1;
        uint256 zero = touched - touched;
        return zero - 1;
    }

    /// Division by zero: Panic(0x12).
    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }

    /// Never returns: runs out of gas.
    function spin() external {
        while (true) {
            touched += 1;
        }
    }
}
