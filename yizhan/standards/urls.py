"""Staff pages of standards, assessments and star ratings, under /staff/standards/."""

from django.urls import path

from yizhan.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.standard_list, name="list"),
    path("<int:pk>/", views.standard_detail, name="detail"),
    path("<int:pk>/draft/", views.draft_create, name="draft_create"),
    path("versions/<int:version_id>/", views.version_detail, name="version"),
    path("versions/<int:version_id>/publish/", views.version_publish, name="publish"),
    path("items/<int:item_id>/", views.item_edit, name="item_edit"),
    path("items/<int:item_id>/remove/", views.item_remove, name="item_remove"),
    path("policy/", views.policy_view, name="policy"),
    path("policy/draft/", views.policy_draft_save, name="policy_draft"),
    path("policy/<int:version_id>/publish/", views.policy_publish, name="policy_publish"),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/sheet.<str:fmt>", views.assessment_sheet, name="assessment_sheet"),
    path("assessments/<int:pk>/rate/", views.assessment_rate, name="rate"),
    path("positions/<int:position_id>/assess/", views.assessment_new, name="assess"),
    path("positions/<int:position_id>/ratings/", views.rating_history, name="history"),
    path("ratings/", views.rating_list, name="rating_list"),
    path("ratings/<int:rating_id>/", views.rating_detail, name="rating"),
    path("review/", views.ratings_review, name="review"),
]
