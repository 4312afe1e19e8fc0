"""A class's live standings: load its trainees' scores and attendance, call the pure ranking function."""

from __future__ import annotations

from collections import defaultdict

from miaopu.domain.training import Standing, TraineeScores, attendance_score, clean_weights, rank_trainees

from .models import Attendance, ClassSession, Enrolment, EnrolmentStatus, TrainingClass


def _f(value) -> float | None:
    return float(value) if value is not None else None


def class_standings(klass: TrainingClass, enrolments: list[Enrolment] | None = None) -> dict[int, Standing]:
    """Enrolment id → standing over the whole class (every trainee, whoever is looking)."""
    every = list(Enrolment.objects.filter(klass=klass).order_by("id"))
    held = ClassSession.objects.filter(klass=klass).count()
    statuses: dict[int, list[str]] = defaultdict(list)
    for enrolment_id, status in Attendance.objects.filter(session__klass=klass).values_list("enrolment_id", "status"):
        statuses[enrolment_id].append(status)
    rows = [
        TraineeScores(
            str(e.pk),
            attendance=attendance_score(statuses.get(e.pk, []), held),
            coursework=_f(e.coursework),
            assessment=_f(e.assessment),
            peer=_f(e.peer),
            withdrawn=e.status == EnrolmentStatus.WITHDRAWN,
        )
        for e in every
    ]
    weights, _problems = clean_weights(klass.weights)
    return {int(s.key): s for s in rank_trainees(rows, weights)}
