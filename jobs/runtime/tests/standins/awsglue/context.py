import recorder
from awsglue.dynamicframe import DynamicFrameReader, DynamicFrameWriter


class GlueContext:
    # Glue connections by name, as extract_jdbc_conf returns them (tests fill it).
    connections = {}

    def __init__(self, sparkContext, **options):
        recorder.strict("GlueContext", options, ["minPartitions", "targetPartitions"])
        from pyspark.context import SparkContext
        from pyspark.sql.session import SparkSession

        if not isinstance(sparkContext, SparkContext):
            raise TypeError("GlueContext needs a SparkContext")
        recorder.record("GlueContext", "__init__")
        self.spark_session = SparkSession(sparkContext)
        self.create_dynamic_frame = DynamicFrameReader(self)
        self.write_dynamic_frame = DynamicFrameWriter(self)

    def create_dynamic_frame_from_catalog(self, database=None, table_name=None, redshift_tmp_dir="", transformation_ctx="", push_down_predicate="", additional_options={}, catalog_id=None, **kwargs):
        return self.create_dynamic_frame.from_catalog(database, table_name, redshift_tmp_dir, transformation_ctx, push_down_predicate, additional_options, catalog_id, **kwargs)

    def create_dynamic_frame_from_options(self, connection_type, connection_options={}, format=None, format_options={}, transformation_ctx="", push_down_predicate="", **kwargs):
        return self.create_dynamic_frame.from_options(connection_type, connection_options, format, format_options, transformation_ctx, push_down_predicate, **kwargs)

    def write_dynamic_frame_from_options(self, frame, connection_type, connection_options={}, format=None, format_options={}, transformation_ctx=""):
        return self.write_dynamic_frame.from_options(frame, connection_type, connection_options, format, format_options, transformation_ctx)

    def write_dynamic_frame_from_catalog(self, frame, database=None, table_name=None, redshift_tmp_dir="", transformation_ctx="", additional_options={}, catalog_id=None, **kwargs):
        return self.write_dynamic_frame.from_catalog(frame, database, table_name, redshift_tmp_dir, transformation_ctx, additional_options, catalog_id, **kwargs)

    def extract_jdbc_conf(self, connection_name, catalog_id=None):
        """The dict Glue returns: user, password, vendor, url (host:port only) and fullUrl."""
        recorder.record("GlueContext", "extract_jdbc_conf", connection_name)
        if connection_name not in GlueContext.connections:
            raise Exception("An error occurred while calling o81.extractJDBCConf. : EntityNotFoundException: Connection %s not found." % connection_name)
        return dict(GlueContext.connections[connection_name])

    def purge_table(self, database, table_name, options={}, transformation_ctx="", catalog_id=None):
        unknown = sorted(set(options) - {"retentionPeriod", "partitionPredicate", "excludeStorageClasses", "manifestFilePath"})
        if unknown:
            raise ValueError("unknown purge option %r" % unknown[0])
        recorder.record("GlueContext", "purge_table", database, table_name, options=options)

    def purge_s3_path(self, s3_path, options={}, transformation_ctx=""):
        recorder.record("GlueContext", "purge_s3_path", s3_path, options=options)
