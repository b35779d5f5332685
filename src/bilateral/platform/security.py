"""Passwords (Argon2id, policy), API tokens (stored as SHA-256), CSRF tokens, login
throttling."""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import secrets
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

TOKEN_PREFIX = "bpo_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # spend comparable time so that unknown users are not distinguishable by timing
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_password() -> str:
    return secrets.token_urlsafe(12)


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


# ------------------------------------------------------------------ password policy

# NIST SP 800-63B-4 (2024), 3.1.1.2: a password used as the only factor is at least 15
# characters; at least 64 are allowed; no composition rules; it is compared with a list of
# commonly used, expected or compromised values and with context-specific words.
PASSWORD_MIN = 15
PASSWORD_MAX = 200
CONTEXT_WORDS = ("bilateral", "permit office", "permitoffice", "bureau des licences")
# user names: letters, digits and . _ @ + - (no spaces, no control characters), 1-100
USERNAME_PATTERN = r"^[\w.@+-]{1,100}$"


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public breach corpora, as shipped in the
    ``zxcvbn`` package (its ``passwords`` frequency list)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words: list[str] = FREQUENCY_LISTS["passwords"]
    return frozenset(words)


def password_problem(password: str, username: str | None = None) -> str | None:
    """The error code (``err.<code>``) a new password is refused with, or None if fine."""
    pw = unicodedata.normalize("NFKC", password)
    if len(pw) < PASSWORD_MIN or len(pw) > PASSWORD_MAX:
        return "password_length"
    if any(unicodedata.category(ch) == "Cc" for ch in pw):
        return "control_chars"
    low = pw.casefold()
    squeezed = "".join(low.split())
    if low in _common_passwords() or squeezed in _common_passwords() or len(set(low)) < 4:
        return "password_common"
    if username and len(username) >= 3 and username.casefold() in low:
        return "password_context"
    if any(w in low for w in CONTEXT_WORDS):
        return "password_context"
    return None


# ------------------------------------------------------------------ login throttling


class Backoff:
    """Exponential back-off after repeated failures, per key (an account or an address).

    ``free`` failures are allowed; each further failure doubles the wait, from ``base``
    seconds up to ``cap``. A success clears the key. In process memory, bounded to
    ``max_keys`` (oldest forgotten first); with several worker processes each keeps its
    own counts. No library was used: pyrate-limiter and limits count requests per time
    window; what is wanted here is a wait that grows with consecutive *failures* and ends
    on success.
    """

    def __init__(
        self,
        free: int,
        base: float = 1.0,
        cap: float = 900.0,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.base, self.cap, self.max_keys = free, base, cap, max_keys
        self.clock = clock
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds to wait before the next attempt for ``key`` (0: go ahead)."""
        with self._lock:
            entry = self._failures.get(key)
            if entry is None:
                return 0.0
            n, last = entry
            if n < self.free:
                return 0.0
            wait = min(self.cap, self.base * 2 ** (n - self.free))
            return max(0.0, float(last + wait - self.clock()))

    def failure(self, key: str) -> None:
        with self._lock:
            n, _ = self._failures.pop(key, (0, 0.0))
            self._failures[key] = (n + 1, self.clock())
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def success(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class LoginThrottle:
    """Per account (5 free failures) and per client address (20 free failures)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.accounts = Backoff(free=5, clock=clock)
        self.addresses = Backoff(free=20, clock=clock)

    def retry_after(self, username: str, address: str) -> int:
        wait = max(
            self.accounts.retry_after(username.casefold()), self.addresses.retry_after(address)
        )
        return math.ceil(wait)

    def failure(self, username: str, address: str) -> None:
        self.accounts.failure(username.casefold())
        self.addresses.failure(address)

    def success(self, username: str, address: str) -> None:
        self.accounts.success(username.casefold())
        self.addresses.success(address)
