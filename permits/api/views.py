"""Catalogue endpoints (API.md "Catalogue"): public, read-only, constant query counts."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from departments.models import Department, Region
from onestop.api import ApiError
from permits.api.accounts import ErrorSerializer
from permits.api.serializers import (
    ItemDetailSerializer,
    ItemFilterSerializer,
    ItemSummarySerializer,
)
from permits.models import ServiceItem
from permits.selectors import item_get_visible, item_search

_INVALID = OpenApiResponse(ErrorSerializer, description=gettext_lazy("`invalid`: a bad filter."))
_NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("`not_found`: no such item, or not published.")
)


class ItemListView(generics.ListAPIView):
    """Published (and suspended) items, most popular first."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # public: a stale token must not break browsing
    serializer_class = ItemSummarySerializer

    @extend_schema(
        operation_id="items_list",
        summary=gettext_lazy("Search the catalogue"),
        parameters=[ItemFilterSerializer],
        responses={200: ItemSummarySerializer(many=True), 400: _INVALID},
        tags=["catalogue"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = ItemFilterSerializer(data=self.request.query_params)
        if not filters.is_valid():
            raise ApiError("invalid", _("The submitted data is not valid."), fields=filters.errors)
        data = {k: v for k, v in filters.validated_data.items() if v not in ("", None)}
        unknown = {}
        if "department" in data and not Department.objects.filter(code=data["department"]).exists():
            unknown["department"] = [
                _("No department has the code “%(code)s”.") % {"code": data["department"]}
            ]
        if "region" in data and not Region.objects.filter(code=data["region"]).exists():
            unknown["region"] = [_("No region has the code “%(code)s”.") % {"code": data["region"]}]
        if unknown:
            raise ApiError("invalid", _("The submitted data is not valid."), fields=unknown)
        return item_search(**data)


class ItemDetailView(generics.RetrieveAPIView):
    """One item's whole guide."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = ItemDetailSerializer
    queryset = ServiceItem.objects.none()  # for the schema; get_object reads the selector

    @extend_schema(
        operation_id="items_retrieve",
        summary=gettext_lazy("An item's guide"),
        responses={200: ItemDetailSerializer, 404: _NOT_FOUND},
        tags=["catalogue"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self) -> ServiceItem:
        try:
            return item_get_visible(code=self.kwargs["code"])
        except ServiceItem.DoesNotExist:
            raise NotFound(_("No published item has this code.")) from None
