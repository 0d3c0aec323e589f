"""The store's schema as forward-only migrations; version N is the list's first N entries."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: series, immutable bars, revisions, ingests, runs and their events.
    """
    CREATE SEQUENCE series_id_seq START 1;
    CREATE TABLE series (
        id INTEGER PRIMARY KEY DEFAULT nextval('series_id_seq'),
        broker VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        asset_class VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        is_demo BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL,
        UNIQUE (broker, symbol, timeframe)
    );
    -- Uniqueness of (series_id, ts) is kept by the ingest's anti-join under the store lock:
    -- a primary key costs ~5x on bulk inserts.
    CREATE TABLE bars (
        series_id INTEGER NOT NULL,
        ts TIMESTAMP NOT NULL,
        open DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        low DOUBLE NOT NULL,
        close DOUBLE NOT NULL,
        tick_volume BIGINT NOT NULL,
        volume BIGINT NOT NULL,
        spread INTEGER NOT NULL,
        ingest_id INTEGER NOT NULL
    );
    CREATE TABLE bar_revisions (
        series_id INTEGER NOT NULL,
        ts TIMESTAMP NOT NULL,
        open DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        low DOUBLE NOT NULL,
        close DOUBLE NOT NULL,
        tick_volume BIGINT NOT NULL,
        volume BIGINT NOT NULL,
        spread INTEGER NOT NULL,
        ingest_id INTEGER NOT NULL
    );
    CREATE SEQUENCE ingest_id_seq START 1;
    CREATE TABLE ingests (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL,
        run_id VARCHAR,
        source VARCHAR NOT NULL,
        origin VARCHAR NOT NULL,
        added BIGINT NOT NULL,
        present BIGINT NOT NULL,
        revised BIGINT NOT NULL,
        rejected BIGINT NOT NULL,
        ingested_at TIMESTAMP NOT NULL
    );
    CREATE TABLE runs (
        id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        params VARCHAR NOT NULL,
        config_snapshot VARCHAR NOT NULL,
        git_revision VARCHAR,
        data_fingerprint VARCHAR,
        seed BIGINT,
        status VARCHAR NOT NULL,
        pid INTEGER,
        pid_started DOUBLE,
        progress DOUBLE NOT NULL DEFAULT 0,
        message VARCHAR,
        error VARCHAR,
        result VARCHAR,
        cancel_requested BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL,
        started_at TIMESTAMP,
        ended_at TIMESTAMP,
        heartbeat_at TIMESTAMP
    );
    CREATE TABLE run_events (
        run_id VARCHAR NOT NULL,
        seq INTEGER NOT NULL,
        logged_at TIMESTAMP NOT NULL,
        level VARCHAR NOT NULL,
        message VARCHAR NOT NULL
    );
    """,
    # 2: health scans and their per-series results (the score's trend over time).
    """
    CREATE SEQUENCE health_scan_seq START 1;
    CREATE TABLE health_scans (
        id VARCHAR PRIMARY KEY,
        run_id VARCHAR,
        scanned_at TIMESTAMP NOT NULL,
        seq BIGINT NOT NULL DEFAULT nextval('health_scan_seq')
    );
    CREATE TABLE health_results (
        scan_id VARCHAR NOT NULL,
        series_id INTEGER NOT NULL,
        score DOUBLE NOT NULL,
        report VARCHAR NOT NULL
    );
    """,
    # 3: downloads: pending windows (resume without holes), per-series progress, how far back a
    # source has been fully asked (its history may start later), gaps a source confirmed it has no data for, and each broker's server clock.
    """
    CREATE TABLE download_windows (
        id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        broker VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        lo TIMESTAMP NOT NULL,
        hi TIMESTAMP NOT NULL,
        span_hi TIMESTAMP NOT NULL,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE download_floors (
        broker VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        served_since TIMESTAMP NOT NULL,
        UNIQUE (broker, symbol, timeframe, source)
    );
    CREATE TABLE download_progress (
        run_id VARCHAR NOT NULL,
        broker VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        seq INTEGER NOT NULL,
        status VARCHAR NOT NULL,
        fraction DOUBLE NOT NULL,
        bars BIGINT NOT NULL,
        pages INTEGER NOT NULL,
        retries INTEGER NOT NULL,
        message VARCHAR,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (run_id, broker, symbol, timeframe)
    );
    CREATE TABLE confirmed_gaps (
        series_id INTEGER NOT NULL,
        start_ts TIMESTAMP NOT NULL,
        end_ts TIMESTAMP NOT NULL,
        source VARCHAR NOT NULL,
        confirmed_at TIMESTAMP NOT NULL
    );
    CREATE TABLE broker_clocks (
        broker VARCHAR PRIMARY KEY,
        offset_seconds INTEGER NOT NULL,
        observed_at TIMESTAMP NOT NULL
    );
    """,
    # 4: scheduled jobs: APScheduler's job store (pause state and next run times survive restarts),
    # each job execution's history, and the daemon's heartbeat.
    """
    CREATE TABLE scheduler_jobs (
        id VARCHAR PRIMARY KEY,
        next_run_time DOUBLE,
        job_state BLOB NOT NULL
    );
    CREATE TABLE job_history (
        id VARCHAR PRIMARY KEY,
        job VARCHAR NOT NULL,
        attempt INTEGER NOT NULL,
        trigger VARCHAR NOT NULL,
        run_id VARCHAR,
        status VARCHAR NOT NULL,
        started_at TIMESTAMP NOT NULL,
        ended_at TIMESTAMP,
        summary VARCHAR,
        error VARCHAR
    );
    CREATE TABLE jobs_daemon (
        id INTEGER PRIMARY KEY,
        pid INTEGER NOT NULL,
        pid_started DOUBLE,
        started_at TIMESTAMP NOT NULL,
        heartbeat_at TIMESTAMP NOT NULL,
        stopped_at TIMESTAMP
    );
    """,
    # 5: feature cache, one float64 matrix per (series, feature set) valid for one bars fingerprint.
    """
    CREATE TABLE feature_cache (
        series_id INTEGER NOT NULL,
        feature_key VARCHAR NOT NULL,
        fingerprint VARCHAR NOT NULL,
        names VARCHAR NOT NULL,
        computed_at TIMESTAMP NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (series_id, feature_key)
    );
    """,
    # 6: test-suite runs: each finished job (configuration x series x fold: resume skips these) and each
    # candidate's aggregated evidence (statistics, verdict, out-of-sample equity, trades, Monte Carlo draws).
    # No primary keys: an index on these blob rows makes every commit's checkpoint ~50x slower; a run
    # writes only jobs it has not finished, and replaces its candidates whole.
    """
    CREATE TABLE test_jobs (
        run_id VARCHAR NOT NULL,
        config VARCHAR NOT NULL,
        series_id INTEGER NOT NULL,
        fold INTEGER NOT NULL,
        test_start INTEGER NOT NULL,
        test_end INTEGER NOT NULL,
        train_sharpe DOUBLE,
        metrics VARCHAR NOT NULL,
        returns BLOB NOT NULL,
        trades VARCHAR NOT NULL,
        finished_at TIMESTAMP NOT NULL
    );
    CREATE TABLE test_candidates (
        run_id VARCHAR NOT NULL,
        seq INTEGER NOT NULL,
        candidate VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        agent VARCHAR NOT NULL,
        params VARCHAR NOT NULL,
        series_id INTEGER NOT NULL,
        series VARCHAR NOT NULL,
        stats VARCHAR NOT NULL,
        times BLOB NOT NULL,
        equity BLOB NOT NULL,
        mc BLOB NOT NULL,
        trades VARCHAR NOT NULL
    );
    """,
    # 7: the broker's own symbol specifications, as downloaded (MetaAPI): the SymbolSpec keys they
    # settle and the broker's fields that were read, both JSON; the latest download replaces the row.
    """
    CREATE TABLE broker_symbol_specs (
        broker VARCHAR NOT NULL,
        symbol VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        spec_values VARCHAR NOT NULL,
        raw VARCHAR NOT NULL,
        notes VARCHAR NOT NULL,
        fetched_at TIMESTAMP NOT NULL,
        PRIMARY KEY (broker, symbol)
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
