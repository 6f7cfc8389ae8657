"""Forms of the feedback and ledger pages: what a person types; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.ledger.choices import STAFF_SOURCES, ActivityKind, FeedbackStatus, ProblemStatus
from yizhan.ledger.models import ABILITY_FIGURES, LEDGER_FIGURES, SERVICE_FIGURES, VISIT_FIGURES, DailyLedger
from yizhan.orgs.models import Unit
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position


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


class ProblemTransitionForm(forms.Form):
    """Settling a problem report: the button pressed names the status; what was found or done;
    whether it was checked on site (which records the position's verified-on date)."""

    to_state = forms.ChoiceField(choices=ProblemStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("处理说明"),
        required=False,
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明核实情况或处理结果；重新打开时说明原因"),
    )
    on_site = forms.BooleanField(
        label=_("已到现场核实（同时更新阵地的最近现场核实日期为今天）"), required=False, initial=True
    )


class FeedbackRecordForm(forms.Form):
    """Feedback typed in by staff: the position (those in the actor's scope that have served),
    where it came from, the rating and/or the text, an optional phone. The rules are the service's."""

    position = forms.ModelChoiceField(label=_("服务阵地"), queryset=None, empty_label=_("请选择服务阵地"))
    source = forms.ChoiceField(label=_("来源"), choices=[(s.value, s.label) for s in STAFF_SOURCES])
    rating = forms.ChoiceField(
        label=_("评分"),
        required=False,
        choices=[("", _("未评分")), *[(str(n), f"{n}") for n in range(5, 0, -1)]],
    )
    text = forms.CharField(
        label=_("意见内容"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 4})
    )
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=40, help_text=_("选填，仅用于回复"))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = (
            Position.objects.restrict(actor)
            .exclude(state__in=(PositionState.PLANNED, PositionState.BUILDING))
            .order_by("code")
        )


class ActivityForm(forms.Form):
    """An activity: the unit that held it (units in the actor's scope), the position where it was
    held (optional), title, kind, day, participants, a short description."""

    unit = forms.ModelChoiceField(label=_("举办单位"), queryset=None, empty_label=_("请选择举办单位"))
    position = forms.ModelChoiceField(
        label=_("服务阵地"),
        queryset=None,
        required=False,
        empty_label=_("不在阵地举办"),
        help_text=_("在阵地举办时，举办单位为阵地所属单位"),
    )
    title = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    held_on = forms.DateField(label=_("举办日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    participants = forms.IntegerField(
        label=_("参与人次"), min_value=0, initial=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    description = forms.CharField(
        label=_("活动简介"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(actor).order_by("path")
        self.fields["position"].queryset = (
            Position.objects.restrict(actor)
            .exclude(state__in=(PositionState.PLANNED, PositionState.BUILDING))
            .order_by("code")
        )
