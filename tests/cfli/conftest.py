"""Fixtures of the CFLI tests (helpers live in cfli_kit.py)."""

from cfli_kit import make_call, officer_call

__all__ = ["make_call", "officer_call"]
