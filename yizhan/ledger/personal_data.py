"""Personal information held by public feedback (PIPL; spec §6, §11), declared for the inventory
of `yizhan.core.personal_data`."""

from django.utils.translation import gettext_lazy as _

from yizhan.core.masking import mask_hidden, mask_name, mask_phone
from yizhan.core.personal_data import ADMINS, NOBODY, Kind, NotPersonal, PersonalField, register_personal_data
from yizhan.core.roles import Role

PERSONAL_FIELDS = (
    # The phone only to reply, revealed one at a time and audited, anonymised after
    # YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS or at the submitter's request.
    PersonalField(
        "ledger.feedback",
        "phone",
        Kind.PHONE,
        mask_phone,
        NOBODY,
        _("YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS（默认 365 天）后由 feedback-anonymise 清除；提交人可要求删除"),
        reveal=_(
            "意见详情页“显示完整号码”与 POST /api/v1/feedback/{id}/phone，限阵地所属单位（处理单位）可处理意见的角色，"
            "记入审计日志"
        ),
        revealed_to=ADMINS | {Role.STATION_MANAGER},  # those who may update feedback (ledger.services)
        audit_masked=True,
    ),
    PersonalField(
        "ledger.feedback",
        "text",
        Kind.FREE_TEXT,
        mask_hidden,
        ADMINS | {Role.STATION_MANAGER},
        _("意见记录存续期间；提交人要求删除时清除（评分保留），审计日志中的原文随审计保存期限清理"),
    ),
    PersonalField(
        "ledger.feedback",
        "client_key",
        Kind.PSEUDONYM,
        mask_hidden,
        NOBODY,
        _("仅用于防刷限流；与电话号码同时清除"),
        audit_masked=True,
    ),
    # Who handled it (spec §6: handling is tracked), shown to those who may read the feedback.
    PersonalField(
        "ledger.feedbackstatuschange",
        "actor_name",
        Kind.ACCOUNT,
        mask_name,
        ADMINS | {Role.STATION_MANAGER},
        _("随意见记录保存"),
    ),
    PersonalField(
        "ledger.feedback",
        "entered_by_name",
        Kind.ACCOUNT,
        mask_name,
        ADMINS | {Role.STATION_MANAGER},
        _("随意见记录保存"),
    ),
    # Who entered or corrected a day of the ledger: staff accounts, read by whoever reads the ledger.
    PersonalField(
        "ledger.dailyledger",
        "entered_by_name",
        Kind.ACCOUNT,
        mask_name,
        ADMINS | {Role.STATION_MANAGER},
        _("随台账保存"),
    ),
    PersonalField(
        "ledger.dailyledgerrevision",
        "actor_name",
        Kind.ACCOUNT,
        mask_name,
        ADMINS | {Role.STATION_MANAGER},
        _("随台账保存"),
    ),
    # A problem report's optional text may name someone; never published (spec §11: the public
    # notice shows the kind and date only), read by those who settle it.
    PersonalField(
        "ledger.problemreport",
        "text",
        Kind.FREE_TEXT,
        mask_hidden,
        ADMINS | {Role.STATION_MANAGER},
        _("随问题反映记录保存"),
    ),
    PersonalField(
        "ledger.problemreport",
        "client_key",
        Kind.PSEUDONYM,
        mask_hidden,
        NOBODY,
        _("仅用于防刷限流；随问题反映记录保存"),
        audit_masked=True,
    ),
    PersonalField(
        "ledger.problemreportstatechange",
        "actor_name",
        Kind.ACCOUNT,
        mask_name,
        ADMINS | {Role.STATION_MANAGER},
        _("随问题反映记录保存"),
    ),
)

NOT_PERSONAL = (
    NotPersonal("ledger.problemreportstatechange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
    NotPersonal("ledger.feedbackstatuschange", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
    NotPersonal("ledger.dailyledger", "entered_by", _("指向账号的外键（账号的个人信息见 orgs.user）")),
    NotPersonal("ledger.dailyledgerrevision", "actor", _("指向账号的外键（账号的个人信息见 orgs.user）")),
)

register_personal_data(PERSONAL_FIELDS, NOT_PERSONAL)
