from django.urls import include, path

from portal import switches, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.catalogue, name="catalogue"),
    path("items/<str:code>/", views.item_guide, name="item"),
    path("display/large-text/", switches.large_text, name="large_text"),
    path("display/language/", switches.language, name="language"),
    path("accounts/", include("portal.accounts_urls")),
    # Applying online, "my cases", progress query, certificate verification (portal/cases/).
    path("", include("portal.cases.urls")),
    # Rating a case (好差评), the signed SMS link, the public results (portal/ratings/).
    path("", include("portal.ratings.urls")),
]
