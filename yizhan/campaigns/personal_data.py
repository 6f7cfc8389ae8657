"""Personal information held by campaigns (PIPL; spec §11), declared for the inventory of
`yizhan.core.personal_data`."""

from django.utils.translation import gettext_lazy as _

from yizhan.core.masking import mask_hidden, mask_name, mask_phone
from yizhan.core.personal_data import ADMINS, NOBODY, Kind, NotPersonal, PersonalField, register_personal_data
from yizhan.core.roles import Role

FEDERATION = frozenset({Role.FEDERATION_ADMIN})
WITH_CAMPAIGN = _("随推树活动记录保存")

PERSONAL_FIELDS = (
    # Review-group members (annex 2): their name, title and phone, for the federation to reach them.
    PersonalField(
        "campaigns.reviewmember", "name", Kind.PERSON_NAME, mask_name, ADMINS | {Role.REVIEWER}, WITH_CAMPAIGN
    ),
    PersonalField("campaigns.reviewmember", "phone", Kind.PHONE, mask_phone, ADMINS | {Role.REVIEWER}, WITH_CAMPAIGN),
    PersonalField("campaigns.reviewmember", "registered_by_name", Kind.ACCOUNT, mask_name, ADMINS, WITH_CAMPAIGN),
    # Objections (公示): an optional contact for the answer, the sender's pseudonym for the limits.
    PersonalField(
        "campaigns.objection",
        "contact",
        Kind.PHONE,
        mask_phone,
        FEDERATION,
        _("活动审批后一年内保留，用于答复异议"),
        audit_masked=True,
    ),
    PersonalField(
        "campaigns.objection", "client_key", Kind.PSEUDONYM, mask_hidden, NOBODY, _("仅用于防刷限流"), audit_masked=True
    ),
    PersonalField("campaigns.objection", "resolved_by_name", Kind.ACCOUNT, mask_name, FEDERATION, WITH_CAMPAIGN),
    PersonalField("campaigns.quota", "submitted_by_name", Kind.ACCOUNT, mask_name, ADMINS, WITH_CAMPAIGN),
    PersonalField("campaigns.nomination", "created_by_name", Kind.ACCOUNT, mask_name, ADMINS, WITH_CAMPAIGN),
    PersonalField(
        "campaigns.reviewassignment",
        "recorded_by_name",
        Kind.ACCOUNT,
        mask_name,
        ADMINS | {Role.REVIEWER},
        WITH_CAMPAIGN,
    ),
    PersonalField(
        "campaigns.reviewphoto", "uploaded_by", Kind.ACCOUNT, mask_name, ADMINS | {Role.REVIEWER}, WITH_CAMPAIGN
    ),
    PersonalField("campaigns.campaignstatechange", "actor_name", Kind.ACCOUNT, mask_name, ADMINS, WITH_CAMPAIGN),
    PersonalField("campaigns.nominationstatechange", "actor_name", Kind.ACCOUNT, mask_name, ADMINS, WITH_CAMPAIGN),
)

NOT_PERSONAL = (
    NotPersonal("campaigns.campaign", "name", _("活动名称，不是人名")),
    NotPersonal("campaigns.reviewmember", "account", _("指向账号的外键（账号的个人信息见 orgs.user）")),
    NotPersonal("campaigns.campaignstatechange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
    NotPersonal("campaigns.nominationstatechange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
)

register_personal_data(fields=PERSONAL_FIELDS, not_personal=NOT_PERSONAL)
