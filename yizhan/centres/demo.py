"""Demo data of this context (yizhan/core/management/commands/demo.py runs every loader in order)."""


def load() -> list[str]:
    return []
