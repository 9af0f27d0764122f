"""Drives the plinth DigitalOcean emulator with DigitalOcean's official Python client (pydo).

Usage: pydo_scenario.py BASE_URL TOKEN

Creates an SSH key, a VPC and Droplets, waits for the first Droplet to become active (through
its create action and its status), lists the tagged Droplets page by page following
`links.pages.next`, then deletes everything. Prints one JSON line with what it saw; any
failure raises and exits non-zero.
"""

import json
import sys
import time
from urllib.parse import parse_qs, urlparse

from azure.core.pipeline.policies import SansIOHTTPPolicy
from pydo import Client

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHB5ZG8tc2NlbmFyaW8ta2V5LWZvci10aGUtZW11bGF0b3I= pydo@test"


def wait(what, check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout} s")
        time.sleep(0.02)


class BearerOverHttp(SansIOHTTPPolicy):
    """Sends the token as pydo does; azure-core's own policy refuses plain HTTP, and the
    emulator listens on plain HTTP on loopback."""

    def __init__(self, token):
        super().__init__()
        self.token = token

    def on_request(self, request):
        request.http_request.headers["Authorization"] = f"Bearer {self.token}"


def main(base_url, token):
    client = Client(
        token=token, endpoint=base_url, authentication_policy=BearerOverHttp(token)
    )

    account = client.account.get()["account"]
    key = client.ssh_keys.create(body={"name": "pydo", "public_key": KEY})["ssh_key"]
    vpc = client.vpcs.create(
        body={"name": "pydo-net", "region": "nyc3", "ip_range": "10.30.0.0/24"}
    )["vpc"]
    created = client.droplets.create(
        body={
            "name": "pydo-1",
            "region": "nyc3",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64",
            "ssh_keys": [key["id"]],
            "vpc_uuid": vpc["id"],
            "tags": ["pydo"],
        }
    )
    droplet_id = created["droplet"]["id"]
    action_id = created["links"]["actions"][0]["id"]
    wait(
        "the create action completing",
        lambda: client.actions.get(action_id=action_id)["action"]["status"] == "completed",
    )
    droplet = wait(
        "the Droplet becoming active",
        lambda: (lambda d: d if d["status"] == "active" else None)(
            client.droplets.get(droplet_id=droplet_id)["droplet"]
        ),
    )
    private = [n["ip_address"] for n in droplet["networks"]["v4"] if n["type"] == "private"]
    more = client.droplets.create(
        body={
            "names": ["pydo-2", "pydo-3"],
            "region": "nyc3",
            "size": "s-1vcpu-1gb",
            "image": "debian-12-x64",
            "tags": ["pydo"],
        }
    )

    seen, pages, page = [], 0, 1
    while True:
        listing = client.droplets.list(tag_name="pydo", per_page=2, page=page)
        pages += 1
        seen.extend(d["name"] for d in listing["droplets"])
        following = listing.get("links", {}).get("pages", {}).get("next")
        if not following:
            break
        page = int(parse_qs(urlparse(following).query)["page"][0])
    total = listing["meta"]["total"]

    client.droplets.destroy(droplet_id=droplet_id)
    client.droplets.destroy_by_tag(tag_name="pydo")
    remaining = client.droplets.list(tag_name="pydo")["meta"]["total"]
    client.ssh_keys.delete(ssh_key_identifier=key["id"])
    client.vpcs.delete(vpc_id=vpc["id"])
    print(
        json.dumps(
            {
                "account_status": account["status"],
                "droplet_status": droplet["status"],
                "private_ip": private[0],
                "created_by_names": len(more["droplets"]),
                "seen": seen,
                "pages": pages,
                "total": total,
                "remaining": remaining,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
