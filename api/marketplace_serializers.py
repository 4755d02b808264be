"""Shapes of the marketplace's edits through the API: a job's and a proposal's changes (only the fields sent
change; the page's own form then checks the whole, a 409 when it refuses) and a review of an ended offer."""

from rest_framework import serializers

from api.serializers import NO_NUL, JobCreateSerializer, ProposalCreateSerializer


class JobUpdateSerializer(JobCreateSerializer):
    """The job edit page's fields; only those sent change (publishing is its own operation)."""

    publish = None


class ProposalUpdateSerializer(ProposalCreateSerializer):
    """The proposal edit page's fields; only those sent change (its milestones stay as they are)."""


class ReviewCreateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="Stars, 1 to 5.")
    text = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="", validators=[NO_NUL])


class MyReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    offer = serializers.IntegerField(source="offer_id")
    rating = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    revealed_at = serializers.DateTimeField(
        allow_null=True, help_text="Hidden from the other side until both have reviewed or 14 days have passed."
    )
