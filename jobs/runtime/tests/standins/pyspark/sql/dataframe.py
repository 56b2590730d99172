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
    # The columns of the frames a source read returns, by frame name ("read" for spark.read, the
    # transformation_ctx for a DynamicFrame); a frame not named here has output_columns.
    source_columns = {}

    def __init__(self, name, columns=None):
        self.name = name
        self._columns = None if columns is None else list(columns)

    def _derived(self, what, columns=None):
        return DataFrame("%s.%s" % (self.name, what), columns)

    def createOrReplaceTempView(self, name):
        recorder.record("DataFrame:" + self.name, "createOrReplaceTempView", name)

    def select(self, *cols):
        recorder.record("DataFrame:" + self.name, "select", *[c.expr if isinstance(c, Column) else c for c in cols])
        return self._derived("select")

    def filter(self, condition):
        recorder.record("DataFrame:" + self.name, "filter", condition.expr if isinstance(condition, Column) else condition)
        return self._derived("filter", self._columns)

    where = filter

    def toDF(self, *cols):
        """Spark 3.3: DataFrame.toDF(*cols) - new names, one str per column, in order."""
        if not all(isinstance(c, str) for c in cols):
            raise TypeError("toDF() takes the new column names as separate str arguments, got %r" % (cols,))
        if len(cols) != len(self.columns):
            raise ValueError("The number of columns doesn't match.\nOld column names (%d): %s\nNew column names (%d): %s"
                             % (len(self.columns), ", ".join(self.columns), len(cols), ", ".join(cols)))
        recorder.record("DataFrame:" + self.name, "toDF", *cols)
        return self._derived("toDF", cols)

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
        if self._columns is not None:
            return list(self._columns)
        return list(DataFrame.source_columns.get(self.name, DataFrame.output_columns))
