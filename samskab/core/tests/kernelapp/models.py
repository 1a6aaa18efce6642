from django.conf import settings
from django.db import models
from django.urls import reverse


class IdeaBox(models.Model):
    """The process: a box of ideas, hidden until published."""

    title = models.CharField(max_length=100)
    is_published = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.title


class Idea(models.Model):
    box = models.ForeignKey(IdeaBox, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(max_length=100)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    is_open = models.BooleanField(default=True)
    language = models.CharField(max_length=8, blank=True)
    # What moderation did to it (through the hooks in apps.py): shown, held or hidden.
    state = models.CharField(max_length=12, default="published")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("comments:thread", args=["kernelapp.idea", self.pk])
