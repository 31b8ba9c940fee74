"""Checks for a group's ``rrule``: an RFC 5545 recurrence rule, like ``FREQ=WEEKLY;BYDAY=TU,TH``.

:func:`normalise_rule` reads the rule on its own (written as ``KEY=VALUE`` parts joined by
``;``, with or without ``RRULE:``) and returns it in one canonical spelling;
:func:`rule_problem` checks it against the schedule's ``starts``, ``until`` and ``time``.
The rule says on which days the group meets; the time comes from ``time``, the first day
from ``starts`` and the last from ``until``.
"""

from __future__ import annotations

import datetime
import re

from dateutil.rrule import rrule, rrulestr

__all__ = ["normalise_rule", "rule_parts", "rule_problem"]

_ALLOWED = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH"}
    | {"BYSETPOS", "WKST"}
)
_INSTEAD = {
    "UNTIL": "put the last day in the schedule's until setting instead of UNTIL in the rule",
    "DTSTART": "put the first meeting's date in the schedule's starts setting instead",
    "BYHOUR": "the meeting's time comes from the schedule's time setting; remove BYHOUR",
    "BYMINUTE": "the meeting's time comes from the schedule's time setting; remove BYMINUTE",
    "BYSECOND": "the meeting's time comes from the schedule's time setting; remove BYSECOND",
}
_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
_NUMBERED_DAY = re.compile(r"[+-]?[0-9]+[A-Z]{2}")
_EXAMPLE = "like FREQ=WEEKLY;BYDAY=TU,TH or FREQ=MONTHLY;BYDAY=1MO"
_PROBE_START = datetime.datetime(9970, 1, 1)  # 29 years before dateutil's last year
_DAY_PARTS = ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")


def rule_parts(rule: str) -> dict[str, str]:
    """``"FREQ=WEEKLY;BYDAY=TU"`` -> ``{"FREQ": "WEEKLY", "BYDAY": "TU"}`` (a checked rule)."""
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def normalise_rule(value: str) -> str:
    """The rule in canonical spelling (upper case, no spaces, no ``RRULE:``), or a
    ``ValueError`` saying kindly what is wrong with it."""
    text = re.sub(r"\s+", "", value).upper()
    text = text.removeprefix("RRULE:").strip(";")
    if not text:
        raise ValueError(f"is empty: write a rule {_EXAMPLE}, or remove this line")
    parts: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, setting = part.partition("=")
        if not sep or not name or not setting:
            raise ValueError(f"every part of the rule is NAME=VALUE, {_EXAMPLE}")
        if name in _INSTEAD:
            raise ValueError(_INSTEAD[name])
        if name not in _ALLOWED or name in parts:
            problem = "appears twice" if name in parts else "is not part of a rule I can use"
            raise ValueError(f"{name} {problem}; write a rule {_EXAMPLE}")
        parts[name] = setting
    _check_parts(parts)
    try:
        rrulestr(text, dtstart=_PROBE_START)
    except Exception as error:  # dateutil raises ValueError, TypeError or IndexError
        raise ValueError(f"is not a rule I can read ({error}); write it {_EXAMPLE}") from None
    if _first(_without_count_and_interval(parts), _PROBE_START) is None:
        raise ValueError("never gives a meeting: no day fits all of its parts")
    return text


def _check_parts(parts: dict[str, str]) -> None:
    frequency = parts.get("FREQ")
    if frequency is None:
        raise ValueError(f"needs FREQ to say how often the group meets, {_EXAMPLE}")
    if frequency in _SUB_DAILY:
        raise ValueError(
            "a group meets at most once a day: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"
        )
    if frequency not in _FREQUENCIES:
        raise ValueError(f"FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, {_EXAMPLE}")
    for name, low, high in (("INTERVAL", 1, 52), ("COUNT", 1, 1000)):
        if name in parts and not (parts[name].isdigit() and low <= int(parts[name]) <= high):
            raise ValueError(f"{name} must be a whole number from {low} to {high}")
    days = parts.get("BYDAY", "").split(",")
    if frequency not in ("MONTHLY", "YEARLY") and any(map(_NUMBERED_DAY.fullmatch, days)):
        raise ValueError(
            "a numbered day like 1MO or -1TH works only with FREQ=MONTHLY or FREQ=YEARLY"
        )


def rule_problem(
    rule: str, starts: datetime.date | None, until: datetime.date | None, at: datetime.time
) -> tuple[str, str] | None:
    """What is wrong with the checked ``rule`` given the rest of the schedule, as
    ``(setting, reason)``, or None when nothing is."""
    parts = rule_parts(rule)
    if starts is None:
        if ("INTERVAL" in parts and parts["INTERVAL"] != "1") or "COUNT" in parts:
            counted = "INTERVAL" if "INTERVAL" in parts else "COUNT"
            return "starts", (
                f"a rule with {counted} counts from the first meeting: set starts to its "
                "date (like 2026-01-08) so everyone knows which days it meets"
            )
        if parts["FREQ"] != "DAILY" and not any(name in parts for name in _DAY_PARTS):
            return "starts", (
                f"FREQ={parts['FREQ']} alone meets on the day of the first meeting: add the day "
                "to the rule (like BYDAY=TU or BYMONTHDAY=15), or set starts to that date"
            )
    if "COUNT" in parts and until is not None:
        return (
            "until",
            "the rrule's COUNT already says when the meetings end: use COUNT or until, not both",
        )
    if starts is not None:
        first = datetime.datetime.combine(starts, at)
        if _first(_without_count_and_interval(parts), first) != first:
            return "starts", (
                f"{starts.isoformat()} is not a day this rule meets on; set starts to the "
                "date of the first meeting"
            )
    return None


def _without_count_and_interval(parts: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in parts.items() if k not in ("COUNT", "INTERVAL"))


def _first(rule: str, dtstart: datetime.datetime) -> datetime.datetime | None:
    """The rule's first meeting from ``dtstart``. Without INTERVAL, a rule that meets at
    all meets within 29 years, so this ends quickly even for one that never meets: from
    the probe start, dateutil gives up at its last year, 9999."""
    found = rrulestr(rule, dtstart=dtstart)
    if not isinstance(found, rrule):
        return None
    start = found.after(dtstart, inc=True)
    return start if isinstance(start, datetime.datetime) else None
