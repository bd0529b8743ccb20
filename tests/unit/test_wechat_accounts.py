"""Named WeChat accounts (one per showroom) and decrypted payload parsing."""

import pytest

from bot.channels.wechat import WeChatInput
from bot.channels.wechat_accounts import CUSTOMER_SERVICE, RIDE_RETRIES, load_accounts
from bot.channels.wechat_xml import WeChatXmlError, parse_body, parse_inner, parse_message
from bot.exceptions import DataFileError


def test_accounts_file_is_loaded_with_keys_and_delivery(write_yaml):
    path = write_yaml(
        "accounts.yml",
        """
accounts:
  - name: showroom-east
    token: t1
    appid: wx1
    encoding_aes_key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
  - name: showroom_west
    token: t2
    delivery: retry
""",
    )
    accounts = load_accounts(path)
    assert sorted(accounts) == ["showroom-east", "showroom_west"]
    assert accounts["showroom-east"].keys is not None and accounts["showroom-east"].delivery == CUSTOMER_SERVICE
    assert accounts["showroom_west"].keys is None and accounts["showroom_west"].delivery == RIDE_RETRIES


@pytest.mark.parametrize(
    "text, where",
    [
        ("accounts: {}", "accounts: expected a list"),
        ("accounts:\n  - token: t", "accounts[0].name"),
        ("accounts:\n  - name: Bad Name\n    token: t", "accounts[0].name"),
        ("accounts:\n  - name: a\n", "accounts[0].token: missing"),
        ("accounts:\n  - {name: a, token: t}\n  - {name: a, token: u}", "accounts[1].name: 'a' is listed twice"),
        ("accounts:\n  - {name: a, token: t, delivery: carrier-pigeon}", "accounts[0].delivery"),
        ("accounts:\n  - {name: a, token: t, encoding_aes_key: short}", "accounts[0].encoding_aes_key"),
        ("accounts:\n  - {name: a, token: [1, 2]}", "accounts[0].token: expected text"),
        ("accounts: [", "cannot read"),
    ],
)
def test_bad_accounts_files_name_the_file_and_the_field(write_yaml, text, where):
    path = write_yaml("accounts.yml", text)
    with pytest.raises(DataFileError) as e:
        load_accounts(path)
    assert str(path) in str(e.value) and where in str(e.value)


def test_every_problem_of_an_accounts_file_is_reported_at_once(write_yaml):
    path = write_yaml("accounts.yml", "accounts:\n  - {name: a, token: t, mode: loud}\n  - {name: b, delivery: fax}")
    with pytest.raises(DataFileError) as e:
        load_accounts(path)
    assert [p.split(": ")[1] for p in e.value.problems] == [
        "accounts[0].mode",
        "accounts[1].delivery",
        "accounts[1].token",
    ]


def test_a_bad_default_account_names_the_setting_and_its_variable(monkeypatch):
    monkeypatch.setenv("WECHAT_MODE", "loud")
    with pytest.raises(DataFileError, match=r"mode \(WECHAT_MODE\): 'loud' is not one of"):
        WeChatInput.from_credentials({"token": "t"})


def test_channel_reads_the_accounts_file_from_the_environment(write_yaml, monkeypatch):
    path = write_yaml("a.yml", "accounts:\n  - {name: east, token: t}")
    monkeypatch.setenv("WECHAT_ACCOUNTS_FILE", str(path))
    monkeypatch.setenv("WECHAT_TOKEN", "default-token")
    channel = WeChatInput.from_credentials({})
    assert channel.default.token == "default-token" and list(channel.accounts) == ["east"]
    assert channel.passive_wait_s < channel.reply_budget_s


def test_decrypted_payloads_may_be_xml_or_json():
    xml = parse_message(
        parse_inner(
            "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName>"
            "<MsgType>text</MsgType><Content>hi</Content></xml>"
        )
    )
    js = parse_message(
        parse_inner('{"ToUserName": "a", "FromUserName": "b", "MsgType": "event", "Event": "x",' ' "CreateTime": 1}')
    )
    assert (xml.from_user, xml.content) == ("b", "hi") and (js.msg_type, js.create_time) == ("event", "1")
    assert parse_body(b'{"ToUserName": "a", "Encrypt": "xyz"}')["Encrypt"] == "xyz"


@pytest.mark.parametrize(
    "plaintext, message",
    [
        ("我是中文abcd123", "not a message"),
        ('{"demo_resp": "good luck"}', "not a message: missing ToUserName"),
        ("[1, 2]", "not a message"),
        ("{not json", "neither XML nor JSON"),
    ],
)
def test_payloads_that_are_not_messages_are_refused_clearly(plaintext, message):
    with pytest.raises(WeChatXmlError, match=message):
        parse_message(parse_inner(plaintext))


def test_empty_environment_variables_mean_defaults(monkeypatch):
    for name in ("WECHAT_REPLY_BUDGET", "WECHAT_REPLY_MARGIN", "WECHAT_TIMESTAMP_WINDOW", "WECHAT_ACCOUNTS_FILE"):
        monkeypatch.setenv(name, "")
    channel = WeChatInput.from_credentials({})
    assert channel.reply_budget_s == 4.0 and channel.timestamp_window_s == 300 and channel.accounts == {}
