"""Call ids and access tokens shaped like Retell's, reproducible from a seed."""

from __future__ import annotations

import base64
import random
import string

_ALPHANUMERIC = (string.ascii_letters + string.digits).encode()
_URL_SAFE = _ALPHANUMERIC + b"-_"
# Map every byte to a character: one C-level translate instead of a Python loop per
# character (the slight modulo bias does not matter for a mock).
_TO_ALPHANUMERIC = bytes(_ALPHANUMERIC[byte % len(_ALPHANUMERIC)] for byte in range(256))
_TO_URL_SAFE = bytes(_URL_SAFE[byte % len(_URL_SAFE)] for byte in range(256))
# base64url of {"alg":"HS256"}: Retell's access tokens are JWTs with this header.
_JWT_HEADER = "eyJhbGciOiJIUzI1NiJ9"


class IdSource:
    """Draws call ids and access tokens; the same seed gives the same sequence."""

    def __init__(self, seed: int | None) -> None:
        self._random: random.Random = random.SystemRandom() if seed is None else random.Random(f"{seed}:ids")

    def call_id(self) -> str:
        """32 letters and digits, like ``Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6``."""
        return self._random.randbytes(32).translate(_TO_ALPHANUMERIC).decode()

    def access_token(self, call_id: str, expires_ms: int) -> str:
        """A JWT-shaped token naming the call's room (its signature is random, not real)."""
        # call_id is alphanumeric, so formatting the claims by hand is valid JSON.
        claims = f'{{"video":{{"roomJoin":true,"room":"{call_id}"}},"exp":{expires_ms // 1000}}}'
        payload = base64.urlsafe_b64encode(claims.encode()).rstrip(b"=").decode()
        signature = self._random.randbytes(32).translate(_TO_URL_SAFE).decode()
        return f"{_JWT_HEADER}.{payload}.{signature}"

    def secret(self) -> str:
        """32 URL-safe characters, e.g. a TURN credential."""
        return self._random.randbytes(32).translate(_TO_URL_SAFE).decode()
