"""The generic AWS Glue runtime of declarative jobs (Glue 4.0 / 5.0, PySpark).

Every declarative job in the template runs this one script. It reads the job's spec (job.yaml) and
SQL (transform.sql) from the published artifact, registers each source as a temporary view, runs
the SQL with Spark and writes the sink - the same spec the DuckDB runtime runs locally
(src/Jobs/JobRunner.cs). Arguments, as Glue passes them:

  --JOB_NAME         given by Glue
  --job_spec         s3://<artifact bucket>/<artifact prefix>/jobs/<name>/job.yaml
  --bookmark_state   s3://<bucket>/<prefix>/ where column bookmarks are kept (only for
                     `bookmark: {by: column}`; file bookmarks are Glue's job bookmarks)
  --TempDir          given by Glue; where Redshift sources are unloaded (redshiftTmpDir)
  --<name>           the job's own arguments (`arguments:` in job.yaml), over their defaults

JDBC sources and sinks name a Glue connection; its engine (PostgreSQL, MySQL, Redshift) comes from
the connection's JDBC URL. A JDBC sink is written to a stage table first and then moved into the
table in one transaction (write_jdbc), so overwrite, append and merge change all or nothing.

The spec is read with a small YAML reader of its own (the YAML 1.2 core subset job specs use), so
the script needs nothing beyond what Glue provides, and reads a spec exactly as Lint does.
"""

import hashlib
import json
import re
import sys
import uuid

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


class JdbcWriteError(Exception):
    """A JDBC sink write refused before it changed anything (a NULL or repeated merge key, an unknown
    column): the message says what and how to fix it, never the password or row values."""


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


# ----- JDBC -----------------------------------------------------------------------------------

# The Glue connection type of each JDBC URL scheme (MariaDB speaks MySQL's protocol and SQL).
JDBC_ENGINES = (("jdbc:postgresql:", "postgresql"), ("jdbc:redshift:", "redshift"), ("jdbc:mysql:", "mysql"), ("jdbc:mariadb:", "mysql"))
DEFAULT_HASH_PARTITIONS = "7"  # Glue's default number of parallel reads ("Reading from JDBC tables in parallel")


class JdbcConnection:
    """A Glue connection resolved with GlueContext.extract_jdbc_conf: its engine, URL and credentials.

    extract_jdbc_conf returns a dict with user, password, vendor and url (aws-glue-libs); on Glue,
    url stops at host:port and fullUrl is the connection's JDBC_CONNECTION_URL with its database,
    which the Spark writer and DriverManager need, so fullUrl is preferred. The password is kept
    out of repr() and of every message."""

    def __init__(self, glue, name):
        conf = glue.extract_jdbc_conf(name)
        self.name = name
        self.url = conf.get("fullUrl") or conf.get("url") or ""
        self.user = conf.get("user")
        self._password = conf.get("password")
        self.engine = next((engine for scheme, engine in JDBC_ENGINES if self.url.lower().startswith(scheme)), None)
        if self.engine is None:
            scheme = ":".join(self.url.split(":")[:2]) or "(none)"
            raise SpecError("Glue connection %s has a JDBC URL of scheme %s: the runtime reads and writes jdbc:postgresql, jdbc:mysql and jdbc:redshift" % (name, scheme))

    @property
    def password(self):
        return self._password

    def quote(self, identifier):
        """An identifier quoted as the engine quotes it (MySQL: `x`; PostgreSQL and Redshift: "x")."""
        mark = "`" if self.engine == "mysql" else '"'
        return mark + identifier.replace(mark, mark + mark) + mark

    def relation(self, schema, name):
        return (self.quote(schema) + "." if schema else "") + self.quote(name)

    def open(self, spark):
        """One JDBC connection through the JVM (the driver Glue ships for the engine), autocommit off."""
        connection = spark.sparkContext._jvm.java.sql.DriverManager.getConnection(self.url, self.user, self._password)
        connection.setAutoCommit(False)
        return connection

    def __repr__(self):
        return "JdbcConnection(%s, %s)" % (self.name, self.engine)


def split_table(text):
    """[database.][schema.]table as Glue's dbtable names it, parts optionally quoted with " or `:
    (schema or None, table). A JDBC connection reaches one database, so a third part is dropped."""
    parts = [part.strip().strip('"`') for part in text.strip().split(".")]
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise SpecError("'%s' is not a table name: write table or schema.table" % text)
    return (parts[-2] if len(parts) > 1 else None), parts[-1]


def hash_options(name, source):
    """Glue's parallel-read options of a source: hashfield or hashexpression, and hashpartitions
    (as text, as Glue's Scala side reads options). hashpartitions alone changes nothing, as in Glue."""
    field, expression = source.get("hashfield"), source.get("hashexpression")
    if field and expression:
        raise SpecError("source %s: give hashfield or hashexpression, not both" % name)
    if not (field or expression):
        return {}
    partitions = str(source.get("hashpartitions") or DEFAULT_HASH_PARTITIONS)
    if not re.match(r"^[1-9][0-9]*$", partitions):
        raise SpecError("source %s: hashpartitions must be a whole number of at least 1, not '%s'" % (name, partitions))
    options = {"hashfield": str(field)} if field else {"hashexpression": str(expression)}
    options["hashpartitions"] = partitions
    return options


def read_jdbc(glue, name, source, values, temp_dir):
    """A JDBC source as a DynamicFrame read by Glue with the connection's own properties.

    A table is read with dbtable (and hashfield/hashexpression/hashpartitions for parallel reads).
    A query goes to Glue's sampleQuery, its JDBC reader's custom-query option ("Optimizing reads with
    pushdown in AWS Glue ETL"); Glue partitions a sampleQuery only with
    enablePartitioningForSampleQuery and a query that ends in WHERE or AND, to which it appends its
    partition predicate - so the query is wrapped as SELECT * FROM (query) dq_query WHERE, which
    ends right for any query. dbtable names the same relation, so whichever Glue reads, the rows are
    the query's. Redshift is read by the Amazon Redshift Spark connector (Glue 4.0+): it unloads to
    redshiftTmpDir, takes a query as `query`, and ignores the hash options."""
    jdbc = source["jdbc"]
    connection = JdbcConnection(glue, substitute(jdbc["connection"], values))
    table = substitute(jdbc["table"], values) if jdbc.get("table") else None
    query = substitute(jdbc["query"], values).strip().rstrip(";").strip() if jdbc.get("query") else None
    if (table is None) == (query is None):
        raise SpecError("source %s: give jdbc.table or jdbc.query, one of them" % name)
    options = {"useConnectionProperties": "true", "connectionName": connection.name}
    hashing = hash_options(name, source)
    if connection.engine == "redshift":
        if not temp_dir:
            raise SpecError("source %s reads Redshift, which Glue unloads through S3: give the job a --TempDir (s3://bucket/prefix/)" % name)
        options["redshiftTmpDir"] = temp_dir
        options.update({"dbtable": table} if table else {"query": query})
    elif table:
        options["dbtable"] = table
        options.update(hashing)
    else:
        relation = "(%s) dq_query" % query
        options["dbtable"] = relation
        options["sampleQuery"] = "SELECT * FROM %s%s" % (relation, " WHERE" if hashing else "")
        if hashing:
            options["enablePartitioningForSampleQuery"] = "true"
            options.update(hashing)
    print("source %s: %s from Glue connection %s (%s)%s" % (
        name, "table " + table if table else "a query", connection.name, connection.engine,
        ", %s parallel reads by %s" % (hashing["hashpartitions"], hashing.get("hashfield") or hashing.get("hashexpression")) if hashing and connection.engine != "redshift" else ""))
    frame = glue.create_dynamic_frame.from_options(connection_type=connection.engine, connection_options=options, transformation_ctx=name)
    return frame.toDF()


def stage_name(table, run_id):
    """The stage table of one run, beside the target: <table>_dq_stage_<12 hex of the run id>
    (a run id is unique, so concurrent runs never share a stage), short enough for PostgreSQL's
    63-character identifiers."""
    token = hashlib.sha1((run_id or uuid.uuid4().hex).encode("utf-8")).hexdigest()[:12]
    return "%s_dq_stage_%s" % (table[:40], token)


def jdbc_key_checks(connection, stage, keys):
    """The two counts a merge must find zero: rows with a NULL key, and key values that repeat."""
    key_list = ", ".join(connection.quote(k) for k in keys)
    return [
        ("null", "SELECT COUNT(*) FROM %s WHERE %s" % (stage, " OR ".join("%s IS NULL" % connection.quote(k) for k in keys))),
        ("repeated", "SELECT COUNT(*) FROM (SELECT %s FROM %s GROUP BY %s HAVING COUNT(*) > 1) dq_repeats" % (key_list, stage, key_list)),
    ]


def jdbc_move_statements(connection, target, stage, columns, mode, keys):
    """The statements that move the stage into the table, in one transaction: create the table like
    the stage when it is missing; overwrite deletes every row (DELETE, not TRUNCATE: TRUNCATE commits
    on its own in MySQL and Redshift, and an existing table keeps its definition either way); merge
    deletes the rows whose keys the stage holds; then all of the stage is inserted."""
    mysql = connection.engine == "mysql"
    column_list = ", ".join(connection.quote(c) for c in columns)
    statements = [("CREATE TABLE IF NOT EXISTS %s LIKE %s" if mysql else "CREATE TABLE IF NOT EXISTS %s (LIKE %s)") % (target, stage)]
    if mode == "overwrite":
        statements.append("DELETE FROM %s" % target)
    elif mode == "merge":
        if mysql:
            on = " AND ".join("t.%s = s.%s" % (connection.quote(k), connection.quote(k)) for k in keys)
            statements.append("DELETE t FROM %s t JOIN %s s ON %s" % (target, stage, on))
        else:
            # Redshift's DELETE takes no alias for its target, so columns are qualified by the full names.
            on = " AND ".join("%s.%s = %s.%s" % (target, connection.quote(k), stage, connection.quote(k)) for k in keys)
            statements.append("DELETE FROM %s USING %s WHERE %s" % (target, stage, on))
    statements.append("INSERT INTO %s (%s) SELECT %s FROM %s" % (target, column_list, column_list, stage))
    return statements


def write_jdbc(glue, spark, df, sink, values, run_id):
    """Writes the job's output to a JDBC table: overwrite replaces every row, append adds rows,
    merge replaces the rows whose mergeKeys match and inserts the others.

    Spark's JDBC writer commits each partition on its own, and its overwrite truncates first, so a
    failed run would leave a table half written. Instead the output goes to a stage table with
    Spark's JDBC writer (mode overwrite: the stage is new to this run), and one JDBC connection then
    checks merge keys and moves the stage into the table in one transaction, which commits all or
    nothing (MySQL's CREATE TABLE commits on its own: a table missing before the write may stay,
    empty, after a failure). The stage is dropped in every case."""
    mode = sink["mode"]
    keys = list(sink.get("mergeKeys") or [])
    if mode not in ("overwrite", "append", "merge"):
        raise SpecError("sink mode '%s': a JDBC sink is written with overwrite, append or merge" % mode)
    if mode == "merge" and not keys:
        raise SpecError("a merge needs its key columns: give mergeKeys: [column, ...]")
    if keys and mode != "merge":
        raise SpecError("mergeKeys is only for mode: merge (the mode is %s)" % mode)
    connection = JdbcConnection(glue, substitute(sink["jdbc"]["connection"], values))
    schema, table = split_table(substitute(sink["jdbc"]["table"], values))
    target, stage = connection.relation(schema, table), connection.relation(schema, stage_name(table, run_id))
    shown = "%s.%s" % (schema, table) if schema else table
    columns = list(df.columns)
    if not columns:
        raise JdbcWriteError("the job's output has no columns to write to %s" % shown)
    by_name = {c.lower(): c for c in columns}
    unknown = [k for k in keys if k.lower() not in by_name]
    if unknown:
        raise SpecError("merge key %s is not a column of the job's output (it has %s): name output columns in mergeKeys" % (", ".join(unknown), ", ".join(columns)))
    keys = [by_name[k.lower()] for k in keys]
    print("sink: %s %s on Glue connection %s (%s) through the stage table %s" % (mode, shown, connection.name, connection.engine, stage))

    jvm_connection = None
    try:
        (df.write.format("jdbc").mode("overwrite")
         .options(url=connection.url, dbtable=stage, user=connection.user, password=connection.password)
         .save())
        jvm_connection = connection.open(spark)
        statement = jvm_connection.createStatement()
        for check, sql in (jdbc_key_checks(connection, stage, keys) if mode == "merge" else []):
            result = statement.executeQuery(sql)
            count = result.getLong(1) if result.next() else 0
            if count and check == "null":
                raise JdbcWriteError("merge into %s refused: %d output row(s) have a NULL merge key (%s); the table was not changed. "
                                     "Fix: filter rows without a key out in transform.sql, or merge on columns that are never NULL" % (shown, count, ", ".join(keys)))
            if count:
                raise JdbcWriteError("merge into %s refused: %d value(s) of the merge key (%s) repeat in the job's output; the table was not changed. "
                                     "Fix: make the key unique in transform.sql (e.g. keep the latest row per key), or merge on more columns" % (shown, count, ", ".join(keys)))
        for sql in jdbc_move_statements(connection, target, stage, columns, mode, keys):
            statement.execute(sql)
        jvm_connection.commit()
    except Exception:
        if jvm_connection is not None:
            try:
                jvm_connection.rollback()
            except Exception as error:  # the write's own error matters more
                print("sink: rollback failed: %s" % type(error).__name__)
        raise
    finally:
        _drop_stage(connection, spark, jvm_connection, stage)


def _drop_stage(connection, spark, jvm_connection, stage):
    try:
        jvm_connection = jvm_connection or connection.open(spark)
        jvm_connection.createStatement().execute("DROP TABLE IF EXISTS %s" % stage)
        jvm_connection.commit()
    except Exception as error:  # never hide the write's outcome; say what is left behind
        print("sink: the stage table %s could not be dropped (%s): drop it by hand" % (stage, type(error).__name__))
    finally:
        if jvm_connection is not None:
            jvm_connection.close()


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


WHITESPACE = re.compile(r"\s+")


def underscore_names(name, source):
    """Whether a source's column names get underscores for whitespace (underscoreNames, default
    false). The YAML reader types true and false, as Lint does; anything else is refused, as Lint
    refuses it, so a quoted "true" is never silently read as false."""
    value = source.get("underscoreNames", False)
    if value is not True and value is not False:
        raise SpecError("source %s: underscoreNames must be true or false, not '%s'" % (name, value))
    return value


def underscore_columns(name, df):
    """The source with each run of whitespace in a column name replaced by one underscore
    ("Lead  Name" -> "Lead_Name"); other names unchanged, top-level columns only. Refused when a new
    name equals another column's (Spark compares names case-insensitively), which would make the
    column ambiguous in transform.sql."""
    columns = list(df.columns)
    renamed = [WHITESPACE.sub("_", c) for c in columns]
    if renamed == columns:
        return df
    first = {}
    for old, new in zip(columns, renamed):
        other_old, other_new = first.setdefault(new.lower(), (old, new))
        if other_old.lower() != old.lower():
            raise SpecError("source %s: underscoreNames would give the columns '%s' and '%s' the same name (%s; Spark compares names case-insensitively): "
                            "rename one of them at the source, or drop underscoreNames" % (name, other_old, old, other_new))
    print("source %s: %d column name(s) with whitespace now use underscores" % (name, sum(1 for o, n in zip(columns, renamed) if o != n)))
    return df.toDF(*renamed)


def read_source(glue, spark, name, source, values, bookmark, column_mark, temp_dir=None):
    """A source as a DataFrame: catalog tables, JDBC tables and file-bookmarked S3 sources through
    DynamicFrames (so Glue's job bookmarks apply, keyed by the source's name), other S3 sources
    through spark.read. With underscoreNames, whitespace in column names becomes underscores right
    after the read (and unnest), so a column bookmark names the new column. A column bookmark
    filters every kind of source the same way."""
    from pyspark.sql.functions import col, explode

    renaming = underscore_names(name, source)

    predicate = substitute(source["pushDownPredicate"], values) if source.get("pushDownPredicate") else None
    files_bookmark = bookmark is not None and bookmark.get("source", name) == name and bookmark.get("by") == "files"
    if "catalog" in source:
        options = {"database": source["catalog"]["database"], "table_name": source["catalog"]["table"], "transformation_ctx": name}
        if predicate:
            options["push_down_predicate"] = predicate
        hashing = hash_options(name, source)
        if hashing:
            # A catalog table over a JDBC connection reads in parallel with the same options as from_options.
            options["additional_options"] = hashing
        frame = glue.create_dynamic_frame.from_catalog(**options)
        df = frame.toDF()
    elif "jdbc" in source:
        if files_bookmark:
            raise SpecError("source %s is a JDBC table, which has no files: bookmark it by column (bookmark: {by: column, column: ...})" % name)
        df = read_jdbc(glue, name, source, values, temp_dir)
        if predicate:
            df = df.where(predicate)
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
    if renaming:
        df = underscore_columns(name, df)
    if column_mark is not None:
        df = df.where(col(column_mark["Name"]) > column_mark["Max"])
    return df


def write_sink(glue, df, sink, values, spark=None, run_id=None):
    from awsglue.dynamicframe import DynamicFrame

    if "jdbc" in sink:
        write_jdbc(glue, spark or glue.spark_session, df, sink, values, run_id)
        return
    mode = sink["mode"]
    if mode == "merge" or sink.get("mergeKeys"):
        raise SpecError("mode merge and mergeKeys are for JDBC sinks: an S3 or catalog sink is written with overwrite or append")
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
        frames[name] = read_source(glue, spark, name, source, values, bookmark, mark, temp_dir=args.get("TempDir"))
        frames[name].createOrReplaceTempView(name)

    new_mark = None
    if state_url is not None:
        source = bookmark.get("source") or next(iter(spec["sources"]))
        column = bookmark["column"]
        highest = frames[source].agg(max_(col(column)).cast("string").alias("m")).collect()[0][0]
        new_mark = None if highest is None else {"Name": column, "Type": "VARCHAR", "Max": highest}

    write_sink(glue, spark.sql(sql), spec["sink"], values, spark=spark, run_id=args.get("JOB_RUN_ID"))

    if state_url is not None and new_mark is not None:
        source = bookmark.get("source") or next(iter(spec["sources"]))
        sources = dict(state.get("Sources") or {})
        sources[source] = dict(sources.get(source) or {}, Column=new_mark)
        s3.write(state_url, json.dumps({"Sources": sources, "RunId": args.get("JOB_RUN_ID")}, indent=2))
    job.commit()


if __name__ == "__main__":
    run(sys.argv)
