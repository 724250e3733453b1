"""Production static files storage: whitenoise's compressed, hashed-name manifest storage.

Vendored minified libraries (chart.js, htmx) reference source maps that we do not ship; Django would fail
collectstatic on such a `sourceMappingURL`. Source-map references are left as they are (browsers ignore a
missing map), CSS url() and @import are still rewritten to hashed names.
"""
from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    result = []
    for glob, rules in patterns:
        kept = tuple(rule for rule in rules if "sourceMappingURL" not in (rule[0] if isinstance(rule, tuple) else rule))
        if kept:
            result.append((glob, kept))
    return tuple(result)


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(HashedFilesMixin.patterns)
