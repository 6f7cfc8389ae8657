"""Numpy arrays stored compactly in one binary column: an .npz archive (compressed, no pickles),
with its SHA-256 recorded beside it (the audit chain records the digest, not the bytes)."""

from __future__ import annotations

import hashlib
import io

import numpy as np


def pack(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{name: np.asarray(value) for name, value in arrays.items()})
    return buffer.getvalue()


def unpack(data: bytes | memoryview) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def digest(data: bytes | memoryview) -> str:
    return hashlib.sha256(bytes(data)).hexdigest()
