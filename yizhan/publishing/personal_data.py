"""Personal information of publishing (PIPL; spec §11). The published records hold what the public
map already shows: a position's public contact phone, never its manager's name or mobile
(positions/exports/common.py). A partner's contact person is work contact data the federation
admin who manages the partner sees; the audit chain keeps it masked."""

from django.utils.translation import gettext_lazy as _

from yizhan.core.masking import mask_email, mask_name, mask_phone
from yizhan.core.personal_data import ALL_STAFF, Kind, NotPersonal, PersonalField, register_personal_data
from yizhan.core.roles import Role

WHILE_PARTNER = _("合作方记录存续期间")
MANAGERS = frozenset({Role.FEDERATION_ADMIN})

PERSONAL_FIELDS = (
    *(
        PersonalField("publishing.partner", field, kind, mask, MANAGERS, WHILE_PARTNER, audit_masked=True)
        for field, kind, mask in (
            ("contact_name", Kind.PERSON_NAME, mask_name),
            ("contact_phone", Kind.PHONE, mask_phone),
            ("contact_email", Kind.EMAIL, mask_email),
        )
    ),
    PersonalField("publishing.apikey", "issued_by", Kind.ACCOUNT, mask_name, ALL_STAFF, WHILE_PARTNER),
    PersonalField("publishing.apikey", "revoked_by", Kind.ACCOUNT, mask_name, ALL_STAFF, WHILE_PARTNER),
    PersonalField("publishing.mapmarking", "marked_by", Kind.ACCOUNT, mask_name, ALL_STAFF, _("标注记录存续期间")),
)

NOT_PERSONAL = tuple(
    NotPersonal(f"publishing.{model}", field, reason)
    for model, field, reason in (
        ("publishedposition", "name", _("阵地的规范名称（公开）")),
        ("partner", "name", _("合作方（机构或系统）名称")),
        ("partner", "webhook_url", _("合作方系统接收推送的网址")),
        ("mappoint", "name", _("已标注阵地的规范名称（公开）")),
    )
)

register_personal_data(PERSONAL_FIELDS, NOT_PERSONAL)
