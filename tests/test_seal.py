"""The keyed seal on a template's identity."""

from __future__ import annotations

from tender.seal import is_sealed, seal


def test_a_seal_is_a_keyed_hmac_over_the_fields() -> None:
    # HMAC-SHA256, key b"k" * 32, message '{"a":"1"}' (computed with Python's hmac module).
    fields = {"a": "1"}
    mac = seal(b"k" * 32, fields)
    assert mac == "e08b25ca11979f830261ff6795d8f463b02a2cc2433900ec0bdfca1d40432c4b"
    assert is_sealed(b"k" * 32, fields, mac)
    assert not is_sealed(b"k" * 32, {"a": "2"}, mac)
    assert not is_sealed(b"j" * 32, fields, mac)
