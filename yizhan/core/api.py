"""/api/v1/audit: the audit log, read-only, for auditors in their scope."""

from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from yizhan.core.audit import audit_verify
from yizhan.core.pagination import BoundedPagination
from yizhan.core.selectors import audit_entry_list, require_audit_reader

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    seq: int
    created_at: datetime
    actor_name: str
    unit_name: str
    remote_addr: str
    action: str
    action_label: str = Field(..., alias="get_action_display")
    object_type: str
    object_id: str
    object_repr: str
    before: dict | None
    after: dict | None
    hash: str


class ChainOut(Schema):
    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str


class ErrorOut(Schema):
    detail: str


@router.get("", response={200: list[AuditEntryOut], 403: ErrorOut}, summary="List audit entries")
@paginate(BoundedPagination)
def audit_list(
    request,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str = "",
    object_type: str = "",
    actor: str = "",
):
    return audit_entry_list(
        actor=request.actor, since=since, until=until, action=action, object_type=object_type, actor_name=actor
    )


@router.get("/verify", response={200: ChainOut, 403: ErrorOut}, summary="Verify the hash chain")
def audit_chain_verify(request):
    require_audit_reader(request.actor)
    return audit_verify()
