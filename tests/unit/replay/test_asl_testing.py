"""`asl.testing`: loading with mocks, handlers or a mock file; asserting on path, data and retries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from replay_workflow import CHARGE, DEFINITION, FETCH, SEND, write

from asl import TaskContext
from asl.testing import (
    TaskFailed,
    assert_path,
    assert_succeeded,
    load,
    path,
    retries,
    run,
    state_input,
    state_output,
    steps,
)

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
ORDER = {"orderId": "o-9", "lines": [{"sku": "a", "quantity": 1, "price": 5}]}

MOCKS: dict[str, Any] = {
    "Fetch": [TaskFailed("Busy", "1"), {"Payload": {"items": ["x", "y"]}}],
    "Charge": {"paid": True},
    "Send": [{"MessageId": "1"}, {"MessageId": "2"}],
}


def test_mocks_by_state_answer_in_order() -> None:
    result = run(DEFINITION, {"order": "o-2"}, mocks=MOCKS)
    assert_path(result, ["Fetch", "Charge", "Done"])
    assert retries(result, "Fetch") == 1
    assert state_input(result, "Charge") == {"order": "o-2", "fetched": {"items": ["x", "y"]}}
    assert assert_succeeded(result) == {"paid": True}


def test_a_machine_runs_again_from_the_first_mocked_answer() -> None:
    machine = load(DEFINITION, mocks={**MOCKS, "Charge": TaskFailed("Declined", "no")})
    first, second = run(machine, {}), run(machine, {})
    assert first.path == second.path == ["Fetch", "Charge", "Notify", "Send", "Send", "Label"]
    assert [state_output(second, "Send", i) for i in (0, 1)] == [{"MessageId": "1"}, {"MessageId": "2"}]
    assert state_output(second, "Notify")["sent"] == [{"MessageId": "1"}, {"MessageId": "2"}]


def test_running_out_of_mocked_answers_fails_clearly() -> None:
    result = run(DEFINITION, {}, mocks={**MOCKS, "Fetch": [TaskFailed("Busy", "1")] * 3})
    assert result.error == "States.Runtime"
    assert "no task result left for state 'Fetch'" in (result.cause or "")
    with pytest.raises(AssertionError, match=r"the execution ended FAILED States\.Runtime"):
        assert_succeeded(result)


def test_handlers_by_resource_sync_or_async() -> None:
    async def fetch(payload: Any, ctx: TaskContext) -> Any:
        return {"Payload": {"items": [ctx.state_name]}}

    def send(payload: Any, ctx: TaskContext) -> Any:
        return payload["n"]

    def charge(payload: Any, ctx: TaskContext) -> Any:
        raise TaskFailed("Declined", "no")

    result = run(DEFINITION, {}, handlers={FETCH: fetch, CHARGE: charge, SEND: send})
    assert result.output["sent"] == ["Fetch"]
    assert [s.state for s in steps(result, "Send")] == ["Send"]


def test_a_sample_loads_with_its_configuration_and_mock_file() -> None:
    result = run(SAMPLES / "order-approval" / "workflow.json", ORDER, test_case="ProcessorBusyThenOk")
    assert path(result) == ["ValidateOrder", "ChargeCard", "WaitForApproval", "Approved?", "Ship"]
    assert retries(result, "ChargeCard") == 2
    assert state_output(result, "ValidateOrder")["validation"]["checkedBy"] == "validate-order"


def test_an_explicit_mock_file_and_test_case(tmp_path: Path) -> None:
    machine = load(
        SAMPLES / "order-approval" / "workflow.json",
        mock_config=SAMPLES / "order-approval" / "mocks.json",
        test_case="Rejected",
        mocks={"ValidateOrder": {"total": 1}},
        config=False,
    )
    result = run(machine, ORDER)
    assert_path(result, ["ValidateOrder", "ChargeCard", "WaitForApproval", "Approved?", "Rejected"])
    assert (result.error, result.failed_state) == ("OrderRejected", "Rejected")
    with pytest.raises(AssertionError, match="state 'Rejected' did not exit"):
        state_output(result, "Rejected")


def test_assert_path_explains_the_difference() -> None:
    result = run(DEFINITION, {}, mocks=MOCKS)
    with pytest.raises(AssertionError, match=r"differs at step 3: expected 'Notify', got 'Done'"):
        assert_path(result, ["Fetch", "Charge", "Notify"])
    with pytest.raises(AssertionError, match="state 'Label' never ran"):
        state_input(result, "Label")
    with pytest.raises(AssertionError, match="ran 1 time"):
        state_input(result, "Fetch", 1)


def test_plain_execution_results_work_too() -> None:
    machine = load(DEFINITION, mocks=MOCKS)
    result = machine.run_sync({})
    assert path(result) == ["Fetch", "Charge", "Done"]
    assert retries(result, "Fetch") == 1


def test_misuse_is_reported() -> None:
    with pytest.raises(ValueError, match="go together"):
        load(DEFINITION, test_case="X")
    with pytest.raises(TypeError, match="apply only when run"):
        run(load(DEFINITION, mocks=MOCKS), {}, mocks=MOCKS)


def test_a_definition_file_without_configuration(tmp_path: Path) -> None:
    definition = write(tmp_path / "flow.json", DEFINITION)
    result = run(definition, {}, mocks=MOCKS, name="flow")
    assert result.status == "SUCCEEDED"
