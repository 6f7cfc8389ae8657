"""`yizhan federation-create --name 郑州市总工会 --code ZZ --adcode 410100` (issue 14 §1): loads the
city's (or province's) administrative areas, creates the federation (a top-level one with the
shipped standards, `orgs.signals.federation_created`) and its first security admin, and prints
that admin's one-time password once. All or nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yizhan.core.audit import audit_context
from yizhan.core.errors import ApplicationError
from yizhan.orgs.choices import FEDERATION_TYPES, UnitType
from yizhan.orgs.services import federation_setup


class Command(BaseCommand):
    help = (
        "Set a federation up: load the areas of its adcode (a city and its districts, or a province, its "
        "cities and districts), create the federation and its first security admin with a one-time password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the federation's name, e.g. 郑州市总工会")
        parser.add_argument("--code", required=True, help="its unit code, e.g. ZZ (letters, digits, - and _)")
        parser.add_argument("--adcode", required=True, help="the city's or province's adcode, e.g. 410100")
        parser.add_argument(
            "--security-admin",
            default="",
            metavar="USERNAME",
            help="username of the first security admin (default: the code in lower case + _security)",
        )
        parser.add_argument("--security-admin-name", default="", metavar="NAME", help="the security admin's name")
        parser.add_argument(
            "--type",
            default="",
            choices=sorted(str(t) for t in FEDERATION_TYPES),
            help="provincial_federation or city_federation (default: from the adcode's level)",
        )
        parser.add_argument(
            "--parent", default="", metavar="CODE", help="a city federation below this provincial federation"
        )

    def handle(self, *args, name, code, adcode, security_admin, security_admin_name, type, parent, **options):
        username = security_admin or f"{code.lower()}_security"
        try:
            with audit_context(actor_name="命令行:federation-create"):
                setup = federation_setup(
                    code=code,
                    name=name,
                    adcode=adcode,
                    security_admin=username,
                    security_admin_name=security_admin_name,
                    type=type,
                    parent_code=parent,
                )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        unit, regions = setup.unit, setup.regions
        self.stdout.write(
            self.style.SUCCESS(
                f"已建立{unit.name}（单位代码 {unit.code}，{UnitType(unit.type).label}），"
                f"行政区划 {unit.region.name} {unit.region.adcode}："
                f"新增 {regions.created}，更新 {regions.updated}，未变 {regions.unchanged}"
            )
        )
        for note in setup.notes:
            self.stdout.write(note)
        self.stdout.write(f"安全管理员：{setup.security_admin.username}")
        self.stdout.write(f"一次性密码：{setup.password}")
        self.stdout.write(
            "（只显示这一次。首次登录须绑定身份验证器并修改密码；之后在“账号与角色”页"
            "为总工会管理员、系统管理员和审计管理员开通账号。）"
        )
        self.stdout.write(f"登录：{settings.YIZHAN_PUBLIC_BASE_URL.rstrip('/')}/staff/")
