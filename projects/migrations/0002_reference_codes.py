"""Load the national platform's code tables (全国建筑工人管理服务信息平台 数据标准).

They are data: the city extends them in the admin when the standard changes (new trades, positions).
Re-running is harmless (update_or_create on the table and code).
"""

from django.db import migrations

WORK_TYPES = [
    ("010", "砌筑工"), ("020", "钢筋工"), ("030", "架子工"), ("040", "混凝土工"), ("050", "模板工"),
    ("060", "机械设备安装工"), ("070", "通风工"), ("080", "安装起重工"), ("090", "安装钳工"),
    ("100", "电气设备安装调试工"), ("110", "管道工"), ("120", "变电安装工"), ("130", "建筑电工"),
    ("140", "司泵工"), ("150", "挖掘铲运和桩工机械司机"), ("160", "桩机操作工"), ("170", "起重信号工"),
    ("180", "建筑起重机械安装拆卸工"), ("190", "装饰装修工"), ("200", "室内成套设施安装工"),
    ("210", "建筑门窗幕墙安装工"), ("220", "幕墙制作工"), ("230", "防水工"), ("240", "木工"), ("250", "石工"),
    ("270", "电焊工"), ("280", "爆破工"), ("290", "除尘工"), ("300", "测量放线工"), ("310", "线路架设工"),
    ("320", "古建筑传统石工"), ("330", "古建筑传统瓦工"), ("340", "古建筑传统彩画工"), ("350", "古建筑传统木工"),
    ("360", "古建筑传统油工"), ("380", "金属工"), ("390", "杂工"), ("900", "管理人员"), ("1000", "其他"),
]

# code used by the API, name; national participant codes are not defined for positions.
POSITIONS = [
    ("project_manager", "项目经理"), ("chief_supervisor", "总监理工程师"), ("technical_lead", "技术负责人"),
    ("quality_lead", "质量负责人"), ("safety_lead", "安全负责人"), ("labour_lead", "劳务负责人"),
    ("construction_manager", "施工员"), ("safety_officer", "安全员"), ("quality_inspector", "质量员"),
    ("site_engineer", "现场工程师"), ("supervising_engineer", "专业监理工程师"), ("supervisor_staff", "监理员"),
    ("labour_clerk", "劳资专管员"), ("materials_officer", "材料员"), ("documentation_officer", "资料员"),
]

PARTICIPANT_TYPES = [
    ("subcontractor", "001", "专业分包"), ("labour_subcontractor", "006", "劳务分包"), ("supervisor", "007", "监理"),
    ("owner", "008", "建设单位"), ("contractor", "009", "总承包"), ("vendor", "", "第三方服务商"),
]

PROJECT_STATUSES = [
    ("preparing", "001", "筹备"), ("not_started", "002", "立项"), ("active", "003", "在建"),
    ("completed", "004", "完工"), ("suspended", "005", "停工"),
]

ATTENDANCE_METHODS = [
    ("face", "001", "人脸"), ("iris", "002", "虹膜"), ("fingerprint", "003", "指纹"), ("id_card", "005", "身份证"),
    ("qr_code", "010", "二维码"), ("mobile", "", "手机（人脸＋定位）"),
]

DIRECTIONS = [("in", "01", "入场"), ("out", "02", "出场")]
ID_DOCUMENT_TYPES = [("resident_id", "01", "居民身份证")]


def rows():
    for order, (code, name) in enumerate(WORK_TYPES):
        yield "work_type", code, code, name, order
    for order, (code, name) in enumerate(POSITIONS):
        yield "position", code, "", name, order
    for table, entries in [
        ("participant_type", PARTICIPANT_TYPES),
        ("project_status", PROJECT_STATUSES),
        ("attendance_method", ATTENDANCE_METHODS),
        ("direction", DIRECTIONS),
        ("id_document_type", ID_DOCUMENT_TYPES),
    ]:
        for order, (code, national, name) in enumerate(entries):
            yield table, code, national, name, order


def load(apps, schema_editor):
    ReferenceCode = apps.get_model("projects", "ReferenceCode")
    for table, code, national, name, order in rows():
        ReferenceCode.objects.update_or_create(
            table=table, code=code, defaults={"national_code": national, "name": name, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
