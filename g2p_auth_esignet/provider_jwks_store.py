"""The provider's JWKS cache, kept in its database row (shared by workers)."""

import json
import logging

_logger = logging.getLogger(__name__)


class ProviderJwksStore:
    """The provider's JWKS cached in its database row, shared by all workers.

    The cache is written through its own cursor and committed at once, so a
    login that fails later does not throw away a fresh JWKS, and a
    concurrent refresh by another worker costs at most a skipped write.
    """

    def __init__(self, provider):
        self._provider = provider.sudo()

    def load(self):
        provider = self._provider
        if not provider.esignet_jwks_cache:
            return None, None
        try:
            jwks = json.loads(provider.esignet_jwks_cache)
        except ValueError:
            return None, None
        return jwks, provider.esignet_jwks_fetched_at or None

    def save(self, jwks, fetched_at):
        provider = self._provider
        payload = json.dumps(jwks, separators=(",", ":"), sort_keys=True)
        try:
            with provider.env.registry.cursor() as cr:
                cr.execute(
                    "UPDATE auth_oauth_provider SET esignet_jwks_cache = %s, "
                    "esignet_jwks_fetched_at = %s WHERE id = %s",
                    (payload, fetched_at, provider.id),
                )
        except Exception as error:  # the cache is an optimisation only
            _logger.info(
                "JWKS cache not saved for provider %s: %s",
                provider.id,
                type(error).__name__,
            )
        provider.invalidate_recordset(["esignet_jwks_cache", "esignet_jwks_fetched_at"])
