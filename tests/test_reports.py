"""Reports, identity, permissions, history and audit at the domain level (no web)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from pathlib import Path

import pandas as pd
import pytest

from geo_klaster.actor import Actor
from geo_klaster.cli import main
from geo_klaster.errors import AuthError, ForbiddenError, InputError, ValidationError
from geo_klaster.members import accounts, reports
from geo_klaster.store import GpkgStore

TODAY = "2026-11-27"


@pytest.fixture
def store(tmp_path: Path) -> GpkgStore:
    path = tmp_path / "klaster.gpkg"
    assert main(["--store", str(path), "demo", "--tanggal", TODAY]) == 0
    s = GpkgStore(path)
    accounts.create_account(s, "bpbd", peran="koordinator", password="rahasia-bpbd")
    accounts.create_account(s, "a1", peran="anggota", password="rahasia-a1", anggota_id="AGT-001")
    accounts.create_account(s, "a2", peran="anggota", password="rahasia-a2", anggota_id="AGT-002")
    return s


def site_of(store: GpkgStore, anggota_id: str) -> str:
    lokasi = store.read("lokasi")
    return str(lokasi.loc[lokasi["anggota_id"] == anggota_id, "id"].iloc[0])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def member(store: GpkgStore, name: str, saluran: str = "api") -> Actor:
    return accounts.authenticate_password(store, name, f"rahasia-{name}", saluran=saluran)


def test_member_reports_own_site_and_audit_records_it(store: GpkgStore) -> None:
    a1 = member(store, "a1")
    site = site_of(store, "AGT-001")
    before = store.count("stok")
    n = reports.submit_report(
        store, a1, [{"barang": "beras", "jumlah": 900, "siap": 400}, {"barang": "toilet", "jumlah": 3, "siap": 3}],
        lokasi_id=site, now=dt.datetime(2026, 11, 27, 10, 0),
    )  # fmt: skip
    assert n == 2 and store.count("stok") == before + 2
    stok = store.read("stok").tail(2)
    assert stok["satuan"].tolist() == ["kg", "unit"]  # defaulted from the catalogue
    assert stok["kondisi"].tolist() == ["baik", "baik"]
    assert stok["dilaporkan"].tolist() == [pd.Timestamp("2026-11-27 10:00")] * 2
    log = store.read_audit(limit=1).iloc[0]
    assert (log["akun"], log["saluran"], log["aksi"], log["lapisan"], log["jumlah"]) == (
        "a1", "api", "laporan_stok", "stok", 2,
    )  # fmt: skip
    assert site in log["rincian"]


def test_member_cannot_write_another_members_site(store: GpkgStore) -> None:
    a1 = member(store, "a1")
    other = site_of(store, "AGT-002")
    before = digest(store.path)
    with pytest.raises(ForbiddenError, match=other):
        reports.submit_report(
            store, a1, [{"barang": "beras", "jumlah": 1, "siap": 1}], lokasi_id=other
        )
    with pytest.raises(ForbiddenError):
        reports.save_site(store, a1, id=other, nama="Pindah", lon=107.1, lat=-6.3)
    assert digest(store.path) == before


def test_coordinator_writes_everywhere(store: GpkgStore) -> None:
    bpbd = member(store, "bpbd")
    for anggota in ("AGT-001", "AGT-002"):
        site = site_of(store, anggota)
        assert (
            reports.submit_report(
                store, bpbd, [{"barang": "beras", "jumlah": 5, "siap": 5}], lokasi_id=site
            )
            == 1
        )


def test_csv_with_rows_3_and_7_wrong_is_refused_whole(store: GpkgStore, tmp_path: Path) -> None:
    site = site_of(store, "AGT-001")
    lines = ["barang,jumlah,siap,satuan,kondisi,kedaluwarsa"]
    rows = [
        "beras,100,50,kg,baik,2027-05-01",
        "mi_instan,-4,0,dus,baik,2027-05-01",  # line 3: negative jumlah
        "air_minum,300,300,liter,baik,2027-01-01",
        "tenda,4,4,unit,baik,",
        "genset,2,1,unit,baik,",
        "perahu_karet,3,5,unit,baik,",  # line 7: siap above jumlah
    ]
    path = tmp_path / "laporan.csv"
    path.write_text("\n".join(lines + rows) + "\n")
    before = digest(store.path)
    with pytest.raises(ValidationError) as err:
        reports.report_from_file(store, member(store, "a1"), path, lokasi_id=site)
    text = str(err.value)
    assert "laporan.csv, baris 3, kolom 'jumlah'" in text
    assert "laporan.csv, baris 7, kolom 'siap'" in text
    assert sorted(p.row for p in err.value.problems) == [3, 7]
    assert digest(store.path) == before


def test_tokens_and_passwords(store: GpkgStore) -> None:
    token = accounts.issue_token(store, "a1", label="sistem")
    actor = accounts.authenticate_token(store, token)
    assert (actor.nama, actor.anggota_id, actor.saluran) == ("a1", "AGT-001", "api")
    with pytest.raises(AuthError):
        accounts.authenticate_token(store, token + "x")
    with pytest.raises(AuthError):
        accounts.authenticate_password(store, "a1", "salah-sandi")
    assert accounts.revoke_token(store, token) == 1
    with pytest.raises(AuthError, match="dicabut"):
        accounts.authenticate_token(store, token)
    # only the hash is stored
    with store._reading() as con:
        stored = [r[0] for r in con.execute("SELECT token_hash FROM klaster_token")]
        sandi = [r[0] for r in con.execute("SELECT sandi_hash FROM klaster_akun")]
    assert token not in stored and all(s.startswith("scrypt$") for s in sandi)


def test_history_state_at_a_date(store: GpkgStore) -> None:
    site = site_of(store, "AGT-001")
    a1 = member(store, "a1")
    reports.submit_report(store, a1, [{"barang": "beras", "jumlah": 111, "siap": 11}], lokasi_id=site,
                          now=dt.datetime(2026, 12, 1, 9, 0))  # fmt: skip
    reports.submit_report(store, a1, [{"barang": "beras", "jumlah": 222, "siap": 22}], lokasi_id=site,
                          now=dt.datetime(2026, 12, 5, 9, 0))  # fmt: skip

    def beras(when: dt.date) -> float:
        cur = reports.stock_at(store, when)
        row = cur[(cur["lokasi_id"] == site) & (cur["barang"] == "beras")]
        return float(row["jumlah"].iloc[0])

    assert beras(dt.date(2026, 12, 1)) == 111
    assert beras(dt.date(2026, 12, 4)) == 111
    assert beras(dt.date(2026, 12, 5)) == 222
    assert beras(dt.date(2026, 11, 30)) not in (111, 222)  # the demo's earlier state


def test_sites_added_and_moved_by_their_member(store: GpkgStore) -> None:
    a1 = member(store, "a1", "web")
    assert (
        reports.save_site(
            store, a1, id="LOK-BARU", nama="Posko Baru", lon=107.15, lat=-6.3, jenis="posko"
        )
        == "baru"
    )
    assert (
        reports.save_site(store, a1, id="LOK-BARU", nama="Posko Baru", lon=107.16, lat=-6.31)
        == "diubah"
    )
    lokasi = store.read("lokasi").set_index("id")
    assert lokasi.loc["LOK-BARU", "anggota_id"] == "AGT-001"
    assert (lokasi.geometry["LOK-BARU"].x, lokasi.geometry["LOK-BARU"].y) == (107.16, -6.31)
    with pytest.raises(ValidationError, match="tertukar"):
        reports.save_site(store, a1, id="LOK-TUKAR", nama="X", lon=-6.3, lat=107.15)
    with pytest.raises(ForbiddenError):
        reports.save_site(
            store, a1, id="LOK-LAIN", nama="X", lon=107.1, lat=-6.3, anggota_id="AGT-002"
        )
    actions = store.read_audit(limit=2)["aksi"].tolist()
    assert actions == ["lokasi", "lokasi"]


def test_hostile_strings_are_data(store: GpkgStore) -> None:
    bpbd = member(store, "bpbd")
    hostile = "'); DROP TABLE stok; -- <script>alert(1)</script>"
    reports.save_site(
        store, bpbd, id="LOK-X", nama=hostile, lon=107.1, lat=-6.3, anggota_id="AGT-003"
    )
    assert store.read("lokasi").set_index("id").loc["LOK-X", "nama"] == hostile
    with pytest.raises(ValidationError):
        reports.submit_report(
            store, bpbd, [{"barang": hostile, "jumlah": 1, "siap": 1}], lokasi_id="LOK-X"
        )
    assert store.count("stok") > 500


def test_concurrent_reports_lose_nothing(store: GpkgStore) -> None:
    """20 writers at once on one GeoPackage: every report stored once."""
    lokasi = store.read("lokasi")
    sites = lokasi.drop_duplicates("anggota_id").head(20)
    assert len(sites) == 20
    bpbd = member(store, "bpbd")
    before = store.count("stok")
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def post(i: int, site: str) -> None:
        try:
            barrier.wait()
            reports.submit_report(
                store, bpbd, [{"barang": "beras", "jumlah": 1000 + i, "siap": i}], lokasi_id=site
            )
        except BaseException as exc:  # noqa: BLE001 -- collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(i, s)) for i, s in enumerate(sites["id"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    stok = store.read("stok")
    assert len(stok) == before + 20
    assert sorted(stok["jumlah"].tail(20).astype(int)) == list(range(1000, 1020))
    assert (store.read_audit()["aksi"] == "laporan_stok").sum() == 20


def test_stale_members_listed_first_with_contacts(store: GpkgStore) -> None:
    table = reports.stale_members(store, today=dt.date.fromisoformat(TODAY))
    assert table["usang"].iloc[0] and not table["usang"].iloc[-1]
    assert table["usang"].sum() >= 4
    assert {"kontak", "telepon", "laporan_terakhir"} <= set(table.columns)


def test_demo_rebuild_keeps_real_reports(
    store: GpkgStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report written into the demo store is someone's data: `demo` refuses to wipe it."""
    site = site_of(store, "AGT-001")
    reports.submit_report(
        store, member(store, "a1"), [{"barang": "beras", "jumlah": 5, "siap": 5}], lokasi_id=site
    )
    before = store.count("stok")
    assert main(["--store", str(store.path), "demo"]) == 1
    assert "--ganti" in capsys.readouterr().err
    assert store.count("stok") == before
    assert main(["--store", str(store.path), "demo", "--ganti"]) == 0


def test_audit_command_prints_no_nan(store: GpkgStore, capsys: pytest.CaptureFixture[str]) -> None:
    site = site_of(store, "AGT-001")
    reports.submit_report(
        store, member(store, "a1"), [{"barang": "beras", "jumlah": 5, "siap": 5}], lokasi_id=site
    )
    capsys.readouterr()
    assert main(["--store", str(store.path), "audit", "-n", "10"]) == 0
    out = capsys.readouterr().out
    assert "laporan_stok" in out and "akun" in out
    assert not re.search(r"\bnan\b", out)  # missing layer/count shown as '-' and blank


# -- domain rules, whoever calls ---------------------------------------------------------------


def test_report_time_is_the_servers_for_every_caller(store: GpkgStore, tmp_path: Path) -> None:
    """A member's report cannot be back-dated, whether it comes as rows or as a file."""
    site = site_of(store, "AGT-001")
    a1 = member(store, "a1")
    before = store.count("stok")
    with pytest.raises(ValidationError) as exc:
        reports.submit_report(
            store, a1, [{"barang": "beras", "jumlah": 5, "siap": 5, "dilaporkan": "2020-01-01"}],
            lokasi_id=site,
        )  # fmt: skip
    assert [p.field for p in exc.value.problems] == ["dilaporkan"]
    path = tmp_path / "laporan.csv"
    path.write_text("barang,jumlah,siap,dilaporkan\nberas,5,5,2020-01-01\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="laporan.csv"):
        reports.report_from_file(store, a1, path, lokasi_id=site)
    assert store.count("stok") == before
    reports.submit_report(
        store, a1, [{"barang": "beras", "jumlah": 5, "siap": 5}], lokasi_id=site,
        now=dt.datetime(2026, 11, 27, 8, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    assert store.read("stok")["dilaporkan"].iloc[-1] == pd.Timestamp("2026-11-27 08:30")


def test_row_problems_name_row_and_field() -> None:
    problems = reports.row_problems({"barang": "beras", "dilaporkan": "x", "harga": 5}, 3)
    assert [(p.row, p.field) for p in problems] == [(3, "dilaporkan"), (3, None)]
    assert reports.row_problems({"lokasi_id": "G", "barang": "beras", "jumlah": 1}, 1) == []


def test_only_the_coordinator_imports_layers(store: GpkgStore, tmp_path: Path) -> None:
    from geo_klaster.inputs.importer import import_file

    site = site_of(store, "AGT-001")
    path = tmp_path / "stok.csv"
    path.write_text(
        "lokasi_id,barang,jumlah,siap,satuan,kondisi,dilaporkan\n"
        f"{site},beras,70,70,kg,baik,2026-01-15T09:00:00\n",
        encoding="utf-8",
    )
    before = store.count("stok")
    with pytest.raises(ForbiddenError):
        import_file(store, "stok", path, actor=member(store, "a1"))
    assert store.count("stok") == before
    # the coordinator's import keeps the file's own report time (history from elsewhere)
    bpbd = accounts.authenticate_password(store, "bpbd", "rahasia-bpbd", saluran="cli")
    import_file(store, "stok", path, actor=bpbd)
    assert store.read("stok")["dilaporkan"].iloc[-1] == pd.Timestamp("2026-01-15 09:00")


def test_xlsx_guard_is_the_readers(store: GpkgStore, tmp_path: Path) -> None:
    """The same expansion guard for a CLI import and a member's upload (a 'zip bomb')."""
    import zipfile

    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 30_000_000)
    assert bomb.stat().st_size < 1_000_000
    before = store.count("stok")
    # a member's report: 20 MB inflated at most
    with pytest.raises(InputError, match="terlalu besar"):
        reports.report_from_file(
            store, member(store, "a1"), bomb, lokasi_id=site_of(store, "AGT-001")
        )
    # the CLI: the reader's own limit (200 MB), but not an XLSX at all is named as such
    junk = tmp_path / "bukan.xlsx"
    junk.write_bytes(b"bukan zip")
    assert main(["--store", str(store.path), "import", "stok", str(junk)]) == 2
    assert store.count("stok") == before
