import recorder


class Job:
    def __init__(self, glue_context):
        from awsglue.context import GlueContext

        if not isinstance(glue_context, GlueContext):
            raise TypeError("Job needs a GlueContext")
        recorder.record("Job", "__init__")
        self._context = glue_context
        self._initialised = False

    def init(self, job_name, args={}):
        recorder.record("Job", "init", job_name, args=dict(args))
        self._initialised = True

    def commit(self):
        if not self._initialised:
            raise RuntimeError("Job.commit() before Job.init()")
        recorder.record("Job", "commit")
