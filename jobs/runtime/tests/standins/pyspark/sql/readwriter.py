"""DataFrameReader and DataFrameWriter with Spark 3.3's documented data-source options: an option
Spark does not know for the format is refused (Spark would silently ignore it)."""

import recorder

CSV_OPTIONS = {"path", "schema", "sep", "delimiter", "encoding", "quote", "escape", "comment", "header", "inferSchema",
               "ignoreLeadingWhiteSpace", "ignoreTrailingWhiteSpace", "nullValue", "nanValue", "positiveInf", "negativeInf",
               "dateFormat", "timestampFormat", "maxColumns", "maxCharsPerColumn", "maxMalformedLogPerPartition", "mode",
               "columnNameOfCorruptRecord", "multiLine", "charToEscapeQuoteEscaping", "samplingRatio", "enforceSchema",
               "emptyValue", "locale", "lineSep", "pathGlobFilter", "recursiveFileLookup", "modifiedBefore", "modifiedAfter",
               "unescapedQuoteHandling", "compression", "codec", "quoteAll", "escapeQuotes", "basePath"}
JSON_OPTIONS = {"path", "schema", "primitivesAsString", "prefersDecimal", "allowComments", "allowUnquotedFieldNames",
                "allowSingleQuotes", "allowNumericLeadingZero", "allowBackslashEscapingAnyCharacter", "mode",
                "columnNameOfCorruptRecord", "dateFormat", "timestampFormat", "multiLine", "allowUnquotedControlChars",
                "lineSep", "samplingRatio", "dropFieldIfAllNull", "encoding", "locale", "pathGlobFilter",
                "recursiveFileLookup", "modifiedBefore", "modifiedAfter", "allowNonNumericNumbers", "compression", "codec",
                "ignoreNullFields", "basePath"}
PARQUET_OPTIONS = {"mergeSchema", "datetimeRebaseMode", "int96RebaseMode", "pathGlobFilter", "recursiveFileLookup",
                   "modifiedBefore", "modifiedAfter", "compression", "basePath"}
# Spark 3.3's "JDBC To Other Databases" options (user and password are passed as connection properties).
JDBC_OPTIONS = {"url", "dbtable", "query", "driver", "partitionColumn", "lowerBound", "upperBound", "numPartitions",
                "queryTimeout", "fetchsize", "batchsize", "isolationLevel", "sessionInitStatement", "truncate",
                "cascadeTruncate", "createTableOptions", "createTableColumnTypes", "customSchema", "pushDownPredicate",
                "pushDownAggregate", "pushDownLimit", "pushDownTableSample", "keytab", "principal", "refreshKrb5Config",
                "connectionProvider", "user", "password"}
OPTIONS = {"csv": CSV_OPTIONS, "json": JSON_OPTIONS, "parquet": PARQUET_OPTIONS, "jdbc": JDBC_OPTIONS}
CODECS = {
    "parquet": {"none", "uncompressed", "snappy", "gzip", "lzo", "brotli", "lz4", "zstd"},
    "csv": {"none", "uncompressed", "bzip2", "deflate", "gzip", "lz4", "snappy"},
    "json": {"none", "uncompressed", "bzip2", "deflate", "gzip", "lz4", "snappy"},
}


def _check(source, options):
    if source not in OPTIONS:
        raise ValueError("the stand-ins know csv, json, parquet and jdbc, got %r" % source)
    known = {o.lower() for o in OPTIONS[source]}
    for key in options:
        if key.lower() not in known:
            raise ValueError("%s has no option %r" % (source, key))
    if source == "jdbc":
        if "url" not in options or ("dbtable" in options) == ("query" in options):
            raise ValueError("Option 'url' is required, and exactly one of 'dbtable' and 'query'")
        if "query" in options and "partitionColumn" in options:
            raise ValueError("Options 'query' and 'partitionColumn' can not be specified together")
        return
    codec = options.get("compression")
    if codec is not None and str(codec).lower() not in CODECS[source]:
        raise ValueError("Codec [%s] is not available for %s" % (codec, source))


class DataFrameReader:
    def __init__(self, spark):
        self._spark = spark
        self._format = None
        self._options = {}

    def format(self, source):
        self._format = source
        return self

    def option(self, key, value):
        self._options[key] = value
        return self

    def options(self, **options):
        self._options.update(options)
        return self

    def load(self, path=None, format=None, schema=None, **options):
        source = format or self._format
        merged = dict(self._options, **options)
        _check(source, merged)
        recorder.record("DataFrameReader", "load", path, format=source, options=merged)
        from pyspark.sql.dataframe import DataFrame

        return DataFrame("read")


class DataFrameWriter:
    def __init__(self, df):
        self._df = df
        self._mode = None
        self._format = None
        self._options = {}
        self._partition_by = []

    def mode(self, saveMode):
        if saveMode not in ("append", "overwrite", "error", "errorifexists", "ignore", None):
            raise ValueError("Unknown save mode: %s" % saveMode)
        self._mode = saveMode
        return self

    def format(self, source):
        self._format = source
        return self

    def option(self, key, value):
        self._options[key] = value
        return self

    def options(self, **options):
        self._options.update(options)
        return self

    def partitionBy(self, *cols):
        if len(cols) == 1 and isinstance(cols[0], list):
            cols = tuple(cols[0])
        self._partition_by = list(cols)
        return self

    def save(self, path=None, format=None, mode=None, partitionBy=None, **options):
        source = format or self._format
        merged = dict(self._options, **options)
        _check(source, merged)
        recorder.record("DataFrameWriter", "save", path, format=source, mode=mode or self._mode, partitionBy=partitionBy or self._partition_by, options=merged)
