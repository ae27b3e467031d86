from django.contrib import admin

from surveys.admin import ReadOnlyAdminMixin

from .models import IndexResult, PublishedResult


@admin.register(PublishedResult)
class PublishedResultAdmin(admin.ModelAdmin):
    list_display = ("province_name", "year", "sipas", "national_rank", "national_total")


@admin.register(IndexResult)
class IndexResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Stored results are written only by the engine."""

    list_display = ("round", "scope", "code", "name", "n", "sipas")
    list_filter = ("round", "scope")
    search_fields = ("code", "name")

