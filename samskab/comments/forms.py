from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.comments.models import MAX_LENGTH
from samskab.core.forms import CleanTextMixin


class CommentForm(CleanTextMixin, forms.Form):
    # The length is checked again in the service; this gives the browser a hint.
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_LENGTH}),
        max_length=MAX_LENGTH,
        help_text=_(
            "Markdown: *italic*, **bold**, [link](https://…). Video links are shown as players."
        ),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    image = forms.FileField(label=_("Picture (optional, at most 5 MB)"), required=False)
    image_alt = forms.CharField(
        label=_("Describe the picture for people who cannot see it"),
        max_length=200,
        required=False,
    )


class AnonymousCommentForm(CommentForm):
    author_name = forms.CharField(label=_("Your name"), max_length=60)
    challenge = forms.CharField(widget=forms.HiddenInput, required=False)
    nonce = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)


class EditForm(CleanTextMixin, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_LENGTH}),
        max_length=MAX_LENGTH,
    )
