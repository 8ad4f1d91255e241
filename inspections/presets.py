"""Policy presets: the thresholds each notice sets (the five notices; docs/rules.md lists them per rule)."""

from __future__ import annotations

import datetime as dt

KEY_POSITIONS = ["project_manager", "chief_supervisor"]

DEFAULT = {
    "count_sundays": True,
    "count_holidays": True,
    "manager_grace_days": 0,
    "valid_min_punches": 1,
    "valid_requires_photo": False,
    "valid_min_span_hours": 0,
    "r01_grace_days": 0,
    "r03_offline_hours": 24,
    "r07_max_speed_kmh": 120,
    "r09_min_match_score": "0.800",
    "r11_key_positions": KEY_POSITIONS,
    "r11_key_ratio": "0.800",
    "r11_other_ratio": "0.700",
    "r12_silent_days": 4,
    "r13_late_hours": 48,
    "r15_min_shortfall": 1,
    "r15_penalty_shortfall": 15,
    "r16_worker_rate": "0.800",
    # Wages (W1–W7): the pay day is a day of the month after the wages' month, 0 its last day; seed 003 §三(五)
    # keeps the records 2 years after completion.
    "wage_pay_day": 0,
    "w5_deposit_months": 2,
    "w7_contract_days": 30,
    "exit_requires_settlement": False,
    "wage_retention_years": 2,
    # Complaints (举报投诉, seed 004 §二(三)): the days the district has to handle one before it is overdue (C1).
    "complaint_days": 7,
    "go_live": None,
    "invalid_no_liveness": True,
    "invalid_forged": True,
    "invalid_mobile": True,
    "invalid_low_score": True,
    "invalid_elsewhere": True,
    "invalid_backfilled": True,
    "scope_only": False,
    "r02_docking_filed_before": None,
    "managers_filed_from": None,
    "managers_judged_roles": [],
    "pm_stops_on_quality_notice": False,
    "r08_municipal_tablets": False,
    "card_verified_entry": False,
}

PRESETS: dict[str, tuple[str, dict]] = {
    "default": ("默认口径", {}),
    # 甬建函〔2023〕82号: the campaign's 14 categories, the default thresholds.
    "ningbo_2023": ("宁波 2023（甬建函〔2023〕82号）", {}),
    # 吉建管〔2021〕6号: 80% for the project manager and chief supervisor, 70% for other managers,
    # the worker shortfall of 15 (Annex 1 item 3), 80% worker attendance (§二).
    "jilin_2021": ("吉林 2021（吉建管〔2021〕6号）", {}),
    # 中山 2019: manager attendance from 10 days after the planned start (四(一)), the trial period to
    # 31 January 2020 without scoring (四(四)), the scope of 二 (5000 m², 10 million yuan), platform
    # docking for projects filed before 1 February 2020 (四(二)), face-and-location tablets for municipal
    # works (四(一)); the managers judged: the general contractor's and the supervisor's (四(一)), and none
    # on projects filed before 1 February 2020, whose managers attend on the old system (四(二)–(三)); two stops
    # of attendance, the project manager's on the quality supervision completion notice (三(十二)).
    "zhongshan_2019": (
        "中山 2019（实名制管理平台上线通知）",
        {
            "manager_grace_days": 10,
            "go_live": dt.date(2020, 2, 1),
            # Not valid_requires_photo: the notice collects faces (三(四)) but never makes a punch without a
            # photo invalid; a city that wants it sets it as its own choice.
            "scope_only": True,
            "r02_docking_filed_before": dt.date(2020, 2, 1),
            "managers_filed_from": dt.date(2020, 2, 1),
            "managers_judged_roles": ["contractor", "supervisor"],
            "pm_stops_on_quality_notice": True,
            "r08_municipal_tablets": True,
        },
    ),
    # 杭建市发〔2016〕39号: every entry verified by reading the ID card at the gate (三, 五(一)1, rule R17); the
    # platform's default thresholds otherwise.
    "hangzhou_2016": ("杭州 2016（杭建市发〔2016〕39号）", {"card_verified_entry": True}),
    # 鄂建文〔2019〕27号: the national data standard and biometric methods; default thresholds.
    "hubei_2019": ("湖北 2019（鄂建文〔2019〕27号）", {}),
}


# Where each preset's own values come from, clause by clause (docs/rules.md prints them beside the values;
# a test fails on a value without its clause): a preset says what its notice says and nothing more.
SOURCES: dict[str, dict[str, str]] = {
    "hangzhou_2016": {
        "card_verified_entry": "三：对进、出工程项目现场的人员统一使用二代身份证阅读器进行校验后，方可同意其进、出工程"
        "项目现场；五(一)1：二代身份证不校验，人员不进场",
    },
    "zhongshan_2019": {
        "manager_grace_days": "四(一)：拟开工日期起10天后开始对施工现场管理人员进行考勤管理",
        "go_live": "四(四)：试运行时间至2020年1月31日，期间不作考核及诚信扣分处理；2020年2月1日起正式实施",
        "scope_only": "二：房屋建筑工程建筑面积5000平方米以上（含本数），"
        "市政设施工程造价1000万元以上（含本数）的建设项目",
        "r02_docking_filed_before": "四(二)：2020年2月1日前完成施工报建的在建项目可选择设备直连模式或平台对接模式",
        "managers_filed_from": "四(二)–(三)：2020年2月1日前的项目继续在原诚信管理系统考勤，直至工程结束",
        "managers_judged_roles": "四(一)：对施工现场管理人员（施工总承包企业及监理企业）进行考勤管理",
        "pm_stops_on_quality_notice": "三(十二)：劳务人员和其他管理人员凭“安全生产标准化评定报告”停止考勤，"
        "项目经理凭“工程现场施工质量监督任务完成告知书”终止考勤",
        "r08_municipal_tablets": "四(一)：市政基础设施工程受施工场地限制的，"
        "可使用移动平板（人脸识别、地理位置定位）考勤",
    },
}


def preset_values(key: str) -> dict:
    """The policy fields of a preset (KeyError for an unknown one)."""
    _name, overrides = PRESETS[key]
    return {**DEFAULT, **overrides}
