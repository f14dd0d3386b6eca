# Tests run against the package next to them unless one is installed.
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
try:
    import skipattn  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.dirname(here))
