"""Personal information held by the position registry (PIPL; spec §11), declared for the
inventory of `yizhan.core.personal_data`."""

from django.utils.translation import gettext_lazy as _

from yizhan.core.masking import mask_name, mask_phone
from yizhan.core.personal_data import (
    ADMINS,
    ALL_STAFF,
    NOBODY,
    Kind,
    NotPersonal,
    PersonalField,
    register_personal_data,
)
from yizhan.core.roles import Role

POSITION_MANAGER_REVEAL = _(
    "阵地详情页“显示完整信息”、修改页（打开即查看）、POST /api/v1/positions/{id}/reveal、"
    "Excel 导出勾选“包含完整联系方式”；限管理员和本阵地站长，记入审计日志"
)

PERSONAL_FIELDS = (
    # A position's manager (spec §11): published only with recorded consent; masked on staff pages
    # for everyone, revealed (audited) to those who run the position and the admins above it.
    *(
        PersonalField(
            "positions.position",
            field,
            kind,
            mask,
            NOBODY,
            _("阵地记录存续期间；更换管理员时覆盖"),
            reveal=POSITION_MANAGER_REVEAL,
            revealed_to=ADMINS | {Role.STATION_MANAGER},
            audit_masked=True,
        )
        for field, kind, mask in (
            ("manager_name", Kind.PERSON_NAME, mask_name),
            ("manager_phone", Kind.PHONE, mask_phone),
        )
    ),
    PersonalField(
        "positions.positionstatechange", "actor_name", Kind.ACCOUNT, mask_name, ALL_STAFF, _("随阵地永久保存")
    ),
)

NOT_PERSONAL = (
    NotPersonal(
        "positions.position", "public_phone", _("阵地对外联系电话，按规范第 11 节公开（机构电话，非个人号码）")
    ),
    NotPersonal("positions.position", "official_name", _("阵地名称")),
    NotPersonal("positions.position", "short_name", _("阵地简称")),
    NotPersonal("positions.position", "address", _("阵地地址（场所，非个人住址）")),
    NotPersonal("positions.positionstatechange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
)

register_personal_data(PERSONAL_FIELDS, NOT_PERSONAL)
