import recorder
from pyspark.sql.column import Column


class Row(dict):
    def __getitem__(self, key):
        if isinstance(key, int):
            return list(self.values())[key]
        return dict.__getitem__(self, key)


class DataFrame:
    # What collect() returns, for tests that need an aggregate's value (e.g. a bookmark's maximum).
    collected = [Row(m=None)]
    # What .columns returns (the job's output columns), for tests of JDBC sinks.
    output_columns = []

    def __init__(self, name):
        self.name = name

    def _derived(self, what):
        return DataFrame("%s.%s" % (self.name, what))

    def createOrReplaceTempView(self, name):
        recorder.record("DataFrame:" + self.name, "createOrReplaceTempView", name)

    def select(self, *cols):
        recorder.record("DataFrame:" + self.name, "select", *[c.expr if isinstance(c, Column) else c for c in cols])
        return self._derived("select")

    def filter(self, condition):
        recorder.record("DataFrame:" + self.name, "filter", condition.expr if isinstance(condition, Column) else condition)
        return self._derived("filter")

    where = filter

    def agg(self, *exprs):
        recorder.record("DataFrame:" + self.name, "agg", *[e.expr if isinstance(e, Column) else e for e in exprs])
        return self._derived("agg")

    def collect(self):
        recorder.record("DataFrame:" + self.name, "collect")
        return list(DataFrame.collected)

    def count(self):
        return 0

    @property
    def write(self):
        from pyspark.sql.readwriter import DataFrameWriter

        return DataFrameWriter(self)

    @property
    def columns(self):
        return list(DataFrame.output_columns)
