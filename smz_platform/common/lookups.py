"""Query lookups the ORM lacks.

`AnyOf(F("key"), values)`: the column equals one of many values. On PostgreSQL the values go as one array
(`key = ANY(%s)`), where `key__in=values` makes Django prepare, and the database parse, one parameter per value:
for the ~100,000 alerts a city's night continues, a second and more a rule (profiled: Django's
`batch_process_rhs`, 2.6 s of a 30 s night). Elsewhere (the embedded SQLite default) an IN list as usual.
Used as an expression: `Alert.objects.filter(AnyOf(F("key"), keys))`, `.exclude(AnyOf(F("pk"), ids))`.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)  # prepared in _values, once the column (lhs) is resolved

    def _values(self) -> list:
        prep = self.lhs.output_field.get_prep_value
        return [prep(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet  # as `__in=[]`: matches nothing
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*lhs_params, *self._values())

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self._values())
