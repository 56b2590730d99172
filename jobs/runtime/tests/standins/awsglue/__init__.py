"""Stand-in for aws-glue-libs (awsglue), mirroring the signatures of the Glue 4.0 library.

Kept under jobs/runtime/tests/, never packaged. Each call is recorded (see recorder.py); argument
names follow awslabs/aws-glue-libs exactly, and unknown keyword arguments are refused."""
