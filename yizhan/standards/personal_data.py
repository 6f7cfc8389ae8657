"""Standards hold no personal information: the checklist's text and figures only. A field whose
name looks personal is declared with the reason it is not."""

from yizhan.core.personal_data import NotPersonal, register_personal_data

register_personal_data(
    not_personal=[NotPersonal("standards.standard", "name", "the standard's name (九有, 六有…), not a person's")]
)
