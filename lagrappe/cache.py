"""Django's database cache with an atomic ``incr``, for deployments without Redis.

Rate-limit counters must be shared by every worker and every increment must
count. Django's ``DatabaseCache.incr`` is ``get`` then ``set`` (two workers can
both read 4 and both write 5), so a flood spread over several workers would get
through. Here ``incr`` is a compare-and-swap: the row is updated only if it
still holds the value that was read, and retried otherwise. That is atomic on
every database Django supports, with no lock held between statements.

Used when ``REDIS_URL`` is unset in production (``lagrappe.settings.base``);
the table is created by ``manage.py createcachetable`` (``make serve``).
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router
from django.utils import timezone

MAX_ATTEMPTS = 50  # compare-and-swap rounds before giving up (each lost round means another writer won)


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        # An expired key is a missing key, compared the way Django's has_key() does.
        select = f"SELECT {quote('value')} FROM {table} WHERE {quote('cache_key')} = %s AND {quote('expires')} > %s"
        update = f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s AND {quote('value')} = %s"
        for _ in range(MAX_ATTEMPTS):
            now = timezone.now().replace(microsecond=0, tzinfo=None)
            with connection.cursor() as cursor:
                cursor.execute(select, [cache_key, connection.ops.adapt_datetimefield_value(now)])
                row = cursor.fetchone()
                if row is None:
                    raise ValueError(f"Key '{key}' not found")
                stored = connection.ops.process_clob(row[0])
                value = pickle.loads(base64.b64decode(stored.encode())) + delta
                encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
                cursor.execute(update, [encoded, cache_key, stored])
                if cursor.rowcount == 1:
                    return value
        raise RuntimeError(f"Cache key '{key}' kept changing during {MAX_ATTEMPTS} increments")
