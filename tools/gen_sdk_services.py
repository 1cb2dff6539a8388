"""Regenerate asl/sdk_services.json: Step Functions SDK service names -> botocore service names.

Step Functions names an SDK service by its service id, lowercased and without spaces
("Cognito Identity Provider" -> cognitoidentityprovider); botocore files it under its own name
(cognito-idp). Finding a name at run time would mean loading every botocore model (seconds), so
the table is generated here, from the installed botocore, and shipped. Run after upgrading botocore:

    python tools/gen_sdk_services.py
"""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session


def main() -> None:
    loader = botocore.session.get_session().get_component("data_loader")
    table: dict[str, str] = {}
    for name in sorted(loader.list_available_services("service-2")):
        service_id = loader.load_service_model(name, "service-2")["metadata"].get("serviceId", name)
        table.setdefault(service_id.lower().replace(" ", "").replace("-", ""), name)
    target = Path(__file__).resolve().parents[1] / "asl" / "sdk_services.json"
    target.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(table)} services -> {target}")


if __name__ == "__main__":
    main()
