"""``python3 -m federation_tests.thirdparty --port 8501 --user alice``: run bovine-herd by hand."""

from .server import main

main()
