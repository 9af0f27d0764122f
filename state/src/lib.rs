//! plinth-state: the state model, its file format, the apply journal, locking and backends.
