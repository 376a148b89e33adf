"""The web copy of a report photo from a 48-megapixel phone camera: made without decoding
the whole picture (a worker grew by some 400 MB on one upload), turned upright, at most
1280 px, without metadata.

Pillow's pixel buffers are C memory that tracemalloc does not see, so the conversion runs
in a fresh process and reports the growth of its peak resident size."""

from __future__ import annotations

import subprocess
import sys

# Makes a 8000 × 6000 JPEG as a phone saves a portrait: landscape pixels, EXIF
# orientation 6 (turn 90° clockwise to show), the camera's make in the metadata.
MAKE = """
import sys
from PIL import Image
pixels = Image.linear_gradient("L").resize((8000, 6000))
image = Image.merge("RGB", (pixels, pixels.transpose(Image.Transpose.FLIP_LEFT_RIGHT), pixels))
exif = Image.Exif()
exif[0x0112] = 6
exif[0x010F] = "PhoneMaker"
image.save(sys.argv[1], "JPEG", quality=90, exif=exif)
"""

# Converts it and prints the peak growth in MB, then the copy's size and EXIF tags.
CONVERT = """
import io, resource, sys
from pathlib import Path
from PIL import Image
from initiatives.grants import photos
content = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
web = photos.web_copy(content)
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
with Image.open(io.BytesIO(web)) as copy:
    print(round(grown), copy.format, copy.width, copy.height, len(copy.getexif()))
"""


def test_a_48_megapixel_photo_is_copied_for_the_web_without_decoding_it_whole(tmp_path):
    photo = tmp_path / "camera.jpg"
    subprocess.run([sys.executable, "-c", MAKE, str(photo)], check=True, timeout=120)
    out = subprocess.run(
        [sys.executable, "-c", CONVERT, str(photo)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.split()
    grown, kind, width, height, tags = int(out[0]), out[1], *map(int, out[2:])
    print(f"peak resident size grew by {grown} MB")
    assert (kind, width, height, tags) == ("JPEG", 960, 1280, 0)  # upright, no EXIF left
    # The whole picture decoded is 8000 × 6000 × 3 bytes = 137 MB, once more when turned.
    assert grown < 60, grown
