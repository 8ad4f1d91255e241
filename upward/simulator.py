"""A receiver of the national interface on a local port (`manage.py national_receiver`), as
../shared/docs/national.md describes the receivers: the signed form checked, the sensitive fields decrypted,
writes answered with a serial and processed asynchronously (`AsyncHandleResult.Query`), the receivers' rules
applied record by record (no future dates, an entry or exit not before the previous one, a team known before
its workers, known area codes, a head image's format and size), error codes and a per-minute rate limit.

It keeps what it accepted, and can be told to fail (`9999`), slow down or drop the connection unanswered — the
outages the sender must live through. The tests send through the real client to it over HTTP.

How a batch is answered (the receivers' texts leave it open; this is the sender's reading too): the status is
`20` when at least one record was accepted, with `result` a JSON object carrying what the receiver assigned
(`projectCode`, `teamSysNo`) and `failures`, a list of {"index", "message"} for the records refused; `10` when
none was, with `result` the refusals' text.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from smz_platform.common.national import SIGNED, TIMESTAMP_FORMAT, Cipher, FieldError, field_decrypt, signature_valid

ENCRYPTED = (
    "idCardNumber",
    "legalManIdcardNumber",
    "pmIdcardNumber",
    "teamLeaderIdNumber",
    "responsiblePersonIdNumber",
    "payRollBankCardNumber",
    "payBankCardNumber",
)
HEAD_IMAGE_BYTES = 50 * 1024
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class Refusal(Exception):
    """A call refused whole: its code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class RecordRefused(Exception):
    pass


@dataclass
class Job:
    method: str
    appid: str
    ready_at: float
    status: int = 0
    result: str = ""


@dataclass
class Store:
    """What the receiver accepted, per kind (the tests read it)."""

    corps: dict[str, dict] = field(default_factory=dict)
    projects: dict[str, dict] = field(default_factory=dict)
    participants: list[dict] = field(default_factory=list)
    teams: dict[int, dict] = field(default_factory=dict)
    workers: dict[tuple[str, str], dict] = field(default_factory=dict)
    movements: list[dict] = field(default_factory=list)
    contracts: list[dict] = field(default_factory=list)
    attendance: list[dict] = field(default_factory=list)
    payrolls: dict[str, dict] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, appid) of every call answered


class Receiver:
    """The receiver's state and rules; `serve()` puts it on a port."""

    def __init__(
        self,
        *,
        credentials: dict[str, str],
        cipher: Cipher = Cipher.AES256,
        area_codes: set[str] | None = None,
        calls_per_minute: int = 600,
        processing_seconds: float = 0.0,
        head_image_required: bool = False,
    ) -> None:
        self.credentials = credentials
        self.cipher = cipher
        self.area_codes = area_codes  # None: any six-digit code of a province (11–82)
        self.calls_per_minute = calls_per_minute
        self.processing_seconds = processing_seconds
        self.head_image_required = head_image_required
        self.mode = "normal"  # "fail", "slow" or "drop"
        self.slow_seconds = 5.0
        self.store = Store()
        self.jobs: dict[str, Job] = {}
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()
        self._team_numbers = iter(range(100001, 10**9))
        self._project_numbers = iter(range(1, 10**9))

    # --- the call ---------------------------------------------------------------------------------------

    def answer(self, form: dict[str, str]) -> dict:
        try:
            with self._lock:
                return {"code": 0, "message": "成功", "data": self._call(form)}
        except Refusal as refusal:
            return {"code": refusal.code, "message": refusal.message, "data": None}

    def _call(self, form: dict[str, str]) -> dict:
        if self.mode == "fail":
            raise Refusal(9999, "系统繁忙，请稍后再试")
        missing = [name for name in (*SIGNED, "sign") if not form.get(name)]
        if missing:
            raise Refusal(-1, f"缺少参数：{'、'.join(missing)}")
        secret = self.credentials.get(form["appid"])
        if secret is None:
            raise Refusal(-1, "appid不存在")
        if not signature_valid(form, secret):
            raise Refusal(-2, "签名验证失败")
        try:
            dt.datetime.strptime(form["timestamp"], TIMESTAMP_FORMAT)
        except ValueError:
            raise Refusal(-1, "timestamp格式错误，应为yyyyMMddHHmmss") from None
        now = time.monotonic()
        while self._calls and self._calls[0] < now - 60:
            self._calls.popleft()
        if len(self._calls) >= self.calls_per_minute:
            raise Refusal(-5, "接口调用超过频率限制，请稍后再试")
        self._calls.append(now)
        try:
            data = json.loads(form["data"])
        except ValueError:
            raise Refusal(-1, "data不是合法的JSON") from None
        if not isinstance(data, dict):
            raise Refusal(-1, "data应为JSON对象")
        method = form["method"]
        self.store.calls.append((method, form["appid"]))
        if method == "AsyncHandleResult.Query":
            return self._query(data)
        handler = WRITES.get(method)
        if handler is None:
            raise Refusal(-3, f"无权限调用接口{method}")
        data = self._decrypted(data, secret)
        serial = secrets.token_hex(16)
        job = Job(method, form["appid"], ready_at=now + self.processing_seconds)
        job.status, job.result = handler(self, data)
        self.jobs[serial] = job
        return {"requestSerialCode": serial}

    def _query(self, data: dict) -> dict:
        job = self.jobs.get(str(data.get("requestSerialCode", "")))
        if job is None:
            raise Refusal(-1, "requestSerialCode不存在")
        if time.monotonic() < job.ready_at:
            return {"status": 0, "result": ""}
        return {"status": job.status, "result": job.result}

    def _decrypted(self, value, secret: str):
        if isinstance(value, list):
            return [self._decrypted(item, secret) for item in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for name, item in value.items():
            if name in ENCRYPTED and isinstance(item, str) and item:
                try:
                    item = field_decrypt(item, secret, self.cipher)
                except FieldError:
                    raise Refusal(-1, f"{name}解密失败，请检查加密方式与密钥") from None
            out[name] = self._decrypted(item, secret)
        return out

    # --- the rules ------------------------------------------------------------------------------------

    def _area(self, code) -> None:
        code = str(code or "")
        known = (
            code in self.area_codes
            if self.area_codes is not None
            else (len(code) == 6 and code.isdigit() and 11 <= int(code[:2]) <= 82)
        )
        if not known:
            raise RecordRefused(f"行政区划代码{code or '（空）'}不存在")

    @staticmethod
    def _not_future(value: str, what: str) -> None:
        today = dt.datetime.now(SHANGHAI).date()
        try:
            day = dt.date.fromisoformat(str(value)[:10]) if len(str(value)) >= 10 else None
            if day is None:
                day = dt.date.fromisoformat(f"{value}-01")  # a month: yyyy-MM
        except ValueError:
            raise RecordRefused(f"{what}格式错误：{value}") from None
        if day > today:
            raise RecordRefused(f"{what}不能晚于当前日期：{value}")

    def _project(self, code) -> dict:
        project = self.store.projects.get(str(code or ""))
        if project is None:
            raise RecordRefused(f"项目{code or '（空）'}不存在")
        return project

    def _team(self, number) -> dict:
        try:
            return self.store.teams[int(number)]
        except (KeyError, TypeError, ValueError):
            raise RecordRefused(f"班组{number}不存在，请先上传班组") from None

    def _batch(self, records: list, accept) -> tuple[int, str]:
        if not isinstance(records, list) or not records:
            return 10, "记录列表为空"
        failures = []
        for index, record in enumerate(records):
            try:
                if not isinstance(record, dict):
                    raise RecordRefused("记录应为JSON对象")
                accept(record)
            except RecordRefused as refused:
                failures.append({"index": index, "message": str(refused)})
        if len(failures) == len(records):
            return 10, "；".join(f"第{f['index'] + 1}条：{f['message']}" for f in failures)
        return 20, json.dumps({"failures": failures}, ensure_ascii=False)

    def _single(self, accept) -> tuple[int, str]:
        try:
            return 20, json.dumps(accept(), ensure_ascii=False)
        except RecordRefused as refused:
            return 10, str(refused)

    def corp_upload(self, data: dict) -> tuple[int, str]:
        def accept():
            if not data.get("corpCode") or not data.get("corpName"):
                raise RecordRefused("corpCode和corpName必填")
            self._area(data.get("areaCode"))
            self.store.corps[data["corpCode"]] = data
            return {"failures": []}

        return self._single(accept)

    def project_add(self, data: dict) -> tuple[int, str]:
        def accept():
            for name in ("name", "contractorCorpCode", "prjStatus"):
                if not data.get(name):
                    raise RecordRefused(f"{name}必填")
            self._area(data.get("areaCode"))
            if data["contractorCorpCode"] not in self.store.corps:
                raise RecordRefused(f"总承包单位{data['contractorCorpCode']}未上传")
            for name in ("startDate",):
                if data.get(name):
                    self._not_future(data[name], "开工日期")
            code = data.get("projectCode") or f"SIM{next(self._project_numbers):012d}"
            self.store.projects[code] = {**data, "projectCode": code}
            return {"projectCode": code, "failures": []}

        return self._single(accept)

    def participant_add(self, data: dict) -> tuple[int, str]:
        def accept():
            self._project(data.get("projectCode"))
            if data.get("corpCode") not in self.store.corps:
                raise RecordRefused(f"企业{data.get('corpCode')}未上传")
            if not data.get("corpType"):
                raise RecordRefused("corpType必填")
            self.store.participants.append(data)
            return {"failures": []}

        return self._single(accept)

    def team_add(self, data: dict) -> tuple[int, str]:
        def accept():
            self._project(data.get("projectCode"))
            if not data.get("teamName") or data.get("corpCode") not in self.store.corps:
                raise RecordRefused("teamName必填，corpCode须为已上传的企业")
            number = next(self._team_numbers)
            self.store.teams[number] = data
            return {"teamSysNo": number, "failures": []}

        return self._single(accept)

    def _team_list(self, data: dict, accept, name: str = "workerList") -> tuple[int, str]:
        """A list under a team's head: refused whole when its project or team is unknown."""
        try:
            self._project(data.get("projectCode"))
            self._team(data.get("teamSysNo"))
        except RecordRefused as refused:
            return 10, str(refused)
        return self._batch(data.get(name), accept)

    def _worker_known(self, project_code: str, record: dict) -> str:
        number = str(record.get("idCardNumber") or "")
        if (project_code, number) not in self.store.workers:
            raise RecordRefused("该工人未上传至本项目")
        return number

    def worker_add(self, data: dict) -> tuple[int, str]:
        def accept(record: dict) -> None:
            number = str(record.get("idCardNumber") or "")
            if len(number) != 18:
                raise RecordRefused("idCardNumber不是18位身份证号")
            if not record.get("workerName") or not record.get("workType"):
                raise RecordRefused("workerName和workType必填")
            image = record.get("headImage") or ""
            if image:
                if image.startswith("data:") and not image.startswith(
                    ("data:image/jpeg", "data:image/jpg", "data:image/png")
                ):
                    raise RecordRefused("headImage须为jpg或png")
                if len(image.split(",", 1)[-1]) * 3 // 4 > HEAD_IMAGE_BYTES:
                    raise RecordRefused("headImage超过50KB")
            elif self.head_image_required:
                raise RecordRefused("headImage必填")
            self.store.workers[(data["projectCode"], number)] = {**record, "teamSysNo": data["teamSysNo"]}

        return self._team_list(data, accept)

    def entry_exit_add(self, data: dict) -> tuple[int, str]:
        def accept(record: dict) -> None:
            number = str(record.get("idCardNumber") or "")
            if (data["projectCode"], number) not in self.store.workers:
                raise RecordRefused("该工人未上传至本项目")
            self._not_future(record.get("date", ""), "进退场日期")
            earlier = [
                m["date"]
                for m in self.store.movements
                if m["projectCode"] == data["projectCode"] and m["idCardNumber"] == number
            ]
            if earlier and str(record["date"]) < max(earlier):
                raise RecordRefused(f"进退场日期{record['date']}早于该工人上一次进退场日期{max(earlier)}")
            self.store.movements.append({**record, "projectCode": data["projectCode"]})

        return self._team_list(data, accept)

    def contract_add(self, data: dict) -> tuple[int, str]:
        def accept(record: dict) -> None:
            self._worker_known(data["projectCode"], record)
            if record.get("contractPeriodType") not in (0, 1) or record.get("unit") not in ("80", "81", "82"):
                raise RecordRefused("contractPeriodType须为0或1，unit须为80、81或82")
            if not record.get("startDate") or (record["contractPeriodType"] == 0 and not record.get("endDate")):
                raise RecordRefused("固定期限合同须有startDate和endDate")
            self.store.contracts.append({**record, "projectCode": data["projectCode"]})

        try:
            self._project(data.get("projectCode"))
        except RecordRefused as refused:
            return 10, str(refused)
        return self._batch(data.get("contractList"), accept)

    def attendance_add(self, data: dict) -> tuple[int, str]:
        def accept(record: dict) -> None:
            if len(str(record.get("idCardNumber") or "")) != 18:
                raise RecordRefused("idCardNumber不是18位身份证号")
            self._not_future(str(record.get("date") or "")[:10], "考勤日期")
            if record.get("direction") not in ("01", "02") or not record.get("attendType"):
                raise RecordRefused("direction须为01或02，attendType必填")
            self.store.attendance.append({**record, "projectCode": data["projectCode"], "teamSysNo": data["teamSysNo"]})

        return self._team_list(data, accept, "dataList")

    def payroll_add(self, data: dict) -> tuple[int, str]:
        def accept():
            self._project(data.get("projectCode"))
            self._team(data.get("teamSysNo"))
            month = str(data.get("payMonth") or "")
            self._not_future(f"{month}-01", "工资月份")
            details = data.get("detailList")
            if not isinstance(details, list) or not details:
                raise RecordRefused("detailList不能为空")
            for index, line in enumerate(details, start=1):
                try:
                    self._worker_known(data["projectCode"], line)
                    self._not_future(str(line.get("balanceDate") or ""), "发放日期")
                except RecordRefused as refused:
                    raise RecordRefused(f"第{index}条：{refused}") from None
            code = f"PR{len(self.store.payrolls) + 1:010d}"
            self.store.payrolls[code] = data
            return {"payrollCode": code, "failures": []}

        return self._single(accept)


WRITES = {
    "Corp.Upload": Receiver.corp_upload,
    "Project.Add": Receiver.project_add,
    "ProjectSubContractor.Add": Receiver.participant_add,
    "Team.Add": Receiver.team_add,
    "ProjectWorker.Add": Receiver.worker_add,
    "WorkerEntryExit.Add": Receiver.entry_exit_add,
    "WorkerContract.Add": Receiver.contract_add,
    "WorkerAttendance.Add": Receiver.attendance_add,
    "Payroll.Add": Receiver.payroll_add,
}


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def log_message(self, format, *args) -> None:
        pass

    def do_POST(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 20 * 1024 * 1024)).decode("utf-8", errors="replace")
        if receiver.mode == "drop":
            self.close_connection = True  # the request went nowhere: no answer, no record
            self.connection.close()
            return
        if receiver.mode == "slow":
            time.sleep(receiver.slow_seconds)
        form = {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items()}
        answer = json.dumps(receiver.answer(form), ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], receiver: Receiver) -> None:
        super().__init__(address, _Handler)
        self.receiver = receiver

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/api"


def serve_in_thread(receiver: Receiver, host: str = "127.0.0.1", port: int = 0) -> Server:
    """The receiver on a port of its own (0: any free one), served by a background thread; `shutdown()` ends it
    within a twentieth of a second (serve_forever's default poll of half a second held every test that stops one)."""
    server = Server((host, port), receiver)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server
