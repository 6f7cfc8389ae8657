"""The project's URLs and error handlers, and /test-server-error/, which fails on purpose."""

from django.urls import path

from yizhan import urls as project_urls

SERVER_ERROR_MESSAGE = "a server error on purpose"


def server_error(request):
    raise RuntimeError(SERVER_ERROR_MESSAGE)


urlpatterns = [path("test-server-error/", server_error), *project_urls.urlpatterns]

for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(project_urls, _name):
        globals()[_name] = getattr(project_urls, _name)
