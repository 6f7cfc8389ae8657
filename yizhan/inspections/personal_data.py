"""Personal information held by inspections (PIPL; spec §11): the account names kept in the
workflows' histories. Inspectors, owners and uploaders are accounts (foreign keys, or the
username kept as written)."""

from django.utils.translation import gettext_lazy as _

from yizhan.core.masking import mask_name
from yizhan.core.personal_data import ADMINS, Kind, NotPersonal, PersonalField, register_personal_data
from yizhan.core.roles import Role

KEPT = _("随检查记录保存")
SEEN_BY = ADMINS | {Role.AUDITOR}

PERSONAL_FIELDS = (
    PersonalField("inspections.inspectionstatechange", "actor_name", Kind.ACCOUNT, mask_name, SEEN_BY, KEPT),
    PersonalField(
        "inspections.rectificationstatechange",
        "actor_name",
        Kind.ACCOUNT,
        mask_name,
        SEEN_BY | {Role.STATION_MANAGER},
        KEPT,
    ),
)

NOT_PERSONAL = (
    NotPersonal("inspections.inspectionstatechange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
    NotPersonal("inspections.rectificationstatechange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
)

register_personal_data(PERSONAL_FIELDS, NOT_PERSONAL)
