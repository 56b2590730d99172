class Column:
    def __init__(self, expr):
        self.expr = expr

    def alias(self, *alias, **kwargs):
        return Column("%s AS %s" % (self.expr, alias[0]))

    def cast(self, dataType):
        return Column("CAST(%s AS %s)" % (self.expr, dataType))

    def __gt__(self, other):
        return Column("(%s > %r)" % (self.expr, other))

    def __repr__(self):
        return "Column<%s>" % self.expr

    def __eq__(self, other):
        return isinstance(other, Column) and other.expr == self.expr

    __hash__ = None
