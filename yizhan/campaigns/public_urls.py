"""Public pages of campaigns (no login): the notices (公示) and their objection form."""

from django.urls import path

from yizhan.campaigns import public_views

app_name = "campaigns_public"

urlpatterns = [
    path("notices/", public_views.notice_list, name="notices"),
    path("notices/<int:campaign_id>/", public_views.notice_detail, name="notice"),
    path("notices/<int:campaign_id>/notice.pdf", public_views.notice_pdf, name="notice_pdf"),
]
