"""Personal information in the acceptance records (PIPL; spec §11): only the account names of who
filed, reviewed and graded, kept with the application as its record."""

from django.utils.translation import gettext_lazy as _

from yizhan.core.masking import mask_name
from yizhan.core.personal_data import ALL_STAFF, Kind, NotPersonal, PersonalField, register_personal_data

KEPT = _("随验收记录永久保存")

PERSONAL_FIELDS = (
    PersonalField("centres.application", "filed_by", Kind.ACCOUNT, mask_name, ALL_STAFF, KEPT),
    PersonalField("centres.application", "reviewed_by", Kind.ACCOUNT, mask_name, ALL_STAFF, KEPT),
    PersonalField("centres.application", "graded_by", Kind.ACCOUNT, mask_name, ALL_STAFF, KEPT),
    PersonalField("centres.applicationstatechange", "actor_name", Kind.ACCOUNT, mask_name, ALL_STAFF, KEPT),
    PersonalField("centres.attachment", "uploaded_by", Kind.ACCOUNT, mask_name, ALL_STAFF, KEPT),
    PersonalField("centres.modelcentre", "designated_by", Kind.ACCOUNT, mask_name, ALL_STAFF, KEPT),
)

NOT_PERSONAL = (
    NotPersonal("centres.applicationstatechange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
)

register_personal_data(PERSONAL_FIELDS, NOT_PERSONAL)
