-- asl serve's durable state. Every statement is idempotent: the server runs this file on each start.
-- Times are seconds since the epoch (REAL); JSON documents are stored as text, as the API carries them.

CREATE TABLE IF NOT EXISTS state_machines (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,            -- STANDARD | EXPRESS
    definition   TEXT NOT NULL,
    role_arn     TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    logging      TEXT,                     -- loggingConfiguration, JSON
    tracing      TEXT,                     -- tracingConfiguration, JSON
    revision_id  TEXT NOT NULL,
    created      REAL NOT NULL,
    updated      REAL,
    next_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE IF NOT EXISTS versions (
    arn          TEXT PRIMARY KEY,         -- <state machine arn>:<version>
    machine_arn  TEXT NOT NULL,
    version      INTEGER NOT NULL,
    definition   TEXT NOT NULL,
    role_arn     TEXT NOT NULL,
    type         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    logging      TEXT,
    tracing      TEXT,
    revision_id  TEXT NOT NULL,
    created      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_by_machine ON versions (machine_arn, version);

CREATE TABLE IF NOT EXISTS aliases (
    arn          TEXT PRIMARY KEY,         -- <state machine arn>:<alias name>
    machine_arn  TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    routing      TEXT NOT NULL,            -- routingConfiguration, JSON
    created      REAL NOT NULL,
    updated      REAL
);

CREATE TABLE IF NOT EXISTS tags (
    resource_arn TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
);

CREATE TABLE IF NOT EXISTS activities (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    created      REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS executions (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,   -- start order: ListExecutions pages on it
    arn            TEXT NOT NULL UNIQUE,
    machine_arn    TEXT NOT NULL,                        -- the unqualified state machine ARN
    version_arn    TEXT,
    alias_arn      TEXT,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    test_case      TEXT,                                 -- the mock test case (`...:stateMachine:Name#Case`)
    definition     TEXT NOT NULL,                        -- what this execution runs
    revision_id    TEXT NOT NULL,
    role_arn       TEXT NOT NULL,
    status         TEXT NOT NULL,                        -- RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    input          TEXT NOT NULL,
    trace_header   TEXT,                                 -- X-Ray trace header given at start, echoed back
    output         TEXT,
    error          TEXT,
    cause          TEXT,
    start_date     REAL NOT NULL,
    stop_date      REAL,
    seed           INTEGER NOT NULL,                     -- the retry jitter's seed, for resuming
    redrive_count  INTEGER NOT NULL DEFAULT 0,
    redrive_date   REAL
);
CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (machine_arn, seq);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);

-- History events exactly as the interpreter records them; `lane` is the branch or iteration.
CREATE TABLE IF NOT EXISTS events (
    execution_arn TEXT NOT NULL,
    id            INTEGER NOT NULL,
    lane          TEXT NOT NULL DEFAULT '',
    timestamp     REAL NOT NULL,
    type          TEXT NOT NULL,
    previous_id   INTEGER,
    details       TEXT,                                  -- `<type>EventDetails`, JSON
    PRIMARY KEY (execution_arn, id)
) WITHOUT ROWID;

-- Task tokens handed out (callbacks and activity tasks) and the outcome sent for them.
CREATE TABLE IF NOT EXISTS tokens (
    token          TEXT PRIMARY KEY,
    execution_arn  TEXT NOT NULL,
    activity_arn   TEXT,
    outcome        TEXT,                                 -- NULL while open; success | failure
    output         TEXT,
    error          TEXT,
    cause          TEXT,
    created        REAL NOT NULL,
    handed_out     REAL,                                 -- when GetActivityTask gave it to a worker
    heartbeat      REAL                                  -- the last SendTaskHeartbeat acknowledged
);
CREATE INDEX IF NOT EXISTS tokens_by_execution ON tokens (execution_arn);

-- The child execution a `states:startExecution` task started, by the task's token (stable across a
-- restart), so that the resumed parent finds its child instead of starting another.
CREATE TABLE IF NOT EXISTS children (
    task_token     TEXT PRIMARY KEY,
    child_arn      TEXT NOT NULL
);
