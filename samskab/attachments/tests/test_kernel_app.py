"""A capability that only registers (core/tests/kernelapp: ideas with attach in their
capabilities and AttachLimits in their registration) gets pictures and documents through
the generic views: its rules, its visibility, its limits, and deletion with the idea."""

import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as Picture

from samskab.accounts.tests.factories import UserFactory
from samskab.attachments.models import Document, Image
from samskab.attachments.selectors import documents_of, images_of
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.webcasts.tests.pdfs import pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea():
    return Idea.objects.create(box=IdeaBox.objects.create(title="Byens rum"), title="Flere bænke")


def add_url(obj):
    return reverse("attachments:add", args=[obj._meta.label_lower, obj.pk])


def jpeg_with_gps(size=(2400, 1200)) -> bytes:
    exif = Picture.Exif()
    exif[0x010F] = "SpyCam"  # camera make
    exif[0x8825] = {1: "N", 2: (55.0, 57.0, 1.0)}  # GPS latitude
    out = io.BytesIO()
    Picture.new("RGB", size, "green").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def noise_png(side=200) -> bytes:
    # Random pixels do not compress: about 120 kB, over the ideas' 60 kB and far under
    # a project's 8 MB.
    out = io.BytesIO()
    Picture.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def picture(data=None, name="foto.jpg"):
    return SimpleUploadedFile(name, data or jpeg_with_gps((40, 30)), "image/jpeg")


def test_a_citizen_adds_a_picture_without_its_metadata_and_a_pdf_to_an_idea(client, idea):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        add_url(idea),
        {
            "image": picture(jpeg_with_gps()),
            "image_alt": "Bænken ved søen",
            "document": SimpleUploadedFile("skitse.pdf", pdf_file(), "application/pdf"),
            "document_title": "Skitse",
        },
    )
    assert response.status_code == 302 and response.url == idea.get_absolute_url()
    [image] = images_of(idea)
    assert (image.alt, image.uploaded_by) == ("Bænken ved søen", user)
    with Picture.open(image.file.path) as stored:
        assert max(stored.size) == 1600 and not stored.getexif()
    [document] = documents_of(idea)
    assert document.title == "Skitse" and "skitse" not in document.file.name


def test_htmx_gets_the_list_back_with_the_picture_and_its_description(client, idea):
    client.force_login(UserFactory())
    response = client.post(
        add_url(idea),
        {"image": picture(), "image_alt": "Bænken", "next": "/kommentarer/"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'alt="Bænken"' in page
    assert "Remove the picture" in page  # the one who added it may take it down


def test_a_picture_opens_in_full_size_from_the_list(client, idea):
    client.force_login(UserFactory())
    response = client.post(
        add_url(idea), {"image": picture(), "image_alt": "Bænken"}, HTTP_HX_REQUEST="true"
    )
    [image] = images_of(idea)
    page = response.content.decode()
    assert f'<a class="attachments-full" href="{image.file.url}"><img' in page
    assert "Open the picture in full size" in page


def test_a_picture_needs_a_description(client, idea):
    client.force_login(UserFactory())
    response = client.post(add_url(idea), {"image": picture(), "image_alt": " "})
    assert response.status_code == 400 and "Describe what the picture shows." in (
        response.content.decode()
    )
    assert not Image.objects.exists()


def test_the_size_limit_is_the_target_kind_s_own(client, idea):
    client.force_login(UserFactory())
    assert "at most 58.6\xa0KB" in client.get(add_url(idea)).content.decode()
    response = client.post(
        add_url(idea), {"image": picture(noise_png(), "stoej.png"), "image_alt": "Støj"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "The limit is 58.6\xa0KB" in page
    assert "at most 58.6\xa0KB" in page  # the form says so before the upload too
    assert not Image.objects.exists()


def test_the_count_limit_is_the_target_kind_s_own(client, idea):
    client.force_login(UserFactory())
    for number in range(2):
        client.post(add_url(idea), {"image": picture(), "image_alt": f"Nr. {number}"})
    response = client.post(add_url(idea), {"image": picture(), "image_alt": "For mange"})
    assert response.status_code == 400
    assert "There can be at most 2 pictures here." in response.content.decode()
    assert images_of(idea).count() == 2


def test_a_file_that_is_not_a_pdf_is_refused(client, idea):
    client.force_login(UserFactory())
    response = client.post(
        add_url(idea),
        {
            "document": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
            "document_title": "Tilbud",
        },
    )
    assert response.status_code == 400 and "Documents must be PDF files." in (
        response.content.decode()
    )
    assert not Document.objects.exists()


def test_the_idea_s_own_rule_closes_it_for_pictures(client, idea):
    Idea.objects.filter(pk=idea.pk).update(is_open=False)
    client.force_login(UserFactory())
    response = client.post(add_url(idea), {"image": picture(), "image_alt": "For sent"})
    assert response.status_code == 403 and not Image.objects.exists()


def test_an_idea_in_an_unpublished_box_is_not_found(client, idea):
    IdeaBox.objects.filter(pk=idea.box_id).update(is_published=False)
    client.force_login(UserFactory())
    assert client.get(add_url(idea)).status_code == 404


def test_a_visitor_without_an_account_is_sent_to_log_in(client, idea):
    response = client.post(add_url(idea), {"image": picture(), "image_alt": "Anonym"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Image.objects.exists()


def test_adding_is_rate_limited(client, idea, settings):
    settings.RATELIMIT_ENABLED = True
    client.force_login(UserFactory())
    codes = [client.post(add_url(idea), {}).status_code for _ in range(21)]
    assert codes[:20] == [400] * 20 and codes[20] == 429


def test_only_the_one_who_added_a_picture_removes_it_and_its_file_goes(
    client, idea, django_capture_on_commit_callbacks
):
    author = UserFactory()
    client.force_login(author)
    client.post(add_url(idea), {"image": picture(), "image_alt": "Min"})
    image = Image.objects.get()
    path = Path(image.file.path)
    remove = reverse("attachments:remove", args=["billede", image.pk])
    client.force_login(UserFactory())
    assert client.post(remove).status_code == 403
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(remove).status_code == 302
    assert not Image.objects.exists() and not path.exists()


def test_pictures_documents_and_their_files_go_with_the_idea(
    client, idea, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    client.post(
        add_url(idea),
        {
            "image": picture(),
            "image_alt": "Bænken",
            "document": SimpleUploadedFile("s.pdf", pdf_file(), "application/pdf"),
            "document_title": "Skitse",
        },
    )
    files = [Path(Image.objects.get().file.path), Path(Document.objects.get().file.path)]
    assert all(f.exists() for f in files)
    with django_capture_on_commit_callbacks(execute=True):
        idea.box.delete()  # the cascade to the idea cleans up too
    assert not Image.objects.exists() and not Document.objects.exists()
    assert not any(f.exists() for f in files)


def test_what_a_person_added_is_in_their_data_download(client, idea):
    user = UserFactory()
    client.force_login(user)
    client.post(add_url(idea), {"image": picture(), "image_alt": "Bænken"})
    data = client.get("/konto/mine-data/").json()["apps"]["attachments"]
    [row] = data["pictures"]
    assert (row["target"], row["title"], row["description"]) == (
        f"kernelapp.idea:{idea.pk}",
        "Flere bænke",
        "Bænken",
    )


def test_the_privacy_notice_describes_who_added_each_file():
    from samskab.core import privacy

    assert not [f for f in privacy.uncovered_fields() if f.startswith("attachments.")]


def test_a_page_can_show_the_upload_form_inline_and_htmx_gets_its_errors_back(client, idea):
    from django.template import Context, Template
    from django.test import RequestFactory

    user = UserFactory()
    request = RequestFactory().get("/ideer/1/")
    request.user = user
    html = Template("{% load attachments %}{% attachment_form idea %}").render(
        Context({"request": request, "idea": idea})
    )
    assert f'hx-post="{add_url(idea)}"' in html and f'hx-target="#attachments-{idea.pk}"' in html
    # Once the idea's rule says no, there is no form.
    Idea.objects.filter(pk=idea.pk).update(is_open=False)
    idea.refresh_from_db()
    assert "<form" not in Template("{% load attachments %}{% attachment_form idea %}").render(
        Context({"request": request, "idea": idea})
    )

    Idea.objects.filter(pk=idea.pk).update(is_open=True)
    client.force_login(user)
    response = client.post(
        add_url(idea), {"image": picture(), "image_alt": ""}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == "this" and "Describe what the picture shows." in (
        response.content.decode()
    )
