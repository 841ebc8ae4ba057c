"""The test suite's settings: production's (solace.settings) with one change, fast password
hashing. Argon2 spends a deliberate 0.1 to 0.4 s per hash, hundreds of times over a run; what
the tests check about passwords does not depend on the hasher. `test_sign_in` proves that
production hashes with Argon2 and that this module changes nothing else.

Live servers (gunicorn) started by the tests inherit DJANGO_SETTINGS_MODULE and use it too, so
staff created in the test process sign in there.
"""

from solace.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
