"""An alert's evidence as a regulator reads it (issue 15): each figure under its Chinese name, times
in Shanghai time, ratios as percentages, yes/no, codes by their names, long lists counted — never a
key, a Python value or a UTC timestamp. The rule's own sentence (its `describe`) comes first; these
rows are the figures behind it."""

from __future__ import annotations

import datetime as dt
import re

from inspections.rules import words

LABELS = {
    "active": "在建",
    "actual_start": "实际开工日期",
    "approved_permits": "已批准的申请数",
    "at": "时间",
    "attendance_stopped_on": "停止考勤日期",
    "manager_attendance_stopped_on": "项目经理停止考勤日期",
    "attended": "考勤人数",
    "attended_days": "出勤天数",
    "attended_person_days": "出勤人日",
    "back_online": "恢复联系时间",
    "changed_at": "变更时间",
    "changed_by": "变更账号",
    "completed": "已竣工",
    "completed_on": "竣工日期",
    "connection": "接入方式",
    "construction_days": "施工天数",
    "count": "记录数",
    "devices_in_service": "在用考勤设备数",
    "distance_km": "两地距离（公里）",
    "empty_construction_days": "无考勤的施工日",
    "engaged": "在册人数",
    "enterprise": "企业",
    "field": "变更项目",
    "first_at": "首次考勤时间",
    "fixed_devices": "固定考勤设备数",
    "grace_days": "宽限天数",
    "headcount": "现场清点人数",
    "id_number": "身份证号",
    "id_numbers": "涉及人员",
    "inspection": "检查记录",
    "last_contact": "最后联系时间",
    "limit_hours": "时限（小时）",
    "liveness_reported_off": "活体检测已关闭",
    "longest_delay_hours": "最长延迟（小时）",
    "lowest": "最低比对分",
    "managers": "管理人员",
    "min_score": "比对分下限",
    "minutes": "间隔（分钟）",
    "mobile_punches": "手机考勤记录数",
    "name": "姓名",
    "names": "涉及人员",
    "never_read": "无读卡记录人数",
    "new_value": "变更后",
    "not_started": "未开工",
    "old_value": "变更前",
    "penalty_above": "处罚起点（人）",
    "persons": "涉及人数",
    "photo_sha256": "照片指纹",
    "planned_start": "计划开工日期",
    "position": "岗位",
    "punch": "考勤记录",
    "punches": "考勤记录",
    "punches_without_liveness_check": "未经活体检测的考勤数",
    "rate": "考勤率",
    "ratio": "出勤率",
    "read_late": "读卡记录补传人数",
    "reason": "原因",
    "records": "记录数",
    "required_position": "应配岗位",
    "second_at": "第二次考勤时间",
    "severity": "处理等级",
    "shortfall": "差额（人）",
    "speed_kmh": "折算速度（公里/小时）",
    "start": "开工日期",
    "status": "项目状态",
    "suspended": "停工",
    "threshold": "考核标准",
    "user": "账号",
    "vendor": "服务商",
    "what": "操作",
    "who": "对象",
    "workers": "务工人员",
}
PERCENT = {"ratio", "rate", "threshold"}
POSITIONS = {"position", "required_position"}
CONNECTIONS = {"direct": "设备直连", "platform": "经第三方平台对接"}
SEVERITIES = {"rectify": "责令整改", "penalty": "行政处罚", "warning": "提醒"}
STATUSES = {"not_started": "未开工", "active": "在建", "suspended": "停工", "completed": "完工"}
FIELDS = {
    "status": "项目状态",
    "planned_start": "计划开工日期",
    "actual_start": "实际开工日期",
    "completed_on": "竣工日期",
    "attendance_stopped_on": "停止考勤日期",
    "manager_attendance_stopped_on": "项目经理停止考勤日期",
}
SHOWN = 10  # items of a list shown; the rest counted
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def label(key: str) -> str:
    return LABELS.get(key) or "其他"


def text(key: str, value) -> str:
    """One figure as a sentence fragment."""
    if value is None or value == "":
        return "—" if key not in ("old_value", "new_value") else "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in PERCENT and isinstance(value, int | float):
        return words.percent(value)
    if key in POSITIONS:
        return words.position_name(str(value))
    if key == "who":
        return words.WHO.get(value, "人员")
    if key == "connection":
        return CONNECTIONS.get(value, str(value))
    if key == "severity":
        return SEVERITIES.get(value, str(value))
    if key == "field":
        return FIELDS.get(value, "项目信息")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        if ISO_TIME.match(value):
            return words.moment(value)
        if ISO_DAY.match(value):
            return words.day(value)
        return STATUSES.get(value, value) if key in ("old_value", "new_value", "status") else value
    if isinstance(value, dt.datetime):
        return words.moment(value)
    if isinstance(value, dt.date):
        return words.day(value)
    if isinstance(value, list):
        return _items(key, value)
    if isinstance(value, dict):
        return "；".join(f"{label(k)}：{text(k, v)}" for k, v in value.items())
    return str(value)


def _items(key: str, values: list) -> str:
    if key in ("punches", "punch") and all(isinstance(v, int) for v in values):
        return f"{len(values)}条"  # record numbers say nothing to a reader: how many
    shown = "、".join(text(key, v) for v in values[:SHOWN])
    more = f"等，共{len(values)}项" if len(values) > SHOWN else ""
    return shown + more if shown else "—"


def evidence_rows(evidence: dict) -> list[tuple[str, str]]:
    """(label, text) per figure, in the order the labels read best (the rule's order)."""
    return [(label(key), text(key, value)) for key, value in (evidence or {}).items()]
