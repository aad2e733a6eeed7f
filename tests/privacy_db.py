"""A small DuckDB built for the privacy tests: small groups, people with no generation, comments.

Two cohorts of 24 pairs; generations drawn so that some cells have 1–4 people; two people per
cohort have no generation recorded; a few skipped the after-survey (so completed pairs < people).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.store.db import Store
from tests.conftest import REPO, free_port

GENERATIONS = ["Millennials", "Gen X", "Boomers", "Gen Z", "Silent", None]
WEIGHTS = [0.38, 0.27, 0.14, 0.1, 0.06, 0.05]
DEPARTMENTS = ["Engineering", "Sales", "Finance", "Legal"]
LEVELS = ["Associate", "Manager", "Director"]
CONSTRUCTS = ["skills.digital", "inclusion"]
SCRIPT_COMMENT = "<script>window.__pwned = 1</script><b>bold?</b> & <i>x</i>"


def build_privacy_db(path: Path, *, seed: int = 7, pairs: int = 24) -> Path:
    rng = np.random.default_rng(seed)
    with Store(path) as store, store.transaction() as con:
        people, roles = [], []
        for cohort in ("C1", "C2"):
            ids = [f"{cohort}-{i:03d}" for i in range(2 * pairs)]
            people.append(pd.DataFrame({
                "employee_id": ids,
                "generation": rng.choice(np.array(GENERATIONS, dtype=object), size=len(ids),
                                         p=WEIGHTS),
                "department": rng.choice(DEPARTMENTS, size=len(ids), p=[0.5, 0.3, 0.15, 0.05]),
                "level": rng.choice(LEVELS, size=len(ids), p=[0.5, 0.35, 0.15]),
            }))
            roles.append(pd.DataFrame({
                "cohort_id": cohort, "employee_id": ids,
                "role": ["mentor", "mentee"] * pairs,
                "pair_id": [f"{cohort}-P{i // 2:02d}" for i in range(2 * pairs)],
            }))
        employees = pd.concat(people, ignore_index=True)
        participants = pd.concat(roles, ignore_index=True)
        con.register("emp", employees)
        con.register("par", participants)
        con.execute("insert into employees (employee_id, generation, department, level) "
                    "select employee_id, generation, department, level from emp")
        con.execute("insert into participants select cohort_id, employee_id, role, pair_id "
                    "from par")
        con.execute("insert into cohorts values ('C1', 'Spring', date '2024-03-01', "
                    "date '2024-08-31', 1000), ('C2', 'Autumn', date '2024-09-01', "
                    "date '2025-02-28', 1000)")
        scores = []
        for cohort in ("C1", "C2"):
            for phase in ("pre", "post"):
                admin = f"{cohort}-{phase}"
                con.execute("insert into administrations (administration_id, survey, kind, "
                            "cohort_id, phase) values (?, ?, 'programme', ?, ?)",
                            [admin, admin, cohort, phase])
                ids = participants.loc[participants["cohort_id"] == cohort, "employee_id"]
                answered = ids if phase == "pre" else ids[rng.random(len(ids)) > 0.1]
                for construct in CONSTRUCTS:
                    scores.append(pd.DataFrame({
                        "administration_id": admin, "employee_id": answered.to_numpy(),
                        "construct": construct,
                        "score": rng.normal(3.0 + 0.4 * (phase == "post"), 0.8, len(answered)),
                        "items_answered": 3, "items_total": 3,
                    }))
        con.register("sc", pd.concat(scores, ignore_index=True))
        con.execute("insert into construct_scores select * from sc")
        # Comments: 14 people in C1's after-survey (one of them tries script injection), 11 in
        # C2 (7 mentors, 4 mentees: a role filter there would single the mentees out).
        c1 = participants[participants["cohort_id"] == "C1"]["employee_id"].to_numpy()[:14]
        c2 = participants[participants["cohort_id"] == "C2"]["employee_id"].to_numpy()
        c2 = np.concatenate([c2[0:14:2], c2[1:8:2]])
        texts = [SCRIPT_COMMENT] + [f"Comment number {i}" for i in range(1, 14)]
        comments = pd.DataFrame({
            "administration_id": ["C1-post"] * 14 + ["C2-post"] * 11,
            "employee_id": [*c1, *c2], "item_id": "Q99",
            "text": texts + [f"Autumn comment {i}" for i in range(11)],
        })
        con.register("cm", comments)
        con.execute("insert into comments select administration_id, employee_id, item_id, text "
                    "from cm")
    return path


def start_server(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = db.with_name("server.log")
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "serve", "--db", str(db),
                                 "--port", str(port)], cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login", timeout=2).close()
            return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start")
