"""User-pool Lambda triggers as local functions: events, what each response does, failures.

Sources: "Customizing user pool workflows with Lambda triggers" and the page of each trigger in
the Amazon Cognito developer guide (event shapes, trigger sources, response fields).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cognito_harness import PASSWORD, Harness, make_harness

from cognito_tasks import triggers

Event = dict[str, Any]


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


class Recorder:
    """Local trigger functions by name, recording every event they get."""

    def __init__(self, **functions: Callable[[Event], Any]) -> None:
        self.functions = functions
        self.events: list[Event] = []

    def resolver(self, target: str) -> Callable[..., Any] | None:
        function = self.functions.get(triggers.function_name(target))
        if function is None:
            return None

        def call(event: Event, context: Any) -> Any:
            assert context.function_name == triggers.function_name(target)
            self.events.append(event)
            return function(event)

        return call

    def sources(self) -> list[str]:
        return [e["triggerSource"] for e in self.events]


def respond(**fields: Any) -> Callable[[Event], Event]:
    def handler(event: Event) -> Event:
        event["response"].update(fields)
        return event

    return handler


def setup(recorder: Recorder, **lambda_config: Any) -> tuple[Harness, str, str]:
    h = make_harness(functions=recorder.resolver)
    config = {k: (arn(v) if isinstance(v, str) else v) for k, v in lambda_config.items()}
    pool_id = h.pool(LambdaConfig=config, AutoVerifiedAttributes=["email"])
    return h, pool_id, h.client(pool_id)


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_pre_sign_up_event_and_auto_confirm() -> None:
    recorder = Recorder(pre=respond(autoConfirmUser=True, autoVerifyEmail=True))
    h, pool_id, client_id = setup(recorder, PreSignUp="pre")
    result = h.call(
        "signUp",
        ClientId=client_id,
        Username="ann",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
        ValidationData=[{"Name": "invite", "Value": "abc"}],
        ClientMetadata={"app": "web"},
    )
    assert result["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in result
    (event,) = recorder.events
    assert event["version"] == "1"
    assert event["triggerSource"] == "PreSignUp_SignUp"
    assert event["userPoolId"] == pool_id
    assert event["userName"] == "ann"
    assert event["region"] == "us-east-1"
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"] == {
        "userAttributes": {"email": "ann@example.com"},
        "validationData": {"invite": "abc"},
        "clientMetadata": {"app": "web"},
    }
    user = h.call("adminGetUser", UserPoolId=pool_id, Username="ann")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    assert h.directory.latest_code(pool_id, "ann") is None
    h.sign_in(pool_id, client_id, "ann")


def test_pre_sign_up_without_confirmation_sends_the_code() -> None:
    recorder = Recorder(pre=respond())
    h, _, client_id = setup(recorder, PreSignUp="pre")
    result = h.call(
        "signUp",
        ClientId=client_id,
        Username="ann",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
    )
    assert result["UserConfirmed"] is False
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


def test_a_raising_trigger_fails_the_call_with_user_lambda_validation() -> None:
    def refuse(event: Event) -> Event:
        raise ValueError("Registration from this domain is not allowed.")

    h, _, client_id = setup(Recorder(pre=refuse), PreSignUp="pre")
    message = h.fails(
        "signUp", "UserLambdaValidationException", ClientId=client_id, Username="ann", Password=PASSWORD
    )
    assert message == "PreSignUp failed with error Registration from this domain is not allowed.."
    assert not h.directory.pools[next(iter(h.directory.pools))].users


@pytest.mark.parametrize("result", [None, "yes", {"no": "response"}, {"response": []}])
def test_an_unusable_result_is_invalid_lambda_response(result: Any) -> None:
    h, _, client_id = setup(Recorder(pre=lambda event: result), PreSignUp="pre")
    message = h.fails(
        "signUp", "InvalidLambdaResponseException", ClientId=client_id, Username="ann", Password=PASSWORD
    )
    assert message == "Unrecognizable lambda output"


def test_an_unmapped_function_is_unexpected_lambda_with_the_fix() -> None:
    h, _, client_id = setup(Recorder(), PreSignUp="missing")
    message = h.fails(
        "signUp", "UnexpectedLambdaException", ClientId=client_id, Username="ann", Password=PASSWORD
    )
    assert '"missing"' in message
    assert "[handlers]" in message


def test_auto_verify_needs_the_attribute() -> None:
    h, _, client_id = setup(Recorder(pre=respond(autoVerifyPhone=True)), PreSignUp="pre")
    message = h.fails(
        "signUp", "InvalidParameterException", ClientId=client_id, Username="ann", Password=PASSWORD
    )
    assert "autoVerifyPhone" in message


def test_async_trigger_functions_are_awaited() -> None:
    async def pre(event: Event, context: Any) -> Event:
        event["response"]["autoConfirmUser"] = True
        return event

    h = make_harness(functions=lambda target: pre)
    pool_id = h.pool(LambdaConfig={"PreSignUp": arn("pre")})
    client_id = h.client(pool_id)
    result = h.call("signUp", ClientId=client_id, Username="ann", Password=PASSWORD)
    assert result["UserConfirmed"] is True


def test_pre_sign_up_for_admin_create_user_verifies_but_does_not_confirm() -> None:
    recorder = Recorder(pre=respond(autoConfirmUser=True, autoVerifyEmail=True))
    h, pool_id, _ = setup(recorder, PreSignUp="pre")
    user = h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="ann",
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
        MessageAction="SUPPRESS",
    )["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {"Name": "email_verified", "Value": "true"} in user["Attributes"]
    assert recorder.sources() == ["PreSignUp_AdminCreateUser"]
    assert recorder.events[0]["callerContext"]["clientId"] == triggers.NO_CLIENT


def test_post_confirmation_after_confirm_sign_up_and_forgot_password() -> None:
    recorder = Recorder(post=respond())
    h, pool_id, client_id = setup(recorder, PostConfirmation="post")
    h.call(
        "signUp",
        ClientId=client_id,
        Username="ann",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
    )
    code = h.directory.latest_code(pool_id, "ann")
    h.call(
        "confirmSignUp", ClientId=client_id, Username="ann", ConfirmationCode=code, ClientMetadata={"k": "v"}
    )
    (event,) = recorder.events
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["userAttributes"]["email_verified"] == "true"
    assert event["request"]["clientMetadata"] == {"k": "v"}
    h.call("forgotPassword", ClientId=client_id, Username="ann")
    code = h.directory.latest_code(pool_id, "ann", "ForgotPassword")
    h.call(
        "confirmForgotPassword",
        ClientId=client_id,
        Username="ann",
        ConfirmationCode=code,
        Password="N3w-Passw0rd!",
    )
    assert recorder.sources()[-1] == "PostConfirmation_ConfirmForgotPassword"


def test_post_confirmation_failure_keeps_the_user_confirmed() -> None:
    def fail(event: Event) -> Event:
        raise RuntimeError("downstream is down")

    h, pool_id, client_id = setup(Recorder(post=fail), PostConfirmation="post")
    h.call("signUp", ClientId=client_id, Username="ann", Password=PASSWORD)
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="ann")["UserStatus"] == "UNCONFIRMED"
    h.fails("adminConfirmSignUp", "UserLambdaValidationException", UserPoolId=pool_id, Username="ann")
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="ann")["UserStatus"] == "CONFIRMED"


def test_pre_and_post_authentication() -> None:
    recorder = Recorder(pre=respond(), post=respond())
    h, pool_id, client_id = setup(recorder, PreAuthentication="pre", PostAuthentication="post")
    h.user(pool_id, "ann")
    h.call(
        "adminInitiateAuth",
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
        ClientMetadata={"device": "kiosk"},
    )
    assert recorder.sources() == ["PreAuthentication_Authentication", "PostAuthentication_Authentication"]
    pre, post = recorder.events
    assert pre["request"]["validationData"] == {"device": "kiosk"}
    assert post["request"]["newDeviceUsed"] is False


def test_pre_authentication_can_refuse_before_the_password_is_checked() -> None:
    def refuse(event: Event) -> Event:
        raise PermissionError("Sign-in is closed for maintenance")

    h, pool_id, client_id = setup(Recorder(pre=refuse), PreAuthentication="pre")
    h.user(pool_id, "ann")
    message = h.auth_fails(
        pool_id, client_id, "ann", "wrong-but-never-checked", "UserLambdaValidationException"
    )
    assert message == "PreAuthentication failed with error Sign-in is closed for maintenance."


def test_pre_token_generation_v1_changes_the_id_token_and_groups() -> None:
    def pre(event: Event) -> Event:
        assert event["version"] == "1"
        assert event["request"]["groupConfiguration"] == {
            "groupsToOverride": ["staff"],
            "iamRolesToOverride": [],
            "preferredRole": None,
        }
        event["response"]["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {"tenant": "acme", "email": "shown@example.com", "gone": "x"},
            "claimsToSuppress": ["name", "gone"],
            "groupOverrideDetails": {
                "groupsToOverride": ["admins"],
                "iamRolesToOverride": ["arn:aws:iam::1:role/a"],
            },
        }
        return event

    recorder = Recorder(pre=pre)
    h, pool_id, client_id = setup(recorder, PreTokenGeneration="pre")
    h.user(pool_id, "ann", email="ann@example.com", name="Ann")
    h.call("createGroup", UserPoolId=pool_id, GroupName="staff")
    h.call("adminAddUserToGroup", UserPoolId=pool_id, Username="ann", GroupName="staff")
    tokens = h.sign_in(pool_id, client_id, "ann")
    identity, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert identity["tenant"] == "acme"
    assert identity["email"] == "shown@example.com"
    assert "name" not in identity
    assert "gone" not in identity
    assert identity["cognito:groups"] == ["admins"]
    assert identity["cognito:roles"] == ["arn:aws:iam::1:role/a"]
    assert access["cognito:groups"] == ["admins"]
    assert "tenant" not in access
    assert recorder.sources() == ["TokenGeneration_Authentication"]
    refreshed = h.call(
        "initiateAuth",
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    assert recorder.sources()[-1] == "TokenGeneration_RefreshTokens"
    assert claims(refreshed["IdToken"])["tenant"] == "acme"


def test_pre_token_generation_v2_changes_both_tokens_and_scopes() -> None:
    def pre(event: Event) -> Event:
        assert event["version"] == "2"
        assert event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": {"plan": "gold"}},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"roles": ["reader", "writer"], "limits": {"rps": 5}},
                "scopesToAdd": ["orders/read"],
            },
        }
        return event

    config = {"LambdaVersion": "V2_0", "LambdaArn": arn("pre")}
    h, pool_id, client_id = setup(Recorder(pre=pre), PreTokenGenerationConfig=config)
    h.user(pool_id, "ann")
    tokens = h.sign_in(pool_id, client_id, "ann")
    identity, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert identity["plan"] == "gold"
    assert access["roles"] == ["reader", "writer"]
    assert access["limits"] == {"rps": 5}
    assert access["scope"] == "aws.cognito.signin.user.admin orders/read"
    assert h.call("getUser", AccessToken=tokens["AccessToken"])["Username"] == "ann"


def test_suppressing_the_admin_scope_makes_the_access_token_useless_for_the_user_api() -> None:
    def pre(event: Event) -> Event:
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "accessTokenGeneration": {"scopesToSuppress": ["aws.cognito.signin.user.admin"]}
        }
        return event

    config = {"LambdaVersion": "V2_0", "LambdaArn": arn("pre")}
    h, pool_id, client_id = setup(Recorder(pre=pre), PreTokenGenerationConfig=config)
    h.user(pool_id, "ann")
    tokens = h.sign_in(pool_id, client_id, "ann")
    message = h.fails("getUser", "NotAuthorizedException", AccessToken=tokens["AccessToken"])
    assert message == "Access Token does not have required scopes"


@pytest.mark.parametrize(
    "claim", ["sub", "iss", "token_use", "cognito:username", "cognito:groups", "dev:custom:x"]
)
def test_reserved_claims_cannot_be_changed(claim: str) -> None:
    def pre(event: Event) -> Event:
        event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {claim: "forged"}}
        return event

    h, pool_id, client_id = setup(Recorder(pre=pre), PreTokenGeneration="pre")
    h.user(pool_id, "ann")
    message = h.auth_fails(pool_id, client_id, "ann", PASSWORD, "InvalidLambdaResponseException")
    assert claim in message


def test_custom_message_sets_the_outbox_text() -> None:
    def custom(event: Event) -> Event:
        assert event["request"]["codeParameter"] == "{####}"
        if event["triggerSource"] == "CustomMessage_AdminCreateUser":
            assert event["request"]["usernameParameter"] == "{username}"
            event["response"]["emailMessage"] = "Welcome {username}, use {####}"
            event["response"]["emailSubject"] = "Welcome aboard"
        else:
            event["response"]["emailMessage"] = f"Code {{####}} ({event['triggerSource']})"
        return event

    recorder = Recorder(custom=custom)
    h, pool_id, client_id = setup(recorder, CustomMessage="custom")
    h.call(
        "adminCreateUser",
        UserPoolId=pool_id,
        Username="ann",
        TemporaryPassword="Temp-Passw0rd!",
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    invitation = h.directory.codes[-1]
    assert invitation.message == "Welcome ann, use Temp-Passw0rd!"
    assert invitation.subject == "Welcome aboard"
    h.call(
        "signUp",
        ClientId=client_id,
        Username="ben",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ben@example.com"}],
    )
    code = h.directory.codes[-1]
    assert code.message == f"Code {code.code} (CustomMessage_SignUp)"
    assert code.subject == "Your verification code"
    h.call("resendConfirmationCode", ClientId=client_id, Username="ben")
    assert recorder.sources()[-1] == "CustomMessage_ResendCode"


def test_user_migration_on_sign_in() -> None:
    def migrate(event: Event) -> Event:
        assert event["triggerSource"] == "UserMigration_Authentication"
        if event["request"]["password"] != "Legacy-Passw0rd!":
            raise ValueError("Bad password")
        event["response"]["userAttributes"] = {"email": "old@example.com", "email_verified": "true"}
        event["response"]["finalUserStatus"] = "CONFIRMED"
        event["response"]["messageAction"] = "SUPPRESS"
        return event

    h, pool_id, client_id = setup(Recorder(migrate=migrate), UserMigration="migrate")
    bad = h.fails(
        "initiateAuth",
        "UserLambdaValidationException",
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "old", "PASSWORD": "nope"},
    )
    assert bad == "UserMigration failed with error Bad password."
    tokens = h.sign_in(pool_id, client_id, "old", "Legacy-Passw0rd!")
    assert claims(tokens["IdToken"])["email"] == "old@example.com"
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="old")["UserStatus"] == "CONFIRMED"
    h.sign_in(pool_id, client_id, "old", "Legacy-Passw0rd!")


def test_user_migration_on_forgot_password() -> None:
    def migrate(event: Event) -> Event:
        assert event["triggerSource"] == "UserMigration_ForgotPassword"
        assert "password" not in event["request"]
        event["response"]["userAttributes"] = {"email": "old@example.com", "email_verified": "true"}
        return event

    h, pool_id, client_id = setup(Recorder(migrate=migrate), UserMigration="migrate")
    sent = h.call("forgotPassword", ClientId=client_id, Username="old")
    assert sent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert h.call("adminGetUser", UserPoolId=pool_id, Username="old")["UserStatus"] == "RESET_REQUIRED"


def _custom_auth(answer: str) -> Recorder:
    def define(event: Event) -> Event:
        session = event["request"]["session"]
        if session and session[-1]["challengeResult"]:
            event["response"]["issueTokens"] = True
        elif len(session) >= 2:
            event["response"]["failAuthentication"] = True
        else:
            event["response"]["challengeName"] = "CUSTOM_CHALLENGE"
        return event

    def create(event: Event) -> Event:
        event["response"]["publicChallengeParameters"] = {"question": "2+2?"}
        event["response"]["privateChallengeParameters"] = {"answer": answer}
        event["response"]["challengeMetadata"] = "MATH"
        return event

    def verify(event: Event) -> Event:
        expected = event["request"]["privateChallengeParameters"]["answer"]
        event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == expected
        return event

    return Recorder(define=define, create=create, verify=verify)


def _custom_setup(recorder: Recorder) -> tuple[Harness, str, str]:
    h = make_harness(functions=recorder.resolver)
    pool_id = h.pool(
        LambdaConfig={
            "DefineAuthChallenge": arn("define"),
            "CreateAuthChallenge": arn("create"),
            "VerifyAuthChallengeResponse": arn("verify"),
        }
    )
    client_id = h.client(pool_id, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    h.user(pool_id, "ann")
    return h, pool_id, client_id


def test_custom_auth_challenge_round_trip() -> None:
    recorder = _custom_auth("4")
    h, _, client_id = _custom_setup(recorder)
    started = h.call(
        "initiateAuth", ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "ann"}
    )
    assert started["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert started["ChallengeParameters"] == {"question": "2+2?", "USERNAME": "ann"}
    wrong = h.call(
        "respondToAuthChallenge",
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "ann", "ANSWER": "5"},
    )
    assert wrong["ChallengeName"] == "CUSTOM_CHALLENGE"
    sessions_seen = [
        e["request"]["session"] for e in recorder.events if e["triggerSource"].startswith("Define")
    ]
    assert sessions_seen[-1] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "MATH"}
    ]
    right = h.call(
        "respondToAuthChallenge",
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=wrong["Session"],
        ChallengeResponses={"USERNAME": "ann", "ANSWER": "4"},
    )
    assert "AccessToken" in right["AuthenticationResult"]
    assert recorder.sources()[:3] == [
        "DefineAuthChallenge_Authentication",
        "CreateAuthChallenge_Authentication",
        "VerifyAuthChallengeResponse_Authentication",
    ]


def test_custom_auth_failure_and_missing_triggers() -> None:
    h, _, client_id = _custom_setup(_custom_auth("4"))
    session = h.call(
        "initiateAuth", ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "ann"}
    )["Session"]
    wrong = {"USERNAME": "ann", "ANSWER": "9"}
    again = h.call(
        "respondToAuthChallenge",
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=session,
        ChallengeResponses=wrong,
    )
    failed = h.fails(
        "respondToAuthChallenge",
        "NotAuthorizedException",
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=again["Session"],
        ChallengeResponses=wrong,
    )
    assert failed == "Incorrect username or password."
    plain = make_harness()
    pool_id = plain.pool()
    client = plain.client(pool_id, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"])
    message = plain.fails(
        "initiateAuth",
        "InvalidParameterException",
        ClientId=client,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "x"},
    )
    assert message == "Custom auth lambda trigger is not configured for the user pool."


def test_custom_auth_starting_with_srp() -> None:
    """CUSTOM_AUTH with SRP_A: DefineAuthChallenge asks for PASSWORD_VERIFIER first [doc, define auth challenge]."""
    from pycognito import aws_srp

    def define(event: Event) -> Event:
        session = event["request"]["session"]
        names = [s["challengeName"] for s in session]
        if names == ["SRP_A"]:
            event["response"]["challengeName"] = "PASSWORD_VERIFIER"
        elif names == ["SRP_A", "PASSWORD_VERIFIER"] and session[-1]["challengeResult"]:
            event["response"]["issueTokens"] = True
        else:
            event["response"]["failAuthentication"] = True
        return event

    recorder = Recorder(define=define)
    h = make_harness(functions=recorder.resolver)
    pool_id = h.pool(LambdaConfig={"DefineAuthChallenge": arn("define")})
    client_id = h.client(pool_id, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"])
    h.user(pool_id, "ann")
    helper = aws_srp.AWSSRP("ann", PASSWORD, pool_id, client_id, client=object())
    params = {**helper.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    started = h.call("initiateAuth", ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=params)
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    responses = helper.process_challenge(started["ChallengeParameters"], params)
    done = h.call(
        "respondToAuthChallenge",
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=responses,
    )
    assert "AccessToken" in done["AuthenticationResult"]
    assert [
        e["request"]["session"][-1]["challengeName"] for e in recorder.events if e["request"]["session"]
    ] == [
        "SRP_A",
        "PASSWORD_VERIFIER",
    ]
