from django.urls import path

from yizhan.publishing import views

app_name = "publishing"

urlpatterns = [
    path("partners/", views.partners_page, name="partners"),
    path("partners/<int:pk>/", views.partner_page, name="partner"),
    path("partners/<int:pk>/keys/", views.key_issue_page, name="key_issue"),
    path("partners/<int:pk>/webhook/", views.webhook_set_page, name="webhook_set"),
    path("partners/<int:pk>/keys/<int:key_pk>/revoke/", views.key_revoke_page, name="key_revoke"),
]
urlpatterns += [
    path("map-marking/", views.map_marking_page, name="map_marking"),
    path("map-marking/<str:platform>/difference.csv", views.map_difference_download, name="map_difference"),
    path("map-marking/<str:platform>/out-of-date/", views.out_of_date_page, name="out_of_date"),
]
