"""The rights rules (C1), one module each (`cN_<name>.py`), gathered into the one rule registry
(inspections.rules) through `RightsConfig.rule_package`, as the wage rules are."""
