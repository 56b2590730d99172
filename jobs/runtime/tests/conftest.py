import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "standins"))
sys.path.insert(0, os.path.dirname(HERE))

import pytest  # noqa: E402

import jdbcserver  # noqa: E402
import recorder  # noqa: E402

REPOSITORY = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


class FakeS3:
    """The S3 edge: objects in a dict, get_object/put_object with boto3's request shapes."""

    class NoSuchKey(Exception):
        pass

    class _Body:
        def __init__(self, data):
            self._data = data

        def read(self):
            return self._data

    def __init__(self):
        self.objects = {}
        self.puts = []

    def get_object(self, Bucket, Key, **kwargs):
        if kwargs:
            raise TypeError("get_object() got unexpected arguments %r" % sorted(kwargs))
        if (Bucket, Key) not in self.objects:
            raise FakeS3.NoSuchKey("An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.")
        return {"Body": FakeS3._Body(self.objects[(Bucket, Key)])}

    def put_object(self, Bucket, Key, Body, **kwargs):
        if kwargs:
            raise TypeError("put_object() got unexpected arguments %r" % sorted(kwargs))
        self.objects[(Bucket, Key)] = Body
        self.puts.append((Bucket, Key))
        return {}

    def add_job(self, name, folder="s3://artifacts/etl/1.0.0/jobs"):
        """Publishes jobs/<name>/job.yaml and its transform as the artifact holds them."""
        bucket, prefix = folder[5:].split("/", 1)
        for file in ("job.yaml", "transform.sql"):
            with open(os.path.join(REPOSITORY, "jobs", name, file), "rb") as handle:
                self.objects[(bucket, "%s/%s/%s" % (prefix, name, file))] = handle.read()
        return "%s/%s/job.yaml" % (folder, name)

    def add(self, url, text):
        bucket, key = url[5:].split("/", 1)
        self.objects[(bucket, key)] = text.encode("utf-8")
        return url


PASSWORD = "s3cr3t-Pa55word"
# Glue connections as extract_jdbc_conf returns them on Glue: url stops at host:port, fullUrl has the database.
CONNECTIONS = {
    "mysql-source": {"url": "jdbc:mysql://mysql.internal:3306", "fullUrl": "jdbc:mysql://mysql.internal:3306/glue_demo",
                     "user": "glue_reader", "password": PASSWORD, "vendor": "mysql"},
    "pg-target": {"url": "jdbc:postgresql://pg.internal:5432", "fullUrl": "jdbc:postgresql://pg.internal:5432/glue_demo",
                  "user": "glue_writer", "password": PASSWORD, "vendor": "postgresql"},
    "dw": {"url": "jdbc:redshift://dw.abc123.eu-west-1.redshift.amazonaws.com:5439", "fullUrl": "jdbc:redshift://dw.abc123.eu-west-1.redshift.amazonaws.com:5439/dev",
           "user": "etl", "password": PASSWORD, "vendor": "redshift"},
    "oracle-erp": {"url": "jdbc:oracle:thin:@//erp:1521", "fullUrl": "jdbc:oracle:thin:@//erp:1521/ORCL", "user": "x", "password": PASSWORD, "vendor": "oracle"},
}


@pytest.fixture(autouse=True)
def fresh_standins():
    recorder.reset()
    jdbcserver.reset()
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext
    from pyspark.sql.dataframe import DataFrame, Row

    SparkContext._active = None
    DataFrame.collected = [Row(m=None)]
    DataFrame.output_columns = []
    DataFrame.source_columns = {}
    GlueContext.connections = dict(CONNECTIONS)
    yield


@pytest.fixture
def database():
    """The fake database behind DriverManager (jdbcserver.py) for this test."""
    return jdbcserver.server


@pytest.fixture
def s3():
    return FakeS3()
