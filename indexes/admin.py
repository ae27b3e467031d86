from django.contrib import admin

from .models import IndexResult, PublishedResult


@admin.register(PublishedResult)
class PublishedResultAdmin(admin.ModelAdmin):
    list_display = ("province_name", "year", "sipas", "national_rank", "national_total")


@admin.register(IndexResult)
class IndexResultAdmin(admin.ModelAdmin):
    """Stored results are written only by the engine."""

    list_display = ("round", "scope", "code", "name", "n", "sipas")
    list_filter = ("round", "scope")
    search_fields = ("code", "name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
