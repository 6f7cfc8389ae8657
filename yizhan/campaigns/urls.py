"""Staff pages of campaigns under /staff/campaigns/."""

from django.urls import path

from yizhan.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/transition/", views.campaign_transition, name="transition"),
    path("<int:campaign_id>/quotas/compute/", views.quotas_compute, name="quotas_compute"),
    path("<int:campaign_id>/members/", views.member_register, name="member_register"),
    path("<int:campaign_id>/nominations/", views.nomination_create, name="nomination_create"),
    path("<int:campaign_id>/meetings/", views.meeting_record, name="meeting_record"),
    path("<int:campaign_id>/spot-checks/", views.spot_checks_draw, name="spot_checks_draw"),
    path("<int:campaign_id>/annex1.<str:fmt>", views.annex_export, {"annex": 1}, name="annex1"),
    path("<int:campaign_id>/annex2.<str:fmt>", views.annex_export, {"annex": 2}, name="annex2"),
    path("<int:campaign_id>/annex4.<str:fmt>", views.annex_export, {"annex": 4}, name="annex4"),
    path("steps/<int:step_id>/extend/", views.step_extend, name="step_extend"),
    path("quotas/<int:quota_id>/adjust/", views.quota_adjust, name="quota_adjust"),
    path("quotas/<int:quota_id>/submit/", views.nominations_submit, name="nominations_submit"),
    path("quotas/<int:quota_id>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("members/<int:member_id>/confirm/", views.member_confirm, name="member_confirm"),
    path("members/<int:member_id>/conflicts/", views.member_conflicts, name="member_conflicts"),
    path("nominations/<int:nomination_id>/", views.nomination_detail, name="nomination"),
    path("nominations/<int:nomination_id>/statement/", views.nomination_update, name="nomination_update"),
    path("nominations/<int:nomination_id>/sealed/", views.nomination_sealed, name="nomination_sealed"),
    path("nominations/<int:nomination_id>/sealed.pdf", views.sealed_pdf, name="sealed_pdf"),
    path("nominations/<int:nomination_id>/annex3.<str:fmt>", views.nomination_annex, name="annex3"),
    path("nominations/<int:nomination_id>/transition/", views.nomination_transition, name="nomination_transition"),
    path("nominations/<int:nomination_id>/assign/", views.review_assign, name="review_assign"),
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/record/", views.review_record, name="review_record"),
    path("assignments/<int:assignment_id>/photos/", views.review_photo, name="review_photo"),
    path("objections/<int:objection_id>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("honours/<int:honour_id>/plaque/", views.plaque_issue, name="plaque_issue"),
]
