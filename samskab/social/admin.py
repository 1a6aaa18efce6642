from django import forms
from django.contrib import admin

from samskab.social.models import PostTemplate
from samskab.social.texts import template_problem


class PostTemplateForm(forms.ModelForm):
    class Meta:
        model = PostTemplate
        fields = ["body", "kind", "language", "text"]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        problem = template_problem(text)
        if problem:
            raise forms.ValidationError(problem)
        return text


@admin.register(PostTemplate)
class PostTemplateAdmin(admin.ModelAdmin):
    form = PostTemplateForm
    list_display = ["kind", "language", "body"]
    list_filter = ["kind", "language", "body"]
