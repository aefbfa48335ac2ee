"""Data a person would accept: what the believable mode of the call-object strategies draws.

The default strategies look for the corners that break parsers (NUL, RTL marks, huge
numbers); consumers showing calls to people, and the mock's generated calls, want a
conversation instead. Everything here is drawn from short fixed tables, so it shrinks
towards the first entry of each.
"""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

AGENT_LINES = (
    "Hello, thanks for calling. How can I help you today?",
    "Sure, I can help with that.",
    "Could you tell me your order number, please?",
    "Let me check that for you.",
    "I have booked you in for Monday at ten.",
    "Is there anything else I can help you with?",
    "Thanks for calling, have a great day.",
)
USER_LINES = (
    "Hi, I'd like to book an appointment.",
    "Yes, that works for me.",
    "It's four five one two.",
    "Can we make it a bit later?",
    "No, that's all, thank you.",
    "Great, thanks.",
    "Goodbye.",
)
SUMMARIES = (
    "The user booked an appointment for Monday at ten.",
    "The user asked about an order and the agent confirmed its delivery date.",
    "The user wanted to reschedule; the agent moved the booking to the afternoon.",
    "The call ended before the user stated a request.",
)
NAMES = ("Support desk", "Booking assistant", "Front desk", "Order helper")
FIRST_NAMES = ("Ada", "Grace", "Alan", "Maya", "Sam", "Lea")
_VALUES = (*FIRST_NAMES, "Monday", "10:00", "order 4512", "yes", "no")
_KEYS = ("customer_name", "appointment_day", "order_id", "language", "plan")


@cache
def lines(role: str) -> st.SearchStrategy[str]:
    """A line of a conversation for ``role`` (the user's for anyone but the agent)."""
    return st.sampled_from(AGENT_LINES if role == "agent" else USER_LINES)


@cache
def text_for(name: str) -> st.SearchStrategy[str]:
    """A plausible value for a string field called ``name``."""
    if "summary" in name:
        return st.sampled_from(SUMMARIES)
    if name.endswith("_name") or name == "name":
        return st.sampled_from(NAMES)
    if name.endswith("_id"):
        return st.text("abcdef0123456789", min_size=8, max_size=8).map(lambda s: f"{name[:-3]}_{s}")
    if name.endswith("tag"):
        return st.sampled_from(("production", "staging", "v2-prompt"))
    return st.sampled_from(_VALUES)


@cache
def variables() -> st.SearchStrategy[dict[str, str]]:
    """Dynamic variables as a prompt would use them: a few named strings."""
    return st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_VALUES), max_size=3)
