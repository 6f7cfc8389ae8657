"""/api/v1/positions: the registry's endpoints. Thin: each calls one selector or service."""

from typing import Literal

from django.http import HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from yizhan.core.errors import ApplicationError
from yizhan.core.pagination import KeysFirstPagination
from yizhan.core.params import PARAM_EMPTY_CHOICE, choice
from yizhan.core.personal_data import personal_data_reveal
from yizhan.core.roles import Action
from yizhan.orgs import selectors as org_selectors
from yizhan.positions import hours_exceptions, rules, selectors, services
from yizhan.positions.choices import ConstructionType, Facility, PositionKind, PositionState, StarRating
from yizhan.positions.exports import EXPORT_FORMATS, position_export
from yizhan.positions.poster import position_poster_pdf
from yizhan.positions.schemas import (
    BulkTransitionIn,
    BulkTransitionOut,
    ConflictOut,
    ErrorOut,
    HoursExceptionIn,
    HoursExceptionOut,
    HoursExceptionUpdateIn,
    ManagerOut,
    OpeningOut,
    PositionCreateIn,
    PositionOut,
    PositionUpdateIn,
    StateChangeOut,
    TransitionIn,
)

router = Router(tags=["positions"])
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# The enumerated filters and their values. Given empty (`kind=`) or unknown, each answers 422 with
# a Chinese message naming the parameter and its values, like the API's other query errors; only
# the staff pages' GET forms, which send every field, read an empty one as "all" (issue 13).
ENUMERATED = {
    "kind": PositionKind.values,
    "state": PositionState.values,
    "construction_type": ConstructionType.values,
    "star": [*StarRating.values, selectors.UNRATED],
    "format": list(EXPORT_FORMATS),
}


def _refused(error: ApplicationError) -> PydanticCustomError:
    return PydanticCustomError("enum", error.message)


class ListFilters(Schema):
    unit: int | None = None
    kind: PositionKind | None = None
    state: PositionState | None = None
    facility: list[str] = []
    construction_type: ConstructionType | None = None
    region: str = ""
    star: Literal["3", "4", "5", "none"] | None = Field(None, description="星级 3/4/5, or none for unrated")
    needs_verification: bool = Field(False, description="只要待核实的阵地（开放时间或建设类型待核实）")
    q: str = ""
    sort: str = "code"

    @field_validator("kind", "state", "construction_type", "star", mode="before")
    @classmethod
    def _enumerated(cls, value, info):
        try:
            return choice(value, info.field_name, ENUMERATED[info.field_name])
        except ApplicationError as error:
            raise _refused(error) from None

    @field_validator("facility", mode="before")
    @classmethod
    def _facilities(cls, value):
        # Any value is looked for (listing.facility_filter); an empty one is a value lost on the way.
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is None or not str(item).strip():
                message = PARAM_EMPTY_CHOICE.format(name="facility", choices="、".join(Facility.values))
                raise PydanticCustomError("enum", str(message))
        return value

    def position_filters(self) -> selectors.PositionFilters:
        """The filters as the selector takes them (an absent enumerated filter is "")."""
        return selectors.PositionFilters(
            unit=self.unit,
            kind=self.kind or "",
            state=self.state or "",
            facility=list(self.facility),
            construction_type=self.construction_type or "",
            region=self.region,
            star=self.star or "",
            needs_verification=self.needs_verification,
            q=self.q,
            sort=self.sort,
        )


def _related(actor, data: dict) -> dict:
    """Turn the API's ids and codes into records the actor may see (404 otherwise)."""
    if data.get("unit_id") is not None:
        data["unit"] = org_selectors.unit_get(actor=actor, pk=data.pop("unit_id"))
    else:
        data.pop("unit_id", None)
    if data.get("parent_centre_id") is not None:
        data["parent_centre"] = selectors.position_get(actor=actor, pk=data.pop("parent_centre_id"))
    else:
        data.pop("parent_centre_id", None)
    adcode = data.pop("region_adcode", None)
    data["region"] = org_selectors.region_get(actor=actor, adcode=adcode) if adcode else None
    return data


@router.get("", response={200: list[PositionOut], **ERRORS})
@paginate(KeysFirstPagination)
def position_list(request, filters: Query[ListFilters]):
    """Positions in scope, filtered (unit subtree, kind, state, facilities, construction type, area,
    star, text or pinyin initials) and sorted."""
    return selectors.position_list(actor=request.actor, filters=filters.position_filters())


class ExportQuery(ListFilters):
    format: Literal["xlsx", "geojson", "kml", "csv-amap", "csv-baidu", "hsds"]
    full_personal_data: bool = Field(
        False, description="xlsx: the manager's name and phone in full (roles that may reveal them; audited)"
    )

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, value):
        try:
            return choice(value, "format", ENUMERATED["format"])
        except ApplicationError as error:
            raise _refused(error) from None


@router.get(
    "/export",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The filtered positions as a file",
                "content": {f.content_type: {} for f in EXPORT_FORMATS.values()},
            }
        }
    },
)
def positions_export(request, query: Query[ExportQuery]):
    """The filtered positions as xlsx (the import template), GeoJSON or KML (WGS-84), CSV for batch
    marking on Amap (GCJ-02) or Baidu (BD-09), or Open Referral HSDS 3.0 JSON; audited. The xlsx
    has the manager's name and phone masked unless `full_personal_data` (403 for roles that may
    not reveal them)."""
    export = position_export(
        actor=request.actor,
        filters=query.position_filters(),
        format_key=query.format,
        full_personal_data=query.full_personal_data,
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


class ImportErrorOut(Schema):
    row: int
    column: str | None
    message: str


class ImportOut(Schema):
    ok: bool
    dry_run: bool
    total: int
    created: int
    updated: int
    unchanged: int
    transitioned: int
    errors: list[ImportErrorOut]
    warnings: list[ImportErrorOut] = Field(..., description="导入但需核实之处（不影响导入），按行")


@router.post("/import", response={200: ImportOut, 400: ImportOut | ErrorOut, 403: ErrorOut})
def positions_import(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Import an xlsx laid out as the template; all or nothing, idempotent by code. Row errors answer
    400 with every problem (row as in Excel, column header); nothing is written then."""
    from yizhan.positions.imports.xlsx import positions_import as run_import

    result = run_import(actor=request.actor, file=file, dry_run=dry_run)
    return Status(200 if result.ok else 400, result.as_dict())


@router.get(
    "/import-template",
    response={200: None, **ERRORS},
    openapi_extra={"responses": {200: {"description": "The xlsx import template", "content": {XLSX_TYPE: {}}}}},
)
def positions_import_template(request):
    """The xlsx import template: Chinese headers, an example row, drop-down lists, a 说明 sheet."""
    from yizhan.positions.spreadsheet import template_workbook

    services.require(request.actor, Action.CREATE, services.Position)
    unit = request.actor.unit
    response = HttpResponse(template_workbook(unit_code=unit.code if unit else ""), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="positions-template.xlsx"'
    return response


@router.get("/{int:position_id}", response={200: PositionOut, **ERRORS})
def position_detail(request, position_id: int):
    return selectors.position_get(actor=request.actor, pk=position_id)


@router.post("/{int:position_id}/reveal", response={200: ManagerOut, **ERRORS}, summary="查看管理员完整姓名和电话")
def position_reveal(request, position_id: int):
    """The manager's full name and phone, for the admins and the position's station manager; each
    call writes an audit entry naming the fields, not their values (spec §11)."""
    position = selectors.position_get(actor=request.actor, pk=position_id)
    return personal_data_reveal(actor=request.actor, obj=position)


@router.get("/{int:position_id}/opening", response={200: OpeningOut, **ERRORS})
def position_opening(request, position_id: int):
    """Open now (Asia/Shanghai), and when it closes or next opens."""
    return rules.position_opening(selectors.position_get(actor=request.actor, pk=position_id))


@router.get("/{int:position_id}/history", response={200: list[StateChangeOut], **ERRORS})
def position_history(request, position_id: int):
    position = selectors.position_get(actor=request.actor, pk=position_id)
    return list(selectors.position_history(actor=request.actor, position=position))


@router.post("", response={201: PositionOut, **ERRORS})
def position_create(request, payload: PositionCreateIn):
    actor = request.actor
    data = _related(actor, payload.dict(exclude_none=True))
    position = services.position_create(actor=actor, **data)
    return Status(201, position)


@router.patch("/{int:position_id}", response={200: PositionOut, 409: ConflictOut, **ERRORS})
def position_update(request, position_id: int, payload: PositionUpdateIn):
    """Change any subset of the fields. With `version` (as the GET returned it) the change is
    refused with 409 if someone else has changed the position since; the answer has the stored
    version."""
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=position_id, action=Action.UPDATE)
    data = _related(actor, payload.dict(exclude_unset=True))
    if data.get("region") is None:
        data.pop("region", None)
    expected_version = data.pop("version", None)
    return services.position_update(actor=actor, position=position, expected_version=expected_version, **data)


@router.post("/{int:position_id}/transition", response={200: PositionOut, **ERRORS})
def position_transition(request, position_id: int, payload: TransitionIn):
    """Move along the lifecycle: planned → building → operating ⇄ suspended → delisted."""
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=position_id, action=Action.OPERATE)
    return services.position_transition(actor=actor, position=position, **payload.dict())


@router.post("/bulk-transition", response={200: BulkTransitionOut, **ERRORS})
def positions_bulk_transition(request, payload: BulkTransitionIn):
    """The same move for many positions; all or none."""
    actor = request.actor
    positions = [selectors.position_get(actor=actor, pk=pk, action=Action.OPERATE) for pk in payload.ids]
    changed = services.positions_transition(actor=actor, positions=positions, **payload.dict(exclude={"ids"}))
    return {"changed": changed}


@router.get(
    "/{int:position_id}/poster.pdf",
    response={200: None, **ERRORS},
    openapi_extra={"responses": {200: {"description": "A4 PDF", "content": {"application/pdf": {}}}}},
)
def position_poster(request, position_id: int):
    """The printable A4 QR poster (PDF, Chinese) with the public page and feedback form as QR codes."""
    position = selectors.position_get(actor=request.actor, pk=position_id)
    response = HttpResponse(position_poster_pdf(position), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{position.code}.pdf"'
    return response


@router.get("/{int:position_id}/hours-exceptions", response={200: list[HoursExceptionOut], **ERRORS})
def hours_exception_list(request, position_id: int):
    """The position's dated exceptions to its weekly hours (closures, other hours), by start date."""
    position = selectors.position_get(actor=request.actor, pk=position_id)
    return list(selectors.hours_exception_list(actor=request.actor, position=position))


@router.post("/{int:position_id}/hours-exceptions", response={201: HoursExceptionOut, **ERRORS})
def hours_exception_create(request, position_id: int, payload: HoursExceptionIn):
    """Add an exception from `start` to `end` (inclusive): closed all day, or open at `intervals`.
    Refused (400, naming the field) when it overlaps another of the position's exceptions."""
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=position_id, action=Action.UPDATE)
    exception = hours_exceptions.hours_exception_create(actor=actor, position=position, **payload.dict())
    return Status(201, exception)


@router.patch("/{int:position_id}/hours-exceptions/{int:exception_id}", response={200: HoursExceptionOut, **ERRORS})
def hours_exception_update(request, position_id: int, exception_id: int, payload: HoursExceptionUpdateIn):
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=position_id, action=Action.UPDATE)
    exception = selectors.hours_exception_get(actor=actor, position=position, pk=exception_id, action=Action.UPDATE)
    changes = payload.dict(exclude_none=True)
    return hours_exceptions.hours_exception_update(actor=actor, position=position, exception=exception, **changes)


@router.delete("/{int:position_id}/hours-exceptions/{int:exception_id}", response={204: None, **ERRORS})
def hours_exception_delete(request, position_id: int, exception_id: int):
    """Remove an exception; the weekly hours apply again on its days."""
    actor = request.actor
    position = selectors.position_get(actor=actor, pk=position_id, action=Action.UPDATE)
    exception = selectors.hours_exception_get(actor=actor, position=position, pk=exception_id, action=Action.UPDATE)
    hours_exceptions.hours_exception_delete(actor=actor, position=position, exception=exception)
    return Status(204, None)
