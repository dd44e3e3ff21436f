"""URL map. Each app owns its own ``urls.py``; Wagtail's page serving comes last."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", home_views.sitemap, name="sitemap"),
    path("favicon.ico", home_views.site_icon, {"name": "favicon.ico"}, name="favicon"),
    path("apple-touch-icon.png", home_views.site_icon, {"name": "img/apple-touch-icon.png"}, name="apple_touch_icon"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("", include("api.urls")),
    path("", include("search.urls")),
    path("", include("directory.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

handler404 = "home.views.page_not_found"
