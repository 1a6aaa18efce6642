"""Pictures and documents in the admin: as inlines on their target's page (any app adds
them to its model's admin) and as lists of their own, for takedowns."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from samskab.attachments.models import Document, Image


class ImageInline(GenericTabularInline):
    model = Image
    extra = 0
    fields = ["file", "alt", "uploaded_by", "created_at"]
    readonly_fields = ["file", "uploaded_by", "created_at"]


class DocumentInline(GenericTabularInline):
    model = Document
    extra = 0
    fields = ["file", "title", "size", "uploaded_by", "created_at"]
    readonly_fields = ["file", "size", "uploaded_by", "created_at"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["alt", "content_type", "object_id", "created_at"]
    list_filter = ["content_type"]
    raw_id_fields = ["uploaded_by"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "content_type", "object_id", "size", "created_at"]
    list_filter = ["content_type"]
    raw_id_fields = ["uploaded_by"]
