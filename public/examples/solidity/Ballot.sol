// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Ballot: one vote per address, the chairperson opens it.
contract Ballot {
    struct Proposal {
        string name;
        uint256 votes;
    }

    address public chairperson;
    Proposal[] public proposals;
    mapping(address => bool) public voted;

    event Voted(address indexed voter, uint256 proposal);

    constructor(string[] memory names) {
        chairperson = msg.sender;
        for (uint256 i = 0; i < names.length; i++) {
            proposals.push(Proposal({name: names[i], votes: 0}));
        }
    }

    function vote(uint256 proposal) external {
        require(!voted[msg.sender], "Already voted.");
        require(proposal < proposals.length, "No such proposal.");
        voted[msg.sender] = true;
        proposals[proposal].votes += 1;
        emit Voted(msg.sender, proposal);
    }

    function proposalCount() external view returns (uint256) {
        return proposals.length;
    }

    function winningProposal() public view returns (uint256 winner, string memory winnerName, uint256 votes) {
        for (uint256 i = 0; i < proposals.length; i++) {
            if (proposals[i].votes > votes) {
                winner = i;
                votes = proposals[i].votes;
            }
        }
        winnerName = proposals.length > 0 ? proposals[winner].name : "";
    }
}
