from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import ClientProfile, FreelancerProfile, PortfolioItem, Skill, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "active_hat", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "active_hat"]
    search_fields = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password", "active_hat"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ur", "slug"]
    search_fields = ["name", "name_ur"]
    prepopulated_fields = {"slug": ["name"]}


class PortfolioInline(admin.TabularInline):
    model = PortfolioItem
    extra = 0
    fields = ["title", "link", "image"]


@admin.register(FreelancerProfile)
class FreelancerProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "slug", "city", "availability", "pseb_registration_number"]
    list_filter = ["city", "availability"]
    search_fields = ["display_name", "slug", "user__email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["skills"]
    inlines = [PortfolioInline]


@admin.register(ClientProfile)
class ClientProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "time_zone"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]
