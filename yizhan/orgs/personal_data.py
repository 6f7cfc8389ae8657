"""Personal information held by accounts, union units and the login records (PIPL; spec §11),
declared for the inventory of `yizhan.core.personal_data`."""

from django.utils.translation import gettext_lazy as _

from yizhan.core.masking import mask_email, mask_hidden, mask_ip, mask_name, mask_phone
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

WHILE_ACCOUNT = _("账号存续期间；账号记录不删除，停用后保留以对应审计日志")
LOGIN_RECORDS = _("登录失败与锁定记录：锁定期满后不再使用，由安全管理员清理（axes_reset）")
UNIT_CONTACT_REVEAL = _(
    "单位详情页“显示完整信息”、修改页（打开即查看）、POST /api/v1/units/{id}/reveal；限管理员，记入审计日志"
)

PERSONAL_FIELDS = (
    # Staff accounts (orgs.User): managed by the security admin (accounts page).
    PersonalField("orgs.user", "username", Kind.ACCOUNT, mask_name, ALL_STAFF, WHILE_ACCOUNT),
    PersonalField("orgs.user", "full_name", Kind.PERSON_NAME, mask_name, ALL_STAFF, WHILE_ACCOUNT),
    PersonalField("orgs.user", "first_name", Kind.PERSON_NAME, mask_name, NOBODY, _("不使用（始终为空）")),
    PersonalField("orgs.user", "last_name", Kind.PERSON_NAME, mask_name, NOBODY, _("不使用（始终为空）")),
    # Only the security admin needs an account's email and phone: the audit chain, which auditors
    # read and nobody can edit, keeps them masked.
    PersonalField(
        "orgs.user", "email", Kind.EMAIL, mask_email, frozenset({Role.SECURITY_ADMIN}), WHILE_ACCOUNT, audit_masked=True
    ),
    PersonalField(
        "orgs.user", "phone", Kind.PHONE, mask_phone, frozenset({Role.SECURITY_ADMIN}), WHILE_ACCOUNT, audit_masked=True
    ),
    # A union unit's contact person: work contact data that the unit's administrators need. Staff
    # views mask it for everyone (spec §11); the admins reveal it, audited. The audit chain keeps
    # it masked, so that auditors reading changes do not read it.
    *(
        PersonalField(
            "orgs.unit",
            field,
            kind,
            mask,
            NOBODY,
            _("单位记录存续期间"),
            reveal=UNIT_CONTACT_REVEAL,
            revealed_to=ADMINS,
            audit_masked=True,
        )
        for field, kind, mask in (
            ("contact_name", Kind.PERSON_NAME, mask_name),
            ("contact_phone", Kind.PHONE, mask_phone),
        )
    ),
    # Login lockout records (django-axes) and second-factor devices (django-otp): the accounts'.
    *(
        PersonalField(f"axes.{model}", field, kind, mask, frozenset({Role.SECURITY_ADMIN}), LOGIN_RECORDS)
        for model in ("accessattempt", "accessfailurelog", "accesslog")
        for field, kind, mask in (
            ("username", Kind.ACCOUNT, mask_name),
            ("ip_address", Kind.IP_ADDRESS, mask_ip),
            ("user_agent", Kind.DEVICE, mask_hidden),
            ("http_accept", Kind.DEVICE, mask_hidden),
        )
    ),
)

NOT_PERSONAL = (
    NotPersonal("orgs.unit", "name", _("工会单位名称")),
    NotPersonal("orgs.unit", "address", _("工会单位办公地址")),
    NotPersonal("orgs.region", "name", _("行政区划名称")),
    NotPersonal("auth.group", "name", _("权限组名称（未使用）")),
    NotPersonal("auth.permission", "name", _("权限名称")),
    NotPersonal("auth.permission", "codename", _("权限代码")),
    NotPersonal("otp_totp.totpdevice", "name", _("验证器名称（系统命名）")),
    NotPersonal("otp_static.staticdevice", "name", _("恢复码设备名称（系统命名）")),
)

register_personal_data(PERSONAL_FIELDS, NOT_PERSONAL)
