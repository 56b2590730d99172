"""The generic AWS Glue runtime of declarative jobs (Glue 4.0 / 5.0, PySpark).

Every declarative job in the template runs this one script. It reads the job's spec (job.yaml) and
SQL (transform.sql) from the published artifact, registers each source as a temporary view, runs
the SQL with Spark and writes the sink - the same spec the DuckDB runtime runs locally
(src/Jobs/JobRunner.cs). Arguments, as Glue passes them:

  --JOB_NAME         given by Glue
  --job_spec         s3://<artifact bucket>/<artifact prefix>/jobs/<name>/job.yaml
  --bookmark_state   s3://<bucket>/<prefix>/ where column bookmarks are kept (only for
                     `bookmark: {by: column}`; file bookmarks are Glue's job bookmarks)
  --<name>           the job's own arguments (`arguments:` in job.yaml), over their defaults

The spec is read with a small YAML reader of its own (the YAML 1.2 core subset job specs use), so
the script needs nothing beyond what Glue provides, and reads a spec exactly as Lint does.
"""

import json
import re
import sys

SPEC_ARG = "job_spec"
STATE_ARG = "bookmark_state"
GLUE_RESERVED = {
    "JOB_NAME", "JOB_ID", "JOB_RUN_ID", "TempDir", "SECURITY_CONFIGURATION", "job-bookmark-option",
    "job-language", "extra-py-files", "extra-jars", "extra-files", "enable-metrics",
    "enable-continuous-cloudwatch-log", "enable-continuous-log-filter", "continuous-log-logGroup",
    "enable-spark-ui", "spark-event-logs-path", "enable-glue-datacatalog", "enable-job-insights",
    "enable-observability-metrics", "enable-auto-scaling", "additional-python-modules",
    "python-modules-installer-option", "conf", "datalake-formats", "user-jars-first",
}
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")


class SpecError(Exception):
    """A job spec or argument the runtime cannot run: the message says what and how to fix it."""


# ----- The spec's YAML ------------------------------------------------------------------------

def parse_yaml(text):
    """Reads the YAML 1.2 core subset job specs use: block mappings, flow mappings and sequences,
    block sequences, plain and quoted scalars, comments. Scalars stay text, as Lint reads them;
    only null (~, null, empty) and booleans (true, false) are typed."""
    lines = []
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        stripped = _strip_comment(raw).rstrip()
        if stripped.strip() and stripped.strip() not in ("---", "..."):
            lines.append((number, len(stripped) - len(stripped.lstrip(" ")), stripped.strip()))
    if not lines:
        return None
    value, position = _block(lines, 0, lines[0][1])
    if position != len(lines):
        raise SpecError("line %d: unexpected indentation" % lines[position][0])
    return value


def _strip_comment(line):
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _block(lines, position, indent):
    number, current, text = lines[position]
    if text.startswith("- ") or text == "-":
        items = []
        while position < len(lines) and lines[position][1] == indent and (lines[position][2].startswith("- ") or lines[position][2] == "-"):
            number, _, text = lines[position]
            rest = text[1:].strip()
            if not rest:
                value, position = _block(lines, position + 1, lines[position + 1][1])
            elif _key_split(rest) is not None:
                # "- key: value" opens a mapping indented at the item's content.
                lines[position] = (number, indent + 2, rest)
                value, position = _block(lines, position, indent + 2)
            else:
                value, position = _scalar_or_flow(rest, number), position + 1
            items.append(value)
        return items, position
    mapping = {}
    while position < len(lines) and lines[position][1] == indent:
        number, _, text = lines[position]
        split = _key_split(text)
        if split is None:
            raise SpecError("line %d: expected 'key: value', found '%s'" % (number, text))
        key, rest = split
        if rest:
            mapping[key] = _scalar_or_flow(rest, number)
            position += 1
        elif position + 1 < len(lines) and lines[position + 1][1] > indent:
            mapping[key], position = _block(lines, position + 1, lines[position + 1][1])
        elif position + 1 < len(lines) and lines[position + 1][1] == indent and lines[position + 1][2].startswith("- "):
            mapping[key], position = _block(lines, position + 1, indent)
        else:
            mapping[key] = None
            position += 1
    if position < len(lines) and lines[position][1] > indent:
        raise SpecError("line %d: unexpected indentation" % lines[position][0])
    return mapping, position


def _key_split(text):
    if text[0] in "'\"":
        end = _quoted_end(text, 0)
        key, after = _unquote(text[:end + 1]), text[end + 1:]
        if after.startswith(":") and (len(after) == 1 or after[1] == " "):
            return key, after[1:].strip()
        return None
    match = re.match(r"^([^:{}\[\],#]+?)\s*:(\s+(.*))?$", text)
    if not match:
        return None
    return match.group(1), (match.group(3) or "").strip()


def _quoted_end(text, start):
    quote = text[start]
    i = start + 1
    while i < len(text):
        if quote == "'" and text[i] == "'" and i + 1 < len(text) and text[i + 1] == "'":
            i += 2
            continue
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    raise SpecError("unterminated quote in '%s'" % text)


def _unquote(token):
    if token[0] == "'":
        return token[1:-1].replace("''", "'")
    return json.loads(token)


def _scalar_or_flow(text, number):
    if text[0] in "{[":
        value, end = _flow(text, 0, number)
        if text[end:].strip():
            raise SpecError("line %d: unexpected '%s' after a flow collection" % (number, text[end:].strip()))
        return value
    return _scalar(text)


def _scalar(text):
    if text[0] in "'\"":
        end = _quoted_end(text, 0)
        return _unquote(text[:end + 1])
    if text in ("~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    return text


def _flow(text, i, number):
    opening = text[i]
    closing = "}" if opening == "{" else "]"
    result = {} if opening == "{" else []
    i += 1
    while True:
        while i < len(text) and text[i] == " ":
            i += 1
        if i >= len(text):
            raise SpecError("line %d: unclosed '%s'" % (number, opening))
        if text[i] == closing:
            return result, i + 1
        if opening == "{":
            key, i = _flow_key(text, i, number)
            if text[i] != ":":
                raise SpecError("line %d: expected ':' after '%s'" % (number, key))
            i += 1
            while text[i] == " ":
                i += 1
            value, i = _flow_value(text, i, number)
            result[key] = value
        else:
            value, i = _flow_value(text, i, number)
            result.append(value)
        while i < len(text) and text[i] == " ":
            i += 1
        if i < len(text) and text[i] == ",":
            i += 1


def _flow_key(text, i, number):
    """A key of a flow mapping, kept as written (a key named null or true is that text)."""
    if text[i] in "'\"":
        end = _quoted_end(text, i)
        return _unquote(text[i:end + 1]), end + 1
    start = i
    while i < len(text) and not (text[i] == ":" and (i + 1 >= len(text) or text[i + 1] in " ,}")) and text[i] not in ",}":
        i += 1
    return text[start:i].strip(), i


def _flow_value(text, i, number):
    if text[i] in "{[":
        return _flow(text, i, number)
    token, i = _flow_token(text, i, number, ",}]")
    return token, i


def _flow_token(text, i, number, stops):
    if text[i] in "'\"":
        end = _quoted_end(text, i)
        return _unquote(text[i:end + 1]), end + 1
    start = i
    while i < len(text) and text[i] not in stops:
        if text[i] == ":" and ":" in stops and (i + 1 >= len(text) or text[i + 1] == " "):
            break
        i += 1
    token = text[start:i].strip()
    return (_scalar(token) if token else None), i


# ----- Arguments ------------------------------------------------------------------------------

def substitute(text, values):
    def replace(match):
        name = match.group(1)
        if name not in values:
            raise SpecError("${%s} has no value: pass --%s or give it a default under arguments:" % (name, name))
        return values[name]
    return PLACEHOLDER.sub(replace, text)


def resolve_arguments(spec, argv, get_resolved_options, job_name):
    """The run's values: given --name value arguments over the spec's defaults, plus JOB_NAME."""
    given = {token[2:].split("=", 1)[0] for token in argv[1:] if token.startswith("--")}
    values = {"JOB_NAME": job_name}
    declared = spec.get("arguments") or {}
    missing = [name for name, default in declared.items() if default is None and name not in given]
    if missing:
        raise SpecError("job %s needs the argument(s) %s, which have no default: add them to the job's DefaultArguments" % (job_name, ", ".join("--" + m for m in missing)))
    present = [name for name in declared if name in given]
    resolved = get_resolved_options(argv, present) if present else {}
    for name, default in declared.items():
        values[name] = str(resolved[name]) if name in present else (str(default).lower() if isinstance(default, bool) else str(default))
    return values


# ----- S3 -------------------------------------------------------------------------------------

class S3Objects:
    """Reads and writes small S3 objects (the spec, the SQL, column bookmarks) with boto3."""

    def __init__(self, client=None):
        if client is None:
            import boto3
            client = boto3.client("s3")
        self._client = client

    @staticmethod
    def split(url):
        match = re.match(r"^s3://([^/]+)/(.*)$", url)
        if not match:
            raise SpecError("'%s' is not an s3://bucket/key location" % url)
        return match.group(1), match.group(2)

    def read(self, url):
        bucket, key = self.split(url)
        return self._client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")

    def read_optional(self, url):
        bucket, key = self.split(url)
        try:
            return self._client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        except Exception as error:  # botocore's NoSuchKey; anything else is re-raised
            if "NoSuchKey" in type(error).__name__ or "NoSuchKey" in str(error):
                return None
            raise

    def write(self, url, text):
        bucket, key = self.split(url)
        self._client.put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))


# ----- Sources and sinks ----------------------------------------------------------------------

def csv_reader_options(csv):
    csv = csv or {}
    return {
        "header": "true" if csv.get("header", True) is not False else "false",
        "sep": "\t" if csv.get("delimiter") == "\\t" else csv.get("delimiter", ","),
        "quote": csv.get("quote", '"'),
        "escape": csv.get("escape", '"'),
        "nullValue": csv.get("null", "") or "",
        "inferSchema": "true",
    }


def glue_format_options(source_format, source):
    if source_format == "csv":
        csv = source.get("csv") or {}
        return {
            "withHeader": csv.get("header", True) is not False,
            "separator": "\t" if csv.get("delimiter") == "\\t" else csv.get("delimiter", ","),
            "quoteChar": csv.get("quote", '"'),
            "escaper": csv.get("escape", '"'),
        }
    if source_format == "json":
        return {"multiline": ((source.get("json") or {}).get("layout") or "auto") != "lines"}
    return {}


def read_source(glue, spark, name, source, values, bookmark, column_mark):
    """A source as a DataFrame: catalog tables and file-bookmarked S3 sources through DynamicFrames
    (so Glue's job bookmarks apply, keyed by the source's name), other S3 sources through spark.read."""
    from pyspark.sql.functions import col, explode

    predicate = substitute(source["pushDownPredicate"], values) if source.get("pushDownPredicate") else None
    files_bookmark = bookmark is not None and bookmark.get("source", name) == name and bookmark.get("by") == "files"
    if "catalog" in source:
        options = {"database": source["catalog"]["database"], "table_name": source["catalog"]["table"], "transformation_ctx": name}
        if predicate:
            options["push_down_predicate"] = predicate
        frame = glue.create_dynamic_frame.from_catalog(**options)
        df = frame.toDF()
    else:
        path = substitute(source["s3"], values)
        source_format = source["format"]
        if files_bookmark:
            frame = glue.create_dynamic_frame.from_options(
                connection_type="s3",
                connection_options={"paths": [path], "recurse": True},
                format=source_format,
                format_options=glue_format_options(source_format, source),
                transformation_ctx=name,
            )
            df = frame.toDF()
        else:
            reader = spark.read.format(source_format)
            if source_format == "csv":
                reader = reader.options(**csv_reader_options(source.get("csv")))
            elif source_format == "json":
                reader = reader.option("multiLine", "true" if ((source.get("json") or {}).get("layout") or "auto") != "lines" else "false")
            df = reader.load(path)
        if predicate:
            df = df.where(predicate)
    unnest = (source.get("json") or {}).get("unnest")
    if unnest:
        df = df.select(explode(col(unnest)).alias("dq_item")).select("dq_item.*")
    if column_mark is not None:
        df = df.where(col(column_mark["Name"]) > column_mark["Max"])
    return df


def write_sink(glue, df, sink, values):
    from awsglue.dynamicframe import DynamicFrame

    mode = sink["mode"]
    keys = list(sink.get("partitionKeys") or [])
    if "catalog" in sink:
        database, table = sink["catalog"]["database"], sink["catalog"]["table"]
        if mode == "overwrite":
            glue.purge_table(database, table, options={"retentionPeriod": 0})
        frame = DynamicFrame.fromDF(df, glue, "sink")
        glue.write_dynamic_frame.from_catalog(
            frame=frame,
            database=database,
            table_name=table,
            additional_options={"partitionKeys": keys} if keys else {},
            transformation_ctx="sink",
        )
        return
    sink_format = sink["format"]
    writer = df.write.mode(mode).format(sink_format)
    if keys:
        writer = writer.partitionBy(*keys)
    codec = sink.get("compression") or ("snappy" if sink_format == "parquet" else "none")
    writer = writer.option("compression", codec)
    if sink_format == "csv":
        options = csv_reader_options(sink.get("csv"))
        del options["inferSchema"]
        writer = writer.options(**options)
    writer.save(substitute(sink["s3"], values))


# ----- The job --------------------------------------------------------------------------------

def run(argv, s3=None):
    """Runs the job; s3 is a boto3 S3 client (default: a new one)."""
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext
    from pyspark.sql.functions import col
    from pyspark.sql.functions import max as max_

    args = getResolvedOptions(argv, ["JOB_NAME", SPEC_ARG])
    s3 = S3Objects(s3)
    spec_url = args[SPEC_ARG]
    spec = parse_yaml(s3.read(spec_url))
    if not isinstance(spec, dict) or "sources" not in spec or "sink" not in spec:
        raise SpecError("%s is not a job spec (it needs sources and sink); Lint checks it before packaging" % spec_url)
    values = resolve_arguments(spec, argv, getResolvedOptions, args["JOB_NAME"])
    folder = spec_url.rsplit("/", 1)[0]
    sql = substitute(s3.read(folder + "/" + (spec.get("transform") or "transform.sql")), values).strip().rstrip(";")

    sc = SparkContext.getOrCreate()
    glue = GlueContext(sc)
    spark = glue.spark_session
    job = Job(glue)
    job.init(args["JOB_NAME"], args)

    bookmark = spec.get("bookmark")
    state_url, state, column_mark = None, None, None
    if bookmark and bookmark.get("by") == "column":
        if STATE_ARG not in {token[2:].split("=", 1)[0] for token in argv[1:] if token.startswith("--")}:
            raise SpecError("job %s has a column bookmark: pass --%s s3://<bucket>/<prefix>/ (per stack)" % (args["JOB_NAME"], STATE_ARG))
        state_url = getResolvedOptions(argv, [STATE_ARG])[STATE_ARG].rstrip("/") + "/" + args["JOB_NAME"] + ".bookmark.json"
        state = json.loads(s3.read_optional(state_url) or "{}")
        column_mark = ((state.get("Sources") or {}).get(bookmark.get("source") or next(iter(spec["sources"]))) or {}).get("Column")

    frames = {}
    for name, source in spec["sources"].items():
        mark = column_mark if bookmark and bookmark.get("by") == "column" and (bookmark.get("source") or next(iter(spec["sources"]))) == name else None
        frames[name] = read_source(glue, spark, name, source, values, bookmark, mark)
        frames[name].createOrReplaceTempView(name)

    new_mark = None
    if state_url is not None:
        source = bookmark.get("source") or next(iter(spec["sources"]))
        column = bookmark["column"]
        highest = frames[source].agg(max_(col(column)).cast("string").alias("m")).collect()[0][0]
        new_mark = None if highest is None else {"Name": column, "Type": "VARCHAR", "Max": highest}

    write_sink(glue, spark.sql(sql), spec["sink"], values)

    if state_url is not None and new_mark is not None:
        source = bookmark.get("source") or next(iter(spec["sources"]))
        sources = dict(state.get("Sources") or {})
        sources[source] = dict(sources.get(source) or {}, Column=new_mark)
        s3.write(state_url, json.dumps({"Sources": sources, "RunId": args.get("JOB_RUN_ID")}, indent=2))
    job.commit()


if __name__ == "__main__":
    run(sys.argv)
