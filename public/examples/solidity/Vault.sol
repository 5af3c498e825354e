// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import "./ISC.sol";

/// @title Vault: ether-style value on an ISC chain. `msg.value` and
/// `address(this).balance` are the chain's base tokens (1 base token =
/// 10^12 wei), so what a user pays in lands in the contract's chain account;
/// `allow` and `takeAllowedFunds` let one contract pull from another.
contract Vault {
    mapping(address => uint256) public deposits;

    event Deposited(address indexed who, uint256 amount);
    event Withdrawn(address indexed who, uint256 amount);

    error NothingToWithdraw(address who, uint256 asked, uint256 held);

    /// Keeps what was sent, in the sender's name.
    function deposit() external payable {
        deposits[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// Sends `amount` wei of the caller's deposit back to them.
    function withdraw(uint256 amount) external {
        uint256 held = deposits[msg.sender];
        if (amount > held) revert NothingToWithdraw(msg.sender, amount, held);
        deposits[msg.sender] = held - amount;
        (bool sent, ) = payable(msg.sender).call{value: amount}("");
        require(sent, "Vault: payment failed");
        emit Withdrawn(msg.sender, amount);
    }

    /// Everything this contract holds, in wei.
    function total() external view returns (uint256) {
        return address(this).balance;
    }

    /// Lets `spender` take up to `amount` base tokens from this vault.
    function allowTo(address spender, uint64 amount) external {
        ISC.sandbox.allow(spender, ISC.baseAssets(amount));
    }

    /// What `from` still lets this vault take, in base tokens.
    function allowedFrom(address from) external view returns (uint64) {
        return ISC.sandbox.getAllowanceFrom(from).baseTokens;
    }

    /// Takes `amount` base tokens that `from` allowed this vault.
    function pull(address from, uint64 amount) external {
        ISC.sandbox.takeAllowedFunds(from, ISC.baseAssets(amount));
    }

    /// Approves `spender` for `amount` base tokens of this vault, ERC-20 style.
    function approveBase(address spender, uint256 amount) external {
        require(ISC.baseTokens.approve(spender, amount), "Vault: approve failed");
    }

    /// Moves `amount` base tokens from `from` to `to` with what `from`
    /// approved this vault, ERC-20 style.
    function pullBase(address from, address to, uint256 amount) external {
        require(ISC.baseTokens.transferFrom(from, to, amount), "Vault: transferFrom failed");
    }
}
