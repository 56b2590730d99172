"""getResolvedOptions as aws-glue-libs implements it: required --name options, dashes become
underscores, Glue's reserved options are always present (None when not passed), unknown
arguments are ignored."""

import recorder


class GlueArgumentError(Exception):
    pass


RESERVED = {
    "job_bookmark_option": "job-bookmark-disable",
    "job_bookmark_from": None,
    "job_bookmark_to": None,
    "JOB_ID": None,
    "JOB_RUN_ID": None,
    "SECURITY_CONFIGURATION": None,
    "encryption_type": None,
    "enable_data_lineage": None,
    "RedshiftTempDir": None,
    "TempDir": None,
}


def getResolvedOptions(args, options):
    recorder.record("awsglue.utils", "getResolvedOptions", list(args), list(options))
    if not isinstance(options, (list, tuple)):
        raise TypeError("options must be a list of names")
    for option in options:
        if option.replace("-", "_") in RESERVED:
            raise RuntimeError("Using reserved arguments --%s" % option)
    given = {}
    tokens = list(args[1:])
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("--"):
            if "=" in token:
                name, value = token[2:].split("=", 1)
                given[name] = value
            elif i + 1 < len(tokens):
                given[token[2:]] = tokens[i + 1]
                i += 1
        i += 1
    result = dict(RESERVED)
    for name, value in given.items():
        if name.replace("-", "_") in RESERVED:
            result[name.replace("-", "_")] = value
    if result["TempDir"] is not None and result["RedshiftTempDir"] is None:
        result["RedshiftTempDir"] = result["TempDir"]
    for option in options:
        if option not in given:
            raise GlueArgumentError("the following arguments are required: --%s" % option)
        result[option.replace("-", "_")] = given[option]
    return result
