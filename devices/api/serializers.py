from __future__ import annotations

from rest_framework import serializers

from devices.choices import Connection, DeviceKind, Location
from devices.models import Device
from projects.api.serializers import EnterpriseRefField


class DeviceInSerializer(serializers.Serializer):
    serial = serializers.RegexField(r"^[A-Za-z0-9_.:-]{1,64}$", max_length=64)
    vendor = EnterpriseRefField()
    model = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=DeviceKind.choices)
    connection = serializers.ChoiceField(choices=Connection.choices)
    location = serializers.ChoiceField(choices=Location.choices)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    fence_m = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100_000)


class DeviceRegisteredSerializer(serializers.Serializer):
    serial = serializers.CharField()
    secret = serializers.CharField(help_text="The signing secret; shown this once.")


class DeviceSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.permit_no")
    vendor = serializers.CharField(source="vendor.uscc")
    vendor_name = serializers.CharField(source="vendor.name")

    class Meta:
        model = Device
        fields = [
            "serial",
            "project",
            "vendor",
            "vendor_name",
            "vendor_blacklisted_at",
            "model",
            "kind",
            "connection",
            "location",
            "lat",
            "lon",
            "fence_m",
            "state",
            "firmware",
            "liveness_enabled",
            "online",
            "last_heartbeat_at",
            "last_punch_at",
            "registered_at",
        ]
