"""Public pages of the acceptance (no login): the published results (source 002 六(二): 考核验收
结果在工会网站公示)."""

from django.urls import path

from yizhan.centres import public_views

app_name = "centres_public"

urlpatterns = [
    path("centre-results/", public_views.results, name="results"),
    path("centre-results/<int:round_id>/", public_views.round_results, name="round_results"),
]
