"""``GET /api/v1/open-data/`` (API.md, "Public"): the published open datasets, no login.

A plain list, not paginated (API.md shows ``[{...}]``: the datasets are a handful); no query
runs (the list is the registry, the periods are computed from today)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from disclosure.datasets import DATASETS


class DatasetSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Stable code of the dataset, e.g. department-monthly.")
    title = serializers.CharField(help_text="Its title, in the request's language.")
    period = serializers.CharField(
        help_text="ISO 8601 interval of the first and last month (YYYY-MM/YYYY-MM) or day "
        "(YYYY-MM-DD/YYYY-MM-DD) the files cover by default."
    )
    schema_url = serializers.URLField(help_text="JSON Schema (draft 2020-12) of the JSON file.")
    csv_url = serializers.URLField()
    json_url = serializers.URLField()


def dataset_list(request) -> list[dict]:
    out = []
    for dataset in DATASETS.values():
        out.append(
            {
                "name": dataset.name,
                "title": str(dataset.title),
                "period": dataset.period(12).iso,
                **{
                    f"{kind}_url": request.build_absolute_uri(
                        reverse(f"disclosure:open_data_{kind}", args=[dataset.name])
                    )
                    for kind in ("schema", "csv", "json")
                },
            }
        )
    return out


class OpenDataListView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    pagination_class = None

    @extend_schema(
        summary=_("The published open datasets"),
        description="Not paginated: a plain list of every dataset (API.md). No personal data in "
        "any of them; see docs/open-data.md for their columns.",
        responses=DatasetSerializer(many=True),
        auth=[],
    )
    def get(self, request):
        return Response(DatasetSerializer(dataset_list(request), many=True).data)
