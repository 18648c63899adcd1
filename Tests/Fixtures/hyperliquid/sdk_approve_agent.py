#!/usr/bin/env python3
"""Runs the official SDK's `Exchange.approve_agent` with its network call recorded, for the tests.

Usage: sdk_approve_agent.py PRIVATE_KEY AGENT_PRIVATE_KEY NONCE mainnet|testnet [NAME]
Prints one JSON line: {"posted_action": ..., "signature": {"r", "s", "v"}, "nonce": ...}, the
action exactly as the SDK would POST it (without `agentName` when NAME is omitted) and its
signature. The agent key and the time, which the SDK draws itself, are fixed by the arguments.
"""

import json
import sys

import eth_account
import hyperliquid.exchange as exchange_module
from hyperliquid.exchange import Exchange
from hyperliquid.utils.constants import MAINNET_API_URL, TESTNET_API_URL


def main():
    private_key, agent_key, nonce, network = sys.argv[1:5]
    name = sys.argv[5] if len(sys.argv) > 5 else None
    exchange_module.get_timestamp_ms = lambda: int(nonce)
    exchange_module.secrets.token_hex = lambda _: agent_key.removeprefix("0x")
    recorded = {}

    def post_action(self, action, signature, nonce):
        recorded.update(posted_action=action, signature=signature, nonce=nonce)
        return {"status": "ok"}

    Exchange._post_action = post_action
    wallet = eth_account.Account.from_key(private_key)
    # The constructor asks the venue for its metadata unless given it.
    exchange = Exchange(wallet, MAINNET_API_URL if network == "mainnet" else TESTNET_API_URL,
                        meta={"universe": []}, spot_meta={"universe": [], "tokens": []})
    exchange.approve_agent(name)
    print(json.dumps(recorded))


if __name__ == "__main__":
    main()
