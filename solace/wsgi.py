"""The WSGI application (gunicorn: `solace.wsgi:application`).

Built completely at start-up: Django set up, the middleware, and the URLconf with every view
module of the request path imported, so the first patient waits for none of our code. Made on
first use instead: the DynamoDB client (with botocore's client machinery, see solace/aws.py) and
compiled templates. `make bench` measures both (docs/BENCHMARKS.md, "Cold start").
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solace.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view now)
