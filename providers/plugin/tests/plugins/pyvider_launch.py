"""Starts pyvider's provider server the way a packaged pyvider provider starts: pyvider checks
that it runs as `terraform-provider-*`, so argv[0] says so.

With PLINTH_PYVIDER_STORE set, the test provider's notes live in that JSON file instead of the
process's memory, so they outlive the process as a real provider's objects do (each plinth or
terraform command starts the provider afresh)."""

import json
import os
import sys

from pyvider.cli.__main__ import main


class StoredNotes(dict):
    """The notes, written through to a JSON file on every change."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path) as f:
                super().__init__(json.load(f))
        except FileNotFoundError:
            super().__init__()

    def _save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(dict(self), f)
        os.replace(tmp, self.path)

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self._save()

    def pop(self, key, *default):
        value = super().pop(key, *default)
        self._save()
        return value


store = os.environ.get("PLINTH_PYVIDER_STORE")
if store:
    import plinth_pyvider_demo

    plinth_pyvider_demo.NOTES = StoredNotes(store)

sys.argv = ["terraform-provider-pyvider", "provide"]
main()
