"""The gallery's order: by the number in plot_<n>_<name>.py, so 10 comes after 9."""

import re


class NumberedKey:
    """Sort key of sphinx-gallery's ``within_subsection_order``: the example's number."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        match = re.match(r"plot_(\d+)_", filename)
        return (int(match.group(1)) if match else float("inf"), filename)

    def __repr__(self):  # sphinx's configuration cache compares the repr
        return f"<{type(self).__name__}>"
