"""The AWS-side controls against floods are template options (issue 14): reserved concurrency
for the web function, and a WAF rate-based rule for a CloudFront distribution in front."""

import json
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def template():
    return json.loads(json.dumps(cfn_yaml.load(str(ROOT / "template.yaml"))))


def test_reserved_concurrency_is_an_option_off_by_default(template):
    parameter = template["Parameters"]["WebReservedConcurrency"]
    assert parameter["Type"] == "Number" and parameter["Default"] == 0
    web = template["Resources"]["WebFunction"]["Properties"]
    assert web["ReservedConcurrentExecutions"] == {
        "Fn::If": [
            "HasReservedConcurrency",
            {"Ref": "WebReservedConcurrency"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert template["Conditions"]["HasReservedConcurrency"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "WebReservedConcurrency"}, 0]}]
    }


def test_the_waf_rate_rule_is_for_cloudfront_and_only_made_where_it_can_exist(template):
    assert template["Parameters"]["WafRateLimitPerIp"]["Default"] == 0
    condition = template["Conditions"]["HasWebAcl"]["Fn::And"]
    assert {"Fn::Not": [{"Fn::Equals": [{"Ref": "WafRateLimitPerIp"}, 0]}]} in condition
    assert {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]} in condition
    acl = template["Resources"]["IntakeWebAcl"]
    assert acl["Condition"] == "HasWebAcl" and acl["Properties"]["Scope"] == "CLOUDFRONT"
    [rule] = acl["Properties"]["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["Limit"] == {"Ref": "WafRateLimitPerIp"} and rate["AggregateKeyType"] == "IP"
    matches = rate["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert [m["ByteMatchStatement"]["SearchString"] for m in matches] == ["POST", "/intake/"]
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    assert template["Outputs"]["IntakeWebAclArn"]["Condition"] == "HasWebAcl"


def test_the_readme_explains_both_controls():
    readme = (ROOT / "README.md").read_text()
    for phrase in ("WebReservedConcurrency", "WafRateLimitPerIp", "CloudFront"):
        assert phrase in readme, phrase
