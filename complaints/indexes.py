"""Index expressions that read the same on PostgreSQL and SQLite."""

from django.contrib.postgres.indexes import OpClass
from django.db.models.indexes import IndexExpression


class PrefixSearchable(OpClass):
    """An index expression that PostgreSQL can use for ``LIKE 'PREFIX%'`` (``istartswith``).

    PostgreSQL answers a prefix ``LIKE`` from a b-tree only in the "C" collation or through a
    pattern operator class; ``text_pattern_ops`` is the one for text (what ``UPPER()`` returns),
    and it works whatever collation the database was created with. SQLite has no operator classes
    (the name is a syntax error there): it gets the plain expression index, which serves
    ``UPPER(col) = ...`` but no ``LIKE``, as SQLite matches ``LIKE`` only against a bare column.
    """

    def __init__(self, expression):
        super().__init__(expression, name="text_pattern_ops")

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


# CREATE INDEX puts an indexed expression in parentheses, and an operator class must follow them:
# `(UPPER("last_name")) text_pattern_ops`. Django does so for the expressions it registers as
# wrappers; django.contrib.postgres registers OpClass, but only when it is an installed app, and
# this project (which also runs on SQLite) does not install it.
if not issubclass(PrefixSearchable, IndexExpression.wrapper_classes):
    IndexExpression.register_wrappers(*IndexExpression.wrapper_classes, PrefixSearchable)
