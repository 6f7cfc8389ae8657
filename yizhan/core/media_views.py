"""The two ways to an uploaded file (decision 36): MEDIA_URL for public files, FILES_URL for the rest.

Both answer a name that does not exist exactly as one the requester may not see (404, or the same
redirect), so names cannot be probed.
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from yizhan.core.media import clean_name, file_is_public, file_visible_to, files_url, under_public_prefix
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE

# Shown in the browser (re-encoded photos); every other type is handed over as a download, so an
# uploaded HTML, SVG or PDF never runs or renders in the site's origin.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
PUBLIC_CACHE = "public, max-age=300"  # a station may leave the public map: not for long
PRIVATE_IMAGE_CACHE = "private, max-age=600"
PRIVATE_DOWNLOAD_CACHE = "private, no-store"  # exports may hold personal data


def _send(name: str, *, public: bool) -> HttpResponse:
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    filename = posixpath.basename(name)
    accel = settings.YIZHAN_MEDIA_ACCEL_REDIRECT
    if accel:
        # The web server sends the file from its internal location (nginx `internal;`).
        if not default_storage.exists(name):
            raise Http404(OUT_OF_SCOPE_MESSAGE)
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
        if not inline:
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    else:
        try:
            handle = default_storage.open(name, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise Http404(OUT_OF_SCOPE_MESSAGE) from None
        response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    if public:
        response["Cache-Control"] = PUBLIC_CACHE
    else:
        response["Cache-Control"] = PRIVATE_IMAGE_CACHE if inline else PRIVATE_DOWNLOAD_CACHE
        response["Vary"] = "Cookie"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_safe
def public_file(request, path: str) -> HttpResponse:
    """A public file for anyone (a photo of a station on the public map). Every other name under a
    public prefix (a photo of a planned station, or no photo at all) goes on to FILES_URL, where
    staff in scope get it; names under any other prefix are not here at all."""
    name = clean_name(path)
    if name is None or not under_public_prefix(name):
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    if file_is_public(name):
        return _send(name, public=True)
    return redirect(files_url(name))


@require_safe
def private_file(request, path: str) -> HttpResponse:
    """An uploaded file for a signed-in actor who may view the row holding it; 404 otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    name = clean_name(path)
    if name is None or not file_visible_to(name, request.actor):
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    return _send(name, public=False)
