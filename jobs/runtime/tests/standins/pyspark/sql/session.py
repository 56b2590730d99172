import recorder
from pyspark.sql.readwriter import DataFrameReader


class SparkSession:
    def __init__(self, sparkContext, jsparkSession=None, options={}):
        self.sparkContext = sparkContext
        self.views = {}

    @property
    def read(self):
        return DataFrameReader(self)

    def sql(self, sqlQuery, **kwargs):
        if kwargs:
            raise TypeError("sql() in Spark 3.3 formats the query with kwargs; the runtime passes none")
        recorder.record("SparkSession", "sql", sqlQuery)
        from pyspark.sql.dataframe import DataFrame

        return DataFrame("sql")
