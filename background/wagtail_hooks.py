"""The « Travaux en arrière-plan » admin screen (Paramètres menu), for operators allowed to see it."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import BackgroundTasksView, RetryTaskView, user_can_view


@hooks.register("register_admin_urls")
def register_background_urls():
    return [
        path("travaux/", BackgroundTasksView.as_view(), name="background_tasks"),
        path("travaux/<uuid:pk>/relancer/", RetryTaskView.as_view(), name="background_task_retry"),
    ]


class BackgroundTasksMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_view(request.user)


@hooks.register("register_settings_menu_item")
def register_background_menu_item():
    return BackgroundTasksMenuItem(
        "Travaux en arrière-plan", reverse("background_tasks"), icon_name="resubmit", order=900
    )
