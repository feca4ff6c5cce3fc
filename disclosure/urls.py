"""政务公开 under /gongkai/ (names ``disclosure:<name>``), public, no login."""

from django.urls import path

from disclosure import views
from disclosure.feeds import LatestArticlesFeed

app_name = "disclosure"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.article_list, name="search"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("cases/", views.case_publication, name="cases"),
    path("data/", views.open_data_index, name="open_data"),
    path("data/<slug:name>.schema.json", views.open_data_schema, name="open_data_schema"),
    path("data/<slug:name>.csv", views.open_data, {"fmt": "csv"}, name="open_data_csv"),
    path("data/<slug:name>.json", views.open_data, {"fmt": "json"}, name="open_data_json"),
    path("a/<int:pk>/", views.article_detail, name="article"),
    path("a/<int:pk>/files/<int:attachment>/", views.attachment_download, name="attachment"),
    path("<slug:section>/", views.article_list, name="list"),
]
