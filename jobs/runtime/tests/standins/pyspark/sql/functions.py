from pyspark.sql.column import Column


def col(col):
    if not isinstance(col, str):
        raise TypeError("col() takes a column name")
    return Column(col)


def explode(col):
    return Column("explode(%s)" % (col.expr if isinstance(col, Column) else col))


def max(col):
    return Column("max(%s)" % (col.expr if isinstance(col, Column) else col))
