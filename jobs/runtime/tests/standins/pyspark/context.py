import jdbcserver
import recorder


class SparkContext:
    _active = None
    # Py4J's view of the JVM; the stand-in holds java.sql.DriverManager only (jdbcserver.py).
    _jvm = jdbcserver.JVMView()

    def __init__(self, master=None, appName=None, sparkHome=None, pyFiles=None, environment=None, batchSize=0, serializer=None, conf=None, gateway=None, jsc=None, profiler_cls=None, udf_profiler_cls=None):
        recorder.record("SparkContext", "__init__")
        SparkContext._active = self

    @classmethod
    def getOrCreate(cls, conf=None):
        recorder.record("SparkContext", "getOrCreate")
        return cls._active or cls()
