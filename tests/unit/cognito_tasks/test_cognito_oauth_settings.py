"""Client OAuth settings written by earlier versions (kept as inert settings) load as enforced ones."""

from __future__ import annotations

from cognito_tasks import UserDirectory, persist
from cognito_tasks.actions_pools import create_user_pool, create_user_pool_client


def test_oauth_members_saved_as_inert_settings_are_loaded_as_settings_that_count() -> None:
    directory = UserDirectory()
    pool_id = create_user_pool(directory, {"PoolName": "p"}, 0.0)["UserPool"]["Id"]
    client_id = create_user_pool_client(directory, {"UserPoolId": pool_id, "ClientName": "c"}, 0.0)[
        "UserPoolClient"
    ]["ClientId"]
    document = persist.to_dict(directory)
    saved = document["pools"][0]["clients"][0]
    del saved["oauth"]
    saved["settings"] = {
        "AllowedOAuthFlows": ["code"],
        "CallbackURLs": ["https://app.example/cb"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "AnalyticsConfiguration": {"ApplicationId": "a"},
    }
    client = persist.from_dict(document).pools[pool_id].clients[client_id]
    assert client.oauth.flows == ["code"]
    assert client.oauth.callback_urls == ["https://app.example/cb"]
    assert client.oauth.enabled is True
    assert client.settings == {"AnalyticsConfiguration": {"ApplicationId": "a"}}
