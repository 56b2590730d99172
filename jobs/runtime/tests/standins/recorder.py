"""Every call made to the stand-ins, in order, so tests can check what the runtime asked Glue and
Spark to do. A call is (target, method, args, kwargs); targets are short names such as
"GlueContext", "DynamicFrameReader", "DataFrameReader", "DataFrameWriter", "DataFrame:trips"."""

calls = []


class Call:
    def __init__(self, target, method, args, kwargs):
        self.target = target
        self.method = method
        self.args = args
        self.kwargs = kwargs

    def __repr__(self):
        parts = [repr(a) for a in self.args] + ["%s=%r" % item for item in sorted(self.kwargs.items())]
        return "%s.%s(%s)" % (self.target, self.method, ", ".join(parts))


def record(target, method, *args, **kwargs):
    calls.append(Call(target, method, args, kwargs))


def reset():
    del calls[:]


def of(method, target=None):
    return [c for c in calls if c.method == method and (target is None or c.target == target)]


def strict(name, kwargs, allowed):
    """Real aws-glue-libs functions take **kwargs and ignore what they do not know; the stand-ins
    refuse it, so a misspelled option fails here instead of being silently dropped on Glue."""
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise TypeError("%s() got an unexpected keyword argument %r" % (name, unknown[0]))
