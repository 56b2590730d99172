"""Stand-in for the slice of PySpark 3.3 the Glue runtime uses, with its signatures and documented
option names; every call is recorded (recorder.py). Kept under jobs/runtime/tests/, never packaged."""
