"""The pytest plugin (``-p`` in pytest.ini) that chooses the test backends and names them.

The choice runs when pytest imports this plugin: before pytest-django configures Django, and
before pytest starts capturing output, so the sentence is the run's first line.
"""

import os
import sys

from helpcenter.backend_choice import choose_backends

sys.stdout.write(choose_backends(os.environ) + "\n")
sys.stdout.flush()
