import re

import recorder

S3_CONNECTION_OPTIONS = {"paths", "recurse", "exclusions", "groupFiles", "groupSize", "compressionType", "maxBand",
                         "maxFilesInBand", "isFailFast", "partitionKeys", "useS3ListImplementation", "boundedSize", "boundedFiles", "path"}
FORMAT_OPTIONS = {
    "csv": {"separator", "escaper", "quoteChar", "multiLine", "withHeader", "writeHeader", "skipFirst", "optimizePerformance", "strictCheckForQuoting"},
    "json": {"jsonPath", "multiline", "optimizePerformance", "withSchema"},
    "parquet": {"useGlueParquetWriter", "compression", "blockSize", "pageSize"},
}

# Glue's JDBC connection options ("JDBC connections" and "Reading from JDBC tables in parallel";
# Redshift adds the Amazon Redshift Spark connector's). Values are text, as Glue's Scala side reads them.
JDBC_CONNECTION_TYPES = {"postgresql", "mysql", "redshift", "sqlserver", "oracle"}
JDBC_CONNECTION_OPTIONS = {"useConnectionProperties", "connectionName", "databaseName", "url", "dbtable", "user", "password",
                           "customJdbcDriverS3Path", "customJdbcDriverClassName", "bulkSize", "hashfield", "hashexpression",
                           "hashpartitions", "sampleQuery", "enablePartitioningForSampleQuery", "sampleSize",
                           "jobBookmarkKeys", "jobBookmarkKeysSortOrder"}
REDSHIFT_CONNECTION_OPTIONS = {"redshiftTmpDir", "query", "aws_iam_role", "autopushdown", "unload_s3_format", "DbUser"}
CATALOG_READ_OPTIONS = {"hashfield", "hashexpression", "hashpartitions", "sampleQuery", "enablePartitioningForSampleQuery",
                        "sampleSize", "jobBookmarkKeys", "jobBookmarkKeysSortOrder", "catalogPartitionPredicate", "boundedFiles",
                        "boundedSize", "groupFiles", "groupSize", "recurse", "exclusions"}


def _check_jdbc(connection_type, connection_options, format):
    known = JDBC_CONNECTION_OPTIONS | (REDSHIFT_CONNECTION_OPTIONS if connection_type == "redshift" else set())
    unknown = sorted(set(connection_options) - known)
    if unknown:
        raise ValueError("unknown %s connection option %r" % (connection_type, unknown[0]))
    if format is not None:
        raise ValueError("a %s source has no format (got %r)" % (connection_type, format))
    not_text = sorted(k for k, v in connection_options.items() if not isinstance(v, str))
    if not_text:
        raise TypeError("connection option %r is %r: Glue reads JDBC options as text" % (not_text[0], connection_options[not_text[0]]))
    if "hashfield" in connection_options and "hashexpression" in connection_options:
        raise ValueError("give hashfield or hashexpression, not both")
    if "enablePartitioningForSampleQuery" in connection_options and not re.search(r"(?i)\b(where|and)\s*$", connection_options.get("sampleQuery", "")):
        raise ValueError("with enablePartitioningForSampleQuery, sampleQuery must end with WHERE or AND")
    if "useConnectionProperties" in connection_options and "connectionName" not in connection_options:
        raise ValueError("useConnectionProperties needs connectionName")


def _check_s3(connection_type, connection_options, format, format_options):
    if connection_type != "s3":
        raise ValueError("the stand-ins know connection_type 's3' only, got %r" % connection_type)
    unknown = sorted(set(connection_options) - S3_CONNECTION_OPTIONS)
    if unknown:
        raise ValueError("unknown S3 connection option %r" % unknown[0])
    if format not in FORMAT_OPTIONS:
        raise ValueError("unknown format %r" % format)
    unknown = sorted(set(format_options) - FORMAT_OPTIONS[format])
    if unknown:
        raise ValueError("unknown %s format option %r" % (format, unknown[0]))


class DynamicFrame:
    def __init__(self, df, glue_ctx, name):
        self._df = df
        self.glue_ctx = glue_ctx
        self.name = name

    @classmethod
    def fromDF(cls, dataframe, glue_ctx, name):
        recorder.record("DynamicFrame", "fromDF", dataframe.name, name)
        return cls(dataframe, glue_ctx, name)

    def toDF(self, options=None):
        recorder.record("DynamicFrame:" + self.name, "toDF")
        return self._df


class DynamicFrameReader:
    def __init__(self, glue_context):
        self._glue_context = glue_context

    def from_options(self, connection_type, connection_options={}, format=None, format_options={}, transformation_ctx="", push_down_predicate="", **kwargs):
        recorder.strict("from_options", kwargs, [])
        if connection_type in JDBC_CONNECTION_TYPES:
            _check_jdbc(connection_type, connection_options, format)
        else:
            _check_s3(connection_type, connection_options, format, format_options)
        recorder.record("DynamicFrameReader", "from_options", connection_type=connection_type, connection_options=connection_options,
                        format=format, format_options=format_options, transformation_ctx=transformation_ctx, push_down_predicate=push_down_predicate)
        from pyspark.sql.dataframe import DataFrame

        return DynamicFrame(DataFrame(transformation_ctx or "frame"), self._glue_context, transformation_ctx)

    def from_catalog(self, database=None, table_name=None, redshift_tmp_dir="", transformation_ctx="", push_down_predicate="", additional_options={}, catalog_id=None, **kwargs):
        recorder.strict("from_catalog", kwargs, ["name_space"])
        if database is None or table_name is None:
            raise Exception("Parameter database and table_name must be specified")
        unknown = sorted(set(additional_options) - CATALOG_READ_OPTIONS)
        if unknown:
            raise ValueError("unknown additional option %r" % unknown[0])
        recorder.record("DynamicFrameReader", "from_catalog", database=database, table_name=table_name, transformation_ctx=transformation_ctx,
                        push_down_predicate=push_down_predicate, additional_options=additional_options)
        from pyspark.sql.dataframe import DataFrame

        return DynamicFrame(DataFrame(transformation_ctx or table_name), self._glue_context, transformation_ctx)


class DynamicFrameWriter:
    def __init__(self, glue_context):
        self._glue_context = glue_context

    def from_options(self, frame, connection_type, connection_options={}, format=None, format_options={}, transformation_ctx=""):
        _check_s3(connection_type, connection_options, format, format_options)
        recorder.record("DynamicFrameWriter", "from_options", frame.name, connection_type=connection_type, connection_options=connection_options,
                        format=format, format_options=format_options, transformation_ctx=transformation_ctx)

    def from_catalog(self, frame, database=None, table_name=None, redshift_tmp_dir="", transformation_ctx="", additional_options={}, catalog_id=None, **kwargs):
        recorder.strict("from_catalog", kwargs, ["name_space"])
        if not isinstance(frame, DynamicFrame):
            raise TypeError("frame must be a DynamicFrame")
        unknown = sorted(set(additional_options) - {"partitionKeys", "enableUpdateCatalog", "updateBehavior"})
        if unknown:
            raise ValueError("unknown additional option %r" % unknown[0])
        recorder.record("DynamicFrameWriter", "from_catalog", frame.name, database=database, table_name=table_name,
                        transformation_ctx=transformation_ctx, additional_options=additional_options)
