"""The one application error type. Services raise it; views and the API turn it into a clear message."""


class ApplicationError(Exception):
    """A rule of the domain refused the request. `message` is shown to the user as is (Chinese)."""

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    """The object does not exist or lies outside the actor's scope (both answer 404, spec §1)."""


class PermissionDeniedError(ApplicationError):
    """The object is in scope but the actor's role may not do this to it (403)."""


class ConflictError(ApplicationError):
    """The record changed since the caller read it; saving would overwrite that change (409)."""


def from_validation_error(error) -> ApplicationError:
    """The first field's messages of a Django ValidationError as an ApplicationError naming that field."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        return ApplicationError("；".join(str(m) for e in errors for m in e.messages), field=field)
    return ApplicationError("；".join(error.messages))
