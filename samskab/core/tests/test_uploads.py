import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from samskab.core.uploads import validate_image


def picture(fmt="PNG", size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format=fmt)
    return buffer.getvalue()


def test_a_png_is_accepted_and_left_readable():
    upload = SimpleUploadedFile("logo.png", picture())
    assert validate_image(upload, max_bytes=1_000_000) == "PNG"
    assert upload.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_text_file_named_png_is_refused():
    upload = SimpleUploadedFile("logo.png", b"<script>alert(1)</script>")
    with pytest.raises(ValidationError) as error:
        validate_image(upload, max_bytes=1_000_000)
    assert error.value.code == "not_image"


def test_an_svg_is_refused_because_it_can_carry_script():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationError):
        validate_image(SimpleUploadedFile("logo.svg", svg), max_bytes=1_000_000)


def test_a_too_large_file_is_refused_before_it_is_read():
    upload = SimpleUploadedFile("big.png", picture() + b"\0" * 3_000_000)
    with pytest.raises(ValidationError) as error:
        validate_image(upload, max_bytes=2 * 1024 * 1024)
    assert error.value.code == "too_large"


def test_a_format_outside_the_list_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_image(SimpleUploadedFile("x.bmp", picture("BMP")), max_bytes=1_000_000)
    assert error.value.code == "format"


def test_a_gif_is_refused_as_the_forms_say_png_jpeg_or_webp():
    upload = SimpleUploadedFile("anim.gif", picture("GIF"))
    with pytest.raises(ValidationError) as error:
        validate_image(upload, max_bytes=1_000_000)
    assert error.value.code == "format"


def test_a_picture_is_shrunk_and_re_encoded_without_its_metadata():
    from samskab.core.uploads import reencode_image

    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    buffer = io.BytesIO()
    Image.new("RGB", (3200, 800), "blue").save(buffer, "JPEG", exif=exif.tobytes())
    stored = reencode_image(SimpleUploadedFile("x.jpg", buffer.getvalue()), max_bytes=10**7)
    with Image.open(stored) as image:
        assert image.size == (1600, 400) and not image.getexif()
