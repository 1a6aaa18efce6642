"""Forms for the social accounts and a meeting's posts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.core.forms import CleanTextMixin
from samskab.social.models import Account, Network, Post


class AccountForm(CleanTextMixin, forms.ModelForm):
    server_url = forms.URLField(
        label=_("server address"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_(
            "Mastodon: your server, e.g. https://mastodon.example. "
            "Bluesky: leave empty for bsky.social."
        ),
    )
    client_secret = forms.CharField(
        label=_("app secret (client secret)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the one stored."),
    )

    class Meta:
        model = Account
        fields = [
            "network",
            "name",
            "server_url",
            "external_id",
            "client_id",
            "announces",
            "goes_live",
            "bodies",
            "language",
            "soon_hours",
        ]
        widgets = {"bodies": forms.CheckboxSelectMultiple}
        help_texts = {
            "external_id": _(
                "Facebook: the Page's id (empty: the first Page you administer). "
                "LinkedIn: urn:li:organization: and the organisation's number."
            ),
            "client_id": _("X, Facebook, LinkedIn and YouTube: from the app you made there."),
        }

    def clean(self):
        data = super().clean()
        network = data.get("network")
        if network == Network.MASTODON and not data.get("server_url"):
            self.add_error("server_url", _("Give the Mastodon server's address."))
        if network in (Network.X, Network.FACEBOOK, Network.LINKEDIN, Network.YOUTUBE):
            if not data.get("client_id"):
                self.add_error("client_id", _("Give the app id from the network."))
            if not data.get("client_secret") and not (
                self.instance.pk and self.instance.client_secret_encrypted
            ):
                self.add_error("client_secret", _("Give the app secret from the network."))
        if network == Network.LINKEDIN and not str(data.get("external_id", "")).startswith(
            "urn:li:organization:"
        ):
            self.add_error("external_id", _("Give the organisation as urn:li:organization:12345."))
        if data.get("goes_live") and network not in (Network.YOUTUBE, Network.FACEBOOK):
            self.add_error("goes_live", _("Only YouTube and Facebook broadcast live."))
        return data


class BlueskyForm(CleanTextMixin, forms.Form):
    identifier = forms.CharField(
        label=_("handle"), max_length=200, help_text=_("E.g. kommune.bsky.social")
    )
    password = forms.CharField(
        label=_("app password"),
        max_length=100,
        widget=forms.PasswordInput,
        help_text=_("Made under Settings, Privacy and security, App passwords. Not stored."),
    )


class PostForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 6}))
    with_picture = forms.BooleanField(label=_("with the share card picture"), required=False)
    picture_alt = forms.CharField(
        label=_("the picture's alt text"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the picture shows, for those who cannot see it."),
    )

    def __init__(self, *args, post: Post, **kwargs):
        kwargs.setdefault(
            "initial",
            {"text": post.text, "with_picture": post.with_picture, "picture_alt": post.picture_alt},
        )
        kwargs.setdefault("prefix", f"post-{post.pk}")
        super().__init__(*args, **kwargs)


class MeetingAccountsForm(forms.Form):
    """Which accounts post about (or broadcast) this meeting."""

    accounts = forms.TypedMultipleChoiceField(
        label=_("Accounts used for this meeting"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Ticked as the account's councils and committees say, unless changed here. "
            "The posts of an account turned off wait, and go if it is turned on again."
        ),
    )

    def __init__(self, *args, rows: list[dict], **kwargs):
        kwargs.setdefault(
            "initial", {"accounts": [row["account"].pk for row in rows if row["used"]]}
        )
        kwargs.setdefault("prefix", "choice")
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = [(row["account"].pk, _choice_label(row)) for row in rows]


def _choice_label(row: dict) -> str:
    account = row["account"]
    uses = []
    if row["posts"]:
        uses.append(str(_("posts")))
    if row["live"]:
        uses.append(str(_("live broadcast")))
    label = f"{account} ({', '.join(uses)})"
    if account.status != Account.Status.CONNECTED:
        label += f" – {account.get_status_display()}"
    return label
