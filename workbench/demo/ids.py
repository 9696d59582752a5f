"""Identifiers that never collide by accident: device ids, IPs and payment fingerprints.

Ordinary members must not share a device, an IP or a payment instrument by chance, or link
queries would find rings that were never planted. So these values are not drawn at random:
each is a *bijection* of a unique slot number ``(user index, slot)`` mixed with a key from the
seed. Distinct slots give distinct values, and the values still look random.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_LUT = np.stack(
    [_HEX[np.arange(256) >> 4], _HEX[np.arange(256) & 15]], axis=1
)  # byte -> 2 hex chars


def mix64(x: np.ndarray, key: int) -> np.ndarray:
    """SplitMix64's finaliser of ``x ^ key``: a bijection on 64-bit integers."""
    z = np.asarray(x, dtype=np.uint64) ^ np.uint64(key & 0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def hex_ids(slots: np.ndarray, key: int) -> pa.Array:
    """32 lowercase hex characters per slot (two independent 64-bit bijections)."""
    a = mix64(slots, key).astype(">u8").view(np.uint8).reshape(-1, 8)
    b = mix64(slots, key ^ 0x5DEECE66D1234567).astype(">u8").view(np.uint8).reshape(-1, 8)
    chars = _LUT[np.concatenate([a, b], axis=1)]  # (n, 16, 2)
    fixed = np.ascontiguousarray(chars).reshape(-1).view("S32")
    return pa.array(fixed, type=pa.binary(32)).cast(pa.string())


def perm24(x: np.ndarray, key: int) -> np.ndarray:
    """A bijection on 24-bit integers (xor-shift-multiply rounds mod 2**24)."""
    z = (np.asarray(x, dtype=np.uint64) ^ np.uint64(key & 0xFFFFFF)) & np.uint64(0xFFFFFF)
    mask = np.uint64(0xFFFFFF)
    with np.errstate(over="ignore"):
        for mult in (0x9E3779, 0x85EBCB, 0xC2B2AF):  # odd multipliers: invertible mod 2**24
            z = (z ^ (z >> np.uint64(12))) & mask
            z = (z * np.uint64(mult)) & mask
    return z


def ipv4(slots: np.ndarray, octet_choices: np.ndarray, key: int) -> pa.Array:
    """Dotted IPv4 strings: the first octet from ``octet_choices`` (one per slot), the other 24
    bits a bijection of the slot. Unique while slots < 2**24 (2M members at 8 slots each)."""
    low = perm24(slots, key).astype(np.int64)
    parts = [np.asarray(octet_choices, dtype=np.int64), low >> 16, (low >> 8) & 255, low & 255]
    strs = [pc.cast(pa.array(p), pa.string()) for p in parts]
    return pc.binary_join_element_wise(*strs, ".")
