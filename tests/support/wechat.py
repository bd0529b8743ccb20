"""What WeChat sends, for tests of the WeChat channel in-process and against the running servers."""

import time
import xml.etree.ElementTree as ET


def wechat_text_xml(account, openid, content, msg_id=None) -> bytes:
    """The XML body WeChat pushes for a text message from `openid` to the official account `account`."""
    root = ET.Element("xml")
    fields = {"ToUserName": account, "FromUserName": openid, "CreateTime": int(time.time()), "MsgType": "text"}
    fields.update(Content=content, MsgId=msg_id if msg_id is not None else time.time_ns())
    for name, value in fields.items():
        ET.SubElement(root, name).text = str(value)
    return ET.tostring(root, encoding="utf-8")
