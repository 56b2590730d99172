"""The generic Glue runtime, run against stand-ins of awsglue and pyspark that record every call:
for each sample job, what it reads, which SQL it runs and what it writes must be exactly what the
spec says. These tests prove the script's calls, not Spark's behaviour (see README)."""

import json
import os

import pytest

import glue_runtime
import recorder
from conftest import REPOSITORY


def argv(*pairs):
    tokens = ["glue_runtime.py"]
    for name, value in pairs:
        tokens += ["--" + name, value]
    return tokens


def calls():
    return [repr(c) for c in recorder.calls if c.target != "awsglue.utils"]


# ----- The sample jobs ------------------------------------------------------------------------

def test_taxi_reads_bookmarked_csv_runs_its_sql_and_appends_parquet_by_year_and_month(s3):
    spec = s3.add_job("taxi")

    glue_runtime.run(argv(("JOB_NAME", "taxi"), ("job_spec", spec), ("raw_bucket", "raw-b"), ("datalake_bucket", "lake-b"),
                          ("job-bookmark-option", "job-bookmark-enable")), s3=s3)

    with open(os.path.join(REPOSITORY, "jobs", "taxi", "transform.sql"), encoding="utf-8") as handle:
        sql = handle.read().strip()
    assert calls() == [
        "SparkContext.getOrCreate()",
        "SparkContext.__init__()",
        "GlueContext.__init__()",
        "Job.__init__()",
        repr(recorder.of("init", "Job")[0]),
        "DynamicFrameReader.from_options(connection_options={'paths': ['s3://raw-b/nyc-taxi/green/'], 'recurse': True}, "
        "connection_type='s3', format='csv', format_options={'withHeader': True, 'separator': ',', 'quoteChar': '\"', 'escaper': '\"'}, "
        "push_down_predicate='', transformation_ctx='trips')",
        "DynamicFrame:trips.toDF()",
        "DataFrame:trips.createOrReplaceTempView('trips')",
        "SparkSession.sql(%r)" % sql,
        "DataFrameWriter.save('s3://lake-b/nyc-taxi/green/', format='parquet', mode='append', options={'compression': 'snappy'}, partitionBy=['year', 'month'])",
        "Job.commit()",
    ]
    init = recorder.of("init", "Job")[0]
    assert init.args == ("taxi",)
    assert init.kwargs["args"]["job_spec"] == spec


def test_quakes_unnests_the_features_array_and_partitions_by_event_date(s3):
    spec = s3.add_job("quakes")

    glue_runtime.run(argv(("JOB_NAME", "quakes"), ("job_spec", spec), ("raw_bucket", "raw-b"), ("datalake_bucket", "lake-b")), s3=s3)

    reads = recorder.of("from_options", "DynamicFrameReader")
    assert len(reads) == 1
    assert reads[0].kwargs["connection_options"] == {"paths": ["s3://raw-b/seismic/"], "recurse": True}
    assert reads[0].kwargs["format"] == "json"
    assert reads[0].kwargs["format_options"] == {"multiline": True}
    assert reads[0].kwargs["transformation_ctx"] == "quakes"
    assert [repr(c) for c in recorder.calls if c.target.startswith("DataFrame:quakes")] == [
        "DataFrame:quakes.select('explode(features) AS dq_item')",
        "DataFrame:quakes.select.select('dq_item.*')",
        "DataFrame:quakes.select.select.createOrReplaceTempView('quakes')",
    ]
    sql = recorder.of("sql")[0].args[0]
    assert "FROM quakes" in sql and "properties.flynn_region AS flynn_region" in sql
    save = recorder.of("save")[0]
    assert save.args == ("s3://lake-b/seismic/events/",)
    assert save.kwargs == {"format": "parquet", "mode": "append", "partitionBy": ["event_date"], "options": {"compression": "snappy"}}
    assert recorder.calls[-1].method == "commit"


def test_defaults_fill_arguments_that_glue_does_not_pass(s3):
    spec = s3.add_job("taxi")

    glue_runtime.run(argv(("JOB_NAME", "taxi"), ("job_spec", spec)), s3=s3)

    assert recorder.of("from_options")[0].kwargs["connection_options"]["paths"] == ["s3://glue-etl-raw/nyc-taxi/green/"]
    assert recorder.of("save")[0].args == ("s3://glue-etl-datalake/nyc-taxi/green/",)


# ----- Other shapes of spec -------------------------------------------------------------------

SPEC = """
arguments:
  raw_bucket: raw-b
  day: ~
sources:
  orders:
    s3: s3://${raw_bucket}/orders/
    format: csv
    csv: {header: true, delimiter: ";", quote: "'", escape: "\\\\", null: NA}
    pushDownPredicate: day = '${day}'
  customers:
    catalog: {database: crm, table: customers}
    pushDownPredicate: "region = 'eu'"
sink:
  catalog: {database: lake, table: orders}
  partitionKeys: [day]
  mode: overwrite
"""


def test_catalog_and_plain_s3_sources_and_a_catalog_sink_that_overwrites(s3):
    spec = s3.add("s3://artifacts/p/jobs/orders/job.yaml", SPEC)
    s3.add("s3://artifacts/p/jobs/orders/transform.sql", "SELECT o.id, c.name, o.day\nFROM orders o JOIN customers c ON o.customer = c.id\nWHERE o.day = '${day}';\n")

    glue_runtime.run(argv(("JOB_NAME", "orders"), ("job_spec", spec), ("day", "2024-01-02")), s3=s3)

    load = recorder.of("load", "DataFrameReader")[0]
    assert load.args == ("s3://raw-b/orders/",)
    assert load.kwargs == {"format": "csv", "options": {"header": "true", "sep": ";", "quote": "'", "escape": "\\", "nullValue": "NA", "inferSchema": "true"}}
    assert recorder.of("filter", "DataFrame:read")[0].args == ("day = '2024-01-02'",)
    catalog = recorder.of("from_catalog", "DynamicFrameReader")[0]
    assert catalog.kwargs == {"database": "crm", "table_name": "customers", "transformation_ctx": "customers", "push_down_predicate": "region = 'eu'", "additional_options": {}}
    assert recorder.of("sql")[0].args[0] == "SELECT o.id, c.name, o.day\nFROM orders o JOIN customers c ON o.customer = c.id\nWHERE o.day = '2024-01-02'"
    purge, write = recorder.of("purge_table")[0], recorder.of("from_catalog", "DynamicFrameWriter")[0]
    assert purge.args == ("lake", "orders") and purge.kwargs == {"options": {"retentionPeriod": 0}}
    assert write.kwargs == {"database": "lake", "table_name": "orders", "transformation_ctx": "sink", "additional_options": {"partitionKeys": ["day"]}}
    methods = [c.method for c in recorder.calls]
    assert methods.index("purge_table") < methods.index("from_catalog", methods.index("sql")) < methods.index("commit")


def test_a_column_bookmark_filters_on_the_last_maximum_and_saves_the_new_one_after_the_write(s3):
    from pyspark.sql.dataframe import DataFrame, Row

    spec = s3.add("s3://artifacts/p/jobs/events/job.yaml", """
sources:
  events: {s3: s3://raw-b/events/, format: json, json: {layout: lines}}
sink: {s3: s3://lake-b/events/, format: csv, compression: gzip, mode: append}
bookmark: {by: column, column: updated_at}
""")
    s3.add("s3://artifacts/p/jobs/events/transform.sql", "SELECT * FROM events")
    args = argv(("JOB_NAME", "events"), ("job_spec", spec), ("bookmark_state", "s3://state-b/livetest-1/"))
    DataFrame.collected = [Row(m="2024-01-01 10:00:00")]

    glue_runtime.run(args, s3=s3)
    first_filters = recorder.of("filter")
    recorder.reset()
    DataFrame.collected = [Row(m="2024-01-02 09:00:00")]
    glue_runtime.run(args, s3=s3)

    assert first_filters == []
    assert [c.args for c in recorder.of("filter")] == [("(updated_at > '2024-01-01 10:00:00')",)]
    state = json.loads(s3.objects[("state-b", "livetest-1/events.bookmark.json")])
    assert state["Sources"]["events"]["Column"] == {"Name": "updated_at", "Type": "VARCHAR", "Max": "2024-01-02 09:00:00"}
    save = recorder.of("save")[0]
    assert save.kwargs["format"] == "csv" and save.kwargs["options"] == {"compression": "gzip", "header": "true", "sep": ",", "quote": '"', "escape": '"', "nullValue": ""}
    assert recorder.of("load")[0].kwargs["options"] == {"multiLine": "false"}


# ----- underscoreNames ------------------------------------------------------------------------

LEADS = """
sources:
  leads:
    s3: s3://raw-b/leads/
    format: csv
%s
sink: {s3: s3://lake-b/leads/, format: parquet, mode: append}
bookmark: {by: column, column: Forecasted_Monthly_Revenue}
"""
LEAD_COLUMNS = ["Date", "Forecasted Monthly Revenue", "Lead  Name"]


def run_leads(s3, setting):
    from pyspark.sql.dataframe import DataFrame, Row

    spec = s3.add("s3://artifacts/p/jobs/leads/job.yaml", LEADS % setting)
    s3.add("s3://artifacts/p/jobs/leads/transform.sql", "SELECT * FROM leads")
    s3.add("s3://state-b/p/leads.bookmark.json", json.dumps({"Sources": {"leads": {"Column": {"Name": "Forecasted_Monthly_Revenue", "Type": "VARCHAR", "Max": "100"}}}}))
    DataFrame.source_columns = {"read": list(LEAD_COLUMNS)}
    DataFrame.collected = [Row(m="250")]
    glue_runtime.run(argv(("JOB_NAME", "leads"), ("job_spec", spec), ("bookmark_state", "s3://state-b/p/")), s3=s3)


def test_underscore_names_renames_whitespace_right_after_the_read_and_before_the_column_bookmark(s3):
    run_leads(s3, "    underscoreNames: true")

    assert [repr(c) for c in recorder.calls if c.target.startswith("DataFrame:read")] == [
        "DataFrame:read.toDF('Date', 'Forecasted_Monthly_Revenue', 'Lead_Name')",
        "DataFrame:read.toDF.filter(\"(Forecasted_Monthly_Revenue > '100')\")",
        "DataFrame:read.toDF.filter.createOrReplaceTempView('leads')",
        "DataFrame:read.toDF.filter.agg('CAST(max(Forecasted_Monthly_Revenue) AS string) AS m')",
        "DataFrame:read.toDF.filter.agg.collect()",
    ]
    methods = [c.method for c in recorder.calls]
    assert methods.index("load") < methods.index("toDF") < methods.index("filter")


@pytest.mark.parametrize("setting", ["", "    underscoreNames: false"], ids=["absent", "false"])
def test_without_underscore_names_true_columns_keep_their_names(s3, setting):
    run_leads(s3, setting)

    assert recorder.of("toDF") == []
    assert [c.args for c in recorder.of("filter", "DataFrame:read")] == [("(Forecasted_Monthly_Revenue > '100')",)]


@pytest.mark.parametrize("source, frame", [
    ({"catalog": {"database": "crm", "table": "leads"}}, "leads"),
    ({"jdbc": {"connection": "pg-target", "table": "crm.leads"}}, "leads"),
    ({"s3": "s3://raw-b/leads/", "format": "json", "json": {"unnest": "items"}}, "read.select.select"),
], ids=["catalog", "jdbc", "s3-unnested"])
def test_underscore_names_applies_to_every_kind_of_source(source, frame):
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext
    from pyspark.sql.dataframe import DataFrame

    glue = GlueContext(SparkContext.getOrCreate())
    DataFrame.source_columns = {frame: ["id", "Lead\tName", "Sales Rep "]}

    df = glue_runtime.read_source(glue, glue.spark_session, "leads", dict(source, underscoreNames=True), {}, None, None)

    assert df.columns == ["id", "Lead_Name", "Sales_Rep_"]
    assert [c.target for c in recorder.of("toDF") if c.target.startswith("DataFrame:")] == ["DataFrame:" + frame]


def test_underscore_names_leaves_a_source_without_whitespace_alone_and_refuses_a_clash(s3):
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext
    from pyspark.sql.dataframe import DataFrame

    glue = GlueContext(SparkContext.getOrCreate())
    source = {"s3": "s3://raw-b/leads/", "format": "parquet", "underscoreNames": True}
    DataFrame.source_columns = {"read": ["id", "lead_name"]}
    assert glue_runtime.read_source(glue, glue.spark_session, "leads", source, {}, None, None).columns == ["id", "lead_name"]
    assert [c for c in recorder.of("toDF") if c.target.startswith("DataFrame:")] == []

    DataFrame.source_columns = {"read": ["Lead Name", "lead_name"]}
    with pytest.raises(glue_runtime.SpecError, match="would give the columns 'Lead Name' and 'lead_name' the same name \\(Lead_Name;"):
        glue_runtime.read_source(glue, glue.spark_session, "leads", source, {}, None, None)


def test_underscore_names_must_be_a_boolean_as_lint_reads_it(s3):
    with pytest.raises(glue_runtime.SpecError, match="underscoreNames must be true or false, not 'true'"):
        run_leads(s3, "    underscoreNames: 'true'")
    assert recorder.of("load") == []


# ----- Mistakes -------------------------------------------------------------------------------

def test_a_declared_argument_without_default_must_be_passed(s3):
    spec = s3.add("s3://artifacts/p/jobs/orders/job.yaml", SPEC)
    s3.add("s3://artifacts/p/jobs/orders/transform.sql", "SELECT 1")

    with pytest.raises(glue_runtime.SpecError, match="needs the argument\\(s\\) --day"):
        glue_runtime.run(argv(("JOB_NAME", "orders"), ("job_spec", spec)), s3=s3)
    assert recorder.of("commit") == []


def test_without_its_spec_argument_the_script_stops_as_glue_would():
    from awsglue.utils import GlueArgumentError

    with pytest.raises(GlueArgumentError, match="--job_spec"):
        glue_runtime.run(argv(("JOB_NAME", "taxi")), s3=object())


def test_a_column_bookmark_needs_its_state_location(s3):
    spec = s3.add("s3://artifacts/p/jobs/events/job.yaml", "sources:\n  events: {s3: s3://raw-b/e/, format: parquet}\nsink: {s3: s3://lake-b/e/, format: parquet, mode: append}\nbookmark: {by: column, column: id}\n")
    s3.add("s3://artifacts/p/jobs/events/transform.sql", "SELECT * FROM events")

    with pytest.raises(glue_runtime.SpecError, match="--bookmark_state"):
        glue_runtime.run(argv(("JOB_NAME", "events"), ("job_spec", spec)), s3=s3)


# ----- The stand-ins refuse what Glue or Spark would not do -----------------------------------

def test_the_standins_refuse_misspelled_and_missing_arguments():
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    glue = GlueContext(SparkContext.getOrCreate())
    with pytest.raises(TypeError):
        glue.create_dynamic_frame.from_options(connection_typ="s3", connection_options={"paths": ["s3://b/"]}, format="csv")
    with pytest.raises(TypeError):
        glue.create_dynamic_frame.from_catalog(database="d", table_name="t", transformation_context="x")
    with pytest.raises(TypeError):
        glue.write_dynamic_frame.from_options(connection_type="s3", connection_options={"path": "s3://b/"}, format="csv")
    with pytest.raises(ValueError, match="unknown csv format option 'seperator'"):
        glue.create_dynamic_frame.from_options(connection_type="s3", connection_options={"paths": ["s3://b/"]}, format="csv", format_options={"seperator": ","})
    with pytest.raises(ValueError, match="has no option 'seperator'"):
        glue.spark_session.read.format("csv").option("seperator", ";").load("s3://b/")
    with pytest.raises(ValueError, match="Codec \\[zstd\\]"):
        glue.spark_session.read.format("csv").load("s3://b/").write.format("csv").option("compression", "zstd").save("s3://c/")
    with pytest.raises(TypeError):
        GlueContext(SparkContext.getOrCreate(), minPartition=4)


# ----- The spec's YAML ------------------------------------------------------------------------

def test_the_yaml_reader_reads_every_job_spec_as_pyyaml_does():
    yaml = pytest.importorskip("yaml")

    def text(value):
        # PyYAML reads a plain `null:` key (the CSV null marker) as None; Lint and the runtime read it as "null".
        if isinstance(value, dict):
            return {("null" if k is None else k): text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [text(v) for v in value]
        return value if value is None or isinstance(value, bool) else str(value)

    specs = [os.path.join(REPOSITORY, "jobs", name, "job.yaml") for name in sorted(os.listdir(os.path.join(REPOSITORY, "jobs")))]
    specs = [path for path in specs if os.path.exists(path)]
    assert len(specs) >= 2
    for path in specs + [SPEC]:
        source = open(path, encoding="utf-8").read() if os.path.exists(path) else path
        assert glue_runtime.parse_yaml(source) == text(yaml.safe_load(source)), path


@pytest.mark.parametrize("source, expected", [
    ("a: 1\nb: 1.50\nc: true\nd: ~\ne:", {"a": "1", "b": "1.50", "c": True, "d": None, "e": None}),
    ("a: 'it''s'\nb: \"tab\\there\"\nc: x # comment\nd: 'has # hash'", {"a": "it's", "b": "tab\there", "c": "x", "d": "has # hash"}),
    ("a: {b: [1, 2], c: {d: 'e, f'}}", {"a": {"b": ["1", "2"], "c": {"d": "e, f"}}}),
    ("list:\n  - one\n  - two: 2\n    three: 3", {"list": ["one", {"two": "2", "three": "3"}]}),
    ("p: day = '${day}' and x > 1", {"p": "day = '${day}' and x > 1"}),
    ("s3: s3://bucket/a/b/", {"s3": "s3://bucket/a/b/"}),
])
def test_the_yaml_reader_keeps_scalars_as_text_like_lint(source, expected):
    assert glue_runtime.parse_yaml(source) == expected


def test_a_broken_spec_is_a_clear_error():
    with pytest.raises(glue_runtime.SpecError, match="line 2"):
        glue_runtime.parse_yaml("a: 1\n  b: 2\n")
    with pytest.raises(glue_runtime.SpecError, match="unclosed"):
        glue_runtime.parse_yaml("a: {b: 1")
