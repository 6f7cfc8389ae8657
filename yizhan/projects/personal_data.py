"""Personal information held about social organisations (PIPL; spec §11), declared for the
inventory of `yizhan.core.personal_data`. An organisation's contact person is shown in full to the
union admins who work with it and to the organisation's own account; masked for everyone else."""

from django.utils.translation import gettext_lazy as _

from yizhan.core.masking import mask_name, mask_phone
from yizhan.core.personal_data import ADMINS, ALL_STAFF, Kind, NotPersonal, PersonalField, register_personal_data
from yizhan.core.roles import Role

CONTACT_RETENTION = _("社会组织记录存续期间；更换联系人时覆盖")

PERSONAL_FIELDS = (
    PersonalField(
        "projects.socialorganisation",
        "contact_name",
        Kind.PERSON_NAME,
        mask_name,
        ADMINS | {Role.SOCIAL_ORG},
        CONTACT_RETENTION,
    ),
    PersonalField(
        "projects.socialorganisation",
        "contact_phone",
        Kind.PHONE,
        mask_phone,
        ADMINS | {Role.SOCIAL_ORG},
        CONTACT_RETENTION,
    ),
    PersonalField("projects.projectstatechange", "actor_name", Kind.ACCOUNT, mask_name, ALL_STAFF, _("随项目永久保存")),
)

NOT_PERSONAL = (
    NotPersonal("projects.socialorganisation", "name", _("社会组织的登记名称（机构，非个人）")),
    NotPersonal("projects.projectstatechange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
)

register_personal_data(PERSONAL_FIELDS, NOT_PERSONAL)
