"""The keyed seal on a template's identity: HMAC-SHA256, so an edited identity is detected.

The key stays with the tender's records (`panel.load_key`); nothing here reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import json


def seal(key: bytes, fields: dict[str, str]) -> str:
    """HMAC-SHA256 over the fields, canonically serialised."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def is_sealed(key: bytes, fields: dict[str, str], mac: str) -> bool:
    """True when `mac` is the seal of `fields` under `key` (constant-time comparison).

    A seal is hex; anything else (compare_digest refuses non-ASCII text) is no seal.
    """
    if not mac.isascii():
        return False
    try:
        return hmac.compare_digest(seal(key, fields), mac)
    except UnicodeEncodeError:  # a field holding a lone surrogate
        return False
