from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView

from onestop import admin_site, docs, views

admin_site.brand(admin.site)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin): a 404 there was
    # the only console error left under the CSP check of the browser suite.
    path("favicon.ico", views.favicon),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", docs.api_docs, name="api-docs"),
    path("api/v1/", include("onestop.api_urls")),
    path("notifications/", include("notifications.urls")),
    path("office/", include("workflow.deadlines.urls")),
    path("centres/", include("centres.urls")),
    path("office/", include("workflow.urls")),
    path("office/", include("workflow.grants.urls")),
    path("office/", include("workflow.intake.urls")),
    path("office/", include("evaluations.urls")),
    path("office/", include("workflow.documents.urls")),
    path("office/", include("stats.urls")),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    # 政务公开 and 办件公示 (issue 13 item 5), public.
    path("gongkai/", include("disclosure.urls")),
    path("", include("portal.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
