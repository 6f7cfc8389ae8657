"""API shapes of the orgs context."""

from ninja import Field, Schema

from yizhan.core.admin_base import request_actor
from yizhan.core.personal_data import shown
from yizhan.core.roles import Role
from yizhan.orgs.choices import RegionLevel, UnitType
from yizhan.orgs.models import REGION_CODE_PATTERN


class RegionRefOut(Schema):
    adcode: str
    name: str


class UnitOut(Schema):
    id: int
    code: str
    name: str
    type: UnitType
    type_label: str = Field(..., alias="get_type_display")
    depth: int
    parent_id: int | None = None
    region: RegionRefOut
    contact_name: str = Field(..., description="masked (张**); in full through POST /units/{id}/reveal")
    contact_phone: str = Field(..., description="masked (138****5678); in full through POST /units/{id}/reveal")
    address: str

    @staticmethod
    def resolve_parent_id(obj) -> int | None:
        parent = getattr(obj, "visible_parent", None)
        return parent.pk if parent else None

    # Spec §11: the contact person masked, as on every staff page (core/personal_data.py).
    @staticmethod
    def resolve_contact_name(obj, context) -> str:
        return shown(context_actor(context), obj, "contact_name")

    @staticmethod
    def resolve_contact_phone(obj, context) -> str:
        return shown(context_actor(context), obj, "contact_phone")


def context_actor(context):
    """The actor of the request a schema is filled for; None (everything masked) without one."""
    request = (context or {}).get("request")
    return request_actor(request) if request is not None else None


class UnitContactOut(Schema):
    """A unit's contact person in full (an audited reveal, spec §11)."""

    contact_name: str
    contact_phone: str


class UnitCreateIn(Schema):
    parent_id: int
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    type: UnitType
    region_adcode: str = Field(..., pattern=REGION_CODE_PATTERN)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)
    address: str = Field("", max_length=255)


class UnitUpdateIn(Schema):
    code: str | None = Field(None, min_length=1, max_length=32)
    name: str | None = Field(None, min_length=1, max_length=200)
    type: UnitType | None = None
    region_adcode: str | None = Field(None, pattern=REGION_CODE_PATTERN)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=255)


class UnitMoveIn(Schema):
    parent_id: int


class RegionOut(Schema):
    adcode: str
    name: str
    level: RegionLevel
    parent_adcode: str | None = None
    bbox: list[float] | None = None

    @staticmethod
    def resolve_parent_adcode(obj) -> str | None:
        return obj.parent.adcode if obj.parent_id else None

    @staticmethod
    def resolve_bbox(obj) -> list[float] | None:
        if obj.min_lng is None:
            return None
        return [obj.min_lng, obj.min_lat, obj.max_lng, obj.max_lat]


class MembershipOut(Schema):
    id: int
    username: str = Field(..., alias="user.username")
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    role: Role
    role_label: str = Field(..., alias="get_role_display")


class MembershipIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    unit_id: int
    role: Role


class MeOut(Schema):
    username: str
    full_name: str
    active: MembershipOut | None
    memberships: list[MembershipOut]


class SwitchIn(Schema):
    membership_id: int


class ErrorOut(Schema):
    detail: str
