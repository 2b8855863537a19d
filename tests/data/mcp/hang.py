"""A server that starts and never answers."""

import time

while True:
    time.sleep(1)
