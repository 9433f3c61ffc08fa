"""Roles are given in the admin: a profile inline on each user."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ()
    raw_id_fields = ("district", "street")


class UserWithRoleAdmin(UserAdmin):
    inlines = (ProfileInline,)
    list_display = (*UserAdmin.list_display, "role")

    @admin.display(description="角色")
    def role(self, obj) -> str:
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "—"


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, UserWithRoleAdmin)
