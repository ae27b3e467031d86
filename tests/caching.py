"""Test helpers: an empty key namespace of the default cache for one test (or one fixture).

This is how a test starts from an empty cache. `cache.clear()` would empty the whole store, which
is shared (the files under .django_cache/, or the Redis db of SIPAS_CACHE_URL) with the other test
processes of a parallel run and with the second server of tests/security/test_shared_cache.py: it
would wipe their entries and rate-limit counts midway.
"""
from __future__ import annotations

import uuid

from django.conf import settings as django_settings


def own_cache_namespace() -> dict:
    """CACHES with the default cache in a new, empty key namespace (a KEY_PREFIX of its own), for
    `override_settings(CACHES=own_cache_namespace())`."""
    caches = django_settings.CACHES
    return {**caches, "default": {**caches["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


def use_own_cache_namespace(settings) -> str:
    """With pytest-django's `settings`: this process's default cache in a new, empty namespace
    for the rest of the test. Returns its KEY_PREFIX (for another process to share it)."""
    settings.CACHES = own_cache_namespace()
    return settings.CACHES["default"]["KEY_PREFIX"]
