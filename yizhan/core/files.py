"""Writing files whose digest goes into a manifest (audit exports, backups)."""

from __future__ import annotations

import hashlib


class HashingWriter:
    """Passes bytes on to `target` while counting them and hashing them with SHA-256."""

    def __init__(self, target=None):
        self.target = target
        self.size = 0
        self._sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self._sha.update(data)
        self.size += len(data)
        self.target.write(data)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()

    def entry(self) -> dict:
        """What a manifest records of the file: its SHA-256 and size."""
        return {"sha256": self.hexdigest(), "bytes": self.size}
