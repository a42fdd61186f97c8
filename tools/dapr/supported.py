"""The Dapr releases the validator judges against, oldest first; the newest is the default.

Kept apart from tools.dapr.releases, which reads the release data, so that the command line
can name them without loading anything.
"""

SUPPORTED = ("1.16", "1.17", "1.18")
NEWEST = SUPPORTED[-1]
