"""Settings of the server bench/load.py starts: gongkai's own settings, unchanged, and one more URL.

`bench/load.py` runs `gongkai serve` (migrate, collectstatic, gunicorn) with DJANGO_SETTINGS_MODULE=load_site
and this folder on PYTHONPATH, so the production server, its workers and its whole middleware stack (security,
CSP, WhiteNoise, sessions, locale, CSRF, authentication, messages, clickjacking) serve the portal as always and,
besides it, `/bench-bare/` (bench/load_urls.py): a view that returns a short text and touches neither the
database nor a template. Comparing the portal home with it, in the same run on the same server, tells what
gongkai's own page costs on top of Django and gunicorn. Nothing here is part of the product: the production
URLconf stays as it is.
"""

from gongkai.settings import *  # noqa: F403 - the very settings `gongkai serve` uses

ROOT_URLCONF = "load_urls"
