#!/usr/bin/env python3
"""A fake Hyperliquid venue for the test suite, on 127.0.0.1 only.

It serves `/info` and `/exchange` as the venue shapes them and verifies EVERY signed action by
recovering the signer with the official SDK's own hashing (`hyperliquid.utils.signing`:
`action_hash`, `construct_phantom_agent`, `l1_payload`) and `eth_account`, never with the arena's
code. It keeps users, agents, orders, positions, balances and fills; IOC and crossing orders fill
against a configurable mid; `/control` sets mids, adds users and agents, injects failures (an
`err` answer, HTTP 500, 429, a dropped connection, a time-out before or after the action was
applied, a dropped connection or HTTP 500 after it was applied; queued one by one, or at random
on a share of `/exchange` calls with `fault_rate`) and reports the state for assertions, with a
log of every request it received.

Grouped exits behave as the venue's: with `normalTpsl` the orders after the first are its
take-profit and stop, waiting (`waitingForFill`) until it fills and then sized to what filled;
with `positionTpsl` they are tied to the position. When one exit of a group fills, the others
are cancelled (`siblingFilledCanceled`); when a position is closed or flipped, its grouped exits
are cancelled (`reduceOnlyCanceled`). `modify` of a waiting trigger changes it in place.

Usage: fake_exchange.py [--port 0] [--network testnet|mainnet]
It prints `listening PORT` on its first line of standard output once ready, and exits when its
standard input closes (so a test that dies never leaves it running).
"""

import argparse
import json
import random
import sys
import threading
import time
from decimal import Decimal, ROUND_DOWN
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from eth_account import Account
from eth_account.messages import encode_typed_data
from hyperliquid.utils.signing import action_hash, construct_phantom_agent, l1_payload

UNIVERSE = [
    {"name": "BTC", "szDecimals": 5, "maxLeverage": 40},
    {"name": "ETH", "szDecimals": 4, "maxLeverage": 25},
    {"name": "SOL", "szDecimals": 2, "maxLeverage": 20},
]
TAKER_FEE = Decimal("0.00045")
MAKER_FEE = Decimal("0.00015")
HALF_SPREAD = Decimal("0.0001")


def text(value):
    """Writes a decimal as the venue does: plain, without exponent or trailing zeros."""
    value = Decimal(value).quantize(Decimal("0.00000001"))
    if value == 0:
        return "0.0"
    normalized = value.normalize()
    result = format(normalized, "f")
    return result if "." in result else result + ".0"


def now_ms():
    return int(time.time() * 1000)


def recover_signer(action, signature, vault_address, nonce, expires_after, is_mainnet):
    """The SDK's own L1 hashing and eth_account's recovery: the address that signed."""
    connection_id = action_hash(action, vault_address, nonce, expires_after)
    typed = l1_payload(construct_phantom_agent(connection_id, is_mainnet))
    message = encode_typed_data(full_message=typed)
    return Account.recover_message(message, vrs=[signature["v"], signature["r"], signature["s"]]).lower()


class Venue:
    def __init__(self, network):
        self.is_mainnet = network == "mainnet"
        self.lock = threading.Lock()
        self.mids = {"BTC": Decimal("65000"), "ETH": Decimal("3000"), "SOL": Decimal("150")}
        self.funding = {"BTC": Decimal("0.0000125"), "ETH": Decimal("0.00001"), "SOL": Decimal("-0.00002")}
        self.users = {}  # address -> {"balance", "positions": {coin: {...}}, "leverage": {coin: (lev, cross)}}
        self.agents = {}  # agent address -> master address
        self.orders = {}  # oid -> order dict
        self.fills = []  # dicts with "user" and the venue's fill fields
        self.nonces = {}  # signer -> set of nonces
        self.next_oid = 1000
        self.next_tid = 1
        self.failures = []  # injected failures, in order
        self.down_users = set()  # traders whose info requests all answer 500 (trader_down)
        # Random faults on a share of /exchange calls (the fault harness): rate, modes, seconds.
        self.random_faults = None
        self.fault_random = random.Random(0)
        self.faults_injected = {}
        self.requests = {"info": 0, "exchange": 0}
        self.log = []  # every /info and /exchange request as it arrived: endpoint, type, nonce, signature
        self.signatures_verified = 0
        self.signatures_refused = 0
        self.arrivals = []  # monotonic nanoseconds of /exchange arrivals
        self.actions = {}  # account address -> verified action types, in order
        self.verified = {}  # signer address -> signatures verified
        self.scheduled_cancel = {}
        # Traders (issue #14): the public tape per coin, and the venue's per-minute weight limit.
        self.trades = {}  # coin -> [trade dicts with "users": [buyer, seller]]
        self.weight_limit = None  # weight a minute before 429s; None: unlimited
        self.weight_bucket = (0, 0)  # (weight available, monotonic seconds when counted)
        self.weight_used = 0  # weight spent since the limit was set
        self.info_types = {}  # /info type -> requests answered
        self.rate_limited = 0  # requests refused with 429 by the weight limit

    # --- helpers -------------------------------------------------------------------------

    def asset(self, index):
        if not isinstance(index, int) or index < 0 or index >= len(UNIVERSE):
            return None
        return UNIVERSE[index]

    def coin_index(self, coin):
        for index, info in enumerate(UNIVERSE):
            if info["name"] == coin:
                return index
        return None

    def book(self, coin):
        mid = self.mids[coin]
        return mid * (1 - HALF_SPREAD), mid * (1 + HALF_SPREAD)

    def user(self, address):
        return self.users.get(address.lower())

    def position(self, user, coin):
        return user["positions"].setdefault(coin, {"szi": Decimal(0), "entryPx": Decimal(0)})

    def leverage(self, user, coin):
        return user["leverage"].get(coin, (20, True))

    def account_value(self, user):
        value = user["balance"]
        for coin, position in user["positions"].items():
            value += (self.mids[coin] - position["entryPx"]) * position["szi"]
        return value

    def margin_used(self, user):
        used = Decimal(0)
        for coin, position in user["positions"].items():
            lev, _ = self.leverage(user, coin)
            used += abs(position["szi"]) * self.mids[coin] / lev
        return used

    # --- orders --------------------------------------------------------------------------

    def validate(self, user, wire):
        info = self.asset(wire.get("a"))
        if info is None:
            return None, "Invalid asset."
        try:
            price = Decimal(wire["p"])
            size = Decimal(wire["s"])
        except Exception:
            return None, "Invalid order."
        decimals = info["szDecimals"]
        if size <= 0 or size != size.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN):
            return None, "Order has invalid size."
        if price <= 0:
            return None, "Order has invalid price."
        if price != price.to_integral_value():
            digits = len(price.normalize().as_tuple().digits)
            exponent = -price.normalize().as_tuple().exponent
            if digits > 5 or exponent > 6 - decimals:
                return None, "Order has invalid price."
        return info, None

    def place(self, address, user, wire, parent=None, group=None):
        info, error = self.validate(user, wire)
        if error:
            return {"error": error}
        coin = info["name"]
        cloid = wire.get("c")
        if cloid is not None and any(o["user"] == address and o["cloid"] == cloid for o in self.orders.values()):
            return {"error": "Order with this cloid already exists."}
        is_buy = bool(wire["b"])
        price = Decimal(wire["p"])
        size = Decimal(wire["s"])
        reduce_only = bool(wire["r"])
        order_type = wire["t"]
        position = self.position(user, coin)
        waiting_parent = parent is not None and parent["status"] == "open" and parent["sz"] == parent["origSz"]
        if reduce_only and not waiting_parent and (position["szi"] == 0 or (position["szi"] > 0) == is_buy):
            return {"error": "Reduce only order would increase position."}
        if not reduce_only and price * size < 10:
            return {"error": "Order must have minimum value of $10."}
        lev, _ = self.leverage(user, coin)
        if not reduce_only:
            available = self.account_value(user) - self.margin_used(user)
            if size * self.mids[coin] / lev > available:
                return {"error": "Insufficient margin to place order."}
        oid = self.next_oid
        self.next_oid += 1
        order = {
            "user": address, "oid": oid, "coin": coin, "side": "B" if is_buy else "A", "limitPx": price,
            "sz": size, "origSz": size, "timestamp": now_ms(), "cloid": cloid, "reduceOnly": reduce_only,
            "status": "open", "statusTimestamp": now_ms(), "isTrigger": "trigger" in order_type,
            "triggerPx": Decimal(order_type["trigger"]["triggerPx"]) if "trigger" in order_type else Decimal(0),
            "isMarket": order_type.get("trigger", {}).get("isMarket", False),
            "tpsl": order_type.get("trigger", {}).get("tpsl"),
            "tif": order_type.get("limit", {}).get("tif"),
            "group": group, "parent": parent["oid"] if parent is not None else None, "active": not waiting_parent,
        }
        self.orders[oid] = order
        if parent is not None:
            if waiting_parent:
                return "waitingForFill"
            # The parent filled (in part): the exit covers what filled.
            order["sz"] = order["origSz"] = parent["origSz"] - parent["sz"]
            return "waitingForTrigger"
        if order["isTrigger"]:
            return self.with_cloid({"resting": {"oid": oid}}, cloid)
        bid, ask = self.book(coin)
        crosses = price >= ask if is_buy else price <= bid
        if order["tif"] == "Alo" and crosses:
            order["status"] = "badAloPxRejected"
            return {"error": "Post only order would have immediately matched, bbo was " + text(bid) + "@" + text(ask) + ". asset=" + str(wire["a"])}
        if not crosses:
            if order["tif"] == "Ioc":
                order["status"] = "iocCancelRejected"
                return {"error": "Order could not immediately match against any resting orders. asset=" + str(wire["a"])}
            return self.with_cloid({"resting": {"oid": oid}}, cloid)
        fill_price = ask if is_buy else bid
        self.execute(order, size, fill_price, crossed=True)
        order["status"] = "filled"
        return self.with_cloid({"filled": {"totalSz": text(size), "avgPx": text(fill_price), "oid": oid}}, cloid)

    @staticmethod
    def with_cloid(status, cloid):
        if cloid is not None:
            next(iter(status.values()))["cloid"] = cloid
        return status

    def execute(self, order, size, price, crossed):
        user = self.users[order["user"]]
        coin = order["coin"]
        position = self.position(user, coin)
        signed = size if order["side"] == "B" else -size
        start = position["szi"]
        closed = Decimal(0)
        if start == 0 or (start > 0) == (signed > 0):
            total = abs(start) + size
            position["entryPx"] = (position["entryPx"] * abs(start) + price * size) / total
        else:
            closing = min(size, abs(start))
            direction = 1 if start > 0 else -1
            closed = (price - position["entryPx"]) * closing * direction
            remainder = start + signed
            if remainder == 0:
                position["entryPx"] = Decimal(0)
            elif (remainder > 0) != (start > 0):
                position["entryPx"] = price
        position["szi"] = start + signed
        self.after_fill(order, size, start, position["szi"])
        fee = (price * size * (TAKER_FEE if crossed else MAKER_FEE)).quantize(Decimal("0.000001"))
        user["balance"] += closed - fee
        order["sz"] -= size
        fill = {
            "coin": coin, "px": text(price), "sz": text(size), "side": order["side"], "time": now_ms(),
            "startPosition": text(start), "dir": ("Open " if closed == 0 else "Close ") + ("Long" if order["side"] == "B" else "Short"),
            "closedPnl": text(closed), "hash": "0x" + "0" * 64, "oid": order["oid"], "crossed": crossed, "fee": text(fee),
            "tid": self.next_tid, "feeToken": "USDC",
        }
        if order["cloid"] is not None:
            fill["cloid"] = order["cloid"]
        self.next_tid += 1
        self.fills.append({"user": order["user"], "fill": fill})

    def after_fill(self, order, size, start, end):
        """What a fill changes for grouped exits: a parent's waiting exits wake up, sized to what
        filled; a filled exit cancels its siblings; a closed or flipped position drops its exits."""
        for child in self.orders.values():
            if child["parent"] == order["oid"] and child["status"] == "open":
                if not child["active"]:
                    child["active"] = True
                    child["sz"] = child["origSz"] = Decimal(0)
                child["sz"] += size
                child["origSz"] += size
        if order["group"] is not None:
            for sibling in self.orders.values():
                if sibling is not order and sibling["group"] == order["group"] and sibling["status"] == "open":
                    sibling["status"] = "siblingFilledCanceled"
                    sibling["statusTimestamp"] = now_ms()
        if start != 0 and (end == 0 or (end > 0) != (start > 0)):
            closing_side = "A" if start > 0 else "B"
            for exit_order in self.orders.values():
                if (exit_order is not order and exit_order["user"] == order["user"] and exit_order["coin"] == order["coin"]
                        and exit_order["group"] is not None and exit_order["active"] and exit_order["status"] == "open"
                        and exit_order["side"] == closing_side):
                    exit_order["status"] = "reduceOnlyCanceled"
                    exit_order["statusTimestamp"] = now_ms()

    def reprice(self):
        """Fills resting orders and fires triggers that the new mids reach."""
        for order in list(self.orders.values()):
            if order["status"] != "open":
                continue
            bid, ask = self.book(order["coin"])
            mid = self.mids[order["coin"]]
            if order["isTrigger"]:
                if not order["active"] or order["status"] != "open":
                    continue
                is_buy = order["side"] == "B"
                above = mid >= order["triggerPx"]
                fires = (above if is_buy else not above) if order["tpsl"] == "sl" else (not above if is_buy else above)
                if fires:
                    self.execute(order, order["sz"], ask if is_buy else bid, crossed=True)
                    order["status"] = "filled"
                continue
            crosses = order["limitPx"] >= ask if order["side"] == "B" else order["limitPx"] <= bid
            if crosses:
                self.execute(order, order["sz"], order["limitPx"], crossed=False)
                order["status"] = "filled"

    # --- actions -------------------------------------------------------------------------

    def apply_action(self, address, user, action):
        kind = action.get("type")
        if kind == "order":
            grouping = action.get("grouping", "na")
            if grouping == "normalTpsl" and len(action["orders"]) > 1:
                first = self.place(address, user, action["orders"][0])
                parent = None
                if isinstance(first, dict) and "error" not in first:
                    parent = self.orders[next(iter(first.values()))["oid"]]
                statuses = [first]
                for wire in action["orders"][1:]:
                    if parent is None:
                        statuses.append({"error": "Parent order was not placed."})
                    else:
                        statuses.append(self.place(address, user, wire, parent=parent, group="normal-" + str(parent["oid"])))
                return {"status": "ok", "response": {"type": "order", "data": {"statuses": statuses}}}
            group = "position-" + str(self.next_oid) if grouping == "positionTpsl" else None
            statuses = [self.place(address, user, wire, group=group) for wire in action["orders"]]
            return {"status": "ok", "response": {"type": "order", "data": {"statuses": statuses}}}
        if kind in ("cancel", "cancelByCloid"):
            statuses = []
            for cancel in action["cancels"]:
                if kind == "cancel":
                    order = self.orders.get(cancel.get("o"))
                else:
                    order = next((o for o in self.orders.values() if o["user"] == address and o["cloid"] == cancel.get("cloid")), None)
                if order is None or order["user"] != address or order["status"] != "open":
                    statuses.append({"error": "Order was never placed, already canceled, or filled."})
                else:
                    order["status"] = "canceled"
                    order["statusTimestamp"] = now_ms()
                    statuses.append("success")
            return {"status": "ok", "response": {"type": "cancel", "data": {"statuses": statuses}}}
        if kind == "modify":
            reference = action["oid"]
            order = next((o for o in self.orders.values() if o["user"] == address and o["status"] == "open"
                          and (o["oid"] == reference or o["cloid"] == reference)), None)
            if order is None:
                return {"status": "err", "response": "Cannot modify canceled or filled order"}
            new = action["order"]
            if order["isTrigger"] and "trigger" in new["t"] and new.get("c") == order["cloid"]:
                # A waiting trigger is changed in place: same order, same cloid, new terms.
                info, error = self.validate(user, new)
                if error:
                    return {"status": "ok", "response": {"type": "order", "data": {"statuses": [{"error": error}]}}}
                order["triggerPx"] = Decimal(new["t"]["trigger"]["triggerPx"])
                order["isMarket"] = new["t"]["trigger"].get("isMarket", False)
                order["limitPx"] = Decimal(new["p"])
                order["modified"] = order.get("modified", 0) + 1
                order["statusTimestamp"] = now_ms()
                return {"status": "ok", "response": {"type": "default"}}
            order["status"] = "canceled"
            status = self.place(address, user, action["order"])
            if "error" in status:
                order["status"] = "open"
                return {"status": "ok", "response": {"type": "order", "data": {"statuses": [status]}}}
            return {"status": "ok", "response": {"type": "default"}}
        if kind == "updateLeverage":
            info = self.asset(action.get("asset"))
            leverage = action.get("leverage")
            if info is None:
                return {"status": "err", "response": "Invalid asset."}
            if not isinstance(leverage, int) or leverage < 1 or leverage > info["maxLeverage"]:
                return {"status": "err", "response": "Invalid leverage value"}
            user["leverage"][info["name"]] = (leverage, bool(action.get("isCross")))
            return {"status": "ok", "response": {"type": "default"}}
        if kind == "scheduleCancel":
            self.scheduled_cancel[address] = action.get("time")
            return {"status": "ok", "response": {"type": "default"}}
        return {"status": "err", "response": "Unknown action type " + str(kind)}

    def exchange(self, body):
        action = body.get("action")
        signature = body.get("signature")
        nonce = body.get("nonce")
        if not isinstance(action, dict) or not isinstance(signature, dict) or not isinstance(nonce, int):
            return 422, "Failed to deserialize the JSON body into the target type"
        try:
            signer = recover_signer(action, signature, body.get("vaultAddress"), nonce, body.get("expiresAfter"), self.is_mainnet)
        except Exception:
            self.signatures_refused += 1
            return 200, {"status": "err", "response": "Invalid signature"}
        address = self.agents.get(signer, signer)
        if body.get("vaultAddress"):
            address = body["vaultAddress"].lower()
        user = self.users.get(address)
        if user is None:
            self.signatures_refused += 1
            return 200, {"status": "err", "response": "User or API Wallet " + signer + " does not exist."}
        self.signatures_verified += 1
        self.verified[signer] = self.verified.get(signer, 0) + 1
        used = self.nonces.setdefault(signer, set())
        if nonce in used:
            return 200, {"status": "err", "response": "Invalid nonce: duplicate nonce " + str(nonce)}
        used.add(nonce)
        self.actions.setdefault(address, []).append(action.get("type"))
        return 200, self.apply_action(address, user, action)

    # --- info ----------------------------------------------------------------------------

    def frontend_order(self, order):
        tif = order["tif"]
        if order["isTrigger"]:
            kind = "Take Profit" if order["tpsl"] == "tp" else "Stop"
            order_type = kind + (" Market" if order["isMarket"] else " Limit")
        else:
            order_type = "Limit"
        return {
            "coin": order["coin"], "side": order["side"], "limitPx": text(order["limitPx"]), "sz": text(order["sz"]),
            "oid": order["oid"], "timestamp": order["timestamp"], "origSz": text(order["origSz"]),
            "isTrigger": order["isTrigger"], "triggerPx": text(order["triggerPx"]),
            "triggerCondition": "N/A" if not order["isTrigger"] else "Price crosses " + text(order["triggerPx"]),
            "orderType": order_type, "reduceOnly": order["reduceOnly"], "tif": tif, "cloid": order["cloid"],
            "isPositionTpsl": False, "children": [],
        }

    def clearinghouse(self, address):
        user = self.users.get(address.lower()) or {"balance": Decimal(0), "positions": {}, "leverage": {}}
        positions = []
        total_ntl = Decimal(0)
        for coin, position in sorted(user["positions"].items()):
            if position["szi"] == 0:
                continue
            mark = self.mids[coin]
            lev, cross = self.leverage(user, coin)
            value = abs(position["szi"]) * mark
            total_ntl += value
            positions.append({"type": "oneWay", "position": {
                "coin": coin, "szi": text(position["szi"]), "entryPx": text(position["entryPx"]), "positionValue": text(value),
                "unrealizedPnl": text((mark - position["entryPx"]) * position["szi"]), "returnOnEquity": "0.0",
                "liquidationPx": None, "marginUsed": text(value / lev), "maxLeverage": 40,
                "leverage": {"type": "cross" if cross else "isolated", "value": lev},
                "cumFunding": {"allTime": "0.0", "sinceChange": "0.0", "sinceOpen": "0.0"},
            }})
        summary = {
            "accountValue": text(self.account_value(user)), "totalNtlPos": text(total_ntl),
            "totalRawUsd": text(user["balance"]), "totalMarginUsed": text(self.margin_used(user)),
        }
        return {"marginSummary": summary, "crossMarginSummary": summary, "crossMaintenanceMarginUsed": "0.0",
                "withdrawable": summary["accountValue"], "assetPositions": positions, "time": now_ms()}

    def info(self, body):
        kind = body.get("type")
        if kind == "meta":
            return 200, {"universe": UNIVERSE}
        if kind == "metaAndAssetCtxs":
            contexts = []
            for info in UNIVERSE:
                mid = self.mids[info["name"]]
                contexts.append({"funding": text(self.funding[info["name"]]), "openInterest": "1234.5", "prevDayPx": text(mid),
                                 "dayNtlVlm": "1000000.0", "premium": "0.0", "oraclePx": text(mid), "markPx": text(mid),
                                 "midPx": text(mid), "impactPxs": [text(mid), text(mid)], "dayBaseVlm": "100.0"})
            return 200, [{"universe": UNIVERSE}, contexts]
        if kind == "allMids":
            return 200, {coin: text(mid) for coin, mid in self.mids.items()}
        if kind == "l2Book":
            coin = body.get("coin")
            if coin not in self.mids:
                return 500, "null"
            bid, ask = self.book(coin)
            levels = [[{"px": text(bid - i), "sz": "1.5", "n": 2} for i in range(5)],
                      [{"px": text(ask + i), "sz": "1.5", "n": 2} for i in range(5)]]
            return 200, {"coin": coin, "time": now_ms(), "levels": levels}
        if kind == "candleSnapshot":
            request = body.get("req", {})
            coin = request.get("coin")
            mid = text(self.mids.get(coin, Decimal(1)))
            start = int(request.get("startTime", 0))
            return 200, [{"t": start, "T": start + 59999, "s": coin, "i": request.get("interval"), "o": mid, "c": mid,
                          "h": mid, "l": mid, "v": "1.0", "n": 3}]
        if kind == "recentTrades":
            coin = body.get("coin")
            if coin not in self.mids:
                return 500, "null"
            return 200, self.trades.get(coin, [])[-20:]
        user = str(body.get("user", "")).lower()
        if kind == "userRole":
            user = str(body.get("user", "")).lower()
            if user in self.agents:
                return 200, {"role": "agent", "data": {"user": self.agents[user]}}
            return 200, {"role": "user"} if user in self.users else {"role": "missing"}
        if kind == "clearinghouseState":
            return 200, self.clearinghouse(user)
        if kind == "openOrders":
            return 200, [{"coin": o["coin"], "limitPx": text(o["limitPx"]), "oid": o["oid"], "side": o["side"], "sz": text(o["sz"]),
                          "timestamp": o["timestamp"], "origSz": text(o["origSz"]), "cloid": o["cloid"]}
                         for o in self.orders.values() if o["user"] == user and o["status"] == "open"]
        if kind == "frontendOpenOrders":
            return 200, [self.frontend_order(o) for o in self.orders.values() if o["user"] == user and o["status"] == "open"]
        if kind == "userFills":
            return 200, [entry["fill"] for entry in reversed(self.fills) if entry["user"] == user]
        if kind == "userFunding":
            return 200, []
        if kind == "userFillsByTime":
            start = body.get("startTime")
            end = body.get("endTime")
            if not isinstance(start, int) or (end is not None and not isinstance(end, int)):
                return 422, "Failed to deserialize the JSON body into the target type"
            fills = [entry["fill"] for entry in self.fills if entry["user"] == user and entry["fill"]["time"] >= start
                     and (end is None or entry["fill"]["time"] <= end)]
            return 200, sorted(fills, key=lambda fill: (fill["time"], fill["tid"]))[:2000]
        if kind == "orderStatus":
            reference = body.get("oid")
            order = next((o for o in self.orders.values() if o["user"] == user and (o["oid"] == reference or o["cloid"] == reference)), None)
            if order is None:
                return 200, {"status": "unknownOid"}
            return 200, {"status": "order", "order": {"order": self.frontend_order(order), "status": order["status"],
                                                      "statusTimestamp": order["statusTimestamp"]}}
        return 422, "Failed to deserialize the JSON body into the target type"

    # --- control -------------------------------------------------------------------------

    def control(self, body):
        if "set_mids" in body:
            for coin, mid in body["set_mids"].items():
                self.mids[coin] = Decimal(mid)
            self.reprice()
        if "add_user" in body:
            spec = body["add_user"]
            self.users[spec["address"].lower()] = {"balance": Decimal(spec.get("balance", "0")), "positions": {}, "leverage": {}}
        if "add_agent" in body:
            spec = body["add_agent"]
            self.agents[spec["agent"].lower()] = spec["user"].lower()
        if "fail" in body:
            spec = body["fail"]
            for _ in range(int(spec.get("count", 1))):
                self.failures.append(spec)
        if "fault_rate" in body:
            spec = body["fault_rate"]
            rate = float(spec.get("rate", 0))
            self.random_faults = spec if rate > 0 else None
            self.fault_random = random.Random(int(spec.get("seed", 0)))
        if "set_trader" in body:
            # A trader's account as the venue holds it: account value and positions, set outright.
            # One trader, or a list of them (a benchmark sets a thousand at once).
            specs = body["set_trader"] if isinstance(body["set_trader"], list) else [body["set_trader"]]
            for spec in specs:
                user = self.users.setdefault(spec["address"].lower(), {"balance": Decimal(0), "positions": {}, "leverage": {}})
                user["positions"] = {coin: {"szi": Decimal(p["szi"]), "entryPx": Decimal(p["entryPx"])}
                                     for coin, p in spec.get("positions", {}).items()}
                unrealized = sum(((self.mids[coin] - p["entryPx"]) * p["szi"] for coin, p in user["positions"].items()), Decimal(0))
                user["balance"] = Decimal(spec.get("account_value", "0")) - unrealized
        if "trader_down" in body:
            # Every info request about this user answers 500 until it is set back up: the venue no
            # longer answers for one trader while market data and everyone else's go on.
            spec = body["trader_down"]
            if spec.get("down", True):
                self.down_users.add(spec["address"].lower())
            else:
                self.down_users.discard(spec["address"].lower())
        if "add_trades" in body:
            for trade in body["add_trades"]:
                entry = {"coin": trade["coin"], "side": trade.get("side", "B"), "px": trade.get("px", text(self.mids[trade["coin"]])),
                         "sz": trade.get("sz", "0.1"), "time": trade.get("time", now_ms()), "hash": "0x" + "0" * 64,
                         "tid": self.next_tid, "users": [u.lower() if isinstance(u, str) else u for u in trade["users"]]}
                self.next_tid += 1
                self.trades.setdefault(trade["coin"], []).append(entry)
        if "add_fills" in body:
            # A trader's fills, as userFills and userFillsByTime report them (positions are set apart, by set_trader).
            spec = body["add_fills"]
            for fill in spec["fills"]:
                self.fills.append({"user": spec["address"].lower(), "fill": {
                    "coin": fill["coin"], "px": fill["px"], "sz": fill["sz"], "side": fill["side"], "time": fill["time"],
                    "startPosition": fill.get("startPosition", "0.0"), "dir": fill.get("dir", "Open Long"),
                    "closedPnl": fill.get("closedPnl", "0.0"), "hash": "0x" + "0" * 64, "oid": self.next_oid, "crossed": True,
                    "fee": fill.get("fee", "0.0"), "tid": self.next_tid, "feeToken": "USDC"}})
                self.next_oid += 1
                self.next_tid += 1
        if "weight_limit" in body:
            limit = body["weight_limit"]
            self.weight_limit = int(limit) if limit is not None else None
            self.weight_bucket = (self.weight_limit or 0, time.monotonic())
            self.weight_used = 0
        if body.get("reset_arrivals"):
            self.arrivals = []
        orders = [dict(self.frontend_order(o), status=o["status"], user=o["user"], modified=o.get("modified", 0),
                       active=o.get("active", True)) for o in self.orders.values()]
        return 200, {
            "orders": orders, "requests": self.requests, "log": self.log, "signatures_verified": self.signatures_verified,
            "signatures_refused": self.signatures_refused, "actions": self.actions, "verified": self.verified,
            "pending_failures": len(self.failures), "faults_injected": self.faults_injected,
            "arrivals": self.arrivals, "fills": len(self.fills), "info_types": self.info_types,
            "rate_limited": self.rate_limited, "weight_used": self.weight_used,
            "users": {address: {"balance": text(user["balance"]),
                                "leverage": {coin: list(value) for coin, value in user["leverage"].items()}}
                      for address, user in self.users.items()},
        }

    INFO_WEIGHTS = {"l2Book": 2, "allMids": 2, "clearinghouseState": 2, "orderStatus": 2, "spotClearinghouseState": 2,
                    "exchangeStatus": 2, "userRole": 60}

    def over_weight_limit(self, endpoint, body):
        """The venue's per-IP budget as its rate-limit page states it: weight_limit a minute, held
        as a bucket of that size refilled evenly; a request whose weight is not there gets a 429."""
        if endpoint == "info" and isinstance(body, dict):
            kind = body.get("type")
            self.info_types[kind] = self.info_types.get(kind, 0) + 1
        if self.weight_limit is None:
            return False
        weight = 1 if endpoint == "exchange" else self.INFO_WEIGHTS.get(body.get("type") if isinstance(body, dict) else None, 20)
        now = time.monotonic()
        available, updated = self.weight_bucket
        available = min(self.weight_limit, available + (now - updated) * self.weight_limit / 60)
        if available < weight:
            self.weight_bucket = (available, now)
            self.rate_limited += 1
            return True
        self.weight_bucket = (available - weight, now)
        self.weight_used += weight
        return False

    def take_failure(self, endpoint):
        for index, failure in enumerate(self.failures):
            if failure.get("endpoint", "exchange") == endpoint:
                return self.failures.pop(index)
        spec = self.random_faults
        if spec and endpoint == spec.get("endpoint", "exchange") and self.fault_random.random() < float(spec["rate"]):
            mode = self.fault_random.choice(spec.get("modes", ["timeout_after", "drop_after", "http500_after", "http500", "rate_limit"]))
            self.faults_injected[mode] = self.faults_injected.get(mode, 0) + 1
            return {"mode": mode, "seconds": spec.get("seconds", 1), "retry_after": 0}
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    venue = None

    def log_message(self, format, *args):
        pass

    def answer(self, status, payload, headers=()):
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if not isinstance(payload, str) else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a time-out the fault harness provoked): nothing to answer.
            self.close_connection = True

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def do_POST(self):
        arrival = time.monotonic_ns()
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            self.answer(422, "Failed to deserialize the JSON body")
            return
        venue = self.venue
        endpoint = self.path.strip("/")
        if endpoint == "control":
            with venue.lock:
                status, payload = venue.control(body)
            self.answer(status, payload)
            return
        if endpoint not in ("info", "exchange"):
            self.answer(404, "not found")
            return
        with venue.lock:
            venue.requests[endpoint] += 1
            action = body.get("action") if isinstance(body, dict) else None
            venue.log.append({
                "endpoint": endpoint,
                "type": (action.get("type") if isinstance(action, dict) else body.get("type") if isinstance(body, dict) else None),
                "nonce": body.get("nonce") if isinstance(body, dict) else None,
                "signature": body.get("signature") if isinstance(body, dict) else None,
            })
            if endpoint == "exchange":
                venue.arrivals.append(arrival)
            limited = venue.over_weight_limit(endpoint, body)
            failure = None if limited else venue.take_failure(endpoint)
            if failure is None and not limited and endpoint == "info" and isinstance(body, dict) \
                    and str(body.get("user", "")).lower() in venue.down_users:
                failure = {"mode": "http500"}
        if limited:
            self.answer(429, "null", headers=[("Retry-After", "1")])
            return
        mode = failure.get("mode") if failure else None
        if mode == "drop":
            self.drop()
            return
        if mode == "timeout_before":
            time.sleep(float(failure.get("seconds", 3)))
            self.drop()
            return
        if mode == "rate_limit":
            self.answer(429, "null", headers=[("Retry-After", str(failure.get("retry_after", 0)))])
            return
        if mode == "http500":
            self.answer(500, "internal error")
            return
        if mode == "err":
            self.answer(200, {"status": "err", "response": failure.get("text", "injected error")})
            return
        with venue.lock:
            if endpoint == "exchange":
                status, payload = venue.exchange(body)
            else:
                status, payload = venue.info(body)
        if mode == "timeout_after":
            # The action is applied; the answer never comes.
            time.sleep(float(failure.get("seconds", 3)))
            self.drop()
            return
        if mode == "drop_after":
            # The action is applied; the connection drops before the answer.
            self.drop()
            return
        if mode == "http500_after":
            # The action is applied; the answer is a server error.
            self.answer(500, "internal error")
            return
        self.answer(status, payload)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--network", choices=["testnet", "mainnet"], default="testnet")
    arguments = parser.parse_args()
    Handler.venue = Venue(arguments.network)
    ThreadingHTTPServer.request_queue_size = 128
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("listening", server.server_address[1], flush=True)
    # Ends when the test process closes our standard input (or dies).
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
