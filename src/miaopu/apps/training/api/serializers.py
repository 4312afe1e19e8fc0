"""Serializers of the training endpoints (read models; orders are also written through the service)."""

from __future__ import annotations

import functools

from rest_framework import serializers

from ..models import Course, Enrolment, ResearchTopic, TrainingClass, TrainingOrder

#: Codes as plain strings (as the mentoring API does): every app has a ``status`` and a ``kind``, and one enum per
#: field name would collide in the schema. The codes are listed in docs/training.md.
_code = functools.partial(serializers.CharField, read_only=True)


class CourseSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name", read_only=True, default="")
    form = _code(help_text="classroom, onsite, sandbox, written, outdoor, interview")

    class Meta:
        model = Course
        fields = [
            "id",
            "topic",
            "theme",
            "county",
            "county_name",
            "teacher",
            "hours",
            "form",
            "description",
            "is_active",
        ]


class TrainingClassSerializer(serializers.ModelSerializer):
    scope_unit_name = serializers.CharField(source="scope_unit.name", read_only=True)
    kind = _code(help_text="class, camp")
    status = _code(help_text="planned, running, closed")

    class Meta:
        model = TrainingClass
        fields = ["id", "name", "kind", "grade", "scope_unit", "scope_unit_name", "start", "end", "location", "status",
                  "weights", "closed_on"]  # fmt: skip


class EnrolmentSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    class_name = serializers.CharField(source="klass.name", read_only=True)
    status = _code(help_text="enrolled, completed, withdrawn")

    class Meta:
        model = Enrolment
        fields = ["id", "klass", "class_name", "cadre", "cadre_name", "status", "coursework", "assessment", "peer",
                  "total", "rank", "class_size"]  # fmt: skip


class TrainingOrderSerializer(serializers.ModelSerializer):
    topic = serializers.CharField(read_only=True)
    status = _code(help_text="open, scheduled, declined")

    class Meta:
        model = TrainingOrder
        fields = ["id", "cadre", "unit", "course", "custom_topic", "topic", "post_category", "headcount", "note",
                  "status", "session", "answer", "created_at"]  # fmt: skip
        read_only_fields = ["cadre", "unit", "status", "session", "answer", "created_at"]


class ResearchTopicSerializer(serializers.ModelSerializer):
    status = _code(help_text="ongoing, submitted, reviewed")
    award = _code(help_text="first, second, third, merit, or empty")

    class Meta:
        model = ResearchTopic
        fields = ["id", "title", "owners", "mentor", "klass", "scope_unit", "start", "due", "status", "submitted_on",
                  "review_score", "award", "reviewed_on"]  # fmt: skip
