"""Messages (``wording.Message``) to JSON and back, to store claim lines and checks.

A stored message keeps its French message id and its parameters, typed, so that it can be shown
again in another language: ``Decimal`` as ``{"decimal": "0.41"}``, dates as ``{"date":
"2024-05-02"}``, amounts as ``{"amount": "56.20"}``, nested messages as ``{"message": {...}}``.
Pure: no Flask, no database.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..common.wording import Amount, Message


def message_to_json(message: Message) -> dict:
    return {
        "msgid": message.msgid,
        "params": {name: _value_to_json(value) for name, value in message.params},
    }


def message_from_json(data: dict) -> Message:
    params = data.get("params") or {}
    return Message(
        data["msgid"], tuple(sorted((k, _value_from_json(v)) for k, v in params.items()))
    )


def _value_to_json(value: object):
    if isinstance(value, Message):
        return {"message": message_to_json(value)}
    if isinstance(value, Amount):
        return {"amount": str(value.value)}
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return str(value)


def _value_from_json(value: object):
    if isinstance(value, dict):
        if "message" in value:
            return message_from_json(value["message"])
        if "amount" in value:
            return Amount(Decimal(value["amount"]))
        if "decimal" in value:
            return Decimal(value["decimal"])
        if "date" in value:
            return date.fromisoformat(value["date"])
    return value
