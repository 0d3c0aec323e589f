"""Import: counts, idempotence, revisions, all-or-nothing, timeframe check, time zones, real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from kinetra.config import set_value
from kinetra.data.ingest import import_files
from kinetra.data.inventory import find_series, list_series, load_bars
from kinetra.errors import MalformedFileError, TimeframeMismatchError
from kinetra.store import Store
from tests.support.mt5 import SHARED_MT5, make_bars, write_mt5


def _snapshot(store: Store) -> tuple:
    with store.session() as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                     for t in ("series", "bars", "bar_revisions", "ingests"))


def test_a_file_imports_with_counts_extent_and_asset_class(store: Store, tmp_path: Path) -> None:
    bars = make_bars(48)
    path = write_mt5(tmp_path / "EURUSD+_H1_202401020000_202401032300.csv", bars)
    result = import_files([path], store)
    [series] = result["series"]
    assert (series["symbol"], series["timeframe"], series["broker"], series["asset_class"]) == ("EURUSD+", "H1", "mt5", "forex")
    assert (series["added"], series["present"], series["revised"], series["rejected"]) == (48, 0, 0, 0)
    assert series["first"] == "2024-01-02T00:00:00Z" and series["last"] == "2024-01-03T23:00:00Z"
    stored = load_bars(store, find_series(store, "eurusd+", "h1").id)
    assert len(stored) == 48 and str(stored.index.tz) == "UTC"
    assert stored["close"].tolist() == bars["close"].tolist()
    assert stored["spread"].tolist() == bars["spread"].tolist()


def test_a_reimport_adds_nothing(store: Store, tmp_path: Path) -> None:
    path = write_mt5(tmp_path / "EURUSD_H1.csv", make_bars(30))
    import_files([path], store)
    before = _snapshot(store)
    again = import_files([path], store)["totals"]
    assert (again["added"], again["present"], again["revised"]) == (0, 30, 0)
    assert _snapshot(store)[:3] == before[:3]


def test_overlapping_files_add_only_new_bars(store: Store, tmp_path: Path) -> None:
    bars = make_bars(60)
    write_mt5(tmp_path / "EURUSD_H1.csv", bars.iloc[:40])
    import_files([tmp_path / "EURUSD_H1.csv"], store)
    write_mt5(tmp_path / "EURUSD_H1.csv", bars.iloc[20:])
    totals = import_files([tmp_path / "EURUSD_H1.csv"], store)["totals"]
    assert (totals["added"], totals["present"]) == (20, 20)
    assert find_series(store, "EURUSD", "H1").bars == 60


def test_a_conflicting_redelivery_is_kept_as_a_revision_never_overwriting(store: Store, tmp_path: Path) -> None:
    bars = make_bars(20)
    write_mt5(tmp_path / "EURUSD_H1.csv", bars)
    import_files([tmp_path / "EURUSD_H1.csv"], store)
    changed = bars.copy()
    changed.loc[5, "close"] = changed.loc[5, "close"] + 0.0001
    changed.loc[5, "high"] = max(changed.loc[5, "high"], changed.loc[5, "close"])
    write_mt5(tmp_path / "EURUSD_H1.csv", changed)
    totals = import_files([tmp_path / "EURUSD_H1.csv"], store)["totals"]
    assert (totals["added"], totals["present"], totals["revised"]) == (0, 19, 1)
    info = find_series(store, "EURUSD", "H1")
    assert load_bars(store, info.id)["close"].iloc[5] == bars.loc[5, "close"]
    assert info.revisions == 1
    assert import_files([tmp_path / "EURUSD_H1.csv"], store)["totals"]["revised"] == 0


def test_a_malformed_file_in_a_folder_rejects_the_whole_import(store: Store, tmp_path: Path) -> None:
    write_mt5(tmp_path / "EURUSD_H1.csv", make_bars(30))
    (tmp_path / "GBPUSD_H1.csv").write_text("this is not\tan export\r\n1\t2\r\n")
    import_files([tmp_path / "EURUSD_H1.csv"], store)
    before = _snapshot(store)
    with pytest.raises(MalformedFileError, match="GBPUSD_H1.csv"):
        import_files([tmp_path], store)
    assert _snapshot(store) == before


def test_a_file_named_h4_holding_hourly_bars_is_refused_unless_forced(store: Store, tmp_path: Path) -> None:
    path = write_mt5(tmp_path / "EURUSD_H4_202401020000_202401032300.csv", make_bars(48))
    with pytest.raises(TimeframeMismatchError, match=r"declared H4 but bars are 1 hour apart \(H1\); use --force"):
        import_files([path], store)
    assert _snapshot(store) == (0, 0, 0, 0)
    assert import_files([path], store, force=True)["totals"]["added"] == 48


def test_rows_that_cannot_be_read_are_rejected_with_line_numbers(store: Store, tmp_path: Path) -> None:
    path = write_mt5(tmp_path / "EURUSD_H1.csv", make_bars(300))
    lines = path.read_bytes().split(b"\r\n")
    lines[10] = b"2024.01.02\t09:00:00\t1.1\tnot-a-number\t1.0\t1.1\t5\t0\t1"
    path.write_bytes(b"\r\n".join(lines))
    [series] = import_files([path], store)["series"]
    assert series["added"] == 299 and series["rejected"] == 1
    assert series["rejected_rows"][0]["line"] == 11


def test_too_many_bad_rows_refuse_the_file(store: Store, tmp_path: Path) -> None:
    path = write_mt5(tmp_path / "EURUSD_H1.csv", make_bars(50))
    lines = path.read_bytes().split(b"\r\n")
    for i in (3, 4, 5):
        lines[i] = b"garbage"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(MalformedFileError, match="3 of 50 rows unreadable"):
        import_files([path], store)
    assert _snapshot(store) == (0, 0, 0, 0)


def test_duplicate_timestamps_in_a_file_keep_the_first(store: Store, tmp_path: Path) -> None:
    bars = make_bars(10)
    dup = pd.concat([bars, bars.iloc[[4]].assign(close=9.9, high=9.9)], ignore_index=True)
    path = write_mt5(tmp_path / "EURUSD_H1.csv", dup)
    [series] = import_files([path], store)["series"]
    assert (series["added"], series["rejected"]) == (10, 1)
    assert series["rejected_rows"] == [{"line": 12, "reason": "duplicate timestamp in file (first kept)"}]
    assert load_bars(store, find_series(store, "EURUSD", "H1").id)["close"].iloc[4] == bars.loc[4, "close"]


def test_broker_server_time_is_converted_to_utc(store: Store, tmp_path: Path) -> None:
    set_value("brokers.icm.timezone", "ny-close")
    winter = make_bars(3, start="2024-01-10 10:00")
    summer = make_bars(3, start="2024-07-10 10:00")
    write_mt5(tmp_path / "EURUSD_H1.csv", pd.concat([winter, summer], ignore_index=True))
    import_files([tmp_path / "EURUSD_H1.csv"], store, broker="icm")
    times = load_bars(store, find_series(store, "EURUSD", "H1", broker="icm").id).index
    assert times[0] == pd.Timestamp("2024-01-10 08:00", tz="UTC")
    assert times[3] == pd.Timestamp("2024-07-10 07:00", tz="UTC")


def test_symbol_and_timeframe_can_come_from_flags(store: Store, tmp_path: Path) -> None:
    path = write_mt5(tmp_path / "export.csv", make_bars(10, freq="4h"))
    with pytest.raises(MalformedFileError, match="pass --symbol and --timeframe"):
        import_files([path], store)
    [series] = import_files([path], store, symbol="US30.cash", timeframe="h4")["series"]
    assert (series["symbol"], series["timeframe"], series["asset_class"]) == ("US30.cash", "H4", "indices")


def test_asset_class_override_from_config(store: Store, tmp_path: Path) -> None:
    set_value("asset_classes.WEIRD", '"energy"')
    write_mt5(tmp_path / "WEIRD_H1.csv", make_bars(5))
    assert import_files([tmp_path / "WEIRD_H1.csv"], store)["series"][0]["asset_class"] == "energy"


def test_missing_path_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(MalformedFileError, match="no such file or folder"):
        import_files([tmp_path / "nope.csv"], store)


@pytest.mark.skipif(not SHARED_MT5.is_dir(), reason="shared MT5 exports not present")
def test_the_shared_mt5_exports_import_exactly_and_reimport_adds_nothing(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "mt5"
    shutil.copytree(SHARED_MT5, folder)
    result = import_files([folder], store)
    assert len(result["series"]) == len(list(folder.glob("*.csv"))) == 6
    for series in result["series"]:
        frame = pd.read_csv(series["origin"], sep="\t")
        first = pd.Timestamp(f"{frame['<DATE>'].iloc[0]} {frame['<TIME>'].iloc[0]}".replace(".", "-"))
        last = pd.Timestamp(f"{frame['<DATE>'].iloc[-1]} {frame['<TIME>'].iloc[-1]}".replace(".", "-"))
        assert series["added"] == len(frame) and series["rejected"] == 0
        assert series["first"] == first.isoformat() + "Z" and series["last"] == last.isoformat() + "Z"
    classes = {s.symbol: s.asset_class for s in list_series(store)}
    assert classes == {"BTCUSD": "crypto", "EURJPY+": "forex", "GBPUSD+": "forex", "NAS100": "indices",
                       "UKOUSD": "energy", "XAUUSD+": "metals"}
    assert import_files([folder], store)["totals"]["added"] == 0
