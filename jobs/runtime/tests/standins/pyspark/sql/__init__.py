from pyspark.sql.dataframe import DataFrame
from pyspark.sql.session import SparkSession

__all__ = ["DataFrame", "SparkSession"]
