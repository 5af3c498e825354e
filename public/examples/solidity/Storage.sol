// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Storage: keeps one number.
contract Storage {
    uint256 private value;

    event ValueChanged(address indexed by, uint256 value);

    function set(uint256 newValue) external {
        value = newValue;
        emit ValueChanged(msg.sender, newValue);
    }

    function get() external view returns (uint256) {
        return value;
    }
}
