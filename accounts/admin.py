"""Roles are given in the admin: a profile inline on each user."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Profile
from .permissions import actor_of


class CityAdminWrites:
    """Admin writes (add, change, delete) for city administrators only: ``is_staff``
    opens the admin site, the role decides what may be written there; a staff
    account of any other role reads (with its model permissions)."""

    def _city_admin(self, request) -> bool:
        return actor_of(request.user).city_wide

    def has_add_permission(self, request, *args):
        return self._city_admin(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._city_admin(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._city_admin(request) and super().has_delete_permission(request, obj)


class ProfileInline(CityAdminWrites, admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ()
    raw_id_fields = ("district", "street")


class UserWithRoleAdmin(CityAdminWrites, UserAdmin):
    inlines = (ProfileInline,)
    list_display = (*UserAdmin.list_display, "role")

    @admin.display(description="角色")
    def role(self, obj) -> str:
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "—"


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, UserWithRoleAdmin)
