"""Query parameters of the JSON API, read one way everywhere: an enumerated parameter given empty
(`kind=`) or with a value outside its choices is refused with a Chinese message naming the
parameter and its values (issue 13): a client that sends `kind=` has lost a value somewhere, and
answering as if no filter had been asked would hide that."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError

CHOICE_UNKNOWN = _("参数 {name} 的值“{value}”无效，可选：{choices}")
PARAM_EMPTY = _("参数 {name} 为空；不需要时请省略此参数")
PARAM_EMPTY_CHOICE = _("参数 {name} 为空，可选：{choices}；不需要时请省略此参数")


def shown(raw) -> str:
    """A received value quoted back in a message, shortened (the message must not echo a novel)."""
    text = str(raw)
    return text if len(text) <= 40 else text[:40] + "…"


def single(raw):
    """The last value of a parameter given several times (as Django's QueryDict.get does)."""
    if isinstance(raw, (list, tuple)):
        return raw[-1] if raw else None
    return raw


def refuse_empty(name: str, choices=None):
    """Refuse the parameter `name`, given empty, naming its values when it has a fixed set."""
    if choices:
        raise ApplicationError(PARAM_EMPTY_CHOICE.format(name=name, choices="、".join(choices)), field=name)
    raise ApplicationError(PARAM_EMPTY.format(name=name), field=name)


def choice(raw, name: str, choices) -> str:
    """The value of the enumerated parameter `name` of a JSON API request, one of `choices`: given
    empty or as anything else it is refused, naming the parameter and its values (issue 13)."""
    text = "" if single(raw) is None else str(single(raw)).strip()
    if not text:
        refuse_empty(name, choices)
    if text not in choices:
        raise ApplicationError(
            CHOICE_UNKNOWN.format(name=name, value=shown(text), choices="、".join(choices)), field=name
        )
    return text
