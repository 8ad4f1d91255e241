from __future__ import annotations

import django_filters

from devices.choices import Connection, DeviceKind, DeviceState
from devices.models import Device


class DeviceFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__permit_no")
    district = django_filters.CharFilter(field_name="project__district__code")
    vendor = django_filters.CharFilter(field_name="vendor__uscc")
    online = django_filters.BooleanFilter()
    kind = django_filters.ChoiceFilter(choices=DeviceKind.choices)
    connection = django_filters.ChoiceFilter(choices=Connection.choices)
    state = django_filters.ChoiceFilter(choices=DeviceState.choices)

    class Meta:
        model = Device
        fields = ["project", "district", "vendor", "online", "kind", "connection", "state"]
