"""The national interface's signature and field encryption, held byte for byte to worked examples made by an
independent client's own code: ibisTime/xn-gchf (Java), its `gov/EncriptionHelper.getSHA256StrJava` verbatim
and the steps of its `common/AesUtils.encrypt` and `gov/GovConnecter.getGovData`, compiled and run with JDK 17
on 2026-12-05 (SunJCE's AES/CBC/PKCS5Padding, which is PKCS#7 on AES's blocks, in place of BouncyCastle's
PKCS7Padding). The secret is the one in that project's own GovConnecter and AesUtils.main. Nothing here was
computed by the code under test."""

from __future__ import annotations

import pytest

from smz_platform.common.national import (
    Cipher,
    FieldError,
    call_form,
    field_decrypt,
    field_encrypt,
    signature,
    signature_valid,
)

SECRET = "24484b262dd63dd584902a266bdbdca0"
APPID = "33112220190310002"

# (clear, what xn-gchf's AesUtils.encrypt gives with SECRET)
FIELDS = [
    ("413024196804304833", "pktSIgGrBbAFrufOA9Gv6ZoavMMidCOZrWi/ooI50ZI="),  # AesUtils.main's own number
    ("33020319900101123X", "EoSEvzN/yIiDx04415BsA5tQOy9DE5RrU7lSpCtkMbA="),
    ("6222021234567890123", "k4xbL0Pkhpmt8i3KuIaR2Cn0AQjR8j54bYosIz+gQwA="),  # a bank card number
    ("王建国", "21R/aazUoAS6kDpMtHwaAA=="),
]
ATTENDANCE = (
    '{"projectCode":"330203202609010101","teamSysNo":10086,"dataList":[{"idCardType":"01",'
    '"idCardNumber":"EoSEvzN/yIiDx04415BsA5tQOy9DE5RrU7lSpCtkMbA=","date":"2026-11-25 07:31:05",'
    '"direction":"01","attendType":"001"}]}'
)
# (method, data, nonce, timestamp, what GovConnecter.getGovData signs)
CALLS = [
    (
        "WorkerAttendance.Add",
        ATTENDANCE,
        "0f8fad5bd9cb469fa16570867728950e",
        "20261125073200",
        "f88ba82c101e684e94cdaa52389b12ab8459cd796c802a3005615343c3f2c372",
    ),
    (
        "AsyncHandleResult.Query",
        '{"requestSerialCode":"C2A5F3B0E1D94B7A"}',
        "8a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "20261125080000",
        "a78847fb79618c1eccad9fff50b7b71ed8ca960f6b3f53bbef9ea6e823034cc4",
    ),
    (
        "Team.Add",
        '{"projectCode":"330203202609010101","corpCode":"91330203MA2CKXXXXX","teamName":"钢筋班组"}',
        "1234567890abcdef1234567890ABCDEF",
        "20261125090102",
        "c16891187d375a8525abb2055f319c2c8e8df048c3c3752a04f71c5ef4416c9a",
    ),
]


@pytest.mark.parametrize(("clear", "sealed"), FIELDS)
def test_a_field_is_encrypted_as_the_independent_client_encrypts_it(clear, sealed):
    assert field_encrypt(clear, SECRET) == sealed
    assert field_decrypt(sealed, SECRET) == clear


def test_the_aes128_variant_of_one_province():
    sealed = "Vfa/vHV06/PyiEtvrowEawgY7y1x0A2N6k69P9miN9Q="  # AesUtils' steps with the secret's first 16 characters
    assert field_encrypt("33020319900101123X", SECRET, Cipher.AES128_HEAD) == sealed
    assert field_decrypt(sealed, SECRET, Cipher.AES128_HEAD) == "33020319900101123X"


@pytest.mark.parametrize(("method", "data", "nonce", "timestamp", "sign"), CALLS, ids=[c[0] for c in CALLS])
def test_a_call_is_signed_as_the_independent_client_signs_it(method, data, nonce, timestamp, sign):
    form = call_form(appid=APPID, secret=SECRET, method=method, data=data, nonce=nonce, timestamp=timestamp)
    assert form["sign"] == sign
    assert form["data"] == data  # lower-cased only inside the signature, sent as it is
    assert signature_valid(form, SECRET)


def test_a_changed_parameter_or_another_secret_fails_the_check():
    method, data, nonce, timestamp, _sign = CALLS[0]
    form = call_form(appid=APPID, secret=SECRET, method=method, data=data, nonce=nonce, timestamp=timestamp)
    assert not signature_valid(form, SECRET.replace("2", "3"))
    assert not signature_valid({**form, "data": data.replace("07:31:05", "07:31:06")}, SECRET)
    assert not signature_valid({k: v for k, v in form.items() if k != "nonce"}, SECRET)
    assert signature({**form, "sign": "anything"}, SECRET) == form["sign"]


@pytest.mark.parametrize(
    "sealed",
    ["not base64!", "", "AAAA", FIELDS[0][1][:-4] + "AAA=", field_encrypt("33020319900101123X", "x" * 32)],
)
def test_a_field_this_secret_did_not_encrypt_is_refused(sealed):
    with pytest.raises(FieldError):
        field_decrypt(sealed, SECRET)
