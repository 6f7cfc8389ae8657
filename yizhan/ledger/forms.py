"""Forms of the feedback and ledger pages: what a person types; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.models import ABILITY_FIGURES, LEDGER_FIGURES, SERVICE_FIGURES, VISIT_FIGURES, DailyLedger


class FeedbackTransitionForm(forms.Form):
    """A handling move: the button pressed names the status; any status is accepted here, so that
    a move the table refuses is refused by the workflow with its own words."""

    to_state = forms.ChoiceField(choices=FeedbackStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("处理说明"),
        required=False,
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("标记已处理时填写回复内容或处理情况，重新打开时说明原因"),
    )


class CountInput(forms.NumberInput):
    """A count: the phone's numeric keypad, never negative."""

    def __init__(self):
        super().__init__(attrs={"inputmode": "numeric", "min": "0", "step": "1", "pattern": "[0-9]*"})


class LedgerDayForm(forms.Form):
    """One day of a position's ledger: a count per served group, ability and service (text here:
    the service checks and explains every value), one per own service of the position, the
    version the correction was made on, an optional note."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("更正说明"), required=False, max_length=255, help_text=_("更正已录入的数字时可填写原因")
    )

    def __init__(self, *args, position, **kwargs):
        super().__init__(*args, **kwargs)
        self.position = position
        for name, label in LEDGER_FIGURES:
            self.fields[name] = forms.CharField(label=label, required=False, widget=CountInput())
        self.own_names = list(position.own_services or ())
        for index, name in enumerate(self.own_names):
            self.fields[f"own_{index}"] = forms.CharField(label=name, required=False, widget=CountInput())

    @staticmethod
    def initial_from(source: DailyLedger | None, *, version: DailyLedger | None, position) -> dict:
        """The form's initial values: the figures of `source` (a stored day, or yesterday's to
        copy), and the version of the stored day being corrected (none for a first entry)."""
        initial = {"version": version.version if version else None}
        if source is not None:
            initial.update(source.figures())
            own = source.own_items or {}
            for index, name in enumerate(position.own_services or ()):
                initial[f"own_{index}"] = own.get(name, 0)
        return initial

    def figures(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name, _label in LEDGER_FIGURES}

    def own_items(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"own_{index}", "") for index, name in enumerate(self.own_names)}

    def group(self, names) -> list:
        return [self[name] for name in names]

    @property
    def visit_fields(self):
        return self._ordered(VISIT_FIGURES, prefix="visits_", registered=self.position.served_groups)

    @property
    def ability_fields(self):
        return self._ordered(ABILITY_FIGURES, prefix="ability_", registered=self.position.abilities)

    @property
    def service_fields(self):
        return self._ordered(SERVICE_FIGURES, prefix="service_", registered=self.position.services)

    @property
    def own_fields(self):
        return [self[f"own_{index}"] for index in range(len(self.own_names))]

    def _ordered(self, figures, *, prefix: str, registered) -> tuple[list, list]:
        """The fields of a group as (first, more): the ones the position registered (its served
        groups, abilities, services) first, the rest behind 更多; all first when none is
        registered, and any rest with a value is first too."""
        registered = set(registered or ())
        first, more = [], []
        for name, _label in figures:
            bound = self[name]
            value = bound.value()
            wanted = not registered or name[len(prefix) :] in registered or name == "visits_other"
            (first if wanted or (value not in (None, "", 0, "0")) or bound.errors else more).append(bound)
        return first, more


class LedgerImportForm(forms.Form):
    file = forms.FileField(
        label=_("台账文件（.xlsx）"), help_text=_("请使用下载的模板；任何一行有错误，整个文件都不导入")
    )
