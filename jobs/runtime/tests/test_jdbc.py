"""JDBC sources and sinks of the Glue runtime, against the stand-ins: the exact options Glue and
Spark are given, the engine taken from the connection's URL, and the statements a sink runs over
its one JDBC connection (jdbcserver.py records them; no SQL runs here, see README)."""

import hashlib

import pytest

import glue_runtime
import recorder
from conftest import PASSWORD

RUN_ID = "jr_0f3c9d2e7a"
TOKEN = hashlib.sha1(RUN_ID.encode("utf-8")).hexdigest()[:12]


def run_job(s3, spec, sql="SELECT * FROM events", *extra):
    url = s3.add("s3://artifacts/p/jobs/events/job.yaml", spec)
    s3.add("s3://artifacts/p/jobs/events/transform.sql", sql)
    tokens = ["glue_runtime.py", "--JOB_NAME", "events", "--job_spec", url, "--JOB_RUN_ID", RUN_ID]
    for name, value in extra:
        tokens += ["--" + name, value]
    glue_runtime.run(tokens, s3=s3)


def jdbc_read():
    reads = recorder.of("from_options", "DynamicFrameReader")
    assert len(reads) == 1
    return reads[0].kwargs


def output(*columns):
    from pyspark.sql.dataframe import DataFrame

    DataFrame.output_columns = list(columns)


S3_SINK = "sink: {s3: s3://lake-b/events/, format: parquet, mode: append}\n"


# ----- Sources --------------------------------------------------------------------------------

def test_a_table_is_read_through_the_glue_connection_with_its_hash_options_as_text(s3):
    run_job(s3, """
arguments:
  source_connection: mysql-source
sources:
  events:
    jdbc:
      connection: ${source_connection}
      table: glue_demo.events
    hashfield: id
    hashpartitions: 10
""" + S3_SINK)

    assert recorder.of("extract_jdbc_conf")[0].args == ("mysql-source",)
    assert jdbc_read() == {
        "connection_type": "mysql",
        "connection_options": {"useConnectionProperties": "true", "connectionName": "mysql-source", "dbtable": "glue_demo.events",
                               "hashfield": "id", "hashpartitions": "10"},
        "format": None, "format_options": {}, "transformation_ctx": "events", "push_down_predicate": "",
    }
    assert [repr(c) for c in recorder.calls if c.target.startswith("DataFrame:events")] == ["DataFrame:events.createOrReplaceTempView('events')"]


def test_a_hashexpression_reads_in_glues_default_seven_partitions(s3):
    run_job(s3, """
sources:
  events:
    jdbc: {connection: pg-target, table: public.events}
    hashexpression: id % 100
""" + S3_SINK)

    read = jdbc_read()
    assert read["connection_type"] == "postgresql"
    assert read["connection_options"] == {"useConnectionProperties": "true", "connectionName": "pg-target", "dbtable": "public.events",
                                          "hashexpression": "id % 100", "hashpartitions": "7"}


def test_hashpartitions_without_a_hash_option_is_not_passed_as_glue_would_ignore_it(s3):
    run_job(s3, "sources:\n  events:\n    jdbc: {connection: pg-target, table: public.events}\n    hashpartitions: 4\n" + S3_SINK)

    assert jdbc_read()["connection_options"] == {"useConnectionProperties": "true", "connectionName": "pg-target", "dbtable": "public.events"}


def test_a_partitioned_query_goes_to_sample_query_wrapped_so_it_ends_with_where(s3):
    run_job(s3, """
sources:
  events:
    jdbc:
      connection: mysql-source
      query: "SELECT id, name FROM glue_demo.events WHERE active = 1;"
    hashfield: id
    hashpartitions: 4
""" + S3_SINK)

    relation = "(SELECT id, name FROM glue_demo.events WHERE active = 1) dq_query"
    assert jdbc_read()["connection_options"] == {
        "useConnectionProperties": "true", "connectionName": "mysql-source",
        "dbtable": relation,
        "sampleQuery": "SELECT * FROM " + relation + " WHERE",
        "enablePartitioningForSampleQuery": "true",
        "hashfield": "id", "hashpartitions": "4",
    }


def test_a_query_without_hash_options_is_one_sample_query(s3):
    run_job(s3, "sources:\n  events:\n    jdbc: {connection: pg-target, query: SELECT 1 AS id}\n" + S3_SINK)

    assert jdbc_read()["connection_options"] == {"useConnectionProperties": "true", "connectionName": "pg-target",
                                                 "dbtable": "(SELECT 1 AS id) dq_query", "sampleQuery": "SELECT * FROM (SELECT 1 AS id) dq_query"}


def test_the_engine_comes_from_the_url_so_a_redshift_connection_is_read_as_redshift_through_temp_dir(s3):
    run_job(s3, "sources:\n  events:\n    jdbc: {connection: dw, query: SELECT id FROM sales}\n    hashfield: id\n" + S3_SINK,
            "SELECT * FROM events", ("TempDir", "s3://tmp-b/glue/"))

    read = jdbc_read()
    assert read["connection_type"] == "redshift"
    assert read["connection_options"] == {"useConnectionProperties": "true", "connectionName": "dw",
                                          "redshiftTmpDir": "s3://tmp-b/glue/", "query": "SELECT id FROM sales"}


def test_a_redshift_source_needs_a_temp_dir(s3):
    with pytest.raises(glue_runtime.SpecError, match="--TempDir"):
        run_job(s3, "sources:\n  events:\n    jdbc: {connection: dw, table: public.sales}\n" + S3_SINK)


def test_a_catalog_table_over_jdbc_passes_its_hash_options_as_additional_options(s3):
    run_job(s3, "sources:\n  events:\n    catalog: {database: crm, table: glue_demo_events}\n    hashfield: customer\n    hashpartitions: 12\n" + S3_SINK)

    catalog = recorder.of("from_catalog", "DynamicFrameReader")[0]
    assert catalog.kwargs["additional_options"] == {"hashfield": "customer", "hashpartitions": "12"}


def test_a_column_bookmark_on_a_jdbc_source_filters_on_the_last_maximum(s3):
    from pyspark.sql.dataframe import DataFrame, Row

    s3.add("s3://state-b/lt/events.bookmark.json", '{"Sources": {"events": {"Column": {"Name": "id", "Type": "VARCHAR", "Max": "41"}}}}')
    DataFrame.collected = [Row(m="57")]

    run_job(s3, "sources:\n  events:\n    jdbc: {connection: pg-target, table: public.events}\n" + S3_SINK + "bookmark: {by: column, column: id}\n",
            "SELECT * FROM events", ("bookmark_state", "s3://state-b/lt/"))

    assert [c.args for c in recorder.of("filter", "DataFrame:events")] == [("(id > '41')",)]
    assert b'"Max": "57"' in s3.objects[("state-b", "lt/events.bookmark.json")]


@pytest.mark.parametrize("source, message", [
    ("jdbc: {connection: pg-target, table: public.events}\n    hashfield: id\n    hashexpression: id", "hashfield or hashexpression, not both"),
    ("jdbc: {connection: pg-target, table: public.events, query: SELECT 1}", "jdbc.table or jdbc.query, one of them"),
    ("jdbc: {connection: pg-target, table: public.events}\n    hashfield: id\n    hashpartitions: 0", "whole number of at least 1"),
    ("jdbc: {connection: oracle-erp, table: erp.orders}", "scheme jdbc:oracle: the runtime reads and writes jdbc:postgresql, jdbc:mysql and jdbc:redshift"),
])
def test_a_jdbc_source_the_runtime_cannot_read_is_a_clear_error(s3, source, message):
    with pytest.raises(glue_runtime.SpecError, match=message):
        run_job(s3, "sources:\n  events:\n    " + source + "\n" + S3_SINK)
    assert recorder.of("from_options") == [] and recorder.of("commit", "Job") == []


def test_a_jdbc_source_cannot_be_bookmarked_by_files(s3):
    with pytest.raises(glue_runtime.SpecError, match="bookmark it by column"):
        run_job(s3, "sources:\n  events:\n    jdbc: {connection: pg-target, table: public.events}\n" + S3_SINK + "bookmark: {by: files}\n")


# ----- Sinks ----------------------------------------------------------------------------------

def jdbc_sink(connection, table, mode, keys=None):
    return "sources:\n  events: {s3: s3://raw-b/events/, format: parquet}\nsink:\n  jdbc: {connection: %s, table: %s}\n  mode: %s\n%s" % (
        connection, table, mode, "  mergeKeys: [%s]\n" % ", ".join(keys) if keys else "")


def stage_save(url, stage, user):
    save = recorder.of("save", "DataFrameWriter")
    assert len(save) == 1
    assert save[0].args == (None,)
    assert save[0].kwargs == {"format": "jdbc", "mode": "overwrite", "partitionBy": [],
                              "options": {"url": url, "dbtable": stage, "user": user, "password": PASSWORD}}


def test_overwrite_on_postgresql_deletes_every_row_and_inserts_the_stage_in_one_transaction(s3, database):
    output("id", "name")

    run_job(s3, jdbc_sink("pg-target", "public.events", "overwrite"))

    stage = '"public"."events_dq_stage_%s"' % TOKEN
    stage_save("jdbc:postgresql://pg.internal:5432/glue_demo", stage, "glue_writer")
    assert database.events == [
        ("connect", "jdbc:postgresql://pg.internal:5432/glue_demo", "glue_writer"),
        ("setAutoCommit", False),
        ("execute", 'CREATE TABLE IF NOT EXISTS "public"."events" (LIKE %s)' % stage),
        ("execute", 'DELETE FROM "public"."events"'),
        ("execute", 'INSERT INTO "public"."events" ("id", "name") SELECT "id", "name" FROM %s' % stage),
        ("commit",),
        ("execute", "DROP TABLE IF EXISTS %s" % stage),
        ("commit",),
        ("close",),
    ]
    methods = [c.method for c in recorder.calls]
    assert methods.index("save") < methods.index("getConnection") < methods.index("commit")
    assert recorder.calls[-1].method == "commit" and recorder.calls[-1].target == "Job"


def test_append_on_mysql_creates_the_table_if_missing_and_inserts_without_deleting(s3, database):
    output("id", "name")

    run_job(s3, jdbc_sink("mysql-source", "glue_demo.events", "append"))

    stage = "`glue_demo`.`events_dq_stage_%s`" % TOKEN
    stage_save("jdbc:mysql://mysql.internal:3306/glue_demo", stage, "glue_reader")
    assert database.statements() == [
        "CREATE TABLE IF NOT EXISTS `glue_demo`.`events` LIKE %s" % stage,
        "INSERT INTO `glue_demo`.`events` (`id`, `name`) SELECT `id`, `name` FROM %s" % stage,
        "DROP TABLE IF EXISTS %s" % stage,
    ]


def test_merge_on_postgresql_checks_the_keys_then_deletes_matches_and_inserts(s3, database):
    output("id", "region", "amount")

    run_job(s3, jdbc_sink("pg-target", "public.events", "merge", ["id", "region"]))

    stage = '"public"."events_dq_stage_%s"' % TOKEN
    assert database.events[1:] == [
        ("setAutoCommit", False),
        ("executeQuery", 'SELECT COUNT(*) FROM %s WHERE "id" IS NULL OR "region" IS NULL' % stage),
        ("executeQuery", 'SELECT COUNT(*) FROM (SELECT "id", "region" FROM %s GROUP BY "id", "region" HAVING COUNT(*) > 1) dq_repeats' % stage),
        ("execute", 'CREATE TABLE IF NOT EXISTS "public"."events" (LIKE %s)' % stage),
        ("execute", 'DELETE FROM "public"."events" USING %s WHERE "public"."events"."id" = %s."id" AND "public"."events"."region" = %s."region"' % (stage, stage, stage)),
        ("execute", 'INSERT INTO "public"."events" ("id", "region", "amount") SELECT "id", "region", "amount" FROM %s' % stage),
        ("commit",),
        ("execute", "DROP TABLE IF EXISTS %s" % stage),
        ("commit",),
        ("close",),
    ]


def test_merge_on_mysql_deletes_through_a_join_and_quotes_with_backticks(s3, database):
    output("id", "name")

    run_job(s3, jdbc_sink("mysql-source", "glue_demo.events", "merge", ["ID"]))

    stage = "`glue_demo`.`events_dq_stage_%s`" % TOKEN
    assert database.statements() == [
        "SELECT COUNT(*) FROM %s WHERE `id` IS NULL" % stage,
        "SELECT COUNT(*) FROM (SELECT `id` FROM %s GROUP BY `id` HAVING COUNT(*) > 1) dq_repeats" % stage,
        "CREATE TABLE IF NOT EXISTS `glue_demo`.`events` LIKE %s" % stage,
        "DELETE t FROM `glue_demo`.`events` t JOIN %s s ON t.`id` = s.`id`" % stage,
        "INSERT INTO `glue_demo`.`events` (`id`, `name`) SELECT `id`, `name` FROM %s" % stage,
        "DROP TABLE IF EXISTS %s" % stage,
    ]


def test_a_redshift_url_merges_with_the_postgresql_dialect(s3, database):
    output("id", "total")

    run_job(s3, jdbc_sink("dw", "analytics.events", "merge", ["id"]))

    stage = '"analytics"."events_dq_stage_%s"' % TOKEN
    stage_save("jdbc:redshift://dw.abc123.eu-west-1.redshift.amazonaws.com:5439/dev", stage, "etl")
    assert database.statements()[2:4] == [
        'CREATE TABLE IF NOT EXISTS "analytics"."events" (LIKE %s)' % stage,
        'DELETE FROM "analytics"."events" USING %s WHERE "analytics"."events"."id" = %s."id"' % (stage, stage),
    ]


def test_a_table_without_schema_gets_its_stage_in_the_default_schema(s3, database):
    output("id")

    run_job(s3, jdbc_sink("pg-target", "events", "append"))

    assert database.statements()[0] == 'CREATE TABLE IF NOT EXISTS "events" (LIKE "events_dq_stage_%s")' % TOKEN


@pytest.mark.parametrize("answers, message", [
    ({"HAVING": 2}, r"merge into public.events refused: 2 value\(s\) of the merge key \(id\) repeat in the job's output; the table was not changed"),
    ({"IS NULL": 3}, r"merge into public.events refused: 3 output row\(s\) have a NULL merge key \(id\); the table was not changed"),
])
def test_a_merge_whose_keys_repeat_or_are_null_fails_rolls_back_and_drops_the_stage(s3, database, capsys, answers, message):
    output("id", "name")
    database.answers = answers

    with pytest.raises(glue_runtime.JdbcWriteError, match=message) as failure:
        run_job(s3, jdbc_sink("pg-target", "public.events", "merge", ["id"]))

    stage = '"public"."events_dq_stage_%s"' % TOKEN
    assert [e for e in database.events if e[0] != "executeQuery"][1:] == [
        ("setAutoCommit", False),
        ("rollback",),
        ("execute", "DROP TABLE IF EXISTS %s" % stage),
        ("commit",),
        ("close",),
    ]
    assert not any('"public"."events" ' in s or s.endswith('"public"."events"') for s in database.statements())
    assert recorder.of("commit", "Job") == []
    assert PASSWORD not in str(failure.value) and PASSWORD not in "".join(capsys.readouterr())


def test_a_statement_the_database_refuses_rolls_back_and_still_drops_the_stage(s3, database):
    import jdbcserver

    output("id", "name")
    database.failures = {"INSERT INTO": 'ERROR: column "name" of relation "events" does not exist'}

    with pytest.raises(jdbcserver.SQLException, match="does not exist"):
        run_job(s3, jdbc_sink("pg-target", "public.events", "overwrite"))

    assert [e[0] for e in database.events] == ["connect", "setAutoCommit", "execute", "execute", "execute", "rollback", "execute", "commit", "close"]
    assert database.events[-3] == ("execute", 'DROP TABLE IF EXISTS "public"."events_dq_stage_%s"' % TOKEN)


def test_a_failed_stage_write_still_drops_the_stage_and_changes_nothing(s3, database, monkeypatch):
    from pyspark.sql.readwriter import DataFrameWriter

    def broken(self, *args, **kwargs):
        raise RuntimeError("Job aborted due to stage failure: Connection refused")

    output("id")
    monkeypatch.setattr(DataFrameWriter, "save", broken)

    with pytest.raises(RuntimeError, match="Connection refused"):
        run_job(s3, jdbc_sink("pg-target", "public.events", "append"))

    assert database.statements() == ['DROP TABLE IF EXISTS "public"."events_dq_stage_%s"' % TOKEN]
    assert ("rollback",) not in database.events and database.events[-1] == ("close",)


def test_nothing_printed_or_raised_carries_the_password(s3, database, capsys):
    output("id", "name")

    run_job(s3, """
sources:
  events:
    jdbc: {connection: mysql-source, table: glue_demo.events}
    hashfield: id
sink:
  jdbc: {connection: pg-target, table: public.events}
  mode: merge
  mergeKeys: [id]
""")
    database.answers = {"HAVING": 1}
    recorder.reset()
    with pytest.raises(glue_runtime.JdbcWriteError) as failure:
        run_job(s3, jdbc_sink("pg-target", "public.events", "merge", ["id"]))

    printed = "".join(capsys.readouterr())
    assert "source events: table glue_demo.events from Glue connection mysql-source (mysql), 7 parallel reads by id" in printed
    assert "sink: merge public.events on Glue connection pg-target (postgresql) through the stage table" in printed
    assert PASSWORD not in printed and PASSWORD not in str(failure.value)
    assert not any(PASSWORD in s for s in database.statements())
    assert PASSWORD not in repr(glue_runtime.JdbcConnection(_glue(), "pg-target"))


def _glue():
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    return GlueContext(SparkContext.getOrCreate())


@pytest.mark.parametrize("sink, message", [
    (jdbc_sink("pg-target", "public.events", "merge"), "a merge needs its key columns"),
    (jdbc_sink("pg-target", "public.events", "append", ["id"]), "mergeKeys is only for mode: merge"),
    (jdbc_sink("pg-target", "public.events", "merge", ["customer"]), "merge key customer is not a column of the job's output \\(it has id, name\\)"),
    (jdbc_sink("pg-target", "public.events", "upsert"), "overwrite, append or merge"),
    (jdbc_sink("pg-target", "a.b.c.d", "append"), "is not a table name"),
    ("sources:\n  events: {s3: s3://raw-b/e/, format: parquet}\nsink: {s3: s3://lake-b/e/, format: parquet, mode: merge, mergeKeys: [id]}\n", "for JDBC sinks"),
])
def test_a_sink_the_runtime_cannot_write_is_a_clear_error_before_anything_is_written(s3, database, sink, message):
    output("id", "name")

    with pytest.raises(glue_runtime.SpecError, match=message):
        run_job(s3, sink)
    assert recorder.of("save") == [] and database.events == []


def test_a_stage_name_fits_postgresql_identifiers_and_differs_per_run():
    long_name = "x" * 80

    assert len(glue_runtime.stage_name(long_name, "jr_1")) <= 63
    assert glue_runtime.stage_name("events", "jr_1") != glue_runtime.stage_name("events", "jr_2")
    assert glue_runtime.stage_name("events", "jr_1") == glue_runtime.stage_name("events", "jr_1")


# ----- The stand-ins refuse what Glue or Spark would not take ---------------------------------

def test_the_standins_refuse_unknown_jdbc_options_and_non_text_values():
    glue = _glue()
    with pytest.raises(ValueError, match="unknown mysql connection option 'hashfeild'"):
        glue.create_dynamic_frame.from_options(connection_type="mysql", connection_options={"dbtable": "t", "hashfeild": "id"})
    with pytest.raises(TypeError, match="as text"):
        glue.create_dynamic_frame.from_options(connection_type="postgresql", connection_options={"dbtable": "t", "hashfield": "id", "hashpartitions": 7})
    with pytest.raises(ValueError, match="must end with WHERE or AND"):
        glue.create_dynamic_frame.from_options(connection_type="postgresql", connection_options={
            "dbtable": "t", "sampleQuery": "SELECT * FROM t", "enablePartitioningForSampleQuery": "true", "hashfield": "id"})
    with pytest.raises(ValueError, match="unknown additional option 'hashfeild'"):
        glue.create_dynamic_frame.from_catalog(database="d", table_name="t", additional_options={"hashfeild": "id"})
    with pytest.raises(ValueError, match="jdbc has no option 'tuncate'"):
        glue.spark_session.read.format("csv").load("s3://b/").write.format("jdbc").options(url="jdbc:postgresql://h/d", dbtable="t", tuncate="true").save()
    with pytest.raises(ValueError, match="exactly one of 'dbtable' and 'query'"):
        glue.spark_session.read.format("jdbc").options(url="jdbc:postgresql://h/d", dbtable="t", query="SELECT 1").load()
    with pytest.raises(Exception, match="Connection nope not found"):
        glue.extract_jdbc_conf("nope")
