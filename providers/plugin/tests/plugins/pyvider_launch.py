"""Starts pyvider's provider server the way a packaged pyvider provider starts: pyvider checks
that it runs as `terraform-provider-*`, so argv[0] says so."""

import sys

from pyvider.cli.__main__ import main

sys.argv = ["terraform-provider-pyvider", "provide"]
main()
