"""Staff pages of inspections (Chinese, phone-friendly)."""

from django.http import HttpResponse

from yizhan.core.views_helpers import staff_view


@staff_view
def inspection_list(request):
    return HttpResponse("")


@staff_view
def rectification_list(request):
    return HttpResponse("")
