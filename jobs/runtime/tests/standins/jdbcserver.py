"""The database at the far end of java.sql.DriverManager, as the runtime reaches it through Py4J
(spark.sparkContext._jvm.java.sql.DriverManager): it records every connection, statement, commit,
rollback and close in order, and answers COUNT queries with scripted numbers. It runs no SQL."""

import recorder


class FakeJdbcServer:
    def __init__(self):
        self.connections = []
        self.events = []
        # Substring of a query -> the number its COUNT(*) returns (0 when nothing matches).
        self.answers = {}
        # Substring of a statement -> the message of the SQLException it raises.
        self.failures = {}

    def statements(self):
        return [event[1] for event in self.events if event[0] in ("execute", "executeQuery")]

    def connect(self, url, user, password):
        recorder.record("DriverManager", "getConnection", url, user, "<password>")
        connection = FakeConnection(self, url, user, password)
        self.connections.append(connection)
        self.events.append(("connect", url, user))
        return connection


class SQLException(Exception):
    pass


class FakeConnection:
    def __init__(self, server, url, user, password):
        self.server = server
        self.url = url
        self.user = user
        self.password = password
        self.autocommit = True
        self.closed = False

    def _event(self, *event):
        if self.closed:
            raise SQLException("This connection has been closed.")
        self.server.events.append(event)

    def setAutoCommit(self, autoCommit):
        self._event("setAutoCommit", autoCommit)
        self.autocommit = autoCommit

    def createStatement(self):
        if self.closed:
            raise SQLException("This connection has been closed.")
        return FakeStatement(self)

    def commit(self):
        if self.autocommit:
            raise SQLException("Cannot commit when autoCommit is enabled.")
        self._event("commit")

    def rollback(self):
        if self.autocommit:
            raise SQLException("Cannot rollback when autoCommit is enabled.")
        self._event("rollback")

    def close(self):
        self.server.events.append(("close",))
        self.closed = True


class FakeStatement:
    def __init__(self, connection):
        self.connection = connection

    def _run(self, kind, sql):
        self.connection._event(kind, sql)
        for fragment, message in self.connection.server.failures.items():
            if fragment in sql:
                raise SQLException(message)

    def execute(self, sql):
        self._run("execute", sql)
        return False

    def executeQuery(self, sql):
        self._run("executeQuery", sql)
        value = next((n for fragment, n in self.connection.server.answers.items() if fragment in sql), 0)
        return FakeResultSet([value])


class FakeResultSet:
    def __init__(self, row):
        self._row = row
        self._position = -1

    def next(self):
        self._position += 1
        return self._position == 0

    def getLong(self, columnIndex):
        if self._position != 0:
            raise SQLException("ResultSet not positioned properly, perhaps you need to call next.")
        return int(self._row[columnIndex - 1])


server = FakeJdbcServer()


def reset():
    global server
    server = FakeJdbcServer()


class _DriverManager:
    @staticmethod
    def getConnection(url, user, password):
        return server.connect(url, user, password)


class JVMView:
    """spark.sparkContext._jvm: only java.sql.DriverManager is there."""

    class _Java:
        class sql:
            DriverManager = _DriverManager

    java = _Java
